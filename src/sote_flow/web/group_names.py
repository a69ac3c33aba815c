"""Groups as people know them: a group key ("lapsiperheiden_avopalvelut") shown by its name in
the page's language (fi, sv or en, as kept under Ryhmät), read once a request."""

from __future__ import annotations

from flask import g

from sote_flow.web.deps import unit_of_work
from sote_flow.web.diagram_texts import page_locale


def group_label(name: str | None) -> str:
    """Return a group's name in the page's language (Finnish, then the key, when it has none)."""
    if not name:
        return ""
    names: dict[str, str] | None = g.get("group_names")
    if names is None:
        names = g.group_names = _names(page_locale())
    return names.get(name, name)


def _names(locale: str) -> dict[str, str]:
    with unit_of_work() as uow:
        groups = uow.users.groups()
    return {
        group.name: (getattr(group, f"display_name_{locale}", None) or group.display_name)
        for group in groups
    }
