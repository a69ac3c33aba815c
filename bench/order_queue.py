"""Benchmark: a producer group's order queue (first page, counts per state) with 50,000 orders.

Orders in mixed states over two producer groups; the queue reads only the service_orders
projection. Also times the queue report: one group's last 30 days, and all 50,000 orders
(the manager, every group, the 181 days they arrived in). Target (issue 3): first page
median <= 100 ms.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from _common import databases, median_ms, p90_ms, timed
from sote_flow.domain.clock import FrozenClock
from sote_flow.persistence.models import ProcessInstance, ProcessVersion
from sote_flow.service_order.models import OrderRound, OrderStateChange, ServiceOrder
from sote_flow.service_order.queue import QueueFilters, list_queue
from sote_flow.service_order.report import ReportQuery, order_report
from sote_flow.services.actors import Actor
from tests.support.factories import make_platform, make_uow_factory
from tests.support.orders import GROUP, make_order_people

ORDERS = 50_000
RUNS = 30
REPORT_RUNS = 5
STATES = ("saapunut", "kasittelyssa", "jonossa", "kasitelty", "peruttu")
SERVICES = ("perhetyo", "lapsiperheiden_kotipalvelu", "psykososiaalinen_kotikuntoutus")
TOWNS = ("Hamina", "Kotka", "Kouvola", "Miehikkälä", "Pyhtää", "Virolahti")
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
ROUND_FIELDS = ("instance_id", "queued_at", "taken_at", "planned_start", "started_on")


def seed(url: str):  # type: ignore[no-untyped-def]
    platform, uow = make_platform(url), make_uow_factory(url)
    clock = FrozenClock(NOW)
    people = make_order_people(platform, uow, clock)
    rng = random.Random(7)
    with uow() as unit:
        version_id = unit.session.scalar(select(ProcessVersion.id))
        instances, orders, rounds, changes = [], [], [], []
        for i in range(1, ORDERS + 1):
            received = NOW - timedelta(days=rng.randint(0, 180), minutes=rng.randint(0, 600))
            state = rng.choice(STATES)
            group = GROUP if i % 2 else "lapsiperheiden_avopalvelut"
            instances.append({
                "id": i, "process_version_id": version_id, "process_key": "service_order",
                "status": "running", "state": b"", "started_by": "sofia",
                "started_at": received, "updated_at": received, "revision": 1,
            })  # fmt: skip
            orders.append({
                "instance_id": i, "order_number": f"PT-2026-{i:06d}", "producer_group": group,
                "state": state, "service": rng.choice(SERVICES),
                "urgency": "kiireellinen" if i % 10 == 1 else "tavallinen",
                "urgency_rank": 0 if i % 10 == 1 else 1, "municipality": rng.choice(TOWNS),
                "orderer": "sofia", "received_at": received, "queued_at": received,
                "taken_at": None if state == "saapunut" else received + timedelta(days=2),
                "planned_start": _day(received, 10) if state in ("jonossa", "kasitelty") else None,
                "started_on": _day(received, 12) if state == "kasitelty" else None,
                "waiting_for_info": False,
                "return_count": 0, "client_number": f"{1000000 + i}",
            })  # fmt: skip
            # The report counts rounds: each seeded order has its first (and only) one.
            rounds.append({key: orders[-1][key] for key in ROUND_FIELDS} | {"round": 1})
            changes.append({"instance_id": i, "producer_group": group, "at": received,
                            "state": "saapunut"})  # fmt: skip
            if state != "saapunut":
                changes.append({"instance_id": i, "producer_group": group, "state": state,
                                "at": received + timedelta(days=2)})  # fmt: skip
        unit.session.execute(insert(ProcessInstance), instances)
        unit.session.execute(insert(ServiceOrder), orders)
        unit.session.execute(insert(OrderRound), rounds)
        unit.session.execute(insert(OrderStateChange), changes)
        unit.commit()
    return platform, uow, clock, people


def _day(received: datetime, days: int) -> str:
    return (received + timedelta(days=days)).date().isoformat()


def measure(label: str, url: str) -> None:
    platform, uow, clock, people = seed(url)

    def first_page() -> None:
        with uow() as unit:
            page = list_queue(platform, people.admin, unit, clock, QueueFilters(group=GROUP), 1, 25)
            assert len(page.rows) == 25 and page.rows[0].order.urgency_rank == 0

    def report(actor: Actor, query: ReportQuery, received: int | None) -> Callable[[], None]:
        def run() -> None:
            with uow() as unit:
                result = order_report(platform, actor, unit, clock, query)
            assert received is None or result.total.received == received

        return run

    month = ReportQuery(NOW.date() - timedelta(days=29), NOW.date(), GROUP)
    # Every order: the manager, all groups, the 182 days the orders arrived in (180 days + 10 h).
    whole = ReportQuery(NOW.date() - timedelta(days=181), NOW.date())
    group_month, everything = (
        report(people.admin, month, None),
        report(people.manager, whole, ORDERS),
    )

    first_page()  # warm the connection pool and caches
    samples = [timed(first_page) for _ in range(RUNS)]
    print(
        f"  {label:<11} queue first page: median {median_ms(samples):6.2f} ms, "
        f"p90 {p90_ms(samples):6.2f} ms (target median <= 100 ms)"
    )
    for name, run in (("one group, 30 days", group_month), ("all 50,000 orders", everything)):
        run()  # warm
        report_samples = [timed(run) for _ in range(REPORT_RUNS)]
        print(
            f"  {label:<11} report, {name:<18}: median {median_ms(report_samples):6.0f} ms, "
            f"p90 {p90_ms(report_samples):6.0f} ms"
        )


def main() -> None:
    print(f"order queue, {ORDERS} orders in 5 states over 2 groups, {RUNS} runs")
    with databases() as urls:
        for label, url in urls:
            measure(label, url)


if __name__ == "__main__":
    main()
