"""Unit of work: one transaction per use case, with the repositories it needs."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from sqlalchemy import text
from sqlalchemy.orm import Session

from sote_flow.persistence.calendar_repository import CalendarFeeds, CalendarRepository
from sote_flow.persistence.calendar_statistics import CalendarStatisticsQueries
from sote_flow.persistence.case_repository import CaseRepository
from sote_flow.persistence.login_attempts import LoginAttempts, StaffSessions
from sote_flow.persistence.repositories import (
    AccessLog,
    HistoryLog,
    InstanceRepository,
    MessageRepository,
    OutboxRepository,
    ProcessRepository,
    StaffRepository,
    TaskRepository,
    UserRepository,
)
from sote_flow.persistence.user_admin_repository import UserAdminQueries


class UnitOfWork:
    """Opens a session on enter; on exit anything not committed is rolled back."""

    session: Session

    def __init__(self, session_factory: Callable[[], Session], single_read: bool = False) -> None:
        self._session_factory = session_factory
        self._single_read = single_read
        self._committed = False

    def __enter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        self._committed = False
        if self._single_read:
            # A use case that reads one thing (who holds this token) needs no transaction: the
            # statement commits by itself, with no BEGIN, no COMMIT and no SQLite write lock.
            self.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        self._after_commit: list[Callable[[], None]] = []
        self.users = UserRepository(self.session)
        self.processes = ProcessRepository(self.session)
        self.instances = InstanceRepository(self.session)
        self.tasks = TaskRepository(self.session)
        self.history = HistoryLog(self.session)
        self.access_log = AccessLog(self.session)
        self.cases = CaseRepository(self.session)
        self.calendar = CalendarRepository(self.session)
        self.calendar_feeds = CalendarFeeds(self.session)
        self.calendar_statistics = CalendarStatisticsQueries(self.session)
        self.logins = LoginAttempts(self.session)
        self.staff_sessions = StaffSessions(self.session)
        self.outbox = OutboxRepository(self.session)
        self.messages = MessageRepository(self.session)
        self.staff = StaffRepository(self.session)
        self.user_admin = UserAdminQueries(self.session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back anything uncommitted without expiring what was read, so objects a
        # read-only use case returns stay usable after the unit of work ends.
        self.session.close()

    def commit(self) -> None:
        """Commit the use case's changes; a unit of work commits at most once."""
        if self._committed:
            raise RuntimeError("a unit of work commits exactly once")
        self.history.write_pending()
        self.session.commit()
        self._committed = True
        for callback in self._after_commit:
            callback()

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` once the use case's changes are committed (never if rolled back)."""
        self._after_commit.append(callback)

    def notify(self, channel: str, payload: str) -> None:
        """Send a PostgreSQL notification, delivered to listeners at commit (no-op elsewhere)."""
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(
                text("SELECT pg_notify(:channel, :payload)"),
                {"channel": channel, "payload": payload},
            )
