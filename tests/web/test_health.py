"""Probes for a load balancer, and a database outage answered with 503 instead of tracebacks."""

from __future__ import annotations

import logging

from sote_flow.web import create_app
from tests.support.factories import TEST_SECRET

# Nothing listens on port 1: every connection attempt is refused at once.
UNREACHABLE = "postgresql+psycopg://sote@127.0.0.1:1/sote"


def test_the_probes_answer_when_the_database_is_migrated(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    body = ready.get_json()
    assert ready.status_code == 200
    assert (body["status"], body["database"]) == ("ready", "reachable")
    assert body["schema"] == body["expected_schema"] is not None


def test_a_database_outage_answers_503_with_retry_after_and_logs_once(caplog):
    app = create_app({"database_url": UNREACHABLE, "secret_key": TEST_SECRET, "TESTING": True})
    client = app.test_client()
    assert client.get("/healthz").status_code == 200  # the process itself is up
    ready = client.get("/readyz")
    assert (ready.status_code, ready.get_json()["database"]) == (503, "unreachable")
    with caplog.at_level(logging.ERROR, logger="sote_flow.web.errors"):
        answers = [client.get("/api/v1/tasks", headers={"Authorization": "Bearer x"})
                   for _ in range(3)]  # fmt: skip
        page = client.post("/login", data={"username": "sanna", "password": "x"})
    for answer in answers:
        assert answer.status_code == 503
        assert answer.headers["Retry-After"] == "5"
        assert answer.get_json()["message"].startswith("Tietokantaan ei juuri nyt saada yhteyttä")
    assert page.status_code in (400, 503)  # the form's CSRF check may answer first
    records = [r for r in caplog.records if r.name == "sote_flow.web.errors"]
    assert len(records) <= 1 and all(r.exc_info is None for r in records)
