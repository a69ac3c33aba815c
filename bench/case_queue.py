"""Benchmark: the generic case queue and report with 50,000 cases of two processes.

Cases of service_order and of a second process (application), in mixed states over three
groups, each with its state changes and legal clock, written straight into the case tables.
Times a group's first queue page (counts per state, access-log rows written) and the report
over all 50,000 cases of both processes (the manager, every group, the 182 days they were
opened in). Targets (issue 10): first page median <= 20 ms on PostgreSQL; the report over
all cases <= 250 ms on both databases.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import create_engine, insert, select, text

from _common import databases, median_ms, p90_ms, timed
from sote_flow.domain.clock import FrozenClock
from sote_flow.domain.weekdays import FINNISH_TIME
from sote_flow.persistence.models import (
    Case,
    CaseClock,
    CaseStateChange,
    ProcessInstance,
    ProcessVersion,
)
from sote_flow.services.case_queue import CaseQueueQuery, list_case_queue
from sote_flow.services.case_report import CaseReportQuery, case_report
from tests.support.factories import (
    DIAGRAMS,
    deploy,
    make_actor,
    make_groups,
    make_platform,
    make_uow_factory,
)
from tests.support.orders import GROUP, make_order_people

CASES = 50_000
RUNS = 30
REPORT_RUNS = 5
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
PROCESSES = {
    "service_order": (("saapunut", "kasittelyssa", "jonossa", "kasitelty", "peruttu"),
                      (GROUP, "lapsiperheiden_avopalvelut"), "aloitus", 91),
    "application": (("kasittelyssa", "taydennettava", "ratkaistu"), ("kasittelijat",),
                    "ratkaisu", 9),
}  # fmt: skip
CLOSED = {"kasitelty", "peruttu", "ratkaistu"}


def seed(url: str):  # type: ignore[no-untyped-def]
    platform, uow = make_platform(url), make_uow_factory(url)
    clock = FrozenClock(NOW)
    people = make_order_people(platform, uow, clock)
    make_groups(uow, "hakijat", "kasittelijat")
    deploy(platform, uow, clock, DIAGRAMS / "application.bpmn")
    make_actor(uow, clock, "kaisa", ["producer_admin"], ["kasittelijat"])
    rng = random.Random(11)
    with uow() as unit:
        versions = dict(unit.session.execute(select(ProcessVersion.key, ProcessVersion.id)).all())
        instances, cases, changes, clocks = [], [], [], []
        for i in range(1, CASES + 1):
            key = "service_order" if i % 2 else "application"
            states, groups, clock_key, due_days = PROCESSES[key]
            opened = NOW - timedelta(days=rng.randint(0, 180), minutes=rng.randint(0, 600))
            state, group = rng.choice(states), rng.choice(groups)
            moved = opened + timedelta(days=rng.randint(1, 20))
            instances.append({
                "id": i, "process_version_id": versions[key], "process_key": key,
                "status": "running", "state": b"", "started_by": "sofia",
                "started_at": opened, "updated_at": moved, "revision": 1,
            })  # fmt: skip
            cases.append({
                "instance_id": i, "process_key": key, "case_number": f"X-2026-{i:06d}",
                "state": state, "group_name": group, "urgent_rank": 0 if i % 10 == 1 else 1,
                "columns": {"municipality": "Kotka", "amount": i % 7},
                "client_number": f"{1000000 + i}", "opened_at": opened,
                "opened_on": _day(opened), "state_since": moved,
                "closed_at": moved if state in CLOSED else None,
            })  # fmt: skip
            changes.append({"instance_id": i, "process_key": key, "group_name": group,
                            "at": opened, "on_day": _day(opened), "state": states[0],
                            "open_delta": 1, "first_entry": True,
                            "opened_on": _day(opened)})  # fmt: skip
            if state != states[0]:
                changes.append({"instance_id": i, "process_key": key, "group_name": group,
                                "at": moved, "on_day": _day(moved), "state": state,
                                "open_delta": -1 if state in CLOSED else 0,
                                "first_entry": True, "opened_on": _day(opened)})  # fmt: skip
            clocks.append({
                "instance_id": i, "process_key": key, "key": clock_key, "started_at": opened,
                "started_on": _day(opened),
                "due_on": opened.date() + timedelta(days=due_days),
                "stopped_at": moved if state in CLOSED else None,
                "stopped_on": _day(moved) if state in CLOSED else None,
            })  # fmt: skip
        unit.session.execute(insert(ProcessInstance), instances)
        unit.session.execute(insert(Case), cases)
        unit.session.execute(insert(CaseStateChange), changes)
        unit.session.execute(insert(CaseClock), clocks)
        unit.commit()
    if url.startswith("postgresql"):
        # As autovacuum would have by then on a live server: planner statistics and the
        # visibility map that lets the report read its covering indexes alone.
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("VACUUM ANALYZE"))
        engine.dispose()
    return platform, uow, clock, people


def _day(at: datetime) -> date:
    return at.astimezone(FINNISH_TIME).date()


def measure(label: str, url: str) -> None:
    platform, uow, clock, people = seed(url)

    def first_page() -> None:
        with uow() as unit:
            page = list_case_queue(
                platform, people.admin, unit, clock, CaseQueueQuery("service_order", GROUP)
            )
            assert len(page.rows) == 25 and page.rows[0].case.urgent_rank == 0

    since = NOW.date() - timedelta(days=181)

    def report(key: str) -> int:
        with uow() as unit:
            query = CaseReportQuery(key, since, date(2026, 11, 23))
            return case_report(platform, people.manager, unit, clock, query).total.opened

    def whole_report() -> None:
        assert report("service_order") + report("application") == CASES

    first_page()  # warm the connection pool and caches
    samples = [timed(first_page) for _ in range(RUNS)]
    print(
        f"  {label:<11} case queue first page: median {median_ms(samples):6.2f} ms, "
        f"p90 {p90_ms(samples):6.2f} ms (target median <= 20 ms on PostgreSQL)"
    )
    whole_report()  # warm
    report_samples = [timed(whole_report) for _ in range(REPORT_RUNS)]
    print(
        f"  {label:<11} report, all {CASES} cases of both processes, 182 days: "
        f"median {median_ms(report_samples):6.0f} ms, p90 {p90_ms(report_samples):6.0f} ms "
        "(target <= 250 ms)"
    )


def main() -> None:
    print(f"case queue, {CASES} cases of 2 processes over 3 groups, {RUNS} runs")
    with databases() as urls:
        for label, url in urls:
            measure(label, url)


if __name__ == "__main__":
    main()
