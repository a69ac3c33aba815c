"""The one table of process packages (a new process with Python of its own adds a line here).

Packages are named, not imported, so that importing this table pulls in no process code until
the packages are loaded (by the platform, the app factory and the migrations).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from functools import cache

from sote_flow.handlers import HANDLERS, Handler
from sote_flow.packages import ProcessPackage

PROCESS_PACKAGES: tuple[str, ...] = (
    "sote_flow.service_order",
    "sote_flow.first_contact",
    "sote_flow.family_law",
    "sote_flow.client_case",
)


@cache
def load_packages() -> tuple[ProcessPackage, ...]:
    """Import every registered package and return their `PACKAGE` declarations."""
    packages = []
    for name in PROCESS_PACKAGES:
        package = importlib.import_module(name).PACKAGE
        if not isinstance(package, ProcessPackage):
            raise TypeError(f"{name}.PACKAGE is not a ProcessPackage")
        packages.append(package)
    return tuple(packages)


def all_handlers(packages: Iterable[ProcessPackage] | None = None) -> Mapping[str, Handler]:
    """Return every service-task operator: the general ones and each package's own."""
    handlers = dict(HANDLERS)
    for package in load_packages() if packages is None else packages:
        handlers.update(package.handlers)
    return handlers
