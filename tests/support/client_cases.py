"""Client cases in tests: the social workers' group and people, the diagram, a started case and
calendar appointments on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sote_flow.domain.clock import Clock
from sote_flow.services.actors import Actor
from sote_flow.services.calendar_entries import EntryInput, add_entry
from sote_flow.services.platform import Platform
from tests.support.calendars import at
from tests.support.factories import (
    PROCESSES,
    UnitOfWorkFactory,
    deploy,
    make_actor,
    make_groups,
    start,
)

GROUP = "sosiaalityontekijat"
CLIENT = "7654321"
# A case opened for a client living in Kemijärvi (the municipality that buys the work).
START_FORM: dict[str, Any] = {
    "client_number": CLIENT,
    "municipality": "Kemijärvi",
    "matter_type": "tyoikaiset",
    "notifier": "asiakas",
    "reason": "Asiakas pyysi palvelutarpeen arviointia.",
    "unit": "aikuissosiaalityo",
    "urgent": False,
    "special_group": "ei",
}
# Friday 20.11.2026: in the past of the pinned Monday 23.11.2026.
LAST_FRIDAY = date(2026, 11, 20)


@dataclass(frozen=True)
class CasePeople:
    """Who takes part: two social workers, a family worker outside, an admin, an auditor."""

    sanni: Actor
    sakari: Actor
    perttu: Actor
    admin: Actor
    auditor: Actor


def make_case_people(platform: Platform, uow: UnitOfWorkFactory, clock: Clock) -> CasePeople:
    """Create the social workers' group and the people, and deploy the client-case diagram."""
    make_groups(uow, GROUP, "perhetyo")
    deploy(platform, uow, clock, PROCESSES / "client_case.bpmn")
    return CasePeople(
        sanni=make_actor(uow, clock, "sanni", ["social_worker"], [GROUP]),
        sakari=make_actor(uow, clock, "sakari", ["social_worker"], [GROUP]),
        perttu=make_actor(uow, clock, "perttu", ["family_worker"], ["perhetyo"]),
        admin=make_actor(uow, clock, "aapo", ["administrator"]),
        auditor=make_actor(uow, clock, "aino", ["auditor"]),
    )


def start_case(
    platform: Platform, uow: UnitOfWorkFactory, clock: Clock, actor: Actor, **changes: Any
) -> int:
    """Start a client case (its facts are written on save); returns its instance id."""
    return start(platform, uow, clock, actor, "client_case", {**START_FORM, **changes}).id


def appointment(
    platform: Platform,
    uow: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    start_at: datetime,
    end_at: datetime,
    type_key: str = "office_visit",
    case_id: int | None = None,
    client_number: str = "",
) -> int:
    """Write an appointment into the actor's own calendar; returns the entry's id."""
    data = EntryInput(
        type_key, start_at, end_at, client_number=client_number, case_instance_id=case_id
    )
    with uow() as unit:
        return add_entry(platform, actor, unit, clock, actor.username, data)


def friday(hour: int, minute: int = 0) -> datetime:
    """Return a time on last Friday (Finnish wall clock) as an aware instant."""
    return at(LAST_FRIDAY, hour, minute)
