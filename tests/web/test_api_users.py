"""The API's user and group administration: administrators change, auditors read."""

from __future__ import annotations

from tests.web.conftest import api_token

GOOD = "kuusi-korppia-lensi-7"


def test_administrator_creates_lists_and_changes_access(client):
    paavo = api_token(client, "paavo")
    refused = client.post("/api/v1/users", headers=paavo, json={"username": "ville"})
    assert refused.status_code == 422
    assert {e["field"] for e in refused.get_json()["errors"]} >= {"display_name", "password"}
    weak = client.post("/api/v1/users", headers=paavo, json={
        "username": "ville", "display_name": "Ville", "password": "password1234"})  # fmt: skip
    assert weak.status_code == 422 and weak.get_json()["errors"][0]["field"] == "password"
    created = client.post("/api/v1/users", headers=paavo, json={
        "username": "ville", "display_name": "Ville", "password": GOOD,
        "roles": ["social_worker"], "groups": ["hakijat"]})  # fmt: skip
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["groups"] == ["hakijat"] and "password" not in created.get_json()
    found = client.get("/api/v1/users?search=vil", headers=paavo).get_json()
    assert [u["username"] for u in found["users"]] == ["ville"] and found["total"] == 1
    access = client.put("/api/v1/users/ville/access", headers=paavo,
                        json={"roles": ["team_lead"], "groups": []})  # fmt: skip
    assert access.status_code == 200 and access.get_json()["roles"] == ["team_lead"]
    assert client.put("/api/v1/users/ville/access", headers=paavo, json={}).status_code == 422


def test_disable_revokes_tokens_and_lists_open_cases(client):
    paavo, sanna = api_token(client, "paavo"), api_token(client, "sanna")
    started = client.post("/api/v1/process-instances", headers=sanna,
                          json={"process_key": "approval", "data": {"client_number": "1234567",
                                                                    "amount": 2}})  # fmt: skip
    assert started.status_code == 201
    tuomas = api_token(client, "tuomas")
    task_id = client.get("/api/v1/tasks?scope=group", headers=tuomas).get_json()["tasks"][0]["id"]
    assert client.post(f"/api/v1/tasks/{task_id}/claim", headers=tuomas).status_code == 200
    done = client.post("/api/v1/users/tuomas/disable", headers=paavo)
    assert done.status_code == 200, done.get_json()
    body = done.get_json()
    assert (body["tokens_revoked"], body["tasks_returned"]) == (1, 1)
    assert [c["instance_id"] for c in body["open_cases"]] == [started.get_json()["id"]]
    assert client.get("/api/v1/tasks", headers=tuomas).status_code == 401
    tiina = api_token(client, "tiina")
    queue = client.get("/api/v1/tasks?scope=group", headers=tiina).get_json()
    assert [t["id"] for t in queue["tasks"]] == [task_id]
    assert client.post("/api/v1/users/paavo/disable", headers=paavo).status_code == 409
    assert client.post("/api/v1/users/nobody/disable", headers=paavo).status_code == 404
    enabled = client.post("/api/v1/users/tuomas/enable", headers=paavo)
    assert enabled.status_code == 200 and enabled.get_json()["active"] is True


def test_groups_and_permissions(client):
    paavo, tarja, sanna = (api_token(client, u) for u in ("paavo", "tarja", "sanna"))
    created = client.post("/api/v1/groups", headers=paavo,
                          json={"name": "perhetyo", "display_name": "Perhetyö"})  # fmt: skip
    assert created.status_code == 201 and created.get_json()["members"] == []
    bad = client.post("/api/v1/groups", headers=paavo, json={"name": "X", "display_name": ""})
    assert bad.status_code == 422
    groups = {g["name"]: g for g in client.get("/api/v1/groups", headers=tarja).get_json()}
    assert groups["kasittelijat"]["used_in"][0]["process_key"] == "approval"
    assert client.get("/api/v1/users", headers=tarja).status_code == 200
    for path in ("/api/v1/users", "/api/v1/groups"):
        assert client.post(path, headers=tarja, json={}).status_code == 403
        assert client.get(path, headers=sanna).status_code == 403
    assert client.post("/api/v1/users/sanna/disable", headers=tarja).status_code == 403
    assert client.put("/api/v1/users/sanna/access", headers=tarja, json={}).status_code == 403
