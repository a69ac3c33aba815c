"""Cases of every process: the rows queues read, their legal clocks and their state log."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, case, func, literal, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from sote_flow.persistence.models import Case, CaseClock, CaseStateChange

Query = TypeVar("Query", bound=Select[*tuple[Any, ...]])


@dataclass(frozen=True)
class CaseScope:
    """Which cases a queue shows: one process, some groups (None: all), column filters."""

    process_key: str
    groups: Sequence[str] | None = None
    values: Mapping[str, str] = field(default_factory=dict)


class CaseRepository:
    """Reads and writes the case projection."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, instance_id: int) -> Case | None:
        """Return the case of an instance, if it has one."""
        return self.session.get(Case, instance_id)

    def add(self, case: Case) -> None:
        """Add a new case row."""
        self.session.add(case)

    def first_entry(self, instance_id: int, state: str) -> bool:
        """Whether the case has never been in `state` before."""
        query = select(CaseStateChange.id).where(
            CaseStateChange.instance_id == instance_id, CaseStateChange.state == state
        )
        return self.session.scalar(query.limit(1)) is None

    def state_log(self, instance_id: int) -> Sequence[CaseStateChange]:
        """Return the state changes of a case, oldest first."""
        query = select(CaseStateChange).where(CaseStateChange.instance_id == instance_id)
        return self.session.scalars(query.order_by(CaseStateChange.at, CaseStateChange.id)).all()

    def first_entry_day(self, instance_id: int, state: str) -> date | None:
        """Return the Finnish day the case first entered `state` (None: it never has)."""
        query = select(func.min(CaseStateChange.on_day)).where(
            CaseStateChange.instance_id == instance_id, CaseStateChange.state == state
        )
        return self.session.scalar(query)

    def log_state(self, change: CaseStateChange) -> None:
        """Append a state change to the log."""
        self.session.add(change)

    def clocks(self, instance_id: int) -> Sequence[CaseClock]:
        """Return the legal clocks of a case."""
        query = select(CaseClock).where(CaseClock.instance_id == instance_id)
        return self.session.scalars(query.order_by(CaseClock.id)).all()

    def clocks_to_warn(self, today: date, limit: int) -> Sequence[int]:
        """Return the ids of running clocks whose escalation day has come and not been sent."""
        query = (
            select(CaseClock.id)
            .where(
                CaseClock.warn_on <= today,
                CaseClock.warned_at.is_(None),
                CaseClock.stopped_at.is_(None),
            )
            .order_by(CaseClock.warn_on, CaseClock.id)
            .limit(limit)
        )
        return self.session.scalars(query).all()

    def clock_to_warn(self, clock_id: int) -> CaseClock | None:
        """Lock a clock still to be warned of (SKIP LOCKED: one scheduler sends it)."""
        query = select(CaseClock).where(
            CaseClock.id == clock_id, CaseClock.warned_at.is_(None), CaseClock.stopped_at.is_(None)
        )
        return self.session.scalars(query.with_for_update(skip_locked=True)).first()

    def add_clock(self, clock: CaseClock) -> None:
        """Add a legal clock to a case."""
        self.session.add(clock)

    def page(self, scope: CaseScope, state: str, limit: int, offset: int) -> Sequence[Case]:
        """Return a page of the cases in `state`: urgent first, then in arrival order."""
        query = (
            _scoped(select(Case), scope)
            .where(Case.state == state)
            .order_by(Case.urgent_rank, Case.opened_at, Case.instance_id)
            .limit(limit)
            .offset(offset)
        )
        return self.session.scalars(query).all()

    def counts(self, scope: CaseScope) -> dict[str, int]:
        """Return the number of cases in each state."""
        query = _scoped(select(Case.state, func.count()).select_from(Case), scope)
        rows = self.session.execute(query.group_by(Case.state)).all()
        return {str(state): int(count) for state, count in rows}

    def groups(self, process_key: str) -> list[str]:
        """Return the groups that have cases of a process."""
        query = select(Case.group_name).where(Case.process_key == process_key).distinct()
        return sorted(str(name) for name in self.session.scalars(query) if name)

    @property
    def report(self) -> CaseReportQueries:
        """The reads of the case report."""
        return CaseReportQueries(self.session)

    def open_counts(self, groups: Sequence[str] | None) -> dict[str, int]:
        """Return process key -> open cases in the groups (None: all groups)."""
        query = select(Case.process_key, func.count()).where(Case.closed_at.is_(None))
        if groups is not None:
            query = query.where(Case.group_name.in_(list(groups)))
        rows = self.session.execute(query.group_by(Case.process_key)).all()
        return {str(key): int(count) for key, count in rows}


def _scoped(query: Query, scope: CaseScope) -> Query:
    query = query.where(Case.process_key == scope.process_key)
    if scope.groups is not None:
        query = query.where(Case.group_name.in_(list(scope.groups)))
    for name, value in scope.values.items():
        # Declared columns are filtered by equality on their JSON value (text on both backends).
        query = query.where(Case.columns[name].as_string() == value)
    return query


