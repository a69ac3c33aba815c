"""Work on human tasks: inbox, claim, release, open and complete."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import Conflict, NotFound, PermissionDenied
from sote_flow.domain.forms import describe_data, properties_of
from sote_flow.domain.text import t
from sote_flow.engine.runtime import RunContext
from sote_flow.persistence.models import HumanTask, ProcessInstance, ProcessVersion
from sote_flow.persistence.task_repository import OpenTask
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor, require_writer
from sote_flow.services.instances import log_read
from sote_flow.services.platform import Platform
from sote_flow.services.slot_choices import book_chosen_slots, with_slot_choices
from sote_flow.services.staff_directory import (
    SUGGESTIONS_FIELD,
    with_staff_choices,
)
from sote_flow.services.submissions import check_submission
from sote_flow.services.workflow_state import save_workflow

TAKEN_MESSAGE = t("Tehtävä on jo toisen käyttäjän käsittelyssä.")
CLOSED_MESSAGE = t("Tehtävä ei ole enää avoinna: joku ehti tehdä sen ensin.")
MISSING_MESSAGE = t("Tehtävää ei löydy.")


@dataclass(frozen=True)
class InboxPage:
    """One page of an inbox, with the total count for paging."""

    tasks: Sequence[HumanTask]
    total: int
    page: int
    page_size: int


@dataclass(frozen=True)
class TaskView:
    """A task opened for work: its form, instructions and current data."""

    task: HumanTask
    instance: ProcessInstance
    form: dict[str, Any] | None
    ui_schema: dict[str, Any] | None
    instructions: str | None
    data: dict[str, Any]
    case_data: list[tuple[str, str]]
    # False for someone who only oversees (a manager, an auditor): shown no form, no buttons.
    may_work: bool = True


def my_tasks(actor: Actor, uow: UnitOfWork, page: int, page_size: int) -> InboxPage:
    """Return a page of the tasks assigned to the actor."""
    offset = (max(page, 1) - 1) * page_size
    tasks = uow.tasks.assigned_to(actor.user_id, page_size, offset)
    return InboxPage(tasks, uow.tasks.count_assigned_to(actor.user_id), page, page_size)


def group_tasks(actor: Actor, uow: UnitOfWork, page: int, page_size: int) -> InboxPage:
    """Return a page of the unclaimed tasks of the actor's groups."""
    groups = sorted(actor.groups)
    offset = (max(page, 1) - 1) * page_size
    tasks = uow.tasks.unassigned_in_groups(groups, page_size, offset)
    return InboxPage(tasks, uow.tasks.count_unassigned_in_groups(groups), page, page_size)


def claim_task(actor: Actor, uow: UnitOfWork, clock: Clock, task_id: str) -> HumanTask:
    """Assign an unclaimed task of one of the actor's groups to the actor."""
    require_writer(actor)
    _, task = _lock(uow, task_id)
    if task.group_name not in actor.groups:
        raise PermissionDenied(t("Tehtävä kuuluu ryhmälle, jonka jäsen et ole."))
    if task.assignee_id == actor.user_id:
        return task
    if not uow.tasks.set_assignee_if(task_id, None, actor.user_id):
        raise Conflict(TAKEN_MESSAGE)
    _log(uow, clock, actor, task, "task_claimed", {})
    uow.commit()
    return task


def release_task(actor: Actor, uow: UnitOfWork, clock: Clock, task_id: str) -> HumanTask:
    """Give a claimed task back to its group."""
    require_writer(actor)
    task = _open_task(uow, task_id)
    if task.group_name is None:
        raise Conflict(t("Henkilölle osoitettua tehtävää ei voi palauttaa ryhmälle."))
    if not uow.tasks.set_assignee_if(task_id, actor.user_id, None):
        raise Conflict(t("Tehtävä ei ole sinun käsittelyssäsi."))
    _log(uow, clock, actor, task, "task_released", {})
    uow.commit()
    return task


