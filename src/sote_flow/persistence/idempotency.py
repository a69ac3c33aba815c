"""Idempotency keys: reserve a key, store the first answer with the effect, find it again.

`IdempotentUnitOfWork` is the unit of work of an API write sent with an `Idempotency-Key`. It
inserts the key's row first, so a concurrent request with the same key waits on the unique
index (or, on SQLite, on the write lock) until the first one ends. The use case's `commit()`
only flushes: the real commit comes after the answer is known and written to the same row, so
the effect and its stored answer stand or fall together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sote_flow.persistence.idempotency_models import IdempotencyKey
from sote_flow.persistence.unit_of_work import UnitOfWork

KEEP_FOR = timedelta(hours=24)


class KeyTaken(Exception):
    """Another request with the same user and key wrote its row first."""


@dataclass(frozen=True)
class KeyRequest:
    """Who sent which key with which request (method, path and a hash of the body)."""

    user_id: int
    key: str
    method: str
    path: str
    body_hash: str

    def matches(self, row: IdempotencyKey) -> bool:
        """True when `row` was stored for this very request."""
        return (row.method, row.path, row.body_hash) == (self.method, self.path, self.body_hash)


def find_key(session: Session, user_id: int, key: str) -> IdempotencyKey | None:
    """Return the stored row of a user's key, or None."""
    query = select(IdempotencyKey).where(
        IdempotencyKey.user_id == user_id, IdempotencyKey.key == key
    )
    return session.scalar(query)


def purge_expired_keys(session: Session, now: datetime, keep: timedelta = KEEP_FOR) -> int:
    """Delete the keys older than `keep` (a day by default); return how many. The caller commits."""
    result = session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < now - keep))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def purge_idempotency_keys(unit_of_work: Callable[[], UnitOfWork], now: datetime) -> int:
    """Delete the keys older than a day in a transaction of their own; return how many."""
    with unit_of_work() as uow:
        purged = purge_expired_keys(uow.session, now)
        uow.commit()
    return purged


class IdempotentUnitOfWork(UnitOfWork):
    """A unit of work whose commit waits for `finish`, which stores the answer with the key."""

    def __init__(
        self, session_factory: Callable[[], Session], request: KeyRequest, now: datetime
    ) -> None:
        super().__init__(session_factory)
        self.request = request
        self.now = now
        self.deferred = False
        self._row: IdempotencyKey | None = None

    def __enter__(self) -> IdempotentUnitOfWork:
        super().__enter__()
        self.deferred = False
        req = self.request
        row = IdempotencyKey(
            user_id=req.user_id,
            key=req.key,
            method=req.method,
            path=req.path,
            body_hash=req.body_hash,
            status=None,
            response=None,
            created_at=self.now,
        )
        self.session.add(row)
        try:
            self.session.flush()
        except IntegrityError:
            self.session.close()
            raise KeyTaken(req.key) from None
        self._row = row
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # A use case that committed keeps its transaction open for `finish`; any other ending
        # (an error, or a use case with nothing to commit) rolls everything back, key included.
        if exc_type is not None or not self.deferred:
            self.deferred = False
            self.session.close()

    def commit(self) -> None:
        """Write the use case's changes but leave the transaction open for `finish`."""
        if self._committed:
            raise RuntimeError("a unit of work commits exactly once")
        self.history.write_pending()
        self.session.flush()
        self._committed = True
        self.deferred = True

    def finish(self, status: int, response: dict[str, Any] | None) -> bool:
        """Store the answer with the key and commit it all; False if nothing was committed."""
        if not self.deferred or self._row is None:
            return False
        try:
            self._row.status = status
            self._row.response = response
            self.session.flush()
            self.session.commit()
        finally:
            self.deferred = False
            self.session.close()
        for callback in self._after_commit:
            callback()
        return True

    def abandon(self) -> None:
        """Roll back a use case whose answer will not be stored (it failed after its commit)."""
        if self.deferred:
            self.deferred = False
            self.session.close()
