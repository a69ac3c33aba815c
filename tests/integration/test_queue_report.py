"""The queue report over projection rows, on SQLite and PostgreSQL, against hand-computed values.

The period is Mon 27.4.–Fri 8.5.2026; Friday 1.5.2026 (vappu) is a public holiday.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from sote_flow.domain.errors import InvalidInput, PermissionDenied
from sote_flow.persistence.models import AccessLogEntry
from sote_flow.service_order.report import Durations, ReportQuery, order_report
from tests.support.factories import make_actor
from tests.support.order_rows import add_order, helsinki
from tests.support.orders import GROUP, make_order_people

OTHER = "lapsiperheiden_avopalvelut"
SINCE, UNTIL = date(2026, 4, 27), date(2026, 5, 8)


def d(day: int, month: int = 5) -> date:
    return date(2026, month, day)


@pytest.fixture
def people(platform, uow, clock):
    people = make_order_people(platform, uow, clock)
    # Before the period, never taken: open all through it, not received in it.
    add_order(uow, GROUP, helsinki(d(24, 4), 12))
    # Before the period: one processed and closed (not open), one processed and returned (open).
    processed = [(helsinki(d(21, 4), 9), "kasittelyssa"), (helsinki(d(22, 4), 9), "kasitelty")]
    add_order(uow, GROUP, helsinki(d(20, 4), 9), processed)
    add_order(uow, GROUP, helsinki(d(20, 4), 9), [*processed, (helsinki(d(23, 4), 9), "saapunut")])
    # Mon 27.4. 9.00, taken 15.00 (0); planned Mon 4.5. (4: Fri 1.5. is a holiday); started
    # Tue 5.5. (5); returned to the queue Thu 7.5.
    add_order(
        uow, GROUP, helsinki(d(27, 4), 9),
        [(helsinki(d(27, 4), 15), "kasittelyssa"), (helsinki(d(28, 4), 10), "jonossa"),
         (helsinki(d(5), 12), "kasitelty"), (helsinki(d(7), 9), "saapunut")],
        urgency="kiireellinen", planned_start="2026-05-04", started_on="2026-05-05",
    )  # fmt: skip
    # Thu 30.4., taken Mon 4.5. (1: Friday the holiday and the weekend skipped); cancelled 6.5.
    add_order(
        uow, GROUP, helsinki(d(30, 4), 14),
        [(helsinki(d(4), 10), "kasittelyssa"), (helsinki(d(6), 9), "peruttu")],
        municipality="Hamina", service="lapsiperheiden_kotipalvelu",
    )  # fmt: skip
    # Saturday 2.5. counts from Monday: taken Mon 4.5. is 0.
    add_order(uow, GROUP, helsinki(d(2), 11), [(helsinki(d(4), 8), "kasittelyssa")])
    # The holiday 1.5. counts from Monday too: taken Wed 6.5. is 2; planned Mon 11.5. is 5.
    add_order(
        uow, GROUP, helsinki(d(1), 10),
        [(helsinki(d(6), 9), "kasittelyssa"), (helsinki(d(7), 9), "jonossa")],
        planned_start="2026-05-11",
    )  # fmt: skip
    # Tue 5.5. at 23.30 Finnish time (20.30 UTC): still Tuesday's order and queue.
    add_order(uow, GROUP, helsinki(d(5), 23, 30), municipality="Hamina")
    # Another group: Tue 28.4., taken Wed 29.4. (1).
    add_order(uow, OTHER, helsinki(d(28, 4), 10), [(helsinki(d(29, 4), 9), "kasittelyssa")])
    return people


def _report(platform, uow, clock, actor, **query):
    with uow() as unit:
        return order_report(platform, actor, unit, clock, ReportQuery(SINCE, UNTIL, **query))


def test_weekdays_to_each_milestone_skip_weekends_and_the_holiday(platform, uow, clock, people):
    report = _report(platform, uow, clock, people.admin, group=GROUP)
    # Five orders, and the urgent one again when it was returned on 7.5. (a round of its own,
    # not yet taken); its first round keeps its milestones.
    assert report.total.received == 6
    # Taken: 0 0 1 2 -> median 0.5; p90 at 0.9 * 3 = 2.7: 1 + 0.7 * (2 - 1) = 1.7
    assert report.total.taken == Durations(4, 0.5, 1.7)
    # Planned: 4 5 -> median 4.5; p90 at 0.9: 4 + 0.9 = 4.9
    assert report.total.planned == Durations(2, 4.5, 4.9)
    assert report.total.started == Durations(1, 5.0, 5.0)
    rows = {(r.dimension, r.value): r for r in report.rows}
    assert rows["urgency", "kiireellinen"].taken == Durations(1, 0.0, 0.0)
    # Normal: 0 1 2 -> median 1; p90 at 1.8: 1 + 0.8 * 1 = 1.8
    assert rows["urgency", "tavallinen"].taken == Durations(3, 1.0, 1.8)
    assert rows["municipality", "Hamina"].received == 2
    assert rows["municipality", "Kotka"].received == 4
    # Kotka: 0 0 2 -> median 0; p90 at 1.8: 0 + 0.8 * 2 = 1.6
    assert rows["municipality", "Kotka"].taken == Durations(3, 0.0, 1.6)
    assert rows["service", "lapsiperheiden_kotipalvelu"].taken == Durations(1, 1.0, 1.0)
    assert report.labels["service"]["perhetyo"] == "Perhetyö"


def test_queue_length_at_the_end_of_each_day(platform, uow, clock, people):
    report = _report(platform, uow, clock, people.admin, group=GROUP)
    assert [n for _, n in report.queue_per_day] == [3, 3, 3, 4, 5, 6, 6, 6, 6, 5, 6, 6]
    assert report.queue_per_day[0] == (SINCE, 3) and report.queue_per_day[-1] == (UNTIL, 6)
    normal = _report(platform, uow, clock, people.admin, group=GROUP, urgency="tavallinen")
    assert normal.total.received == 4
    assert [n for _, n in normal.queue_per_day] == [2, 2, 2, 3, 4, 5, 5, 5, 6, 5, 5, 5]


def test_producer_admins_see_their_groups_oversight_sees_all(platform, uow, clock, people):
    assert _report(platform, uow, clock, people.admin).total.received == 6  # own group only
    assert _report(platform, uow, clock, people.outsider_admin).total.received == 1
    manager = _report(platform, uow, clock, people.manager)
    # All: 0 0 1 1 2 -> median 1; p90 at 3.6: 1 + 0.6 * 1 = 1.6
    assert (manager.total.received, manager.total.taken) == (7, Durations(5, 1.0, 1.6))
    auditor = make_actor(uow, clock, "tarja", ["auditor"])
    assert _report(platform, uow, clock, auditor, group=OTHER).total.received == 1
    with pytest.raises(PermissionDenied):
        _report(platform, uow, clock, people.outsider_admin, group=GROUP)
    with pytest.raises(PermissionDenied):
        _report(platform, uow, clock, people.orderer)
    with uow() as unit:
        query = select(AccessLogEntry).where(AccessLogEntry.object_type == "order_report")
        entries = {(e.username, e.object_id, e.purpose) for e in unit.session.scalars(query)}
    assert entries == {
        ("aino", "*", "asiakasasian käsittely"),
        ("otto", "*", "asiakasasian käsittely"),
        ("maria", "*", "asiakasasian käsittely"),
        ("tarja", OTHER, "valvonta"),
    }


def test_period_must_be_forward_and_at_most_a_year(platform, uow, clock, people):
    with uow() as unit, pytest.raises(InvalidInput):
        order_report(platform, people.manager, unit, clock, ReportQuery(UNTIL, SINCE))
    with uow() as unit, pytest.raises(InvalidInput):
        order_report(platform, people.manager, unit, clock, ReportQuery(d(1, 1), date(2027, 1, 2)))
