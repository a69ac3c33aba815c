"""Demo calendars: the family workers offer first visits and have a few entries this week."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time, timedelta

from sote_flow.domain.calendar import WeeklyPattern, finnish_datetime
from sote_flow.domain.clock import Clock
from sote_flow.domain.weekdays import FINNISH_TIME
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import actor_from_user
from sote_flow.services.calendar_entries import EntryInput, add_entry
from sote_flow.services.calendar_slots import SlotOffer, add_slot_pattern
from sote_flow.services.platform import Platform

# (worker, weekday of the first-visit slots, this week's entries: weekday, start, end, type, place)
DEMO_CALENDARS = (
    ("perhetyontekija", 1, ((0, 9, 11, "home_visit", "Karhula"), (2, 13, 14, "documentation", ""))),
    ("perhetyontekija2", 3, ((1, 10, 12, "network_meeting", "Perhekeskus"),)),
    ("perhetyontekija3", 2, ((3, 8, 10, "home_visit", "Kotka, keskusta"),)),
)


def seed_demo_calendars(
    platform: Platform, unit_of_work: Callable[[], UnitOfWork], clock: Clock
) -> list[str]:
    """Give each demo family worker first-visit slots for eight weeks and a few entries."""
    done = []
    today = clock().astimezone(FINNISH_TIME).date()
    monday = today - timedelta(days=today.weekday())
    for username, weekday, entries in DEMO_CALENDARS:
        with unit_of_work() as uow:
            user = uow.users.by_username(username)
            if user is None or uow.calendar.patterns_of(user.id):
                continue
            worker = actor_from_user(user)
        pattern = WeeklyPattern(weekday, time(9), time(12), 45, today, today + timedelta(weeks=8))
        offer = SlotOffer("family_work", 45, place="Perhekeskus, Kotka")
        with unit_of_work() as uow:
            add_slot_pattern(worker, uow, clock, username, offer, pattern)
        for day, start, end, type_key, place in entries:
            on = monday + timedelta(days=day)
            data = EntryInput(
                type_key,
                finnish_datetime(on, time(start)),
                finnish_datetime(on, time(end)),
                place=place,
            )
            with unit_of_work() as uow:
                add_entry(platform, worker, uow, clock, username, data)
        done.append(f"calendar {username}")
    return done
