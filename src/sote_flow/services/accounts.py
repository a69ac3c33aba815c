"""Local accounts: users, groups, password checks, API tokens and password changes."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import (
    AuthenticationFailed,
    Conflict,
    FieldError,
    InvalidInput,
    NotFound,
    TooManyAttempts,
)
from sote_flow.domain.roles import Role, parse_roles
from sote_flow.domain.text import t
from sote_flow.persistence.account_models import StaffSession
from sote_flow.persistence.models import ApiToken, Group, User, UserRole
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor, actor_from_user
from sote_flow.services.password_policy import password_problems

# OWASP's password-storage recommendation for argon2id (19 MiB, 2 passes, 1 lane): one check
# takes tens of milliseconds, not the ~1 s the library's default (64 MiB, 3 passes, 4 lanes)
# takes on a busy 2-core server for every sign-in. Older hashes verify with their own
# parameters and are re-hashed at the next successful sign-in.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
LOGIN_FAILED = t("Väärä käyttäjätunnus tai salasana.")
LOCKED_OUT = t("Liian monta epäonnistunutta kirjautumista. Yritä uudelleen 15 minuutin kuluttua.")
LOCKOUT_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
SESSION_TOUCH_INTERVAL = timedelta(minutes=1)
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024  # hashing megabytes on request would be a cheap denial of service
TOKEN_REFUSED = t("Tunniste puuttuu, se on vanhentunut tai peruttu, tai se on virheellinen.")


def use_password_hasher(hasher: PasswordHasher) -> None:
    """Hash new passwords with `hasher` (a stored hash keeps verifying with its own parameters)."""
    global _hasher
    _hasher = hasher


def hash_password(password: str) -> str:
    """Return the stored form (an argon2 hash) of a new password."""
    return _hasher.hash(password)


def create_user(
    uow: UnitOfWork,
    clock: Clock,
    *,
    username: str,
    password: str,
    display_name: str | None = None,
    roles: Iterable[str] = (),
    groups: Iterable[str] = (),
    email: str | None = None,
) -> User:
    """Create a user with roles and groups (groups are created as needed); an admin/CLI use case."""
    role_set = parse_roles(tuple(roles))
    if uow.users.by_username(username) is not None:
        raise Conflict(t("Käyttäjätunnus {username!r} on jo käytössä.", username=username))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    user = User(
        username=username,
        display_name=display_name or username,
        email=email,
        password_hash=_hasher.hash(password),
        created_at=clock(),
    )
    user.roles = [UserRole(role=role.value) for role in sorted(role_set)]
    user.groups = [ensure_group(uow, name) for name in dict.fromkeys(groups)]
    uow.users.add(user)
    uow.commit()
    return user


def ensure_group(uow: UnitOfWork, name: str, display_name: str | None = None) -> Group:
    """Return the group called `name`, staging it first if it does not exist."""
    group = uow.users.group(name)
    if group is None:
        group = Group(name=name, display_name=display_name or name)
        uow.users.add_group(group)
    return group


def authenticate(
    uow: UnitOfWork, clock: Clock, username: str, password: str, address: str
) -> Actor:
    """Return the actor for valid credentials; raise AuthenticationFailed otherwise.

    Sign-ins are throttled per account and per address (TooManyAttempts), whatever the
    password; failures age out after LOCKOUT_WINDOW, and the one that locks an account is
    written to the history. A failure is committed here (it must outlive the refusal); a
    success commits nothing, so the caller's use case may go on in the same unit of work.
    """
    now = clock()
    since = now - LOCKOUT_WINDOW
    if (
        uow.logins.failures_since(since, username=username) >= MAX_FAILURES_PER_ACCOUNT
        or uow.logins.failures_since(since, address=address) >= MAX_FAILURES_PER_ADDRESS
    ):
        raise TooManyAttempts(LOCKED_OUT)
    user = uow.users.by_username(username)
    try:
        if user is None or not user.active:
            # Spend the same time as a real check so usernames cannot be probed by timing.
            _hasher.hash(password)
            raise AuthenticationFailed(LOGIN_FAILED)
        try:
            _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            raise AuthenticationFailed(LOGIN_FAILED) from None
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)  # committed with the sign-in
    except AuthenticationFailed:
        _record_failure(uow, now, username, address)
        raise
    return actor_from_user(user)


def _record_failure(uow: UnitOfWork, now: datetime, username: str, address: str) -> None:
    uow.logins.record_failure(username, address, now)
    failures = uow.logins.failures_since(now - LOCKOUT_WINDOW, username=username)
    if failures == MAX_FAILURES_PER_ACCOUNT:
        uow.history.append(
            at=now,
            actor=username[:80],
            action="login_locked",
            data={"address": address, "minutes": int(LOCKOUT_WINDOW.total_seconds() // 60)},
        )
    uow.commit()


def issue_token(uow: UnitOfWork, clock: Clock, actor: Actor, ttl_hours: int) -> str:
    """Create an API bearer token for the actor; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    now = clock()
    uow.users.add_token(
        ApiToken(
            user_id=actor.user_id,
            token_hash=_token_hash(token),
            created_at=now,
            expires_at=now + timedelta(hours=ttl_hours),
        )
    )
    uow.commit()
    return token


