"""An API write retried with its Idempotency-Key has one effect and gets the first answer again."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from sote_flow.persistence.idempotency import (
    IdempotentUnitOfWork,
    KeyRequest,
    KeyTaken,
    find_key,
    purge_idempotency_keys,
)
from sote_flow.persistence.idempotency_models import IdempotencyKey
from sote_flow.persistence.models import OutboxMail, ProcessInstance
from sote_flow.web.api.idempotency import HEADER, REPLAYED_HEADER
from tests.support.factories import DIAGRAMS, deploy, make_actor
from tests.web.conftest import api_token

NOTIFY = {"process_key": "notify", "data": {"client_number": "1234567"}}
APPROVAL = {"process_key": "approval", "data": {"client_number": "1234567", "amount": 2}}


@pytest.fixture
def notify(app, clock):
    """Deploy the process that mails its group on start; give the group one mail address."""
    with app.app_context():
        from sote_flow.web.deps import unit_of_work

        deploy(app.extensions["sote_flow.platform"], unit_of_work, clock, DIAGRAMS / "notify.bpmn")
        make_actor(
            unit_of_work, clock, "kaisa", ["producer_admin"], ["kasittelijat"], "kaisa@ex.test"
        )


def _count(app, model, **where) -> int:
    with app.app_context():
        from sote_flow.web.deps import unit_of_work

        with unit_of_work() as uow:
            query = select(func.count()).select_from(model).filter_by(**where)
            return int(uow.session.scalar(query) or 0)


def _with_key(headers: dict[str, str], key: str) -> dict[str, str]:
    return {**headers, HEADER: key}


def test_retried_start_creates_one_instance_and_mails_once(client, app, notify):
    sanna = _with_key(api_token(client, "sanna"), "start-1")
    first = client.post("/api/v1/process-instances", headers=sanna, json=NOTIFY)
    assert first.status_code == 201, first.get_json()
    assert REPLAYED_HEADER not in first.headers
    mails = _count(app, OutboxMail)
    assert mails == 1
    again = client.post("/api/v1/process-instances", headers=sanna, json=NOTIFY)
    assert again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers[REPLAYED_HEADER] == "true"
    assert _count(app, ProcessInstance, process_key="notify") == 1
    assert _count(app, OutboxMail) == mails


def test_retried_completion_gets_the_first_200_not_a_409(client):
    sanna, tuomas = api_token(client, "sanna"), api_token(client, "tuomas")
    assert client.post("/api/v1/process-instances", headers=sanna, json=APPROVAL).status_code == 201
    task_id = client.get("/api/v1/tasks?scope=group", headers=tuomas).get_json()["tasks"][0]["id"]
    claimed = client.post(f"/api/v1/tasks/{task_id}/claim", headers=tuomas)
    assert claimed.status_code == 200 and claimed.get_json()["assignee"] == "tuomas"
    path, body = f"/api/v1/tasks/{task_id}/complete", {"data": {"decision": "approve"}}
    done = client.post(path, headers=_with_key(tuomas, "done-1"), json=body)
    assert done.status_code == 200 and done.get_json()["status"] == "completed"
    retried = client.post(path, headers=_with_key(tuomas, "done-1"), json=body)
    assert retried.status_code == 200
    assert retried.get_json() == done.get_json()
    assert retried.headers[REPLAYED_HEADER] == "true"
    assert client.post(path, headers=tuomas, json=body).status_code == 409  # no key: a conflict


def test_a_failed_request_stores_nothing_and_its_retry_runs_again(client, app):
    tuomas = _with_key(api_token(client, "tuomas"), "fails-1")
    body = {"data": {"decision": "approve"}}
    missing = "/api/v1/tasks/00000000-0000-4000-8000-000000000000/complete"
    assert client.post(missing, headers=tuomas, json=body).status_code == 404
    assert _count(app, IdempotencyKey) == 0
    retried = client.post(missing, headers=tuomas, json=body)
    assert retried.status_code == 404 and REPLAYED_HEADER not in retried.headers


def test_same_key_with_another_body_or_path_is_refused(client, app):
    sanna = _with_key(api_token(client, "sanna"), "start-2")
    assert client.post("/api/v1/process-instances", headers=sanna, json=APPROVAL).status_code == 201
    other = {**APPROVAL, "data": {"client_number": "1234567", "amount": 3}}
    refused = client.post("/api/v1/process-instances", headers=sanna, json=other)
    assert refused.status_code == 422
    assert "Idempotency-Key" in refused.get_json()["message"]
    assert [e["field"] for e in refused.get_json()["errors"]] == ["Idempotency-Key"]
    elsewhere = client.post("/api/v1/messages", headers=sanna, json={"name": "x"})
    assert elsewhere.status_code == 422
    assert _count(app, ProcessInstance, process_key="approval") == 1


def test_keys_of_different_users_are_independent(client, app, notify):
    sanna = _with_key(api_token(client, "sanna"), "shared")
    tuomas = _with_key(api_token(client, "tuomas"), "shared")
    first = client.post("/api/v1/process-instances", headers=sanna, json=NOTIFY)
    second = client.post("/api/v1/process-instances", headers=tuomas, json=NOTIFY)
    assert first.status_code == second.status_code == 201
    assert REPLAYED_HEADER not in second.headers
    assert first.get_json()["id"] != second.get_json()["id"]
    assert second.get_json()["started_by"] == "tuomas"
    assert _count(app, ProcessInstance, process_key="notify") == 2


@pytest.mark.parametrize("key", ["", "x" * 256, "avain-ä"])
def test_malformed_keys_are_refused(client, app, key):
    sanna = api_token(client, "sanna")
    headers = {**sanna, HEADER: key.encode("utf-8").decode("latin-1")}
    response = client.post("/api/v1/process-instances", headers=headers, json=APPROVAL)
    assert response.status_code == 422
    assert "Idempotency-Key" in response.get_json()["message"]
    assert _count(app, ProcessInstance, process_key="approval") == 0


def test_auditor_with_a_key_still_gets_403_and_stores_nothing(client, app):
    tarja = _with_key(api_token(client, "tarja"), "audit-1")
    for _ in range(2):
        response = client.post("/api/v1/process-instances", headers=tarja, json=APPROVAL)
        assert response.status_code == 403
    assert _count(app, IdempotencyKey) == 0


def test_concurrent_requests_with_one_key_have_one_effect(app, notify):
    headers = _with_key(api_token(app.test_client(), "sanna"), "race-1")
    barrier = threading.Barrier(2)
    answers: list[tuple[int, dict[str, object], bool]] = []

    def send() -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post("/api/v1/process-instances", headers=headers, json=NOTIFY)
        answers.append(
            (response.status_code, response.get_json(), REPLAYED_HEADER in response.headers)
        )

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(answers) == 2
    assert [a[0] for a in answers] == [201, 201]
    assert answers[0][1] == answers[1][1]
    assert sorted(a[2] for a in answers) == [False, True]
    assert _count(app, ProcessInstance, process_key="notify") == 1
    assert _count(app, OutboxMail) == 1


def _user_id(app, username: str) -> int:
    with app.app_context():
        from sote_flow.web.deps import unit_of_work

        with unit_of_work() as uow:
            user = uow.users.by_username(username)
            assert user is not None
            return user.id


def test_a_duplicate_waits_for_the_first_and_then_loses_the_key(app, clock):
    """Service level: the second reservation blocks until the first commits, then fails."""
    from sote_flow.persistence.database import make_session_factory
    from sote_flow.web.extensions import db

    with app.app_context():
        sessions = make_session_factory(db.engine)
    sent = KeyRequest(_user_id(app, "sanna"), "race-2", "POST", "/api/v1/x", "0" * 64)
    outcome: list[str] = []
    first = IdempotentUnitOfWork(sessions, sent, clock())
    first.__enter__()
    first.commit()

    def second() -> None:
        try:
            with IdempotentUnitOfWork(sessions, sent, clock()):
                outcome.append("ran")
        except KeyTaken:
            outcome.append("taken")

    thread = threading.Thread(target=second)
    thread.start()
    thread.join(timeout=0.5)
    assert outcome == []  # still waiting for the first one
    assert first.finish(201, {"id": 1})
    thread.join(timeout=15)
    assert outcome == ["taken"]
    with sessions() as session:
        stored = find_key(session, sent.user_id, "race-2")
        assert stored is not None and (stored.status, stored.response) == (201, {"id": 1})


def test_in_progress_key_is_a_409_and_old_keys_are_purged(client, app, clock):
    from sote_flow.web.api.idempotency import body_hash
    from sote_flow.web.deps import unit_of_work

    sanna = _with_key(api_token(client, "sanna"), "slow-1")
    path = "/api/v1/process-instances"
    with app.test_request_context(path, method="POST", json=APPROVAL, headers=sanna):
        digest = body_hash()
    with app.app_context(), unit_of_work() as uow:
        uow.session.add(
            IdempotencyKey(
                user_id=_user_id(app, "sanna"), key="slow-1", method="POST", path=path,
                body_hash=digest, status=None, response=None,
                created_at=clock() - timedelta(hours=25),
            )
        )  # fmt: skip
        uow.commit()
    busy = client.post(path, headers=sanna, json=APPROVAL)
    assert busy.status_code == 409
    assert "käsittelyssä" in busy.get_json()["message"]
    with app.app_context():
        assert purge_idempotency_keys(unit_of_work, clock()) == 1
    assert client.post(path, headers=sanna, json=APPROVAL).status_code == 201


def test_openapi_documents_the_header_on_every_write(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert "IdempotencyKey" in document["components"]["parameters"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method not in ("get", "post", "delete"):
                continue
            refs = [p.get("$ref", "") for p in operation.get("parameters", [])]
            documented = any(r.endswith("/IdempotencyKey") for r in refs)
            expected = method != "get" and (path, method) != ("/auth/token", "post")
            assert documented == expected, (path, method)


def test_retried_upload_deploys_once(client):
    from tests.web.test_api import _deploy_approval

    olli = _with_key(api_token(client, "olli"), "deploy-1")
    change = (b"Anna numero", b"Anna asianumero")
    first = _deploy_approval(client, olli, change)  # a new multipart boundary every time
    assert first.status_code == 201 and first.get_json()["version"]["version"] == 2
    again = _deploy_approval(client, olli, change)
    assert again.status_code == 201 and again.headers[REPLAYED_HEADER] == "true"
    assert again.get_json() == first.get_json()
    other = _deploy_approval(client, olli, (b"Anna numero", b"Anna numero nyt"))
    assert other.status_code == 422
    listed = client.get("/api/v1/process-definitions", headers=olli).get_json()
    assert [v["version"] for v in listed if v["key"] == "approval"] == [2]
