"""A parent asks for help without signing in; an officer books a remote meeting, records the
agreement and confirms it; the parent downloads the agreement through their link."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from sote_flow.persistence.models import OutboxMail
from sote_flow.web.deps import unit_of_work
from tests.browser.axe import serious_violations
from tests.browser.conftest import serving
from tests.browser.test_first_contact_advisor import take_group_task
from tests.browser.test_task_flow import _login as login
from tests.support.factories import PROCESSES, deploy, make_actor, make_groups

PARENT_1 = "vanhempi.yksi@example.test"


@pytest.fixture
def family_server(live_app, clock) -> Iterator[str]:
    with live_app.app_context():
        make_groups(unit_of_work, "lastenvalvojat")
        deploy(live_app.extensions["sote_flow.platform"], unit_of_work, clock,
               PROCESSES / "family_law.bpmn")  # fmt: skip
        make_actor(unit_of_work, clock, "laura", ["child_welfare_officer"], ["lastenvalvojat"])
    with serving(live_app) as url:
        yield url


def _send_parent_form(page, base: str) -> str:
    page.goto(f"{base}/perheasiat/")
    assert serious_violations(page) == []
    page.get_by_label("Lapsen huolto").check()
    page.get_by_label("Lapsen asuminen").check()
    page.get_by_label("Lapsen syntymävuosi").fill("2018")
    page.get_by_label("Kyllä, molemmat vanhemmat haluavat sopia").check()
    page.get_by_label("Etätapaaminen videon välityksellä").check()
    page.get_by_label("Kotikunta").select_option("Utsjoki")
    page.locator("#email_1").fill(PARENT_1)
    page.locator("#email_2").fill("131052-308T")
    page.get_by_role("button", name="Lähetä yhteydenotto").click()
    page.locator("#email_2-error").wait_for()
    assert "henkilötunnusta" in page.locator("#email_2-error").inner_text()
    assert serious_violations(page) == []  # the page with its errors too
    page.locator("#email_2").fill("vanhempi.kaksi@example.test")
    page.get_by_role("button", name="Lähetä yhteydenotto").click()
    page.get_by_role("heading", name="Kiitos, yhteydenottosi on vastaanotettu").wait_for()
    assert serious_violations(page) == []
    reference = page.locator("#reference").inner_text().strip()
    assert re.fullmatch(r"PO-2026-\d{6}", reference)
    return reference


def _finish_task(page, next_title: str) -> None:
    assert serious_violations(page) == []
    page.get_by_role("button", name="Valmis").click()
    page.get_by_role("link", name=next_title).click()  # the matter's next task is mine
    page.get_by_role("heading", name=next_title, level=1).wait_for()


def test_from_a_parents_form_to_a_downloaded_agreement(family_server, live_app, page, browser):
    _send_parent_form(page, family_server)

    login(page, family_server, "laura")
    take_group_task(page, "Ota asia hoitoon ja varaa tapaaminen")
    page.get_by_label("Etätapaaminen (video)").check()
    page.locator("#meeting_day").fill("2026-11-26")
    page.locator("#meeting_time").fill("9.30")
    page.locator("#meeting_minutes").fill("60")
    page.locator("#office").select_option("Rovaniemi")
    _finish_task(page, "Kirjaa tapaamisen tulos")
    page.get_by_label("Sopimukseen päästiin").check()
    _finish_task(page, "Laadi sopimus")
    page.get_by_label("Yhteishuolto").check()
    page.get_by_label("Vuoroasuminen").check()
    page.locator("#visitation").fill("Viikko kerrallaan kummankin vanhemman luona.")
    _finish_task(page, "Vahvista sopimus")
    page.get_by_label("Vahvista ja toimita vanhemmille").check()
    assert serious_violations(page) == []
    page.get_by_role("button", name="Valmis").click()
    page.get_by_role("link", name="Anna palaute asian hoitamisesta").wait_for()

    with live_app.app_context(), unit_of_work() as uow:
        mail = uow.session.scalars(
            select(OutboxMail)
            .where(OutboxMail.to_address == PARENT_1)
            .order_by(OutboxMail.id.desc())
        ).first()
    assert mail is not None and mail.subject.startswith("Vahvistettu sopimus")
    link = re.search(r"/lataa/[A-Za-z0-9_-]+", mail.body)
    assert link is not None

    parent = browser.new_context(locale="fi-FI").new_page()
    try:
        parent.goto(f"{family_server}{link.group(0)}")
        parent.get_by_role("heading", name=re.compile("Vahvistettu sopimus PO-2026")).wait_for()
        assert serious_violations(parent) == []
        with parent.expect_download() as downloading:
            parent.get_by_role("button", name=re.compile("Lataa asiakirja")).click()
        content = downloading.value.path().read_bytes()
    finally:
        parent.context.close()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert "Sopimus lapsen asioista" in text and "vuoroasuminen" in text
