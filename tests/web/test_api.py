"""The JSON API covers the platform's use cases with the documented status codes."""

from __future__ import annotations

import io
from pathlib import Path

from tests.support.factories import DIAGRAMS
from tests.web.conftest import api_token

REQUEST = {"client_number": "1234567", "amount": 2}


def _files(*paths: Path) -> dict[str, object]:
    return {"files": [(io.BytesIO(p.read_bytes()), p.name) for p in paths]}


def test_token_is_required_and_bad_credentials_are_refused(client):
    assert client.get("/api/v1/tasks").status_code == 401
    bad = client.post("/api/v1/auth/token", json={"username": "sanna", "password": "wrong"})
    assert bad.status_code == 401
    assert "salasana" in bad.get_json()["message"]


def test_openapi_document_lists_the_endpoints(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    for path in (
        "/auth/token",
        "/process-definitions",
        "/process-instances",
        "/process-instances/{instance_id}",
        "/process-instances/{instance_id}/history",
        "/tasks",
        "/tasks/{task_id}/claim",
        "/tasks/{task_id}/release",
        "/tasks/{task_id}/complete",
    ):
        assert path in document["paths"], path


def test_full_path_through_the_api(client):
    sanna, tuomas, tiina = (api_token(client, u) for u in ("sanna", "tuomas", "tiina"))
    started = client.post(
        "/api/v1/process-instances",
        headers=sanna,
        json={"process_key": "approval", "data": REQUEST},
    )
    assert started.status_code == 201, started.get_json()
    instance_id = started.get_json()["id"]

    group = client.get("/api/v1/tasks?scope=group", headers=tuomas).get_json()
    assert group["total"] == 1
    task_id = group["tasks"][0]["id"]
    assert client.post(f"/api/v1/tasks/{task_id}/claim", headers=tuomas).status_code == 200
    taken = client.post(f"/api/v1/tasks/{task_id}/claim", headers=tiina)
    assert taken.status_code == 409
    assert "toisen käyttäjän" in taken.get_json()["message"]

    invalid = client.post(
        f"/api/v1/tasks/{task_id}/complete", headers=tuomas, json={"data": {"decision": "maybe"}}
    )
    assert invalid.status_code == 422
    assert [e["field"] for e in invalid.get_json()["errors"]] == ["decision"]

    done = client.post(
        f"/api/v1/tasks/{task_id}/complete", headers=tuomas, json={"data": {"decision": "approve"}}
    )
    assert done.status_code == 200 and done.get_json()["status"] == "completed"
    again = client.post(
        f"/api/v1/tasks/{task_id}/complete", headers=tuomas, json={"data": {"decision": "approve"}}
    )
    assert again.status_code == 409  # done by someone: a conflict
    unknown = client.post(
        "/api/v1/tasks/00000000-0000-4000-8000-000000000000/complete",
        headers=tuomas,
        json={"data": {"decision": "approve"}},
    )
    assert unknown.status_code == 404  # never a task: not found

    detail = client.get(f"/api/v1/process-instances/{instance_id}", headers=sanna).get_json()
    assert detail["instance"]["status"] == "completed"
    history = client.get(f"/api/v1/process-instances/{instance_id}/history", headers=sanna)
    assert [e["action"] for e in history.get_json()][-1] == "instance_completed"


def test_release_returns_the_task_to_the_group(client):
    sanna, tuomas = api_token(client, "sanna"), api_token(client, "tuomas")
    client.post(
        "/api/v1/process-instances",
        headers=sanna,
        json={"process_key": "approval", "data": REQUEST},
    )
    task_id = client.get("/api/v1/tasks?scope=group", headers=tuomas).get_json()["tasks"][0]["id"]
    client.post(f"/api/v1/tasks/{task_id}/claim", headers=tuomas)
    assert client.get("/api/v1/tasks?scope=mine", headers=tuomas).get_json()["total"] == 1
    assert client.post(f"/api/v1/tasks/{task_id}/release", headers=tuomas).status_code == 200
    assert client.get("/api/v1/tasks?scope=group", headers=tuomas).get_json()["total"] == 1


def _deploy_approval(client, headers, replace: tuple[bytes, bytes] = (b"", b"")):
    """Upload approval.bpmn (optionally with one replacement) and its forms."""
    diagram = (DIAGRAMS / "approval.bpmn").read_bytes().replace(*replace)
    files = [(io.BytesIO(diagram), "approval.bpmn")]
    files += [
        (io.BytesIO(f.read_bytes()), f.name) for f in sorted(DIAGRAMS.glob("approval-*.json"))
    ]
    return client.post(
        "/api/v1/process-definitions",
        headers=headers,
        data={"files": files},
        content_type="multipart/form-data",
    )


def test_deploy_new_version_and_identical_content(client):
    olli = api_token(client, "olli")
    same = _deploy_approval(client, olli)
    assert same.status_code == 200 and same.get_json()["created"] is False
    response = _deploy_approval(client, olli, (b"Anna numero", b"Anna asianumero"))
    assert response.status_code == 201
    assert response.get_json()["version"]["version"] == 2


def test_refused_deploy_names_file_and_element(client):
    response = _deploy_approval(
        client, api_token(client, "olli"), (b'id="case/assign_number"', b'id="crm/unknown"')
    )
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert errors == [
        {"file": "approval.bpmn", "element_id": "number", "message": errors[0]["message"]}
    ]
    assert "crm/unknown" in errors[0]["message"]


def test_auditor_gets_403_on_every_write(client):
    tarja = api_token(client, "tarja")
    sanna = api_token(client, "sanna")
    client.post(
        "/api/v1/process-instances",
        headers=sanna,
        json={"process_key": "approval", "data": REQUEST},
    )
    tuomas = api_token(client, "tuomas")
    task_id = client.get("/api/v1/tasks?scope=group", headers=tuomas).get_json()["tasks"][0]["id"]
    writes = [
        ("/api/v1/process-instances", {"json": {"process_key": "approval", "data": REQUEST}}),
        (f"/api/v1/tasks/{task_id}/claim", {}),
        (f"/api/v1/tasks/{task_id}/release", {}),
        (f"/api/v1/tasks/{task_id}/complete", {"json": {"data": {"decision": "approve"}}}),
        (
            "/api/v1/process-definitions",
            {"data": _files(DIAGRAMS / "approval.bpmn"), "content_type": "multipart/form-data"},
        ),
    ]
    for path, kwargs in writes:
        assert client.post(path, headers=tarja, **kwargs).status_code == 403, path


def test_message_through_the_api(client, app, clock):
    from tests.support.factories import deploy as deploy_diagram

    with app.app_context():
        from sote_flow.web.deps import unit_of_work

        deploy_diagram(
            app.extensions["sote_flow.platform"],
            unit_of_work,
            clock,
            DIAGRAMS / "message_wait.bpmn",
        )
    tuomas = api_token(client, "tuomas")
    started = client.post(
        "/api/v1/process-instances",
        headers=tuomas,
        json={"process_key": "message_wait", "data": {}},
    ).get_json()
    body = {"name": "vastaus_saapui", "payload": {"reply": "ok"}, "instance_id": started["id"]}
    assert client.post("/api/v1/messages", headers=tuomas, json=body).get_json() == {
        "delivered_to": [started["id"]]
    }
    again = client.post("/api/v1/messages", headers=tuomas, json=body)
    assert again.status_code == 404 and "vastaus_saapui" in again.get_json()["message"]
    assert "/messages" in client.get("/api/v1/openapi.json").get_json()["paths"]


def test_nan_and_infinity_are_refused_not_stored(client):
    headers = {**api_token(client, "sanna"), "Content-Type": "application/json"}
    for constant in ("NaN", "Infinity", "-Infinity"):
        body = '{"process_key": "approval", "data": {"client_number": "1234567", "amount": %s}}'
        response = client.post(
            "/api/v1/process-instances", headers=headers, data=body % constant
        )
        assert response.status_code == 422, constant
        assert response.get_json()["errors"][0]["field"] == "body"
