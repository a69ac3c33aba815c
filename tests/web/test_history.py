"""The instance history page: path on the diagram, timeline with changes, data at each step."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from sote_flow.persistence.models import AccessLogEntry
from tests.web.conftest import csrf_token, login


def _run_approval_to_fix(client) -> str:
    """sanna starts an approval, tuomas sends it back for fixing; returns the instance path."""
    login(client, "sanna")
    token = csrf_token(client, "/processes/approval/start")
    started = client.post(
        "/processes/approval/start",
        data={"csrf_token": token, "client_number": "7654321", "amount": "4", "reason": "Arki"},
    )
    instance_path = started.headers["Location"]
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "tuomas")
    inbox = client.get("/").get_data(as_text=True)
    task_id = re.search(r"/tasks/([0-9a-f-]{36})/claim", inbox).group(1)
    client.post(f"/tasks/{task_id}/claim", data={"csrf_token": csrf_token(client, "/")})
    token = csrf_token(client, f"/tasks/{task_id}")
    done = client.post(
        f"/tasks/{task_id}", data={"csrf_token": token, "decision": "fix", "comment": "Lisää"}
    )
    assert done.status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    return instance_path


def _payload(page: str) -> dict:
    match = re.search(
        r'<script type="application/json" id="history-data">(.*?)</script>', page, re.S
    )
    assert match, "no diagram data on the page"
    return json.loads(match.group(1))


def test_auditor_sees_path_waiting_point_timeline_and_data(client, app):
    instance_path = _run_approval_to_fix(client)
    login(client, "tarja")
    instance_page = client.get(instance_path).get_data(as_text=True)
    assert "Historia kaaviossa" in instance_page
    response = client.get(f"{instance_path}/history")
    assert response.status_code == 200
    page = response.get_data(as_text=True)

    payload = _payload(page)
    assert payload["passed"] == ["decide", "number", "review", "start"]
    assert payload["flows"] == ["f1", "f2", "f3", "f6"]
    assert payload["waiting"] == ["fix_request"]
    assert "BPMNShape" in payload["xml"]  # the test diagram has no layout; one is generated
    # The same facts in text, not only as colours on the diagram.
    waiting = page.split('id="waiting-list"')[1].split("</ul>")[0]
    assert "Täydennä hakemusta" in waiting and "tehtävä odottaa tekijää" in waiting
    passed = page.split('id="passed-list"')[1].split("</ul>")[0]
    assert "Käsittele hakemus" in passed and "Täydennä hakemusta" not in passed

    timeline = page.split('class="timeline"')[1].split("</table>")[0]
    assert "Käynnistetty" in timeline and "Tehtävä tehty" in timeline and "tuomas" in timeline
    # What changed, per field with the forms' labels and choice titles, before and after.
    assert "Päätös</span>: – " in timeline and "Palautetaan täydennettäväksi" in timeline
    assert "Asiakasnumero</span>: – " in timeline and "7654321" in timeline
    assert "Matti" not in page  # never names, client numbers only

    data_at = page.split('id="data-at-step"')[1].split("</dl>")[0]
    assert "Päätös" in data_at and "Palautetaan täydennettäväksi" in data_at
    assert "HY-" in data_at  # the service task's result (case number) is replayed too
    assert "spiff" not in data_at  # the engine's own fields are not for people

    with app.app_context():
        from sote_flow.web.deps import unit_of_work

        with unit_of_work() as uow:
            first = uow.history.for_instance(1)[0]
            reads = uow.session.scalars(
                select(AccessLogEntry).where(AccessLogEntry.object_type == "instance_history")
            ).all()
    assert [(r.username, r.purpose, r.instance_id) for r in reads] == [("tarja", "valvonta", 1)]

    # The data as it was at the start: the start form only, no decision yet.
    early = client.get(f"{instance_path}/history?entry={first.id}").get_data(as_text=True)
    early_data = early.split('id="data-at-step"')[1].split("</dl>")[0]
    assert "Määrä" in early_data and "Päätös" not in early_data


def test_history_page_follows_instance_permissions(client):
    instance_path = _run_approval_to_fix(client)
    login(client, "tiina")  # a handler who never touched this instance
    # tiina's group may work on nothing open here (the fix is assigned to sanna): refused.
    response = client.get(f"{instance_path}/history")
    assert response.status_code == 403
    assert "Traceback" not in response.get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "sanna")  # the starter may read it
    assert client.get(f"{instance_path}/history").status_code == 200
    assert client.get(f"{instance_path}/history?entry=999999").status_code == 404
    assert client.get("/instances/999/history").status_code == 404
