"""JSON API under /api/v1, authenticated with bearer tokens (no cookies, so no CSRF)."""

from __future__ import annotations

from flask import Blueprint, g, request

from sote_flow.domain.errors import AuthenticationFailed
from sote_flow.services.accounts import actor_for_token
from sote_flow.web.deps import clock, unit_of_work

api_blueprint = Blueprint("api", __name__)

PUBLIC_ENDPOINTS = {"api.issue_token", "api.openapi"}


@api_blueprint.before_request
def authenticate_bearer() -> None:
    """Resolve the bearer token to an actor for every non-public endpoint."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise AuthenticationFailed("Tunniste puuttuu: lähetä Authorization: Bearer <token>.")
    with unit_of_work() as uow:
        g.api_actor = actor_for_token(uow, clock(), token.strip())
    g.api_token = token.strip()


from sote_flow.web.api import user_views, views  # noqa: E402,F401  (registers the routes)
