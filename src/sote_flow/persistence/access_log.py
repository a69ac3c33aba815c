"""The access log: who read which client's data, when and why (asiakastietolaki 703/2023)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, func, insert, select
from sqlalchemy.orm import Session

from sote_flow.persistence.models import (
    AccessLogEntry,
    Case,
    HistoryEntry,
    ProcessInstance,
    ProcessVersion,
)

Query = TypeVar("Query", bound=Select[*tuple[Any, ...]])
TASK_OPENED = "task_opened"  # the history action that records a task and its title


@dataclass(frozen=True)
class AccessFilters:
    """Filters of an access-log search; empty ones are not applied (`until` is exclusive)."""

    client_number: str | None = None
    username: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class AccessLogRow:
    """One entry with what names its object: the instance's client, case number and process."""

    entry: AccessLogEntry
    client_number: str | None
    case_number: str | None
    process_name: str | None


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

    def search(self, filters: AccessFilters, *, limit: int, offset: int = 0) -> list[AccessLogRow]:
        """Return one page of matching entries, newest first, with their instance's names."""
        statement = (
            _filtered(
                select(
                    AccessLogEntry,
                    ProcessInstance.client_number,
                    Case.case_number,
                    ProcessVersion.name,
                )
                .outerjoin(ProcessInstance, ProcessInstance.id == AccessLogEntry.instance_id)
                .outerjoin(Case, Case.instance_id == AccessLogEntry.instance_id)
                .outerjoin(ProcessVersion, ProcessVersion.id == ProcessInstance.process_version_id),
                filters,
            )
            .order_by(AccessLogEntry.at.desc(), AccessLogEntry.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return [AccessLogRow(*row) for row in self.session.execute(statement).all()]

    def count(self, filters: AccessFilters) -> int:
        """Return how many entries match."""
        statement = _filtered(
            select(func.count())
            .select_from(AccessLogEntry)
            .outerjoin(ProcessInstance, ProcessInstance.id == AccessLogEntry.instance_id),
            filters,
        )
        return int(self.session.execute(statement).scalar_one())

    def task_titles(
        self, instance_ids: Collection[int], task_ids: Collection[str]
    ) -> dict[str, str]:
        """Return the titles of these tasks of these instances, open or done, in one query."""
        if not task_ids:
            return {}
        # Every task's opening is in its instance's history with the title it was shown with;
        # the instance index keeps the scan to these instances' entries.
        statement = select(HistoryEntry.task_id, HistoryEntry.data).where(
            HistoryEntry.instance_id.in_(instance_ids),
            HistoryEntry.task_id.in_(task_ids),
            HistoryEntry.action == TASK_OPENED,
        )
        titles: dict[str, str] = {}
        for task_id, data in self.session.execute(statement).all():
            title = (data or {}).get("title")
            if task_id is not None and isinstance(title, str) and title:
                titles.setdefault(task_id, title)
        return titles


def _filtered(statement: Query, filters: AccessFilters) -> Query:
    if filters.client_number:
        statement = statement.where(ProcessInstance.client_number == filters.client_number)
    if filters.username:
        statement = statement.where(AccessLogEntry.username == filters.username)
    if filters.since:
        statement = statement.where(AccessLogEntry.at >= filters.since)
    if filters.until:
        statement = statement.where(AccessLogEntry.at < filters.until)
    return statement
