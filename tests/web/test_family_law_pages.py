"""Family law's public form and the officers' pages over HTTP."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from sote_flow.family_law.models import Party
from sote_flow.persistence.models import AccessLogEntry, ProcessInstance
from sote_flow.web.deps import unit_of_work
from tests.support.factories import PROCESSES, deploy, make_actor, make_groups
from tests.support.family_law import agree, make_family_people
from tests.web.conftest import csrf_token, login

HETU = "131052-308T"
FORM = {
    "matters": ["huolto", "tapaamisoikeus"],
    "child_birth_year": "2019",
    "parents_willing": "molemmat",
    "meeting_preference": "eta",
    "municipality": "Sodankylä",
    "email_1": "yksi@example.test",
    "phone_1": "",
    "email_2": "",
    "phone_2": "",
}


@pytest.fixture
def family_app(app: Flask, clock) -> Flask:
    with app.app_context():
        make_groups(unit_of_work, "lastenvalvojat")
        deploy(app.extensions["sote_flow.platform"], unit_of_work, clock,
               PROCESSES / "family_law.bpmn")  # fmt: skip
        make_actor(unit_of_work, clock, "laura", ["child_welfare_officer"], ["lastenvalvojat"])
        make_actor(unit_of_work, clock, "pekka", ["family_worker"])
    return app


def _count(app: Flask, model) -> int:
    with app.app_context(), unit_of_work() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


def _party(email: str, token: str) -> dict[str, str]:
    return {"email": email, "phone": "", "csrf_token": token}


def _send(client: FlaskClient, **changes):
    token = csrf_token(client, "/perheasiat/")
    return client.post("/perheasiat/", data={**FORM, **changes, "csrf_token": token})


def test_a_parent_sends_the_form_and_gets_a_reference(family_app):
    client = family_app.test_client()
    page = client.get("/perheasiat/")
    assert page.status_code == 200 and page.headers["X-Robots-Tag"] == "noindex"
    sent = _send(client)
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/perheasiat/kiitos")
    receipt = client.get("/perheasiat/kiitos").get_data(as_text=True)
    assert "PO-2026-000001" in receipt
    assert client.get("/perheasiat/kiitos").status_code == 302  # shown once


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"matters": []}, "matters", "Valitse, mitä asia koskee"),
        ({"matters": ["huolto", "perinto"]}, "matters", "Valitse, mitä asia koskee"),
        ({"child_birth_year": HETU}, "child_birth_year", "henkilötunnusta"),
        ({"child_birth_year": "1990"}, "child_birth_year", "alaikäisiä"),
        ({"child_birth_year": "20x8"}, "child_birth_year", "neljänä numerona"),
        ({"municipality": "Helsinki"}, "municipality", "luettelosta"),
        ({"parents_willing": "ehka"}, "parents_willing", "valmiita sopimaan"),
        ({"meeting_preference": "puhelin"}, "meeting_preference", "etä- tai lähitapaaminen"),
        ({"email_1": ""}, "email_1", "sähköpostilla"),
        ({"email_1": "ei-osoite"}, "email_1", "nimi@esimerkki.fi"),
        ({"email_2": f"{HETU}@example.test"}, "email_2", "henkilötunnusta"),
        ({"phone_2": "soita illalla"}, "phone_2", "numeroina"),
    ],
)
def test_the_public_form_refuses_bad_input_by_field_and_starts_nothing(
    family_app, changes, field, message
):
    client = family_app.test_client()
    refused = _send(client, **changes)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert f'id="{field}-error"' in html and message in html
    assert HETU not in html.replace(f'value="{HETU}', "")  # echoed only into its own field
    assert _count(family_app, ProcessInstance) == 0 and _count(family_app, Party) == 0


def test_the_public_form_is_limited_per_address_and_needs_its_csrf_token(family_app):
    client = family_app.test_client()
    overlong = _send(client, email_1="a" * 5000 + "@example.test")
    assert overlong.status_code == 422  # refused input does not count against the limit
    for _ in range(5):
        assert _send(client).status_code == 302
    limited = _send(client)
    assert limited.status_code == 429 and "10 minuutin" in limited.get_data(as_text=True)
    stale = client.post("/perheasiat/", data=FORM)
    assert stale.status_code == 400 and "Lomakkeen istunto vanheni" in stale.get_data(as_text=True)
    assert _count(family_app, ProcessInstance) == 5


def test_an_officer_records_a_phone_matter_and_corrects_a_parents_address(family_app):
    client = family_app.test_client()
    login(client, "laura")
    token = csrf_token(client, "/family-law/new")
    phone = {**FORM, "email_1": "", "phone_1": "040 111 2222", "csrf_token": token}
    recorded = client.post("/family-law/new", data=phone)
    assert recorded.status_code == 302
    page = client.get(recorded.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "040 111 2222" in html and "Puhelin" in html
    with family_app.app_context(), unit_of_work() as uow:
        reads = uow.session.scalars(
            select(AccessLogEntry.object_type).where(AccessLogEntry.username == "laura")
        ).all()
    assert "family_law" in reads  # reading the matter is logged

    bad = client.post(
        "/family-law/1/parents/2", data={"email": HETU, "phone": "", "csrf_token": token}
    )
    assert bad.status_code == 422 and "henkilötunnusta" in bad.get_data(as_text=True)
    good = client.post("/family-law/1/parents/2", data=_party("kaksi@example.test", token))
    assert good.status_code == 302
    assert "kaksi@example.test" in client.get("/family-law/1").get_data(as_text=True)


def test_others_may_not_read_or_change_a_matter(family_app):
    _send(family_app.test_client())
    worker = family_app.test_client()
    login(worker, "pekka")
    assert worker.get("/family-law/1").status_code == 403
    token = csrf_token(worker, "/")
    changed = worker.post("/family-law/1/parents/1", data=_party("x@example.test", token))
    assert changed.status_code == 403
    auditor = family_app.test_client()
    login(auditor, "tarja")
    token = csrf_token(auditor, "/")
    assert auditor.post("/family-law/new", data={**FORM, "csrf_token": token}).status_code == 403
    assert _count(family_app, ProcessInstance) == 1


def test_the_matter_page_shows_meetings_links_and_the_agreements_downloads(app, clock):
    with app.app_context():
        platform = app.extensions["sote_flow.platform"]
        people = make_family_people(platform, unit_of_work, clock)
        instance_id = agree(platform, unit_of_work, clock, people)
    client = app.test_client()
    login(client, "laura")
    html = client.get(f"/family-law/{instance_id}").get_data(as_text=True)
    assert "Avaa videotapaaminen" in html and "etatapaaminen.example.fi/t/" in html
    assert "/calendar/entries/" in html and "Kutsu lähetetty" in html
    assert html.count("Vahvistettu sopimus PO-2026-") == 2  # one link per parent
    assert "Vanhempi 1" in html and "Vanhempi 2" in html