def task_form(
    platform: Platform, actor: Actor, uow: UnitOfWork, task_id: str
) -> tuple[dict[str, Any] | None, ProcessVersion]:
    """Return the JSON Schema a task's submission is read with, and its version (no workflow
    load, no read logged: completing the task checks and logs the rest)."""
    task, instance = _readable_task(actor, uow, task_id)
    return platform.form(instance.process_version, task.form_file), instance.process_version


def _readable_task(
    actor: Actor, uow: UnitOfWork, task_id: str
) -> tuple[HumanTask, ProcessInstance]:
    # An open task the actor may work on or oversee, with its instance.
    task = _open_task(uow, task_id)
    if not (_may_work_on(actor, task) or actor.oversees):
        raise PermissionDenied(t("Tehtävä ei kuulu sinulle eikä ryhmällesi."))
    instance = uow.instances.get(task.instance_id)
    if instance is None:  # cannot happen while the projection's foreign key holds
        raise Conflict(CLOSED_MESSAGE)
    return task, instance


def open_task(
    platform: Platform, actor: Actor, uow: UnitOfWork, clock: Clock, task_id: str
) -> TaskView:
    """Return a task with its form and data for the actor to work on; logs the read."""
    task, instance = _readable_task(actor, uow, task_id)
    ctx = RunContext(instance.id, instance.process_key, actor.username, clock)
    workflow, _ = platform.load_workflow(instance, ctx)
    ref = platform.runtime.form_of(workflow, task_id)
    purpose = actor.purpose if actor.oversees and not _may_work_on(actor, task) else task.title
    data = platform.runtime.task_data(workflow, task_id)
    log_read(uow, clock, actor, "task", task.id, instance.id, purpose)
    uow.commit()
    return TaskView(
        task=task,
        instance=instance,
        form=with_slot_choices(
            _form(platform, uow, instance, ref.schema_file, data), uow, clock, data
        ),
        ui_schema=platform.form(instance.process_version, ref.ui_schema_file),
        instructions=ref.instructions,
        data=data,
        case_data=describe_data(
            platform.form_schemas(instance.process_version),
            data,
        ),
        may_work=_may_work_on(actor, task) and not actor.read_only,
    )


@dataclass(frozen=True)
class NextTask(OpenTask):
    """A task open to the actor after a completion, with its assignee's username."""

    assignee: str | None


@dataclass(frozen=True)
class Completion:
    """A completed task's instance and the instance's tasks now open to the same user."""

    instance: ProcessInstance
    next_tasks: Sequence[NextTask]


def complete_task(
    platform: Platform,
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    task_id: str,
    data: Mapping[str, Any],
) -> ProcessInstance:
    """Complete a task with form `data` and run the instance on to its next wait state."""
    instance, _ = _complete(platform, actor, uow, clock, task_id, data)
    uow.commit()
    return instance


def complete_task_and_next(
    platform: Platform,
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    task_id: str,
    data: Mapping[str, Any],
) -> Completion:
    """Complete a task like `complete_task`; also return the tasks the actor may do next."""
    instance, open_tasks = _complete(platform, actor, uow, clock, task_id, data)
    # As the save wrote them, so a client needs no list call to find its next step. A task
    # open to the actor is either assigned to the actor or to none.
    following = [
        NextTask(**asdict(task), assignee=actor.username if task.assignee_id else None)
        for task in sorted(open_tasks, key=lambda task: (task.created_at, task.id))
        if _may_work_on(actor, task)
    ]
    uow.commit()
    return Completion(instance, following)


