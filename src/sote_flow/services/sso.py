"""Staff single sign-on: an identity provider's claims become a user, roles, groups and a session.

The provider is the source of truth for access: at every sign-in the user's roles and groups are
set from the mapped claim values, so a group removed there takes its access away at the next
sign-in here. A single sign-on user is found by (issuer, subject), never by username, so a
provider account can never take over a local account of the same name.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import AuthenticationFailed
from sote_flow.domain.roles import Role, parse_roles
from sote_flow.domain.text import t
from sote_flow.persistence.identity_repository import user_by_identity
from sote_flow.persistence.models import User, UserRole
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.accounts import ensure_group, start_session
from sote_flow.services.actors import Actor, actor_from_user

NO_PASSWORD = "!"  # no password verifies against this: the account signs in only through SSO
ACCOUNT_DISABLED = t("Käyttäjätunnuksesi on poistettu käytöstä. Ota yhteyttä pääkäyttäjään.")
NO_SUBJECT = t("Tunnistuspalvelu ei kertonut käyttäjän tunnistetta. Kirjautuminen keskeytettiin.")
USERNAME_LENGTH = 80
GROUP_NAME_LENGTH = 80


class AccountDisabled(AuthenticationFailed):
    """The provider vouched for a user whom an administrator has disabled here."""


@dataclass(frozen=True)
class Access:
    """The roles and groups one claim value (or a whole sign-in) gives."""

    roles: frozenset[Role] = frozenset()
    groups: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ClaimMap:
    """Which claim carries the user's provider groups, and what each of its values gives here."""

    claim: str
    entries: Mapping[str, Access]

    def access_for(self, claims: Mapping[str, Any]) -> Access:
        """Return the union of the access every mapped value of the claim gives."""
        values = claims.get(self.claim)
        # Providers send one value as a string, several as a list (Entra ID: group object ids).
        listed = [values] if isinstance(values, str) else values
        roles: set[Role] = set()
        groups: set[str] = set()
        for value in listed if isinstance(listed, list) else []:
            access = self.entries.get(value) if isinstance(value, str) else None
            if access is not None:
                roles |= access.roles
                groups |= access.groups
        return Access(frozenset(roles), frozenset(groups))

    @classmethod
    def from_json(cls, data: Any, source: str = "claim map") -> ClaimMap:
        """Validate parsed JSON; raise ValueError saying what is wrong and where."""
        if not isinstance(data, dict) or set(data) - {"claim", "map"}:
            raise ValueError(f"{source}: expected an object with the keys 'claim' and 'map'")
        claim, mapping = data.get("claim"), data.get("map")
        if not isinstance(claim, str) or not claim.strip():
            raise ValueError(f"{source}: 'claim' must name a claim, e.g. \"groups\"")
        if not isinstance(mapping, dict):
            raise ValueError(f"{source}: 'map' must be an object from claim value to access")
        return cls(claim.strip(), {k: _entry(source, k, v) for k, v in mapping.items()})


def _entry(source: str, value: str, entry: Any) -> Access:
    where = f"{source}: map[{value!r}]"
    if not isinstance(entry, dict) or set(entry) - {"roles", "groups"}:
        raise ValueError(f"{where} must be an object with 'roles' and/or 'groups'")
    roles, groups = entry.get("roles", []), entry.get("groups", [])
    for name, items in (("roles", roles), ("groups", groups)):
        if not isinstance(items, list) or not all(isinstance(i, str) and i for i in items):
            raise ValueError(f"{where}.{name} must be a list of names")
    if any(len(group) > GROUP_NAME_LENGTH for group in groups):
        raise ValueError(f"{where}.groups: a group name is longer than {GROUP_NAME_LENGTH}")
    try:
        role_set = parse_roles(tuple(roles))
    except ValueError as exc:
        raise ValueError(f"{where}.roles: {exc}") from None
    return Access(role_set, frozenset(groups))


