"""A process owner adds a case state to the service order in the modeler's side panel, puts a
task in it, and deploys: case states are declared in the diagram, not in Python."""

from __future__ import annotations

from tests.browser.axe import serious_violations
from tests.browser.test_modeler import _shot, order_owner_server  # noqa: F401 (fixture)
from tests.browser.test_task_flow import _login

NEW_STATE = ("odottaa_suostumusta", "Odottaa asiakkaan suostumusta", "Väntar på kundens samtycke")


def _open_service_order(page, base: str) -> None:
    page.goto(f"{base}/process-admin/service_order/modeler")
    page.wait_for_selector("#canvas[data-ready='true']")


def test_owner_adds_a_case_state_and_puts_a_task_in_it(order_owner_server, page):  # noqa: F811
    _login(page, order_owner_server, "olli")
    _open_service_order(page, order_owner_server)
    picker = page.get_by_label("Valitse elementti")
    picker.select_option("order_received")
    assert page.get_by_label("Tilan 1 avain").input_value() == "saapunut"
    assert page.get_by_label("Tilan 3 nimi ruotsiksi").input_value() == "I kö"
    assert page.get_by_label("Tilan 6 nimi englanniksi").input_value() == "Cancelled"
    assert page.get_by_label("Asianumeron etuliite (caseNumberPrefix)").input_value() == "PT"

    page.get_by_role("button", name="Lisää tila").click()
    key = page.get_by_label("Tilan 7 avain")
    assert page.evaluate("document.activeElement.id") == "case-state-7-key"  # keyboard flow
    key.fill(NEW_STATE[0])
    page.get_by_label("Tilan 7 nimi suomeksi").fill(NEW_STATE[1])
    page.get_by_label("Tilan 7 nimi ruotsiksi").fill(NEW_STATE[2])
    english = page.get_by_label("Tilan 7 nimi englanniksi")
    english.fill("Awaiting consent")
    english.press("Tab")
    # Before the cancelled state: the queue tabs follow the declared order.
    page.get_by_role("button", name="Siirrä tila 7 odottaa_suostumusta ylemmäs").click()
    assert page.get_by_label("Tilan 6 avain").input_value() == NEW_STATE[0]
    assert page.get_by_label("Tilan 7 avain").input_value() == "peruttu"
    assert serious_violations(page) == []  # the state editor included
    _shot(page, "modeler-case-states")

    picker.select_option("answer_info")
    state = page.get_by_label("Asian tila (caseState)")
    assert state.input_value() == "kasittelyssa"
    state.select_option(NEW_STATE[0])
    assert f"{NEW_STATE[1]} ({NEW_STATE[0]})" in state.locator("option:checked").inner_text()
    picker.select_option("service_ended")
    assert page.get_by_label("Asian tila (caseState)").input_value() == "paattynyt"

    page.get_by_role("button", name="Ota käyttöön").click()
    page.get_by_text("Versio 2 otettiin käyttöön.").wait_for()
    newest = page.get_by_role("table", name="Versiot: Palvelutilaus").locator("tbody tr").first
    cells = newest.locator("td").all_inner_texts()
    assert cells[0].startswith("2") and cells[1] == "olli"

    _open_service_order(page, order_owner_server)  # the new version opens with the new state
    picker = page.get_by_label("Valitse elementti")
    picker.select_option("answer_info")
    assert page.get_by_label("Asian tila (caseState)").input_value() == NEW_STATE[0]
    picker.select_option("order_received")
    assert page.get_by_label("Tilan 6 nimi suomeksi").input_value() == NEW_STATE[1]

    # No Python changed: the producer's queue has the new state as a tab, in declared order.
    page.get_by_role("button", name="Kirjaudu ulos").click()
    _login(page, order_owner_server, "aino")
    page.goto(f"{order_owner_server}/cases/service_order/")
    tabs = page.get_by_role("navigation", name="Tilat").get_by_role("link").all_inner_texts()
    assert [tab.split(" (")[0] for tab in tabs] == [
        "Saapunut", "Käsittelyssä", "Jonossa", "Käsitelty", "Palvelu päättynyt", NEW_STATE[1],
        "Peruttu",
    ]  # fmt: skip
    assert serious_violations(page) == []
    _shot(page, "case-queue-new-state")


def test_an_undeclared_case_state_is_refused_on_its_task(order_owner_server, page):  # noqa: F811
    _login(page, order_owner_server, "olli")
    _open_service_order(page, order_owner_server)
    picker = page.get_by_label("Valitse elementti")
    picker.select_option("order_received")
    page.get_by_role("button", name="Poista tila 3 jonossa").click()
    assert page.get_by_label("Tilan 3 avain").input_value() == "kasitelty"
    assert page.evaluate("document.activeElement.id") == "case-state-3-key"
    page.get_by_role("button", name="Ota käyttöön").click()
    problems = page.locator("#deploy-problems")
    problems.get_by_text("Elementti record_start:").wait_for()
    assert "Asian tilaa ”jonossa” ei ole esitelty" in problems.inner_text()
    picker.select_option("record_start")
    assert (
        "(ei esitelty alkutapahtumassa)"
        in page.get_by_label("Asian tila (caseState)").locator("option:checked").inner_text()
    )
