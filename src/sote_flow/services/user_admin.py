"""Users for the administrator: list, create, roles and groups, disable, enable, passwords.

Every change goes to the history with who made it and the values before and after (never a
password). An auditor reads the lists; only an administrator changes anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import Conflict, FieldError, InvalidInput, NotFound
from sote_flow.domain.roles import Role
from sote_flow.domain.text import t
from sote_flow.persistence.models import User, UserRole
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.accounts import hash_password
from sote_flow.services.actors import Actor
from sote_flow.services.admin_access import (
    PAGE_SIZE,
    optional_text,
    require_user_admin,
    require_user_reader,
    required_text,
)
from sote_flow.services.group_admin import (
    GroupRow,
    GroupUse,
    create_group,
    list_groups,
    rename_group,
    set_members,
)
from sote_flow.services.password_policy import password_problems

__all__ = [
    "Disabled",
    "GroupRow",
    "GroupUse",
    "OpenCase",
    "UserDetail",
    "UserPage",
    "UserRow",
    "create_group",
    "create_local_user",
    "disable_user",
    "enable_user",
    "list_groups",
    "list_users",
    "rename_group",
    "reset_password",
    "set_members",
    "set_roles_and_groups",
    "user_detail",
]

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,79}")
NO_USER = t("Käyttäjää ei ole.")
SSO_PASSWORD = "!"  # no password verifies against it: the account signs in only through SSO


@dataclass(frozen=True)
class UserRow:
    """A user as the administrator's list shows them."""

    username: str
    display_name: str
    email: str | None
    roles: tuple[str, ...]
    groups: tuple[str, ...]
    local: bool
    active: bool
    last_login_at: datetime | None
    disabled_at: datetime | None


@dataclass(frozen=True)
class UserPage:
    """One page of the user list, with the total for paging."""

    users: tuple[UserRow, ...]
    total: int
    page: int
    page_size: int
    query: str


@dataclass(frozen=True)
class OpenCase:
    """An open case where a task was the user's: the manager reassigns it."""

    instance_id: int
    process_key: str
    process_name: str
    tasks: tuple[str, ...]
    has_group: bool  # False: a task was the user's by name, so no queue shows it now


@dataclass(frozen=True)
class UserDetail:
    """One user, with the open cases where a task is theirs."""

    user: UserRow
    open_cases: tuple[OpenCase, ...]


@dataclass(frozen=True)
class Disabled:
    """What disabling a user ended at once, and the cases left for the manager to reassign."""

    user: UserRow
    sessions_ended: int
    tokens_revoked: int
    tasks_returned: int
    open_cases: tuple[OpenCase, ...]


