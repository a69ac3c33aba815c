"""Benchmark: server time of every page, per demo role, on the demo data (issue 15).

Seeds the demo (users, diagrams, calendars, each package's sample cases) into a temporary SQLite
database, builds the app and drives it in-process with Flask's test client, so the figures are
server time without the network. For each demo user it times the login, then discovers the pages
from the main navigation plus the first instance, history, task, order, case, report and modeler
page linked from them, times the first (cold) request of each, then times it RUNS times. Prints
per page: role, path, first, median, p90, status, SQL statements per request and how many runs
took over the target. The password hash's own cost is printed apart from the login's.
Target: every page <= 150 ms. Prints only; never fails. Usage: pages.py [RUNS] [--user NAME]
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from flask.testing import FlaskClient
from sqlalchemy import event

from _common import ROOT, p90_ms
from sote_flow.config import load_settings
from sote_flow.domain.clock import system_clock
from sote_flow.persistence.database import make_engine, make_session_factory
from sote_flow.persistence.migrate import upgrade_database
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.accounts import hash_password
from sote_flow.services.demo import DEMO_PASSWORD, DEMO_USERS, seed_demo
from sote_flow.services.platform import Platform
from sote_flow.web import create_app
from tests.support.factories import TEST_SECRET

TARGET_MS = 150.0
# Pages worth timing besides the navigation: the first link of each kind found on a nav page.
DETAIL_PAGES = {
    "instance": re.compile(r"^/instances/\d+$"),
    "history": re.compile(r"^/instances/\d+/history$"),
    "task": re.compile(r"^/tasks/[0-9a-f-]{36}$"),
    "order": re.compile(r"^/orders/\d+$"),
    "queue": re.compile(r"^/cases/[\w-]+/$"),
    "case report": re.compile(r"^/cases/[\w-]+/report$"),
    "client case": re.compile(r"^/client-cases/\d+$"),
    "contact": re.compile(r"^/contacts/\d+$"),
    "family-law matter": re.compile(r"^/family-law/\d+$"),
    "start form": re.compile(r"^/processes/[\w-]+/start$"),
    "modeler": re.compile(r"^/process-admin/[\w-]+/modeler$"),
    "process instances": re.compile(r"^/process-admin/[\w-]+/instances$"),
    "version diff": re.compile(r"^/process-admin/[\w-]+/diff$"),
}
NAV = re.compile(r"<nav\b[^>]*>(.*?)</nav>", re.S)
HREF = re.compile(r'href="(/[^"#?]*)(?:[?#][^"]*)?"')
SKIP = re.compile(r"^/(static|logout|login|yhteydenotto|perheasiat|ical|lataa)\b")


@dataclass
class Row:
    role: str
    path: str
    status: int
    samples: list[float]
    statements: int
    first: float = 0.0


class StatementCounter:
    """Counts SQL statements sent on an engine (N+1 queries show up as large counts)."""

    def __init__(self, engine: Any) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_: object) -> None:
        self.count += 1


def seed(url: str) -> None:
    """Create the schema and the demo data, as `sote-flow demo --seed-only` does."""
    engine = make_engine(url)
    upgrade_database(engine)
    settings = load_settings(override={"database_url": url}, require_secret=False)
    sessions = make_session_factory(engine)
    seed_demo(Platform(settings), lambda: UnitOfWork(sessions), system_clock, ROOT / "processes")
    engine.dispose()


def log_in(client: FlaskClient, username: str) -> float:
    """Log in through the form; return the seconds the POST took."""
    page = client.get("/login").get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    data = {
        "username": username,
        "password": DEMO_PASSWORD,
        "csrf_token": match[1] if match else "",
    }
    start = time.perf_counter()
    response = client.post("/login", data=data)
    elapsed = time.perf_counter() - start
    if response.status_code != 302:
        raise SystemExit(f"login as {username} failed: {response.status_code}")
    return elapsed


class FirstFetches:
    """Gets pages and keeps how long each path's first fetch in this app took (cold caches)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def get(self, client: FlaskClient, path: str) -> tuple[int, str]:
        """Fetch a page; return its status and text."""
        start = time.perf_counter()
        response = client.get(path)
        self.seconds.setdefault(path, time.perf_counter() - start)
        return response.status_code, response.get_data(as_text=True)


