"""A social worker orders; a producer admin takes, plans and starts it; the manager sees it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sote_flow.web.deps import unit_of_work
from tests.browser.conftest import ARTIFACTS, serving
from tests.browser.test_task_flow import _login
from tests.support.orders import make_order_people


@pytest.fixture
def order_server(live_app, clock) -> Iterator[str]:
    app = live_app
    with app.app_context():
        make_order_people(app.extensions["sote_flow.platform"], unit_of_work, clock)
    with serving(app) as url:
        yield url


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _logout(page) -> None:
    page.get_by_role("button", name="Kirjaudu ulos").click()


def _open_task(page, order_url: str, title: str) -> None:
    page.goto(order_url)
    page.get_by_role("link", name=title).click()
    page.get_by_role("heading", name=title).wait_for()


def test_order_taken_planned_started_and_seen_by_the_manager(order_server, page):
    _login(page, order_server, "sofia")
    page.get_by_role("link", name="Aloita uusi").click()
    page.get_by_role("link", name="Palvelutilaus").click()
    page.get_by_label("Asiakasnumero").fill("1000234")
    page.get_by_label("Asuinkunta").select_option("Kotka")
    page.get_by_label("Tavallinen").check()
    page.locator("select#law").select_option("sosiaalihuoltolaki")
    page.locator("select#service").select_option("psykososiaalinen_kotikuntoutus")
    page.get_by_label("Palveluntuottaja").select_option("psykososiaalinen_kotikuntoutus")
    page.get_by_label("Arjen hallinta").check()
    _shot(page, "order-form")
    page.get_by_role("button", name="Lähetä").click()
    page.get_by_text("Prosessi käynnistetty").wait_for()
    _logout(page)

    _login(page, order_server, "aino")
    page.get_by_role("link", name="Tilausjono").click()
    queue = page.locator("table")
    assert "Saapunut" in page.get_by_role("navigation", name="Tilat").inner_text()
    order_number = queue.locator("tbody a").first.inner_text()
    assert order_number.startswith("PT-")
    _shot(page, "order-queue")
    queue.get_by_role("link", name=order_number).click()
    order_url = page.url
    _open_task(page, order_url, "Ota tilaus käsittelyyn")
    page.get_by_role("button", name="Valmis").click()
    page.get_by_text("Tehtävä tehty.").wait_for()

    _open_task(page, order_url, "Suunnittele palvelu")
    page.get_by_label("Palvelu suunniteltu").check()
    page.get_by_label("Suunniteltu aloituspäivä").fill("2026-12-07")
    worker = page.locator("#family_worker")
    if worker.evaluate("e => e.tagName") == "SELECT":
        worker.select_option("pekka")
    else:
        worker.fill("pekka")
    _shot(page, "order-plan")
    page.get_by_role("button", name="Valmis").click()
    page.get_by_text("Tehtävä tehty.").wait_for()

    _open_task(page, order_url, "Kirjaa palvelun alkaminen")
    page.get_by_label("Palvelu alkoi").fill("2026-12-08")
    page.get_by_role("button", name="Valmis").click()
    page.get_by_text("Tehtävä tehty.").wait_for()
    _logout(page)

    _login(page, order_server, "maria")
    page.get_by_role("link", name="Tilausjono").click()
    page.get_by_role("navigation", name="Tilat").get_by_role("link", name="Käsitelty").click()
    assert order_number in page.locator("table").inner_text()
    assert "lukuoikeudella" in page.content()
    _shot(page, "order-queue-manager")
