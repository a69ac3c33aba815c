"""Cases of every process: the rows queues read, their legal clocks and their state log."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

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

    def log_state(self, change: CaseStateChange) -> None:
        """Append a state change to the log."""
        self.session.add(change)

    def clocks(self, instance_id: int) -> Sequence[CaseClock]:
        """Return the legal clocks of a case."""
        query = select(CaseClock).where(CaseClock.instance_id == instance_id)
        return self.session.scalars(query.order_by(CaseClock.id)).all()

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
