"""Calendar statistics: hours and counts of entries by type, worker and team.

The statistics add up entry durations in the database (GROUP BY), clipped to the period, so what
comes back grows with workers × entry types, not with the number of entries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, exists, func, literal, select
from sqlalchemy.orm import Session

from sote_flow.persistence.calendar_models import CalendarEntry
from sote_flow.persistence.models import Group, User, UserGroup, UtcDateTime


@dataclass(frozen=True)
class TypeTotal:
    """Live entries of one entry type under one key (a worker or a team): count and seconds."""

    key: str
    title: str
    type_key: str
    count: int
    seconds: int


class CalendarStatisticsQueries:
    """Hours and counts of live calendar entries in a period, by worker or team and type."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def by_worker_and_type(
        self, start: datetime, end: datetime, groups: Sequence[str] | None
    ) -> list[TypeTotal]:
        """Return each worker's entries per type overlapping [start, end) (hours clipped to it);
        with `groups`, only workers in one of them."""
        seconds = self._clipped_seconds(start, end)
        query = (
            select(User.username, User.display_name, CalendarEntry.type_key, func.count(), seconds)
            .join(User, User.id == CalendarEntry.worker_id)
            .where(*_live_between(start, end))
            .group_by(User.username, User.display_name, CalendarEntry.type_key)
        )
        if groups is not None:
            member = (
                select(UserGroup.user_id)
                .join(Group, Group.id == UserGroup.group_id)
                .where(UserGroup.user_id == CalendarEntry.worker_id, Group.name.in_(list(groups)))
            )
            query = query.where(exists(member))
        return [_total(row) for row in self.session.execute(query).all()]

    def by_group_and_type(
        self, start: datetime, end: datetime, groups: Sequence[str] | None
    ) -> list[TypeTotal]:
        """Return each team's (group's) entries per type overlapping [start, end); a worker in
        two groups counts in both."""
        seconds = self._clipped_seconds(start, end)
        query = (
            select(Group.name, Group.display_name, CalendarEntry.type_key, func.count(), seconds)
            .join(UserGroup, UserGroup.user_id == CalendarEntry.worker_id)
            .join(Group, Group.id == UserGroup.group_id)
            .where(*_live_between(start, end))
            .group_by(Group.name, Group.display_name, CalendarEntry.type_key)
        )
        if groups is not None:
            query = query.where(Group.name.in_(list(groups)))
        return [_total(row) for row in self.session.execute(query).all()]

    def _clipped_seconds(self, start: datetime, end: datetime) -> ColumnElement[Any]:
        # The part of each entry inside the period, summed in seconds; SQLite and PostgreSQL
        # count time between two instants differently.
        begins = case(
            (CalendarEntry.starts_at < start, literal(start, UtcDateTime())),
            else_=CalendarEntry.starts_at,
        )
        ends = case(
            (CalendarEntry.ends_at > end, literal(end, UtcDateTime())),
            else_=CalendarEntry.ends_at,
        )
        if self.session.get_bind().dialect.name == "postgresql":
            return func.sum(func.extract("epoch", ends) - func.extract("epoch", begins))
        return func.sum((func.julianday(ends) - func.julianday(begins)) * 86400)


def _live_between(start: datetime, end: datetime) -> list[ColumnElement[bool]]:
    return [
        CalendarEntry.cancelled_at.is_(None),
        CalendarEntry.starts_at < end,
        CalendarEntry.ends_at > start,
    ]


def _total(row: Any) -> TypeTotal:
    key, title, type_key, count, seconds = row
    return TypeTotal(str(key), str(title), str(type_key), int(count), round(float(seconds or 0)))