def load_claim_map(path: str | Path) -> ClaimMap:
    """Read and validate the claim map file; raise ValueError naming the file on any problem."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"SOTE_FLOW_OIDC_CLAIM_MAP {path}: {exc}") from None
    return ClaimMap.from_json(data, f"SOTE_FLOW_OIDC_CLAIM_MAP {path}")


def sign_in_with_claims(
    uow: UnitOfWork,
    clock: Clock,
    issuer: str,
    claims: Mapping[str, Any],
    claim_map: ClaimMap,
    address: str,
    *,
    username_claim: str = "preferred_username",
) -> tuple[Actor, str]:
    """Sign in the user the validated claims name (creating it on first sign-in), bring its
    profile, roles and groups up to date, and start a session; return the actor and the
    session's secret (only its hash is stored). A disabled user gets AccountDisabled."""
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise AuthenticationFailed(NO_SUBJECT)
    now = clock()
    user = user_by_identity(uow, issuer, subject)
    if user is None:
        user = _create_user(uow, now, issuer, subject, claims, username_claim)
    elif not user.active or user.disabled_at is not None:
        uow.history.append(
            at=now,
            actor=user.username,
            action="sso_login_refused",
            data={"user": user.username, "reason": "disabled", "address": address},
        )
        uow.commit()
        raise AccountDisabled(ACCOUNT_DISABLED)
    _update_profile(user, claims)
    _apply_access(uow, now, user, claim_map.access_for(claims))
    user.last_login_at = now
    uow.history.append(
        at=now,
        actor=user.username,
        action="sso_login",
        data={"user": user.username, "issuer": issuer, "address": address},
    )
    token = start_session(uow, lambda: now, user.id)
    uow.commit()
    return actor_from_user(user), token


def _create_user(
    uow: UnitOfWork,
    now: datetime,
    issuer: str,
    subject: str,
    claims: Mapping[str, Any],
    username_claim: str,
) -> User:
    username = _free_username(uow, _text(claims.get(username_claim)) or subject)
    user = User(
        username=username,
        display_name=username,
        password_hash=NO_PASSWORD,
        created_at=now,
        identity_issuer=issuer,
        identity_subject=subject,
    )
    user.roles, user.groups = [], []
    uow.users.add(user)
    uow.session.flush()  # the session row below needs the user's id
    uow.history.append(
        at=now,
        actor=username,
        action="sso_user_created",
        data={"user": username, "issuer": issuer, "subject": subject},
    )
    return user


def _free_username(uow: UnitOfWork, wanted: str) -> str:
    # A name already taken (a local account above all) gets a numbered variant: the provider's
    # account must never sign in as somebody else.
    base = wanted[: USERNAME_LENGTH - 6]
    candidate = base
    for number in range(2, 1000):
        if uow.users.by_username(candidate) is None:
            return candidate
        candidate = f"{base}-{number}"
    return f"{base[:60]}-{secrets.token_hex(6)}"


def _update_profile(user: User, claims: Mapping[str, Any]) -> None:
    user.display_name = (_text(claims.get("name")) or user.display_name)[:200]
    email = _text(claims.get("email"))
    if email:
        user.email = email[:254]


def _apply_access(uow: UnitOfWork, now: datetime, user: User, access: Access) -> None:
    before_roles = sorted(r.role for r in user.roles)
    after_roles = sorted(r.value for r in access.roles)
    if before_roles != after_roles:
        # Keep the rows of roles that stay: re-adding one would clash with its own primary key.
        kept = [r for r in user.roles if r.role in after_roles]
        added = [UserRole(role=r) for r in after_roles if r not in before_roles]
        user.roles = kept + added
        _access_changed(uow, now, user, "roles", before_roles, after_roles)
    before_groups = sorted(g.name for g in user.groups)
    after_groups = sorted(access.groups)
    if before_groups != after_groups:
        kept_groups = [g for g in user.groups if g.name in access.groups]
        new_groups = [ensure_group(uow, n) for n in after_groups if n not in before_groups]
        user.groups = kept_groups + new_groups
        _access_changed(uow, now, user, "groups", before_groups, after_groups)


def _access_changed(
    uow: UnitOfWork, now: datetime, user: User, what: str, before: list[str], after: list[str]
) -> None:
    uow.history.append(
        at=now,
        actor=user.username,
        action="sso_access_changed",
        data={"user": user.username, "what": what, "before": before, "after": after},
    )


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
