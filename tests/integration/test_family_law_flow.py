"""The family-law process on a real database: intake, meetings, reminders, outcomes, close."""

from __future__ import annotations

import io
import socket
from dataclasses import replace
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from sote_flow.domain.errors import InvalidInput
from sote_flow.family_law.models import MatterFacts, Meeting, Party
from sote_flow.family_law.upkeep import run_upkeep
from sote_flow.persistence.calendar_models import CalendarEntry
from sote_flow.persistence.document_models import Document
from sote_flow.persistence.models import CaseClock, HistoryEntry, OutboxMail
from sote_flow.services.calendar_absence import mark_absence, reassign_appointment
from sote_flow.services.calendar_entries import cancel_entry, move_entry
from sote_flow.services.timers import fire_due_timers
from sote_flow.services.video_meetings import MeetingLinkUnavailable
from tests.support.factories import make_actor
from tests.support.family_law import (
    AGREED_TERMS,
    FORM,
    JOINT_MEETING,
    PARENT_1,
    PARENT_2,
    agree,
    complete,
    data_of,
    mails_to,
    make_family_people,
    open_task,
    parent_form,
)


@pytest.fixture
def people(platform, uow, clock):
    return make_family_people(platform, uow, clock)


def entries_of(uow, instance_id):
    with uow() as unit:
        return unit.session.scalars(
            select(CalendarEntry)
            .where(CalendarEntry.case_instance_id == instance_id)
            .order_by(CalendarEntry.starts_at)
        ).all()


def meetings(uow, instance_id):
    with uow() as unit:
        return unit.session.scalars(
            select(Meeting).where(Meeting.instance_id == instance_id).order_by(Meeting.id)
        ).all()


def test_a_parents_form_reaches_the_officers_queue_and_keeps_contacts_out_of_history(
    platform, uow, clock, people
):
    instance_id = parent_form(platform, uow, clock)
    with uow() as unit:
        case = unit.cases.get(instance_id)
        assert (case.case_number, case.group_name, case.state) == (
            f"PO-2026-{instance_id:06d}", "lastenvalvojat", "uusi",
        )  # fmt: skip
        parties = unit.session.scalars(select(Party).order_by(Party.parent)).all()
        assert [(p.parent, p.email) for p in parties] == [(1, PARENT_1), (2, PARENT_2)]
        history = str(unit.session.scalars(select(HistoryEntry.data)).all())
    assert PARENT_1 not in history and PARENT_2 not in history
    data = data_of(platform, uow, clock, instance_id)
    assert data["matters"] == ["huolto", "asuminen", "elatus"]
    assert (data["child_birth_year"], data["channel"]) == (2018, "digital")
    task = open_task(uow, instance_id)
    assert (task.element_id, task.group_name, task.assignee_id) == (
        "book_meeting", "lastenvalvojat", None,
    )  # fmt: skip


def test_a_joint_remote_meeting_is_written_into_the_officers_calendar_and_both_invited(
    platform, uow, clock, people, settings_base_url="https://etatapaaminen.example.fi/t/"
):
    instance_id = parent_form(platform, uow, clock)
    complete(platform, uow, clock, people.officer, instance_id, JOINT_MEETING)

    (entry,) = entries_of(uow, instance_id)
    assert (entry.type_key, entry.remote, entry.worker_id) == (
        "agreement_meeting", True, people.officer.user_id,
    )  # fmt: skip
    assert entry.starts_at.isoformat() == "2026-11-26T07:30:00+00:00"  # 9.30 Finnish time
    (meeting,) = meetings(uow, instance_id)
    assert meeting.parent == 0 and meeting.link.startswith(settings_base_url)
    assert meeting.reminder_due_at.isoformat() == "2026-11-25T07:30:00+00:00"
    for address in (PARENT_1, PARENT_2):
        (invite,) = mails_to(uow, address)
        assert meeting.link in invite.body and "26.11.2026 klo 9.30–10.30" in invite.body
    data = data_of(platform, uow, clock, instance_id)
    assert (data["officer"], data["meetings_booked"]) == ("laura", 1)
    task = open_task(uow, instance_id)
    assert (task.element_id, task.assignee_id) == ("record_outcome", people.officer.user_id)


