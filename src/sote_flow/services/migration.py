"""Move a waiting instance to a newer version of its process (when SpiffWorkflow's diff allows)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import Conflict, EngineFailure, NotFound
from sote_flow.domain.text import t
from sote_flow.engine.runtime import StepReport, Workflow
from sote_flow.engine.versions import MigrationPlan
from sote_flow.persistence.models import ProcessInstance, ProcessVersion
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor, require_role, require_writer
from sote_flow.services.platform import Platform
from sote_flow.services.process_versions import OWNER_ROLES
from sote_flow.services.workflow_state import save_workflow

MAX_CANDIDATES = 200


@dataclass(frozen=True)
class MigrationCheck:
    """An instance, the version it would move to, and whether it can."""

    instance: ProcessInstance
    target: ProcessVersion
    plan: MigrationPlan


def migration_candidates(actor: Actor, uow: UnitOfWork, key: str) -> Sequence[ProcessInstance]:
    """Return the running instances of `key` on a version older than the newest."""
    require_role(actor, *OWNER_ROLES)
    latest = uow.processes.latest(key)
    if latest is None:
        raise NotFound(t("Prosessia {key} ei löytynyt.", key=key))
    return uow.instances.running_below_version(key, latest.version, MAX_CANDIDATES)


def check_migration(
    platform: Platform,
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    instance_id: int,
    target_version: int | None = None,
) -> MigrationCheck:
    """Try the migration on a copy of the instance's state and report whether it can be done."""
    require_role(actor, *OWNER_ROLES)
    instance = uow.instances.get(instance_id)
    if instance is None:
        raise NotFound(t("Asiaa ei löytynyt."))
    return _plan(platform, actor, uow, clock, instance, target_version)[0]


def migrate_instance(
    platform: Platform,
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    instance_id: int,
    target_version: int | None = None,
) -> MigrationCheck:
    """Move a waiting instance to a newer version under its row lock, and log it."""
    require_role(actor, *OWNER_ROLES)
    require_writer(actor)
    instance = uow.instances.lock(instance_id)
    if instance is None:
        raise NotFound(t("Asiaa ei löytynyt."))
    check, workflow, report = _plan(platform, actor, uow, clock, instance, target_version)
    if not check.plan.possible:
        raise Conflict(
            t("Siirto ei ole mahdollinen: {blockers}", blockers=" ".join(check.plan.blockers))
        )
    source = instance.process_version
    target = check.target
    # Work the migration made possible (a reset task that is automatic) runs right away.
    platform.runtime.wake(workflow, report)
    instance.process_version_id = target.id
    instance.process_version = target
    uow.history.append(
        at=clock(),
        actor=actor.username,
        action="instance_migrated",
        instance_id=instance.id,
        process_version_id=target.id,
        data={
            "from_version": source.version,
            "to_version": target.version,
            "from_version_id": source.id,
            "to_version_id": target.id,
            "changed_current": [ref.element_id for ref in check.plan.changed_current],
        },
    )
    save_workflow(platform, uow, clock, instance, workflow, report, actor.username)
    _refresh_open_tasks(platform, uow, instance, workflow)
    uow.commit()
    return check


def _plan(
    platform: Platform,
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    instance: ProcessInstance,
    target_version: int | None,
) -> tuple[MigrationCheck, Workflow, StepReport]:
    current = instance.process_version
    target = (
        uow.processes.latest(instance.process_key)
        if target_version is None
        else uow.processes.by_number(instance.process_key, target_version)
    )
    if target is None:
        raise NotFound(
            t(
                "Prosessin {key} versiota {number} ei löytynyt.",
                key=instance.process_key,
                number=target_version,
            )
        )
    reasons = []
    if instance.status != "running":
        reasons.append("Vain käynnissä olevan, odottavan asian voi siirtää uuteen versioon.")
    if target.version <= current.version:
        reasons.append(
            f"Asia on jo versiossa {current.version}; siirron kohteen on oltava uudempi versio."
        )
    ctx = platform.run_context(uow, instance, actor.username, clock)
    workflow, report = platform.load_workflow(instance, ctx)
    if reasons:
        plan = MigrationPlan(tuple(reasons), ())
    else:
        plan = platform.runtime.migrate(workflow, report, platform.parsed(target))
    return MigrationCheck(instance, target, plan), workflow, report


def _refresh_open_tasks(
    platform: Platform, uow: UnitOfWork, instance: ProcessInstance, workflow: Workflow
) -> None:
    # save_workflow adds and removes open tasks; a task that stayed open keeps its row (and who
    # claimed it) but takes the new version's title, group, form and due time.
    if instance.status != "running":
        return
    try:
        ready = {t.task_id: t for t in platform.runtime.ready_human_tasks(workflow)}
    except EngineFailure:
        return
    for row in uow.tasks.for_instance(instance.id):
        task = ready.get(row.id)
        if task is None:
            continue
        row.title = task.title
        row.element_id = task.element_id
        row.group_name = task.group
        row.form_file = task.form.schema_file
        row.due_at = task.due_at
