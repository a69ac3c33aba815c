"""Performed work: client work on a case, employee work, and appointments from the calendar."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from sote_flow.client_case.models import WorkEvent
from sote_flow.client_case.work import (
    WorkInput,
    calendar_suggestions,
    case_view,
    case_work,
    confirm_suggestion,
    dismiss_suggestion,
    my_work,
    record_case_work,
    record_employee_work,
)
from sote_flow.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from sote_flow.persistence.models import AccessLogEntry, HistoryEntry
from sote_flow.services.calendar_entries import cancel_entry
from tests.support.calendars import at
from tests.support.client_cases import (
    CLIENT,
    LAST_FRIDAY,
    appointment,
    friday,
    make_case_people,
    start_case,
)

HETU = "131052-308T"
MEETING = WorkInput("asiakastapaaminen", LAST_FRIDAY, 45, "asiakas ja äiti", True)


@pytest.fixture
def people(platform, uow, clock):
    return make_case_people(platform, uow, clock)


@pytest.fixture
def case_id(platform, uow, clock, people) -> int:
    return start_case(platform, uow, clock, people.sanni)


def _events(uow) -> list[WorkEvent]:
    with uow() as unit:
        return list(unit.session.scalars(select(WorkEvent).order_by(WorkEvent.id)))


def test_work_on_a_case_copies_the_clients_municipality(uow, clock, people, case_id):
    with uow() as unit:
        event_id = record_case_work(people.sanni, unit, clock, case_id, MEETING)
    (event,) = _events(uow)
    assert event.id == event_id and event.instance_id == case_id
    assert (event.client_number, event.municipality) == (CLIENT, "Kemijärvi")
    assert (event.status, event.worker, event.minutes, event.client_met) == (
        "confirmed", "sanni", 45, True,
    )  # fmt: skip
    with uow() as unit:
        recorded = unit.session.scalars(
            select(HistoryEntry).where(HistoryEntry.action == "work_recorded")
        ).one()
    assert recorded.instance_id == case_id
    assert "äiti" not in str(recorded.data)  # no free text in the history
    with uow() as unit:
        (view,) = case_work(people.sanni, unit, clock, case_id)
    assert view.type_label == "Asiakastapaaminen" and view.participants == "asiakas ja äiti"
    with uow() as unit:
        logged = unit.session.scalars(
            select(AccessLogEntry).where(AccessLogEntry.object_type == "client_case_work")
        ).all()
    assert [entry.username for entry in logged] == ["sanni"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"participants": f"asiakas {HETU}"}, "participants", "henkilötunnusta"),
        ({"participants": "x" * 201}, "participants", "enintään 200 merkkiä"),
        ({"day": date(2026, 11, 24)}, "day", "tulevaisuudessa"),
        ({"day": date(2025, 11, 1)}, "day", "vuoden"),
        ({"day": "31.2.2026"}, "day", "pp.kk.vvvv"),
        ({"day": "1.1.99999999999999999999"}, "day", "pp.kk.vvvv"),
        ({"minutes": 0}, "minutes", "1–1440"),
        ({"minutes": "1441"}, "minutes", "1–1440"),
        ({"minutes": "puoli"}, "minutes", "1–1440"),
        ({"event_type": "koulutus"}, "event_type", "Valitse tehdyn työn laji"),
        ({"client_met": None}, "client_met", "tavattiinko"),
    ],
)
def test_work_on_a_case_is_refused_by_field(uow, clock, people, case_id, changes, field, message):
    data = WorkInput(**{**MEETING.__dict__, **changes})
    with uow() as unit, pytest.raises(InvalidInput) as refused:
        record_case_work(people.sanni, unit, clock, case_id, data)
    assert [e.field for e in refused.value.errors] == [field]
    assert message in refused.value.errors[0].message
    assert _events(uow) == []


def test_form_text_is_read_like_typed_values(uow, clock, people, case_id):
    data = WorkInput("puhelu", "23.11.2026", "15", "", "no")
    with uow() as unit:
        record_case_work(people.sanni, unit, clock, case_id, data)
    (event,) = _events(uow)
    assert (event.occurred_on, event.minutes, event.client_met) == (date(2026, 11, 23), 15, False)
    assert event.participants is None


def test_a_family_worker_without_access_cannot_record_on_the_case(uow, clock, people, case_id):
    with uow() as unit, pytest.raises(PermissionDenied):
        record_case_work(people.perttu, unit, clock, case_id, MEETING)
    with uow() as unit, pytest.raises(PermissionDenied):
        record_case_work(people.auditor, unit, clock, case_id, MEETING)
    with uow() as unit, pytest.raises(PermissionDenied):
        case_work(people.perttu, unit, clock, case_id)
    with uow() as unit, pytest.raises(NotFound):
        record_case_work(people.sanni, unit, clock, case_id + 100, MEETING)
    assert _events(uow) == []


def test_the_case_page_shows_its_facts_and_open_task(uow, clock, people, case_id):
    with uow() as unit:
        view = case_view(people.sakari, unit, clock, case_id)  # in the case's group
    assert view.reference.startswith("AS-") and view.open
    assert view.facts is not None and view.facts.municipality == "Kemijärvi"
    assert [t.element_id for t in view.open_tasks] == ["start_assessment"]


def test_employee_work_has_no_case(uow, clock, people):
    with uow() as unit:
        record_employee_work(people.perttu, unit, clock, WorkInput("koulutus", LAST_FRIDAY, 240))
    (event,) = _events(uow)
    assert (event.instance_id, event.client_number, event.municipality) == (None, None, None)
    assert event.client_met is None and event.event_type == "koulutus"
    with uow() as unit, pytest.raises(InvalidInput) as refused:
        record_employee_work(people.perttu, unit, clock, WorkInput("puhelu", LAST_FRIDAY, 10))
    assert [e.field for e in refused.value.errors] == ["event_type"]
    with uow() as unit:
        mine = my_work(people.perttu, unit, LAST_FRIDAY, LAST_FRIDAY)
    assert [e.event_type for e in mine] == ["koulutus"]
    with uow() as unit:
        assert my_work(people.sanni, unit, LAST_FRIDAY, LAST_FRIDAY) == []


def test_a_past_appointment_on_the_case_is_suggested(platform, uow, clock, people, case_id):
    past = appointment(platform, uow, clock, people.sanni, friday(9), friday(10, 30),
                       case_id=case_id)  # fmt: skip
    monday = date(2026, 11, 23)
    # Later today (not yet over), a cancelled one, one without client, another worker's.
    appointment(platform, uow, clock, people.sanni, at(monday, 13), at(monday, 14),
                case_id=case_id)  # fmt: skip
    cancelled = appointment(platform, uow, clock, people.sanni, friday(12), friday(13),
                            case_id=case_id)  # fmt: skip
    with uow() as unit:
        cancel_entry(platform, people.sanni, unit, clock, cancelled)
    appointment(platform, uow, clock, people.sanni, friday(14), friday(15))
    appointment(platform, uow, clock, people.sakari, friday(9), friday(10), case_id=case_id)
    with uow() as unit:
        (suggestion,) = calendar_suggestions(people.sanni, unit, clock)
    assert suggestion.entry_id == past and suggestion.instance_id == case_id
    assert (suggestion.day, suggestion.minutes) == (LAST_FRIDAY, 90)
    assert suggestion.event_type == "asiakastapaaminen" and suggestion.case_number


def test_an_appointment_with_a_client_number_only_is_suggested(platform, uow, clock, people):
    entry = appointment(platform, uow, clock, people.sanni, friday(9), friday(9, 20),
                        type_key="phone_call", client_number="1112223")  # fmt: skip
    with uow() as unit:
        (suggestion,) = calendar_suggestions(people.sanni, unit, clock)
    assert (suggestion.event_type, suggestion.instance_id) == ("puhelu", None)
    with uow() as unit:
        confirm_suggestion(people.sanni, unit, clock, entry)
    (event,) = _events(uow)
    assert (event.client_number, event.municipality, event.instance_id) == ("1112223", None, None)
    assert (event.minutes, event.entry_id) == (20, entry)


def test_an_old_appointment_is_no_longer_suggested(platform, uow, clock, people, case_id):
    old = LAST_FRIDAY - timedelta(days=31)
    appointment(platform, uow, clock, people.sanni, at(old, 9), at(old, 10), case_id=case_id)
    with uow() as unit:
        assert calendar_suggestions(people.sanni, unit, clock) == []


def test_confirming_creates_the_event_once(platform, uow, clock, people, case_id):
    entry = appointment(platform, uow, clock, people.sanni, friday(9), friday(10),
                        type_key="home_visit", case_id=case_id)  # fmt: skip
    with uow() as unit, pytest.raises(PermissionDenied):
        confirm_suggestion(people.sakari, unit, clock, entry)  # not his calendar
    with uow() as unit:
        confirm_suggestion(people.sanni, unit, clock, entry)
    (event,) = _events(uow)
    assert (event.event_type, event.status, event.minutes) == ("kotikaynti", "confirmed", 60)
    assert (event.instance_id, event.client_number, event.municipality) == (
        case_id, CLIENT, "Kemijärvi",
    )  # fmt: skip
    with uow() as unit, pytest.raises(Conflict):
        confirm_suggestion(people.sanni, unit, clock, entry)
    with uow() as unit:
        assert calendar_suggestions(people.sanni, unit, clock) == []
    with uow() as unit:
        assert [e.event_type for e in case_work(people.sanni, unit, clock, case_id)] == [
            "kotikaynti"
        ]
    assert len(_events(uow)) == 1


def test_a_confirmed_appointment_may_count_as_another_kind(platform, uow, clock, people, case_id):
    entry = appointment(platform, uow, clock, people.sanni, friday(9), friday(10), case_id=case_id)
    with uow() as unit, pytest.raises(InvalidInput) as refused:
        confirm_suggestion(people.sanni, unit, clock, entry, "koulutus")
    assert [e.field for e in refused.value.errors] == ["event_type"]
    with uow() as unit:
        confirm_suggestion(people.sanni, unit, clock, entry, "vaativa_tapaaminen")
    assert [e.event_type for e in _events(uow)] == ["vaativa_tapaaminen"]


def test_dismissing_hides_the_suggestion(platform, uow, clock, people, case_id):
    entry = appointment(platform, uow, clock, people.sanni, friday(9), friday(10), case_id=case_id)
    with uow() as unit, pytest.raises(PermissionDenied):
        dismiss_suggestion(people.sakari, unit, clock, entry)
    with uow() as unit:
        dismiss_suggestion(people.sanni, unit, clock, entry)
    with uow() as unit:
        assert calendar_suggestions(people.sanni, unit, clock) == []
    assert [e.status for e in _events(uow)] == ["dismissed"]
    with uow() as unit:
        assert case_work(people.sanni, unit, clock, case_id) == []  # not counted
    with uow() as unit, pytest.raises(Conflict):
        confirm_suggestion(people.sanni, unit, clock, entry)


def test_a_cancelled_or_future_appointment_cannot_be_confirmed(
    platform, uow, clock, people, case_id
):
    monday = date(2026, 11, 23)
    later = appointment(platform, uow, clock, people.sanni, at(monday, 13), at(monday, 14),
                        case_id=case_id)  # fmt: skip
    cancelled = appointment(platform, uow, clock, people.sanni, friday(9), friday(10),
                            case_id=case_id)  # fmt: skip
    with uow() as unit:
        cancel_entry(platform, people.sanni, unit, clock, cancelled)
    for entry in (later, cancelled, 999_999):
        with uow() as unit, pytest.raises(NotFound):
            confirm_suggestion(people.sanni, unit, clock, entry)
    assert _events(uow) == []


def test_the_unique_entry_stops_a_second_event_at_the_same_moment(
    platform, uow, clock, people, case_id, monkeypatch
):
    entry = appointment(platform, uow, clock, people.sanni, friday(9), friday(10), case_id=case_id)
    with uow() as unit:
        confirm_suggestion(people.sanni, unit, clock, entry)
    with uow() as unit:
        # As if the other confirmation were committed just after this one looked.
        monkeypatch.setattr(unit.session, "scalar", lambda *args, **kwargs: None)
        with pytest.raises(Conflict):
            confirm_suggestion(people.sanni, unit, clock, entry)
    assert len(_events(uow)) == 1
