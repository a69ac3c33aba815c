"""Functions diagrams may call in expressions (timers, due dates), on the engine's clock."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from typing import Any

from sote_flow.domain import weekdays
from sote_flow.engine.engine_clock import engine_now

START_OF_OFFICE_DAY = time(8, 0)


def weekdays_from_now(count: int) -> str:
    """ISO time `count` Finnish weekdays from now, e.g. a timeDate `weekdays_from_now(7)`."""
    return weekdays.add_weekdays(engine_now(), int(count)).isoformat()


def end_of_weekday(count: int = 0) -> str:
    """ISO time of the end of the office day `count` weekdays ahead (0 = today's, or next)."""
    return weekdays.end_of_weekday(engine_now(), int(count)).isoformat()


def weekdays_before(day: str, count: int) -> str:
    """ISO time of the start of the office day `count` Finnish weekdays before the date `day`.

    E.g. a timeDate `weekdays_before(court_deadline, 5)` fires five weekdays before a court's
    deadline (at once, if that day has already come).
    """
    deadline = date.fromisoformat(str(day)[:10])
    earlier = weekdays.subtract_weekdays_from_date(deadline, int(count))
    return datetime.combine(earlier, START_OF_OFFICE_DAY, weekdays.FINNISH_TIME).isoformat()


DIAGRAM_FUNCTIONS: Mapping[str, Callable[..., Any]] = {
    "weekdays_from_now": weekdays_from_now,
    "end_of_weekday": end_of_weekday,
    "weekdays_before": weekdays_before,
}
