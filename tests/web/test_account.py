"""The account page (password change, API tokens), API sign-out and Finnish API messages."""

from __future__ import annotations

from sqlalchemy import select

from sote_flow.persistence.models import HistoryEntry
from sote_flow.web.deps import unit_of_work
from tests.support.factories import PASSWORD
from tests.web.conftest import api_token, csrf_token, login

NEW = "uusi-salasana-42"


def _actions(app) -> list[str]:
    """The history's actions after the fixture's deployment."""
    query = select(HistoryEntry.action).where(HistoryEntry.action != "process_deployed")
    with app.app_context(), unit_of_work() as uow:
        return list(uow.session.scalars(query.order_by(HistoryEntry.id)))


def _change(client, current=PASSWORD, new=NEW, again=NEW):
    return client.post(
        "/account/password",
        data={
            "csrf_token": csrf_token(client, "/account"),
            "current_password": current,
            "new_password": new,
            "new_password_again": again,
        },
    )


def test_account_page_lists_live_tokens(client):
    api_token(client, "sanna")
    login(client, "sanna")
    page = client.get("/account").get_data(as_text=True)
    assert 'href="/account"' in page  # "Oma tili" in the menu
    assert "Vaihda salasana" in page and "#1" in page
    assert 'name="token_id" value="1"' in page


def test_password_change_shows_errors_next_to_the_fields(client):
    login(client, "sanna")
    response = _change(client, current="väärä-salasana", new="lyhyt", again="lyhyt")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="current_password-error">Nykyinen salasana on väärä.' in page
    assert 'id="new_password-error">Salasanassa on oltava vähintään 12 merkkiä.' in page
    assert 'aria-describedby="current_password-error"' in page
    mismatch = _change(client, again=NEW + "x").get_data(as_text=True)
    assert 'id="new_password_again-error">Salasanat eivät ole samat.' in mismatch


def test_password_change_signs_out_everywhere_else(app, client):
    other = app.test_client()
    login(other, "sanna")
    headers = api_token(client, "sanna")
    login(client, "sanna")

    response = _change(client)
    assert response.status_code == 302 and response.location == "/account"
    assert "Salasana vaihdettu" in client.get("/account").get_data(as_text=True)

    assert client.get("/").status_code == 200  # this session goes on
    assert other.get("/").status_code == 302  # the other one ended: back to the login page
    refused = client.get("/api/v1/tasks", headers=headers)
    assert refused.status_code == 401 and "peruttu" in refused.get_json()["message"]
    fresh = client.post("/api/v1/auth/token", json={"username": "sanna", "password": NEW})
    assert fresh.status_code == 201
    assert _actions(app) == ["api_token_revoked", "password_changed"]


def test_token_revoked_on_the_page_stops_working(app, client):
    headers = api_token(client, "sanna")
    assert client.get("/api/v1/tasks", headers=headers).status_code == 200
    login(client, "sanna")
    token = csrf_token(client, "/account")
    response = client.post("/account/tokens/revoke", data={"csrf_token": token, "token_id": "1"})
    assert response.status_code == 302
    assert client.get("/api/v1/tasks", headers=headers).status_code == 401
    assert "voimassa olevia API-tunnisteita" in client.get("/account").get_data(as_text=True)
    again = client.post("/account/tokens/revoke", data={"csrf_token": token, "token_id": "1"})
    assert again.status_code == 404
    assert _actions(app) == ["api_token_revoked"]


def test_someone_elses_token_cannot_be_revoked(client):
    headers = api_token(client, "tuomas")
    login(client, "sanna")
    token = csrf_token(client, "/account")
    response = client.post("/account/tokens/revoke", data={"csrf_token": token, "token_id": "1"})
    assert response.status_code == 404
    assert client.get("/api/v1/tasks", headers=headers).status_code == 200


def test_an_auditor_keeps_their_own_password_like_anyone(client):
    api_token(client, "tarja")
    login(client, "tarja")
    page = client.get("/account").get_data(as_text=True)
    assert 'name="new_password"' in page and "#1" in page
    assert _change(client).status_code == 302


def test_api_sign_out_revokes_the_token_in_use(app, client):
    headers = api_token(client, "sanna")
    other = api_token(client, "sanna")
    response = client.delete("/api/v1/auth/token", headers=headers)
    assert response.status_code == 204 and response.get_data() == b""
    refused = client.get("/api/v1/tasks", headers=headers)
    assert refused.status_code == 401
    assert refused.get_json()["message"].startswith("Tunniste puuttuu")
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 401
    assert client.get("/api/v1/tasks", headers=other).status_code == 200  # only that one
    assert _actions(app) == ["api_token_revoked"]
    document = client.get("/api/v1/openapi.json").get_json()
    assert "204" in document["paths"]["/auth/token"]["delete"]["responses"]


def _errors(response) -> dict[str, str]:
    assert response.status_code == 422, response.get_json()
    return {e["field"]: e["message"] for e in response.get_json()["errors"]}


def test_api_validation_messages_are_finnish(client):
    headers = api_token(client, "sanna")
    post = client.post
    assert _errors(post("/api/v1/process-instances", headers=headers, json={})) == {
        "process_key": "Kenttä on pakollinen."
    }
    body = {"process_key": 5, "data": [], "extra": 1}
    assert _errors(post("/api/v1/process-instances", headers=headers, json=body)) == {
        "process_key": "Arvon on oltava merkkijono.",
        "data": "Arvon on oltava JSON-olio.",
        "extra": "Tuntematon kenttä.",
    }
    body = {"name": None, "instance_id": "yksi"}
    assert _errors(post("/api/v1/messages", headers=headers, json=body)) == {
        "name": "Kenttä ei voi olla tyhjä (null).",
        "instance_id": "Arvon on oltava kokonaisluku.",
    }
    body = {"name": "x" * 256, "instance_id": 2**40}
    assert _errors(post("/api/v1/messages", headers=headers, json=body)) == {
        "name": "Enintään 255 merkkiä.",
        "instance_id": "Anna positiivinen kokonaisluku.",
    }
    token = post("/api/v1/auth/token", json={"username": ["sanna"]})
    assert _errors(token) == {
        "username": "Arvon on oltava merkkijono.",
        "password": "Kenttä on pakollinen.",
    }


def test_text_no_database_can_store_is_refused(client):
    headers = {**api_token(client, "sanna"), "Content-Type": "application/json"}
    for text in (r"\u0000", r"\ud800"):
        body = '{"process_key": "approval", "data": {"client_number": "X"}}'.replace("X", text)
        response = client.post("/api/v1/process-instances", headers=headers, data=body)
        assert _errors(response) == {"body": "Lähetä JSON-olio."}, text
    assert client.get("/api/v1/process-instances/2147483648", headers=headers).status_code == 404
