"""The client-case municipality report over HTTP: who may, the page, and the exports.

The figures are the hand-counted ones of tests/integration/test_client_case_report.py.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook

from sote_flow.web.deps import unit_of_work
from tests.support.client_case_rows import spring_quarter
from tests.support.factories import make_actor
from tests.web.conftest import login

SPRING = "/reports/municipalities?since=2026-04-01&until=2026-06-30"


@pytest.fixture
def report_app(app, clock):
    with app.app_context():
        make_actor(unit_of_work, clock, "paallikko", ["service_manager"])
        with unit_of_work() as uow:
            rows = spring_quarter(uow)
            # A value a spreadsheet would run as a formula must reach the exports inert.
            odd = rows.case("AS-2026-0004", "=1+1", "perhetyo")
            rows.event(odd, "ben", "puhelu", date(2026, 6, 2), 5)
            uow.commit()
    return app


@pytest.fixture
def web(report_app):
    return report_app.test_client()


def test_the_manager_sees_tables_and_an_accessible_chart(web):
    login(web, "paallikko")
    response = web.get(SPRING)
    assert response.status_code == 200
    page = re.sub(r">\s+<", "><", response.get_data(as_text=True))
    assert "<h1>Asiakastyön kuntaraportti</h1>" in page
    assert 'role="img" aria-labelledby="cost-chart-title cost-chart-desc"' in page
    assert '<title id="cost-chart-title">Kustannus kunnittain 1.4.2026–30.6.2026</title>' in page
    assert '<desc id="cost-chart-desc">' in page
    assert "<caption>Kunnat yhteensä 1.4.2026–30.6.2026</caption>" in page
    # Rovaniemi: 8 events, 385 min, 704,17 €; everything: 13 events (the =1+1 call too).
    assert (
        '<th scope="row">Rovaniemi</th><td>8</td><td>6,42</td><td>704,17\u00a0€</td><td>0</td>'
        in page
    )
    assert (
        '<th scope="row">Kaikki yhteensä</th><td>13</td><td>12,92</td><td>888,17\u00a0€</td>'
        in page
    )
    assert '<th scope="row">Lausunto (ei tuotetta)</th><td>–</td><td>–</td>' in page
    assert "<td>2,00</td><td>–</td><td>1</td>" in page  # lausunto: no cost, unpriced
    assert '<th scope="row">Kotikaynti</th><td>päivä</td><td>2</td><td>3</td>' in page
    assert '<th scope="row">Neuvottelu</th><td>tunti</td><td>1,92</td>' in page
    assert '<th scope="row">=1+1</th>' in page  # escaped text on a page, harmless
    assert '<th scope="row">Palvelutarpeen arviointi alkaa</th><td>SHL 36 §</td>' in page
    assert "<td>3</td><td>1</td><td>2</td><td>33,3</td>" in page
    assert '<th scope="row">AS-2026-0002</th><td>Päätös pannaan täytäntöön</td>' in page
    assert "<td>1.6.2026</td><td>kesken</td>" in page


def test_a_worker_is_refused_and_a_visitor_sent_to_log_in(web, report_app):
    assert report_app.test_client().get(SPRING).status_code == 302
    login(web, "sanna")
    assert web.get(SPRING).status_code == 403
    assert web.get(SPRING + "&format=csv").status_code == 403


def test_a_backwards_period_is_refused_next_to_the_dates(web):
    login(web, "paallikko")
    response = web.get("/reports/municipalities?since=2026-06-30&until=2026-04-01&format=csv")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="until-error">Päättyen-päivä on ennen Alkaen-päivää.' in page
    assert 'aria-invalid="true" aria-describedby="until-error"' in page


def test_one_municipality_is_shown_alone(web):
    login(web, "tarja")
    page = re.sub(r">\s+<", "><", web.get(SPRING + "&municipality=Kemi").get_data(as_text=True))
    assert 'value="Kemi"' in page
    assert "<caption>Kemi: tuotteet 1.4.2026–30.6.2026</caption>" in page
    assert "Rovaniemi" not in page


def test_csv_has_the_same_figures_for_finnish_excel(web):
    login(web, "paallikko")
    response = web.get(SPRING + "&format=csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "kuntaraportti-2026-04-01-2026-06-30.csv" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Asiakastyön kuntaraportti 1.4.2026–30.6.2026"]
    assert rows[1:3] == [[], ["Kunnat"]]
    assert rows[3] == [
        "Kunta", "Tuote", "Yksikkö", "Suoritteita", "Tapahtumia", "Tunteja", "Kustannus (€)",
        "Hinnoittelemattomia tapahtumia",
    ]  # fmt: skip
    assert ["Rovaniemi", "Asiakastapaaminen", "käynti", "3", "3", "2,25", "260,00", "0"] in rows
    assert ["Rovaniemi", "Neuvottelu", "tunti", "1,92", "2", "1,92", "134,17", "0"] in rows
    assert ["Rovaniemi", "Yhteensä", "", "", "8", "6,42", "704,17", "0"] in rows
    assert ["Kemi", "Lausunto (ei tuotetta)", "", "", "1", "2,0", "", "1"] in rows
    assert ["'=1+1", "Puhelu", "käynti", "1", "1", "0,08", "12,00", "0"] in rows
    assert ["Kaikki kunnat", "Yhteensä", "", "", "13", "12,92", "888,17", "2"] in rows
    assert ["Palvelut"] in rows and ["kotipalvelu", "2", "0,92", "119,17", "0"] in rows
    assert ["Työntekijät"] in rows and ["anna", "6", "9,0", "745,00", "0"] in rows
    assert [
        "Palvelutarpeen arviointi alkaa", "SHL 36 §", "7 arkipäivää", "3", "1", "2", "33,3"
    ] in rows  # fmt: skip
    assert ["AS-2026-0002", "Päätös pannaan täytäntöön", "1.6.2026", "kesken"] in rows
    assert ["AS-2026-0003", "Päätös pannaan täytäntöön", "15.6.2026", "10.7.2026"] in rows


def test_xlsx_has_a_sheet_per_section(web):
    login(web, "paavo")
    response = web.get(SPRING + "&format=xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    workbook = load_workbook(io.BytesIO(response.get_data()))
    assert workbook.sheetnames == ["Kunnat", "Palvelut", "Työntekijät", "Määräajat", "Myöhästyneet"]
    rows = [list(row) for row in workbook["Kunnat"].iter_rows(values_only=True)]
    assert rows[0][0] == "Asiakastyön kuntaraportti 1.4.2026–30.6.2026"
    assert ["Rovaniemi", "Kotikaynti", "päivä", 2, 3, 2.25, 310, 0] in rows
    assert ["Kemi", "Puhelu", "käynti", 2, 2, 0.42, 12, 1] in rows
    assert ["'=1+1", "Puhelu", "käynti", 1, 1, 0.08, 12, 0] in rows
    assert ["Kaikki kunnat", "Yhteensä", None, None, 13, 12.92, 888.17, 2] in rows
    cost = next(r for r in workbook["Kunnat"].iter_rows(min_row=3) if r[0].value == "Rovaniemi")[6]
    assert cost.number_format == "#,##0.00"
    workers = [list(row) for row in workbook["Työntekijät"].iter_rows(values_only=True)]
    assert ["ben", 7, 3.92, 143.17, 2] in workers
    late = [list(row) for row in workbook["Myöhästyneet"].iter_rows(values_only=True)]
    assert late[1] == ["Asianumero", "Määräaika", "Viimeinen päivä", "Pysähtyi"]
    assert len(late) == 2 + 4
