"""A task completion over the API names the tasks now open to the same user (issue 19)."""

from __future__ import annotations

from sote_flow.web.deps import unit_of_work
from tests.support.factories import DIAGRAMS, deploy
from tests.web.conftest import api_token


def _complete(client, headers, task_id: str, data: dict) -> dict:
    done = client.post(f"/api/v1/tasks/{task_id}/complete", headers=headers, json={"data": data})
    assert done.status_code == 200, done.get_json()
    return done.get_json()


def test_each_step_names_the_next_task_of_the_same_user(app, client, clock):
    with app.app_context():
        deploy(
            app.extensions["sote_flow.platform"], unit_of_work, clock, DIAGRAMS / "ten_steps.bpmn"
        )
    sanna = api_token(client, "sanna")
    started = client.post(
        "/api/v1/process-instances",
        headers=sanna,
        json={"process_key": "ten_steps", "data": {"subject": "testi"}},
    )
    assert started.status_code == 201, started.get_json()
    (task,) = client.get("/api/v1/tasks?scope=mine", headers=sanna).get_json()["tasks"]
    for step in range(1, 10):
        done = _complete(client, sanna, task["id"], {"note": f"vaihe {step}"})
        assert done["id"] == started.get_json()["id"] and done["status"] == "running"
        (task,) = done["next_tasks"]
        assert (task["name"], task["title"]) == (f"Vaihe {step + 1}", f"Vaihe {step + 1}")
        assert (task["assignee"], task["element_id"]) == ("sanna", f"step{step + 1}")
    last = _complete(client, sanna, task["id"], {"note": "viimeinen"})
    assert (last["status"], last["next_tasks"]) == ("completed", [])


def test_a_task_that_goes_to_someone_else_is_not_named(client):
    sanna, tuomas = api_token(client, "sanna"), api_token(client, "tuomas")
    request = {"client_number": "1234567", "amount": 2}
    started = client.post(
        "/api/v1/process-instances",
        headers=sanna,
        json={"process_key": "approval", "data": request},
    )
    assert started.status_code == 201, started.get_json()
    (review,) = client.get("/api/v1/tasks?scope=group", headers=tuomas).get_json()["tasks"]
    assert client.post(f"/api/v1/tasks/{review['id']}/claim", headers=tuomas).status_code == 200
    # Sent back for fixing: the fix is the starter's task, not the reviewer's.
    done = _complete(client, tuomas, review["id"], {"decision": "fix", "comment": "Täydennä."})
    assert (done["status"], done["next_tasks"]) == ("running", [])
    (fix,) = client.get("/api/v1/tasks?scope=mine", headers=sanna).get_json()["tasks"]
    assert fix["element_id"] == "fix_request"


def test_the_openapi_document_describes_next_tasks(client):
    document = client.get("/api/v1/openapi.json").get_json()
    completion = document["paths"]["/tasks/{task_id}/complete"]["post"]["responses"]["200"]
    assert completion["content"]["application/json"]["schema"]["$ref"].endswith("CompletionOut")
    properties = document["components"]["schemas"]["CompletionOut"]["properties"]
    assert {"id", "status", "next_tasks"} <= set(properties)
    assert properties["next_tasks"]["items"]["$ref"].endswith("NextTaskOut")
