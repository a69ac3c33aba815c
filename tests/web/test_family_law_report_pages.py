"""Family-law report and travel-distance pages over HTTP: who may, and what comes back."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from sote_flow.web.deps import unit_of_work
from tests.support.factories import make_actor
from tests.support.family_law_rows import (
    FamilyLawRows,
    helsinki,
    without_seeded_distances,
)
from tests.web.conftest import csrf_token, login

APRIL = "/reports/family-law?since=2026-04-01&until=2026-04-30"
DISTANCES = "/admin/travel-distances"


@pytest.fixture
def family_law_app(app, clock, database_url):
    without_seeded_distances(database_url)
    with app.app_context():
        officer = make_actor(unit_of_work, clock, "valvoja", ["child_welfare_officer"])
        make_actor(unit_of_work, clock, "paallikko", ["service_manager"])
        make_actor(unit_of_work, clock, "perhe", ["family_worker"])
        with unit_of_work() as uow:
            rows = FamilyLawRows(uow, officer.user_id)
            inari = rows.matter(
                "digital", "Inari", "huolto,elatus", helsinki(4, 2),
                first_meeting_at=helsinki(4, 7), agreement_confirmed_at=helsinki(4, 20),
                outcome="sopimus", closed_at=helsinki(4, 22), workload=4, smoothness=3,
            )  # fmt: skip
            # A value a spreadsheet would run as a formula must reach the exports inert.
            odd = rows.matter("phone", "=1+1", "huolto", helsinki(4, 9))
            rows.meeting(inari, helsinki(4, 7), 0, "eta", "Rovaniemi")
            rows.meeting(odd, helsinki(4, 14), 1, "eta", "Kemi")
            rows.meeting(odd, helsinki(4, 15), 2, "lahi", "Kemi")
            rows.distance("Inari", "Rovaniemi", 330, 245)
            uow.commit()
    return app


@pytest.fixture
def web(family_law_app):
    return family_law_app.test_client()


def post(client, path, data, page=DISTANCES):
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data})


def test_the_manager_sees_every_measure_with_an_accessible_chart(web):
    login(web, "paallikko")
    response = web.get(APRIL)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<h1>Perheoikeudellisten palvelujen raportti</h1>" in page
    assert 'role="img" aria-labelledby="contacts-chart-title contacts-chart-desc"' in page
    assert '<title id="contacts-chart-title">' in page and '<desc id="contacts-chart-desc">' in page
    assert "<caption>Yhteydenotot kanavittain 1.4.2026–30.4.2026</caption>" in page
    assert '<th scope="row">Etätapaaminen</th><td>2</td>' in page
    assert '<th scope="row">Sopimuksia yhteensä</th><td>1</td>' in page
    assert "<td>4,00</td><td>3,00</td>" in page  # feedback averages, Finnish decimals
    assert "<td>1\u00a0320</td><td>16,3</td><td>1</td>" in page  # km, hours, missing
    assert "jokaiselle kutsutulle vanhemmalle" in page
    assert '<th scope="row">=1+1</th><td>Kemi</td><td>1</td>' in page
    assert "/admin/travel-distances" not in page  # the fill-in link is the administrator's


def test_the_administrator_gets_a_link_to_fill_the_missing_distances(web):
    login(web, "paavo")
    assert 'href="/admin/travel-distances"' in web.get(APRIL).get_data(as_text=True)


def test_a_plain_worker_is_refused_and_a_visitor_sent_to_log_in(web, family_law_app):
    assert family_law_app.test_client().get(APRIL).status_code == 302
    login(web, "perhe")
    assert web.get(APRIL).status_code == 403
    assert web.get(APRIL + "&format=csv").status_code == 403


def test_a_backwards_period_is_refused_next_to_the_dates(web):
    login(web, "paallikko")
    response = web.get("/reports/family-law?since=2026-04-30&until=2026-04-01&format=csv")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="until-error">Päättyen-päivä on ennen Alkaen-päivää.' in page
    assert 'aria-invalid="true" aria-describedby="until-error"' in page


def test_csv_has_the_same_figures_for_finnish_excel(web):
    login(web, "paallikko")
    response = web.get(APRIL + "&format=csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "perheoikeus-2026-04-01-2026-04-30.csv" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Perheoikeudellisten palvelujen raportti 1.4.2026–30.4.2026"]
    assert rows[1] == ["Mittari", "Kohde", "Arvo"]
    assert ["Yhteydenotot", "Digitaalinen", "1"] in rows
    assert ["Yhteydenotot", "Digitaalisten osuus (%)", "50,0"] in rows
    assert ["Tapaamiset", "Lähitapaaminen", "1"] in rows
    assert ["Vahvistetut sopimukset", "Elatus", "1"] in rows
    assert ["Henkilöstön palaute", "Työmäärä, keskiarvo 1–5", "4,0"] in rows
    assert ["Vältetty matkustaminen", "Kilometrit", "1320"] in rows
    assert ["Vältetty matkustaminen", "Tunnit", "16,3"] in rows
    assert ["Puuttuva etäisyys, etätapaamisia", "'=1+1 – Kemi", "1"] in rows


def test_xlsx_has_the_same_figures(web):
    login(web, "tarja")
    response = web.get(APRIL + "&format=xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert sheet is not None and sheet.title == "Perheoikeus"
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "Perheoikeudellisten palvelujen raportti 1.4.2026–30.4.2026"
    assert rows[1] == ["Mittari", "Kohde", "Arvo"]
    assert ["Tapaamiset", "Etätapaaminen", 2] in rows
    assert ["Arkipäiviä yhteydenotosta ensimmäiseen tapaamiseen", "Mediaani", 1] in rows
    assert ["Vältetty matkustaminen", "Tunnit", 16.3] in rows
    assert ["Henkilöstön palaute", "Sujuvuus, keskiarvo 1–5", 3] in rows
    assert ["Puuttuva etäisyys, etätapaamisia", "'=1+1 – Kemi", 1] in rows


def test_the_administrator_adds_changes_and_removes_a_distance(web):
    login(web, "paavo")
    page = web.get(DISTANCES).get_data(as_text=True)
    assert "<h1>Matkaetäisyydet</h1>" in page and '<label for="new-municipality">' in page
    new = {"municipality": "Kemi", "office": "Tornio", "km": "25", "minutes": "22", "editing": ""}
    response = post(web, DISTANCES, new)
    assert response.status_code == 302
    page = web.get(DISTANCES).get_data(as_text=True)
    assert "Etäisyys lisätty." in page
    assert '<th scope="row">Kemi</th>' in page and 'value="25"' in page
    ids = {int(n) for n in re.findall(r'name="editing" value="(\d+)"', page)}
    kemi = max(ids)  # added after the Inari row
    changed = {**new, "km": "27", "editing": str(kemi)}
    assert post(web, DISTANCES, changed).status_code == 302
    page = web.get(DISTANCES).get_data(as_text=True)
    assert "Etäisyys tallennettu." in page and 'value="27"' in page
    assert post(web, f"{DISTANCES}/{kemi}/delete", {}).status_code == 302
    page = web.get(DISTANCES).get_data(as_text=True)
    assert "Etäisyys poistettu." in page and '<th scope="row">Kemi</th>' not in page
    assert post(web, f"{DISTANCES}/{kemi}/delete", {}).status_code == 404


def test_a_bad_distance_is_refused_with_the_message_by_the_field(web):
    login(web, "paavo")
    data = {"municipality": "Oulu", "office": "Tornio", "km": "2500", "minutes": "5"}
    response = post(web, DISTANCES, {**data, "editing": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert '<p class="error" id="new-municipality-error">Valitse kunta Lapin kunnista.</p>' in page
    assert 'id="new-km-error">Kilometrit: kirjoita kokonaisluku 0–2000.</p>' in page
    assert 'aria-invalid="true" aria-describedby="new-km-error"' in page
    assert 'value="2500"' in page  # what was typed stays in the form


def test_only_the_administrator_keeps_distances(web, family_law_app):
    login(web, "paallikko")
    assert web.get(DISTANCES).status_code == 403
    web = family_law_app.test_client()
    login(web, "tarja")
    page = re.sub(r">\s+<", "><", web.get(DISTANCES).get_data(as_text=True))
    assert '<th scope="row">Inari</th><td>Rovaniemi</td><td>330</td><td>245</td>' in page
    assert "Tallenna etäisyys" not in page
    data = {"municipality": "Kemi", "office": "Kemi", "km": "1", "minutes": "1", "editing": ""}
    response = post(web, DISTANCES, data)
    assert response.status_code == 403
