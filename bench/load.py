"""Benchmark: N API clients for T seconds against `sote-flow serve`, two scenarios.

One production server, `sote-flow serve --workers WORKERS` (gunicorn; default as `serve` picks:
2 × cores + 1), on a loopback port, over PostgreSQL (`--database postgresql`, the default) or a
SQLite file (`--database sqlite`). Each client is a closed loop over the JSON API on its own
kept-alive connection; every request's latency and every error (a non-2xx answer or a broken
connection) is recorded per request kind.

`--scenario rounds` (the default): each client has its own two users (an applicant and a
reviewer; each reviewer finds the task through the instance it reads, so clients never claim
each other's): start an approval (POST /process-instances), read it (GET, which lists its open
task), claim the task, complete it. Printed: requests and whole rounds per second, p50/p99 per
request kind, errors. Issue 17's check: 16 clients for 120 s, 0 errors
(`--clients 16 --seconds 120`).

`--scenario steps`: task completions per second (issue 19). The diagram: ten user tasks in a row,
each assigned to whoever started the instance (tests/support/diagrams/ten_steps.bpmn). Each client
starts an instance (POST /process-instances), reads it (GET, which lists its first open task) and
completes its ten tasks (POST /tasks/{id}/complete), each next task's id from the completion's
`next_tasks`; then the next instance, until time is up. Clients default to 16 on PostgreSQL, 8 on
SQLite. Printed: successful completions per second, p50/p99 of complete, start and read, errors,
the targets, then one JSON line. Issue 19's targets (`--scenario steps --seconds 60`): PostgreSQL
with 16 clients >= 150 completions/s and p99 of complete <= 100 ms; SQLite with 8 clients p99 of
complete <= 200 ms; both 0 errors.

Any error ends the run with a non-zero exit. Bounded in time and count; loopback only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from _common import databases, people, start_server, stop_server
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
DATABASES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
STEPS = 10  # user tasks in ten_steps.bpmn
STEPS_CLIENTS = {"PostgreSQL": 16, "SQLite": 8}
# Issue 19: (completions/s at least, p99 of complete in ms at most); 0 errors on both.
STEPS_TARGETS: dict[str, tuple[float | None, float]] = {
    "PostgreSQL": (150.0, 100.0),
    "SQLite": (None, 200.0),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=("rounds", "steps"), default="rounds")
    parser.add_argument("--database", choices=tuple(DATABASES), default="postgresql")
    parser.add_argument("--clients", type=int, default=None)
    parser.add_argument("--seconds", type=int, default=SECONDS)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    args = parser.parse_args()
    label = DATABASES[args.database]
    if args.clients is None:
        args.clients = STEPS_CLIENTS[label] if args.scenario == "steps" else CLIENTS
    with databases(include_postgres=label == "PostgreSQL") as urls:
        url = dict(urls)[label]
        if args.scenario == "steps":
            token = people(url, DIAGRAMS / "ten_steps.bpmn")
        else:
            tokens = _people(url, args.clients)
        port, server = start_server(url, workers=args.workers, threads=args.threads)
        try:
            if args.scenario == "steps":
                steps = _drive_steps(port, token, args.clients, args.seconds)
            else:
                latencies, errors, rounds, elapsed = _drive([port], tokens, args.seconds)
        finally:
            stop_server(server)
    if args.scenario == "steps":
        _report_steps(args, label, *steps)
    else:
        _report(args, latencies, errors, rounds, elapsed, label)


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

    elapsed = _run_clients(client, len(tokens), seconds)
    return log.latencies, log.errors, rounds[0], elapsed


def _run_clients(client: Callable[[int], None], clients: int, seconds: int) -> float:
    """Run client(0) … client(clients - 1) in threads; return the seconds until all ended."""
    began = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    return time.perf_counter() - began


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


def _drive_steps(
    port: int, token: str, clients: int, seconds: int
) -> tuple[Latencies, list[str], int, float]:
    """Clients start ten_steps instances and complete their tasks; return the instances done."""
    log = Recorder()
    instances = [0]
    stop_at = time.perf_counter() + seconds

    def client(number: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            while time.perf_counter() < stop_at:
                done = _instance(conn, token, log, stop_at, f"kuorma {number}")
                if done is None:
                    conn.close()  # a fresh connection after an error
                with log.lock:
                    instances[0] += bool(done)
        finally:
            conn.close()

    elapsed = _run_clients(client, clients, seconds)
    return log.latencies, log.errors, instances[0], elapsed


def _instance(
    conn: http.client.HTTPConnection, token: str, log: Recorder, stop_at: float, subject: str
) -> bool | None:
    """Start one instance, read it, complete its tasks while time lasts.

    True: all ten done; False: time ran out first; None: an error (recorded).
    """
    body = {"process_key": "ten_steps", "data": {"subject": subject}}
    started = _call(conn, log, "start", "POST", "/api/v1/process-instances", token, body)
    if started is None:
        return None
    instance = f"/api/v1/process-instances/{started['id']}"
    detail = _call(conn, log, "read", "GET", instance, token, None)
    if detail is None:
        return None
    if not detail.get("open_tasks"):
        _failed(log, "read: no open task")
        return None
    task_id = detail["open_tasks"][0]["id"]
    done: dict[str, Any] = {}
    for step in range(1, STEPS + 1):
        if time.perf_counter() >= stop_at:
            return False
        note = {"data": {"note": f"vaihe {step}"}}
        path = f"/api/v1/tasks/{task_id}/complete"
        answer = _call(conn, log, "complete", "POST", path, token, note)
        if answer is None:
            return None
        done = answer
        if step < STEPS:
            following = done.get("next_tasks") or []
            if not following:
                _failed(log, "complete: no next task")
                return None
            task_id = following[0]["id"]
    if done.get("status") != "completed":
        _failed(log, f"complete: instance {done.get('status')} after {STEPS} steps")
        return None
    return True


def _failed(log: Recorder, error: str) -> None:
    with log.lock:
        log.errors.append(error)


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
    args: argparse.Namespace,
    latencies: Latencies,
    errors: list[str],
    rounds: int,
    elapsed: float,
    label: str = "PostgreSQL",
) -> None:
    requests = sum(len(v) for v in latencies.values())
    print(f"API load on {label}: {args.clients} clients × {args.seconds} s, one server: "
          f"gunicorn, {args.workers} workers × {args.threads} threads")  # fmt: skip
    print(f"  {requests} requests ({requests / elapsed:.0f}/s), {rounds} whole rounds "
          f"({rounds / elapsed:.1f}/s: start, read, claim, complete)")  # fmt: skip
    for kind in ("start", "read", "claim", "complete"):
        samples = latencies.get(kind, [])
        print(f"  {kind:<9} p50 {_percentile(samples, 50):6.1f} ms   "
              f"p99 {_percentile(samples, 99):6.1f} ms   ({len(samples)})")  # fmt: skip
    _report_errors(errors)


def _report_errors(errors: list[str]) -> None:
    kinds: dict[str, int] = defaultdict(int)
    for error in errors:
        kinds[error] += 1
    print(f"  errors: {len(errors)}" + (f" {dict(kinds)}" if errors else "  OK"))
    if errors:
        raise SystemExit("the load run had errors")


def _report_steps(
    args: argparse.Namespace,
    label: str,
    latencies: Latencies,
    errors: list[str],
    instances: int,
    elapsed: float,
) -> None:
    kinds = ("complete", "start", "read")
    completions = len(latencies.get("complete", []))
    per_second = completions / elapsed
    p50 = {kind: _percentile(latencies.get(kind, []), 50) for kind in kinds}
    p99 = {kind: _percentile(latencies.get(kind, []), 99) for kind in kinds}
    print(f"Task completions on {label}: {args.clients} clients × {args.seconds} s, ten_steps "
          f"(10 user tasks), one server: gunicorn, {args.workers} workers × {args.threads} "
          "threads")  # fmt: skip
    print(f"  {completions} completions in {elapsed:.1f} s: {per_second:.1f} completions/s; "
          f"{instances} whole instances ({instances / elapsed:.1f}/s)")  # fmt: skip
    for kind in kinds:
        print(f"  {kind:<9} p50 {p50[kind]:6.1f} ms   p99 {p99[kind]:6.1f} ms   "
              f"({len(latencies.get(kind, []))})")  # fmt: skip
    least_rate, most_p99 = STEPS_TARGETS[label]
    met = not errors and p99["complete"] <= most_p99
    wanted = f"p99 of complete <= {most_p99:.0f} ms, 0 errors"
    if least_rate is not None:
        met = met and per_second >= least_rate
        wanted = f">= {least_rate:.0f} completions/s, {wanted}"
    print(f"  target on {label} (issue 19: 60 s, 16 clients on PostgreSQL, 8 on SQLite): "
          f"{wanted} -> {'met' if met else 'MISSED'}")  # fmt: skip
    figures = {
        "scenario": "steps",
        "database": label,
        "clients": args.clients,
        "seconds": args.seconds,
        "workers": args.workers,
        "threads": args.threads,
        "elapsed_s": round(elapsed, 2),
        "completions": completions,
        "completions_per_s": round(per_second, 1),
        "instances": instances,
        "p50_ms": {kind: round(value, 1) for kind, value in p50.items()},
        "p99_ms": {kind: round(value, 1) for kind, value in p99.items()},
        "errors": len(errors),
        "target_met": met,
    }
    print(json.dumps(figures))
    _report_errors(errors)


if __name__ == "__main__":
    main()
