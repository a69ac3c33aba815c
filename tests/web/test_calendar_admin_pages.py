"""Calendar feed, statistics and entry-type pages over HTTP: who may, and what comes back."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from sote_flow.persistence.calendar_models import CalendarEntry
from sote_flow.web.deps import unit_of_work
from tests.support.factories import make_actor, make_groups
from tests.web.conftest import csrf_token, login

# The address starts with the configured base_url, not whatever Host the request came with.
TOKEN_URL = re.compile(r'value="(http://127.0.0.1:5000/ical/([A-Za-z0-9_-]+)\.ics)"')


@pytest.fixture
def calendar_people(app, clock):
    with app.app_context():
        make_groups(unit_of_work, "perhetyo")
        maija = make_actor(unit_of_work, clock, "maija", ["family_worker"], ["perhetyo"])
        make_actor(unit_of_work, clock, "paallikko", ["service_manager"])
        with unit_of_work() as uow:
            for type_key, hour, minutes in (("home_visit", 8, 90), ("documentation", 10, 30)):
                uow.calendar.add_entry(
                    CalendarEntry(
                        worker_id=maija.user_id,
                        type_key=type_key,
                        starts_at=datetime(2026, 11, 20, hour, tzinfo=UTC),
                        ends_at=datetime(
                            2026, 11, 20, hour + minutes // 60, minutes % 60, tzinfo=UTC
                        ),
                        place="Kotikatu 5",
                        client_number="12345678",
                        remote=False,
                        created_by="maija",
                        created_at=datetime(2026, 11, 19, tzinfo=UTC),
                    )
                )
            uow.commit()


def post(client, path: str, data: dict[str, str] | None = None, page: str | None = None):
    token = csrf_token(client, page or path)
    return client.post(path, data={"csrf_token": token, **(data or {})})


# -- the feed --------------------------------------------------------------------------------
def test_feed_is_made_shown_once_fetched_without_login_and_revoked(app, client, calendar_people):
    login(client, "maija")
    assert "ei ole käytössä olevaa" in client.get("/calendar/feed").get_data(as_text=True)
    response = post(client, "/calendar/feed")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    match = TOKEN_URL.search(response.get_data(as_text=True))
    assert match, "the new address is shown"
    path = f"/ical/{match.group(2)}.ics"
    page = client.get("/calendar/feed").get_data(as_text=True)
    assert match.group(2) not in page and "tehty 23.11.2026" in page

    anonymous = app.test_client()
    feed = anonymous.get(path)
    assert feed.status_code == 200
    assert feed.headers["Content-Type"] == "text/calendar; charset=utf-8"
    body = feed.get_data()
    summaries = sorted(str(e["SUMMARY"]) for e in Calendar.from_ical(body).walk("VEVENT"))
    assert summaries == ["Kirjaaminen", "Kotikäynti"]
    assert b"12345678" not in body

    response = post(client, "/calendar/feed/revoke", page="/calendar/feed")
    assert response.status_code == 302
    assert anonymous.get(path).status_code == 404
    assert anonymous.get("/ical/tuntematon.ics").status_code == 404
    assert anonymous.get("/calendar/feed").status_code == 302  # the page needs a login


def test_auditor_cannot_make_or_revoke_a_feed(client, calendar_people):
    login(client, "tarja")
    assert client.get("/calendar/feed").status_code == 200
    assert post(client, "/calendar/feed").status_code == 403
    revoke = post(client, "/calendar/feed/revoke", page="/calendar/feed")
    assert revoke.status_code == 403


# -- statistics ------------------------------------------------------------------------------
def test_statistics_are_for_managers(client, calendar_people):
    login(client, "maija")
    assert client.get("/calendar/statistics").status_code == 403


def test_statistics_page_and_exports(client, calendar_people):
    login(client, "paallikko")
    page = client.get("/calendar/statistics?since=2026-11-01&until=2026-11-30")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<svg" in html and "Kotikäynti" in html
    assert "1,50" in html and "2,00" in html and "75,0" in html  # hours and client-work share

    csv = client.get("/calendar/statistics?since=2026-11-01&until=2026-11-30&format=csv")
    assert csv.status_code == 200
    assert csv.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "kalenteritilasto-2026-11-01-2026-11-30.csv" in csv.headers["Content-Disposition"]
    text = csv.get_data().decode("utf-8")
    assert text.startswith("\ufeffKalenteritilasto 1.11.2026–30.11.2026\r\n")
    lines = text.splitlines()
    assert lines[1].startswith("Merkinnän tyyppi;Asiakastyötä;Merkintöjä;Tunnit;")
    assert lines[2] == "Kaikki;;2;2,0;1,5;0,5;0,0;75,0;25,0"
    assert lines[3] == "Kotikäynti;Asiakastyötä;1;1,5;1,5;0,0;0,0;100,0;0,0"
    assert "12345678" not in text

    by_worker = client.get("/calendar/statistics?dimension=worker&since=2026-11-01&format=csv")
    assert "maija;2;2,0;" in by_worker.get_data().decode("utf-8")
    xlsx = client.get("/calendar/statistics?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.get_data()[:2] == b"PK"


def test_a_refused_period_is_said_next_to_the_dates(client, calendar_people):
    login(client, "tarja")
    page = client.get("/calendar/statistics?since=2026-11-30&until=2026-11-01")
    assert page.status_code == 422
    assert 'id="until-error">Jakso on 1–366 päivää.' in page.get_data(as_text=True)


# -- entry types -----------------------------------------------------------------------------
TYPE = {"name_fi": "Perhekuntoutus", "name_sv": "Familjerehabilitering",
        "name_en": "Family rehabilitation", "client_work": "yes", "editing": ""}  # fmt: skip


def test_only_the_administrator_changes_entry_types(client):
    login(client, "sanna")
    assert client.get("/admin/entry-types").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/inbox/")})
    login(client, "tarja")
    page = client.get("/admin/entry-types").get_data(as_text=True)
    assert "Kotikäynti" in page and 'name="csrf_token"' in page  # read only: the logout form
    assert 'name="name_fi"' not in page
    response = post(client, "/admin/entry-types", {"key": "perhekuntoutus", **TYPE})
    assert response.status_code == 403


def test_administrator_adds_and_retires_a_type_and_sees_field_errors(client):
    login(client, "paavo")
    bad = post(client, "/admin/entry-types", {"key": "Iso Kirjain", **TYPE}, "/admin/entry-types")
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert re.search(r'<p class="error" id="new-key-error">Tunnus on 2–40 merkkiä', html)
    assert 'aria-describedby="new-key-help new-key-error"' in html
    assert 'value="Perhekuntoutus"' in html  # what was written is kept

    added = post(client, "/admin/entry-types", {"key": "perhekuntoutus", **TYPE})
    assert added.status_code == 302
    again = post(client, "/admin/entry-types", {"key": "perhekuntoutus", **TYPE})
    assert again.status_code == 422 and "Tunnus on jo käytössä" in again.get_data(as_text=True)

    retire = {**TYPE, "key": "perhekuntoutus", "editing": "perhekuntoutus", "retired": "on"}
    assert post(client, "/admin/entry-types", retire).status_code == 302
    page = client.get("/admin/entry-types").get_data(as_text=True)
    assert re.search(r'id="type-perhekuntoutus-retired"[^>]*checked', page)

    names = {"name_fi": "Poissaolo", "name_sv": "Frånvaro", "name_en": "Absence"}
    absence = {
        "key": "absence",
        **names,
        "client_work": "no",
        "editing": "absence",
        "retired": "on",
    }
    refused = post(client, "/admin/entry-types", absence)
    assert refused.status_code == 422
    assert 'id="type-absence-retired-error">Kalenteri käyttää' in refused.get_data(as_text=True)
