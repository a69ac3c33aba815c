"""Case queues (Asiajonot) in the browser's terms: the index, a process's queue, read-only views."""

from __future__ import annotations

import io
from datetime import timedelta

from flask import Flask
from openpyxl import load_workbook

from sote_flow.services import tasks
from sote_flow.web.deps import unit_of_work
from tests.support.factories import DIAGRAMS, deploy, make_actor, start
from tests.web.conftest import login


def _applications(app: Flask, clock, *amounts: int) -> list[int]:
    with app.app_context():
        platform = app.extensions["sote_flow.platform"]
        deploy(platform, unit_of_work, clock, DIAGRAMS / "application.bpmn")
        hakija = make_actor(unit_of_work, clock, "hilkka", ["social_worker"], ["hakijat"])
        return [
            start(
                platform, unit_of_work, clock, hakija, "application",
                {"client_number": "1234567", "amount": amount},
            ).id
            for amount in amounts
        ]  # fmt: skip


def test_a_group_member_works_the_queue_with_tabs_columns_and_clocks(app, client, clock):
    small, large = _applications(app, clock, 50, 5000)
    clock.advance(timedelta(days=1))
    login(client, "tuomas")
    index = client.get("/cases/").get_data(as_text=True)
    assert 'href="/cases/application/"' in index and "<td>2</td>" in index
    page = client.get("/cases/application/").get_data(as_text=True)
    assert 'Käsittelyssä <span class="count">(2)</span>' in page
    assert 'Täydennettävänä <span class="count">(0)</span>' in page
    assert page.index(f"/instances/{large}") < page.index(f"/instances/{small}")  # urgent first
    assert '<th scope="col">Määrä</th>' in page
    assert "Ratkaisu (SHL 36 §, 7 arkipäivää): 2.12.2026" in page
    assert "6 arkipäivää jäljellä" in page
    filtered = client.get("/cases/application/?amount=50").get_data(as_text=True)
    assert f"/instances/{small}" in filtered and f"/instances/{large}" not in filtered


def test_overdue_cases_say_so_in_text_and_oversight_reads_only(app, client, clock):
    (case,) = _applications(app, clock, 50)
    clock.advance(timedelta(days=14))
    login(client, "tarja")
    page = client.get("/cases/application/").get_data(as_text=True)
    assert "Näet asiat lukuoikeudella." in page
    assert f"/instances/{case}" in page and "myöhässä 3 arkipäivää" in page
    assert '<form method="post"' not in page.split("<main", 1)[1].split("Kirjaudu ulos")[0]


def test_outsiders_see_no_rows_and_unknown_queues_are_404(app, client, clock):
    _applications(app, clock, 50)
    login(client, "sanna")  # a social worker of hakijat: the cases are kasittelijat's
    page = client.get("/cases/application/").get_data(as_text=True)
    assert "/instances/" not in page.split("<tbody>", 1)[1]
    assert client.get("/cases/application/?group=kasittelijat").status_code == 403
    assert client.get("/cases/no_such_process/").status_code == 404


def test_the_report_page_and_its_csv_and_xlsx(app, client, clock):
    _applications(app, clock, 50, 5000)
    login(client, "tuomas")
    period = "since=2026-11-01&until=2026-11-30"
    page = client.get(f"/cases/application/report?{period}&dimension=amount")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Ratkaisu" in html and "SHL 36 §" in html and "<td>2</td>" in html
    assert 'role="img"' in html and "Jonon pituus taulukkona" in html
    assert "Avoimet asiat kunkin päivän lopussa; suurin 2." in html
    csv = client.get(f"/cases/application/report?{period}&format=csv")
    assert csv.mimetype == "text/csv"
    body = csv.get_data()
    assert body.startswith("\ufeff".encode())
    text = body.decode("utf-8-sig")
    assert "Ryhmittely;Avattuja asioita;Ratkaistu: määrä" in text
    assert "Kaikki;2;0;" in text
    xlsx = client.get(f"/cases/application/report?{period}&format=xlsx")
    workbook = load_workbook(io.BytesIO(xlsx.get_data()))
    assert workbook.sheetnames == ["Odotusajat", "Jonon pituus", "Määräajat", "Myöhästyneet"]
    assert [c.value for c in workbook["Odotusajat"][2]][:2] == ["Kaikki", 2]
    refused = client.get("/cases/application/report?since=2026-12-01&until=2026-11-01")
    assert refused.status_code == 422
    assert 'id="period-error"' in refused.get_data(as_text=True)


def test_formula_like_cells_are_written_as_text():
    from sote_flow.web.spreadsheet import finnish_csv, finnish_csv_cell, safe_cell, safe_record

    assert safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert safe_cell("-1+2") == "'-1+2" and safe_cell(-1) == -1
    assert safe_record({"user": "@sanna", "n": 2}) == {"user": "'@sanna", "n": 2}
    assert finnish_csv_cell(7.6) == "7,6" and finnish_csv_cell(None) == ""
    assert finnish_csv_cell("=1+1") == "'=1+1"
    assert finnish_csv([["Kunta", 1.5], ["@x", None]]) == "\ufeffKunta;1,5\r\n'@x;\r\n".encode()


def test_the_case_page_shows_state_clock_and_state_log_to_the_case_group(app, client, clock):
    (case,) = _applications(app, clock, 50)
    login(client, "tiina")  # in the case's group, has not touched it
    page = client.get(f"/instances/{case}").get_data(as_text=True)
    assert 'id="case-heading"' in page and "Käsittelyssä" in page
    assert "Ratkaisu (7 arkipäivää)" in page and "2.12.2026" in page and "kesken" in page
    clock.advance(timedelta(days=1))
    with app.app_context():
        with unit_of_work() as uow:
            (task,) = uow.tasks.for_instance(case)
        decider = make_actor(unit_of_work, clock, "taisto", ["producer_admin"], ["kasittelijat"])
        with unit_of_work() as uow:
            tasks.complete_task(
                app.extensions["sote_flow.platform"], decider, uow, clock, task.id,
                {"decision": "approve"},
            )  # fmt: skip
    # Decided, no open task left: the group still reads its case (signed in again next day).
    login(client, "tiina")
    decided = client.get(f"/instances/{case}").get_data(as_text=True)
    assert "Ratkaistu" in decided and "24.11.2026 – ajoissa" in decided
