"""Staff single sign-on in Chromium against a real OpenID Connect provider (oidc-provider)."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from sote_flow.services.accounts import actor_for_user_id
from sote_flow.services.sso import ClaimMap, sign_in_with_claims
from sote_flow.services.system_settings import set_local_login
from sote_flow.web import create_app
from sote_flow.web.deps import unit_of_work
from tests.support.factories import TEST_SECRET, make_actor
from tests.support.oidc_provider import OidcProvider, running_oidc_provider

CLAIM_MAP = {
    "claim": "groups",
    "map": {
        "sote-tuottajat-lapsiperheet": {
            "roles": ["producer_admin"],
            "groups": ["lapsiperheiden_avopalvelut"],
        },
        "sote-sosiaalityo": {"roles": ["social_worker"], "groups": ["sosiaalityontekijat"]},
    },
}
ANNA = {
    "preferred_username": "anna.virtanen",
    "name": "Anna Virtanen",
    "email": "anna.virtanen@hyvinvointialue.example",
}


@dataclass
class Site:
    url: str
    app: Flask
    provider: OidcProvider


class _LateApp:
    """Binds the port before the app exists: the app's base URL must name that port."""

    app: Flask | None = None

    def __call__(self, environ, start_response):
        assert self.app is not None
        return self.app(environ, start_response)


@pytest.fixture
def site(sqlite_databases, clock, tmp_path) -> Iterator[Site]:
    late = _LateApp()
    server = make_server("127.0.0.1", 0, late, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    with running_oidc_provider(tmp_path, [f"{url}/login/sso/callback"], [f"{url}/login"]) as op:
        claim_map = tmp_path / "claims.json"
        claim_map.write_text(json.dumps(CLAIM_MAP))
        late.app = create_app(
            {
                "database_url": sqlite_databases.new_url(),
                "secret_key": TEST_SECRET,
                "clock": clock,
                "base_url": url,
                "oidc_issuer": op.issuer,
                "oidc_client_id": op.client_id,
                "oidc_client_secret": op.client_secret,
                "oidc_claim_map": str(claim_map),
            }
        )
        with late.app.app_context():
            make_actor(unit_of_work, clock, "paavo", ["administrator"])
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield Site(url, late.app, op)
        finally:
            server.shutdown()
            thread.join(timeout=5)


def _sign_in_at_provider(page: Page, site: Site, account: str) -> None:
    page.goto(f"{site.url}/login")
    page.get_by_role("link", name="Kirjaudu organisaation tunnuksella").click()
    expect(page).to_have_url(re.compile(re.escape(site.provider.issuer)))
    page.locator("input[name=login]").fill(account)
    page.locator("input[name=password]").fill("mita-tahansa")
    page.get_by_role("button", name="Sign-in").click()


def _access(site: Site, username: str) -> tuple[set[str], set[str]]:
    with site.app.app_context(), unit_of_work() as uow:
        user = uow.users.by_username(username)
        assert user is not None
        actor = actor_for_user_id(uow, user.id)
        assert actor is not None
        return {r.value for r in actor.roles}, set(actor.groups)


def test_sign_in_maps_groups_and_a_removed_group_is_gone_after_the_next_sign_in(page, site):
    site.provider.set_account("anna", **ANNA, groups=["sote-tuottajat-lapsiperheet"])

    _sign_in_at_provider(page, site, "anna")

    expect(page.get_by_role("heading", name="Tehtävät", level=1)).to_be_visible()
    expect(page.get_by_text("Palveluntuottajan pääkäyttäjä")).to_be_visible()
    assert _access(site, "anna.virtanen") == (
        {"producer_admin"},
        {"lapsiperheiden_avopalvelut"},
    )

    site.provider.set_account("anna", **ANNA, groups=["sote-sosiaalityo"])
    page.get_by_role("button", name="Kirjaudu ulos").click()
    # RP-initiated logout: the provider asks to confirm, then sends the browser back to us.
    expect(page).to_have_url(re.compile(re.escape(site.provider.issuer)))
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page).to_have_url(re.compile(re.escape(f"{site.url}/login") + r"(\?|$)"))

    # The provider's session ended too: it asks for the account again.
    _sign_in_at_provider(page, site, "anna")
    expect(page.get_by_role("heading", name="Tehtävät", level=1)).to_be_visible()
    assert _access(site, "anna.virtanen") == ({"social_worker"}, {"sosiaalityontekijat"})


def test_a_disabled_user_is_refused_with_a_finnish_message(page, site, clock):
    site.provider.set_account("anna", **ANNA, groups=["sote-sosiaalityo"])
    with site.app.app_context(), unit_of_work() as uow:
        claims = {**ANNA, "sub": "anna", "groups": []}  # the provider's subject is the account id
        actor, _token = sign_in_with_claims(
            uow, clock, site.provider.issuer, claims, ClaimMap.from_json(CLAIM_MAP), "127.0.0.1"
        )
    with site.app.app_context(), unit_of_work() as uow:
        user = uow.users.get(actor.user_id)
        user.active, user.disabled_at = False, clock()
        uow.commit()

    _sign_in_at_provider(page, site, "anna")

    expect(page).to_have_url(re.compile(re.escape(f"{site.url}/login/sso/callback")))
    expect(page.get_by_role("alert")).to_have_text(
        "Käyttäjätunnuksesi on poistettu käytöstä. Ota yhteyttä pääkäyttäjään."
    )
    expect(page.get_by_role("button", name="Kirjaudu ulos")).to_have_count(0)


def test_with_local_login_switched_off_only_single_sign_on_remains(page, site, clock):
    with site.app.app_context(), unit_of_work() as uow:
        admin = actor_for_user_id(uow, uow.users.by_username("paavo").id)
        set_local_login(admin, uow, clock, False)

    page.goto(f"{site.url}/login")

    expect(page.get_by_role("link", name="Kirjaudu organisaation tunnuksella")).to_be_visible()
    expect(page.locator("input[type=password]")).to_have_count(0)
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    refused = page.request.post(
        f"{site.url}/login",
        form={"username": "paavo", "password": "salasana-123", "csrf_token": token or ""},
        max_redirects=0,
    )
    assert refused.status == 403
    assert "Kirjautuminen salasanalla on poistettu käytöstä" in refused.text()


def test_a_forged_or_replayed_callback_gets_a_finnish_message_not_a_stack_trace(page, site):
    page.goto(f"{site.url}/login/sso/callback?code=keksitty&state=vanha")

    expect(page.get_by_role("alert")).to_have_text(
        "Kirjautuminen organisaation tunnuksella epäonnistui. Yritä uudelleen."
    )
    expect(page.get_by_role("button", name="Kirjaudu ulos")).to_have_count(0)
