"""Contact details of closed contacts are erased by the scheduler's upkeep; the history says so."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from functools import partial

import pytest
from sqlalchemy import select

from sote_flow.first_contact.contacts import client_contact
from sote_flow.first_contact.erasure import erase_closed_contacts
from sote_flow.first_contact.models import ContactDetails
from sote_flow.packages import ProcessPackage
from sote_flow.persistence.calendar_models import CalendarEntry
from sote_flow.persistence.models import HistoryEntry, ProcessInstance
from sote_flow.scheduler.runner import HOUSEKEEPING_JOB, TimerScheduler
from sote_flow.services.calendar_slots import Booking, book_slot, next_free_slots
from tests.support.calendars import make_team, offer_weekly
from tests.support.factories import DIAGRAMS, deploy, make_actor, make_groups, make_platform, start

REQUEST = {"client_number": "1234567", "amount": 3, "reason": "Arjen tuki"}
PHONE, EMAIL, WHEN = "040 123 4567", "asiakas@example.fi", "arkisin aamupäivällä"
VALUES = (PHONE, EMAIL, WHEN, "050 765 4321")


@pytest.fixture
def cases(platform, uow, clock):
    """Three contacts with details: one still running, one completed, one cancelled."""
    make_groups(uow, "hakijat", "kasittelijat")
    deploy(platform, uow, clock, DIAGRAMS / "approval.bpmn")
    orderer = make_actor(uow, clock, "sanna", ["social_worker"], ["hakijat"])
    ids = {
        name: start(platform, uow, clock, orderer, "approval", REQUEST).id
        for name in ("running", "completed", "cancelled")
    }
    with uow() as unit:
        for name in ("completed", "cancelled"):
            instance = unit.session.get(ProcessInstance, ids[name])
            assert instance is not None
            instance.status = name
        for number, (name, instance_id) in enumerate(ids.items()):
            full = name != "cancelled"  # the cancelled contact left a phone number only
            unit.session.add(
                ContactDetails(
                    instance_id=instance_id,
                    channel="chat" if full else "phone",
                    callback_phone=PHONE if full else "050 765 4321",
                    email=EMAIL if full else None,
                    preferred_time=WHEN if full else None,
                    chat_token_hash=f"{number:064d}" if full else None,
                    created_at=clock(),
                )
            )
        unit.commit()
    return ids


def _book(platform, uow, clock, actor, instance_id: int) -> int:
    booking = Booking("1234567", instance_id, client_email=EMAIL, client_phone=PHONE)
    with uow() as unit:
        slot = next_free_slots(unit, clock, "family_work")[0]
    with uow() as unit:
        return book_slot(platform, actor, unit, clock, slot.id, booking)


def _details(uow, instance_id: int) -> ContactDetails:
    with uow() as unit:
        details = unit.session.get(ContactDetails, instance_id)
    assert details is not None
    return details


def _erasures(uow) -> list[HistoryEntry]:
    with uow() as unit:
        query = (
            select(HistoryEntry)
            .where(HistoryEntry.action == "contact_details_erased")
            .order_by(HistoryEntry.id)
        )
        return list(unit.session.scalars(query).all())


def test_closed_contacts_are_erased_and_running_ones_kept(platform, uow, clock, cases):
    clock.advance(timedelta(hours=1))
    done = erase_closed_contacts(platform, uow, clock)
    assert len(done) == 2

    running = _details(uow, cases["running"])
    assert (running.callback_phone, running.email, running.preferred_time) == (PHONE, EMAIL, WHEN)
    assert running.chat_token_hash is not None and running.erased_at is None
    for name in ("completed", "cancelled"):
        details = _details(uow, cases[name])
        assert (details.callback_phone, details.email, details.preferred_time) == (None,) * 3
        assert details.chat_token_hash is None  # the chat link stops working
        assert details.erased_at == clock()
    with uow() as unit:
        assert client_contact(unit, cases["completed"]) is None
        assert client_contact(unit, cases["running"]) is not None


def test_history_keeps_that_details_existed_never_their_values(platform, uow, clock, cases):
    erase_closed_contacts(platform, uow, clock)
    entries = _erasures(uow)
    assert {e.instance_id: e.data for e in entries} == {
        cases["completed"]: {"had_phone": True, "had_email": True, "had_preferred_time": True},
        cases["cancelled"]: {"had_phone": True, "had_email": False, "had_preferred_time": False},
    }
    assert all(e.actor == "system" and e.at == clock() for e in entries)
    written = json.dumps([e.data for e in entries], ensure_ascii=False)
    assert not any(value in written for value in VALUES)


def test_running_it_again_does_nothing_more(platform, uow, clock, cases):
    assert len(erase_closed_contacts(platform, uow, clock)) == 2
    clock.advance(timedelta(minutes=15))
    assert erase_closed_contacts(platform, uow, clock) == []
    assert len(_erasures(uow)) == 2
    assert _details(uow, cases["completed"]).erased_at == clock() - timedelta(minutes=15)


def test_calendar_entries_of_a_closed_case_lose_email_and_phone(platform, uow, clock, cases):
    team = make_team(uow, clock)
    offer_weekly(uow, clock, team.anna, "family_work", 1, date(2026, 11, 24), date(2026, 12, 8))
    closed = _book(platform, uow, clock, team.advisor, cases["completed"])
    still_open = _book(platform, uow, clock, team.advisor, cases["running"])
    erase_closed_contacts(platform, uow, clock)
    with uow() as unit:
        erased = unit.session.get(CalendarEntry, closed)
        kept = unit.session.get(CalendarEntry, still_open)
        assert erased is not None and kept is not None
        assert (erased.client_email, erased.client_phone) == (None, None)
        assert erased.client_number == "1234567" and erased.cancelled_at is None
        assert (kept.client_email, kept.client_phone) == (EMAIL, PHONE)


def test_a_contact_closed_later_is_erased_on_a_later_round(platform, uow, clock, cases):
    erase_closed_contacts(platform, uow, clock)
    with uow() as unit:
        instance = unit.session.get(ProcessInstance, cases["running"])
        assert instance is not None
        instance.status = "completed"
        unit.commit()
    assert len(erase_closed_contacts(platform, uow, clock)) == 1
    assert _details(uow, cases["running"]).erased_at == clock()


def test_first_contact_registers_the_erasure_as_its_housekeeping(platform):
    housekeepers = [p.housekeeping for p in platform.packages if p.housekeeping is not None]
    assert erase_closed_contacts in housekeepers


class Housekeepers:
    """Fake packages' housekeepers that record their calls; the second one fails."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def package(self, key: str, fails: bool = False) -> ProcessPackage:
        def housekeeping(platform, unit_of_work, clock) -> list[str]:
            self.calls.append(key)
            assert callable(unit_of_work) and clock() is not None
            if fails:
                raise RuntimeError("upkeep broke")
            return [f"{key} done"]

        return ProcessPackage(key=key, housekeeping=housekeeping)


