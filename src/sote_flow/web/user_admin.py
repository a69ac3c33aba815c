"""Administrators: users (roles, groups, disabling, passwords), groups and sign-in methods."""

from __future__ import annotations

import re
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from sote_flow.domain.errors import InvalidInput
from sote_flow.domain.roles import ROLE_LABELS_FI, Role
from sote_flow.services import user_admin as service
from sote_flow.services.system_settings import local_login_enabled, set_local_login
from sote_flow.web.args import page_number
from sote_flow.web.blueprints import protected_blueprint
from sote_flow.web.deps import actor, clock, unit_of_work

user_admin_blueprint = protected_blueprint("user_admin", __name__, url_prefix="/admin")
NEW_USER_FIELDS = ("username", "display_name", "email")
GROUP_FIELDS = ("name", "fi", "sv", "en")
Page = tuple[str, int]


@user_admin_blueprint.get("/users")
def users() -> str:
    """List users (with search) and, for an administrator, a form to add one."""
    return _users_page(None, {}, 200)[0]


@user_admin_blueprint.post("/users")
def create_user() -> Response | Page:
    """Create a local account."""
    form = {name: request.form.get(name, "") for name in NEW_USER_FIELDS}
    try:
        with unit_of_work() as uow:
            row = service.create_local_user(
                actor(), uow, clock(), username=form["username"],
                display_name=form["display_name"], email=form["email"] or None,
                roles=request.form.getlist("roles"), groups=request.form.getlist("groups"),
                password=request.form.get("password", ""),
            )  # fmt: skip
    except InvalidInput as error:
        return _users_page(error, form, 422)
    flash(_("Käyttäjä %(name)s lisätty.", name=row.username), "success")
    return redirect(url_for("user_admin.user", username=row.username))


@user_admin_blueprint.post("/local-login")
def local_login() -> Response:
    """Allow or refuse local (password) sign-in."""
    enabled = request.form.get("enabled") == "on"
    with unit_of_work() as uow:
        set_local_login(actor(), uow, clock(), enabled)
    message = (
        _("Paikallinen kirjautuminen sallittu.")
        if enabled
        else _("Paikallinen kirjautuminen estetty.")
    )
    flash(message, "success")
    return redirect(url_for("user_admin.users"))


@user_admin_blueprint.get("/users/<username>")
def user(username: str) -> str:
    """One user: roles and groups, disabling and enabling, a password reset."""
    return _user_page(username, None, None, 200)[0]


@user_admin_blueprint.post("/users/<username>/access")
def set_access(username: str) -> Response | Page:
    """Give the user exactly the roles and groups checked."""
    try:
        with unit_of_work() as uow:
            service.set_roles_and_groups(
                actor(), uow, clock(), username,
                request.form.getlist("roles"), request.form.getlist("groups"),
            )  # fmt: skip
    except InvalidInput as error:
        return _user_page(username, error, None, 422)
    flash(_("Roolit ja ryhmät tallennettu."), "success")
    return redirect(url_for("user_admin.user", username=username))


@user_admin_blueprint.post("/users/<username>/disable")
def disable(username: str) -> Page:
    """Disable the user at once; the page then lists their open cases to reassign."""
    with unit_of_work() as uow:
        done = service.disable_user(actor(), uow, clock(), username)
    flash(
        _(
            "Käyttäjä poistettu käytöstä: %(sessions)s istuntoa päätetty, %(tokens)s "
            "API-tunnistetta peruttu, %(tasks)s tehtävää palautettu ryhmän jonoon.",
            sessions=done.sessions_ended, tokens=done.tokens_revoked, tasks=done.tasks_returned,
        ),
        "success",
    )  # fmt: skip
    return _user_page(username, None, done, 200)


@user_admin_blueprint.post("/users/<username>/enable")
def enable(username: str) -> Response:
    """Let a disabled user sign in again."""
    with unit_of_work() as uow:
        service.enable_user(actor(), uow, clock(), username)
    flash(_("Käyttäjä otettu taas käyttöön."), "success")
    return redirect(url_for("user_admin.user", username=username))


@user_admin_blueprint.post("/users/<username>/password")
def reset_password(username: str) -> Response | Page:
    """Set a one-time password the administrator gives the user; their sessions end."""
    try:
        with unit_of_work() as uow:
            service.reset_password(
                actor(), uow, clock(), username, request.form.get("password", "")
            )
    except InvalidInput as error:
        return _user_page(username, error, None, 422)
    flash(_("Salasana vaihdettu ja käyttäjän istunnot päätetty."), "success")
    return redirect(url_for("user_admin.user", username=username))


