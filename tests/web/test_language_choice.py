"""A signed-in user's choice of language is remembered on their account: the next sign-in, from
any browser, starts in it (and their mails are written in it)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from sote_flow.web.deps import unit_of_work
from tests.web.conftest import csrf_token, login, logout


def _choose(client: FlaskClient, locale: str) -> None:
    token = csrf_token(client, "/login")
    client.post("/language", data={"locale": locale, "next": "/", "csrf_token": token})


def _page_language(client: FlaskClient) -> str:
    page = client.get("/").get_data(as_text=True)
    return page.split('<html lang="', 1)[1].split('"', 1)[0]


def _stored(app: Flask, username: str) -> str | None:
    with app.app_context(), unit_of_work() as uow:
        user = uow.users.by_username(username)
        assert user is not None
        return user.locale


def test_choosing_swedish_is_remembered_and_a_new_sign_in_restores_it(app: Flask, client):
    login(client, "sanna")
    assert _page_language(client) == "fi"
    _choose(client, "sv")
    assert _page_language(client) == "sv"
    assert _stored(app, "sanna") == "sv"
    logout(client)

    other_browser = app.test_client()
    login(other_browser, "sanna")
    assert _page_language(other_browser) == "sv"


def test_a_choice_before_signing_in_is_not_stored_and_lasts_the_session(app: Flask, client):
    _choose(client, "en")  # on the sign-in page
    assert _stored(app, "sanna") is None
    login(client, "sanna")
    assert _page_language(client) == "en"  # nothing remembered: the page's choice stands
    assert _stored(app, "sanna") is None


def test_an_unknown_language_is_ignored(app: Flask, client):
    login(client, "sanna")
    _choose(client, "de")
    assert _page_language(client) == "fi"
    assert _stored(app, "sanna") is None