def _complete(
    platform: Platform,
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    task_id: str,
    data: Mapping[str, Any],
) -> tuple[ProcessInstance, list[OpenTask]]:
    require_writer(actor)
    instance, task = _lock(uow, task_id)
    _require_work_on(actor, task)
    ctx = platform.run_context(uow, instance, actor.username, clock)
    workflow, report = platform.load_workflow(instance, ctx)
    shown = platform.runtime.task_data(workflow, task_id)
    form = _form(platform, uow, instance, task.form_file, shown)
    check_submission(form, data, platform.client_numbers)
    # A chosen first-visit slot is booked in this transaction: the task and the booking stand
    # or fall together.
    booked = book_chosen_slots(platform, actor, uow, clock, instance, form, {**shown, **data})
    # The package sees this form's fields as submitted now (not as an earlier round left them).
    own = {name for name, prop in properties_of(form or {}).items() if not prop.get("readOnly")}
    earlier = {name: value for name, value in shown.items() if name not in own}
    booked.update(
        _package_effects(platform, actor, uow, clock, instance, task, {**earlier, **data})
    )
    before = platform.runtime.current_data(workflow)
    platform.runtime.complete_task(workflow, report, task_id, {**data, **booked})
    after = platform.runtime.current_data(workflow)
    _log(
        uow,
        clock,
        actor,
        task,
        "task_completed",
        {"submitted": dict(data), "changed": _changes(before, after)},
    )
    open_tasks = save_workflow(platform, uow, clock, instance, workflow, report, actor.username)
    return instance, open_tasks


def _package_effects(
    platform: Platform,
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    instance: ProcessInstance,
    task: HumanTask,
    data: Mapping[str, Any],
) -> Mapping[str, Any]:
    # What the process's own package does on this task (in this transaction), and its facts.
    package = platform.package(instance.process_key)
    if package is None or package.complete_task is None:
        return {}
    return package.complete_task(platform, actor, uow, clock, instance, task.element_id, data)


def _form(
    platform: Platform,
    uow: UnitOfWork,
    instance: ProcessInstance,
    file_name: str | None,
    data: Mapping[str, Any],
) -> dict[str, Any] | None:
    # Staff choices (e.g. family workers) are read when the form is shown and when it is sent.
    suggestions = data.get(SUGGESTIONS_FIELD) or []
    suggested = [str(s.get("username")) for s in suggestions if isinstance(s, dict)]
    form = platform.form(instance.process_version, file_name)
    return with_staff_choices(form, platform.staff_directory(uow), suggested)


def _open_task(uow: UnitOfWork, task_id: str) -> HumanTask:
    task = uow.tasks.get(task_id)
    if task is None:
        raise _gone(uow, task_id)
    return task


def _gone(uow: UnitOfWork, task_id: str) -> Conflict | NotFound:
    # A task that was open once has been done by someone; one that never was is no task.
    if uow.history.mentions_task(task_id):
        return Conflict(CLOSED_MESSAGE)
    return NotFound(MISSING_MESSAGE)


def _lock(uow: UnitOfWork, task_id: str) -> tuple[ProcessInstance, HumanTask]:
    # Every change to an instance or its tasks takes the instance's row lock first, so of two
    # people acting at once the second waits here and then sees the first one's result.
    locked = uow.tasks.lock_open(task_id)
    if locked is None:
        raise _gone(uow, task_id)
    return locked


def _require_work_on(actor: Actor, task: HumanTask) -> None:
    if _may_work_on(actor, task):
        return
    if task.group_name in actor.groups:  # a colleague took it first
        raise Conflict(TAKEN_MESSAGE)
    raise PermissionDenied(t("Tehtävä ei kuulu sinulle eikä ryhmällesi."))


def _may_work_on(actor: Actor, task: HumanTask | OpenTask) -> bool:
    if task.assignee_id is not None:
        return task.assignee_id == actor.user_id
    return task.group_name in actor.groups


def _log(
    uow: UnitOfWork, clock: Clock, actor: Actor, task: HumanTask, action: str, data: dict[str, Any]
) -> None:
    uow.history.append(
        at=clock(),
        actor=actor.username,
        action=action,
        instance_id=task.instance_id,
        task_id=task.id,
        task_name=task.element_id,
        data={"title": task.title, **data},
    )


def _changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    keys = set(before) | set(after)
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}
