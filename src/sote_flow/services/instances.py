"""Start process instances and read them (every read of client matter data is logged)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import NeedsConfirmation, NotFound, PermissionDenied
from sote_flow.domain.forms import describe_data, person_values
from sote_flow.domain.text import t
from sote_flow.engine.case_rules import LegalClock
from sote_flow.engine.cases import CaseDeclaration
from sote_flow.engine.runtime import RunContext
from sote_flow.engine.tasks import form_ref, start_event_spec, start_roles
from sote_flow.persistence.instance_reads import InstanceReads
from sote_flow.persistence.models import (
    AccessLogEntry,
    Case,
    CaseStateChange,
    HistoryEntry,
    HumanTask,
    ProcessInstance,
    ProcessVersion,
)
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor, require_writer
from sote_flow.services.platform import Platform
from sote_flow.services.submissions import check_submission, client_number_of
from sote_flow.services.workflow_state import save_workflow


@dataclass(frozen=True)
class StartableProcess:
    """A process the actor may start, with its start form (if any)."""

    version: ProcessVersion
    form: dict[str, Any] | None
    ui_schema: dict[str, Any] | None


@dataclass(frozen=True)
class InstanceView:
    """An instance as shown to a person: state, data, open tasks and its newest history.

    `history` holds the newest RECENT_HISTORY entries (oldest of them first); `history_more`
    says older ones exist (the paged history page shows them all).
    """

    instance: ProcessInstance
    data: dict[str, Any]
    open_tasks: Sequence[HumanTask]
    history: Sequence[HistoryEntry]
    case_data: list[tuple[str, str]]
    case: CaseFacts | None = None
    history_more: bool = False
    # A shown entry's submitted data as people read it (entry id -> label, value), and the
    # display names of the people the page mentions.
    submitted: Mapping[int, list[tuple[str, str]]] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ClockFacts:
    """One legal clock of a case: what it is, its last day and when it stopped."""

    clock: LegalClock
    due_on: date
    stopped_on: date | None


@dataclass(frozen=True)
class CaseFacts:
    """The case an instance is worked as: its state, group, legal clocks and state changes."""

    row: Case
    declaration: CaseDeclaration
    clocks: Sequence[ClockFacts]
    changes: Sequence[CaseStateChange]  # the newest RECENT_CHANGES, oldest of them first
    changes_more: bool = False


def startable_process(
    platform: Platform, actor: Actor, uow: UnitOfWork, key: str
) -> StartableProcess:
    """Return the newest version of `key` and its start form, if the actor may start it."""
    version = uow.processes.latest(key)
    if version is None:
        raise NotFound(t("Prosessia {key!r} ei ole otettu käyttöön.", key=key))
    parsed = platform.parsed(version)
    allowed = start_roles(parsed.spec)
    # A process nobody is named to start is started by nobody.
    if actor.read_only or not actor.roles & allowed:
        raise PermissionDenied(t("Roolisi ei voi käynnistää tätä prosessia."))
    start = start_event_spec(parsed.spec)
    ref = form_ref(start) if start is not None else None
    form = platform.form(version, ref.schema_file) if ref else None
    ui_schema = platform.form(version, ref.ui_schema_file) if ref else None
    return StartableProcess(version, form, ui_schema)


def startable_processes(platform: Platform, actor: Actor, uow: UnitOfWork) -> list[ProcessVersion]:
    """Return the processes the actor may start."""
    result = []
    for version in uow.processes.latest_of_each():
        try:
            startable_process(platform, actor, uow, version.key)
        except PermissionDenied:
            continue
        result.append(version)
    return result


def start_instance(
    platform: Platform,
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    key: str,
    data: Mapping[str, Any],
    confirmed: bool = False,
) -> ProcessInstance:
    """Start an instance of the newest version of `key` with start-form `data`.

    Raises NeedsConfirmation (nothing started) while the process has warnings the person has
    not `confirmed`.
    """
    instance = begin_instance(platform, actor, uow, clock, key, data, confirmed)
    uow.commit()
    return instance


def begin_instance(
    platform: Platform,
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    key: str,
    data: Mapping[str, Any],
    confirmed: bool = True,
) -> ProcessInstance:
    """Start an instance but leave the commit to the caller (a package adding rows of its own)."""
    require_writer(actor)
    startable = startable_process(platform, actor, uow, key)
    check_submission(startable.form, data, platform.client_numbers)
    package = platform.package(key)
    if not confirmed and package is not None and package.start_warnings is not None:
        warnings = package.start_warnings(uow, data)
        if warnings:
            raise NeedsConfirmation(warnings)
    version = startable.version
    now = clock()
    instance = ProcessInstance(
        process_version=version,
        process_key=version.key,
        status="running",
        state=b"",
        started_by=actor.username,
        client_number=client_number_of(startable.form, data),
        started_at=now,
        updated_at=now,
    )
    uow.instances.add(instance)
    uow.history.append(
        at=now,
        actor=actor.username,
        action="instance_started",
        instance_id=instance.id,
        process_version_id=version.id,
        data={"submitted": dict(data), "version": version.version},
    )
    ctx = platform.run_context(uow, instance, actor.username, clock)
    initial = {**data, "started_by": actor.username, "round_number": 1}
    workflow, report = platform.runtime.start(platform.parsed(version), initial, ctx)
    save_workflow(platform, uow, clock, instance, workflow, report, actor.username)
    return instance


STATUSES = ("running", "completed", "cancelled", "error")


def list_instances(
    actor: Actor, uow: UnitOfWork, page: int, page_size: int, status: str | None = None
) -> Sequence[ProcessInstance]:
    """Return a page of instances: every one for oversight roles, otherwise the actor's own."""
    started_by = None if actor.oversees else actor.username
    offset = (max(page, 1) - 1) * page_size
    wanted = status if status in STATUSES else None
    return uow.instances.recent(page_size, offset, started_by=started_by, status=wanted)


