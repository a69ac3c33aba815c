"""Sign-ins: failed attempts (throttled in every web process alike) and the sessions opened,
in the browser and through the API."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sote_flow.persistence.account_models import LoginFailure, StaffSession
from sote_flow.persistence.models import ApiToken


class LoginAttempts:
    def __init__(self, session: Session) -> None:
        self.session = session

    def record_failure(self, username: str, address: str, at: datetime) -> None:
        """Stage one failed sign-in."""
        self.session.add(LoginFailure(at=at, username=username[:80], address=address[:64]))

    def failures_since(self, since: datetime, username: str | None = None,
                       address: str | None = None) -> int:  # fmt: skip
        """Return how many sign-ins failed since `since` for the account or the address."""
        query = select(func.count()).select_from(LoginFailure).where(LoginFailure.at >= since)
        if username is not None:
            query = query.where(LoginFailure.username == username[:80])
        if address is not None:
            query = query.where(LoginFailure.address == address[:64])
        return int(self.session.scalar(query) or 0)


class StaffSessions:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, staff_session: StaffSession) -> None:
        """Stage a new signed-in session."""
        self.session.add(staff_session)

    def by_token_hash(self, token_hash: str) -> StaffSession | None:
        """Return the session with this token hash, or None."""
        query = select(StaffSession).where(StaffSession.token_hash == token_hash)
        return self.session.scalar(query)

    def live_for_user(self, user_id: int) -> Sequence[StaffSession]:
        """Return a user's sessions that have not ended (idle ones included)."""
        query = select(StaffSession).where(
            StaffSession.user_id == user_id, StaffSession.ended_at.is_(None)
        )
        return self.session.scalars(query).all()

    def api_token(self, token_id: int) -> ApiToken | None:
        """Return the API token with `token_id`, or None."""
        return self.session.get(ApiToken, token_id)

    def api_token_by_hash(self, token_hash: str) -> ApiToken | None:
        """Return the API token with this hash, or None."""
        return self.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash))

    def live_api_tokens(self, user_id: int, now: datetime) -> Sequence[ApiToken]:
        """Return a user's unexpired (and unrevoked) API tokens, newest first."""
        query = (
            select(ApiToken)
            .where(ApiToken.user_id == user_id, ApiToken.expires_at > now)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
        return self.session.scalars(query).all()
