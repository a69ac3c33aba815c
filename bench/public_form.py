"""Benchmark: the public contact form under a steady load, over HTTP, on PostgreSQL.

The app is served as in production: `sote-flow serve` (waitress) in WORKERS processes of their
own on loopback ports, as a multi-process server would run them behind its balancer (design
§3.3); one process would share a single core and the interpreter lock with the load. A
fixed-rate scheduler in this process starts one virtual client every 1/RATE s for SECONDS s,
each on a thread of a pool, round-robin over the workers: it GETs the form (session cookie and
CSRF token), then POSTs a contact. Every POST's latency is recorded. Target (issue 12): p99 <=
100 ms at 50 submissions/s; nothing lost (the contact rows by form equal the successful POSTs).
`--seconds N` for a short run, `--workers N` for another number of server processes.
"""

from __future__ import annotations

import argparse
import http.client
import re
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy import func, select

from _common import databases, start_server
from sote_flow.domain.clock import system_clock
from sote_flow.first_contact.models import ContactDetails
from sote_flow.web import create_app
from sote_flow.web.deps import unit_of_work
from tests.support.factories import PROCESSES, TEST_SECRET, deploy, make_groups

RATE = 50  # submissions per second
SECONDS = 60
TARGET_P99_MS = 100.0
CLIENTS = 64  # threads of the virtual clients' pool
WORKERS = 2  # server processes, one per core
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
GROUPS = ("asiakasneuvonta", "erityistyontekijat", "perhetyontekijat", "lastenvalvojat",
          "lapsiperheiden_avopalvelut")  # fmt: skip


@dataclass
class Outcome:
    """One virtual client's result: POST latency (s) and whether the contact was accepted."""

    post_seconds: float
    get_seconds: float
    accepted: bool
    lateness: float  # how late the client started against its slot, in seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=SECONDS, help="length of the run")
    parser.add_argument("--rate", type=int, default=RATE, help="submissions per second")
    parser.add_argument("--workers", type=int, default=WORKERS, help="server processes")
    args = parser.parse_args()
    with databases(include_postgres=True) as urls:
        url = dict(urls)["PostgreSQL"]
        app = create_app({"database_url": url, "secret_key": TEST_SECRET})
        with app.app_context():
            make_groups(unit_of_work, *GROUPS)
            deploy(app.extensions["sote_flow.platform"], unit_of_work, system_clock,
                   PROCESSES / "first_contact.bpmn")  # fmt: skip
        servers = [
            start_server(url, {"SOTE_FLOW_PUBLIC_FORM_LIMIT": str(1_000_000_000)})
            for _ in range(args.workers)
        ]
        try:
            ports = [port for port, _ in servers]
            for port in ports:
                _warm_up(port)
            began = time.perf_counter()
            outcomes = _drive(ports, args.rate, args.seconds)
            elapsed = time.perf_counter() - began
        finally:
            for _, process in servers:
                process.terminate()
                process.wait(timeout=10)
        with app.app_context(), unit_of_work() as uow:
            stored = uow.session.scalar(
                select(func.count())
                .select_from(ContactDetails)
                .where(ContactDetails.channel == "form")
            )
    print(f"  {args.workers} server processes (waitress, 8 threads each)")
    _report(outcomes, int(stored or 0) - len(servers), args.rate, elapsed)  # less the warm-ups


def _warm_up(port: int) -> None:
    # One submission first: the first request of a process loads templates and the diagram.
    outcome = _client([port], 0, time.perf_counter())
    if not outcome.accepted:
        raise SystemExit("the warm-up submission was refused")


def _drive(ports: list[int], rate: int, seconds: int) -> list[Outcome]:
    total = rate * seconds
    interval = 1.0 / rate
    futures = []
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        start = time.perf_counter()
        for i in range(1, total + 1):
            slot = start + (i - 1) * interval
            delay = slot - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            futures.append(pool.submit(_client, ports, i, slot))
        return [future.result() for future in futures]


def _client(ports: list[int], number: int, slot: float) -> Outcome:
    began = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", ports[number % len(ports)], timeout=30)
    try:
        conn.request("GET", "/yhteydenotto/")
        response = conn.getresponse()
        page = response.read().decode("utf-8")
        cookie = response.getheader("Set-Cookie", "").split(";", 1)[0]
        got = time.perf_counter()
        match = CSRF.search(page)
        if response.status != 200 or match is None or not cookie:
            return Outcome(0.0, got - began, False, began - slot)
        body = urlencode(
            {
                "csrf_token": match.group(1),
                "topic": "arki",
                "description": f"Kuormitustesti {number}: arki ei suju.",
                "callback_phone": "040 123 4567",
                "email": "",
                "preferred_time": "",
            }
        )
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
        sent = time.perf_counter()
        conn.request("POST", "/yhteydenotto/", body=body, headers=headers)
        answer = conn.getresponse()
        answer.read()
        done = time.perf_counter()
        accepted = answer.status == 302 and answer.getheader("Location", "").endswith("/kiitos")
        return Outcome(done - sent, got - began, accepted, began - slot)
    except OSError:
        return Outcome(0.0, 0.0, False, began - slot)
    finally:
        conn.close()


def _percentile(samples: list[float], q: int) -> float:
    if len(samples) < 2:
        return samples[0] * 1000 if samples else float("nan")
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1] * 1000


def _report(outcomes: list[Outcome], stored: int, rate: int, elapsed: float) -> None:
    accepted = [o for o in outcomes if o.accepted]
    posts = [o.post_seconds for o in accepted]
    p50, p99 = _percentile(posts, 50), _percentile(posts, 99)
    late = max((o.lateness for o in outcomes), default=0.0) * 1000
    done = len(outcomes) / elapsed
    print(f"Public contact form on PostgreSQL: {len(outcomes)} submissions offered at {rate}/s, "
          f"{len(accepted)} accepted in {elapsed:.1f} s ({done:.1f}/s done)")  # fmt: skip
    print(f"  POST latency: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {max(posts) * 1000:.1f} ms")
    gets = [o.get_seconds for o in accepted]
    print(f"  GET (form) latency: p50 {_percentile(gets, 50):.1f} ms, "
          f"p99 {_percentile(gets, 99):.1f} ms; worst client start lag {late:.0f} ms")  # fmt: skip
    ratio = p99 / TARGET_P99_MS
    verdict = "OK" if ratio <= 1 else "OVER TARGET"
    print(f"  p99 / target ({TARGET_P99_MS:.0f} ms) = {ratio:.2f}  {verdict}")
    lost = len(accepted) - stored
    print(f"  stored contacts by form: {stored}, accepted POSTs: {len(accepted)}, "
          f"lost: {lost}  {'OK' if lost == 0 else 'MISMATCH'}")  # fmt: skip
    if lost != 0 or len(accepted) != len(outcomes):
        raise SystemExit("submissions were refused or lost")


if __name__ == "__main__":
    main()
