"""Save a workflow after it ran: state, open-task projection, timers and history, together."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, replace
from datetime import datetime
from functools import partial
from typing import Any

from sote_flow.domain.clock import Clock
from sote_flow.engine.cases import CaseDeclaration
from sote_flow.engine.runtime import StepReport, Workflow
from sote_flow.engine.snapshot import ReadyHumanTask, StepSnapshot
from sote_flow.packages import SavedCase
from sote_flow.persistence.history import to_plain_json
from sote_flow.persistence.models import OutgoingMessage, ProcessInstance
from sote_flow.persistence.task_repository import OpenTask
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.case_projection import sync_case
from sote_flow.services.mail import queue_mails
from sote_flow.services.platform import Platform

TIMER_CHANNEL = "sote_flow_timers"


def save_workflow(
    platform: Platform,
    uow: UnitOfWork,
    clock: Clock,
    instance: ProcessInstance,
    workflow: Workflow,
    report: StepReport,
    actor: str,
) -> list[OpenTask]:
    """Persist what the engine did; an engine failure marks the instance instead of raising.
    Returns the instance's open tasks as now stored."""
    now = clock()
    declaration = platform.case_declaration(instance.process_version)
    snapshot = platform.runtime.snapshot(workflow, report, declaration)
    history = _History(uow, instance, actor, now)
    for call in report.service_calls:
        history.add(
            "service_task",
            call.element_id,
            None,
            {"operator": call.operator, "result": call.result},
        )
    if report.mails:
        queued = queue_mails(platform, uow, clock, instance.id, report.mails)
        history.add("mail_queued", None, None, {"mails": len(report.mails), "recipients": queued})
    _queue_thrown(platform, uow, instance, snapshot, history, now)
    failure = snapshot.failure
    open_tasks: list[OpenTask] = []
    if failure is None:
        open_tasks = _sync_tasks(platform, uow, instance, snapshot.ready, history, now)
        _sync_projections(platform, uow, instance, snapshot, declaration, now)
    _sync_timers(platform, uow, instance, snapshot)
    _sync_messages(uow, instance, snapshot)
    instance.state = snapshot.state
    instance.updated_at = now
    if failure is not None:
        instance.status = "error"
        instance.error_message = failure.message
        history.add(
            "engine_error", failure.task_name, None, {"message": failure.message, **failure.details}
        )
    elif snapshot.completed:
        instance.status = "completed"
        instance.ended_at = now
        instance.error_message = None
        history.add("instance_completed", None, None, {})
    else:
        instance.status = "running"
        instance.error_message = None
    return open_tasks


def _queue_thrown(
    platform: Platform,
    uow: UnitOfWork,
    instance: ProcessInstance,
    snapshot: StepSnapshot,
    history: _History,
    now: datetime,
) -> None:
    for message in snapshot.thrown_messages:
        payload = message.payload
        uow.messages.add_outgoing(
            OutgoingMessage(
                created_at=now,
                source_instance_id=instance.id,
                name=message.name,
                payload=to_plain_json(payload if isinstance(payload, dict) else {"value": payload}),
                correlations=to_plain_json(message.correlations),
                status="pending",
            )
        )
        history.add("message_sent", None, None, {"message": message.name})
        for listener in platform.outbox_listeners:
            uow.after_commit(listener)


class _History:
    def __init__(self, uow: UnitOfWork, instance: ProcessInstance, actor: str, now: Any) -> None:
        self.uow, self.instance, self.actor, self.now = uow, instance, actor, now

    def add(
        self, action: str, task_name: str | None, task_id: str | None, data: dict[str, Any]
    ) -> None:
        self.uow.history.append(
            at=self.now,
            actor=self.actor,
            action=action,
            instance_id=self.instance.id,
            task_id=task_id,
            task_name=task_name,
            process_version_id=self.instance.process_version_id,
            data=data,
        )


def _sync_projections(
    platform: Platform,
    uow: UnitOfWork,
    instance: ProcessInstance,
    snapshot: StepSnapshot,
    declaration: CaseDeclaration | None,
    now: datetime,
) -> None:
    # Queues and reports read projections, never workflows: the generic case row of any
    # process that declares case states, and a process package's own projection.
    ready = snapshot.ready
    package = platform.package(instance.process_key)
    if declaration is None and (package is None or package.project is None):
        return
    saved = SavedCase(
        instance=instance,
        data=snapshot.latest_data,
        open_elements=[task.element_id for task in ready],
        open_groups=[task.group for task in ready if task.group],
        state=snapshot.case_state,
        completed=snapshot.completed,
        at=now,
    )
    if package is not None and package.case_state is not None:
        saved = replace(saved, state=package.case_state(saved))
    if declaration is not None:
        sync_case(platform, uow, saved, declaration)
    if package is not None and package.project is not None:
        package.project(uow, saved)


def _sync_tasks(
    platform: Platform,
    uow: UnitOfWork,
    instance: ProcessInstance,
    ready: Sequence[ReadyHumanTask],
    history: _History,
    now: Any,
) -> list[OpenTask]:
    # The projection is written whole in two statements: a task still open keeps its row as it
    # was (claim, creation time); a new one gets its assignee's id from the username in the
    # database, with no round trip of its own.
    previous = uow.tasks.take_open(instance.id)
    rows: list[dict[str, Any]] = []
    for task in ready:
        kept = previous.get(task.task_id)
        if kept is not None:
            rows.append({**asdict(kept), "assignee_name": None})
            continue
        rows.append(
            {
                "id": task.task_id,
                "instance_id": instance.id,
                "process_key": instance.process_key,
                "element_id": task.element_id,
                "title": task.title,
                "group_name": task.group,
                "assignee_id": None,
                "assignee_name": task.assignee,
                "form_file": task.form.schema_file,
                "claimable": _claimable(platform, instance, task),
                "created_at": now,
                "due_at": task.due_at,
            }
        )
        history.add(
            "task_opened",
            task.element_id,
            task.task_id,
            {"title": task.title, "group": task.group, "assignee": task.assignee},
        )
    return uow.tasks.put_open(rows)


def _claimable(platform: Platform, instance: ProcessInstance, task: ReadyHumanTask) -> bool:
    # A form whose submitting is itself the taking ("ui:claim": false) offers no separate claim.
    ui = platform.form(instance.process_version, task.form.ui_schema_file) or {}
    return ui.get("ui:claim", True) is not False


def _sync_timers(
    platform: Platform, uow: UnitOfWork, instance: ProcessInstance, snapshot: StepSnapshot
) -> None:
    timers = list(snapshot.timers)
    # Most steps neither had nor have timers; the instance row says so without a query.
    if instance.next_timer_at is not None:
        uow.instances.clear_timers(instance.id)
    uow.instances.add_timers(instance.id, timers)
    previous = instance.next_timer_at
    instance.next_timer_at = next_due = min((due for _, due in timers), default=None)
    if next_due is not None and next_due != previous:
        # Schedulers learn of the new timer at once: this process's directly, others by NOTIFY.
        uow.notify(TIMER_CHANNEL, next_due.isoformat())
        for listener in platform.timer_listeners:
            uow.after_commit(partial(listener, next_due))


def _sync_messages(uow: UnitOfWork, instance: ProcessInstance, snapshot: StepSnapshot) -> None:
    names = list(snapshot.waiting_messages)
    # Like timers: most saves neither had nor have a message to wait for.
    if instance.waits_for_messages:
        uow.messages.clear_waiting(instance.id)
    uow.messages.add_waiting(instance.id, names)
    instance.waits_for_messages = bool(names)
