"""`sote-flow serve --workers 2`: a real multi-process server on loopback answers the API."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from sote_flow.domain.clock import system_clock
from sote_flow.services import accounts
from tests.support.factories import (
    DIAGRAMS,
    TEST_SECRET,
    deploy,
    make_actor,
    make_groups,
    make_platform,
    make_uow_factory,
)

START_LIMIT = 60.0  # seconds for the server to answer /healthz: bounded, not a speed check


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(port: int, path: str, token: str | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _wait_healthy(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_LIMIT
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server exited"
        try:
            if _get(port, "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError("the server did not answer /healthz")


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()  # never leave a server running after the test
            server.wait(timeout=10)
            raise


def test_serve_with_two_workers_answers_an_authenticated_api_call(database_url):
    # The server process runs on the wall clock, so the token is issued on it too.
    platform, uow = make_platform(database_url), make_uow_factory(database_url)
    make_groups(uow, "hakijat", "kasittelijat")
    deploy(platform, uow, system_clock, DIAGRAMS / "approval.bpmn")
    sanna = make_actor(uow, system_clock, "sanna", ["social_worker"], ["hakijat"])
    with uow() as unit:
        token = accounts.issue_token(unit, system_clock, sanna, 1)
    port = _free_port()
    env = {
        **os.environ,
        "SOTE_FLOW_DATABASE_URL": database_url,
        "SOTE_FLOW_SECRET_KEY": TEST_SECRET,
    }
    command = [sys.executable, "-m", "sote_flow.cli", "serve", "--host", "127.0.0.1"]
    server = subprocess.Popen(
        [*command, "--port", str(port), "--workers", "2", "--threads", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_healthy(port, server)
        status, body = _get(port, "/api/v1/process-definitions", token)
        workers = _children(server.pid)
    finally:
        _stop(server)
    assert status == 200, body
    assert [d["key"] for d in json.loads(body)] == ["approval"]
    assert len(workers) == 2
    assert server.returncode == 0
