"""The officers' side of a matter: its page (what the parent told, how to reach the parents,
the meetings with their links, the agreement's download links, open tasks).

Reading a matter is reading client matter: every read is logged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import NotFound, PermissionDenied
from sote_flow.domain.text import t
from sote_flow.engine.runtime import RunContext
from sote_flow.family_law.contacts import (
    CLOSED_STATUSES,
    PROCESS_KEY,
    PartyView,
    party_views,
    update_party,
)
from sote_flow.family_law.meetings import MeetingView, meetings_of
from sote_flow.persistence.models import HumanTask, ProcessInstance
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor, require_writer
from sote_flow.services.documents import LinkView, document_links
from sote_flow.services.instances import log_read, may_read_instance
from sote_flow.services.platform import Platform


@dataclass(frozen=True)
class MatterView:
    """One matter as its officers see it."""

    instance_id: int
    reference: str
    data: dict[str, Any]
    parties: Sequence[PartyView]
    meetings: Sequence[MeetingView]
    links: Sequence[LinkView]
    open_tasks: Sequence[HumanTask]
    open: bool


def matter_view(
    platform: Platform, actor: Actor, uow: UnitOfWork, clock: Clock, instance_id: int
) -> MatterView:
    """Return a matter's page for staff who may read its case; logs the read."""
    instance, open_tasks = _readable(actor, uow, instance_id)
    ctx = RunContext(instance.id, instance.process_key, actor.username, clock)
    workflow, _ = platform.load_workflow(instance, ctx)
    case = uow.cases.get(instance.id)
    view = MatterView(
        instance_id=instance.id,
        reference=case.case_number if case is not None and case.case_number else f"#{instance.id}",
        data=dict(platform.runtime.current_data(workflow)),
        parties=party_views(uow, instance.id),
        meetings=meetings_of(uow, instance.id),
        links=document_links(uow, instance.id, clock()),
        open_tasks=open_tasks,
        open=instance.status not in CLOSED_STATUSES,
    )
    log_read(uow, clock, actor, "family_law", str(instance.id), instance.id, actor.purpose)
    uow.commit()
    return view


def change_party(
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    instance_id: int,
    parent: int,
    email: str,
    phone: str,
) -> None:
    """Correct how one parent of a matter the actor may read is reached."""
    require_writer(actor)  # a reader is refused before anything is looked up
    _readable(actor, uow, instance_id)
    update_party(actor, uow, clock, instance_id, parent, email, phone)


def _readable(
    actor: Actor, uow: UnitOfWork, instance_id: int
) -> tuple[ProcessInstance, Sequence[HumanTask]]:
    instance = uow.instances.get(instance_id)
    if instance is None or instance.process_key != PROCESS_KEY:
        raise NotFound(t("Perheasiaa ei löydy."))
    open_tasks = uow.tasks.for_instance(instance_id)
    case = uow.cases.get(instance_id)
    in_case_group = case is not None and case.group_name in actor.groups
    if not in_case_group and not may_read_instance(
        actor, instance, open_tasks, uow.history.for_instance(instance_id)
    ):
        raise PermissionDenied(t("Sinulla ei ole oikeutta tähän perheasiaan."))
    return instance, open_tasks
