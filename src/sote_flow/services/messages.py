"""Route messages to the instances waiting for them (the engine itself queues none)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import NotFound
from sote_flow.domain.text import t
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor, require_writer
from sote_flow.services.platform import Platform
from sote_flow.services.submissions import check_message_payload
from sote_flow.services.system import SYSTEM_ACTOR
from sote_flow.services.workflow_state import save_workflow


def send_message(
    platform: Platform,
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    name: str,
    payload: Mapping[str, Any],
    correlations: Mapping[str, Any] | None = None,
    instance_id: int | None = None,
) -> list[int]:
    """Deliver a message to every waiting instance it correlates with; returns their ids.

    `instance_id` narrows delivery to one instance; `correlations` (key -> properties) to the
    instances whose correlation keys match, as the diagram defines them.
    """
    require_writer(actor)
    check_message_payload(payload)
    delivered = _deliver(
        platform, actor, uow, clock, name, payload, correlations or {}, instance_id
    )
    if not delivered:
        raise NotFound(t("Yksikään prosessi ei odota viestiä {name!r}.", name=name))
    uow.commit()
    return delivered


def route_thrown_messages(
    platform: Platform, unit_of_work: Callable[[], UnitOfWork], clock: Clock, batch: int = 50
) -> int:
    """Deliver the messages instances threw, each once; returns how many were routed."""
    with unit_of_work() as uow:
        pending = uow.messages.pending_ids(batch)
    routed = 0
    for message_id in pending:
        with unit_of_work() as uow:
            message = uow.messages.claim_pending(message_id)
            if message is None:  # another scheduler has it, or had it
                continue
            delivered = _deliver(
                platform,
                SYSTEM_ACTOR,
                uow,
                clock,
                message.name,
                message.payload,
                message.correlations,
                None,
            )
            # Nobody waiting now means nobody hears it: the engine queues no messages.
            message.status = "delivered" if delivered else "unheard"
            message.delivered_to = {"instances": delivered}
            uow.commit()
            routed += 1
    return routed


def _deliver(
    platform: Platform,
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    name: str,
    payload: Mapping[str, Any],
    correlations: Mapping[str, Any],
    instance_id: int | None,
) -> list[int]:
    delivered = []
    for candidate in sorted(uow.messages.waiting_instance_ids(name, instance_id)):
        instance = uow.instances.lock(candidate)
        if instance is None or instance.status != "running":
            continue
        ctx = platform.run_context(uow, instance, actor.username, clock)
        workflow, report = platform.load_workflow(instance, ctx)
        if not platform.runtime.deliver_message(workflow, report, name, payload, correlations):
            continue
        uow.history.append(
            at=clock(),
            actor=actor.username,
            action="message_received",
            instance_id=instance.id,
            process_version_id=instance.process_version_id,
            data={"message": name, "payload": dict(payload)},
        )
        save_workflow(platform, uow, clock, instance, workflow, report, actor.username)
        delivered.append(instance.id)
    return delivered
