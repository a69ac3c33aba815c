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


def test_order_taken_planned_started_and_seen_by_the_manager(order_server, page, live_app):
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
    page.get_by_role("button", name="Lähetä tilaus").click()
    page.get_by_text("Tilaus lähetetty.").wait_for()
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
    assert page.get_by_role("button", name="Valmis").count() == 0  # one action, not two
    page.get_by_role("button", name="Ota käsittelyyn").click()
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
    page.get_by_label("Palvelu alkoi").fill("2026-11-23")  # the pinned today: not ahead
    page.get_by_role("button", name="Valmis").click()
    page.get_by_text("Tehtävä tehty.").wait_for()
    _logout(page)

    # The family worker follows the mail's link to the order card and finds it in her list.
    _login(page, order_server, "pekka")
    page.goto(_mail_link(live_app, order_server, "pekka@ex.test"))
    page.get_by_role("heading", name=f"Palvelutilaus {order_number}").wait_for()
    assert "Arjen hallinta" in page.content() and "7.12.2026" in page.content()
    page.get_by_role("link", name="Omat asiakkuudet").click()
    assert order_number in page.locator("table").inner_text()
    _shot(page, "order-family-worker")
    _logout(page)

    # The manager oversees: every order, no forms and no action buttons anywhere.
    _login(page, order_server, "maria")
    page.get_by_role("link", name="Tilausjono").click()
    page.get_by_role("navigation", name="Tilat").get_by_role("link", name="Käsitelty").click()
    assert order_number in page.locator("table").inner_text()
    assert "lukuoikeudella" in page.content()
    _shot(page, "order-queue-manager")
    page.get_by_role("link", name=order_number).click()
    page.get_by_role("link", name="Kirjaa palvelun päättyminen").click()
    assert page.locator("main form").count() == 0 and page.locator("main button").count() == 0


def test_orderer_follows_and_cancels_from_her_own_orders(order_server, page):
    _login(page, order_server, "sofia")
    page.goto(f"{order_server}/processes/service_order/start")
    page.get_by_label("Asiakasnumero").fill("1000777")
    page.get_by_label("Asuinkunta").select_option("Hamina")
    page.get_by_label("Ennakoiva").check()
    page.locator("select#law").select_option("sosiaalihuoltolaki")
    page.locator("select#service").select_option("perhetyo")
    # The producer follows the service: family work has one, chosen for her.
    producer = page.get_by_label("Palveluntuottaja")
    assert producer.input_value() == "lapsiperheiden_avopalvelut"
    assert producer.locator("option:not([hidden])").count() == 2  # the empty choice and it
    page.get_by_label("Arjen hallinta").check()
    page.get_by_role("button", name="Lähetä tilaus").click()
    # The rules: an anticipatory order needs its date; family work has its own producer.
    page.get_by_text("Ennakoivassa tilauksessa toivottu aloituspäivä on pakollinen.").wait_for()
    page.get_by_label("Toivottu aloituspäivä").fill("2026-12-14")
    page.get_by_label("Palveluntuottaja").select_option("lapsiperheiden_avopalvelut")
    page.get_by_role("button", name="Lähetä tilaus").click()
    page.get_by_text("Tilaus lähetetty.").wait_for()

    page.get_by_role("link", name="Omat tilaukset").click()
    row = page.locator("table tbody tr").first
    assert "1000777" in row.inner_text() and "Saapunut" in row.inner_text()
    _shot(page, "order-my-orders")
    row.get_by_role("link", name="Peru tilaus").click()
    page.get_by_label("Syy").fill("Perhe muutti toiselle paikkakunnalle.")
    page.get_by_role("button", name="Peru tilaus").click()
    page.get_by_text("Tilaus peruttu.").wait_for()
    page.get_by_role("link", name="Omat tilaukset").click()
    row = page.locator("table tbody tr").first
    assert "Peruttu" in row.inner_text()
    assert row.get_by_role("link", name="Peru tilaus").count() == 0


def _mail_link(app, server: str, address: str) -> str:
    """Return the path of the newest mail to `address`, on the server under test."""
    from sqlalchemy import select

    from sote_flow.persistence.models import OutboxMail

    to_them = select(OutboxMail).where(OutboxMail.to_address == address)
    newest = to_them.order_by(OutboxMail.id.desc())
    with app.app_context(), unit_of_work() as uow:
        mail = uow.session.scalars(newest).first()
    assert mail is not None
    path = mail.body.rsplit("http://", 1)[1].split("/", 1)[1].split()[0]
    return f"{server}/{path}"
