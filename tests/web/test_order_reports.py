"""Raportit: the queue report page, its chart and table, the CSV export and who may read it."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from sote_flow.persistence.models import AccessLogEntry
from sote_flow.web.deps import unit_of_work
from tests.support.factories import make_actor
from tests.support.order_rows import add_order, helsinki
from tests.support.orders import GROUP, make_order_people
from tests.web.conftest import csrf_token, login

OTHER = "lapsiperheiden_avopalvelut"
PERIOD = "since=2026-11-16&until=2026-11-22"
URL = f"/reports/orders?{PERIOD}"


@pytest.fixture
def people(app: Flask, clock):
    with app.app_context():
        people = make_order_people(app.extensions["sote_flow.platform"], unit_of_work, clock)
        make_actor(unit_of_work, clock, "maija", ["service_manager"])
        # Mon 16.11., urgent, taken Tue 17.11. (1 weekday); Wed 18.11., waiting; another group.
        add_order(
            unit_of_work, GROUP, helsinki(date(2026, 11, 16), 9),
            [(helsinki(date(2026, 11, 17), 10), "kasittelyssa")], urgency="kiireellinen",
        )  # fmt: skip
        add_order(unit_of_work, GROUP, helsinki(date(2026, 11, 18), 9), municipality="Hamina")
        add_order(
            unit_of_work, OTHER, helsinki(date(2026, 11, 19), 9),
            [(helsinki(date(2026, 11, 20), 9), "kasittelyssa")],
        )  # fmt: skip
    return people


def _logout(client: FlaskClient) -> None:
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})


def _csv(client: FlaskClient, query: str) -> list[list[str]]:
    response = client.get(f"/reports/orders?{query}&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # Finnish Excel reads UTF-8 with its BOM
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_report_page_has_tables_and_an_accessible_chart(client, people):
    login(client, "aino")
    response = client.get(URL)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'href="/reports/orders">Raportit</a>' in html
    assert '<svg role="img" aria-labelledby="queue-chart-title queue-chart-desc"' in html
    title = "Jonon pituus päivittäin 16.11.2026–22.11.2026"
    assert f'<title id="queue-chart-title">{title}</title>' in html
    assert "<title>16.11.2026: 1</title>" in html and "<title>22.11.2026: 2</title>" in html
    assert '<tr><th scope="row">22.11.2026</th><td>2</td></tr>' in html
    # All: 2 received, 1 taken up after 1 weekday.
    assert '<th scope="row">Kaikki</th><td>2</td><td>1</td><td>1.0</td><td>1.0</td>' in html
    assert "Kiireellisyys: Kiireellinen" in html and "Palvelu: Perhetyö" in html
    assert '<option value="Hamina" >Hamina</option>' in html  # municipality filter choices


def test_csv_has_the_rows_per_dimension_and_the_daily_queue(client, people):
    login(client, "aino")
    rows = _csv(client, PERIOD)
    assert rows[0][:5] == ["ulottuvuus", "arvo", "nimi", "saapuneet", "otettu kpl"]
    assert rows[0][-3:] == [
        "alkanut kpl", "alkanut mediaani (arkipäivää)", "alkanut p90 (arkipäivää)",
    ]  # fmt: skip
    assert rows[1][:7] == ["kaikki", "", "", "2", "1", "1,0", "1,0"]
    by_value = {(row[0], row[1]): row[2:7] for row in rows[2:] if len(row) > 2}
    assert by_value["kiireellisyys", "kiireellinen"] == ["Kiireellinen", "1", "1", "1,0", "1,0"]
    assert by_value["kunta", "Hamina"] == ["Hamina", "1", "0", "", ""]
    assert by_value["palvelu", "perhetyo"][:2] == ["Perhetyö", "2"]
    days = rows[rows.index(["päivä", "jonon pituus"]) + 1 :]
    assert days[0] == ["16.11.2026", "1"] and days[-1] == ["22.11.2026", "2"] and len(days) == 7
    urgent = _csv(client, f"{PERIOD}&urgency=kiireellinen")
    assert urgent[1][3] == "1" and urgent[-1] == ["22.11.2026", "1"]


def test_producer_admins_read_their_own_groups_oversight_reads_all(app, client, people):
    login(client, "aino")
    assert client.get(f"{URL}&group={OTHER}").status_code == 403
    _logout(client)
    login(client, "tuomas")  # a producer admin of another group: no orders of these groups
    assert _csv(client, PERIOD)[1][3] == "0"
    _logout(client)
    for username in ("maija", "tarja", "paavo"):  # service manager, auditor, administrator
        login(client, username)
        assert _csv(client, PERIOD)[1][3] == "3"
        assert _csv(client, f"{PERIOD}&group={OTHER}")[1][3] == "1"
        _logout(client)
    login(client, "sanna")  # a social worker has no reports and no link to them
    assert client.get(URL).status_code == 403
    assert "Raportit" not in client.get("/").get_data(as_text=True)
    with app.app_context(), unit_of_work() as uow:
        query = select(AccessLogEntry.username).where(AccessLogEntry.object_type == "order_report")
        readers = set(uow.session.scalars(query))
    assert readers == {"tuomas", "maija", "tarja", "paavo"}  # aino was refused: no read


def test_a_refused_period_is_explained_next_to_the_dates(client, people):
    login(client, "aino")
    response = client.get("/reports/orders?since=2026-11-22&until=2026-11-01")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'role="alert" id="period-error"' in html and "Jakso on 1–366 päivää." in html
    assert 'aria-invalid="true" aria-describedby="period-error"' in html
    assert "<svg" in html  # the default period is shown instead
