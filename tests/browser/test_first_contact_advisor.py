"""An advisor takes a phone contact, consults, books during the call; the worker sees the visit."""

from __future__ import annotations

import pytest

from sote_flow.web.deps import unit_of_work
from tests.browser.axe import serious_violations
from tests.browser.conftest import ARTIFACTS, serving
from tests.browser.test_task_flow import _login as login
from tests.support.first_contacts import make_contact_people, phone_contact


@pytest.fixture
def contact_server(live_app, clock):
    with live_app.app_context():
        platform = live_app.extensions["sote_flow.platform"]
        people = make_contact_people(platform, unit_of_work, clock)
        phone_contact(platform, unit_of_work, clock, people.advisor)
    with serving(live_app) as url:
        yield url




def take_group_task(page, title: str) -> None:
    group = page.locator("section", has=page.get_by_role("heading", name="Ryhmän tehtävät"))
    row = group.locator("tr", has_text=title)
    row.get_by_role("button", name="Ota käsittelyyn").click()
    page.get_by_role("heading", name=title, level=1).wait_for()


def test_an_advisor_consults_and_books_during_the_contact(contact_server, helsinki_page):
    page = helsinki_page
    login(page, contact_server, "noora")
    take_group_task(page, "Arvioi yhteydenotto")
    page.get_by_label("Asiakasnumero").fill("1234567")
    page.get_by_label("Palvelu (pakollinen)").select_option(label="Perhetyö")
    page.get_by_label("Kiireellinen", exact=True).check()
    page.get_by_label("Kysy erityistyöntekijältä").check()
    page.get_by_label("Kysymys erityistyöntekijälle").fill("Sopiiko perhetyö vai kotipalvelu?")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Valmis").click()
    page.get_by_text("Tehtävä tehty.").wait_for()
    page.get_by_role("button", name="Kirjaudu ulos").click()

    login(page, contact_server, "eero")
    take_group_task(page, "Vastaa konsultaatiopyyntöön")
    page.get_by_label("Vastaus").fill("Perhetyö sopii.")
    page.get_by_role("button", name="Valmis").click()
    page.get_by_text("Tehtävä tehty.").wait_for()
    page.get_by_role("button", name="Kirjaudu ulos").click()

    login(page, contact_server, "noora")
    take_group_task(page, "Arvioi yhteydenotto")
    assert page.get_by_text("Perhetyö sopii.").first.is_visible()  # the answer is on the task
    page.get_by_label("Varaa ensikäynti nyt").check()
    page.get_by_role("button", name="Valmis").click()
    page.get_by_text("Tehtävä tehty.").wait_for()
    page.get_by_role("link", name="Varaa ensikäynti").click()  # the case's next task is mine
    page.get_by_label("ti 24.11. klo 9.00–9.45 · pekka · Perhekeskus, Kotka").check()
    assert serious_violations(page) == []
    page.get_by_role("button", name="Valmis").click()
    page.get_by_text("Tehtävä tehty.").wait_for()
    page.get_by_role("button", name="Kirjaudu ulos").click()

    login(page, contact_server, "pekka")
    page.get_by_role("link", name="Kalenteri", exact=True).click()
    event = page.locator(".fc-timegrid-event", has_text="1234567")
    event.wait_for()
    assert "9.00" in event.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "first-contact-booked-week.png"), full_page=True)