def test_parents_in_conflict_are_met_separately_each_told_only_of_their_own(
    platform, uow, clock, people
):
    instance_id = parent_form(platform, uow, clock)
    separate = {
        **JOINT_MEETING,
        "separate": True,
        "second_day": "2026-11-27",
        "second_time": "13.00",
    }
    complete(platform, uow, clock, people.officer, instance_id, separate)
    first, second = meetings(uow, instance_id)
    assert (first.parent, second.parent) == (1, 2)
    assert first.link != second.link
    (to_first,) = mails_to(uow, PARENT_1)
    (to_second,) = mails_to(uow, PARENT_2)
    assert first.link in to_first.body and second.link not in to_first.body
    assert second.link in to_second.body and "27.11.2026 klo 13.00" in to_second.body


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"meeting_day": "2026-11-20"}, "meeting_time", "jo mennyt"),
        ({"separate": True}, "second_day", "Pakollinen"),
        ({"separate": True, "second_day": "2026-11-26", "second_time": "10.00"},
         "second_time", "päällekkäin"),
        ({"meeting_time": "25.00"}, "meeting_time", ""),
    ],
)  # fmt: skip
def test_a_booking_that_cannot_be_kept_is_refused_naming_the_field_and_books_nothing(
    platform, uow, clock, people, change, field, message
):
    instance_id = parent_form(platform, uow, clock)
    with pytest.raises(InvalidInput) as refused:
        complete(platform, uow, clock, people.officer, instance_id, {**JOINT_MEETING, **change})
    assert field in {e.field for e in refused.value.errors}
    assert any(message in e.message for e in refused.value.errors)
    assert entries_of(uow, instance_id) == [] and mails_to(uow, PARENT_1) == []


def test_a_meeting_over_another_entry_of_the_officer_is_refused(platform, uow, clock, people):
    first = parent_form(platform, uow, clock)
    complete(platform, uow, clock, people.officer, first, JOINT_MEETING)
    second = parent_form(platform, uow, clock, address="198.51.100.8")
    with pytest.raises(InvalidInput) as refused:
        complete(
            platform, uow, clock, people.officer, second, {**JOINT_MEETING, "meeting_time": "10.00"}
        )
    assert refused.value.errors[0].field == "meeting_time"
    assert "jo merkintä" in refused.value.errors[0].message


def test_the_reminder_goes_one_finnish_weekday_before_and_only_once(platform, uow, clock, people):
    instance_id = parent_form(platform, uow, clock)
    # Monday 30.11. at 9.30: the weekday before is Friday 27.11., not the Sunday.
    complete(platform, uow, clock, people.officer, instance_id,
             {**JOINT_MEETING, "meeting_day": "2026-11-30"})  # fmt: skip
    clock.advance(timedelta(days=3, hours=23, minutes=29))  # Friday 27.11. 9.29 Finnish time
    assert run_upkeep(platform, uow, clock) == []
    clock.advance(timedelta(minutes=1))
    assert len(run_upkeep(platform, uow, clock)) == 1
    assert run_upkeep(platform, uow, clock) == []
    for address in (PARENT_1, PARENT_2):
        _invite, reminder = mails_to(uow, address)
        assert reminder.subject == "Muistutus: lastenvalvojan tapaaminen"
        assert "30.11.2026 klo 9.30" in reminder.body


def test_moving_a_meeting_in_the_calendar_tells_both_parents_and_sets_a_new_reminder(
    platform, uow, clock, people
):
    instance_id = parent_form(platform, uow, clock)
    complete(platform, uow, clock, people.officer, instance_id, JOINT_MEETING)
    (entry,) = entries_of(uow, instance_id)
    new_start = entry.starts_at + timedelta(days=7)
    with uow() as unit:
        move_entry(platform, people.officer, unit, clock, entry.id, new_start,
                   new_start + timedelta(hours=1))  # fmt: skip
    for address in (PARENT_1, PARENT_2):
        _, moved = mails_to(uow, address)
        assert moved.subject == "Tapaamisen aika on muuttunut"
        assert "3.12.2026 klo 9.30" in moved.body
    (meeting,) = meetings(uow, instance_id)
    assert meeting.reminder_due_at.isoformat() == "2026-12-02T07:30:00+00:00"
    with uow() as unit:
        cancel_entry(platform, people.officer, unit, clock, entry.id)
    assert mails_to(uow, PARENT_2)[-1].subject == "Tapaaminen on peruttu"
    clock.advance(timedelta(days=9))
    assert run_upkeep(platform, uow, clock) == []  # a cancelled meeting is not reminded of


