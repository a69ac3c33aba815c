"""Benchmark: the client-work municipality report over one year of 1,000,000 confirmed events.

A throw-away PostgreSQL (loopback only, removed afterwards) with 2026's work: 20,000 client
cases in 30 purchasing municipalities; 200 workers, each serving one or two services in one to
three municipalities (15 % of the work by any colleague); 15 products (kaynti, tunti and paiva
ones) whose prices change on 1 July (one has no price before April, so some work is unpriced);
1,000,000 confirmed events (about 8 % employee work without a case or municipality) plus
50,000 suggested or dismissed ones that the report leaves out; the cases' legal clocks. Rows go
in with COPY. Times `municipality_report` for the whole year, median of RUNS after a warm-up.
Target: <= 1 s on PostgreSQL. The statements of one run are timed too; `--explain` (or a
missed target) prints EXPLAIN ANALYZE of the slowest.
"""

from __future__ import annotations

import random
import sys
import time as timer
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, create_engine, insert, text

from _common import median_ms, timed
from calendar_slots import captured
from sote_flow.client_case.report import municipality_report
from sote_flow.domain.clock import FrozenClock
from sote_flow.persistence.database import make_engine
from sote_flow.persistence.migrate import upgrade_database
from sote_flow.persistence.models import ProcessVersion
from tests.support.factories import make_actor, make_uow_factory
from tests.support.postgres import PostgresServer

EVENTS = 1_000_000
OTHER_EVENTS = 50_000  # suggested or dismissed: not counted
CASES = 20_000
WORKERS = 200
RUNS = 5
TARGET_MS = 1000.0
YEAR = 2026
NOW = datetime(2027, 1, 15, 8, 0, tzinfo=UTC)
MUNICIPALITIES = tuple(f"Kunta {n:02d}" for n in range(1, 31))
SERVICES = ("kotipalvelu", "perhetyo", "tukihenkilo", "sosiaalinen_kuntoutus", "kotihoito",
            "asumispalvelu", "omaishoidon_tuki")  # fmt: skip
# event type: (unit, price before July in cents or None, from July, weight among client work)
PRODUCTS: dict[str, tuple[str, int | None, int, int]] = {
    "asiakastapaaminen": ("kaynti", 8500, 8900, 30), "puhelu": ("kaynti", 1500, 1600, 20),
    "vaativa_tapaaminen": ("tunti", 9800, 10400, 6), "lausunto": ("kaynti", 9000, 9500, 2),
    "suunnitelma_laadittu": ("kaynti", 12000, 12500, 2), "kotikaynti": ("kaynti", 11000, 11600, 15),
    "suunnitelma_tarkistettu": ("kaynti", 6000, 6300, 3), "konsultaatio": ("tunti", 7000, 7400, 5),
    "neuvottelu": ("tunti", 8800, 9200, 7), "perhekuntoutus": ("paiva", 24000, 25500, 6),
    "tukiasuminen": ("paiva", 9500, 9900, 4), "tyonohjaus": ("tunti", 6500, 6800, 0),
    "koulutus": ("tunti", 5000, 5200, 0), "kehittamistyo": ("tunti", 5500, 5800, 0),
    "hallinto": ("tunti", None, 4500, 0),
}  # fmt: skip
CLIENT_TYPES = [k for k, v in PRODUCTS.items() if v[3]]
CLIENT_WEIGHTS = [PRODUCTS[k][3] for k in CLIENT_TYPES]
EMPLOYEE_TYPES = [k for k, v in PRODUCTS.items() if not v[3]]
MINUTES = (15, 30, 30, 45, 60, 60, 90, 120)
COLUMNS = ("instance_id", "client_number", "municipality", "service_key", "worker", "event_type",
           "occurred_on", "minutes", "status", "recorded_at", "recorded_by")  # fmt: skip
CLOCKS = (("arvio_alkaa", 9), ("arvio_valmis", 91), ("toimeenpano", 91))


