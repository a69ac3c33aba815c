"""First contact over HTTP: the booking task lists free slots; the report gives the measures."""

from __future__ import annotations

import re

import pytest

from sote_flow.web.deps import unit_of_work
from tests.support.first_contacts import ASSESSED, complete, make_contact_people, phone_contact
from tests.web.conftest import csrf_token, login


@pytest.fixture
def contact(app, clock):
    with app.app_context():
        platform = app.extensions["sote_flow.platform"]
        people = make_contact_people(platform, unit_of_work, clock)
        instance_id = phone_contact(platform, unit_of_work, clock, people.advisor)
        complete(platform, unit_of_work, clock, people.advisor, instance_id, ASSESSED)
    return instance_id


def test_the_booking_task_offers_the_next_free_slots_and_books_one(app, client, contact):
    login(client, "noora")
    inbox = client.get("/").get_data(as_text=True)
    task_id = re.search(r'href="/tasks/([0-9a-f-]+)"', inbox).group(1)
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "ti 24.11. klo 9.00–9.45 · pekka · Perhekeskus, Kotka" in page
    assert "Ei sopivaa aikaa – yhteydenotto palvelun jonoon" in page
    slot = re.search(r'name="slot" value="(\d+)"', page).group(1)
    response = client.post(
        f"/tasks/{task_id}",
        data={"csrf_token": csrf_token(client, f"/tasks/{task_id}"), "client_number": "1234567",
              "slot": slot},
    )  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    login(client, "pekka")
    week = client.get("/calendar/?day=2026-11-24").get_data(as_text=True)
    assert re.search(r"9\.00–9\.45\s*<a [^>]+>Asiakastapaaminen toimipisteessä</a>", week)
    assert "asiakas 1234567" in week


def test_the_report_measures_channels_and_bookings_within_the_contact(app, client, contact):
    login(client, "paula")
    page = client.get(
        "/cases/first_contact/report?since=2026-11-01&until=2026-11-30&dimension=channel"
    ).get_data(as_text=True)
    assert "Puhelin" in page
    assert "Ensikäynti" in page and "Aika varattu" in page
    csv = client.get(
        "/cases/first_contact/report?since=2026-11-01&until=2026-11-30&dimension=channel&format=csv"
    )
    assert csv.status_code == 200 and "Puhelin" in csv.get_data(as_text=True)


def test_an_advisor_records_a_phone_contact_with_its_contact_details(app, client, contact):
    login(client, "noora")
    token = csrf_token(client, "/contacts/new")
    refused = client.post(
        "/contacts/new",
        data={"csrf_token": token, "topic": "arki", "description": "Apua arkeen",
              "callback_phone": "soita minulle"},
    )  # fmt: skip
    assert refused.status_code == 422
    assert 'id="callback_phone-error">Anna puhelinnumero numeroina' in refused.get_data(
        as_text=True
    )
    response = client.post(
        "/contacts/new",
        data={"csrf_token": token, "topic": "arki", "description": "Apua arkeen",
              "callback_phone": "040 765 4321", "preferred_time": "iltapäivisin"},
    )  # fmt: skip
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "040 765 4321" in page and "iltapäivisin" in page
    assert re.search(r"Yhteydenotto YH-2026-\d{6} kirjattu\.", page)
