"""The generic case projection, legal clocks and queues, for two processes that declare cases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from sote_flow.domain.clock import FrozenClock
from sote_flow.domain.errors import PermissionDenied
from sote_flow.persistence.models import AccessLogEntry, Case, CaseClock, CaseStateChange
from sote_flow.service_order import actions
from sote_flow.services import tasks
from sote_flow.services.case_queue import CaseQueueQuery, case_queues, list_case_queue
from tests.support.factories import DIAGRAMS, deploy, make_actor, make_groups, start
from tests.support.orders import OrderDriver, make_order_people


@pytest.fixture
def people(platform, uow, clock):
    return make_order_people(platform, uow, clock)


@pytest.fixture
def driver(platform, uow, clock, people):
    return OrderDriver(platform, uow, clock, people)


def _case(uow, instance_id: int) -> Case:
    with uow() as unit:
        case = unit.cases.get(instance_id)
        assert case is not None
        return case


def _states(uow, instance_id: int) -> list[str]:
    with uow() as unit:
        query = (
            select(CaseStateChange.state)
            .where(CaseStateChange.instance_id == instance_id)
            .order_by(CaseStateChange.id)
        )
        return list(unit.session.scalars(query))


def _clocks(uow, instance_id: int) -> list[tuple[str, date, datetime | None]]:
    with uow() as unit:
        rows = unit.session.scalars(select(CaseClock).where(CaseClock.instance_id == instance_id))
        return [(c.key, c.due_on, c.stopped_at) for c in rows]


def test_an_order_is_a_case_through_its_states_with_its_legal_clock(driver, uow, clock):
    instance = driver.order(urgency="kiireellinen")
    case = _case(uow, instance.id)
    assert (case.state, case.group_name, case.urgent_rank) == (
        "saapunut",
        "psykososiaalinen_kotikuntoutus",
        0,
    )
    assert case.case_number == f"PT-2026-{instance.id:06d}"
    assert case.columns["municipality"] == "Kotka" and case.columns["planned_start"] is None
    # SHL 45 §: the service starts within 3 months of the matter becoming pending (23.11.2026).
    assert (case.next_clock, case.next_due_on) == ("aloitus", date(2027, 2, 23))
    driver.take()
    driver.plan()
    clock.advance(timedelta(days=1))
    driver.record_start()
    case = _case(uow, instance.id)
    # The service runs: the case stays open, but its legal clock (start within 3 months) stops.
    assert case.state == "kasitelty" and case.closed_at is None
    assert case.columns["planned_start"] == "2026-12-07"
    assert (case.next_clock, case.next_due_on) == (None, None)
    assert _clocks(uow, instance.id) == [("aloitus", date(2027, 2, 23), clock())]
    clock.advance(timedelta(days=30))
    driver.record_end()
    case = _case(uow, instance.id)
    assert case.state == "paattynyt" and case.closed_at == clock()
    assert _states(uow, instance.id) == [
        "saapunut", "kasittelyssa", "jonossa", "kasitelty", "paattynyt"
    ]  # fmt: skip


def test_a_returned_order_reopens_as_the_same_case_and_a_cancelled_one_closes(
    platform, driver, uow, clock, people
):
    instance = driver.order()
    opened = _case(uow, instance.id).opened_at
    driver.process()
    clock.advance(timedelta(days=2))
    driver.return_to_queue()
    case = _case(uow, instance.id)
    assert (case.state, case.closed_at, case.opened_at) == ("saapunut", None, opened)
    with uow() as unit:
        actions.cancel_order(
            platform, people.orderer, unit, clock, instance.id, "Asiakas muutti pois."
        )
    case = _case(uow, instance.id)
    assert case.state == "peruttu" and case.closed_at == clock()
    assert _states(uow, instance.id)[-2:] == ["saapunut", "peruttu"]


@pytest.fixture
def applicants(platform, uow, clock):
    make_groups(uow, "hakijat", "kasittelijat", "muut")
    deploy(platform, uow, clock, DIAGRAMS / "application.bpmn")
    return {
        "sanna": make_actor(uow, clock, "sanna", ["social_worker"], ["hakijat"]),
        "tuomas": make_actor(uow, clock, "tuomas", ["producer_admin"], ["kasittelijat"]),
        "olavi": make_actor(uow, clock, "olavi", ["producer_admin"], ["muut"]),
        "paula": make_actor(uow, clock, "paula", ["service_manager"]),
    }


def _apply(platform, uow, clock, who, amount: int):
    data = {"client_number": "1234567", "amount": amount}
    return start(platform, uow, clock, who, "application", data)


def test_a_matter_pending_on_maundy_thursday_is_due_on_the_7th_weekday(platform, uow, applicants):
    # 25.3.2027 is Maundy Thursday: Good Friday, the weekend and Easter Monday do not count.
    maundy = FrozenClock(datetime(2027, 3, 25, 10, 0, tzinfo=UTC))
    instance = _apply(platform, uow, maundy, applicants["sanna"], 50)
    case = _case(uow, instance.id)
    assert (case.state, case.group_name) == ("kasittelyssa", "kasittelijat")
    assert (case.next_clock, case.next_due_on) == ("ratkaisu", date(2027, 4, 7))


def test_the_queue_of_a_second_process_tabs_urgency_clocks_and_access(
    platform, uow, clock, applicants
):
    small = _apply(platform, uow, clock, applicants["sanna"], 50)
    clock.advance(timedelta(hours=1))
    large = _apply(platform, uow, clock, applicants["sanna"], 5000)
    clock.advance(timedelta(days=14))  # 23.11. + 14 days: past the 7th weekday (2.12.)
    query = CaseQueueQuery("application")
    with uow() as unit:
        page = list_case_queue(platform, applicants["tuomas"], unit, clock, query)
    assert page.declaration.keys == ("kasittelyssa", "taydennettava", "ratkaistu")
    assert page.counts == {"kasittelyssa": 2, "taydennettava": 0, "ratkaistu": 0}
    assert [row.case.instance_id for row in page.rows] == [large.id, small.id]  # urgent first
    first = page.rows[0]
    assert first.age_weekdays == 10
    assert first.clock is not None and first.clock.due_on == date(2026, 12, 2)
    assert (first.clock.weekdays_left, first.clock.weekdays_late) == (0, 3)  # 3., 4. and 7.12.
    assert [c.title for c in page.columns] == ["Määrä"]
    with uow() as unit:
        big_only = list_case_queue(
            platform,
            applicants["tuomas"],
            unit,
            clock,
            CaseQueueQuery("application", values={"amount": "5000"}),
        )
        logged = unit.session.scalars(
            select(AccessLogEntry.instance_id).where(AccessLogEntry.object_type == "case")
        ).all()
    assert [row.case.instance_id for row in big_only.rows] == [large.id]
    assert sorted(logged) == sorted([large.id, small.id, large.id])
    with uow() as unit:
        other = list_case_queue(platform, applicants["olavi"], unit, clock, query)
        assert other.rows == [] and other.counts["kasittelyssa"] == 0
        with pytest.raises(PermissionDenied):
            group = CaseQueueQuery("application", group="kasittelijat")
            list_case_queue(platform, applicants["olavi"], unit, clock, group)
    with uow() as unit:
        manager = list_case_queue(platform, applicants["paula"], unit, clock, query)
        summaries = case_queues(platform, applicants["paula"], unit)
    assert manager.read_only and len(manager.rows) == 2
    assert ("application", 2) in [(s.process_key, s.open_cases) for s in summaries]


def test_a_clock_from_a_date_field_waits_for_the_date_and_follows_it(platform, uow, clock):
    # A court sets the deadline of a circumstances report; it may come later, or move.
    make_groups(uow, "hakijat", "kasittelijat")
    deploy(platform, uow, clock, DIAGRAMS / "court_report.bpmn")
    sanna = make_actor(uow, clock, "sanna", ["social_worker"], ["hakijat"])
    olli = make_actor(uow, clock, "olli", ["producer_admin"], ["kasittelijat"])
    waiting = start(platform, uow, clock, sanna, "court_report", {"client_number": "1234567"})
    # Only the clock that runs from entering "selvitys" (23.11. + 14 days) runs yet.
    assert _clocks(uow, waiting.id) == [("aloitus", date(2026, 12, 7), None)]
    dated = start(
        platform, uow, clock, sanna, "court_report",
        {"client_number": "1234567", "court_deadline": "2027-01-15"},
    )  # fmt: skip
    assert sorted(_clocks(uow, dated.id)) == [
        ("aloitus", date(2026, 12, 7), None),
        ("tuomioistuin", date(2027, 1, 15), None),
    ]
    assert _case(uow, dated.id).next_due_on == date(2026, 12, 7)  # the earliest running
    with uow() as unit:
        (task,) = unit.tasks.for_instance(waiting.id)
    with uow() as unit:  # the date arrives with the report task, and the report is done
        tasks.complete_task(platform, olli, unit, clock, task.id, {"court_deadline": "2026-12-01"})
    assert sorted(_clocks(uow, waiting.id)) == [
        ("aloitus", date(2026, 12, 7), clock()),
        ("tuomioistuin", date(2026, 12, 1), clock()),
    ]
