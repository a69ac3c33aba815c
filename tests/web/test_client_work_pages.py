"""Performed work and the product catalogue over HTTP."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from sote_flow.client_case.events import EVENT_TYPES
from sote_flow.client_case.models import WorkEvent
from sote_flow.client_case.web.work_pages import TYPE_LABELS
from sote_flow.web.deps import unit_of_work
from tests.support.client_cases import appointment, friday, make_case_people, start_case
from tests.web.conftest import csrf_token, login

HETU = "131052-308T"
WORK = {"event_type": "koulutus", "day": "2026-11-20", "minutes": "120", "participants": ""}
CASE_WORK = {
    "event_type": "asiakastapaaminen",
    "day": "20.11.2026",
    "minutes": "45",
    "participants": "asiakas ja äiti",
    "client_met": "yes",
}


@dataclass(frozen=True)
class Setup:
    app: Flask
    case_id: int
    entry_id: int


@pytest.fixture
def setup(app: Flask, clock) -> Setup:
    platform = app.extensions["sote_flow.platform"]
    with app.app_context():
        people = make_case_people(platform, unit_of_work, clock)
        case_id = start_case(platform, unit_of_work, clock, people.sanni)
        entry_id = appointment(platform, unit_of_work, clock, people.sanni, friday(9),
                               friday(10), case_id=case_id)  # fmt: skip
    return Setup(app, case_id, entry_id)


def _client(setup: Setup, username: str) -> FlaskClient:
    client = setup.app.test_client()
    login(client, username)
    return client


def _post(client: FlaskClient, path: str, form_page: str, data: dict[str, str]):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, form_page)})


def _events(setup: Setup) -> list[WorkEvent]:
    with setup.app.app_context(), unit_of_work() as uow:
        return list(uow.session.scalars(select(WorkEvent).order_by(WorkEvent.id)))


def test_every_kind_of_work_has_a_label():
    assert TYPE_LABELS.keys() == EVENT_TYPES.keys()


def test_my_work_shows_the_appointment_and_records_other_work(setup):
    client = _client(setup, "sanni")
    page = client.get("/work")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert "Vahvistettavat kalenterimerkinnät" in html and "7654321" in html
    assert f"/work/suggestions/{setup.entry_id}/confirm" in html
    sent = _post(client, "/work/employee", "/work", WORK)
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/work")
    assert "Koulutus" in client.get("/work").get_data(as_text=True)
    assert [(e.event_type, e.minutes, e.worker) for e in _events(setup)] == [
        ("koulutus", 120, "sanni")
    ]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"day": "2026-11-24"}, "day", "Päivä ei voi olla tulevaisuudessa."),
        ({"minutes": "0"}, "minutes", "Kirjoita kesto minuutteina, kokonaislukuna 1–1440."),
        ({"participants": HETU}, "participants", "Älä kirjoita henkilötunnusta"),
        ({"event_type": "puhelu"}, "event_type", "Valitse tehdyn työn laji luettelosta."),
    ],
)
def test_other_work_is_refused_with_finnish_messages(setup, changes, field, message):
    client = _client(setup, "sanni")
    refused = _post(client, "/work/employee", "/work", {**WORK, **changes})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert message in html and f'id="{field}-error"' in html
    assert 'aria-invalid="true"' in html and "Tarkista nämä tiedot" in html
    assert _events(setup) == []


def test_an_appointment_is_confirmed_once(setup):
    client = _client(setup, "sanni")
    path = f"/work/suggestions/{setup.entry_id}/confirm"
    tampered = _post(client, path, "/work", {"event_type": "koulutus"})
    assert tampered.status_code == 422
    assert "Valitse tehdyn työn laji luettelosta." in tampered.get_data(as_text=True)
    confirmed = _post(client, path, "/work", {"event_type": "kotikaynti"})
    assert confirmed.status_code == 302
    again = _post(client, path, "/work", {"event_type": "kotikaynti"})
    assert again.status_code == 409
    assert "jo vahvistettu" in again.get_data(as_text=True)
    (event,) = _events(setup)
    assert (event.event_type, event.minutes, event.municipality) == ("kotikaynti", 60, "Kemijärvi")
    assert f"/work/suggestions/{setup.entry_id}/" not in client.get("/work").get_data(as_text=True)


def test_an_appointment_is_dismissed_by_its_own_worker_only(setup):
    path = f"/work/suggestions/{setup.entry_id}/dismiss"
    other = _client(setup, "sakari")
    assert _post(other, path, "/work", {}).status_code == 403
    assert (
        _post(other, f"/work/suggestions/{setup.entry_id}/confirm", "/work", {}).status_code == 403
    )
    client = _client(setup, "sanni")
    assert _post(client, path, "/work", {}).status_code == 302
    assert [e.status for e in _events(setup)] == ["dismissed"]
    assert "Ei vahvistettavia kalenterimerkintöjä." in client.get("/work").get_data(as_text=True)


def test_the_case_page_shows_its_facts_and_records_client_work(setup):
    client = _client(setup, "sanni")
    page = f"/client-cases/{setup.case_id}"
    shown = client.get(page)
    assert shown.status_code == 200
    html = shown.get_data(as_text=True)
    assert "Kemijärvi" in html and "Työikäisten palvelut" in html and "Aikuissosiaalityö" in html
    assert "Aloita palvelutarpeen arviointi" in html
    sent = _post(client, f"{page}/work", page, CASE_WORK)
    assert sent.status_code == 302 and sent.headers["Location"].endswith(page)
    html = client.get(page).get_data(as_text=True)
    assert "asiakas ja äiti" in html and "Asiakastapaaminen" in html
    (event,) = _events(setup)
    assert (event.instance_id, event.municipality, event.client_met) == (
        setup.case_id, "Kemijärvi", True,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"participants": f"äiti {HETU}"}, "participants", "Älä kirjoita henkilötunnusta"),
        ({"client_met": ""}, "client_met", "Valitse, tavattiinko asiakas."),
        ({"day": "1.1.2020"}, "day", "Työn voi kirjata enintään vuoden taaksepäin."),
    ],
)
def test_client_work_is_refused_by_field(setup, changes, field, message):
    client = _client(setup, "sanni")
    page = f"/client-cases/{setup.case_id}"
    refused = _post(client, f"{page}/work", page, {**CASE_WORK, **changes})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert message in html and f'id="{field}-error"' in html
    assert _events(setup) == []


def test_others_cannot_read_or_record_on_the_case(setup):
    outsider = _client(setup, "perttu")
    page = f"/client-cases/{setup.case_id}"
    assert outsider.get(page).status_code == 403
    token = csrf_token(outsider, "/work")
    refused = outsider.post(f"{page}/work", data={**CASE_WORK, "csrf_token": token})
    assert refused.status_code == 403
    assert outsider.get(f"/client-cases/{setup.case_id + 100}").status_code == 404
    auditor = _client(setup, "aino")
    html = auditor.get(page).get_data(as_text=True)
    assert "Kemijärvi" in html and "Kirjaa tehty asiakastyö" not in html
    assert _events(setup) == []


def test_the_administrator_keeps_the_products(setup):
    client = _client(setup, "aapo")
    assert client.get("/admin/products").status_code == 200
    product = {"event_type": "puhelu", "name": "Puhelu", "unit": "kaynti", "retired": ""}
    assert _post(client, "/admin/products", "/admin/products", product).status_code == 302
    price = {"valid_from": "1.1.2026", "price": "25,00"}
    path = "/admin/products/puhelu/prices"
    assert _post(client, path, "/admin/products", price).status_code == 302
    html = client.get("/admin/products").get_data(as_text=True)
    assert "25,00 €" in html and "toistaiseksi" in html
    later = _post(client, path, "/admin/products", {"valid_from": "2026-07-01", "price": "27.5"})
    assert later.status_code == 302
    html = client.get("/admin/products").get_data(as_text=True)
    assert "30.6.2026" in html and "27,50 €" in html


@pytest.mark.parametrize(
    ("path", "data", "field", "message"),
    [
        ("/admin/products", {"event_type": "lounas", "name": "X", "unit": "kaynti"},
         "event_type", "Valitse tehdyn työn laji luettelosta."),
        ("/admin/products", {"event_type": "puhelu", "name": "", "unit": "kaynti"},
         "name", "Kirjoita tuotteen nimi."),
        ("/admin/products/puhelu/prices", {"valid_from": "2026-02-01", "price": "25,001"},
         "puhelu-price", "Kirjoita hinta euroina"),
        ("/admin/products/puhelu/prices", {"valid_from": "1.1.2026", "price": "30"},
         "puhelu-valid_from", "Uuden hinnan on alettava myöhemmin"),
    ],
)  # fmt: skip
def test_products_are_refused_with_finnish_messages(setup, path, data, field, message):
    client = _client(setup, "aapo")
    product = {"event_type": "puhelu", "name": "Puhelu", "unit": "kaynti"}
    _post(client, "/admin/products", "/admin/products", product)
    _post(client, "/admin/products/puhelu/prices", "/admin/products",
          {"valid_from": "1.1.2026", "price": "25"})  # fmt: skip
    refused = _post(client, path, "/admin/products", data)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert message in html and f'id="{field}-error"' in html and 'aria-invalid="true"' in html


def test_the_auditor_reads_the_products_and_others_are_refused(setup):
    auditor = _client(setup, "aino")
    page = auditor.get("/admin/products")
    assert page.status_code == 200 and "Tallenna tuote" not in page.get_data(as_text=True)
    product = {"event_type": "puhelu", "name": "Puhelu", "unit": "kaynti"}
    assert _post(auditor, "/admin/products", "/work", product).status_code == 403
    worker = _client(setup, "sanni")
    assert worker.get("/admin/products").status_code == 403
    assert _post(worker, "/admin/products", "/work", product).status_code == 403
