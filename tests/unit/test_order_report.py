"""The report's statistics: percentiles and queue length per day, against hand-computed values."""

from __future__ import annotations

from datetime import date, datetime

from sote_flow.domain.weekdays import FINNISH_TIME
from sote_flow.services.orders.report import Durations, percentile_summary, queue_length_per_day


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
    assert queue_length_per_day(changes, date(2026, 12, 2), date(2026, 12, 6)) == [
        (date(2026, 12, 2), 1),
        (date(2026, 12, 3), 1),
        (date(2026, 12, 4), 1),
        (date(2026, 12, 5), 1),
        (date(2026, 12, 6), 1),
    ]
    returned = [*changes, (1, _at(6, 10), "saapunut")]  # a processed order returned to the queue
    assert queue_length_per_day(returned, date(2026, 12, 6), date(2026, 12, 6)) == [
        (date(2026, 12, 6), 2)
    ]
