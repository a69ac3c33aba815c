"""The access log: who read which client's data, when and why (asiakastietolaki 703/2023)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from sote_flow.persistence.models import AccessLogEntry, ProcessInstance


class AccessLog:
    def __init__(self, session: Session) -> None:
        self.session = session

    def record(self, entry: AccessLogEntry) -> None:
        """Stage one access-log entry."""
        self.session.add(entry)

    def record_many(self, entries: list[dict[str, Any]]) -> None:
        """Write many access-log entries at once (a list page's rows)."""
        if entries:
            self.session.execute(insert(AccessLogEntry), entries)

    def search(
        self,
        *,
        limit: int,
        client_number: str | None = None,
        username: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[tuple[AccessLogEntry, str | None]]:
        """Return matching entries with their instance's client number, newest first.

        Empty filters are not applied; `since` is inclusive, `until` exclusive.
        """
        statement = (
            select(AccessLogEntry, ProcessInstance.client_number)
            .outerjoin(ProcessInstance, ProcessInstance.id == AccessLogEntry.instance_id)
            .order_by(AccessLogEntry.at.desc(), AccessLogEntry.id.desc())
            .limit(limit)
        )
        if client_number:
            statement = statement.where(ProcessInstance.client_number == client_number)
        if username:
            statement = statement.where(AccessLogEntry.username == username)
        if since:
            statement = statement.where(AccessLogEntry.at >= since)
        if until:
            statement = statement.where(AccessLogEntry.at < until)
        return [(entry, client) for entry, client in self.session.execute(statement).all()]