def actor_for_token(uow: UnitOfWork, clock: Clock, token: str) -> Actor:
    """Return the actor owning a valid bearer token; raise AuthenticationFailed otherwise."""
    member = uow.users.member_by_token_hash(_token_hash(token), clock())
    if member is None:
        raise AuthenticationFailed(TOKEN_REFUSED)
    roles = frozenset(Role(role) for role in member.roles)
    return Actor(member.user_id, member.username, member.display_name, roles, member.groups)


def actor_for_user_id(uow: UnitOfWork, user_id: int) -> Actor | None:
    """Return the actor for an active user id (a logged-in session), or None."""
    user = uow.users.get(user_id)
    if user is None or not user.active:
        return None
    return actor_from_user(user)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def sign_in(
    uow: UnitOfWork, clock: Clock, username: str, password: str, address: str
) -> tuple[Actor, str]:
    """Authenticate and start a signed-in session; returns the actor and the session's secret
    (only its hash is stored)."""
    actor = authenticate(uow, clock, username, password, address)
    token = start_session(uow, clock, actor.user_id)
    uow.commit()
    return actor, token


def start_session(uow: UnitOfWork, clock: Clock, user_id: int) -> str:
    """Stage a signed-in session for the user; return its secret (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    now = clock()
    uow.staff_sessions.add(
        StaffSession(
            user_id=user_id, token_hash=_token_hash(token), created_at=now, last_seen_at=now
        )
    )
    return token


def resume_session(
    uow: UnitOfWork, clock: Clock, user_id: int, token: str, idle: timedelta
) -> Actor | None:
    """Return the actor of a live session (and note it was used); None when it has ended,
    been idle longer than `idle`, or belongs to another or a disabled user."""
    record = uow.staff_sessions.by_token_hash(_token_hash(token))
    now = clock()
    if record is None or record.user_id != user_id or record.ended_at is not None:
        return None
    if now - record.last_seen_at > idle:
        record.ended_at = now
        uow.commit()
        return None
    actor = actor_for_user_id(uow, user_id)
    if actor is not None and now - record.last_seen_at > SESSION_TOUCH_INTERVAL:
        record.last_seen_at = now  # a write at most once a minute, not on every request
        uow.commit()
    return actor


def end_session(uow: UnitOfWork, clock: Clock, token: str) -> None:
    """End a signed-in session: its cookie no longer signs anyone in."""
    record = uow.staff_sessions.by_token_hash(_token_hash(token))
    if record is not None and record.ended_at is None:
        record.ended_at = clock()
        uow.commit()


# -- API tokens: seeing and revoking them -------------------------------------------------------
def list_api_tokens(actor: Actor, uow: UnitOfWork, clock: Clock) -> Sequence[ApiToken]:
    """Return the actor's own live API tokens, newest first (only their hashes are stored)."""
    return uow.staff_sessions.live_api_tokens(actor.user_id, clock())


def revoke_api_token(actor: Actor, uow: UnitOfWork, clock: Clock, token_id: int | None) -> None:
    """Revoke one of the actor's own live API tokens: it signs nobody in any more."""
    # One's own credentials, not client data: an auditor (read-only) may revoke theirs too.
    now = clock()
    record = uow.staff_sessions.api_token(token_id) if token_id is not None else None
    if record is None or record.user_id != actor.user_id or record.expires_at <= now:
        raise NotFound(t("Tunnistetta ei löytynyt, tai se on jo vanhentunut tai peruttu."))
    _revoke_tokens(uow, actor.username, [record], now, "account")
    uow.commit()


def revoke_bearer_token(actor: Actor, uow: UnitOfWork, clock: Clock, token: str) -> None:
    """Revoke the API token a request was made with (the API's own sign-out)."""
    now = clock()
    record = uow.staff_sessions.api_token_by_hash(_token_hash(token))
    if record is None or record.user_id != actor.user_id or record.expires_at <= now:
        raise AuthenticationFailed(TOKEN_REFUSED)
    _revoke_tokens(uow, actor.username, [record], now, "api")
    uow.commit()


