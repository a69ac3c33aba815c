"""First-visit slots on a real database: patterns, the next free times, and booking one."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from sote_flow.domain.calendar import WeeklyPattern
from sote_flow.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from sote_flow.domain.weekdays import FINNISH_TIME
from sote_flow.persistence.calendar_models import CalendarEntry, FirstVisitSlot
from sote_flow.persistence.models import HistoryEntry, OutboxMail
from sote_flow.services.calendar_entries import EntryInput, add_entry, cancel_entry
from sote_flow.services.calendar_slots import (
    Booking,
    SlotOffer,
    SlotTaken,
    add_slot,
    add_slot_pattern,
    book_slot,
    next_free_slots,
    withdraw_pattern,
)
from tests.support.factories import make_actor, make_groups

# The clock stands at Monday 23 November 2026, 10:00 Finnish time (08:00 UTC).
MONDAY, TUESDAY, THURSDAY = 0, 1, 3
OFFICE = SlotOffer("family_work", 45, place="Perhekeskus, Kotka")
CLIENT = "1234567"


def fi(*args: int) -> datetime:
    """A Finnish wall-clock time as an aware UTC instant."""
    return datetime(*args, tzinfo=FINNISH_TIME).astimezone(UTC)


def tuesdays(
    day_start: time = time(9), day_end: time = time(12), minutes: int = 45
) -> WeeklyPattern:
    """Tuesdays 24 November – 15 December 2026 (four of them)."""
    return WeeklyPattern(
        TUESDAY, day_start, day_end, minutes, date(2026, 11, 24), date(2026, 12, 15)
    )


@pytest.fixture
def people(uow, clock):
    make_groups(uow, "perhetyo", "neuvonta")
    return {
        "perhe1": make_actor(uow, clock, "perhe1", ["family_worker"], ["perhetyo"]),
        "perhe2": make_actor(uow, clock, "perhe2", ["family_worker"], ["perhetyo"]),
        "neuvoja": make_actor(uow, clock, "neuvoja", ["client_advisor"], ["neuvonta"]),
        "tarkastaja": make_actor(uow, clock, "tarkastaja", ["auditor"], []),
    }


def offer(uow, clock, actor, pattern, slot_offer=OFFICE):
    with uow() as unit:
        return add_slot_pattern(actor, unit, clock, actor.username, slot_offer, pattern)


def free(uow, clock, service="family_work", limit=10, worker_id=None):
    with uow() as unit:
        return next_free_slots(unit, clock, service, limit, worker_id)


def book(platform, uow, clock, actor, slot_id, booking=None):
    with uow() as unit:
        return book_slot(platform, actor, unit, clock, slot_id, booking or Booking(CLIENT))


def slot_count(uow, **where):
    with uow() as unit:
        query = select(func.count()).select_from(FirstVisitSlot).filter_by(**where)
        return unit.session.scalar(query)


def local(at: datetime) -> tuple[date, str]:
    finnish = at.astimezone(FINNISH_TIME)
    return finnish.date(), f"{finnish:%H:%M}"


# -- offering slots --------------------------------------------------------------------------


def test_pattern_makes_four_slots_on_each_of_four_tuesdays(uow, clock, people):
    pattern_id, count = offer(uow, clock, people["perhe1"], tuesdays())
    assert count == 16
    assert slot_count(uow, pattern_id=pattern_id) == 16
    with uow() as unit:
        slots = unit.session.scalars(select(FirstVisitSlot).order_by(FirstVisitSlot.starts_at))
        slots = slots.all()
    assert {local(s.starts_at)[1] for s in slots} == {"09:00", "09:45", "10:30", "11:15"}
    assert {local(s.starts_at)[0] for s in slots} == {
        date(2026, 11, 24),
        date(2026, 12, 1),
        date(2026, 12, 8),
        date(2026, 12, 15),
    }
    assert all(s.ends_at - s.starts_at == timedelta(minutes=45) for s in slots)
    assert all(s.place == "Perhekeskus, Kotka" and not s.remote for s in slots)
    assert slots[0].starts_at == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)


def test_pattern_only_makes_future_slots(uow, clock, people):
    # Mondays from 16 November: that day is gone, and of today (10:00 now) only 10:30 and 11:15.
    pattern = WeeklyPattern(MONDAY, time(9), time(12), 45, date(2026, 11, 16), date(2026, 12, 7))
    _, count = offer(uow, clock, people["perhe1"], pattern)
    assert count == 2 + 4 + 4
    first = free(uow, clock, limit=1)[0]
    assert local(first.starts_at) == (date(2026, 11, 23), "10:30")


def test_pattern_skips_christmas_eve(uow, clock, people):
    # Thursdays 17, 24 (Christmas Eve) and 31 December 2026.
    pattern = WeeklyPattern(THURSDAY, time(9), time(12), 45, date(2026, 12, 17), date(2026, 12, 31))
    _, count = offer(uow, clock, people["perhe1"], pattern)
    assert count == 8
    days = {local(s.starts_at)[0] for s in free(uow, clock, limit=20)}
    assert days == {date(2026, 12, 17), date(2026, 12, 31)}


def test_the_same_pattern_twice_adds_no_duplicate_slots(uow, clock, people):
    offer(uow, clock, people["perhe1"], tuesdays())
    _, again = offer(uow, clock, people["perhe1"], tuesdays())
    assert again == 0
    assert slot_count(uow) == 16


def test_a_worker_cannot_offer_slots_in_a_colleagues_calendar(uow, clock, people):
    with uow() as unit, pytest.raises(PermissionDenied):
        add_slot_pattern(people["perhe1"], unit, clock, "perhe2", OFFICE, tuesdays())
    assert slot_count(uow) == 0


# -- the next free slots ---------------------------------------------------------------------


def test_next_free_slots_are_earliest_first_across_workers(uow, clock, people):
    offer(uow, clock, people["perhe1"], tuesdays())  # 9:00, 9:45, 10:30, 11:15
    offer(uow, clock, people["perhe2"], tuesdays(time(10), time(12), 60))  # 10:00, 11:00
    slots = free(uow, clock, limit=6)
    assert [(s.worker, local(s.starts_at)) for s in slots] == [
        ("perhe1", (date(2026, 11, 24), "09:00")),
        ("perhe1", (date(2026, 11, 24), "09:45")),
        ("perhe2", (date(2026, 11, 24), "10:00")),
        ("perhe1", (date(2026, 11, 24), "10:30")),
        ("perhe2", (date(2026, 11, 24), "11:00")),
        ("perhe1", (date(2026, 11, 24), "11:15")),
    ]
    assert all(s.service_key == "family_work" for s in slots)
    assert len(free(uow, clock, limit=100)) == 16 + 8
    only_perhe2 = free(uow, clock, limit=100, worker_id=people["perhe2"].user_id)
    assert {s.worker for s in only_perhe2} == {"perhe2"} and len(only_perhe2) == 8


def test_next_free_slots_are_of_the_service_asked_for(uow, clock, people):
    offer(uow, clock, people["perhe1"], tuesdays())
    youth = SlotOffer("youth_services", 60, remote=True)
    offer(uow, clock, people["perhe2"], tuesdays(time(13), time(15), 60), youth)
    slots = free(uow, clock, "youth_services", limit=100)
    assert len(slots) == 8
    assert all(s.worker == "perhe2" and s.remote and s.place is None for s in slots)
    with uow() as unit, pytest.raises(InvalidInput):
        next_free_slots(unit, clock, "no_such_service")


def test_next_free_slots_skip_booked_slots(platform, uow, clock, people):
    offer(uow, clock, people["perhe1"], tuesdays())
    first, second = free(uow, clock, limit=2)
    book(platform, uow, clock, people["neuvoja"], first.id)
    slots = free(uow, clock, limit=100)
    assert first.id not in {s.id for s in slots}
    assert slots[0].id == second.id
    assert len(slots) == 15


def test_next_free_slots_skip_slots_covered_by_another_entry(platform, uow, clock, people):
    offer(uow, clock, people["perhe1"], tuesdays())
    offer(uow, clock, people["perhe2"], tuesdays(time(10), time(12), 60))
    # perhe2 has a network meeting 10:30–11:15 on 24 November: both their slots that day clash.
    with uow() as unit:
        add_entry(
            platform,
            people["perhe2"],
            unit,
            clock,
            "perhe2",
            EntryInput("network_meeting", fi(2026, 11, 24, 10, 30), fi(2026, 11, 24, 11, 15)),
        )
    slots = free(uow, clock, limit=4)
    assert [(s.worker, local(s.starts_at)[1]) for s in slots] == [
        ("perhe1", "09:00"),
        ("perhe1", "09:45"),
        ("perhe1", "10:30"),  # perhe1 is not the one in the meeting
        ("perhe1", "11:15"),
    ]
    # An entry that only touches a slot's edges does not cover it.
    with uow() as unit:
        add_entry(
            platform,
            people["perhe1"],
            unit,
            clock,
            "perhe1",
            EntryInput("documentation", fi(2026, 11, 24, 9, 45), fi(2026, 11, 24, 10, 30)),
        )
    starts = [local(s.starts_at)[1] for s in free(uow, clock, limit=3)]
    assert starts == ["09:00", "10:30", "11:15"]


def test_a_cancelled_entry_no_longer_covers_the_slot(platform, uow, clock, people):
    offer(uow, clock, people["perhe1"], tuesdays())
    with uow() as unit:
        entry_id = add_entry(
            platform,
            people["perhe1"],
            unit,
            clock,
            "perhe1",
            EntryInput("internal_meeting", fi(2026, 11, 24, 8), fi(2026, 11, 24, 12)),
        )
    assert local(free(uow, clock, limit=1)[0].starts_at) == (date(2026, 12, 1), "09:00")
    with uow() as unit:
        cancel_entry(platform, people["perhe1"], unit, clock, entry_id)
    assert local(free(uow, clock, limit=1)[0].starts_at) == (date(2026, 11, 24), "09:00")


def test_next_free_slots_skip_withdrawn_pattern_slots(platform, uow, clock, people):
    offer(uow, clock, people["perhe1"], tuesdays())
    pattern_id, _ = offer(uow, clock, people["perhe2"], tuesdays(time(10), time(12), 60))
    booked = free(uow, clock, limit=100, worker_id=people["perhe2"].user_id)[0]
    book(platform, uow, clock, people["neuvoja"], booked.id)
    with uow() as unit:
        withdrawn = withdraw_pattern(people["perhe2"], unit, clock, pattern_id)
    assert withdrawn == 7  # the booked one stays
    slots = free(uow, clock, limit=100)
    assert {s.worker for s in slots} == {"perhe1"} and len(slots) == 16
    with uow() as unit:
        assert unit.calendar.slot_is_booked(booked.id)
    with pytest.raises(NotFound):
        book(platform, uow, clock, people["neuvoja"], slots[0].id + 1000)


def test_a_past_slot_is_not_offered_once_its_time_has_come(uow, clock, people):
    offer(uow, clock, people["perhe1"], tuesdays())
    clock.advance(timedelta(days=1))  # Tuesday 24 November 10:00
    starts = [local(s.starts_at) for s in free(uow, clock, limit=3)]
    assert starts == [
        (date(2026, 11, 24), "10:30"),
        (date(2026, 11, 24), "11:15"),
        (date(2026, 12, 1), "09:00"),
    ]


# -- booking ---------------------------------------------------------------------------------


def test_booking_writes_an_office_appointment_and_a_history_row(platform, uow, clock, people):
    offer(uow, clock, people["perhe1"], tuesdays())
    slot = free(uow, clock, limit=1)[0]
    entry_id = book(platform, uow, clock, people["neuvoja"], slot.id, Booking(f" {CLIENT} "))
    with uow() as unit:
        entry = unit.calendar.entry(entry_id)
        assert entry is not None
        assert entry.type_key == "office_visit"
        assert entry.worker.username == "perhe1"
        assert entry.client_number == CLIENT
        assert entry.service_key == "family_work"
        assert entry.slot_id == slot.id
        assert (entry.starts_at, entry.ends_at) == (slot.starts_at, slot.ends_at)
        assert entry.place == "Perhekeskus, Kotka" and not entry.remote
        assert entry.created_by == "neuvoja" and entry.created_at == clock()
        assert entry.client_email is None
        history = unit.session.scalars(
            select(HistoryEntry).where(HistoryEntry.action == "slot_booked")
        ).all()
        assert len(history) == 1
        assert history[0].actor == "neuvoja"
        assert history[0].data["entry"] == entry_id
        assert history[0].data["slot"] == slot.id
        assert history[0].data["client_number"] == CLIENT
        assert history[0].data["notified"] is False
        assert unit.history.verify().ok
        assert unit.session.scalar(select(func.count()).select_from(OutboxMail)) == 0


def test_booking_a_remote_slot_writes_a_remote_meeting(platform, uow, clock, people):
    remote = SlotOffer("family_guidance", 60, remote=True)
    with uow() as unit:
        slot_id = add_slot(people["perhe2"], unit, clock, "perhe2", remote, fi(2026, 11, 25, 13))
    entry_id = book(platform, uow, clock, people["neuvoja"], slot_id, Booking("87654321"))
    with uow() as unit:
        entry = unit.calendar.entry(entry_id)
        assert entry is not None
        assert entry.type_key == "remote_meeting" and entry.remote and entry.place is None
        assert entry.service_key == "family_guidance" and entry.client_number == "87654321"
        assert entry.ends_at - entry.starts_at == timedelta(hours=1)


def test_booking_the_same_slot_again_raises_slot_taken(platform, uow, clock, people):
    offer(uow, clock, people["perhe1"], tuesdays())
    slot = free(uow, clock, limit=1)[0]
    book(platform, uow, clock, people["neuvoja"], slot.id)
    with pytest.raises(SlotTaken) as taken:
        book(platform, uow, clock, people["neuvoja"], slot.id, Booking("7654321"))
    assert isinstance(taken.value, Conflict) and taken.value.code == "slot_taken"
    next_ids = [s.id for s in taken.value.next_slots]
    assert slot.id not in next_ids
    assert len(next_ids) == 10
    assert local(taken.value.next_slots[0].starts_at) == (date(2026, 11, 24), "09:45")
    with uow() as unit:
        entries = unit.session.scalars(select(CalendarEntry)).all()
        assert [(e.slot_id, e.client_number) for e in entries] == [(slot.id, CLIENT)]


def test_a_slot_covered_by_another_entry_cannot_be_booked(platform, uow, clock, people):
    offer(uow, clock, people["perhe1"], tuesdays())
    slot = free(uow, clock, limit=1)[0]
    with uow() as unit:
        add_entry(
            platform,
            people["perhe1"],
            unit,
            clock,
            "perhe1",
            EntryInput("home_visit", slot.starts_at, slot.ends_at, place="Kotikatu 1"),
        )
    with pytest.raises(SlotTaken) as taken:
        book(platform, uow, clock, people["neuvoja"], slot.id)
    assert slot.id not in {s.id for s in taken.value.next_slots}


def test_cancelling_the_appointment_frees_the_slot(platform, uow, clock, people):
    offer(uow, clock, people["perhe1"], tuesdays())
    slot = free(uow, clock, limit=1)[0]
    entry_id = book(platform, uow, clock, people["neuvoja"], slot.id)
    with uow() as unit:
        cancel_entry(platform, people["perhe1"], unit, clock, entry_id)
    assert free(uow, clock, limit=1)[0].id == slot.id
    second = book(platform, uow, clock, people["neuvoja"], slot.id, Booking("7654321"))
    assert second != entry_id


def test_a_client_email_queues_a_confirmation_mail(platform, uow, clock, people):
    offer(uow, clock, people["perhe1"], tuesdays())
    slot = free(uow, clock, limit=1)[0]
    booking = Booking(CLIENT, client_email="asiakas@example.fi")
    entry_id = book(platform, uow, clock, people["neuvoja"], slot.id, booking)
    with uow() as unit:
        mails = unit.session.scalars(select(OutboxMail)).all()
        assert len(mails) == 1
        mail = mails[0]
        assert mail.to_address == "asiakas@example.fi"
        assert mail.subject == "Vahvistus tapaamisajasta"
        assert mail.status == "pending" and mail.next_attempt_at == clock()
        assert re.search(r"24\.11\.2026 klo 0?9\.00–0?9\.45", mail.body), mail.body
        assert "Perhekeskus, Kotka" in mail.body
        assert "Perhetyö" in mail.body
        assert "perhe1" in mail.body
        assert CLIENT not in mail.body  # the client number stays inside
        entry = unit.calendar.entry(entry_id)
        assert entry is not None and entry.client_email == "asiakas@example.fi"
        history = unit.session.scalars(
            select(HistoryEntry).where(HistoryEntry.action == "slot_booked")
        ).one()
        assert history.data["notified"] is True


def test_an_invalid_client_email_is_refused(platform, uow, clock, people):
    offer(uow, clock, people["perhe1"], tuesdays())
    slot = free(uow, clock, limit=1)[0]
    with pytest.raises(InvalidInput) as refused:
        book(platform, uow, clock, people["neuvoja"], slot.id, Booking(CLIENT, client_email="x"))
    assert [e.field for e in refused.value.errors] == ["client_email"]


def test_an_auditor_cannot_book(platform, uow, clock, people):
    offer(uow, clock, people["perhe1"], tuesdays())
    slot = free(uow, clock, limit=1)[0]
    with pytest.raises(PermissionDenied):
        book(platform, uow, clock, people["tarkastaja"], slot.id)
    assert free(uow, clock, limit=1)[0].id == slot.id
    with uow() as unit:
        assert unit.session.scalar(select(func.count()).select_from(CalendarEntry)) == 0


@pytest.mark.parametrize(
    "number", ["", "12345", "12345678901", "010190-123A", "12 34567", "abcdefg"]
)
def test_an_invalid_client_number_is_refused(platform, uow, clock, people, number):
    offer(uow, clock, people["perhe1"], tuesdays())
    slot = free(uow, clock, limit=1)[0]
    with pytest.raises(InvalidInput) as refused:
        book(platform, uow, clock, people["neuvoja"], slot.id, Booking(number))
    assert [e.field for e in refused.value.errors] == ["client_number"]
    with uow() as unit:
        assert unit.session.scalar(select(func.count()).select_from(CalendarEntry)) == 0


def test_a_slot_whose_time_has_come_cannot_be_booked(platform, uow, clock, people):
    offer(uow, clock, people["perhe1"], tuesdays())
    slot = free(uow, clock, limit=1)[0]
    clock.advance(slot.starts_at - clock())
    with pytest.raises(InvalidInput) as refused:
        book(platform, uow, clock, people["neuvoja"], slot.id)
    assert [e.field for e in refused.value.errors] == ["slot"]


def test_many_workers_busy_at_the_same_time_do_not_hide_the_free_ones(platform, uow, clock, people):
    # 55 workers offer 9:00 on 24 November and on 1 December; the first 50 are busy on the 24th.
    make_groups(uow, "tiimi")
    for i in range(55):
        worker = make_actor(uow, clock, f"tt{i:02d}", ["family_worker"], ["tiimi"])
        for at in (fi(2026, 11, 24, 9), fi(2026, 12, 1, 9)):
            with uow() as unit:
                add_slot(worker, unit, clock, worker.username, OFFICE, at)
        if i < 50:
            with uow() as unit:
                add_entry(
                    platform,
                    worker,
                    unit,
                    clock,
                    worker.username,
                    EntryInput("travel", fi(2026, 11, 24, 8), fi(2026, 11, 24, 10)),
                )
    slots = free(uow, clock, limit=10)
    assert [(s.worker, local(s.starts_at)[0]) for s in slots[:6]] == [
        *((f"tt{i}", date(2026, 11, 24)) for i in range(50, 55)),
        ("tt00", date(2026, 12, 1)),
    ]


def test_a_slot_starting_right_now_is_not_offered(uow, clock, people):
    offer(uow, clock, people["perhe1"], tuesdays())
    first = free(uow, clock, limit=1)[0]
    clock.advance(first.starts_at - clock())
    assert first.id not in {s.id for s in free(uow, clock, limit=100)}


def test_a_single_slot_may_not_overlap_a_slot_the_worker_already_offers(uow, clock, people):
    offer(uow, clock, people["perhe1"], tuesdays())  # 9.00, 9.45, 10.30, 11.15 on Tuesdays
    hour = SlotOffer("family_work", 60, place="Perhekeskus, Kotka")
    with uow() as unit, pytest.raises(InvalidInput) as refused:
        add_slot(people["perhe1"], unit, clock, "perhe1", hour, fi(2026, 11, 24, 9, 30))
    assert [e.field for e in refused.value.errors] == ["starts_at"]
    with uow() as unit:
        slot_id = add_slot(people["perhe1"], unit, clock, "perhe1", hour, fi(2026, 11, 24, 12, 0))
    with uow() as unit:
        slot = unit.calendar.slot(slot_id)
        assert slot is not None and slot.ends_at == fi(2026, 11, 24, 13, 0)


def test_a_pattern_leaves_out_the_slots_that_would_overlap_existing_ones(uow, clock, people):
    hour = SlotOffer("family_work", 60, place="Perhekeskus, Kotka")
    with uow() as unit:
        add_slot(people["perhe1"], unit, clock, "perhe1", hour, fi(2026, 11, 24, 9, 30))
    _, added = offer(uow, clock, people["perhe1"], tuesdays())
    assert added == 16 - 2  # 24.11. 9.00 and 9.45 overlap the single slot 9.30–10.30
