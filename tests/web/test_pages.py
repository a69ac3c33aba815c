"""The HTML pages: login, inbox, start form, task form with field errors, instance page."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from sote_flow.persistence.models import AccessLogEntry, HistoryEntry
from sote_flow.web.deps import unit_of_work
from tests.support.factories import PASSWORD
from tests.web.conftest import api_token, csrf_token, login


def _start_request(client, **overrides):
    token = csrf_token(client, "/processes/approval/start")
    form = {"client_number": "1234567", "amount": "3", "reason": "Tarve", "csrf_token": token}
    form.update(overrides)
    return client.post("/processes/approval/start", data=form)


def test_pages_need_login(client):
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_wrong_password_shows_finnish_error(client):
    token = csrf_token(client, "/login")
    response = client.post(
        "/login", data={"username": "sanna", "password": "x", "csrf_token": token}
    )
    assert response.status_code == 401
    assert "Väärä käyttäjätunnus tai salasana" in response.get_data(as_text=True)


def test_post_without_csrf_token_is_refused(client):
    login(client, "sanna")
    response = client.post("/processes/approval/start", data={"client_number": "1234567"})
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)


def test_start_claim_and_complete_through_the_pages(client):
    login(client, "sanna")
    started = _start_request(client)
    assert started.status_code == 302
    instance_path = started.headers["Location"]
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})

    login(client, "tuomas")
    inbox = client.get("/").get_data(as_text=True)
    assert "Ryhmän tehtävät" in inbox and "Käsittele hakemus" in inbox
    task_id = re.search(r"/tasks/([0-9a-f-]{36})/claim", inbox).group(1)
    claimed = client.post(f"/tasks/{task_id}/claim", data={"csrf_token": csrf_token(client, "/")})
    assert claimed.status_code == 302
    assert "Käsittele hakemus" in client.get("/").get_data(as_text=True).split("Ryhmän tehtävät")[0]

    form_page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'for="decision' in form_page
    token = csrf_token(client, f"/tasks/{task_id}")
    refused = client.post(f"/tasks/{task_id}", data={"csrf_token": token})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'id="decision-error"' in page and "Pakollinen" in page

    done = client.post(f"/tasks/{task_id}", data={"csrf_token": token, "decision": "approve"})
    assert done.status_code == 302
    instance_page = client.get(instance_path).get_data(as_text=True)
    assert "Päättynyt" in instance_page
    assert "tuomas" in instance_page and "Tehtävä tehty" in instance_page


def test_identity_code_in_start_form_is_refused_next_to_the_field(client):
    login(client, "sanna")
    response = _start_request(client, reason="soitti 131052-308T")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="reason-error"' in page and "henkilötunnuksen" in page


def test_language_can_be_switched_to_swedish(client):
    login(client, "sanna")
    token = csrf_token(client, "/")
    client.post("/language", data={"locale": "sv", "next": "/", "csrf_token": token})
    page = client.get("/").get_data(as_text=True)
    assert 'lang="sv"' in page
    assert "Mina uppgifter" in page


def test_unknown_page_is_a_friendly_404(client):
    login(client, "sanna")
    response = client.get("/instances/999999")
    assert response.status_code == 404
    assert "Traceback" not in response.get_data(as_text=True)


def test_problems_page_is_for_administrators_only(client):
    login(client, "sanna")
    assert client.get("/admin/problems").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "paavo")
    page = client.get("/admin/problems").get_data(as_text=True)
    assert "Virhetilassa olevat prosessit" in page and "Ei virheitä." in page


def test_overdue_task_is_marked_in_the_queue_in_text(client, app, clock):
    from datetime import timedelta

    from tests.support.paths import PROCESSES

    with app.app_context():
        from sote_flow.web.deps import unit_of_work
        from tests.support.factories import deploy, make_actor, make_groups

        make_groups(unit_of_work, "sosiaalityontekijat", "lapsiperheiden_avopalvelut")
        deploy(
            app.extensions["sote_flow.platform"],
            unit_of_work,
            clock,
            PROCESSES / "service_order.bpmn",
        )
        make_actor(unit_of_work, clock, "sari", ["social_worker"], ["sosiaalityontekijat"])
        make_actor(unit_of_work, clock, "aino", ["producer_admin"], ["lapsiperheiden_avopalvelut"])
    login(client, "sari")
    token = csrf_token(client, "/processes/service_order/start")
    response = client.post(
        "/processes/service_order/start",
        data={
            "csrf_token": token,
            "client_number": "1234567",
            "municipality": "Kotka",
            "urgency": "kiireellinen",
            "law": "sosiaalihuoltolaki",
            "service": "perhetyo",
            "producer_group": "lapsiperheiden_avopalvelut",
            "needs": ["arjen_hallinta"],
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "aino")
    assert "myöhässä" not in client.get("/").get_data(as_text=True)
    clock.advance(timedelta(hours=9))
    login(client, "aino")  # nine idle hours end a session: she signs in again
    assert "myöhässä" in client.get("/").get_data(as_text=True)


def test_case_list_shows_own_cases_and_everything_to_auditors(client):
    login(client, "sanna")
    assert _start_request(client).status_code == 302
    own = client.get("/instances/").get_data(as_text=True)
    assert "Hyväksyntä #1" in own
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "tuomas")
    assert "Hyväksyntä #1" not in client.get("/instances/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "tarja")
    assert "Hyväksyntä #1" in client.get("/instances/?status=running").get_data(as_text=True)
    assert "Hyväksyntä #1" not in client.get("/instances/?status=completed").get_data(as_text=True)


# Routes an auditor may post to: they change only the auditor's own session or token.
# One's own sign-in and credentials: open to read-only roles too.
SESSION_ROUTES = {
    "auth.login", "auth.logout", "auth.choose_language", "api.issue_token",
    "account.password", "account.revoke_token",
}  # fmt: skip
API_BODIES = {
    "api.start_instance": {"process_key": "approval", "data": {}},
    "api.complete_task": {"data": {"decision": "approve"}},
    "api.send_message": {"name": "vastaus_saapui"},
}


def test_auditor_gets_403_on_every_write_route(client, app):
    """Walk every POST route of the app with real ids: as an auditor each one answers 403."""
    from tests.web.conftest import api_token
    from tests.web.test_api import _deploy_approval

    login(client, "sanna")
    assert _start_request(client).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    headers = api_token(client, "tarja")
    task_id = client.get(
        "/api/v1/tasks?scope=group", headers=api_token(client, "tuomas")
    ).get_json()["tasks"][0]["id"]
    login(client, "tarja")
    token = csrf_token(client, "/")
    ids = {
        "task_id": task_id, "instance_id": 1, "mail_id": 1, "key": "approval",
        "entry_id": 1, "slot_id": 1, "pattern_id": 1, "token": "x", "parent": 1,
        "distance_id": 1, "event_type": "puhelu", "username": "x", "name": "x",
    }  # fmt: skip
    write_rules = [
        rule
        for rule in app.url_map.iter_rules()
        if "POST" in (rule.methods or set()) and rule.endpoint not in SESSION_ROUTES
    ]
    assert len(write_rules) >= 12
    for rule in write_rules:
        path = rule.build({arg: ids[arg] for arg in rule.arguments}, append_unknown=False)[1]
        if rule.endpoint == "api.deploy_definition":
            response = _deploy_approval(client, headers)
        elif rule.endpoint.startswith("api."):
            response = client.post(path, headers=headers, json=API_BODIES.get(rule.endpoint, {}))
        else:
            response = client.post(path, data={"csrf_token": token, "decision": "approve"})
        assert response.status_code == 403, (rule.rule, response.status_code)
    with app.app_context():
        from sote_flow.web.deps import unit_of_work

        with unit_of_work() as uow:
            actions = [e.action for e in uow.history.for_instance(1)]
    assert "task_claimed" not in actions and "task_completed" not in actions


def test_auditor_finds_who_read_a_clients_data_and_exports_it(client):
    login(client, "sanna")
    instance_path = _start_request(client, client_number="7654321").headers["Location"]
    client.get(instance_path)  # sanna reads the case
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "tarja")
    page = client.get("/audit/access-log?client_number=7654321").get_data(as_text=True)
    assert "Historiaketju on ehjä" in page
    assert "sanna" in page and "7654321" in page and "asiakasasian käsittely" in page
    other = client.get("/audit/access-log?client_number=1111111").get_data(as_text=True)
    assert "Ei merkintöjä." in other
    exported = client.get("/audit/access-log?client_number=7654321&format=json").get_json()
    assert [(r["username"], r["client_number"]) for r in exported] == [("sanna", "7654321")]
    csv_text = client.get("/audit/access-log?username=sanna&format=csv").get_data(as_text=True)
    assert csv_text.splitlines()[0].startswith("\ufeffAika;Käyttäjä;Roolit")
    # The auditor's own searches are logged too, with the purpose "valvonta".
    own = client.get("/audit/access-log?username=tarja&format=json").get_json()
    assert own and {r["purpose"] for r in own} == {"valvonta"}


def test_access_log_is_not_for_staff(client):
    login(client, "sanna")
    assert client.get("/audit/access-log").status_code == 403


def test_every_response_carries_the_security_headers(client):
    for path in ("/login", "/", "/no-such-page", "/static/site.css"):
        headers = client.get(path).headers
        policy = headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("style-src")[0]
        assert "frame-ancestors 'none'" in policy
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


HUGE = "99999999999999999999"  # beyond a 64-bit id


def test_extreme_numbers_and_dates_are_answered_without_server_errors(client):
    login(client, "tarja")  # the auditor reaches every read-only page
    paths = [
        f"/instances/{HUGE}",
        f"/instances/{HUGE}/history",
        f"/instances/?page={HUGE}",
        f"/?mine_page={HUGE}&group_page=-1",
        f"/instances/1/history?entry={HUGE}",
        f"/cases/approval/?page={HUGE}",
        "/audit/access-log?since=0001-01-01&until=9999-12-31",
        "/audit/access-log?since=0000-00-00",
        "/reports/orders?since=0001-01-01&until=0001-01-02",
        "/reports/orders?since=9999-12-30&until=9999-12-31",
        "/cases/approval/report?since=0001-01-01&until=0001-01-02",
        "/cases/approval/report?since=9999-12-30&until=9999-12-31",
    ]
    for path in paths:
        status = client.get(path).status_code
        assert status < 500, (path, status)
    headers = api_token(client, "tarja")
    for path in (f"/api/v1/process-instances/{HUGE}", f"/api/v1/tasks?page={HUGE}"):
        status = client.get(path, headers=headers).status_code
        assert status < 500, (path, status)


def test_an_identity_code_searched_in_the_access_log_is_refused_and_never_logged(app, client):
    login(client, "tarja")
    code = "131052\u2013308T"  # with an en dash, as a copy from a document would have it
    response = client.get("/audit/access-log", query_string={"client_number": code})
    assert response.status_code == 422
    assert "henkilötunnuksella ei voi hakea" in response.get_data(as_text=True)
    with app.app_context(), unit_of_work() as uow:
        logged = uow.session.scalars(select(AccessLogEntry.object_id)).all()
    assert not any("308" in value for value in logged)


def _try_login(client, username: str, password: str):
    token = csrf_token(client, "/login")
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


def test_sign_ins_are_throttled_per_account_with_the_lockout_in_the_history(app, client, clock):
    for _ in range(5):
        assert _try_login(client, "sanna", "väärä-salasana").status_code == 401
    # Locked now, even with the right password; the history names the locked account.
    locked = _try_login(client, "sanna", PASSWORD)
    assert locked.status_code == 429
    assert "Liian monta epäonnistunutta kirjautumista" in locked.get_data(as_text=True)
    api = client.post("/api/v1/auth/token", json={"username": "sanna", "password": PASSWORD})
    assert api.status_code == 429
    with app.app_context(), unit_of_work() as uow:
        actions = uow.session.scalars(select(HistoryEntry.action)).all()
    assert actions.count("login_locked") == 1
    assert _try_login(client, "tuomas", PASSWORD).status_code == 302  # other accounts go on
    clock.advance(timedelta(minutes=16))  # the failures age out
    assert _try_login(client, "sanna", PASSWORD).status_code == 302


def test_sign_ins_are_throttled_per_address_across_accounts(client):
    for number in range(20):
        _try_login(client, f"arvaus{number}", "x")
    assert _try_login(client, "tuomas", PASSWORD).status_code == 429


def test_signing_out_ends_the_session_on_the_server(app, client):
    login(client, "sanna")
    saved = client.get_cookie("session")
    assert saved is not None and client.get("/").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    # Someone replays the cookie saved before signing out: it signs nobody in.
    client.set_cookie("session", saved.value)
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_idle_session_ends_by_itself(app, client, clock):
    login(client, "sanna")
    clock.advance(timedelta(minutes=20))
    assert client.get("/").status_code == 200  # in use: it goes on
    clock.advance(timedelta(minutes=31))  # idle longer than the 30-minute default
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