def generate_events(cases: list[tuple[str, str, str]]) -> list[tuple[Any, ...]]:
    """Return the event rows: a year of work on the cases, and employee work."""
    rng = random.Random(2026)
    first = date(YEAR, 1, 1)
    days = [first + timedelta(days=i) for i in range(365)]
    weekdays = [d for d in days if d.weekday() < 5]
    recorded = datetime(YEAR, 6, 1, tzinfo=UTC)
    rows: list[tuple[Any, ...]] = []
    for n in range(EVENTS + OTHER_EVENTS):
        status = "confirmed" if n < EVENTS else rng.choice(("suggested", "dismissed"))
        day, minutes = rng.choice(weekdays), rng.choice(MINUTES)
        if rng.random() < 0.08:
            worker = f"tt{rng.randrange(WORKERS):03d}"
            event_type = rng.choice(EMPLOYEE_TYPES)
            rows.append((None, None, None, None, worker, event_type, day, minutes, status,
                         recorded, worker))  # fmt: skip
            continue
        case_id = rng.randrange(1, CASES + 1)
        municipality, service, worker = cases[case_id - 1]
        if rng.random() < 0.15:  # a colleague's visit or a substitute
            worker = f"tt{rng.randrange(WORKERS):03d}"
        event_type = rng.choices(CLIENT_TYPES, CLIENT_WEIGHTS)[0]
        rows.append((case_id, f"{5_000_000 + case_id}", municipality, service, worker,
                     event_type, day, minutes, status, recorded, worker))  # fmt: skip
    return rows


def generate_cases() -> list[tuple[str, str, str]]:
    """Return (municipality, service, responsible worker) of each case, by case number order."""
    rng = random.Random(36)
    workers = []
    for w in range(WORKERS):
        areas = rng.sample(MUNICIPALITIES, rng.randint(1, 3))
        services = rng.sample(SERVICES, rng.randint(1, 2))
        workers.append((f"tt{w:03d}", areas, services))
    cases = []
    for _ in range(CASES):
        username, areas, services = rng.choice(workers)
        cases.append((rng.choice(areas), rng.choice(services), username))
    return cases


