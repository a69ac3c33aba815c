"""Finnish weekdays for statutory clocks: weekends and public holidays are not counted.

Holidays come from the `holidays` package (Finland), which also lists Midsummer Eve and
Christmas Eve; the act on calculating statutory time limits (150/1930) moves deadlines off
those days too.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, datetime, time, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

import holidays

FINNISH_TIME = ZoneInfo("Europe/Helsinki")
END_OF_OFFICE_DAY = time(16, 0)


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("FI", years=year))


def warm_holidays(around: date, years: int = 2) -> None:
    """Build the holiday tables around a day now, so no diagram expression waits on them later."""
    for year in range(around.year - 1, around.year + years + 1):
        _holidays(year)


def is_public_holiday(day: date) -> bool:
    """True for a Finnish public holiday (and Midsummer Eve and Christmas Eve)."""
    return day in _holidays(day.year)


def is_weekday(day: date) -> bool:
    """True for Monday–Friday that is not a Finnish public holiday."""
    return day.weekday() < 5 and day not in _holidays(day.year)


def weekday_on_or_after(day: date) -> date:
    """Return `day` if it is a weekday, else the next weekday."""
    while not is_weekday(day):
        day += timedelta(days=1)
    return day


def add_weekdays(start: datetime, count: int) -> datetime:
    """Return `start` moved `count` weekdays ahead, keeping its Finnish time of day.

    The start day itself is not counted (day 1 is the next weekday), as in LsL 26 § counting.
    """
    local = start.astimezone(FINNISH_TIME)
    day = add_weekdays_to_date(local.date(), count)
    return datetime.combine(day, local.timetz().replace(tzinfo=None), FINNISH_TIME)


def add_weekdays_to_date(start: date, count: int) -> date:
    """Return the `count`-th weekday after `start` (the start day itself is not counted)."""
    day = start
    remaining = count
    while remaining > 0:
        day += timedelta(days=1)
        if is_weekday(day):
            remaining -= 1
    return day


def subtract_weekdays_from_date(end: date, count: int) -> date:
    """Return the `count`-th weekday before `end` (the end day itself is not counted)."""
    day = end
    remaining = count
    while remaining > 0:
        day -= timedelta(days=1)
        if is_weekday(day):
            remaining -= 1
    return day


def end_of_weekday(now: datetime, count: int = 0) -> datetime:
    """Return the end of the office day `count` weekdays after today (today if count is 0).

    When today is not a weekday, or its office day has ended, counting starts from the next
    weekday, so an urgent matter arriving on a Saturday is due on Monday at 16.00.
    """
    local = now.astimezone(FINNISH_TIME)
    day = local.date()
    if not is_weekday(day) or local.time() >= END_OF_OFFICE_DAY:
        day += timedelta(days=1)
        while not is_weekday(day):
            day += timedelta(days=1)
    due = datetime.combine(day, END_OF_OFFICE_DAY, FINNISH_TIME)
    return add_weekdays(due, count)


def weekdays_between(start: datetime, end: datetime) -> int:
    """Count the weekdays after `start`'s day up to and including `end`'s day (Finnish dates)."""
    first = start.astimezone(FINNISH_TIME).date()
    last = end.astimezone(FINNISH_TIME).date()
    return weekdays_between_dates(first, last)


@lru_cache(maxsize=65536)
def weekdays_between_dates(first: date, last: date) -> int:
    """Count the weekdays after `first` up to and including `last` (0 when last <= first).

    Arithmetic on whole weeks less the weekday holidays in between, so reports over tens of
    thousands of orders do not walk every day; only the years the span touches are looked up,
    and the answers are cached (orders share arrival and milestone days).
    """
    if last <= first:
        return 0
    plain = _mondays_to_fridays_upto(last) - _mondays_to_fridays_upto(first)
    return plain - _holidays_in(first, last)


def _mondays_to_fridays_upto(day: date) -> int:
    # Mondays to Fridays from 1 Jan of year 1 (a Monday) to `day`, both included.
    weeks, rest = divmod(day.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


def _holidays_in(first: date, last: date) -> int:
    # Weekday holidays after `first` up to and including `last` (first < last).
    before_first = bisect_right(_weekday_holidays(first.year), first)
    years = range(first.year, last.year)
    return (
        sum(len(_weekday_holidays(year)) for year in years)
        + bisect_right(_weekday_holidays(last.year), last)
        - before_first
    )


@cache
def _weekday_holidays(year: int) -> tuple[date, ...]:
    # Unbounded: a few dates a year, and a far-off date (a typo like 9999) must not evict the rest.
    return tuple(sorted(d for d in _holidays(year) if d.weekday() < 5))
