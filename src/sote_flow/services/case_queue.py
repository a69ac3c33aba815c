"""Work queues of cases for every process that declares case states (design §3.0).

A group's queue of one process: a tab per declared state with counts, urgent cases first then
in arrival order, the age in Finnish weekdays, the next legal clock (weekdays left, or how late)
and the declared columns as columns and filters. Oversight roles see every group's queue,
read-only. Every row shown is a read of client matter data and goes to the access log.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import NotFound, PermissionDenied
from sote_flow.domain.forms import choices, properties_of
from sote_flow.domain.text import t
from sote_flow.domain.weekdays import FINNISH_TIME, weekdays_between, weekdays_between_dates
from sote_flow.engine.case_rules import LegalClock
from sote_flow.engine.cases import CaseDeclaration
from sote_flow.persistence.case_repository import CaseScope
from sote_flow.persistence.models import Case, ProcessVersion
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor
from sote_flow.services.platform import Platform


@dataclass(frozen=True)
class CaseQueueQuery:
    """Which queue to show: the process, a group (None: the actor's), a state and filters."""

    process_key: str
    group: str | None = None
    state: str = ""  # empty: the first declared state
    values: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ClockStatus:
    """A case's next running legal clock as the queue shows it."""

    clock: LegalClock
    due_on: date
    weekdays_left: int  # after today up to the last day allowed (0: due today or late)
    weekdays_late: int  # after the last day allowed up to today (0: not late)


@dataclass(frozen=True)
class CaseRow:
    """One case in the queue."""

    case: Case
    age_weekdays: int
    clock: ClockStatus | None


@dataclass(frozen=True)
class QueueColumn:
    """A declared column: its field, its title and its choices (from the process's forms)."""

    name: str
    title: str
    choices: Sequence[tuple[str, str]]

    def title_of(self, value: object) -> str:
        """Return the title of a coded value (the value itself when it has none)."""
        if isinstance(value, list):
            return ", ".join(self.title_of(item) for item in value)
        return next((t for v, t in self.choices if v == value), "" if value is None else str(value))


@dataclass(frozen=True)
class CaseQueuePage:
    """A page of one process's queue with everything the page shows."""

    process_name: str
    declaration: CaseDeclaration
    query: CaseQueueQuery
    rows: Sequence[CaseRow]
    counts: Mapping[str, int]
    total: int
    groups: Sequence[str]
    columns: Sequence[QueueColumn]
    read_only: bool
    group_titles: Mapping[str, str] = field(default_factory=dict)

    def group_title(self, name: str | None) -> str:
        """Return a group's display name (its name when it has none)."""
        return self.group_titles.get(name or "", name or "")


@dataclass(frozen=True)
class QueueSummary:
    """A process whose cases the actor can see, with its open cases."""

    process_key: str
    name: str
    open_cases: int


def list_case_queue(
    platform: Platform,
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    query: CaseQueueQuery,
    page: int = 1,
    page_size: int = 25,
) -> CaseQueuePage:
    """Return a page of a process's case queue and log the rows shown."""
    version = uow.processes.latest(query.process_key)
    declaration = platform.case_declaration(version) if version is not None else None
    if version is None or declaration is None:
        raise NotFound(t("Prosessilla ei ole asiajonoa."))
    groups = uow.cases.groups(query.process_key) if actor.oversees else sorted(actor.groups)
    if query.group is not None and query.group not in groups and not actor.oversees:
        raise PermissionDenied(t("Et kuulu tämän jonon ryhmään."))
    if not groups and not actor.oversees:
        raise PermissionDenied(t("Sinulla ei ole pääsyä tämän prosessin jonoihin."))
    state = query.state if query.state in declaration.keys else declaration.keys[0]
    columns = queue_columns(platform, version, declaration)
    values = {k: v for k, v in query.values.items() if k in declaration.rules.columns and v}
    query = CaseQueueQuery(query.process_key, query.group, state, values)
    shown_groups = [query.group] if query.group else (None if actor.oversees else groups)
    scope = CaseScope(query.process_key, shown_groups, values)
    cases = uow.cases.page(scope, state, page_size, (max(page, 1) - 1) * page_size)
    counts = {key: 0 for key in declaration.keys} | uow.cases.counts(scope)
    now = clock()
    _log_rows(uow, actor, now, cases)
    uow.commit()
    today = now.astimezone(FINNISH_TIME).date()
    return CaseQueuePage(
        process_name=version.name,
        declaration=declaration,
        query=query,
        rows=[
            CaseRow(case, weekdays_between(case.opened_at, now), _clock(declaration, case, today))
            for case in cases
        ],
        counts=counts,
        total=counts.get(state, 0),
        groups=groups,
        columns=columns,
        read_only=actor.read_only or actor.oversees,
        group_titles={group.name: group.display_name for group in uow.users.groups()},
    )


def case_queues(platform: Platform, actor: Actor, uow: UnitOfWork) -> list[QueueSummary]:
    """Return the processes with declared case states and the actor's open cases in each."""
    open_counts = uow.cases.open_counts(None if actor.oversees else sorted(actor.groups))
    summaries = []
    for version in uow.processes.latest_of_each():
        if platform.case_declaration(version) is not None:
            count = open_counts.get(version.key, 0)
            summaries.append(QueueSummary(version.key, version.name, count))
    return summaries


def _clock(declaration: CaseDeclaration, case: Case, today: date) -> ClockStatus | None:
    legal = next((c for c in declaration.rules.clocks if c.key == case.next_clock), None)
    if legal is None or case.next_due_on is None:
        return None
    due = case.next_due_on
    return ClockStatus(
        legal, due, weekdays_between_dates(today, due), weekdays_between_dates(due, today)
    )


def queue_columns(
    platform: Platform, version: ProcessVersion, declaration: CaseDeclaration
) -> list[QueueColumn]:
    """Return the declared columns with their titles and choices from the version's forms."""
    properties: dict[str, Mapping[str, object]] = {}
    for schema in platform.form_schemas(version):
        for name, prop in properties_of(schema).items():
            properties.setdefault(name, prop)
    return [
        QueueColumn(
            name,
            str(properties.get(name, {}).get("title") or name),
            choices(properties.get(name) or {}),
        )
        for name in declaration.rules.columns
    ]


def _log_rows(uow: UnitOfWork, actor: Actor, at: datetime, cases: Sequence[Case]) -> None:
    # Every case row shown is a read of a client's matter (asiakastietolaki 703/2023 §11).
    roles = ",".join(sorted(actor.roles))
    uow.access_log.record_many(
        [
            {
                "at": at,
                "username": actor.username,
                "roles": roles,
                "action": "list",
                "object_type": "case",
                "object_id": case.case_number or str(case.instance_id),
                "instance_id": case.instance_id,
                "purpose": actor.purpose,
            }
            for case in cases
        ]
    )