@user_admin_blueprint.get("/groups")
def groups() -> str:
    """List groups with their names, members and uses; forms to add and change them."""
    return _groups_page(None, {}, None, 200)[0]


@user_admin_blueprint.post("/groups")
def create_group() -> Response | Page:
    """Add a group."""
    form = {name: request.form.get(name, "") for name in GROUP_FIELDS}
    try:
        with unit_of_work() as uow:
            service.create_group(actor(), uow, clock(), form["name"], form["fi"],
                                 form["sv"], form["en"])  # fmt: skip
    except InvalidInput as error:
        return _groups_page(error, form, None, 422)
    flash(_("Ryhmä %(name)s lisätty.", name=form["name"].strip()), "success")
    return redirect(url_for("user_admin.groups"))


@user_admin_blueprint.post("/groups/<name>/rename")
def rename_group(name: str) -> Response | Page:
    """Change a group's names (its key stays)."""
    form = {field: request.form.get(field, "") for field in GROUP_FIELDS[1:]}
    try:
        with unit_of_work() as uow:
            service.rename_group(actor(), uow, clock(), name, form["fi"], form["sv"], form["en"])
    except InvalidInput as error:
        return _groups_page(error, form, name, 422)
    flash(_("Ryhmän nimet tallennettu."), "success")
    return redirect(url_for("user_admin.groups"))


@user_admin_blueprint.post("/groups/<name>/members")
def set_members(name: str) -> Response | Page:
    """Make the checked users the group's members."""
    try:
        with unit_of_work() as uow:
            service.set_members(actor(), uow, clock(), name, _usernames())
    except InvalidInput as error:
        return _groups_page(error, {}, name, 422)
    flash(_("Ryhmän jäsenet tallennettu."), "success")
    return redirect(url_for("user_admin.groups"))


def _errors(error: InvalidInput | None) -> dict[str, str]:
    return {e.field: e.message for e in error.errors} if error else {}


def _may_edit() -> bool:
    return not actor().read_only and actor().has_role(Role.ADMINISTRATOR)


def _users_page(error: InvalidInput | None, submitted: dict[str, Any], status: int) -> Page:
    query = request.args.get("q", "")
    with unit_of_work() as uow:
        found = service.list_users(actor(), uow, query, page_number(request.args.get("page")))
        groups = service.list_groups(actor(), uow)
        local = local_login_enabled(uow)
    html = render_template(
        "admin_users.html", page=found, group_options=_options(groups), roles=_roles(),
        local_login=local, errors=_errors(error), submitted=submitted, may_edit=_may_edit(),
        checked_roles=request.form.getlist("roles"), checked_groups=request.form.getlist("groups"),
    )  # fmt: skip
    return html, status


def _user_page(
    username: str, error: InvalidInput | None, disabled: service.Disabled | None, status: int
) -> Page:
    with unit_of_work() as uow:
        detail = service.user_detail(actor(), uow, username)
        groups = service.list_groups(actor(), uow)
    html = render_template(
        "admin_user.html", detail=detail, group_options=_options(groups), roles=_roles(),
        errors=_errors(error), disabled=disabled, may_edit=_may_edit(),
        checked_roles=request.form.getlist("roles") if error else detail.user.roles,
        checked_groups=request.form.getlist("groups") if error else detail.user.groups,
    )  # fmt: skip
    return html, status


def _groups_page(
    error: InvalidInput | None, submitted: dict[str, Any], editing: str | None, status: int
) -> Page:
    with unit_of_work() as uow:
        groups = service.list_groups(actor(), uow)
    html = render_template(
        "admin_groups.html", groups=groups, errors=_errors(error),
        submitted=submitted, editing=editing, may_edit=_may_edit(),
        members=request.form.get("members", ""),
    )  # fmt: skip
    return html, status


def _usernames() -> list[str]:
    # One username a line (commas and spaces separate too): a long list stays easy to edit.
    return [name for name in re.split(r"[\s,]+", request.form.get("members", "")) if name]


def _options(groups: list[service.GroupRow]) -> list[tuple[str, str]]:
    return [(group.name, f"{group.display_name} ({group.name})") for group in groups]


def _roles() -> list[tuple[str, str]]:
    return [(role.value, ROLE_LABELS_FI[role]) for role in Role]
