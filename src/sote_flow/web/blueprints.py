"""Blueprints whose every route needs a logged-in user (roles are checked by the use cases)."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required


def protected_blueprint(
    name: str,
    import_name: str,
    url_prefix: str | None = None,
    template_folder: str | None = None,
) -> Blueprint:
    """Return a blueprint that sends anonymous visitors to the login page."""
    blueprint = Blueprint(name, import_name, url_prefix=url_prefix, template_folder=template_folder)

    @blueprint.before_request
    @login_required  # type: ignore[untyped-decorator]
    def _require_login() -> None:
        return None

    return blueprint
