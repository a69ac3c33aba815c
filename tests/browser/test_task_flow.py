"""A person logs in, starts an instance, claims and completes a task, and sees it in the history."""

from __future__ import annotations

from tests.browser.conftest import ARTIFACTS
from tests.support.factories import PASSWORD


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Käyttäjätunnus").fill(username)
    page.get_by_label("Salasana").fill(PASSWORD)
    page.get_by_role("button", name="Kirjaudu", exact=True).click()
    page.get_by_role("heading", name="Tehtävät", level=1).wait_for()


def test_start_claim_complete_and_see_history(live_server, page):
    _login(page, live_server, "sanna")
    page.get_by_role("link", name="Aloita uusi").click()
    page.get_by_role("link", name="Hyväksyntä").click()
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
    page.get_by_label("Hyväksytään").check()
    page.get_by_role("button", name="Valmis").click()
    page.get_by_text("Tehtävä tehty.").wait_for()

    page.goto(instance_url)
    history = page.locator("table").last
    assert "Tehtävä tehty" in history.inner_text()
    assert "tuomas" in history.inner_text()
    assert "Päättynyt" in page.locator("dl.facts").first.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "instance-history.png"), full_page=True)
