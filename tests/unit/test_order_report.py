"""The report's statistics: percentiles and queue length per day, against hand-computed values."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sote_flow.domain.case_statistics import Durations, percentile_summary, queue_length_per_day
from sote_flow.domain.weekdays import FINNISH_TIME

OPEN = {"saapunut", "kasittelyssa", "jonossa"}


def test_median_and_90th_percentile():
    # Sorted: 1 2 3 4 10 -> median 3; p90 at position 0.9 * 4 = 3.6: 4 + 0.6 * (10 - 4) = 7.6
    assert percentile_summary([10, 1, 3, 2, 4]) == Durations(5, 3.0, 7.6)
    assert percentile_summary([5]) == Durations(1, 5.0, 5.0)
    assert percentile_summary([]) == Durations(0, None, None)


def _at(day: int, hour: int) -> datetime:
    return datetime(2026, 12, day, hour, tzinfo=FINNISH_TIME)


def test_queue_length_is_the_open_orders_at_the_end_of_each_day():
    changes = [
        (1, _at(1, 9), "saapunut"),  # before the period: counts from the start
        (2, _at(3, 10), "saapunut"),
        (1, _at(3, 12), "kasittelyssa"),  # still open
        (2, _at(3, 23), "peruttu"),  # closed before the day ends
        (3, _at(4, 8), "saapunut"),
        (1, _at(4, 15), "kasitelty"),
        (3, _at(6, 9), "jonossa"),
    ]
    assert queue_length_per_day(changes, date(2026, 12, 2), date(2026, 12, 6), OPEN) == [
        (date(2026, 12, 2), 1),
        (date(2026, 12, 3), 1),
        (date(2026, 12, 4), 1),
        (date(2026, 12, 5), 1),
        (date(2026, 12, 6), 1),
    ]
    returned = [*changes, (1, _at(6, 10), "saapunut")]  # a processed order returned to the queue
    assert queue_length_per_day(returned, date(2026, 12, 6), date(2026, 12, 6), OPEN) == [
        (date(2026, 12, 6), 2)
    ]


def test_even_count_median_and_90th_percentile():
    # Sorted: 0 1 1 2 3 8 -> median (1 + 2) / 2 = 1.5; p90 at 0.9 * 5 = 4.5: 3 + 0.5 * 5 = 5.5
    assert percentile_summary([8, 1, 0, 3, 2, 1]) == Durations(6, 1.5, 5.5)
    # Two values: p90 at 0.9: 2 + 0.9 * (3 - 2) = 2.9
    assert percentile_summary([3, 2]) == Durations(2, 2.5, 2.9)


def test_order_times_count_weekdays_from_the_finnish_arrival_day():
    from sote_flow.service_order.report import order_times

    def times(received: datetime, taken: datetime | None, planned=None, started=None):
        t = order_times("perhetyo", "tavallinen", "Kotka", received, taken, planned, started)
        return t.taken, t.planned, t.started

    # Thu 30.4.2026 14.00 -> taken Mon 4.5. (vappu Fri 1.5. and the weekend skipped): 1;
    # planned Mon 11.5.: 6; started Tue 12.5.: 7.
    thursday = datetime(2026, 4, 30, 14, tzinfo=FINNISH_TIME)
    monday = datetime(2026, 5, 4, 8, tzinfo=FINNISH_TIME)
    assert times(thursday, monday, "2026-05-11", "2026-05-12") == (1, 6, 7)
    # Arrived on the holiday or on Saturday: counts from Monday, so taken Monday is 0.
    assert times(datetime(2026, 5, 1, 10, tzinfo=FINNISH_TIME), monday) == (0, None, None)
    assert times(datetime(2026, 5, 2, 23, tzinfo=FINNISH_TIME), monday) == (0, None, None)
    # The Finnish calendar day counts: 21.30 UTC on Sunday is Monday 00.30 in Finland.
    sunday_utc = datetime(2026, 5, 3, 21, 30, tzinfo=UTC)  # Mon 4.5. 00.30 in Finland
    tuesday = datetime(2026, 5, 5, 9, tzinfo=FINNISH_TIME)
    assert times(sunday_utc, tuesday) == (1, None, None)
    # Same day, a milestone before arrival, a missing or broken date.
    assert times(monday, monday.replace(hour=15), "2026-04-01", "bad") == (0, 0, None)


def test_rows_per_dimension_group_and_summarise_the_orders():
    from sote_flow.service_order.report import OrderTimes, _rows, summarise

    orders = [
        OrderTimes("perhetyo", "kiireellinen", "Kotka", 0, 3, None),
        OrderTimes("perhetyo", "tavallinen", "Hamina", 2, None, None),
        OrderTimes("psykososiaalinen_kotikuntoutus", "tavallinen", "Kotka", None, None, None),
    ]
    total = summarise("kaikki", "", orders)
    # Taken 0 2 -> median 1; p90 at 0.9: 0 + 0.9 * 2 = 1.8
    assert (total.received, total.taken) == (3, Durations(2, 1.0, 1.8))
    assert (total.planned, total.started) == (Durations(1, 3.0, 3.0), Durations(0, None, None))
    assert [(r.value, r.received) for r in _rows("municipality", orders)] == [
        ("Hamina", 1),
        ("Kotka", 2),
    ]