class CaseReportQueries:
    """The reads of a case report: each aggregates in the database, so its cost and what it
    sends back grow with the days and values reported, not with the number of cases."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def opened(
        self, scope: CaseScope, since: date, until: date, dimension: str | None
    ) -> list[tuple[str, int]]:
        """Return (value of the breakdown column, cases opened) for the period's cases."""
        value = _dimension(dimension)
        query = (
            _scoped(select(value, func.count()).select_from(Case), scope)
            .where(Case.opened_on.between(since, until))
            .group_by(value)
        )
        return [(str(v or ""), int(n)) for v, n in self.session.execute(query).all()]

    def milestone_days(
        self,
        scope: CaseScope,
        since: date,
        until: date,
        states: Sequence[str],
        dimension: str | None,
        from_state: str | None = None,
    ) -> list[tuple[str, str, date, date, int]]:
        """Return (state, value, start day, day the case first entered the state, cases) for the
        cases opened in the period; the start is the pending day, or with `from_state` the day
        the case first entered that state (cases that never did are left out)."""
        reached = CaseStateChange
        value = _dimension(dimension)
        started = aliased(CaseStateChange) if from_state else None
        start_day = started.on_day if started is not None else reached.opened_on
        query = select(reached.state, value, start_day, reached.on_day, func.count()).where(
            reached.process_key == scope.process_key,
            reached.first_entry.is_(True),
            reached.state.in_(list(states)),
            reached.opened_on.between(since, until),
        )
        if started is not None:
            query = query.join(
                started,
                (started.instance_id == reached.instance_id)
                & (started.state == from_state)
                & started.first_entry.is_(True),
            )
        query = _in_scope(query, scope, reached.instance_id, dimension)
        query = query.group_by(reached.state, value, start_day, reached.on_day)
        return [
            (str(s), str(v or ""), o, d, int(n)) for s, v, o, d, n in self.session.execute(query)
        ]

    def open_deltas(self, scope: CaseScope, until: date) -> list[tuple[date, int]]:
        """Return (day, cases opened less cases closed that day) up to `until`, in day order."""
        query = select(CaseStateChange.on_day, func.sum(CaseStateChange.open_delta)).where(
            CaseStateChange.process_key == scope.process_key, CaseStateChange.on_day <= until
        )
        query = _in_scope(query, scope, CaseStateChange.instance_id, None)
        query = query.group_by(CaseStateChange.on_day).order_by(CaseStateChange.on_day)
        return [(day, int(total or 0)) for day, total in self.session.execute(query).all()]

    def clock_counts(
        self, scope: CaseScope, since: date, until: date, today: date
    ) -> dict[str, tuple[int, int, int]]:
        """Return clock key -> (met, late, running) for the clocks of the period's cases."""
        stopped, running = CaseClock.stopped_on.is_not(None), CaseClock.stopped_on.is_(None)
        met = stopped & (CaseClock.stopped_on <= CaseClock.due_on)
        late = (stopped & (CaseClock.stopped_on > CaseClock.due_on)) | (
            running & (CaseClock.due_on < today)
        )
        query = select(
            CaseClock.key,
            func.sum(case((met, 1), else_=0)),
            func.sum(case((late, 1), else_=0)),
            func.sum(case((running & (CaseClock.due_on >= today), 1), else_=0)),
        ).where(
            CaseClock.process_key == scope.process_key,
            CaseClock.started_on.between(since, until),
        )
        query = _in_scope(query, scope, CaseClock.instance_id, None).group_by(CaseClock.key)
        return {
            str(key): (int(m or 0), int(la or 0), int(r or 0))
            for key, m, la, r in self.session.execute(query).all()
        }

    def late_clocks(
        self, scope: CaseScope, since: date, until: date, today: date, limit: int
    ) -> list[tuple[str, int, str | None, date, date | None]]:
        """Return (key, case, case number, last day, day stopped) of late clocks, oldest first."""
        late = (CaseClock.stopped_on > CaseClock.due_on) | (
            CaseClock.stopped_on.is_(None) & (CaseClock.due_on < today)
        )
        first = _in_scope(
            select(
                CaseClock.key, CaseClock.instance_id, CaseClock.due_on, CaseClock.stopped_on
            ).where(
                CaseClock.process_key == scope.process_key,
                CaseClock.started_on.between(since, until),
                late,
            ),
            scope,
            CaseClock.instance_id,
            None,
        )
        # The oldest deadlines first, then their case numbers: only the listed rows are joined.
        listed = first.order_by(CaseClock.due_on, CaseClock.instance_id).limit(limit).subquery()
        query = (
            select(
                listed.c.key, listed.c.instance_id, Case.case_number, listed.c.due_on,
                listed.c.stopped_on,
            )
            .join(Case, Case.instance_id == listed.c.instance_id)
            .order_by(listed.c.due_on, listed.c.instance_id)
        )  # fmt: skip
        return [
            (str(k), int(i), n, due, stop) for k, i, n, due, stop in self.session.execute(query)
        ]


def _in_scope(
    query: Query, scope: CaseScope, instance_id: InstrumentedAttribute[int], dimension: str | None
) -> Query:
    # Rows that carry the process and the day need the case row only for group, column
    # filters or a breakdown column: the manager's whole report joins nothing.
    if scope.groups is None and not scope.values and dimension is None:
        return query
    return _scoped(query.join(Case, Case.instance_id == instance_id), scope)


def _dimension(name: str | None) -> ColumnElement[Any]:
    return Case.columns[name].as_string() if name else literal("")