def test_an_agreement_is_rendered_as_a_pdf_and_each_parent_gets_a_link(
    platform, uow, clock, people
):
    instance_id = agree(platform, uow, clock, people)
    with uow() as unit:
        (document,) = unit.session.scalars(select(Document)).all()
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(document.content)).pages)
    assert "Sopimus lapsen asioista" in text
    assert "huolto, asuminen, elatus" in text and "syntynyt 2018" in text
    assert "yhteisesti" in text and "vuoroasuminen" in text
    assert "250,00 €" in text and "vanhempi 1" in text
    assert PARENT_1 not in text
    links = [mails_to(uow, a)[-1] for a in (PARENT_1, PARENT_2)]
    assert all("/lataa/" in mail.body for mail in links)
    assert links[0].body != links[1].body  # each parent their own link
    data = data_of(platform, uow, clock, instance_id)
    assert data["agreement_document"] == document.id
    assert open_task(uow, instance_id).element_id == "feedback"

    complete(platform, uow, clock, people.officer, instance_id, {"workload": 2, "smoothness": 5})
    with uow() as unit:
        facts = unit.session.get(MatterFacts, instance_id)
        assert (facts.outcome, facts.workload, facts.smoothness) == ("sopimus", 2, 5)
        assert facts.closed_at == clock() and facts.agreement_confirmed_at == clock()
        assert facts.first_meeting_at.isoformat() == "2026-11-26T07:30:00+00:00"
    run_upkeep(platform, uow, clock)
    with uow() as unit:
        assert all(p.email is None and p.erased_at for p in unit.session.scalars(select(Party)))


def test_an_empty_draft_and_a_confirmation_without_parent_2_are_refused(
    platform, uow, clock, people
):
    instance_id = parent_form(platform, uow, clock, replace(FORM, email_2=""))
    complete(platform, uow, clock, people.officer, instance_id, JOINT_MEETING)
    complete(platform, uow, clock, people.officer, instance_id, {"outcome": "sopimus"})
    with pytest.raises(InvalidInput) as empty:
        complete(platform, uow, clock, people.officer, instance_id, {})
    assert empty.value.errors[0].field == "custody"
    complete(platform, uow, clock, people.officer, instance_id, AGREED_TERMS)
    with pytest.raises(InvalidInput) as unreachable:
        complete(platform, uow, clock, people.officer, instance_id, {"confirmation": "vahvista"})
    assert unreachable.value.errors[0].field == "confirmation"
    assert "Vanhemman 2 yhteystieto puuttuu" in unreachable.value.errors[0].message
    with uow() as unit:
        assert unit.session.scalars(select(Document)).all() == []
    complete(platform, uow, clock, people.officer, instance_id, {"confirmation": "korjaa"})
    assert open_task(uow, instance_id).element_id == "draft_agreement"


def test_no_agreement_is_referred_to_mediation(platform, uow, clock, people):
    instance_id = parent_form(platform, uow, clock)
    complete(platform, uow, clock, people.officer, instance_id, JOINT_MEETING)
    complete(platform, uow, clock, people.officer, instance_id, {"outcome": "ei_sopimusta"})
    complete(platform, uow, clock, people.officer, instance_id, {"referral": "sovittelu"})
    complete(platform, uow, clock, people.officer, instance_id, {"workload": 4, "smoothness": 2})
    with uow() as unit:
        assert unit.session.get(MatterFacts, instance_id).outcome == "sovittelu"
        assert unit.instances.get(instance_id).status == "completed"


def test_another_meeting_goes_back_to_the_same_officer(platform, uow, clock, people):
    instance_id = parent_form(platform, uow, clock)
    complete(platform, uow, clock, people.officer, instance_id, JOINT_MEETING)
    complete(platform, uow, clock, people.officer, instance_id, {"outcome": "uusi_tapaaminen"})
    task = open_task(uow, instance_id)
    assert (task.element_id, task.assignee_id) == ("book_again", people.officer.user_id)
    complete(platform, uow, clock, people.officer, instance_id,
             {**JOINT_MEETING, "meeting_day": "2026-12-03", "meeting_mode": "lahi"})  # fmt: skip
    first, second = entries_of(uow, instance_id)
    assert (first.remote, second.remote, second.place) == (
        True, False, "Rovaniemi, lastenvalvojan toimipiste",
    )  # fmt: skip
    assert meetings(uow, instance_id)[1].link is None


