"""Without single sign-on (the demo) the password form stays, whatever the local-login setting."""

from __future__ import annotations

from sote_flow.services.accounts import actor_for_user_id
from sote_flow.services.system_settings import set_local_login
from sote_flow.web.deps import unit_of_work
from tests.web.conftest import login


def test_without_an_issuer_local_login_cannot_be_switched_off(app, client, clock):
    with app.app_context(), unit_of_work() as uow:
        admin = actor_for_user_id(uow, uow.users.by_username("paavo").id)
        set_local_login(admin, uow, clock, False)

    page = client.get("/login").get_data(as_text=True)

    assert 'name="password"' in page
    assert "Kirjaudu organisaation tunnuksella" not in page
    login(client, "sanna")


def test_single_sign_on_routes_are_absent_without_an_issuer(client):
    assert client.get("/login/sso").status_code == 404
    assert client.get("/login/sso/callback?code=x&state=y").status_code == 404
