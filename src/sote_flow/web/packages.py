"""The web side of process packages: their blueprints, menu links and labels.

A registered package may have a `web` submodule exporting `WEB: WebPart`; the app factory
registers its blueprints, the menu shows its links to the roles named, and templates get its
labels. Nothing here names a process.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from flask import Blueprint

from sote_flow.registry import PROCESS_PACKAGES


@dataclass(frozen=True)
class NavLink:
    """A menu link shown to users holding any of `roles`."""

    endpoint: str
    label: Any  # a (lazily) translated text
    roles: frozenset[str]


@dataclass(frozen=True)
class CasePage:
    """A package's own page for one instance of its process (endpoint takes `instance_id`)."""

    process_key: str
    endpoint: str
    label: Any  # a (lazily) translated text


@dataclass(frozen=True)
class WebPart:
    """What a process package adds to the web app."""

    blueprints: tuple[Blueprint, ...] = ()
    nav: tuple[NavLink, ...] = ()
    # Linked from the instance page and every task page of the process's instances.
    case_page: CasePage | None = None
    # History action -> its label on history pages.
    action_labels: Mapping[str, Any] = field(default_factory=dict)


@cache
def load_web_parts() -> tuple[WebPart, ...]:
    """Return the web parts of the registered packages that have one."""
    parts = []
    for name in PROCESS_PACKAGES:
        try:
            module = importlib.import_module(f"{name}.web")
        except ModuleNotFoundError as exc:
            if exc.name != f"{name}.web":
                raise
            continue
        parts.append(module.WEB)
    return tuple(parts)
