"""A social worker takes a matter from vireillepano to a service and records the work; the
service manager sees it priced in the municipality report."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sote_flow.client_case.demo import seed_demo
from sote_flow.web.deps import unit_of_work
from tests.browser.axe import serious_violations
from tests.browser.conftest import serving
from tests.browser.test_first_contact_advisor import take_group_task
from tests.browser.test_task_flow import _login as login
from tests.support.factories import PROCESSES, deploy, make_actor, make_groups


@pytest.fixture
def case_server(live_app, clock) -> Iterator[str]:
    with live_app.app_context():
        platform = live_app.extensions["sote_flow.platform"]
        make_groups(unit_of_work, "sosiaalityontekijat")
        deploy(platform, unit_of_work, clock, PROCESSES / "client_case.bpmn")
        make_actor(unit_of_work, clock, "sanni", ["social_worker"], ["sosiaalityontekijat"])
        make_actor(unit_of_work, clock, "paula", ["service_manager"])
        seed_demo(platform, unit_of_work, clock)  # the product catalogue with its prices
    with serving(live_app) as url:
        yield url


def _done(page, next_title: str) -> None:
    assert serious_violations(page) == []
    page.get_by_role("button", name="Valmis").click()
    page.get_by_role("link", name=next_title).click()  # the case's next task is mine
    page.get_by_role("heading", name=next_title, level=1).wait_for()


def test_from_vireillepano_to_a_service_and_the_municipality_report(case_server, page):
    login(page, case_server, "sanni")
    page.get_by_role("link", name="Aloita uusi").click()
    page.get_by_role("link", name="Asiakkuus: vireilletulosta palveluun").click()
    page.get_by_label("Asiakasnumero").fill("7654321")
    page.locator("#municipality").select_option("Lahti")
    page.locator("#matter_type").select_option("lapsiperheet")
    page.locator("#notifier").select_option("varhaiskasvatus_opetus")
    page.get_by_label("Vireilletulon syy").fill("Päiväkoti on huolissaan perheen jaksamisesta.")
    page.locator("#unit").select_option("lapsiperheiden_sosiaalityo")
    page.locator("#special_group").select_option("lapsi_erityinen_tuki")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Lähetä").click()
    page.get_by_role("link", name="Tehtävät").first.click()

    take_group_task(page, "Aloita palvelutarpeen arviointi")
    page.get_by_label("Toinen käsittelijä").fill("sakari")
    _done(page, "Tee palvelutarpeen arviointi")
    page.get_by_label("Arvion yhteenveto").fill("Perhe tarvitsee kotipalvelua arkeen.")
    page.locator("#assessment_done_on").fill("2026-11-23")
    _done(page, "Tee päätös")
    page.get_by_label("Myönteinen", exact=True).check()
    page.get_by_label("Lainkohta").fill("SHL 19 §")
    page.locator("#decided_on").fill("2026-11-23")
    page.get_by_label("Oikaisuvaatimusohje on liitetty päätökseen").check()
    _done(page, "Järjestä palvelu")
    page.locator("#service_key").select_option("kotipalvelu")
    page.locator("#service_start").fill("2026-11-30")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Valmis").click()
    page.get_by_text("Tehtävä tehty.").wait_for()

    page.get_by_role("link", name="Asiakkuuden tiedot ja tehty työ").first.click()
    page.get_by_role("heading", name="Kirjaa tehty asiakastyö").wait_for()
    page.get_by_label("Työn laji").select_option("kotikaynti")
    page.get_by_label("Päivä").fill("2026-11-23")
    page.get_by_label("Kesto minuutteina").fill("90")
    page.get_by_label("Kyllä").check()
    page.get_by_role("button", name="Kirjaa työ").click()
    page.get_by_role("cell", name="Kotikäynti").first.wait_for()
    assert serious_violations(page) == []
    page.get_by_role("button", name="Kirjaudu ulos").click()

    login(page, case_server, "paula")
    page.get_by_role("link", name="Kuntaraportti").click()
    page.get_by_role("heading", name="Asiakastyön kuntaraportti").wait_for()
    assert serious_violations(page) == []
    lahti = page.locator("tr", has=page.get_by_role("rowheader", name="Lahti")).first
    assert "120,00" in lahti.inner_text()  # one home visit at the catalogue's 120,00 €
