"""The web side of process packages: their blueprints, API operations, menu links and labels.

A registered package may have a `web` submodule exporting `WEB: WebPart`; the app factory
registers its blueprints and adds its API operations to the JSON API (with the API's bearer
authentication, JSON errors and Idempotency-Key), the OpenAPI document lists those operations,
the menu shows its links to the roles named, and templates get its labels. Nothing here names a
process.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from flask import Blueprint
from marshmallow import Schema

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
class ApiRoute:
    """One JSON API operation of a package, served under /api/v1 and listed in OpenAPI."""

    # A Flask rule relative to /api/v1; its `<int:name>` and `<name>` parts are the path
    # parameters of the operation (integer and string).
    rule: str
    method: str  # GET, POST, PUT or DELETE; a POST or DELETE takes an Idempotency-Key
    view: Callable[..., Any]  # its name is the endpoint's, after "api."
    summary: str
    status: str = "200"  # of a success
    body: type[Schema] | None = None  # of the JSON request body
    out: type[Schema] | None = None  # of the JSON answer


@dataclass(frozen=True)
class WebPart:
    """What a process package adds to the web app."""

    blueprints: tuple[Blueprint, ...] = ()
    api_routes: tuple[ApiRoute, ...] = ()
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
