"""Calendars in Chromium: a worker writes an entry by keyboard, an advisor books a free slot."""

from __future__ import annotations

import pytest

from sote_flow.web.deps import unit_of_work
from tests.browser.axe import serious_violations
from tests.browser.conftest import ARTIFACTS, serving
from tests.browser.test_task_flow import _login as login
from tests.support.factories import make_actor, make_groups


@pytest.fixture
def calendar_server(live_app, clock):
    with live_app.app_context():
        make_groups(unit_of_work, "perhetyo", "neuvonta")
        make_actor(unit_of_work, clock, "pekka", ["family_worker"], ["perhetyo"])
        make_actor(unit_of_work, clock, "neuvo", ["client_advisor"], ["neuvonta"])
        make_actor(unit_of_work, clock, "leena", ["team_lead"], ["perhetyo"])
        make_actor(unit_of_work, clock, "paula", ["service_manager"])
        make_actor(unit_of_work, clock, "paavo", ["administrator"])
    with serving(live_app) as url:
        yield url




def test_a_worker_adds_an_entry_in_the_week_view_by_keyboard(calendar_server, helsinki_page):
    page = helsinki_page
    login(page, calendar_server, "pekka")
    page.get_by_role("link", name="Kalenteri", exact=True).click()
    page.locator(".fc-timegrid").wait_for()  # FullCalendar drew the week
    assert "23–29.11.2026" in page.locator(".fc-toolbar-title").inner_text().replace(" ", "")

    page.get_by_label("Tyyppi").focus()
    page.keyboard.press("k")  # the first type starting with K: Kotikäynti
    page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("24.11.2026")  # Päivä
    page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("9.30")  # Alkaa
    page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("11.00")  # Päättyy
    page.keyboard.press("Tab")
    page.keyboard.type("Karhula")  # Paikka
    page.keyboard.press("Tab")  # Etätapaaminen: left unchecked
    page.keyboard.press("Tab")
    page.keyboard.type("123456")  # Asiakasnumero
    page.keyboard.press("Enter")

    page.get_by_text("Merkintä lisätty kalenteriin.").wait_for()
    event = page.locator(".fc-timegrid-event", has_text="Kotikäynti")
    event.wait_for()
    assert "9.30" in event.inner_text() and "123456" in event.inner_text()
    listed = page.locator("ul.entries li", has_text="Kotikäynti")
    assert "9.30–11.00" in listed.inner_text() and "Karhula" in listed.inner_text()
    assert serious_violations(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "calendar-week.png"), full_page=True)


def test_an_advisor_finds_the_next_free_slots_and_books_one(calendar_server, helsinki_page):
    page = helsinki_page
    login(page, calendar_server, "pekka")
    page.goto(f"{calendar_server}/calendar/offer")
    weekly = page.locator("form", has=page.get_by_role("button", name="Lisää vapaat ajat"))
    weekly.get_by_label("Palvelu").select_option(label="Perhetyö")
    weekly.get_by_label("Viikonpäivä", exact=True).select_option(label="tiistai")
    weekly.get_by_label("Ensimmäinen päivä").fill("2026-11-23")
    weekly.get_by_label("Viimeinen päivä").fill("2026-12-31")
    weekly.get_by_label("Paikka").fill("Perhekeskus, Kotka")
    weekly.get_by_role("button", name="Lisää vapaat ajat").click()
    page.get_by_text("Vapaita aikoja lisätty: 24.").wait_for()  # 6 Tuesdays × 4 slots
    assert serious_violations(page) == []
    page.get_by_role("button", name="Kirjaudu ulos").click()

    login(page, calendar_server, "neuvo")
    page.get_by_role("link", name="Vapaat ajat").click()
    page.get_by_label("Palvelu").select_option(label="Perhetyö")
    page.get_by_role("button", name="Näytä vapaat ajat").click()
    first = page.locator("section.slot").first
    assert "24.11.2026 klo 09.00–9.45 · pekka" in first.inner_text()
    assert serious_violations(page) == []
    first.get_by_text("Varaa tämä aika").click()
    first.get_by_label("Asiakasnumero").fill("654321")
    first.get_by_label("Asiakkaan sähköposti vahvistusta varten (valinnainen)").fill(
        "asiakas@example.test"
    )
    first.get_by_role("button", name="Varaa aika").click()
    page.get_by_text("Aika varattu asiakkaalle 654321.").wait_for()
    assert "24.11.2026 klo 09.45–10.30" in page.locator("section.slot").first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "calendar-booked.png"), full_page=True)


def test_the_other_calendar_pages_have_no_serious_accessibility_violations(
    calendar_server, helsinki_page
):
    page = helsinki_page
    login(page, calendar_server, "pekka")
    page.goto(f"{calendar_server}/calendar/")
    page.get_by_label("Tyyppi").select_option(label="Kotikäynti")
    page.get_by_label("Päivä", exact=False).first.fill("24.11.2026")
    page.get_by_role("button", name="Lisää merkintä").click()
    page.get_by_text("Merkintä lisätty kalenteriin.").wait_for()
    page.locator("ul.entries a", has_text="Kotikäynti").click()
    page.get_by_role("heading", name="Kotikäynti", level=1).wait_for()
    checked = {"entry": serious_violations(page)}
    for name, path in (
        ("team", "/calendar/team/perhetyo"),
        ("absence", "/calendar/absence"),
        ("feed", "/calendar/feed"),
    ):
        page.goto(f"{calendar_server}{path}")
        checked[name] = serious_violations(page)
    page.get_by_role("button", name="Kirjaudu ulos").click()
    for username, pages in (
        ("leena", ("/calendar/reassign", "/calendar/team/perhetyo")),
        ("paula", ("/calendar/statistics?since=2026-11-01&until=2026-11-30",)),
        ("paavo", ("/admin/entry-types",)),
    ):
        login(page, calendar_server, username)
        for path in pages:
            page.goto(f"{calendar_server}{path}")
            checked[f"{username} {path}"] = serious_violations(page)
        page.get_by_role("button", name="Kirjaudu ulos").click()
    assert {name: found for name, found in checked.items() if found} == {}
