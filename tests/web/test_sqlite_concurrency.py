"""The embedded default (SQLite) holds eight people working at once without a single 5xx."""

from __future__ import annotations

import threading

import pytest

from tests.web.conftest import api_token

USERS = 8
ROUNDS = 12


@pytest.fixture
def database_url(sqlite_databases) -> str:
    return str(sqlite_databases.new_url())


def test_eight_concurrent_api_users_get_no_server_error(app):
    clients = [app.test_client() for _ in range(USERS)]
    headers = [api_token(client, "sanna") for client in clients]
    statuses: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(USERS)

    def work(i: int) -> None:
        barrier.wait()
        for n in range(ROUNDS):
            body = {"process_key": "approval",
                    "data": {"client_number": f"{1000000 + i * 100 + n}", "amount": 1}}  # fmt: skip
            started = clients[i].post("/api/v1/process-instances", json=body, headers=headers[i])
            listed = clients[i].get("/api/v1/process-instances", headers=headers[i])
            with lock:
                statuses.extend([started.status_code, listed.status_code])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(USERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(statuses) == USERS * ROUNDS * 2
    assert [s for s in statuses if s >= 500] == []
    assert statuses.count(201) == USERS * ROUNDS
