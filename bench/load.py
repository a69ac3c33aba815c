"""Benchmark: N API clients for T seconds against `sote-flow serve` on PostgreSQL.

One production server, `sote-flow serve --workers WORKERS` (gunicorn; default as `serve` picks:
2 × cores + 1), on a loopback port. Each client is a closed loop over the JSON API with its
own two users (an applicant and a reviewer; each reviewer finds the task through the instance
it reads, so clients never claim each other's): start an approval (POST /process-instances),
read it (GET, which lists its open task), claim the task, complete it. Every request's latency
and every error (a non-2xx answer or a broken connection) is recorded. Printed: requests and
whole rounds per second, p50/p99 per request kind, errors. Issue 17's check: 16 clients for
120 s, 0 errors (`--clients 16 --seconds 120`). Bounded in time and count; loopback only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from _common import databases, start_server, stop_server
from sote_flow.domain.clock import system_clock
from sote_flow.services import accounts
from sote_flow.web.server import DEFAULT_THREADS, default_workers
from tests.support.factories import (
    DIAGRAMS,
    deploy,
    make_actor,
    make_groups,
    make_platform,
    make_uow_factory,
)

CLIENTS, SECONDS = 16, 30
REQUEST = {"client_number": "1234567", "amount": 2}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--seconds", type=int, default=SECONDS)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    args = parser.parse_args()
    with databases(include_postgres=True) as urls:
        url = dict(urls)["PostgreSQL"]
        tokens = _people(url, args.clients)
        port, server = start_server(url, workers=args.workers, threads=args.threads)
        try:
            latencies, errors, rounds, elapsed = _drive([port], tokens, args.seconds)
        finally:
            stop_server(server)
    _report(args, latencies, errors, rounds, elapsed)


def _people(url: str, clients: int) -> list[tuple[str, str]]:
    """Deploy the approval diagram; return (applicant, reviewer) tokens, a pair per client."""
    platform, uow = make_platform(url), make_uow_factory(url)
    make_groups(uow, "hakijat", "kasittelijat")
    deploy(platform, uow, system_clock, DIAGRAMS / "approval.bpmn")
    tokens = []
    for n in range(clients):
        applicant = make_actor(uow, system_clock, f"hakija{n}", ["social_worker"], ["hakijat"])
        reviewer = make_actor(uow, system_clock, f"kasittelija{n}", ["producer_admin"],
                              ["kasittelijat"])  # fmt: skip
        pair = []
        for actor in (applicant, reviewer):
            with uow() as unit:
                pair.append(accounts.issue_token(unit, system_clock, actor, 2))
        tokens.append((pair[0], pair[1]))
    return tokens


Latencies = dict[str, list[float]]


def _drive(
    ports: list[int], tokens: list[tuple[str, str]], seconds: int
) -> tuple[Latencies, list[str], int, float]:
    log = Recorder()
    rounds = [0]
    stop_at = time.perf_counter() + seconds

    def client(number: int) -> None:
        applicant, reviewer = tokens[number]
        conn = http.client.HTTPConnection("127.0.0.1", ports[number % len(ports)], timeout=30)
        try:
            while time.perf_counter() < stop_at:
                ok = _round(conn, applicant, reviewer, log)
                with log.lock:
                    rounds[0] += ok
                if not ok:
                    conn.close()  # a fresh connection after an error
        finally:
            conn.close()

    began = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(len(tokens))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    return log.latencies, log.errors, rounds[0], time.perf_counter() - began


@dataclass
class Recorder:
    """The latencies per request kind and the errors of every client, under one lock."""

    latencies: Latencies = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _round(conn: http.client.HTTPConnection, applicant: str, reviewer: str, log: Recorder) -> bool:
    start = {"process_key": "approval", "data": REQUEST}
    started = _call(conn, log, "start", "POST", "/api/v1/process-instances", applicant, start)
    if started is None:
        return False
    instance = f"/api/v1/process-instances/{started['id']}"
    detail = _call(conn, log, "read", "GET", instance, reviewer, None)
    if detail is None or not detail.get("open_tasks"):
        return False
    task = f"/api/v1/tasks/{detail['open_tasks'][0]['id']}"
    if _call(conn, log, "claim", "POST", f"{task}/claim", reviewer, None) is None:
        return False
    answer = {"data": {"decision": "approve"}}
    return _call(conn, log, "complete", "POST", f"{task}/complete", reviewer, answer) is not None


def _call(
    conn: http.client.HTTPConnection,
    log: Recorder,
    kind: str,
    method: str,
    path: str,
    token: str,
    body: dict[str, Any] | None,
) -> dict[str, Any] | None:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    began = time.perf_counter()
    try:
        data = json.dumps(body) if body is not None else None
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        payload = response.read()
    except (OSError, http.client.HTTPException) as exc:
        with log.lock:
            log.errors.append(f"{kind}: {type(exc).__name__}")
        return None
    elapsed = time.perf_counter() - began
    with log.lock:
        log.latencies[kind].append(elapsed)
        if response.status >= 300:
            log.errors.append(f"{kind}: HTTP {response.status}")
            return None
    answer: dict[str, Any] = json.loads(payload) if payload else {}
    return answer


def _percentile(samples: list[float], q: int) -> float:
    if len(samples) < 2:
        return samples[0] * 1000 if samples else float("nan")
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1] * 1000


def _report(
    args: argparse.Namespace, latencies: Latencies, errors: list[str], rounds: int, elapsed: float
) -> None:
    requests = sum(len(v) for v in latencies.values())
    print(f"API load on PostgreSQL: {args.clients} clients × {args.seconds} s, one server: "
          f"gunicorn, {args.workers} workers × {args.threads} threads")  # fmt: skip
    print(f"  {requests} requests ({requests / elapsed:.0f}/s), {rounds} whole rounds "
          f"({rounds / elapsed:.1f}/s: start, read, claim, complete)")  # fmt: skip
    for kind in ("start", "read", "claim", "complete"):
        samples = latencies.get(kind, [])
        print(f"  {kind:<9} p50 {_percentile(samples, 50):6.1f} ms   "
              f"p99 {_percentile(samples, 99):6.1f} ms   ({len(samples)})")  # fmt: skip
    kinds: dict[str, int] = defaultdict(int)
    for error in errors:
        kinds[error] += 1
    print(f"  errors: {len(errors)}" + (f" {dict(kinds)}" if errors else "  OK"))
    if errors:
        raise SystemExit("the load run had errors")


if __name__ == "__main__":
    main()
