"""Administrators' view of what went wrong: instances in error (retry), failed mail."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import Conflict
from sote_flow.domain.roles import Role
from sote_flow.domain.text import t
from sote_flow.persistence.models import OutboxMail, ProcessInstance
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor, require_role
from sote_flow.services.mail import failed_mails
from sote_flow.services.platform import Platform
from sote_flow.services.workflow_state import save_workflow

MAX_ROWS = 200


@dataclass(frozen=True)
class Problems:
    """What needs an administrator's attention."""

    instances_in_error: Sequence[ProcessInstance]
    failed_mails: Sequence[OutboxMail]


def list_problems(actor: Actor, uow: UnitOfWork) -> Problems:
    """Return instances in error and mail that could not be delivered."""
    require_role(actor, Role.ADMINISTRATOR)
    return Problems(uow.instances.in_error(MAX_ROWS), failed_mails(actor, uow))


def retry_instance(
    platform: Platform, actor: Actor, uow: UnitOfWork, clock: Clock, instance_id: int
) -> ProcessInstance:
    """Run an instance's failed step again (after its cause was fixed) and carry on."""
    require_role(actor, Role.ADMINISTRATOR)
    instance = uow.instances.lock(instance_id)
    if instance is None or instance.status != "error":
        raise Conflict(t("Prosessi ei ole virhetilassa."))
    ctx = platform.run_context(uow, instance, actor.username, clock)
    workflow, report = platform.load_workflow(instance, ctx)
    retried = platform.runtime.retry(workflow, report)
    uow.history.append(
        at=clock(),
        actor=actor.username,
        action="instance_retried",
        instance_id=instance.id,
        process_version_id=instance.process_version_id,
        data={"tasks": retried, "previous_error": instance.error_message},
    )
    save_workflow(platform, uow, clock, instance, workflow, report, actor.username)
    uow.commit()
    return instance