def list_users(actor: Actor, uow: UnitOfWork, query: str = "", page: int = 1) -> UserPage:
    """Return a page of users whose username or name contains `query`, by username."""
    require_user_reader(actor)
    query = query.strip()[:200]
    page = max(page, 1)
    users = uow.user_admin.search(query, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    rows = tuple(_row(user) for user in users)
    return UserPage(rows, uow.user_admin.count(query), page, PAGE_SIZE, query)


def user_detail(actor: Actor, uow: UnitOfWork, username: str) -> UserDetail:
    """Return one user with the open cases where a task is theirs."""
    require_user_reader(actor)
    user = _user(uow, username)
    return UserDetail(_row(user), _open_cases(uow, uow.user_admin.tasks_of(user.id)))


def create_local_user(
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    *,
    username: str,
    display_name: str,
    email: str | None,
    roles: Iterable[str],
    groups: Iterable[str],
    password: str,
) -> UserRow:
    """Create a local (password) account with roles and existing groups."""
    require_user_admin(actor)
    errors: list[FieldError] = []
    username = username.strip()
    if not USERNAME.fullmatch(username):
        errors.append(FieldError("username", _USERNAME_RULE))
    elif uow.users.by_username(username) is not None:
        errors.append(
            FieldError(
                "username", t("Käyttäjätunnus {username} on jo käytössä.", username=username)
            )
        )
    display_name = required_text(errors, "display_name", display_name, 200, t("nimi"))
    email = _email(errors, email)
    role_values = _roles(errors, roles)
    group_rows = _groups(errors, uow, groups)
    errors.extend(password_problems(password, "password", (username, display_name, email or "")))
    if errors:
        raise InvalidInput(errors)
    user = User(
        username=username,
        display_name=display_name,
        email=email,
        password_hash=hash_password(password),
        created_at=clock(),
    )
    user.roles = [UserRole(role=role) for role in role_values]
    user.groups = group_rows
    uow.users.add(user)
    _log(uow, clock, actor, "user_created", {"user": username, "after": _access(user)})
    uow.commit()
    return _row(user)


def set_roles_and_groups(
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    username: str,
    roles: Iterable[str],
    groups: Iterable[str],
) -> UserRow:
    """Give a user exactly these roles and groups."""
    require_user_admin(actor)
    user = _user(uow, username)
    errors: list[FieldError] = []
    role_values = _roles(errors, roles)
    group_rows = _groups(errors, uow, groups)
    if user.id == actor.user_id and Role.ADMINISTRATOR.value not in role_values:
        errors.append(FieldError("roles", t("Et voi poistaa omaa pääkäyttäjän rooliasi.")))
    if errors:
        raise InvalidInput(errors)
    before = _access(user)
    kept = {r.role: r for r in user.roles}
    user.roles = [kept.get(role) or UserRole(role=role) for role in role_values]
    user.groups = group_rows
    data = {"user": user.username, "before": before, "after": _access(user)}
    _log(uow, clock, actor, "user_access_changed", data)
    uow.commit()
    return _row(user)


def disable_user(actor: Actor, uow: UnitOfWork, clock: Clock, username: str) -> Disabled:
    """Disable a user at once: sessions end, API tokens are revoked and the user's tasks go
    back to their group queues; the open cases are returned for the manager to reassign."""
    require_user_admin(actor)
    user = _user(uow, username)
    if user.id == actor.user_id:
        raise Conflict(t("Et voi poistaa omaa tunnustasi käytöstä."))
    now = clock()
    was_active = user.active
    if was_active:
        user.active, user.disabled_at = False, now
    sessions, tokens = _end_access(uow, actor, user, now, "disabled")
    tasks = list(uow.user_admin.tasks_of(user.id))
    for task in tasks:
        # The instance's row lock first, as every change to an instance's tasks takes it.
        uow.instances.get_for_update_by_task(task.id)
        if uow.tasks.set_assignee_if(task.id, user.id, None):
            uow.history.append(
                at=now, actor=actor.username, action="task_returned_to_queue",
                instance_id=task.instance_id, task_id=task.id, task_name=task.element_id,
                data={"title": task.title, "from": user.username, "group": task.group_name},
            )  # fmt: skip
    cases = _open_cases(uow, tasks)
    data = {"user": user.username, "before": {"active": was_active}, "after": {"active": False},
            "sessions_ended": sessions, "tokens_revoked": tokens, "tasks_returned": len(tasks),
            "open_cases": [case.instance_id for case in cases]}  # fmt: skip
    _log(uow, clock, actor, "user_disabled", data)
    uow.commit()
    return Disabled(_row(user), sessions, tokens, len(tasks), cases)


def enable_user(actor: Actor, uow: UnitOfWork, clock: Clock, username: str) -> UserRow:
    """Allow a disabled user to sign in again."""
    require_user_admin(actor)
    user = _user(uow, username)
    data = {"user": user.username, "before": {"active": user.active}, "after": {"active": True}}
    user.active, user.disabled_at = True, None
    _log(uow, clock, actor, "user_enabled", data)
    uow.commit()
    return _row(user)


def reset_password(
    actor: Actor, uow: UnitOfWork, clock: Clock, username: str, new_password: str
) -> UserRow:
    """Set a local account's password to one the administrator gives the user; the user's
    sessions end and API tokens are revoked."""
    require_user_admin(actor)
    user = _user(uow, username)
    if not _is_local(user):
        message = t("Kertakirjautumisen tunnuksella ei ole salasanaa: se vaihdetaan palvelussa.")
        raise InvalidInput([FieldError("password", message)])
    inputs = (user.username, user.display_name, user.email or "")
    problems = password_problems(new_password, "password", inputs)
    if problems:
        raise InvalidInput(problems)
    now = clock()
    user.password_hash = hash_password(new_password)
    sessions, tokens = _end_access(uow, actor, user, now, "password_reset")
    data = {"user": user.username, "sessions_ended": sessions, "tokens_revoked": tokens}
    _log(uow, clock, actor, "user_password_reset", data)
    uow.commit()
    return _row(user)


_USERNAME_RULE = t(
    "Käyttäjätunnuksessa on 2–80 merkkiä: pieniä kirjaimia a–z, numeroita sekä . _ -, "
    "ensimmäisenä kirjain tai numero."
)


def _user(uow: UnitOfWork, username: str) -> User:
    user = uow.users.by_username(username)
    if user is None:
        raise NotFound(NO_USER)
    return user


def _is_local(user: User) -> bool:
    return user.identity_issuer is None and user.password_hash != SSO_PASSWORD


def _row(user: User) -> UserRow:
    return UserRow(
        username=user.username,
        display_name=user.display_name,
        email=user.email,
        roles=tuple(sorted(r.role for r in user.roles)),
        groups=tuple(sorted(g.name for g in user.groups)),
        local=_is_local(user),
        active=user.active,
        last_login_at=user.last_login_at,
        disabled_at=user.disabled_at,
    )


def _access(user: User) -> dict[str, Any]:
    return {
        "roles": sorted(r.role for r in user.roles),
        "groups": sorted(g.name for g in user.groups),
    }


def _email(errors: list[FieldError], email: str | None) -> str | None:
    value = optional_text(errors, "email", email, 254)
    if value and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
        errors.append(FieldError("email", t("Sähköpostiosoite ei ole kelvollinen.")))
    return value


def _roles(errors: list[FieldError], roles: Iterable[str]) -> list[str]:
    wanted = sorted({role.strip() for role in roles if role.strip()})
    unknown = [role for role in wanted if role not in {r.value for r in Role}]
    if unknown:
        errors.append(
            FieldError("roles", t("Tuntematon rooli: {roles}.", roles=", ".join(unknown)))
        )
    return [role for role in wanted if role not in unknown]


def _groups(errors: list[FieldError], uow: UnitOfWork, names: Iterable[str]) -> list[Any]:
    wanted = sorted({name.strip() for name in names if name.strip()})
    found = {group.name: group for group in uow.users.groups()}
    unknown = [name for name in wanted if name not in found]
    if unknown:
        message = t("Ryhmää ei ole: {names}. Lisää ryhmä sivulla Ryhmät.", names=", ".join(unknown))
        errors.append(FieldError("groups", message))
    return [found[name] for name in wanted if name in found]


def _end_access(
    uow: UnitOfWork, actor: Actor, user: User, now: datetime, via: str
) -> tuple[int, int]:
    sessions = uow.staff_sessions.live_for_user(user.id)
    for record in sessions:
        record.ended_at = now
    tokens = uow.staff_sessions.live_api_tokens(user.id, now)
    for token in tokens:
        # A revoked token simply expires now: every check already refuses an expired one.
        token.expires_at = now
        data = {"token_id": token.id, "user_id": user.id, "via": via}
        uow.history.append(at=now, actor=actor.username, action="api_token_revoked", data=data)
    return len(sessions), len(tokens)


def _open_cases(uow: UnitOfWork, tasks: Sequence[Any]) -> tuple[OpenCase, ...]:
    by_instance: dict[int, list[Any]] = {}
    for task in tasks:
        by_instance.setdefault(task.instance_id, []).append(task)
    return tuple(
        OpenCase(
            instance_id=instance.id,
            process_key=instance.process_key,
            process_name=instance.process_version.name,
            tasks=tuple(task.title for task in by_instance[instance.id]),
            has_group=all(task.group_name for task in by_instance[instance.id]),
        )
        for instance in uow.user_admin.instances(by_instance)
        if instance.status != "completed"
    )


def _log(uow: UnitOfWork, clock: Clock, actor: Actor, action: str, data: dict[str, Any]) -> None:
    uow.history.append(at=clock(), actor=actor.username, action=action, data=data)
