"""A client contacts the services without signing in; an advisor answers the chat."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from sote_flow.web.deps import unit_of_work
from tests.browser.axe import serious_violations
from tests.browser.conftest import ARTIFACTS, serving
from tests.browser.test_task_flow import _login
from tests.support.factories import PROCESSES, deploy, make_actor, make_groups


@pytest.fixture
def contact_server(live_app, clock) -> Iterator[str]:
    with live_app.app_context():
        make_groups(unit_of_work, "asiakasneuvonta", "erityistyontekijat", "perhetyontekijat",
                    "lastenvalvojat", "lapsiperheiden_avopalvelut")  # fmt: skip
        deploy(live_app.extensions["sote_flow.platform"], unit_of_work, clock,
               PROCESSES / "first_contact.bpmn")  # fmt: skip
        make_actor(unit_of_work, clock, "aada", ["client_advisor"], ["asiakasneuvonta"])
    with serving(live_app) as url:
        yield url


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_client_sends_the_form_and_sees_the_receipt(contact_server, page):
    page.goto(f"{contact_server}/yhteydenotto/")
    assert serious_violations(page) == []
    page.get_by_label("Mitä asiasi koskee?").select_option("kasvatus")
    page.get_by_label("Kerro asiastasi").fill("Tunnukseni on 131052-308T.")
    page.get_by_label("Puhelinnumero").fill("040 123 4567")
    page.get_by_role("button", name="Lähetä yhteydenotto").click()
    error = page.locator("#description-error")
    error.wait_for()
    assert "henkilötunnusta" in error.inner_text()
    assert serious_violations(page) == []  # the page with its errors too
    _shot(page, "contact-form-errors")
    page.get_by_label("Kerro asiastasi").fill("Lapsen kiukuttelu uuvuttaa koko perheen.")
    page.get_by_role("button", name="Lähetä yhteydenotto").click()
    page.get_by_role("heading", name="Kiitos, yhteydenottosi on vastaanotettu").wait_for()
    assert re.fullmatch(r"YH-\d{4}-\d+", page.locator("#reference").inner_text().strip())
    assert serious_violations(page) == []
    _shot(page, "contact-receipt")


def test_a_chat_is_answered_and_the_answer_appears_without_reloading(
    contact_server, page, browser
):
    page.goto(f"{contact_server}/yhteydenotto/chat")
    assert serious_violations(page) == []
    page.get_by_label("Mitä asiasi koskee?").select_option("arki")
    page.get_by_label("Viestisi").fill("Saako täältä apua väsymykseen?")
    page.get_by_role("button", name="Aloita chat").click()
    page.get_by_text("Tallenna tämän sivun osoite.").wait_for()
    page.get_by_label("Uusi viesti").fill("Meillä on kaksi pientä lasta.")
    page.get_by_role("button", name="Lähetä viesti").click()
    thread = page.locator("#thread")
    thread.get_by_text("Meillä on kaksi pientä lasta.").wait_for()
    assert serious_violations(page) == []
    marker = page.evaluate("() => { window.notReloaded = true; return window.notReloaded; }")
    assert marker

    staff_context = browser.new_context(locale="fi-FI")
    staff = staff_context.new_page()
    staff.set_default_timeout(10_000)
    try:
        _login(staff, contact_server, "aada")
        staff.get_by_role("link", name="Yhteydenotot").click()
        staff.locator("table tbody a").first.click()
        staff.locator("#thread").get_by_text("Meillä on kaksi pientä lasta.").wait_for()
        staff.get_by_label("Vastaus asiakkaalle").fill("Hei! Kyllä saa. Soitan teille tänään.")
        staff.get_by_role("button", name="Lähetä vastaus").click()
        staff.get_by_text("Vastaus lähetetty.").wait_for()
        assert serious_violations(staff) == []
        _shot(staff, "contact-staff-page")
    finally:
        staff_context.close()

    thread.get_by_text("Hei! Kyllä saa. Soitan teille tänään.").wait_for(timeout=10_000)
    assert page.evaluate("() => window.notReloaded === true")  # the same page, not reloaded
    assert "aada" in thread.inner_text()
    _shot(page, "contact-chat")
