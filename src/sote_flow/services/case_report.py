"""The waiting-time report of any process worked as cases, from what its diagram declares.

How days count (Finnish calendar days, Europe/Helsinki):
- Weekdays to a milestone: the weekdays after the day the matter became pending (or, when the
  report counts from another milestone, the day the case first reached that one) up to and
  including the day the case first entered the milestone's state. A start on a weekend or
  public holiday counts from the next weekday. Median and 90th percentile are over the cases
  opened in the period that have reached the milestone (inclusive method, one decimal).
- Queue length of a day: cases whose latest state before the next midnight is an open state
  (one a task or event waits in).
- Legal clocks of the cases opened in the period: met (stopped on or before the last day
  allowed), late (stopped after it, or still running after it) or running (not yet due).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sote_flow.domain.case_statistics import (
    Durations,
    percentile_summary,
    queue_length_from_deltas,
)
from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import FieldError, InvalidInput, NotFound, PermissionDenied
from sote_flow.domain.text import t
from sote_flow.domain.weekdays import FINNISH_TIME, weekday_on_or_after, weekdays_between_dates
from sote_flow.engine.case_rules import LegalClock
from sote_flow.engine.cases import CaseDeclaration
from sote_flow.persistence.case_repository import CaseReportQueries, CaseScope
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor
from sote_flow.services.case_queue import QueueColumn, queue_columns
from sote_flow.services.instances import log_read
from sote_flow.services.platform import Platform

MAX_DAYS = 366
MAX_LATE_LISTED = 500
TOTAL = ""


@dataclass(frozen=True)
class CaseReportQuery:
    """The process, the period (Finnish days, both included), a group, filters, a breakdown."""

    process_key: str
    since: date
    until: date
    group: str | None = None
    values: Mapping[str, str] | None = None
    dimension: str | None = None  # a declared column to break the figures down by
    from_milestone: str | None = None  # count from this milestone (None: from pending)


@dataclass(frozen=True)
class ReportRow:
    """Cases opened (all, or those with one value of the breakdown column) and their waits."""

    value: str
    opened: int
    milestones: Sequence[Durations]


@dataclass(frozen=True)
class LateCase:
    """A case whose legal clock ran out."""

    instance_id: int
    case_number: str | None
    due_on: date
    stopped_on: date | None


@dataclass(frozen=True)
class ClockCompliance:
    """How one legal clock was kept for the cases opened in the period."""

    clock: LegalClock
    met: int
    late_count: int
    late: Sequence[LateCase]  # the first MAX_LATE_LISTED of them, oldest deadline first
    running: int

    @property
    def share_met(self) -> float | None:
        """Share of the decided ones met in time (None: none decided yet)."""
        decided = self.met + self.late_count
        return round(100 * self.met / decided, 1) if decided else None


@dataclass(frozen=True)
class CaseReport:
    """Everything the report page, the CSV and the XLSX show."""

    process_name: str
    declaration: CaseDeclaration
    query: CaseReportQuery
    columns: Sequence[QueueColumn]
    total: ReportRow
    rows: Sequence[ReportRow]
    queue_per_day: Sequence[tuple[date, int]]
    compliance: Sequence[ClockCompliance]


def case_report(
    platform: Platform, actor: Actor, uow: UnitOfWork, clock: Clock, query: CaseReportQuery
) -> CaseReport:
    """Compute the report of a process's cases for a period; the read is logged."""
    version = uow.processes.latest(query.process_key)
    declaration = platform.case_declaration(version) if version is not None else None
    if version is None or declaration is None:
        raise NotFound(t("Prosessilla ei ole asioita, joista raportoida."))
    if query.until < query.since or (query.until - query.since).days >= MAX_DAYS:
        raise InvalidInput([FieldError("until", t("Jakso on 1–{days} päivää.", days=MAX_DAYS))])
    if query.group is not None and query.group not in actor.groups and not actor.oversees:
        raise PermissionDenied(t("Et kuulu tämän jonon ryhmään."))
    if not actor.groups and not actor.oversees:
        raise PermissionDenied(t("Sinulla ei ole pääsyä tämän prosessin asioihin."))
    groups = [query.group] if query.group else (None if actor.oversees else sorted(actor.groups))
    values = {k: v for k, v in (query.values or {}).items() if k in declaration.rules.columns}
    dimension = query.dimension if query.dimension in declaration.rules.columns else None
    scope = CaseScope(query.process_key, groups, values)
    reads = uow.cases.report
    opened = dict(reads.opened(scope, query.since, query.until, dimension))
    milestones = declaration.rules.milestones
    waits: dict[str, list[list[int]]] = {value: [[] for _ in milestones] for value in opened}
    index = {milestone.state: i for i, milestone in enumerate(milestones)}
    states = [milestone.state for milestone in milestones]
    origin = next((m for m in milestones if m.key == query.from_milestone), None)
    for state, value, start_day, reached_on, count in reads.milestone_days(
        scope, query.since, query.until, states, dimension, origin.state if origin else None
    ):
        days = weekdays_between_dates(weekday_on_or_after(start_day), reached_on)
        waits[value][index[state]].extend([days] * count)
    deltas = reads.open_deltas(scope, query.until)
    today = clock().astimezone(FINNISH_TIME).date()
    log_read(uow, clock, actor, "case_report", query.process_key, None, actor.purpose)
    report = CaseReport(
        process_name=version.name,
        declaration=declaration,
        query=query,
        columns=queue_columns(platform, version, declaration),
        total=_row(TOTAL, sum(opened.values()), _merged(waits, declaration)),
        rows=[_row(v, opened.get(v, 0), waits[v]) for v in sorted(waits)] if dimension else [],
        queue_per_day=queue_length_from_deltas(deltas, query.since, query.until),
        compliance=_compliance(reads, declaration, scope, query, today),
    )
    uow.commit()
    return report


def _row(value: str, opened: int, waits: Sequence[Sequence[int]]) -> ReportRow:
    return ReportRow(value, opened, [percentile_summary(days) for days in waits])


def _merged(waits: Mapping[str, list[list[int]]], declaration: CaseDeclaration) -> list[list[int]]:
    milestones = len(declaration.rules.milestones)
    return [[d for lists in waits.values() for d in lists[i]] for i in range(milestones)]


def _compliance(
    reads: CaseReportQueries,
    declaration: CaseDeclaration,
    scope: CaseScope,
    query: CaseReportQuery,
    today: date,
) -> list[ClockCompliance]:
    counts = reads.clock_counts(scope, query.since, query.until, today)
    late = reads.late_clocks(scope, query.since, query.until, today, MAX_LATE_LISTED)
    return [
        ClockCompliance(
            clock=legal,
            met=counts.get(legal.key, (0, 0, 0))[0],
            late_count=counts.get(legal.key, (0, 0, 0))[1],
            late=[LateCase(i, n, due, stop) for k, i, n, due, stop in late if k == legal.key],
            running=counts.get(legal.key, (0, 0, 0))[2],
        )
        for legal in declaration.rules.clocks
    ]