def test_a_court_report_runs_a_legal_clock_and_alerts_the_manager_five_weekdays_before(
    platform, uow, clock, people
):
    instance_id = parent_form(platform, uow, clock)
    complete(platform, uow, clock, people.officer, instance_id, JOINT_MEETING)
    with pytest.raises(InvalidInput) as no_deadline:
        complete(platform, uow, clock, people.officer, instance_id, {"outcome": "olosuhdeselvitys"})
    assert no_deadline.value.errors[0].field == "court_deadline"
    complete(platform, uow, clock, people.officer, instance_id,
             {"outcome": "olosuhdeselvitys", "court": "Lapin käräjäoikeus",
              "court_deadline": "2026-12-18"})  # fmt: skip
    with uow() as unit:
        (legal,) = unit.session.scalars(select(CaseClock)).all()
        assert (legal.key, legal.due_on, legal.stopped_at) == (
            "olosuhdeselvitys", date(2026, 12, 18), None,
        )  # fmt: skip
    # Five weekdays before Friday 18.12. is Friday 11.12. at 8.00 Finnish time.
    clock.advance(timedelta(days=17, hours=21, minutes=59))  # Friday 11.12. 7.59 Finnish time
    fire_due_timers(platform, uow, clock)
    assert mails_to(uow, "paula@example.test") == []
    clock.advance(timedelta(minutes=2))  # the scheduler's next round after 8.00
    fire_due_timers(platform, uow, clock)
    with uow() as unit:
        alert = unit.session.scalars(
            select(OutboxMail).where(OutboxMail.subject.like("Olosuhdeselvityksen%"))
        ).one()
    assert "määräaika lähestyy" in alert.subject
    task = open_task(uow, instance_id)
    assert task.element_id == "court_report"  # the report is still to be made
    complete(platform, uow, clock, people.officer, instance_id,
             {"report_delivered_on": "2026-12-15"})  # fmt: skip
    complete(platform, uow, clock, people.officer, instance_id, {"workload": 5, "smoothness": 3})
    with uow() as unit:
        (legal,) = unit.session.scalars(select(CaseClock)).all()
        assert legal.stopped_at is not None
        assert unit.session.get(MatterFacts, instance_id).outcome == "olosuhdeselvitys"


def test_a_provider_that_gives_no_link_books_nothing_and_says_to_try_again(
    platform, uow, clock, people
):
    with socket.socket() as closed:  # a loopback port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    platform.settings = replace(
        platform.settings, video_meeting_api_url=f"http://127.0.0.1:{port}/meetings"
    )
    instance_id = parent_form(platform, uow, clock)
    with pytest.raises(MeetingLinkUnavailable) as refused:
        complete(platform, uow, clock, people.officer, instance_id, JOINT_MEETING)
    assert "Yritä hetken kuluttua uudelleen" in refused.value.message
    assert entries_of(uow, instance_id) == [] and mails_to(uow, PARENT_1) == []
    assert open_task(uow, instance_id).element_id == "book_meeting"


def test_a_meeting_given_to_another_officer_in_an_absence_tells_both_parents(
    platform, uow, clock, people
):
    lead = make_actor(uow, clock, "leena", ["team_lead"], ["lastenvalvojat"])
    instance_id = parent_form(platform, uow, clock)
    complete(platform, uow, clock, people.officer, instance_id, JOINT_MEETING)
    (entry,) = entries_of(uow, instance_id)
    with uow() as unit:
        mark_absence(platform, people.officer, unit, clock, "laura",
                     entry.starts_at - timedelta(hours=2), entry.ends_at, "sick")  # fmt: skip
    with uow() as unit:
        reassign_appointment(platform, lead, unit, clock, entry.id, "lasse")
    for address in (PARENT_1, PARENT_2):
        news = mails_to(uow, address)[-1]
        assert news.subject == "Tapaamisenne lastenvalvoja on vaihtunut"
        assert "Lastenvalvoja: lasse" in news.body and "26.11.2026 klo 9.30" in news.body
