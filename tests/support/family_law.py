"""Family-law matters in tests: the officers, a manager, a matter from the public form."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sote_flow.domain.clock import Clock
from sote_flow.engine.runtime import RunContext
from sote_flow.family_law.contacts import MatterInput
from sote_flow.family_law.public import submit_matter_form
from sote_flow.persistence.models import OutboxMail
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services import tasks
from sote_flow.services.actors import Actor
from sote_flow.services.platform import Platform
from tests.support.factories import PROCESSES, deploy, make_actor, make_groups, open_task

UnitOfWorkFactory = Callable[[], UnitOfWork]
PARENT_1 = "vanhempi.yksi@example.test"
PARENT_2 = "vanhempi.kaksi@example.test"
FORM = MatterInput(
    matters=["huolto", "asuminen", "elatus"],
    child_birth_year="2018",
    parents_willing="molemmat",
    meeting_preference="eta",
    municipality="Utsjoki",
    email_1=PARENT_1,
    email_2=PARENT_2,
)
# Thursday 26.11.2026 at 9.30 Finnish time, remote, both parents together.
JOINT_MEETING = {
    "meeting_mode": "eta",
    "meeting_day": "2026-11-26",
    "meeting_time": "9.30",
    "meeting_minutes": 60,
    "office": "Rovaniemi",
}
AGREED_TERMS = {
    "custody": "yhteishuolto",
    "residence": "vuoroasuminen",
    "visitation": "Lapsi asuu viikon kerrallaan kummankin vanhemman luona.",
    "maintenance_amount": 250,
    "maintenance_payer": "vanhempi1",
}


@dataclass(frozen=True)
class FamilyPeople:
    """Who works on family-law matters."""

    officer: Actor
    other_officer: Actor
    manager: Actor
    worker: Actor
    auditor: Actor


def make_family_people(platform: Platform, uow: UnitOfWorkFactory, clock: Clock) -> FamilyPeople:
    """Create the officers' group and people, and deploy the diagram."""
    make_groups(uow, "lastenvalvojat")
    deploy(platform, uow, clock, PROCESSES / "family_law.bpmn")
    return FamilyPeople(
        officer=make_actor(uow, clock, "laura", ["child_welfare_officer"], ["lastenvalvojat"]),
        other_officer=make_actor(
            uow, clock, "lasse", ["child_welfare_officer"], ["lastenvalvojat"]
        ),
        manager=make_actor(uow, clock, "paula", ["service_manager"], email="paula@example.test"),
        worker=make_actor(uow, clock, "pekka", ["family_worker"]),
        auditor=make_actor(uow, clock, "aulis", ["auditor"]),
    )


def parent_form(
    platform: Platform,
    uow: UnitOfWorkFactory,
    clock: Clock,
    data: MatterInput = FORM,
    address: str = "198.51.100.7",
) -> int:
    """Send the parents' public form; returns the matter's instance id."""
    with uow() as unit:
        return submit_matter_form(platform, unit, clock, address, data).instance_id


def complete(
    platform: Platform,
    uow: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    instance_id: int,
    data: Mapping[str, Any],
) -> None:
    """Claim (if need be) and complete the matter's open task as `actor` with `data`."""
    task = open_task(uow, instance_id)
    if task.assignee_id is None:
        with uow() as unit:
            tasks.claim_task(actor, unit, clock, task.id)
    with uow() as unit:
        tasks.complete_task(platform, actor, unit, clock, task.id, data)


def data_of(platform: Platform, uow: UnitOfWorkFactory, clock: Clock, instance_id: int) -> Any:
    """Return the matter's workflow data."""
    with uow() as unit:
        instance = unit.instances.get(instance_id)
        assert instance is not None
        workflow, _ = platform.load_workflow(
            instance, RunContext(instance_id, "family_law", "test", clock)
        )
        return platform.runtime.current_data(workflow)


def mails_to(uow: UnitOfWorkFactory, address: str) -> list[OutboxMail]:
    """Return the outbox rows to one address, oldest first."""
    with uow() as unit:
        rows = unit.session.query(OutboxMail).filter_by(to_address=address).order_by(OutboxMail.id)
        return list(rows)


def agree(platform: Platform, uow: UnitOfWorkFactory, clock: Clock, people: FamilyPeople) -> int:
    """A matter through a joint meeting to a confirmed agreement; returns its instance id."""
    instance_id = parent_form(platform, uow, clock)
    complete(platform, uow, clock, people.officer, instance_id, JOINT_MEETING)
    complete(platform, uow, clock, people.officer, instance_id, {"outcome": "sopimus"})
    complete(platform, uow, clock, people.officer, instance_id, AGREED_TERMS)
    complete(platform, uow, clock, people.officer, instance_id, {"confirmation": "vahvista"})
    return instance_id
