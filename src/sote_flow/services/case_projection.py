"""Keep the generic case projection in step with every save of an instance that declares cases.

One row per case (`cases`), one row per legal clock (`case_clocks`) and an append-only state
log (`case_state_changes`), written in the transaction of the save; every queue, list and
report of cases reads these, for any process, from what its diagram declares.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from typing import Any

from sote_flow.domain.weekdays import FINNISH_TIME
from sote_flow.engine.case_rules import LegalClock
from sote_flow.engine.cases import CaseDeclaration
from sote_flow.packages import SavedCase
from sote_flow.persistence.models import Case, CaseClock, CaseStateChange
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.platform import Platform


def sync_case(
    platform: Platform, uow: UnitOfWork, saved: SavedCase, declaration: CaseDeclaration
) -> None:
    """Create or update the instance's case row, its legal clocks and its state log."""
    instance, data, now = saved.instance, saved.data, saved.at
    case = uow.cases.get(instance.id)
    state = saved.state
    if case is None:
        if state is None:
            return  # not yet in any declared state (e.g. only automatic steps have run)
        case = Case(
            instance_id=instance.id,
            process_key=instance.process_key,
            state=state,
            opened_at=instance.started_at,
            opened_on=_day(instance.started_at),
            state_since=now,
            urgent_rank=1,
            columns={},
        )
        uow.cases.add(case)
        previous = None
    else:
        previous = case.state
    rules = declaration.rules
    case.case_number = _text(data.get(declaration.number_field or ""))
    case.client_number = instance.client_number
    case.columns = {name: _plain(data.get(name)) for name in rules.columns}
    urgent = rules.urgent and platform.runtime.evaluate_on(rules.urgent, data, lambda: now)
    case.urgent_rank = 0 if urgent else 1
    group = rules.group and platform.runtime.evaluate_on(rules.group, data, lambda: now)
    case.group_name = _text(group) or next(iter(saved.open_groups), None) or case.group_name
    opened = declaration.open_keys
    if state is not None and state != previous:
        case.state = state
        case.state_since = now
        uow.cases.log_state(
            CaseStateChange(
                instance_id=instance.id,
                process_key=instance.process_key,
                group_name=case.group_name,
                at=now,
                on_day=_day(now),
                state=state,
                open_delta=(state in opened) - (previous in opened),
                first_entry=uow.cases.first_entry(instance.id, state),
                opened_on=case.opened_on,
            )
        )
    # Closed when the process ended, or when the case is in a state nothing waits in (e.g. a
    # cancellation the process decided outside its diagram).
    ended = saved.completed or (state is not None and state not in declaration.open_keys)
    case.closed_at = (case.closed_at or now) if ended else None
    applies = _applies(platform, data, now)
    _sync_clocks(uow, case, declaration, data, now, applies)


def _applies(
    platform: Platform, data: Mapping[str, Any], now: datetime
) -> Callable[[LegalClock], bool]:
    def applies(legal: LegalClock) -> bool:
        if legal.condition is None:
            return True
        return bool(platform.runtime.evaluate_on(legal.condition, data, lambda: now))

    return applies


def _sync_clocks(
    uow: UnitOfWork,
    case: Case,
    declaration: CaseDeclaration,
    data: Mapping[str, Any],
    now: datetime,
    applies: Callable[[LegalClock], bool],
) -> None:
    existing = {clock.key: clock for clock in uow.cases.clocks(case.instance_id)}
    running: list[CaseClock] = []
    for legal in declaration.rules.clocks:
        clock = existing.get(legal.key)
        if clock is None and not applies(legal):
            continue  # a clock for other cases (e.g. only the groups of SHL 36 §)
        start = _start_day(uow, legal, case, data)
        if clock is None and start is None:
            continue  # runs from a date the case does not have yet
        if clock is None:
            clock = CaseClock(instance_id=case.instance_id, process_key=case.process_key,
                              key=legal.key)  # fmt: skip
            uow.cases.add_clock(clock)
        if clock.stopped_at is None and start is not None and start != clock.started_on:
            # A new clock, or its start date changed (e.g. the court moved its deadline).
            clock.started_on, clock.due_on = start, legal.due_on(start)
            clock.warn_on, clock.warned_at = legal.warn_on(clock.due_on), None
            clock.started_at = datetime.combine(start, time.min, FINNISH_TIME)
            if legal.start_field is None and legal.start_state is None:
                clock.started_at = case.opened_at
        if clock.stopped_at is None and case.state in legal.stop_states:
            clock.stopped_at, clock.stopped_on = now, _day(now)
        if clock.stopped_at is None:
            running.append(clock)
    first = min(running, key=lambda clock: clock.due_on, default=None)
    case.next_clock = first.key if first else None
    case.next_due_on = first.due_on if first else None


def _start_day(
    uow: UnitOfWork, legal: LegalClock, case: Case, data: Mapping[str, Any]
) -> date | None:
    if legal.start_state is not None:
        return uow.cases.first_entry_day(case.instance_id, legal.start_state)
    if legal.start_field is None:
        return case.opened_on
    value = data.get(legal.start_field)
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None  # not a date (the form validates it): the clock waits for one


def _day(at: datetime) -> date:
    return at.astimezone(FINNISH_TIME).date()


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "", False) else None


def _plain(value: Any) -> Any:
    # Column values are shown and filtered as they are: keep JSON-safe scalars and lists.
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping):
        return None
    return str(value)
