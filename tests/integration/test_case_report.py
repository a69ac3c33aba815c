"""The generic case report against hand-computed figures (Finnish weekdays, legal clocks)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from sote_flow.domain.case_statistics import Durations
from sote_flow.domain.clock import FrozenClock
from sote_flow.services import tasks
from sote_flow.services.case_report import CaseReportQuery, case_report
from tests.support.factories import DIAGRAMS, deploy, make_actor, make_groups, start
from tests.support.orders import OrderDriver, make_order_people


def at(day: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, 8, 0, tzinfo=UTC)  # 10.00 in Helsinki


@pytest.fixture
def world(platform, uow):
    clock = FrozenClock(at(23))
    make_groups(uow, "hakijat", "kasittelijat")
    deploy(platform, uow, clock, DIAGRAMS / "application.bpmn")
    people = {
        "sanna": make_actor(uow, clock, "sanna", ["social_worker"], ["hakijat"]),
        "tuomas": make_actor(uow, clock, "tuomas", ["producer_admin"], ["kasittelijat"]),
        "paula": make_actor(uow, clock, "paula", ["service_manager"]),
    }
    return clock, people


def _open(platform, uow, clock, people, amount: int) -> int:
    data = {"client_number": "1234567", "amount": amount}
    return start(platform, uow, clock, people["sanna"], "application", data).id


def _decide(platform, uow, clock, people, instance_id: int) -> None:
    with uow() as unit:
        (task,) = unit.tasks.for_instance(instance_id)
    with uow() as unit:
        tasks.complete_task(
            platform, people["tuomas"], unit, clock, task.id, {"decision": "approve"}
        )


def test_report_figures_match_the_hand_computed_ones(platform, uow, world):
    clock, people = world
    a = _open(platform, uow, clock, people, 50)  # Mon 23.11., decided Wed 25.11.: 2 weekdays
    b = _open(platform, uow, clock, people, 5000)  # Mon 23.11., decided Fri 4.12.: 9, late
    clock.now = at(24)
    c = _open(platform, uow, clock, people, 50)  # Tue 24.11., still open on 10.12.: late
    clock.now = at(25)
    _decide(platform, uow, clock, people, a)
    clock.now = at(28)
    d = _open(platform, uow, clock, people, 50)  # Sat 28.11.: counts from Mon 30.11.
    clock.now = at(30)
    _decide(platform, uow, clock, people, d)  # 0 weekdays
    clock.now = at(4, 12)
    _decide(platform, uow, clock, people, b)
    clock.now = at(10, 12)
    query = CaseReportQuery("application", date(2026, 11, 23), date(2026, 11, 30))
    with uow() as unit:
        report = case_report(platform, people["tuomas"], unit, clock, query)
    assert report.total.opened == 4
    # Weekdays to "ratkaistu": 0, 2, 9 -> median 2; p90 at 1.8 of 2: 2 + 0.8 * 7 = 7.6
    assert report.total.milestones == [Durations(3, 2.0, 7.6)]
    assert [length for _, length in report.queue_per_day] == [2, 3, 2, 2, 2, 3, 3, 2]
    (compliance,) = report.compliance
    assert (compliance.met, compliance.running, compliance.share_met) == (2, 0, 50.0)
    late = [(x.instance_id, x.due_on, x.stopped_on) for x in compliance.late]
    assert sorted(late) == sorted(
        [(b, date(2026, 12, 2), date(2026, 12, 4)), (c, date(2026, 12, 3), None)]
    )
    with uow() as unit:
        by_amount = case_report(
            platform, people["tuomas"], unit, clock,
            CaseReportQuery("application", date(2026, 11, 23), date(2026, 11, 30),
                            dimension="amount"),
        )  # fmt: skip
    with uow() as unit:
        # The manager's report over every group reads without joining the cases: same figures.
        whole = case_report(platform, people["paula"], unit, clock, query)
    assert (whole.total, whole.queue_per_day) == (report.total, report.queue_per_day)
    assert [(c.met, c.late_count, c.running) for c in whole.compliance] == [(2, 2, 0)]
    rows = {row.value: (row.opened, row.milestones) for row in by_amount.rows}
    assert rows == {"50": (3, [Durations(2, 1.0, 1.8)]), "5000": (1, [Durations(1, 9.0, 9.0)])}


def test_weekdays_between_two_milestones(platform, uow):
    clock = FrozenClock(at(23))  # Mon 23.11.
    people = make_order_people(platform, uow, clock)
    driver = OrderDriver(platform, uow, clock, people)
    driver.order()
    clock.now = at(24)
    driver.take()  # otettu: Tue 24.11.
    clock.now = at(26)
    driver.plan()  # suunniteltu: Thu 26.11.
    clock.now = at(30)
    driver.record_start()  # alkanut: Mon 30.11.
    query = CaseReportQuery(
        "service_order", date(2026, 11, 23), date(2026, 11, 30), from_milestone="otettu"
    )
    with uow() as unit:
        report = case_report(platform, people.manager, unit, clock, query)
    assert [d.median for d in report.total.milestones] == [0.0, 2.0, 4.0, None]  # not ended
    with uow() as unit:
        pending = case_report(
            platform, people.manager, unit, clock, replace(query, from_milestone=None)
        )
    assert [d.median for d in pending.total.milestones] == [1.0, 3.0, 5.0, None]
