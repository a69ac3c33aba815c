"""A diagram's own text (task names, instructions, form labels, options) follows the chosen
language, from the diagram's translation sidecar; Finnish stays as the diagram has it."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sote_flow.web.deps import unit_of_work
from tests.support.orders import ORDER, make_order_people
from tests.web.conftest import csrf_token, login


@pytest.fixture
def people(app: Flask, clock):
    with app.app_context():
        return make_order_people(app.extensions["sote_flow.platform"], unit_of_work, clock)


def _choose(client: FlaskClient, locale: str) -> None:
    token = csrf_token(client, "/")
    client.post("/language", data={"locale": locale, "next": "/", "csrf_token": token})


def _take_task(client: FlaskClient) -> str:
    login(client, "sofia")
    token = csrf_token(client, "/processes/service_order/start")
    response = client.post("/processes/service_order/start", data={**ORDER, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "aino")
    inbox = client.get("/").get_data(as_text=True)
    match = re.search(r'href="/tasks/([0-9a-f-]+)"', inbox)
    assert match, inbox
    return match.group(1)


def test_start_form_is_shown_in_swedish_and_english(client, people):
    login(client, "sofia")
    finnish = client.get("/processes/service_order/start").get_data(as_text=True)
    assert "<h1>Palvelutilaus</h1>" in finnish and "Asuinkunta" in finnish
    _choose(client, "sv")
    swedish = client.get("/processes/service_order/start").get_data(as_text=True)
    assert "Servicebeställning" in swedish
    assert "Hemkommun" in swedish and "Asuinkunta" not in swedish
    assert "Psykosocial hemrehabilitering" in swedish  # an option title
    assert 'value="psykososiaalinen_kotikuntoutus"' in swedish  # its value stays
    assert "Skriv inte namn eller personbeteckning" in swedish  # ui:help
    _choose(client, "en")
    english = client.get("/processes/service_order/start").get_data(as_text=True)
    assert "Service order" in english and "Municipality of residence" in english
    listing = client.get("/processes/").get_data(as_text=True)
    assert "Service order" in listing


def test_task_page_and_inbox_follow_the_language(client, people):
    task_id = _take_task(client)
    finnish = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "<h1>Ota tilaus käsittelyyn</h1>" in finnish
    assert "Tarkista tilauksen tiedot ja ota tilaus käsittelyyn." in finnish
    _choose(client, "sv")
    swedish = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "<h1>Ta emot beställningen för behandling</h1>" in swedish
    assert "Kontrollera beställningens uppgifter" in swedish  # the instructions
    assert "Psykosocial hemrehabilitering" in swedish  # the case data's value
    assert "Ta emot beställningen för behandling" in client.get("/").get_data(as_text=True)
    _choose(client, "en")
    english = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "<h1>Take up the order</h1>" in english
    assert "Check the order&#39;s details" in english
    assert "Municipality of residence" in english  # a case data label