def discover(client: FlaskClient, fetches: FirstFetches) -> list[str]:
    """Return the navigation's pages and the first detail page of each kind linked from them."""
    # Two levels deep: a queue links its report, the process list its modeler.
    home = fetches.get(client, "/")[1]
    nav = [p for block in NAV.findall(home) for p in HREF.findall(block) if not SKIP.match(p)]
    pages = list(dict.fromkeys(["/", *nav]))
    found: dict[str, str] = {}
    frontier = pages
    for _ in range(2):
        before = set(found.values())
        for path in frontier:
            for link in HREF.findall(fetches.get(client, path)[1]):
                for kind, pattern in DETAIL_PAGES.items():
                    if kind not in found and pattern.match(link):
                        found[kind] = link
        frontier = [p for p in found.values() if p not in before]
    if "instance" in found and "history" not in found:
        found["history"] = found["instance"] + "/history"
    return list(dict.fromkeys([*pages, *found.values()]))


def time_pages(
    client: FlaskClient,
    role: str,
    paths: list[str],
    runs: int,
    counter: StatementCounter,
    fetches: FirstFetches,
) -> Iterator[Row]:
    """Warm each page once, then time it `runs` times."""
    for path in paths:
        status, _ = fetches.get(client, path)
        before = counter.count
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            client.get(path)
            samples.append(time.perf_counter() - start)
        yield Row(
            role, path, status, samples, (counter.count - before) // runs, fetches.seconds[path]
        )


def print_row(row: Row) -> None:
    """One line per page; the slow ones are marked."""
    median = statistics.median(row.samples) * 1000
    p90 = p90_ms(row.samples) if len(row.samples) > 1 else median
    over = sum(1 for s in row.samples if s * 1000 > TARGET_MS)
    mark = "  <-- slow" if median > TARGET_MS else ""
    print(
        f"{row.role:<40} {row.path:<48} {row.first * 1000:8.1f} {median:8.1f} {p90:8.1f} "
        f"{row.status:6} {row.statements:5} {over:3}/{len(row.samples)}{mark}"
    )


def measure(url: str, runs: int, only: str | None) -> list[Row]:
    """Time the login and every discovered page for each demo user (or only one)."""
    app = create_app({"database_url": url, "secret_key": TEST_SECRET})
    with app.app_context():
        from sote_flow.web.extensions import db

        counter = StatementCounter(db.engine)
    rows: list[Row] = []
    fetches = FirstFetches()  # shared by all users: "first" is the app's first fetch of a path
    print(
        f"{'role':<40} {'path':<48} {'first':>8} {'median':>8} {'p90':>8} {'status':>6} "
        f"{'sql':>5} >150ms"
    )
    for user in DEMO_USERS:
        if only and user.username != only:
            continue
        role = f"{user.username} ({','.join(user.roles)})"
        logins = [log_in(app.test_client(), user.username) for _ in range(max(3, runs // 2))]
        rows.append(Row(role, "POST /login", 302, logins, 0))
        print_row(rows[-1])
        client = app.test_client()
        log_in(client, user.username)
        paths = discover(client, fetches)
        for row in time_pages(client, role, paths, runs, counter, fetches):
            rows.append(row)
            print_row(row)
    return rows


def password_hash_cost(runs: int) -> float:
    """Median seconds of one verification of a password hash as the login stores it."""
    stored = hash_password(DEMO_PASSWORD)
    # Verification reads the cost parameters from the stored hash, as the login's does.
    hasher = PasswordHasher()
    return statistics.median(
        _timed(lambda: hasher.verify(stored, DEMO_PASSWORD)) for _ in range(runs)
    )


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    """Seed, measure, print a summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="?", type=int, default=10)
    parser.add_argument("--user", help="only this demo user")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp)}/pages.db"
        start = time.perf_counter()
        seed(url)
        print(f"demo data seeded in {time.perf_counter() - start:.1f} s; {args.runs} runs a page")
        rows = measure(url, args.runs, args.user)
    hash_ms = password_hash_cost(5) * 1000
    slow = [r for r in rows if statistics.median(r.samples) * 1000 > TARGET_MS]
    print(f"\npassword hash verification alone (argon2, as stored): {hash_ms:.1f} ms median")
    print(f"{len(slow)} of {len(rows)} pages over {TARGET_MS:.0f} ms (median):")
    for row in slow:
        print(f"  {row.role} {row.path}: {statistics.median(row.samples) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