# How many of the newest history entries and case state changes an instance's page shows: the
# read costs the same however often the instance went round (issue 17).
RECENT_HISTORY = 20
RECENT_CHANGES = 20


def view_instance(
    platform: Platform, actor: Actor, uow: UnitOfWork, clock: Clock, instance_id: int
) -> InstanceView:
    """Return an instance's state, data, open tasks and newest history; logs the read."""
    instance = uow.instances.get(instance_id)
    if instance is None:
        raise NotFound(t("Prosessia ei löydy."))
    open_tasks = uow.tasks.for_instance(instance_id)
    case = uow.cases.get(instance_id)
    in_case_group = case is not None and case.group_name in actor.groups
    # Whether the actor worked on it is asked of the index, not by reading the whole history.
    if not (
        in_case_group
        or may_read_instance(actor, instance, open_tasks, ())
        or uow.history.actor_took_part(instance_id, actor.username)
    ):
        raise PermissionDenied(t("Sinulla ei ole oikeutta tähän prosessiin."))
    history = uow.history.newest_for_instance(instance_id, RECENT_HISTORY + 1)
    ctx = RunContext(instance.id, instance.process_key, actor.username, clock)
    workflow, _ = platform.load_workflow(instance, ctx)
    log_read(uow, clock, actor, "process_instance", str(instance.id), instance.id, actor.purpose)
    facts = _case_facts(platform, uow, instance, case)
    data = platform.runtime.current_data(workflow)
    shown = history[-RECENT_HISTORY:]
    sent = {entry.id: entry.data["submitted"] for entry in shown if entry.data.get("submitted")}
    schemas = platform.form_schemas(instance.process_version)
    people = [entry.actor for entry in shown] + [
        value for values in (data, *sent.values()) for value in person_values(schemas, values)
    ]
    names = uow.users.display_names(people)
    uow.commit()
    return InstanceView(
        instance,
        data,
        open_tasks,
        shown,
        describe_data(schemas, data, names),
        facts,
        history_more=len(history) > RECENT_HISTORY,
        submitted={key: describe_data(schemas, values, names) for key, values in sent.items()},
        names=names,
    )


def _case_facts(
    platform: Platform, uow: UnitOfWork, instance: ProcessInstance, case: Case | None
) -> CaseFacts | None:
    declaration = platform.case_declaration(instance.process_version)
    if case is None or declaration is None:
        return None
    legal = {clock.key: clock for clock in declaration.rules.clocks}
    clocks = [
        ClockFacts(legal[row.key], row.due_on, row.stopped_on)
        for row in uow.cases.clocks(instance.id)
        if row.key in legal
    ]
    changes = InstanceReads(uow.session).newest_state_changes(instance.id, RECENT_CHANGES + 1)
    return CaseFacts(
        case,
        declaration,
        clocks,
        changes[-RECENT_CHANGES:],
        changes_more=len(changes) > RECENT_CHANGES,
    )


def log_read(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    object_type: str,
    object_id: str,
    instance_id: int | None,
    purpose: str,
) -> None:
    """Stage one access-log entry for a read of client matter data."""
    uow.access_log.record(
        AccessLogEntry(
            at=clock(),
            username=actor.username,
            roles=",".join(sorted(actor.roles)),
            action="read",
            object_type=object_type,
            object_id=object_id,
            instance_id=instance_id,
            purpose=purpose,
        )
    )


def may_read_instance(
    actor: Actor,
    instance: ProcessInstance,
    open_tasks: Sequence[HumanTask],
    history: Sequence[HistoryEntry],
) -> bool:
    """True when the actor oversees, started the instance, may work on it or worked on it."""
    if actor.oversees or instance.started_by == actor.username:
        return True
    if any(t.group_name in actor.groups or t.assignee_id == actor.user_id for t in open_tasks):
        return True
    return any(entry.actor == actor.username for entry in history)
