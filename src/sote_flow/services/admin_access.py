"""Who may administer users and groups, and the field checks their forms share."""

from __future__ import annotations

import re

from sote_flow.domain.errors import FieldError, PermissionDenied
from sote_flow.domain.roles import Role
from sote_flow.domain.text import t
from sote_flow.services.actors import Actor, require_writer

ADMIN_ONLY = t("Vain pääkäyttäjä voi hallita käyttäjiä ja ryhmiä.")
READERS_ONLY = t("Käyttäjiä ja ryhmiä voivat katsoa vain pääkäyttäjä ja tarkastaja.")
GROUP_KEY = re.compile(r"[a-z][a-z0-9_]{1,79}")
PAGE_SIZE = 50


def require_user_admin(actor: Actor) -> None:
    """Refuse anyone but an administrator (an auditor reads, but changes nothing)."""
    require_writer(actor)
    if Role.ADMINISTRATOR not in actor.roles:
        raise PermissionDenied(ADMIN_ONLY)


def require_user_reader(actor: Actor) -> None:
    """Refuse anyone but an administrator or an auditor."""
    if not actor.has_role(Role.ADMINISTRATOR, Role.AUDITOR):
        raise PermissionDenied(READERS_ONLY)


def required_text(errors: list[FieldError], field: str, value: str, limit: int, label: str) -> str:
    """Return `value` stripped; note an error when it is empty or longer than `limit`."""
    value = value.strip()
    if not value:
        errors.append(FieldError(field, t("Anna {label}.", label=label)))
    elif len(value) > limit:
        errors.append(FieldError(field, t("Enintään {limit} merkkiä.", limit=limit)))
    return value


def optional_text(
    errors: list[FieldError], field: str, value: str | None, limit: int
) -> str | None:
    """Return `value` stripped, or None when empty; note an error when it is too long."""
    value = (value or "").strip()
    if len(value) > limit:
        errors.append(FieldError(field, t("Enintään {limit} merkkiä.", limit=limit)))
    return value or None
