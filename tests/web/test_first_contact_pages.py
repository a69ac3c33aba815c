"""First contact's public pages (form, receipt, chat) and the staff's contact pages over HTTP."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from sote_flow.first_contact.models import ChatMessage, ContactDetails
from sote_flow.first_contact.public import TOPICS
from sote_flow.first_contact.web.labels import TOPIC_LABELS
from sote_flow.persistence.models import AccessLogEntry, ProcessInstance
from sote_flow.web.deps import unit_of_work
from tests.support.factories import PROCESSES, deploy, make_actor, make_groups
from tests.web.conftest import csrf_token, login

HETU = "131052-308T"
SCRIPT = "<script>alert('x')</script>"
FORM = {
    "topic": "arki",
    "description": "Arki ei suju, tarvitsemme apua.",
    "callback_phone": "040 765 4321",
    "email": "",
    "preferred_time": "iltapäivisin",
}


@pytest.fixture
def contact_app(app: Flask, clock) -> Flask:
    with app.app_context():
        make_groups(unit_of_work, "asiakasneuvonta", "erityistyontekijat", "perhetyontekijat",
                    "lastenvalvojat", "lapsiperheiden_avopalvelut")  # fmt: skip
        deploy(app.extensions["sote_flow.platform"], unit_of_work, clock,
               PROCESSES / "first_contact.bpmn")  # fmt: skip
        make_actor(unit_of_work, clock, "aada", ["client_advisor"], ["asiakasneuvonta"])
    return app


@pytest.fixture
def public_client(contact_app: Flask) -> FlaskClient:
    return contact_app.test_client()


def _count(app: Flask, model) -> int:
    with app.app_context(), unit_of_work() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


def _send_form(client: FlaskClient, **changes: str):
    token = csrf_token(client, "/yhteydenotto/")
    return client.post("/yhteydenotto/", data={**FORM, **changes, "csrf_token": token})


def _open_chat(client: FlaskClient, message: str) -> str:
    token = csrf_token(client, "/yhteydenotto/chat")
    response = client.post(
        "/yhteydenotto/chat", data={"topic": "muu", "description": message, "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return urlsplit(response.headers["Location"]).path


def _instance_id(app: Flask) -> int:
    with app.app_context(), unit_of_work() as uow:
        return int(uow.session.scalar(select(func.max(ContactDetails.instance_id))) or 0)


def test_the_form_page_is_public_and_has_no_staff_menu(public_client):
    page = public_client.get("/yhteydenotto/").get_data(as_text=True)
    assert '<label for="description">' in page and 'name="csrf_token"' in page
    assert "Kirjaudu ulos" not in page and "Päävalikko" not in page
    assert 'id="locale"' in page  # the language can still be chosen
    assert public_client.get("/contacts/").status_code == 302  # the staff side needs sign-in


def test_a_sent_form_shows_its_reference_on_the_receipt(contact_app, public_client):
    response = _send_form(public_client)
    assert response.status_code == 302 and response.headers["Location"] == "/yhteydenotto/kiitos"
    receipt = public_client.get("/yhteydenotto/kiitos").get_data(as_text=True)
    with contact_app.app_context(), unit_of_work() as uow:
        (details,) = uow.session.scalars(select(ContactDetails)).all()
        case_number = uow.cases.get(details.instance_id).case_number
    assert details.channel == "form" and details.callback_phone == "040 765 4321"
    assert f'<span class="reference" id="reference">{case_number}</span>' in receipt
    # The receipt is shown once; a reload goes back to the form.
    assert public_client.get("/yhteydenotto/kiitos").status_code == 302


def test_a_form_without_its_csrf_token_is_refused_and_nothing_stored(contact_app, public_client):
    response = public_client.post("/yhteydenotto/", data=FORM)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Lomakkeen istunto vanheni" in page
    assert "Kirjaudu ulos" not in page
    assert _count(contact_app, ContactDetails) == 0 and _count(contact_app, ProcessInstance) == 0


def test_too_many_forms_from_one_address_get_a_finnish_429(contact_app, public_client):
    limit = contact_app.extensions["sote_flow.platform"].settings.public_form_limit
    for _ in range(limit):
        assert _send_form(public_client).status_code == 302
    response = _send_form(public_client)
    page = response.get_data(as_text=True)
    assert response.status_code == 429 and "Yritä uudelleen 10 minuutin kuluttua" in page
    assert _count(contact_app, ContactDetails) == limit
    other = contact_app.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.9"
    assert _send_form(other).status_code == 302


def test_a_hetu_is_refused_next_to_its_field(contact_app, public_client):
    response = _send_form(public_client, description=f"Tunnukseni on {HETU}.")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'<p class="error" id="description-error">Älä kirjoita henkilötunnusta', page)
    textarea = re.search(r"<textarea id=\"description\"[^>]*>", page)
    assert textarea and 'aria-invalid="true"' in textarea.group(0)
    assert 'aria-describedby="description-help description-error"' in textarea.group(0)
    assert f"Tunnukseni on {HETU}." in page  # what was typed stays for correcting
    assert _count(contact_app, ContactDetails) == 0


def test_a_missing_way_to_reach_is_shown_at_the_phone_field(contact_app, public_client):
    response = _send_form(public_client, callback_phone="")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="callback_phone-error"' in page
    assert '<a href="#callback_phone">' in page  # the summary links to the field


def test_the_chat_thread_shows_a_script_as_text_and_polls(contact_app, public_client):
    path = _open_chat(public_client, f"Hei {SCRIPT}")
    page = public_client.get(path).get_data(as_text=True)
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page and SCRIPT not in page
    assert f'hx-get="{path}/viestit?after=' in page and 'hx-trigger="every 3s"' in page
    response = public_client.get(path)
    assert response.headers["Cache-Control"] == "no-store"
    last = int(re.search(r"viestit\?after=(\d+)", page).group(1))
    assert public_client.get(f"{path}/viestit?after={last}").status_code == 204
    token = csrf_token(public_client, path)
    chat_token = path.rsplit("/", 1)[1]
    form = {"token": chat_token, "body": "Toinen viesti", "csrf_token": token}
    posted = public_client.post("/yhteydenotto/viesti", data=form)
    assert posted.status_code == 302
    fresh = public_client.get(f"{path}/viestit?after={last}")
    assert fresh.status_code == 200 and "Toinen viesti" in fresh.get_data(as_text=True)
    assert _count(contact_app, ChatMessage) == 2
    assert public_client.get("/yhteydenotto/chat/tuntematon").status_code == 404


def test_the_staff_page_shows_the_script_as_text_and_logs_the_read(contact_app, client):
    public_client = contact_app.test_client()
    path = _open_chat(public_client, f"Viesti {SCRIPT}")
    instance_id = _instance_id(contact_app)
    login(client, "aada")
    listing = client.get("/contacts/").get_data(as_text=True)
    assert f'href="/contacts/{instance_id}"' in listing and ">Yhteydenotot</a>" in listing
    response = client.get(f"/contacts/{instance_id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and SCRIPT not in page
    assert "Viesti &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert re.search(r'href="/tasks/[0-9a-f-]+">Arvioi yhteydenotto</a>', page)
    with contact_app.app_context(), unit_of_work() as uow:
        logged = uow.session.scalars(select(AccessLogEntry)).all()
    assert [(e.username, e.instance_id) for e in logged] == [("aada", instance_id)]

    token = csrf_token(client, f"/contacts/{instance_id}")
    answer = {"body": f"Vastaus {SCRIPT}", "csrf_token": token}
    assert client.post(f"/contacts/{instance_id}/messages", data=answer).status_code == 302
    thread = public_client.get(path).get_data(as_text=True)
    assert "Vastaus &lt;script&gt;" in thread and SCRIPT not in thread
    assert "<strong>aada</strong>" in thread


def test_a_staff_answer_is_checked(contact_app, client):
    _open_chat(contact_app.test_client(), "Kysymys")
    instance_id = _instance_id(contact_app)
    login(client, "aada")
    token = csrf_token(client, f"/contacts/{instance_id}")
    response = client.post(
        f"/contacts/{instance_id}/messages", data={"body": HETU, "csrf_token": token}
    )
    assert response.status_code == 422 and 'id="body-error"' in response.get_data(as_text=True)
    assert _count(contact_app, ChatMessage) == 1


def test_the_auditor_reads_but_gets_403_on_every_post(contact_app, client):
    _open_chat(contact_app.test_client(), "Kysymys")
    instance_id = _instance_id(contact_app)
    login(client, "tarja")
    assert client.get("/contacts/").status_code == 200
    page = client.get(f"/contacts/{instance_id}").get_data(as_text=True)
    assert 'action="/contacts/' not in page  # no reply form for a reader
    token = csrf_token(client, "/contacts/")
    response = client.post(
        f"/contacts/{instance_id}/messages", data={"body": "Hei", "csrf_token": token}
    )
    assert response.status_code == 403
    # Signed in, a reader sends nothing through the public pages either.
    for path, form in (("/yhteydenotto/", FORM), ("/yhteydenotto/chat", FORM),
                       ("/yhteydenotto/viesti", {"token": "x", "body": "Hei"})):  # fmt: skip
        assert client.post(path, data={**form, "csrf_token": token}).status_code == 403
    assert _count(contact_app, ChatMessage) == 1 and _count(contact_app, ContactDetails) == 1


def test_an_outsider_may_not_open_a_contact(contact_app, client):
    _open_chat(contact_app.test_client(), "Kysymys")
    instance_id = _instance_id(contact_app)
    login(client, "sanna")  # a social worker outside the advisory group
    assert client.get(f"/contacts/{instance_id}").status_code == 403
    assert client.get(f"/contacts/{instance_id}/messages?after=0").status_code == 403
    assert instance_id not in [int(i) for i in re.findall(
        r'href="/contacts/(\d+)"', client.get("/contacts/").get_data(as_text=True))]  # fmt: skip


def test_the_pages_offer_the_start_forms_topics_with_its_titles():
    schema = json.loads((PROCESSES / "first_contact-start.json").read_text(encoding="utf-8"))
    topics = {o["const"]: o["title"] for o in schema["properties"]["topic"]["oneOf"]}
    assert list(topics) == list(TOPICS)
    assert {key: str(label) for key, label in TOPIC_LABELS.items()} == topics


def test_changing_the_language_in_a_chat_returns_to_the_chat(public_client):
    chat = _open_chat(public_client, "Tarvitsen apua arkeen.")
    page = public_client.get(chat).get_data(as_text=True)
    assert f'<input type="hidden" name="next" value="{chat}">' in page
    front = public_client.get("/yhteydenotto/").get_data(as_text=True)
    assert '<input type="hidden" name="next" value="/yhteydenotto/?">' in front
