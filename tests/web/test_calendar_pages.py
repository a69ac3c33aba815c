"""Calendar pages: the week, writing by form, moving by drag (JSON), slots, booking, absence."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from sote_flow.persistence.calendar_models import CalendarEntry
from sote_flow.persistence.models import AccessLogEntry
from sote_flow.web.deps import unit_of_work
from tests.support.factories import make_actor, make_groups
from tests.web.conftest import csrf_token, login

PATTERN = {
    "service_key": "family_work", "weekday": "1", "start": "09:00", "end": "12:00",
    "slot_minutes": "45", "valid_from": "2026-11-23", "valid_until": "2026-12-31",
    "place": "Perhekeskus",
}  # fmt: skip


@pytest.fixture
def staff(app, clock):
    with app.app_context():
        make_groups(unit_of_work, "perhetyo", "neuvonta")
        make_actor(unit_of_work, clock, "pekka", ["family_worker"], ["perhetyo"])
        make_actor(unit_of_work, clock, "liisa", ["family_worker"], ["perhetyo"])
        make_actor(unit_of_work, clock, "leena", ["team_lead"], ["perhetyo"])
        make_actor(unit_of_work, clock, "neuvo", ["client_advisor"], ["neuvonta"])


def entries(app) -> list[CalendarEntry]:
    with app.app_context(), unit_of_work() as uow:
        return list(uow.session.scalars(select(CalendarEntry).order_by(CalendarEntry.id)))


def test_a_worker_writes_an_entry_with_the_form_and_sees_it_in_the_week(app, client, staff):
    login(client, "pekka")
    token = csrf_token(client, "/calendar/")
    response = client.post(
        "/calendar/entries",
        data={"csrf_token": token, "type_key": "home_visit", "day": "2026-11-24",
              "start": "9.00", "end": "10:30", "place": "Karhula", "client_number": "123456"},
    )  # fmt: skip
    assert response.status_code == 302
    page = client.get("/calendar/?day=2026-11-24").get_data(as_text=True)
    assert re.search(r"9\.00–10\.30\s*<a [^>]+>Kotikäynti</a>\s*· Karhula\s*· asiakas 123456", page)
    events = client.get(
        "/calendar/entries.json?start=2026-11-23T00:00:00%2B02:00&end=2026-11-30T00:00:00%2B02:00"
    ).get_json()
    assert [(e["title"], e["start"], e["end"], e["editable"]) for e in events] == [
        ("Kotikäynti · 123456 · Karhula", "2026-11-24T07:00:00+00:00",
         "2026-11-24T08:30:00+00:00", True)
    ]  # fmt: skip


def test_a_bad_entry_is_refused_with_the_message_next_to_the_field(app, client, staff):
    login(client, "pekka")
    token = csrf_token(client, "/calendar/")
    response = client.post(
        "/calendar/entries",
        data={"csrf_token": token, "type_key": "home_visit", "day": "2026-11-24",
              "start": "ysi", "end": "10:30", "client_number": "Matti Meikäläinen"},
    )  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<p class="error" id="start-error">Anna alkamisaika muodossa tt:mm.</p>' in page
    response = client.post(
        "/calendar/entries",
        data={"csrf_token": token, "type_key": "home_visit", "day": "2026-11-24",
              "start": "9:00", "end": "10:30", "client_number": "Matti Meikäläinen"},
    )  # fmt: skip
    assert response.status_code == 422
    assert 'id="client_number-error">Asiakasnumero on väärän muotoinen.' in response.get_data(
        as_text=True
    )
    assert entries(app) == []


def test_dragging_an_entry_moves_it_and_a_refused_move_answers_in_finnish(app, client, staff):
    login(client, "pekka")
    token = csrf_token(client, "/calendar/")
    client.post(
        "/calendar/entries",
        data={"csrf_token": token, "type_key": "documentation", "day": "2026-11-24",
              "start": "12:00", "end": "13:00"},
    )  # fmt: skip
    entry_id = entries(app)[0].id
    headers = {"X-CSRFToken": token}
    moved = client.post(
        f"/calendar/entries/{entry_id}/move",
        json={"start": "2026-11-25T12:00:00.000Z", "end": "2026-11-25T13:30:00.000Z"},
        headers=headers,
    )
    assert moved.status_code == 200, moved.get_json()
    assert entries(app)[0].starts_at.isoformat() == "2026-11-25T12:00:00+00:00"
    refused = client.post(
        f"/calendar/entries/{entry_id}/move",
        json={"start": "2026-11-25T12:00:00Z", "end": "2026-11-25T11:00:00Z"},
        headers=headers,
    )
    assert refused.status_code == 422
    assert refused.get_json() == {"message": "Päättymisajan on oltava alkamisajan jälkeen."}
    login(client, "liisa")  # a teammate: may not move it
    other = client.post(
        f"/calendar/entries/{entry_id}/move",
        json={"start": "2026-11-26T12:00:00Z", "end": "2026-11-26T13:00:00Z"},
        headers={"X-CSRFToken": csrf_token(client, "/calendar/")},
    )
    assert other.status_code == 403


def test_an_advisor_books_a_slot_and_a_second_booking_hears_it_was_taken(app, client, staff):
    login(client, "pekka")
    token = csrf_token(client, "/calendar/offer")
    assert (
        client.post("/calendar/offer/pattern", data={"csrf_token": token, **PATTERN}).status_code
        == 302
    )
    login(client, "neuvo")
    page = client.get("/calendar/slots?service=family_work").get_data(as_text=True)
    slot_ids = re.findall(r"/calendar/slots/(\d+)/book", page)
    assert len(slot_ids) == 10
    assert "24.11.2026 klo 09.00–9.45 · pekka · Perhekeskus" in page
    token = csrf_token(client, "/calendar/slots?service=family_work")
    form = {"csrf_token": token, "service": "family_work", "client_number": "654321"}
    assert client.post(f"/calendar/slots/{slot_ids[0]}/book", data=form).status_code == 302
    again = client.post(f"/calendar/slots/{slot_ids[0]}/book", data=form)
    page = again.get_data(as_text=True)
    assert again.status_code == 409
    assert "Aika ehdittiin juuri varata" in page
    assert f'action="/calendar/slots/{slot_ids[0]}/book"' not in page
    assert f"/calendar/slots/{slot_ids[1]}/book" in page
    bad = client.post(f"/calendar/slots/{slot_ids[1]}/book", data={**form, "client_number": ""})
    assert bad.status_code == 422
    assert 'id="client_number-error">Asiakasnumero puuttuu' in bad.get_data(as_text=True)
    assert [(e.client_number, e.type_key) for e in entries(app)] == [("654321", "office_visit")]


def test_an_absence_sends_the_appointments_to_the_team_lead(app, client, staff):
    login(client, "pekka")
    token = csrf_token(client, "/calendar/offer")
    client.post("/calendar/offer/pattern", data={"csrf_token": token, **PATTERN})
    login(client, "neuvo")
    page = client.get("/calendar/slots?service=family_work").get_data(as_text=True)
    slot_id = re.findall(r"/calendar/slots/(\d+)/book", page)[0]
    token = csrf_token(client, "/calendar/slots?service=family_work")
    client.post(
        f"/calendar/slots/{slot_id}/book",
        data={"csrf_token": token, "service": "family_work", "client_number": "654321"},
    )
    login(client, "pekka")
    token = csrf_token(client, "/calendar/absence")
    response = client.post(
        "/calendar/absence",
        data={"csrf_token": token, "reason": "sick", "day": "2026-11-24", "start": "08:00",
              "last_day": "2026-11-24", "end": "16:00"},
    )  # fmt: skip
    assert response.status_code == 302
    login(client, "leena")
    page = client.get("/calendar/reassign").get_data(as_text=True)
    assert "asiakas 654321" in page and "Sairaus" in page
    assert 'value="liisa"' in page
    entry_id = re.search(r"/calendar/reassign/(\d+)\"", page).group(1)
    token = csrf_token(client, "/calendar/reassign")
    moved = client.post(
        f"/calendar/reassign/{entry_id}", data={"csrf_token": token, "worker": "liisa"}
    )
    assert moved.status_code == 302
    assert "Ei siirrettäviä tapaamisia." in client.get("/calendar/reassign").get_data(as_text=True)
    with app.app_context(), unit_of_work() as uow:
        appointment = uow.calendar.entry(int(entry_id))
        assert appointment is not None and appointment.worker.username == "liisa"
        reads = uow.session.scalar(
            select(func.count()).where(
                AccessLogEntry.username == "leena", AccessLogEntry.action == "reassignment"
            )
        )
    assert reads == 2  # the list was shown twice (page, then its form token)


def test_an_auditor_is_refused_every_calendar_post(app, client, staff):
    login(client, "tarja")
    token = csrf_token(client, "/calendar/slots")
    for path in (
        "/calendar/entries", "/calendar/entries/1/move", "/calendar/entries/1/cancel",
        "/calendar/slots/1/book", "/calendar/offer/pattern", "/calendar/offer/pattern/1/withdraw",
        "/calendar/absence", "/calendar/reassign/1", "/calendar/reassign/1/cancel",
    ):  # fmt: skip
        data = {"csrf_token": token, **PATTERN, "type_key": "documentation", "day": "2026-11-24",
                "last_day": "2026-11-24", "reason": "sick", "client_number": "123456",
                "worker": "pekka"}  # fmt: skip
        response = client.post(path, data=data)
        assert response.status_code in (403, 404), (path, response.status_code)
        assert response.status_code == 403 or "1" in path, path
    assert entries(app) == []


def test_a_single_slot_is_offered_and_a_bad_one_is_named_in_its_own_form(app, client, staff):
    login(client, "pekka")
    token = csrf_token(client, "/calendar/offer")
    single = {
        "csrf_token": token, "slot_service": "family_guidance", "slot_day": "25.11.2026",
        "slot_start": "13.15", "slot_length": "60", "slot_place": "Perheneuvola",
    }  # fmt: skip
    assert client.post("/calendar/offer/slot", data=single).status_code == 302
    page = client.get("/calendar/offer").get_data(as_text=True)
    assert "25.11.2026 klo 13.15–14.15 · Kasvatus- ja perheneuvonta (perheneuvola)" in page
    overlapping = client.post("/calendar/offer/slot", data={**single, "slot_start": "14.00"})
    assert overlapping.status_code == 422
    assert 'id="slot_start-error">Samaan aikaan on jo vapaa aika.' in overlapping.get_data(
        as_text=True
    )
    no_place = client.post(
        "/calendar/offer/slot", data={**single, "slot_place": "", "slot_day": "26.11.2026"}
    )
    assert 'id="slot_place-error">Kirjoita paikka' in no_place.get_data(as_text=True)