def seed(url: str) -> None:
    """Write the catalogue, the cases with their clocks, and the events."""
    engine = make_engine(url)
    upgrade_database(engine)
    cases = generate_cases()
    events = generate_events(cases)
    rng = random.Random(45)
    with engine.begin() as connection:
        version = connection.execute(
            insert(ProcessVersion).returning(ProcessVersion.id),
            {"key": "client_case", "version": 1, "name": "Asiakasasia", "checksum": "c" * 64,
             "main_file": "client_case.bpmn", "files": {}, "deployed_by": "bench",
             "deployed_at": NOW - timedelta(days=800)},
        ).scalar_one()  # fmt: skip
        raw = connection.connection.dbapi_connection
        assert raw is not None
        cursor: Any = raw.cursor()
        start = datetime(YEAR - 1, 12, 1, tzinfo=UTC)
        tables: dict[str, tuple[tuple[str, ...], list[tuple[Any, ...]]]] = {
            "process_instances": (
                ("id", "process_version_id", "process_key", "status", "state", "started_by",
                 "started_at", "updated_at", "waits_for_messages", "revision"),
                [(i, version, "client_case", "running", b"", "bench", start, start, False, 1)
                 for i in range(1, CASES + 1)],
            ),
            "cases": (
                ("instance_id", "process_key", "case_number", "state", "urgent_rank", "columns",
                 "opened_at", "opened_on", "state_since"),
                [(i, "client_case", f"AS-{YEAR}-{i:05d}", "palvelu", 1, "{}", start,
                  start.date(), start) for i in range(1, CASES + 1)],
            ),
            "client_case_facts": (
                ("instance_id", "municipality", "service_key", "responsible", "opened_at"),
                [(i, m, s, w, start) for i, (m, s, w) in enumerate(cases, 1)],
            ),
            "case_clocks": (
                ("instance_id", "process_key", "key", "started_at", "started_on", "due_on",
                 "stopped_on"),
                _clock_rows(rng),
            ),
            "client_case_work_events": (COLUMNS, events),
        }  # fmt: skip
        for table, (columns, rows) in tables.items():
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        connection.execute(text("SELECT setval('process_instances_id_seq', :n)"), {"n": CASES})
        _catalogue(connection)
    # As autovacuum would have by then on a live server: statistics and the visibility map.
    with create_engine(url, isolation_level="AUTOCOMMIT").connect() as connection:
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def _clock_rows(rng: random.Random) -> list[tuple[Any, ...]]:
    rows = []
    for i in range(1, CASES + 1):
        started = date(YEAR, 1, 1) + timedelta(days=rng.randrange(340))
        for key, days in CLOCKS:
            due = started + timedelta(days=days)
            took = rng.randint(1, days + days // 5 + 2)
            stopped = started + timedelta(days=took) if rng.random() < 0.95 else None
            rows.append((i, "client_case", key, datetime.combine(started, datetime.min.time(),
                         UTC), started, due, stopped))  # fmt: skip
    return rows


def _catalogue(connection: Any) -> None:
    july = date(YEAR, 7, 1)
    for n, (event_type, (unit, spring, autumn, _)) in enumerate(PRODUCTS.items(), 1):
        connection.execute(
            text("INSERT INTO client_case_products (id, event_type, name, unit, created_at) "
                 "VALUES (:id, :t, :name, :unit, :at)"),
            {"id": n, "t": event_type, "name": event_type.capitalize(), "unit": unit, "at": NOW},
        )  # fmt: skip
        periods = [(date(YEAR - 1, 1, 1), july - timedelta(days=1), spring), (july, None, autumn)]
        if spring is None:  # priced only from April on: the first quarter's work is unpriced
            periods = [(date(YEAR, 4, 1), july - timedelta(days=1), autumn), (july, None, autumn)]
        for valid_from, valid_until, cents in periods:
            connection.execute(
                text("INSERT INTO client_case_prices (product_id, valid_from, valid_until, "
                     "price_cents, set_at, set_by) VALUES (:p, :f, :u, :c, :at, 'bench')"),
                {"p": n, "f": valid_from, "u": valid_until, "c": cents, "at": NOW},
            )  # fmt: skip


def measure(url: str, show_plans: bool) -> None:
    started = timer.perf_counter()
    seed(url)
    print(f"  seeded in {timer.perf_counter() - started:5.1f} s")
    uow, clock = make_uow_factory(url), FrozenClock(NOW)
    manager = make_actor(uow, clock, "paallikko", ["service_manager"])
    since, until = date(YEAR, 1, 1), date(YEAR, 12, 31)

    def run() -> Any:
        with uow() as unit:
            return municipality_report(manager, unit, clock, since, until)

    view = run()  # warm the connection pool and caches
    assert view.total.events == EVENTS, view.total
    samples = [timed(run) for _ in range(RUNS)]
    median = median_ms(samples)
    print(
        f"  {len(view.municipalities)} municipalities, {view.total.events:,} events, "
        f"{view.total.hours:,.0f} h, {(view.total.cost_cents or 0) / 100:,.0f} €, "
        f"{view.total.unpriced:,} unpriced; {len(view.services)} services, "
        f"{len(view.workers)} workers, {view.late_count:,} late clocks"
    )
    print(
        f"  municipality_report, whole year: median {median:7.1f} ms over {RUNS} runs "
        f"(min {min(samples) * 1000:.1f}, max {max(samples) * 1000:.1f}), "
        f"{median / TARGET_MS:4.2f} x the target {TARGET_MS:.0f} ms"
    )
    with uow() as unit:
        engine = unit.session.get_bind()
        assert isinstance(engine, Engine)
        with captured(engine) as statements:
            municipality_report(manager, unit, clock, since, until)
    for statement, _, took in statements:
        print(f"    {took * 1000:7.1f} ms  {' '.join(statement.split())[:90]}")
    if show_plans or median > TARGET_MS:
        explain(url, statements)


def explain(url: str, statements: list[tuple[str, Any, float]], top: int = 3) -> None:
    """Print EXPLAIN ANALYZE of the slowest reads (WITH … too)."""
    engine = create_engine(url)
    with engine.connect() as connection:
        reads = [s for s in statements if s[0].lstrip().upper().startswith(("SELECT", "WITH"))]
        for statement, parameters, took in sorted(reads, key=lambda s: -s[2])[:top]:
            print(f"    --- {took * 1000:.1f} ms: {' '.join(statement.split())[:120]}")
            plan = connection.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
            for (line,) in plan:
                print(f"      {line}")
        connection.rollback()
    engine.dispose()


def main() -> None:
    show_plans = "--explain" in sys.argv[1:]
    print(
        f"municipality report, {EVENTS:,} confirmed events of {YEAR} (+{OTHER_EVENTS:,} not "
        f"confirmed), {CASES:,} cases, {WORKERS} workers, {len(MUNICIPALITIES)} municipalities, "
        f"{len(PRODUCTS)} products; PostgreSQL"
    )
    with PostgresServer() as server:
        server.create_database("bench")
        measure(server.url("bench"), show_plans)


if __name__ == "__main__":
    main()
