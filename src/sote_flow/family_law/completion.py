"""What completing a family-law task does beyond the diagram, in the task's own transaction:
booking a meeting writes it into the calendar and invites the parents; a draft must agree on
something; confirming the agreement renders and delivers it. The task and these effects stand
or fall together."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sote_flow.domain.clock import Clock
from sote_flow.family_law.agreement import check_terms, deliver_agreement
from sote_flow.family_law.meetings import book_meetings
from sote_flow.persistence.models import ProcessInstance
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor
from sote_flow.services.platform import Platform

# The diagram's elements whose completion does something here (a test checks they exist).
BOOKING_TASKS = ("book_meeting", "book_again")
DRAFT_TASK = "draft_agreement"
CONFIRM_TASK = "confirm_agreement"


def complete_task(
    platform: Platform,
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    instance: ProcessInstance,
    element_id: str,
    data: Mapping[str, Any],
) -> dict[str, Any]:
    """Do the task's effects and return the facts they add to the task data."""
    if element_id in BOOKING_TASKS:
        return book_meetings(platform, actor, uow, clock, instance, data)
    if element_id == DRAFT_TASK:
        check_terms(data)
    if element_id == CONFIRM_TASK and data.get("confirmation") == "vahvista":
        return deliver_agreement(platform, actor, uow, clock, instance, data)
    return {}
