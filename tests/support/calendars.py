"""Factories for calendar tests: a team with a lead, entries and booked appointments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sote_flow.domain.calendar import WeeklyPattern, finnish_datetime
from sote_flow.domain.clock import Clock
from sote_flow.services.actors import Actor
from sote_flow.services.calendar_entries import EntryInput, add_entry
from sote_flow.services.calendar_slots import (
    Booking,
    SlotOffer,
    add_slot_pattern,
    book_slot,
    next_free_slots,
)
from sote_flow.services.platform import Platform
from tests.support.factories import UnitOfWorkFactory, make_actor, make_groups


@dataclass(frozen=True)
class Team:
    """A family-work team: two workers, a lead, a colleague in another team, an advisor."""

    anna: Actor
    ville: Actor
    lead: Actor
    outsider: Actor
    advisor: Actor
    auditor: Actor


def make_team(uow: UnitOfWorkFactory, clock: Clock) -> Team:
    """Create the team's users and groups."""
    make_groups(uow, "perhetyo", "vammaispalvelut", "neuvonta")
    return Team(
        anna=make_actor(uow, clock, "anna", ["family_worker"], ["perhetyo"], "anna@example.test"),
        ville=make_actor(uow, clock, "ville", ["family_worker"], ["perhetyo"]),
        lead=make_actor(uow, clock, "leena", ["team_lead"], ["perhetyo"], "leena@example.test"),
        outsider=make_actor(uow, clock, "olavi", ["family_worker"], ["vammaispalvelut"]),
        advisor=make_actor(uow, clock, "neuvo", ["client_advisor"], ["neuvonta"]),
        auditor=make_actor(uow, clock, "tarkastaja", ["auditor"]),
    )


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """Return a Finnish wall-clock time as an aware UTC instant."""
    return finnish_datetime(day, time(hour, minute))


def write_entry(
    platform: Platform,
    uow: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    type_key: str,
    start: datetime,
    end: datetime,
    **fields: str,
) -> int:
    """Write an entry into the actor's own calendar and return its id."""
    with uow() as unit:
        return add_entry(
            platform, actor, unit, clock, actor.username, EntryInput(type_key, start, end, **fields)
        )


def offer_weekly(
    uow: UnitOfWorkFactory,
    clock: Clock,
    worker: Actor,
    service: str,
    weekday: int,
    since: date,
    until: date,
) -> int:
    """Offer 9–12 in 45-minute slots every `weekday`; returns how many slots were made."""
    pattern = WeeklyPattern(weekday, time(9), time(12), 45, since, until)
    with uow() as unit:
        offer = SlotOffer(service, 45, place="Perhekeskus, Kotka")
        return add_slot_pattern(worker, unit, clock, worker.username, offer, pattern)[1]


def book_first(
    platform: Platform,
    uow: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    service: str,
    client_number: str,
    client_email: str = "",
) -> int:
    """Book the service's first free slot for a client; returns the appointment id."""
    with uow() as unit:
        slot = next_free_slots(unit, clock, service)[0]
    with uow() as unit:
        booking = Booking(client_number, client_email=client_email)
        return book_slot(platform, actor, unit, clock, slot.id, booking)
