"""Shared set-up for benchmarks: databases on SQLite and on a throw-away PostgreSQL server."""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sote_flow.persistence.database import make_engine  # noqa: E402
from sote_flow.persistence.migrate import upgrade_database  # noqa: E402


@contextmanager
def databases(include_postgres: bool = True) -> Iterator[list[tuple[str, str]]]:
    """Yield [(label, url)] for a fresh SQLite file and, if asked, a fresh PostgreSQL database."""
    from tests.support.postgres import PostgresServer

    with tempfile.TemporaryDirectory() as tmp:
        urls = [("SQLite", f"sqlite:///{tmp}/bench.db")]
        server = PostgresServer() if include_postgres else None
        try:
            if server is not None:
                server.start()
                server.create_database("bench")
                urls.append(("PostgreSQL", server.url("bench")))
            for _, url in urls:
                engine = make_engine(url)
                upgrade_database(engine)
                engine.dispose()
            yield urls
        finally:
            if server is not None:
                server.stop()


def median_ms(samples: list[float]) -> float:
    """Median of samples given in seconds, in milliseconds."""
    return statistics.median(samples) * 1000


def p90_ms(samples: list[float]) -> float:
    """90th percentile of samples given in seconds, in milliseconds."""
    return statistics.quantiles(samples, n=10)[-1] * 1000


def timed(fn: Callable[[], object]) -> float:
    """Run fn once and return the seconds it took."""
    import time

    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def start_server(
    url: str, extra_env: dict[str, str] | None = None, workers: int = 1, threads: int = 4
) -> tuple[int, subprocess.Popen[bytes]]:
    """Start `sote-flow serve --workers N` on a free loopback port; return it once it is healthy."""
    from tests.support.factories import TEST_SECRET

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    env = {
        **os.environ,
        "SOTE_FLOW_DATABASE_URL": url,
        "SOTE_FLOW_SECRET_KEY": TEST_SECRET,
        **(extra_env or {}),
    }
    command = [
        *(sys.executable, "-m", "sote_flow.cli", "serve", "--host", "127.0.0.1"),
        *("--port", str(port), "--workers", str(workers), "--threads", str(threads)),
    ]
    # gunicorn logs each worker's boot and exit on stderr: kept out of the bench's figures.
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    # The master listens before its workers have built the app: wait until one answers.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return port, process
            conn.close()
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.1)
    process.kill()
    raise SystemExit("the server process did not start")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """Stop a server started by start_server (gracefully, then by force)."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def people(url: str, *diagrams: Path) -> str:
    """Deploy diagrams (their lane: `hakijat`), create their one user; return its API token."""
    from sote_flow.domain.clock import system_clock
    from sote_flow.services import accounts
    from tests.support.factories import (
        deploy,
        make_actor,
        make_groups,
        make_platform,
        make_uow_factory,
    )

    platform, uow = make_platform(url), make_uow_factory(url)
    make_groups(uow, "hakijat")
    for diagram in diagrams:
        deploy(platform, uow, system_clock, diagram)
    sanna = make_actor(uow, system_clock, "sanna", ["social_worker"], ["hakijat"])
    with uow() as unit:
        return accounts.issue_token(unit, system_clock, sanna, 8)


class Client:
    """One kept-alive HTTP connection with the bearer token; refuses any non-2xx answer."""

    def __init__(self, port: int, token: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """Send one request; return its JSON answer."""
        self.conn.request(method, path, json.dumps(body) if body else None, self.headers)
        response = self.conn.getresponse()
        payload = response.read()
        if response.status >= 300:
            raise SystemExit(f"{method} {path}: HTTP {response.status} {payload[:300]!r}")
        return json.loads(payload) if payload else None

    def my_task(self) -> str:
        """The one open task of mine (the previous instance's are all done)."""
        (task,) = self.call("GET", "/api/v1/tasks?scope=mine")["tasks"]
        return str(task["id"])

    def next_task(self, completed: dict[str, Any]) -> str:
        """The task that follows a completion: from its `next_tasks`, else from GET /tasks."""
        following = completed.get("next_tasks")
        if following is not None:
            (task,) = following
            return str(task["id"])
        return self.my_task()
