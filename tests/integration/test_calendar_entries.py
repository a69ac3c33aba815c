"""A worker's calendar: writing, moving and cancelling entries; who sees what; the logs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from sote_flow.domain.errors import InvalidInput, NotFound, PermissionDenied
from sote_flow.persistence.calendar_models import CalendarEntry
from sote_flow.persistence.models import AccessLogEntry, HistoryEntry, OutboxMail
from sote_flow.services.calendar_entries import (
    EntryInput,
    add_entry,
    cancel_entry,
    move_entry,
    team_calendar,
    worker_calendar,
)
from tests.support.calendars import at, book_first, make_team, offer_weekly, write_entry

TUESDAY = date(2026, 11, 24)
WEEK = (at(date(2026, 11, 23), 0), at(date(2026, 11, 30), 0))


@pytest.fixture
def team(uow, clock):
    return make_team(uow, clock)


def test_a_worker_writes_an_entry_and_sees_it_in_their_week(platform, uow, clock, team):
    entry_id = write_entry(
        platform, uow, clock, team.anna, "home_visit", at(TUESDAY, 9), at(TUESDAY, 10, 30),
        place="Kotka", client_number="123456",
    )  # fmt: skip
    with uow() as unit:
        week = worker_calendar(team.anna, unit, clock, "anna", *WEEK)
    assert [(e.id, e.type_key, e.place, e.client_number) for e in week.entries] == [
        (entry_id, "home_visit", "Kotka", "123456")
    ]
    assert week.entries[0].starts_at == at(TUESDAY, 9)
    assert week.editable
    with uow() as unit:
        history = unit.session.scalars(select(HistoryEntry.action)).all()
        reads = unit.session.scalars(
            select(AccessLogEntry).where(AccessLogEntry.object_type == "calendar_entry")
        ).all()
    assert "calendar_entry_added" in history
    assert [(r.username, r.object_id) for r in reads] == [("anna", f"{entry_id}:123456")]


def test_teammates_see_home_visits_without_client_numbers_and_the_rest_as_busy(
    platform, uow, clock, team
):
    write_entry(
        platform, uow, clock, team.anna, "home_visit", at(TUESDAY, 9), at(TUESDAY, 10),
        place="Karhula", client_number="123456",
    )  # fmt: skip
    write_entry(
        platform, uow, clock, team.anna, "office_visit", at(TUESDAY, 13), at(TUESDAY, 14),
        place="Perhekeskus", client_number="654321",
    )  # fmt: skip
    with uow() as unit:
        seen = team_calendar(team.ville, unit, clock, "perhetyo", *WEEK)
    assert [(e.type_key, e.place, e.client_number, e.detail) for e in seen.entries] == [
        ("home_visit", "Karhula", None, False),
        ("busy", None, None, False),
    ]
    with uow() as unit:
        led = team_calendar(team.lead, unit, clock, "perhetyo", *WEEK)
    assert [(e.type_key, e.client_number) for e in led.entries] == [
        ("home_visit", "123456"),
        ("office_visit", "654321"),
    ]
    assert led.lead and not seen.lead
    with uow() as unit:
        logged = unit.session.scalars(
            select(AccessLogEntry.username).where(AccessLogEntry.object_type == "calendar_entry")
        ).all()
    assert logged == ["leena", "leena"]  # the teammate read no client number


def test_another_team_cannot_read_the_calendar(uow, clock, team):
    with uow() as unit, pytest.raises(PermissionDenied):
        worker_calendar(team.outsider, unit, clock, "anna", *WEEK)
    with uow() as unit, pytest.raises(PermissionDenied):
        team_calendar(team.outsider, unit, clock, "perhetyo", *WEEK)


def test_only_the_worker_and_their_lead_write_into_a_calendar(platform, uow, clock, team):
    data = EntryInput("documentation", at(TUESDAY, 12), at(TUESDAY, 13))
    for intruder in (team.ville, team.outsider, team.auditor):
        with uow() as unit, pytest.raises(PermissionDenied):
            add_entry(platform, intruder, unit, clock, "anna", data)
    with uow() as unit:
        add_entry(platform, team.lead, unit, clock, "anna", data)
    with uow() as unit:
        assert len(unit.calendar.entries_between([team.anna.user_id], *WEEK)) == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (EntryInput("no_such_type", at(TUESDAY, 9), at(TUESDAY, 10)), "type_key"),
        (EntryInput("absence", at(TUESDAY, 9), at(TUESDAY, 10)), "type_key"),
        (EntryInput("office_visit", at(TUESDAY, 10), at(TUESDAY, 9)), "ends_at"),
        (
            EntryInput("office_visit", at(TUESDAY, 9), at(TUESDAY, 9) + timedelta(hours=25)),
            "ends_at",
        ),
        (EntryInput("home_visit", at(TUESDAY, 9), at(TUESDAY, 10), place="131052-308T"), "place"),
        (
            EntryInput("home_visit", at(TUESDAY, 9), at(TUESDAY, 10), client_number="Matti"),
            "client_number",
        ),
        (EntryInput("home_visit", at(TUESDAY, 9), at(TUESDAY, 10), service_key="x"), "service_key"),
    ],
)
def test_bad_entries_are_refused_naming_the_field(platform, uow, clock, team, data, field):
    with uow() as unit, pytest.raises(InvalidInput) as refused:
        add_entry(platform, team.anna, unit, clock, "anna", data)
    assert field in [e.field for e in refused.value.errors]
    with uow() as unit:
        assert unit.calendar.entries_between([team.anna.user_id], *WEEK) == []


def test_moving_a_booked_appointment_frees_its_slot_and_tells_the_client(
    platform, uow, clock, team
):
    offer_weekly(uow, clock, team.anna, "family_work", 1, TUESDAY, TUESDAY)
    entry_id = book_first(
        platform, uow, clock, team.advisor, "family_work", "123456", "asiakas@example.test"
    )
    with uow() as unit:
        move_entry(platform, team.anna, unit, clock, entry_id, at(TUESDAY, 14), at(TUESDAY, 14, 45))
    with uow() as unit:
        entry = unit.calendar.entry(entry_id)
        assert entry is not None
        assert (entry.starts_at, entry.slot_id) == (at(TUESDAY, 14), None)
        mails = unit.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
    assert [m.subject for m in mails] == [
        "Vahvistus tapaamisajasta",
        "Tapaamisaikanne on muuttunut",
    ]
    assert "24.11.2026 klo 14.00–14.45" in mails[1].body
    assert all(m.to_address == "asiakas@example.test" for m in mails)


def test_cancelling_tells_the_client_and_forgets_their_address(platform, uow, clock, team):
    offer_weekly(uow, clock, team.anna, "family_work", 1, TUESDAY, TUESDAY)
    entry_id = book_first(
        platform, uow, clock, team.advisor, "family_work", "123456", "asiakas@example.test"
    )
    with uow() as unit:
        cancel_entry(platform, team.anna, unit, clock, entry_id)
    with uow() as unit:
        entry = unit.session.get(CalendarEntry, entry_id)
        assert entry is not None and entry.cancelled_at == clock()
        assert (entry.client_email, entry.slot_id) == (None, None)
        subjects = unit.session.scalars(select(OutboxMail.subject).order_by(OutboxMail.id)).all()
        assert unit.calendar.entries_between([team.anna.user_id], *WEEK) == []
    assert subjects[-1] == "Tapaamisaikanne on peruttu"
    with uow() as unit, pytest.raises(NotFound):
        cancel_entry(platform, team.anna, unit, clock, entry_id)
