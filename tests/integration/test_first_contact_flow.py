"""First contact on a real database: assess, consult, hand off, book in the contact, wait, visit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from sote_flow.domain.clock import system_clock
from sote_flow.domain.errors import InvalidInput, PermissionDenied
from sote_flow.engine.runtime import RunContext
from sote_flow.first_contact.models import ContactDetails, VisitRecord
from sote_flow.persistence.calendar_models import CalendarEntry
from sote_flow.persistence.models import HistoryEntry, OutboxMail, ProcessInstance
from sote_flow.services.calendar_slots import Booking, book_slot
from sote_flow.services.timers import fire_due_timers
from tests.support.first_contacts import (
    ASSESSED,
    complete,
    make_contact_people,
    open_task,
    phone_contact,
    shown_form,
)


@pytest.fixture
def people(platform, uow, clock):
    return make_contact_people(platform, uow, clock)


def case_of(uow, instance_id):
    with uow() as unit:
        case = unit.cases.get(instance_id)
        assert case is not None
        return case


def data_of(platform, uow, instance_id):
    with uow() as unit:
        instance = unit.instances.get(instance_id)
        ctx = RunContext(instance_id, "first_contact", "test", system_clock)
        workflow, _ = platform.load_workflow(instance, ctx)
        return platform.runtime.current_data(workflow)


def slot_choices(platform, uow, clock, actor, instance_id):
    view = shown_form(platform, uow, clock, actor, instance_id)
    return view.form["properties"]["slot"]["oneOf"]


def test_a_phone_contact_is_booked_during_the_call_and_the_visit_recorded(
    platform, uow, clock, people
):
    instance_id = phone_contact(platform, uow, clock, people.advisor)
    case = case_of(uow, instance_id)
    assert (case.case_number, case.state, case.group_name) == (
        f"YH-2026-{instance_id:06d}", "uusi", "asiakasneuvonta",
    )  # fmt: skip
    with uow() as unit:
        details = unit.session.get(ContactDetails, instance_id)
        assert (details.channel, details.callback_phone) == ("phone", "040 123 4567")
        submitted = unit.session.scalars(select(HistoryEntry.data)).all()
    assert "040 123 4567" not in str(submitted)  # contact details stay out of the history

    complete(platform, uow, clock, people.advisor, instance_id, ASSESSED)
    task = open_task(uow, instance_id)
    assert (task.element_id, task.assignee_id) == ("book_visit", people.advisor.user_id)
    choices = slot_choices(platform, uow, clock, people.advisor, instance_id)
    assert choices[0]["title"] == "ti 24.11. klo 9.00–9.45 · pekka · Perhekeskus, Kotka"
    assert choices[-1]["const"] == ""  # "no suitable time" is always offered
    assert len(choices) == 1 + 4 + 4  # the two Tuesdays within ten weekdays, four slots each

    complete(platform, uow, clock, people.advisor, instance_id,
             {"client_number": "1234567", "slot": choices[1]["const"]})  # fmt: skip
    data = data_of(platform, uow, instance_id)
    assert data["booked_in_contact"] == "kylla"
    assert data["urgency_assessed_at"] == clock().isoformat()
    assert data["appointment_time"] == "ti 24.11.2026 klo 9.45–10.30"
    assert case_of(uow, instance_id).state == "varattu"
    with uow() as unit:
        entry = unit.session.get(CalendarEntry, data["appointment_entry"])
        assert (entry.worker.username, entry.client_number, entry.case_instance_id) == (
            "pekka", "1234567", instance_id,
        )  # fmt: skip
        mail = unit.session.scalars(select(OutboxMail)).one()
    assert mail.to_address == "asiakas@example.test"
    assert "24.11.2026 klo 9.45–10.30" in mail.body

    clock.advance(timedelta(days=1))  # Tuesday 10.00: the visit's time has come
    assert fire_due_timers(platform, uow, clock) == 1
    task = open_task(uow, instance_id)
    assert (task.element_id, task.assignee_id) == ("record_visit", people.worker.user_id)
    visit = {"visit_outcome": "tuli", "visit_minutes": 45, "visit_next": "palvelu_alkaa"}
    complete(platform, uow, clock, people.worker, instance_id, visit)
    with uow() as unit:
        instance = unit.session.get(ProcessInstance, instance_id)
        assert instance.status == "completed"
        visits = unit.session.scalars(select(VisitRecord)).all()
    assert case_of(uow, instance_id).state == "kaynti"
    assert [(v.outcome, v.minutes, v.worker, v.client_number) for v in visits] == [
        ("tuli", 45, "pekka", "1234567")
    ]


def test_the_advisor_consults_the_specialists_and_sees_the_answer(platform, uow, clock, people):
    instance_id = phone_contact(platform, uow, clock, people.advisor)
    with pytest.raises(InvalidInput) as refused:
        complete(platform, uow, clock, people.advisor, instance_id,
                 {**ASSESSED, "next_step": "konsultoi"})  # fmt: skip
    assert "question" in [e.field for e in refused.value.errors]
    question = {**ASSESSED, "next_step": "konsultoi", "question": "Perhetyö vai kotipalvelu?"}
    complete(platform, uow, clock, people.advisor, instance_id, question)
    task = open_task(uow, instance_id)
    assert (task.element_id, task.group_name) == ("consult", "erityistyontekijat")
    assert case_of(uow, instance_id).state == "konsultaatio"
    with pytest.raises(PermissionDenied):
        complete(platform, uow, clock, people.other_advisor, instance_id, {"answer": "x"})
    complete(platform, uow, clock, people.specialist, instance_id, {"answer": "Perhetyö."})
    view = shown_form(platform, uow, clock, people.advisor, instance_id)
    assert view.task.element_id == "assess"
    assert (view.data["question"], view.data["answer"]) == (
        "Perhetyö vai kotipalvelu?",
        "Perhetyö.",
    )


def test_a_handoff_puts_the_whole_contact_in_the_other_teams_queue(platform, uow, clock, people):
    instance_id = phone_contact(platform, uow, clock, people.advisor)
    handoff = {**ASSESSED, "next_step": "siirra", "handoff_team": "lastenvalvojat",
               "handoff_reason": "Sopimus lapsen tapaamisista."}  # fmt: skip
    complete(platform, uow, clock, people.advisor, instance_id, handoff)
    task = open_task(uow, instance_id)
    assert (task.element_id, task.group_name) == ("handoff", "lastenvalvojat")
    case = case_of(uow, instance_id)
    assert (case.state, case.group_name) == ("siirretty", "lastenvalvojat")
    view = shown_form(platform, uow, clock, people.welfare_officer, instance_id)
    assert view.data["description"].startswith("Perhe kaipaa apua")
    assert view.data["handoff_reason"] == "Sopimus lapsen tapaamisista."
    # The receiving team carries on (here: books); the booking task is theirs.
    complete(platform, uow, clock, people.welfare_officer, instance_id,
             {**ASSESSED, "next_step": "varaa"})  # fmt: skip
    task = open_task(uow, instance_id)
    assert (task.element_id, task.assignee_id) == ("book_visit", people.welfare_officer.user_id)


def test_no_suitable_slot_puts_the_contact_on_the_waiting_list_and_escalates(
    platform, uow, clock, people
):
    instance_id = phone_contact(platform, uow, clock, people.advisor)
    complete(platform, uow, clock, people.advisor, instance_id, ASSESSED)
    complete(platform, uow, clock, people.advisor, instance_id,
             {"client_number": "1234567", "slot": ""})  # fmt: skip
    task = open_task(uow, instance_id)
    assert (task.element_id, task.group_name) == ("waiting_list", "asiakasneuvonta")
    assert case_of(uow, instance_id).state == "jonossa"

    clock.advance(timedelta(days=15))  # more than ten weekdays later
    assert fire_due_timers(platform, uow, clock) == 1
    with uow() as unit:
        alert = unit.session.scalars(
            select(OutboxMail).where(OutboxMail.to_address == "paula@example.test")
        ).one()
    assert alert.subject == f"Yhteydenotto YH-2026-{instance_id:06d} odottaa ensikäyntiaikaa"
    assert open_task(uow, instance_id).element_id == "waiting_list"  # still waits to be booked

    choices = slot_choices(platform, uow, clock, people.other_advisor, instance_id)
    complete(platform, uow, clock, people.other_advisor, instance_id,
             {"client_number": "1234567", "slot": choices[0]["const"]})  # fmt: skip
    assert data_of(platform, uow, instance_id)["booked_in_contact"] == "ei"
    assert case_of(uow, instance_id).state == "varattu"


def test_a_slot_booked_by_someone_else_meanwhile_is_refused_and_nothing_changes(
    platform, uow, clock, people
):
    instance_id = phone_contact(platform, uow, clock, people.advisor)
    complete(platform, uow, clock, people.advisor, instance_id, ASSESSED)
    chosen = slot_choices(platform, uow, clock, people.advisor, instance_id)[0]["const"]
    with uow() as unit:  # another advisor books the same slot for another client first
        book_slot(platform, people.other_advisor, unit, clock, int(chosen), Booking("7654321"))
    with pytest.raises(InvalidInput) as refused:
        complete(platform, uow, clock, people.advisor, instance_id,
                 {"client_number": "1234567", "slot": chosen})  # fmt: skip
    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("slot", "Aika ehdittiin juuri varata. Valitse toinen aika.")
    ]
    assert open_task(uow, instance_id).element_id == "book_visit"
    fresh = slot_choices(platform, uow, clock, people.advisor, instance_id)
    assert chosen not in [c["const"] for c in fresh]


def test_a_visit_the_client_missed_goes_back_to_booking(platform, uow, clock, people):
    instance_id = phone_contact(platform, uow, clock, people.advisor)
    complete(platform, uow, clock, people.advisor, instance_id, ASSESSED)
    chosen = slot_choices(platform, uow, clock, people.advisor, instance_id)[0]["const"]
    complete(platform, uow, clock, people.advisor, instance_id,
             {"client_number": "1234567", "slot": chosen})  # fmt: skip
    clock.advance(timedelta(days=1))
    fire_due_timers(platform, uow, clock)
    complete(platform, uow, clock, people.worker, instance_id,
             {"visit_outcome": "ei_tullut", "visit_next": "uusi_aika"})  # fmt: skip
    task = open_task(uow, instance_id)
    assert (task.element_id, task.assignee_id) == ("book_visit", people.advisor.user_id)
    with uow() as unit:
        assert [v.outcome for v in unit.session.scalars(select(VisitRecord))] == ["ei_tullut"]
