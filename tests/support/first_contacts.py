"""First contacts in tests: the advisory, specialists, a family worker with free slots."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from sote_flow.domain.calendar import WeeklyPattern
from sote_flow.domain.clock import Clock
from sote_flow.first_contact.contacts import ContactInput, record_phone_contact
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services import tasks
from sote_flow.services.actors import Actor
from sote_flow.services.calendar_slots import SlotOffer, add_slot_pattern
from sote_flow.services.platform import Platform
from tests.support.factories import PROCESSES, deploy, make_actor, make_groups, open_task

UnitOfWorkFactory = Callable[[], UnitOfWork]
GROUPS = (
    "asiakasneuvonta", "erityistyontekijat", "perhetyontekijat", "lastenvalvojat",
    "lapsiperheiden_avopalvelut",
)  # fmt: skip
CALL = ContactInput(
    topic="arki",
    description="Perhe kaipaa apua arkeen, vauva valvottaa.",
    callback_phone="040 123 4567",
    email="asiakas@example.test",
    preferred_time="aamupäivisin",
)
ASSESSED = {
    "client_number": "1234567",
    "target_service": "family_work",
    "urgency": "kiireellinen",
    "next_step": "varaa",
}


@dataclass(frozen=True)
class ContactPeople:
    """Who works on first contacts."""

    advisor: Actor
    other_advisor: Actor
    specialist: Actor
    worker: Actor
    welfare_officer: Actor
    manager: Actor
    auditor: Actor


def make_contact_people(platform: Platform, uow: UnitOfWorkFactory, clock: Clock) -> ContactPeople:
    """Create the groups and people, deploy the diagram, offer the worker's Tuesday slots."""
    make_groups(uow, *GROUPS)
    deploy(platform, uow, clock, PROCESSES / "first_contact.bpmn")
    people = ContactPeople(
        advisor=make_actor(uow, clock, "noora", ["client_advisor"], ["asiakasneuvonta"]),
        other_advisor=make_actor(uow, clock, "niko", ["client_advisor"], ["asiakasneuvonta"]),
        specialist=make_actor(uow, clock, "eero", ["specialist"], ["erityistyontekijat"]),
        worker=make_actor(uow, clock, "pekka", ["family_worker"], ["perhetyontekijat"]),
        welfare_officer=make_actor(
            uow, clock, "laura", ["child_welfare_officer"], ["lastenvalvojat"]
        ),
        manager=make_actor(uow, clock, "paula", ["service_manager"], email="paula@example.test"),
        auditor=make_actor(uow, clock, "tilintarkastaja", ["auditor"]),
    )
    pattern = WeeklyPattern(1, time(9), time(12), 45, date(2026, 11, 23), date(2026, 12, 31))
    with uow() as unit:
        offer = SlotOffer("family_work", 45, place="Perhekeskus, Kotka")
        add_slot_pattern(people.worker, unit, clock, "pekka", offer, pattern)
    return people


def phone_contact(platform: Platform, uow: UnitOfWorkFactory, clock: Clock, advisor: Actor) -> int:
    """Record a phone contact; returns its instance id."""
    with uow() as unit:
        return record_phone_contact(platform, advisor, unit, clock, CALL).instance_id


def complete(
    platform: Platform,
    uow: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    instance_id: int,
    data: Mapping[str, Any],
) -> None:
    """Complete the instance's open task as `actor` with `data`."""
    task = open_task(uow, instance_id)
    with uow() as unit:
        tasks.complete_task(platform, actor, unit, clock, task.id, data)


def shown_form(
    platform: Platform, uow: UnitOfWorkFactory, clock: Clock, actor: Actor, instance_id: int
) -> tasks.TaskView:
    """Open the instance's task as `actor`, as its page does."""
    task = open_task(uow, instance_id)
    with uow() as unit:
        return tasks.open_task(platform, actor, unit, clock, task.id)
