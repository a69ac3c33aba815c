"""The administrator disables a signed-in user who holds a claimed task: the task is back in its
group's queue at once and the user's next page load lands on the login page."""

from __future__ import annotations

import pytest

from sote_flow.web.deps import unit_of_work
from tests.browser.axe import serious_violations
from tests.browser.test_task_flow import _login
from tests.support.factories import make_actor


@pytest.fixture
def live_app(live_app, clock):
    with live_app.app_context():
        make_actor(unit_of_work, clock, "paavo", ["administrator"])
        make_actor(unit_of_work, clock, "tiina", ["producer_admin"], ["kasittelijat"])
    return live_app


def _start_and_claim(base, sanna, tuomas):
    _login(sanna, base, "sanna")
    sanna.get_by_role("link", name="Aloita uusi").click()
    sanna.get_by_role("link", name="Hyväksyntä").click()
    sanna.get_by_label("Asiakasnumero").fill("7654321")
    sanna.get_by_label("Määrä").fill("3")
    sanna.get_by_role("button", name="Lähetä").click()
    sanna.get_by_text("Prosessi käynnistetty").wait_for()
    _login(tuomas, base, "tuomas")
    tuomas.get_by_role("button", name="Ota käsittelyyn").first.click()
    tuomas.get_by_role("heading", name="Käsittele hakemus").wait_for()


def test_disabling_a_user_frees_their_task_and_signs_them_out(live_server, page, browser):
    contexts = [browser.new_context(locale="fi-FI") for _ in range(2)]
    sanna, tuomas = (context.new_page() for context in contexts)
    try:
        _start_and_claim(live_server, sanna, tuomas)
        _login(page, live_server, "paavo")
        page.goto(f"{live_server}/admin/users")
        assert serious_violations(page) == []
        page.get_by_role("link", name="tuomas").click()
        page.get_by_role("button", name="Poista käytöstä").click()
        page.get_by_text("1 tehtävää palautettu ryhmän jonoon").wait_for()
        assert page.get_by_role("link", name="#1").is_visible()
        assert serious_violations(page) == []

        tuomas.goto(f"{live_server}/")
        assert "/login" in tuomas.url

        page.goto(f"{live_server}/admin/groups")
        assert serious_violations(page) == []
        page.get_by_role("button", name="Kirjaudu ulos").click()
        _login(page, live_server, "tiina")
        group = page.locator("section", has=page.get_by_role("heading", name="Ryhmän tehtävät"))
        group.get_by_role("button", name="Ota käsittelyyn").first.wait_for()
    finally:
        for context in contexts:
            context.close()
