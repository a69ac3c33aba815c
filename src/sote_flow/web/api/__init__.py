"""JSON API under /api/v1, authenticated with bearer tokens (no cookies, so no CSRF)."""

from __future__ import annotations

from functools import cache

from flask import Blueprint, g, request

from sote_flow.domain.errors import AuthenticationFailed
from sote_flow.services.accounts import actor_for_token
from sote_flow.web.api.idempotency import idempotent
from sote_flow.web.deps import clock, unit_of_work
from sote_flow.web.packages import load_web_parts

api_blueprint = Blueprint("api", __name__)

PUBLIC_ENDPOINTS = {"api.issue_token", "api.openapi"}
IDEMPOTENT_METHODS = frozenset({"POST", "DELETE"})


@api_blueprint.before_request
def authenticate_bearer() -> None:
    """Resolve the bearer token to an actor for every non-public endpoint."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise AuthenticationFailed("Tunniste puuttuu: lähetä Authorization: Bearer <token>.")
    with unit_of_work(single_read=True) as uow:
        g.api_actor = actor_for_token(uow, clock(), token.strip())
    g.api_token = token.strip()


@cache
def api_with_package_routes() -> Blueprint:
    """Return the API blueprint with the packages' operations added (once: before registering)."""
    for part in load_web_parts():
        for route in part.api_routes:
            method = route.method.upper()
            # The document promises an Idempotency-Key on every POST and DELETE, so the
            # package's write views get it here rather than by remembering a decorator.
            view = idempotent(route.view) if method in IDEMPOTENT_METHODS else route.view
            api_blueprint.add_url_rule(
                route.rule, endpoint=route.view.__name__, view_func=view, methods=[method]
            )
    return api_blueprint


from sote_flow.web.api import user_views, views  # noqa: E402,F401  (registers the routes)
