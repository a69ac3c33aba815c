"""Save a workflow after it ran: state, open-task projection, timers and history, together."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from functools import partial
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow

from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import EngineFailure
from sote_flow.engine.cases import case_state_of
from sote_flow.engine.runtime import ReadyHumanTask, StepReport
from sote_flow.packages import SavedCase
from sote_flow.persistence.history import to_plain_json
from sote_flow.persistence.models import HumanTask, OutgoingMessage, ProcessInstance
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
    workflow: BpmnWorkflow,
    report: StepReport,
    actor: str,
) -> None:
    """Persist what the engine did; an engine failure marks the instance instead of raising."""
    now = clock()
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
    for name, payload, correlations in platform.runtime.thrown_messages(workflow):
        uow.messages.add_outgoing(
            OutgoingMessage(
                created_at=now,
                source_instance_id=instance.id,
                name=name,
                payload=to_plain_json(payload if isinstance(payload, dict) else {"value": payload}),
                correlations=to_plain_json(correlations),
                status="pending",
            )
        )
        history.add("message_sent", None, None, {"message": name})
        for listener in platform.outbox_listeners:
            uow.after_commit(listener)
    failure = report.failure
    ready: list[ReadyHumanTask] = []
    if failure is None:
        try:
            ready = _sync_tasks(platform, uow, instance, workflow, history, now)
        except EngineFailure as exc:
            failure = exc
    if failure is None:
        _sync_projections(platform, uow, instance, workflow, ready, now)
    _sync_timers(platform, uow, instance, workflow)
    _sync_messages(platform, uow, instance, workflow)
    instance.state = platform.runtime.dump(workflow)
    instance.updated_at = now
    if failure is not None:
        instance.status = "error"
        instance.error_message = failure.message
        history.add(
            "engine_error", failure.task_name, None, {"message": failure.message, **failure.details}
        )
    elif workflow.is_completed():
        instance.status = "completed"
        instance.ended_at = now
        instance.error_message = None
        history.add("instance_completed", None, None, {})
    else:
        instance.status = "running"
        instance.error_message = None


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
    workflow: BpmnWorkflow,
    ready: list[ReadyHumanTask],
    now: datetime,
) -> None:
    # Queues and reports read projections, never workflows: the generic case row of any
    # process that declares case states, and a process package's own projection.
    declaration = platform.case_declaration(instance.process_version)
    package = platform.package(instance.process_key)
    if declaration is None and (package is None or package.project is None):
        return
    saved = SavedCase(
        instance=instance,
        data=platform.runtime.latest_data(workflow),
        open_elements=[task.element_id for task in ready],
        open_groups=[task.group for task in ready if task.group],
        state=case_state_of(workflow, declaration) if declaration else None,
        completed=workflow.is_completed(),
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
    workflow: BpmnWorkflow,
    history: _History,
    now: Any,
) -> list[ReadyHumanTask]:
    ready = {task.task_id: task for task in platform.runtime.ready_human_tasks(workflow)}
    open_ids = set(uow.tasks.open_ids(instance.id))
    uow.tasks.delete_ids(open_ids - set(ready))
    for task_id, task in ready.items():
        if task_id in open_ids:
            continue
        assignee = uow.users.by_username(task.assignee) if task.assignee else None
        uow.tasks.add(
            HumanTask(
                id=task_id,
                instance_id=instance.id,
                process_key=instance.process_key,
                element_id=task.element_id,
                title=task.title,
                group_name=task.group,
                assignee_id=assignee.id if assignee else None,
                form_file=task.form.schema_file,
                claimable=_claimable(platform, instance, task),
                created_at=now,
                due_at=task.due_at,
            )
        )
        history.add(
            "task_opened",
            task.element_id,
            task_id,
            {"title": task.title, "group": task.group, "assignee": task.assignee},
        )
    return list(ready.values())


def _claimable(platform: Platform, instance: ProcessInstance, task: ReadyHumanTask) -> bool:
    # A form whose submitting is itself the taking ("ui:claim": false) offers no separate claim.
    ui = platform.form(instance.process_version, task.form.ui_schema_file) or {}
    return ui.get("ui:claim", True) is not False


def _sync_timers(
    platform: Platform, uow: UnitOfWork, instance: ProcessInstance, workflow: BpmnWorkflow
) -> None:
    timers = platform.runtime.timers(workflow)
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


def _sync_messages(
    platform: Platform, uow: UnitOfWork, instance: ProcessInstance, workflow: BpmnWorkflow
) -> None:
    names = platform.runtime.waiting_messages(workflow)
    # Like timers: most saves neither had nor have a message to wait for.
    if instance.waits_for_messages:
        uow.messages.clear_waiting(instance.id)
    uow.messages.add_waiting(instance.id, names)
    instance.waits_for_messages = bool(names)
