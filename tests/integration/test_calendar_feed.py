"""The iCalendar feed: a worker's live entries at a secret address, with no client data.

The clock is Mon 23.11.2026 08.00 UTC; the feed covers 60 days back and 365 days ahead.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from sote_flow.domain.errors import NotFound, PermissionDenied
from sote_flow.persistence.calendar_models import CalendarFeed
from sote_flow.persistence.models import HistoryEntry
from sote_flow.services.calendar_entries import EntryInput, add_entry, cancel_entry, move_entry
from sote_flow.services.calendar_feed import create_feed, feed_status, render_feed, revoke_feed
from tests.support.factories import make_actor, make_groups

CLIENT = "12345678"
EMAIL = "asiakas.salainen@example.fi"


def utc(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def people(uow, clock):
    make_groups(uow, "perhetyo")
    worker = make_actor(uow, clock, "maija", ["family_worker"], ["perhetyo"])
    other = make_actor(uow, clock, "kalle", ["family_worker"], ["perhetyo"])
    auditor = make_actor(uow, clock, "tarja", ["auditor"])
    return worker, other, auditor


def add(platform, uow, clock, actor, data: EntryInput) -> int:
    with uow() as unit:
        return add_entry(platform, actor, unit, clock, actor.username, data)


@pytest.fixture
def entries(platform, uow, clock, people):
    worker, other, _ = people
    ids = {
        "office": add(platform, uow, clock, worker, EntryInput(
            "office_visit", utc(11, 24, 8), utc(11, 24, 9), place="Perheneuvola, Kauppakatu 3",
            client_number=CLIENT, service_key="family_work")),
        "remote": add(platform, uow, clock, worker, EntryInput(
            "remote_meeting", utc(11, 25, 10), utc(11, 25, 10, 45), remote=True,
            client_number=CLIENT)),
        "moved": add(platform, uow, clock, worker, EntryInput(
            "home_visit", utc(11, 26, 9), utc(11, 26, 10), place="Kotikatu 5 B 12",
            client_number=CLIENT)),
        "cancelled": add(platform, uow, clock, worker, EntryInput(
            "documentation", utc(11, 23, 12), utc(11, 23, 13))),
        "inside_past": add(platform, uow, clock, worker, EntryInput(
            "internal_meeting", utc(10, 5, 7), utc(10, 5, 8))),
        "outside_past": add(platform, uow, clock, worker, EntryInput(
            "internal_meeting", utc(9, 10, 7), utc(9, 10, 8))),
        "outside_ahead": add(platform, uow, clock, worker, EntryInput(
            "internal_meeting", utc(1, 10, 7, year=2028), utc(1, 10, 8, year=2028))),
        "colleague": add(platform, uow, clock, other, EntryInput(
            "office_visit", utc(11, 24, 8), utc(11, 24, 9), place="Muu paikka")),
    }  # fmt: skip
    with uow() as unit:
        entry = unit.calendar.entry(ids["office"])
        assert entry is not None
        entry.client_email = EMAIL  # a confirmation address the feed must never carry
        unit.commit()
    with uow() as unit:
        move_entry(
            platform, worker, unit, clock, ids["moved"], utc(11, 27, 11), utc(11, 27, 12, 30)
        )
    with uow() as unit:
        cancel_entry(platform, worker, unit, clock, ids["cancelled"])
    return ids


def feed_of(uow, clock, token: str) -> tuple[bytes, Calendar]:
    with uow() as unit:
        body = render_feed(unit, clock, token)
    return body, Calendar.from_ical(body)


def test_feed_lists_the_workers_live_entries_without_client_data(uow, clock, people, entries):
    worker = people[0]
    with uow() as unit:
        token = create_feed(worker, unit, clock)
    body, calendar = feed_of(uow, clock, token)

    assert calendar["X-WR-CALNAME"] == "Työkalenteri – maija"
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    expected = {
        f"entry-{entries[name]}@sote-flow": row
        for name, row in {
            "office": (utc(11, 24, 8), utc(11, 24, 9), "Asiakastapaaminen toimipisteessä",
                       "Perheneuvola, Kauppakatu 3"),
            "remote": (utc(11, 25, 10), utc(11, 25, 10, 45), "Etätapaaminen (video)", "Etä"),
            "moved": (utc(11, 27, 11), utc(11, 27, 12, 30), "Kotikäynti", "Kotikatu 5 B 12"),
            "inside_past": (utc(10, 5, 7), utc(10, 5, 8), "Sisäinen palaveri", None),
        }.items()
    }  # fmt: skip
    assert set(events) == set(expected)
    for uid, (start, end, summary, location) in expected.items():
        event = events[uid]
        assert event.decoded("DTSTART") == start
        assert event.decoded("DTSTART").tzinfo is not None
        assert event.decoded("DTEND") == end
        assert str(event["SUMMARY"]) == summary
        assert (str(event["LOCATION"]) if "LOCATION" in event else None) == location
        assert event.decoded("DTSTAMP") == clock()
        assert "LAST-MODIFIED" in event
    text = body.decode("utf-8")
    assert "DTSTART:20261127T110000Z" in text  # the moved entry, at its new time, in UTC
    assert "20261126T090000Z" not in text
    for secret in (CLIENT, EMAIL, "family_work"):
        assert secret not in text
    assert "Muu paikka" not in text  # a colleague's entry


def test_a_new_feed_revokes_the_old_one_and_revoking_ends_it(uow, clock, people, entries):
    worker = people[0]
    with uow() as unit:
        assert feed_status(worker, unit).active is False
        first = create_feed(worker, unit, clock)
    with uow() as unit:
        second = create_feed(worker, unit, clock)
    assert first != second
    with uow() as unit, pytest.raises(NotFound):
        render_feed(unit, clock, first)
    feed_of(uow, clock, second)
    with uow() as unit:
        status = feed_status(worker, unit)
        hashes = unit.session.scalars(select(CalendarFeed.token_hash)).all()
    assert status.active is True and status.created_at == clock()
    assert second not in hashes and first not in hashes and len(hashes) == 2

    with uow() as unit:
        assert revoke_feed(worker, unit, clock) is True
    with uow() as unit, pytest.raises(NotFound):
        render_feed(unit, clock, second)
    with uow() as unit:
        assert revoke_feed(worker, unit, clock) is False
        assert feed_status(worker, unit).active is False
        actions = unit.session.scalars(
            select(HistoryEntry.action).where(HistoryEntry.action.like("calendar_feed_%"))
        ).all()
    assert actions == ["calendar_feed_created", "calendar_feed_created", "calendar_feed_revoked"]


def test_unknown_token_and_read_only_users(uow, clock, people):
    worker, _, auditor = people
    with uow() as unit, pytest.raises(NotFound):
        render_feed(unit, clock, "ei-tallaista")
    with uow() as unit, pytest.raises(PermissionDenied):
        create_feed(auditor, unit, clock)
    with uow() as unit, pytest.raises(PermissionDenied):
        revoke_feed(auditor, unit, clock)
    with uow() as unit:
        token = create_feed(worker, unit, clock)
    _, calendar = feed_of(uow, clock, token)
    assert calendar.walk("VEVENT") == []


def test_a_disabled_workers_feed_is_gone(uow, clock, people):
    worker = people[0]
    with uow() as unit:
        token = create_feed(worker, unit, clock)
    with uow() as unit:
        user = unit.users.by_username("maija")
        assert user is not None
        user.active = False
        unit.commit()
    clock.advance(timedelta(minutes=1))
    with uow() as unit, pytest.raises(NotFound):
        render_feed(unit, clock, token)
