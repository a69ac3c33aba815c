"""API routes for administering users and groups (administrators; an auditor may read)."""

from __future__ import annotations

from flask import jsonify, request
from werkzeug.wrappers import Response

from sote_flow.services import user_admin
from sote_flow.services.admin_access import require_user_admin
from sote_flow.web.api import api_blueprint
from sote_flow.web.api import schemas as s
from sote_flow.web.api.idempotency import idempotent, write_unit_of_work
from sote_flow.web.api.views import load_body
from sote_flow.web.args import page_number
from sote_flow.web.deps import actor, clock, unit_of_work


@api_blueprint.get("/users")
def list_users() -> Response:
    """A page of users; `search` matches part of a username or name."""
    query = request.args.get("search", "")
    with unit_of_work() as uow:
        found = user_admin.list_users(actor(), uow, query, page_number(request.args.get("page")))
    return jsonify(s.UserPageOut().dump(found))


@api_blueprint.post("/users")
@idempotent
def create_user() -> tuple[Response, int]:
    """Create a local account with roles, groups and a one-time password."""
    require_user_admin(actor())  # before the body: a reader learns nothing from a 422
    body = load_body(s.UserCreateIn(), request.get_json(silent=True))
    with write_unit_of_work() as uow:
        row = user_admin.create_local_user(actor(), uow, clock(), **body)
    return jsonify(s.UserOut().dump(row)), 201


@api_blueprint.post("/users/<username>/disable")
@idempotent
def disable_user(username: str) -> Response:
    """Disable a user at once; answers with the open cases to reassign."""
    with write_unit_of_work() as uow:
        done = user_admin.disable_user(actor(), uow, clock(), username)
    return jsonify(s.DisabledOut().dump(done))


@api_blueprint.post("/users/<username>/enable")
@idempotent
def enable_user(username: str) -> Response:
    """Let a disabled user sign in again."""
    with write_unit_of_work() as uow:
        row = user_admin.enable_user(actor(), uow, clock(), username)
    return jsonify(s.UserOut().dump(row))


@api_blueprint.put("/users/<username>/access")
def set_access(username: str) -> Response:
    """Give a user exactly these roles and groups (a repeat changes nothing more)."""
    require_user_admin(actor())
    body = load_body(s.UserAccessIn(), request.get_json(silent=True))
    with unit_of_work() as uow:
        row = user_admin.set_roles_and_groups(
            actor(), uow, clock(), username, body["roles"], body["groups"]
        )
    return jsonify(s.UserOut().dump(row))


@api_blueprint.get("/groups")
def list_groups() -> Response:
    """Every group with its names, members and the process versions naming it."""
    with unit_of_work() as uow:
        groups = user_admin.list_groups(actor(), uow)
    return jsonify(s.GroupOut(many=True).dump(groups))


@api_blueprint.post("/groups")
@idempotent
def create_group() -> tuple[Response, int]:
    """Create a group (its key is what diagrams' lanes name)."""
    require_user_admin(actor())
    body = load_body(s.GroupCreateIn(), request.get_json(silent=True))
    with write_unit_of_work() as uow:
        user_admin.create_group(
            actor(), uow, clock(), body["name"], body["display_name"],
            body["display_name_sv"], body["display_name_en"],
        )  # fmt: skip
        groups = user_admin.list_groups(actor(), uow)
    created = next(group for group in groups if group.name == body["name"].strip())
    return jsonify(s.GroupOut().dump(created)), 201
