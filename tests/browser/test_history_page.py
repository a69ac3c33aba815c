"""An auditor opens an instance's history: the path is highlighted on the diagram; axe-core
finds no serious or critical problems on the inbox, a task form and the history page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sote_flow.web.deps import unit_of_work
from tests.browser.axe import serious_violations
from tests.browser.conftest import ARTIFACTS, serving
from tests.browser.test_task_flow import _login
from tests.support.orders import OrderDriver, make_order_people


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _classes(page, element_id: str) -> str:
    return page.locator(f"#diagram [data-element-id='{element_id}']").first.get_attribute("class")


def test_auditor_sees_the_path_and_waiting_point_on_the_diagram(live_server, page):
    _login(page, live_server, "sanna")
    assert serious_violations(page) == []  # the inbox
    _shot(page, "inbox")
    page.get_by_role("link", name="Aloita uusi").click()
    page.get_by_role("link", name="Hyväksyntä").click()
    assert serious_violations(page) == []  # a start form
    page.get_by_label("Asiakasnumero").fill("7654321")
    page.get_by_label("Määrä").fill("4")
    page.get_by_role("button", name="Lähetä").click()
    page.get_by_text("Prosessi käynnistetty").wait_for()
    instance_url = page.url
    page.get_by_role("button", name="Kirjaudu ulos").click()

    _login(page, live_server, "tuomas")
    group = page.locator("section", has=page.get_by_role("heading", name="Ryhmän tehtävät"))
    group.get_by_role("button", name="Ota käsittelyyn").first.click()
    page.get_by_role("heading", name="Käsittele hakemus").wait_for()
    page.get_by_role("button", name="Valmis").click()
    page.get_by_text("Pakollinen tieto puuttuu").first.wait_for()
    assert serious_violations(page) == []  # a task form showing its errors
    _shot(page, "task-form")
    page.get_by_label("Palautetaan täydennettäväksi").check()
    page.get_by_role("button", name="Valmis").click()
    page.get_by_text("Tehtävä tehty.").wait_for()
    page.get_by_role("button", name="Kirjaudu ulos").click()

    _login(page, live_server, "tarja")
    page.goto(instance_url)
    page.get_by_role("link", name="Historia kaaviossa").click()
    page.get_by_role("heading", name="Kuljettu reitti kaaviossa").wait_for()
    page.wait_for_selector("#diagram[data-ready='true']")
    for element_id in ("start", "number", "review", "decide", "f1", "f2", "f3", "f6"):
        assert "path-" in _classes(page, element_id), element_id
    assert "path-done" in _classes(page, "review")
    assert "path-flow" in _classes(page, "f6")
    assert "path-waiting" in _classes(page, "fix_request")
    assert "path-" not in _classes(page, "end") and "path-" not in _classes(page, "f4")
    waiting = page.locator("#waiting-list").inner_text()
    assert "Täydennä hakemusta" in waiting and "odottaa tekijää" in waiting
    assert "Palautetaan täydennettäväksi" in page.locator("table.timeline").inner_text()
    assert serious_violations(page) == []  # the history page, diagram included
    _shot(page, "instance-history-diagram")

    page.get_by_role("link", name="Tiedot tässä vaiheessa").first.click()
    page.wait_for_selector("#diagram[data-ready='true']")
    data = page.locator("#data-at-step").inner_text()
    assert "7654321" in data and "Päätös" not in data


@pytest.fixture
def returned_order_server(live_app, clock) -> Iterator[str]:
    """A service order processed once and returned to the queue (a fresh workflow round)."""
    app = live_app
    with app.app_context():
        platform = app.extensions["sote_flow.platform"]
        people = make_order_people(platform, unit_of_work, clock)
        driver = OrderDriver(platform, unit_of_work, clock, people)
        driver.order()
        driver.process()
        driver.return_to_queue()
    with serving(app) as url:
        yield url


def test_returned_order_shows_the_earlier_round_on_its_drawn_diagram(returned_order_server, page):
    _login(page, returned_order_server, "maria")  # the service manager oversees every order
    page.goto(f"{returned_order_server}/instances/1/history")
    page.wait_for_selector("#diagram[data-ready='true']")
    # Round 1 reached the start of the service; only the history knows it now.
    for element_id in ("record_start", "notify_orderer", "flow_to_end", "flow_returned"):
        assert "path-" in _classes(page, element_id), element_id
    assert "path-waiting" in _classes(page, "take_order")
    assert "path-waiting" in _classes(page, "take_up_overdue")
    assert "ajastin odottaa" in page.locator("#waiting-list").inner_text()
    assert serious_violations(page) == []
    _shot(page, "order-history-diagram")
