"""Waiting-time statistics of cases: percentiles of weekdays, and queue length per day.

Days are Finnish calendar days (Europe/Helsinki); weekdays skip weekends and public holidays.
"""

from __future__ import annotations

import statistics
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sote_flow.domain.weekdays import FINNISH_TIME


@dataclass(frozen=True)
class Durations:
    """Median and 90th percentile of weekdays to one milestone, over the cases that reached it."""

    count: int
    median: float | None
    p90: float | None


def percentile_summary(values: Sequence[int]) -> Durations:
    """Median and 90th percentile (inclusive method: interpolated between the data points)."""
    if not values:
        return Durations(0, None, None)
    if len(values) == 1:
        return Durations(1, float(values[0]), float(values[0]))
    p90 = statistics.quantiles(values, n=10, method="inclusive")[8]
    return Durations(len(values), float(statistics.median(values)), round(p90, 1))


def queue_length_per_day(
    changes: Iterable[tuple[int, datetime, str]],
    since: date,
    until: date,
    open_states: Collection[str],
) -> list[tuple[date, int]]:
    """Cases open (in one of `open_states`) at the end of each day of the period.

    `changes` are (case, time, new state) in time order, from before the period too.
    """
    state_of: dict[int, str] = {}
    open_count = 0
    days = [since + timedelta(days=n) for n in range((until - since).days + 1)]
    result = []
    pending = iter(changes)
    upcoming = next(pending, None)
    for day in days:
        day_end = local_midnight(day + timedelta(days=1))
        while upcoming is not None and upcoming[1] < day_end:
            case, _, state = upcoming
            was_open = state_of.get(case) in open_states
            state_of[case] = state
            open_count += (state in open_states) - was_open
            upcoming = next(pending, None)
        result.append((day, open_count))
    return result


def queue_length_from_deltas(
    deltas: Iterable[tuple[date, int]], since: date, until: date
) -> list[tuple[date, int]]:
    """Cases open at the end of each day of the period, from the net opened-less-closed count
    of every day up to `until` (days before the period included, in day order)."""
    per_day = dict(deltas)
    open_count = sum(n for day, n in per_day.items() if day < since)
    result = []
    for offset in range((until - since).days + 1):
        day = since + timedelta(days=offset)
        open_count += per_day.get(day, 0)
        result.append((day, open_count))
    return result


def local_midnight(day: date) -> datetime:
    """Return the start of a Finnish calendar day (aware)."""
    return datetime.combine(day, time.min, FINNISH_TIME)