def _revoke_tokens(
    uow: UnitOfWork, by: str, records: Sequence[ApiToken], now: datetime, via: str
) -> None:
    # A revoked token simply expires now: every check already refuses an expired one.
    for record in records:
        record.expires_at = now
        data = {"token_id": record.id, "user_id": record.user_id, "via": via}
        uow.history.append(at=now, actor=by, action="api_token_revoked", data=data)


# -- passwords ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PasswordChanged:
    """What a password change ended besides the password: other sessions and API tokens."""

    sessions_ended: int
    tokens_revoked: int


def change_password(
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    *,
    current: str,
    new: str,
    again: str,
    keep_session: str | None,
    address: str,
) -> PasswordChanged:
    """Change the actor's own password; every other session ends and every API token is
    revoked, so a saved cookie or token stops working. `keep_session` is the secret of the
    session making the change, which goes on. A wrong current password counts as a failed
    sign-in (so this form cannot be used to guess it) and raises InvalidInput. A read-only
    role (auditor) changes no data but keeps their own password like anyone."""
    now = clock()
    user = uow.users.get(actor.user_id)
    if user is None or not user.active:
        raise AuthenticationFailed(LOGIN_FAILED)
    errors = _new_password_problems(new, again, user.username, user.display_name)
    if new and new == current:
        errors.append(
            FieldError("new_password", t("Uusi salasana ei voi olla sama kuin nykyinen."))
        )
    since = now - LOCKOUT_WINDOW
    if uow.logins.failures_since(since, username=user.username) >= MAX_FAILURES_PER_ACCOUNT:
        raise InvalidInput([FieldError("current_password", LOCKED_OUT), *errors])
    if not current:
        errors.insert(0, FieldError("current_password", t("Anna nykyinen salasana.")))
    elif not _verifies(user.password_hash, current):
        _record_failure(uow, now, user.username, address)
        errors.insert(0, FieldError("current_password", t("Nykyinen salasana on väärä.")))
    if errors:
        raise InvalidInput(errors)
    changed = _replace_password(uow, actor.username, user, new, now, keep_session)
    uow.history.append(
        at=now,
        actor=actor.username,
        action="password_changed",
        data={"user": user.username, "sessions_ended": changed.sessions_ended,
              "tokens_revoked": changed.tokens_revoked},
    )  # fmt: skip
    uow.commit()
    return changed


def set_password(uow: UnitOfWork, clock: Clock, username: str, password: str) -> PasswordChanged:
    """Set a user's password (an administrator's CLI use case): all of the user's sessions end
    and all of their API tokens are revoked."""
    user = uow.users.by_username(username)
    if user is None:
        raise NotFound(t("Käyttäjää {username!r} ei ole.", username=username))
    problems = _new_password_problems(password, password, user.username, user.display_name)
    if problems:
        raise ValueError(problems[0].message)
    now = clock()
    changed = _replace_password(uow, "system", user, password, now, keep_session=None)
    uow.history.append(
        at=now,
        actor="system",
        action="password_set",
        data={"user": user.username, "sessions_ended": changed.sessions_ended,
              "tokens_revoked": changed.tokens_revoked},
    )  # fmt: skip
    uow.commit()
    return changed


def _new_password_problems(new: str, again: str, *names: str) -> list[FieldError]:
    problems = password_problems(new, "new_password", names)
    if problems:
        return problems
    if new != again:
        return [FieldError("new_password_again", t("Salasanat eivät ole samat."))]
    return []


def _verifies(password_hash: str, password: str) -> bool:
    if len(password) > MAX_PASSWORD_LENGTH:
        return False
    try:
        return bool(_hasher.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def _replace_password(
    uow: UnitOfWork, by: str, user: User, password: str, now: datetime, keep_session: str | None
) -> PasswordChanged:
    user.password_hash = _hasher.hash(password)
    kept = _token_hash(keep_session) if keep_session else None
    ended = 0
    for record in uow.staff_sessions.live_for_user(user.id):
        if record.token_hash != kept:
            record.ended_at = now
            ended += 1
    tokens = uow.staff_sessions.live_api_tokens(user.id, now)
    _revoke_tokens(uow, by, tokens, now, "password")
    return PasswordChanged(sessions_ended=ended, tokens_revoked=len(tokens))