def test_the_housekeeping_job_calls_every_package_and_survives_a_failure(
    database_url, uow, clock, caplog, monkeypatch
):
    fakes = Housekeepers()
    platform = make_platform(database_url, housekeeping_minutes=7)
    platform = replace(
        platform,
        packages=(
            fakes.package("first"),
            fakes.package("broken", fails=True),
            ProcessPackage(key="without"),
            fakes.package("last"),
        ),
    )
    scheduler = TimerScheduler(platform, uow, clock=clock, safety_poll_seconds=3600)
    # Paused: the jobs are registered as in production, but none runs on its own.
    jobs = scheduler._scheduler
    monkeypatch.setattr(jobs, "start", partial(jobs.start, paused=True))
    scheduler.start()
    try:
        job = jobs.get_job(HOUSEKEEPING_JOB)
        assert job is not None and job.trigger.interval == timedelta(minutes=7)
        job.func()  # what APScheduler runs every interval, run now instead of waiting
    finally:
        scheduler.stop()
    assert fakes.calls == ["first", "broken", "last"]
    assert "housekeeping of broken failed" in caplog.text


def test_the_scheduler_runs_the_real_erasure(platform, uow, clock, cases):
    scheduler = TimerScheduler(platform, uow, clock=clock)
    scheduler.run_housekeeping()
    assert len(_erasures(uow)) == 2
    assert _details(uow, cases["cancelled"]).erased_at == clock()
