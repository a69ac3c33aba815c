"""Weekly slot patterns: Finnish local hours over DST, public holidays, slot arithmetic."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

import pytest

from sote_flow.domain.calendar import WeeklyPattern, pattern_days, pattern_slots
from sote_flow.domain.weekdays import FINNISH_TIME

MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SUNDAY = 0, 1, 2, 3, 4, 6


def weekly(
    weekday: int,
    valid_from: date,
    valid_until: date,
    day_start: time = time(9),
    day_end: time = time(12),
    slot_minutes: int = 45,
    on_holidays: bool = False,
) -> WeeklyPattern:
    return WeeklyPattern(
        weekday, day_start, day_end, slot_minutes, valid_from, valid_until, on_holidays
    )


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local_starts(pattern: WeeklyPattern) -> list[datetime]:
    return [
        start.astimezone(FINNISH_TIME).replace(tzinfo=None) for start, _ in pattern_slots(pattern)
    ]


# -- slot arithmetic within a day ------------------------------------------------------------


def test_nine_to_twelve_in_45_minutes_gives_four_slots():
    pattern = weekly(TUESDAY, date(2027, 1, 12), date(2027, 1, 12))  # a winter Tuesday
    assert pattern_slots(pattern) == [
        (utc(2027, 1, 12, 7, 0), utc(2027, 1, 12, 7, 45)),
        (utc(2027, 1, 12, 7, 45), utc(2027, 1, 12, 8, 30)),
        (utc(2027, 1, 12, 8, 30), utc(2027, 1, 12, 9, 15)),
        (utc(2027, 1, 12, 9, 15), utc(2027, 1, 12, 10, 0)),
    ]
    assert [f"{s:%H:%M}" for s in local_starts(pattern)] == ["09:00", "09:45", "10:30", "11:15"]


@pytest.mark.parametrize("minutes", [15, 20, 30, 45, 60, 90])
@pytest.mark.parametrize("day_end", [time(12), time(12, 10), time(15, 59), time(16, 30)])
def test_slots_are_back_to_back_and_never_end_after_day_end(minutes, day_end):
    pattern = weekly(
        TUESDAY, date(2027, 2, 2), date(2027, 2, 2), time(9), day_end, slot_minutes=minutes
    )
    slots = pattern_slots(pattern)
    length = timedelta(minutes=minutes)
    close = datetime.combine(date(2027, 2, 2), day_end, FINNISH_TIME)
    opening = datetime.combine(date(2027, 2, 2), time(9), FINNISH_TIME)
    assert slots[0][0] == opening
    assert all(end - start == length for start, end in slots)
    assert all(a[1] == b[0] for a, b in pairwise(slots))
    assert slots[-1][1] <= close
    assert slots[-1][1] + length > close  # no room for one more
    assert len(slots) == (close - opening) // length


def test_a_day_shorter_than_one_slot_gives_no_slots():
    pattern = weekly(
        TUESDAY, date(2027, 2, 2), date(2027, 2, 2), time(9), time(9, 30), slot_minutes=45
    )
    assert pattern_slots(pattern) == []


def test_slots_are_aware_utc_instants():
    start, end = pattern_slots(weekly(TUESDAY, date(2027, 2, 2), date(2027, 2, 2)))[0]
    assert start.utcoffset() == timedelta(0) and end.utcoffset() == timedelta(0)


# -- which days ------------------------------------------------------------------------------


def test_valid_from_and_valid_until_are_both_included():
    # 2027-02-02 and 2027-02-23 are Tuesdays.
    days = pattern_days(weekly(TUESDAY, date(2027, 2, 2), date(2027, 2, 23)))
    assert days == [date(2027, 2, 2), date(2027, 2, 9), date(2027, 2, 16), date(2027, 2, 23)]


def test_days_before_the_first_matching_weekday_and_after_the_last_are_left_out():
    # From a Wednesday to a Monday: the Tuesdays strictly inside.
    days = pattern_days(weekly(TUESDAY, date(2027, 2, 3), date(2027, 2, 22)))
    assert days == [date(2027, 2, 9), date(2027, 2, 16)]


def test_a_range_without_the_weekday_gives_nothing():
    # Wednesday to Sunday: no Tuesday.
    assert pattern_days(weekly(TUESDAY, date(2027, 2, 3), date(2027, 2, 7))) == []
    assert pattern_slots(weekly(TUESDAY, date(2027, 2, 3), date(2027, 2, 7))) == []


def test_a_year_of_tuesdays():
    days = pattern_days(weekly(TUESDAY, date(2027, 1, 1), date(2027, 12, 31)))
    assert len(days) == 52  # no Finnish public holiday falls on a Tuesday in 2027
    assert all(d.weekday() == TUESDAY for d in days)
    assert len(pattern_slots(weekly(TUESDAY, date(2027, 1, 1), date(2027, 12, 31)))) == 52 * 4


@pytest.mark.parametrize(
    ("weekday", "holiday", "name"),
    [
        (THURSDAY, date(2027, 5, 6), "Ascension Day"),
        (FRIDAY, date(2027, 3, 26), "Good Friday"),
        (MONDAY, date(2027, 3, 29), "Easter Monday"),
        (FRIDAY, date(2027, 6, 25), "Midsummer Eve"),
        (FRIDAY, date(2027, 12, 24), "Christmas Eve"),
        (MONDAY, date(2027, 12, 6), "Independence Day"),
        (WEDNESDAY, date(2027, 1, 6), "Epiphany"),
    ],
)
def test_no_slots_on_public_holidays_unless_asked(weekday, holiday, name):
    week_before, week_after = holiday - timedelta(days=7), holiday + timedelta(days=7)
    pattern = weekly(weekday, week_before, week_after)
    assert pattern_days(pattern) == [week_before, week_after], name
    assert {s.astimezone(FINNISH_TIME).date() for s, _ in pattern_slots(pattern)} == {
        week_before,
        week_after,
    }
    on_holidays = weekly(weekday, week_before, week_after, on_holidays=True)
    assert pattern_days(on_holidays) == [week_before, holiday, week_after], name
    assert len(pattern_slots(on_holidays)) == 3 * 4


def test_a_holiday_as_the_only_day_gives_nothing():
    assert pattern_slots(weekly(THURSDAY, date(2027, 5, 6), date(2027, 5, 6))) == []


# -- daylight saving time (2027: 28 March and 31 October) ------------------------------------


def test_monday_nine_oclock_is_seven_utc_in_winter_and_six_in_summer():
    # Easter Monday 29 March is skipped; clocks go forward the day before it.
    pattern = weekly(MONDAY, date(2027, 3, 15), date(2027, 4, 12), slot_minutes=60)
    firsts = [s for s, _ in pattern_slots(pattern) if s.astimezone(FINNISH_TIME).hour == 9]
    assert firsts == [
        utc(2027, 3, 15, 7),
        utc(2027, 3, 22, 7),
        utc(2027, 4, 5, 6),
        utc(2027, 4, 12, 6),
    ]


def test_sunday_pattern_over_both_changes_keeps_finnish_hours():
    # Every Sunday of 2027, 9–11 in 60-minute slots, Easter Sunday (28 March) included.
    pattern = weekly(
        SUNDAY, date(2027, 1, 3), date(2027, 12, 26), time(9), time(11), 60, on_holidays=True
    )
    slots = pattern_slots(pattern)
    assert len(slots) == 52 * 2
    assert {(t.hour, t.minute) for t in local_starts(pattern)} == {(9, 0), (10, 0)}
    assert all(end - start == timedelta(hours=1) for start, end in slots)
    by_day = {s.astimezone(FINNISH_TIME).date(): s for s, _ in slots[::2]}
    assert by_day[date(2027, 3, 21)] == utc(2027, 3, 21, 7)  # winter time
    assert by_day[date(2027, 3, 28)] == utc(2027, 3, 28, 6)  # the change happened at 03:00
    assert by_day[date(2027, 10, 24)] == utc(2027, 10, 24, 6)  # still summer time
    assert by_day[date(2027, 10, 31)] == utc(2027, 10, 31, 7)  # back at 04:00
    summer = [day for day, start in by_day.items() if start.hour == 6]
    assert min(summer) == date(2027, 3, 28) and max(summer) == date(2027, 10, 24)


def test_without_on_holidays_easter_sunday_is_skipped_on_the_dst_day():
    pattern = weekly(SUNDAY, date(2027, 3, 21), date(2027, 4, 4), time(9), time(10), 60)
    assert [s for s, _ in pattern_slots(pattern)] == [utc(2027, 3, 21, 7), utc(2027, 4, 4, 6)]


def test_no_slot_starts_in_the_hour_skipped_when_clocks_go_forward():
    # 28 March 2027: 03:00 EET becomes 04:00 EEST, so 03:00–03:59 never happens.
    pattern = weekly(
        SUNDAY, date(2027, 3, 28), date(2027, 3, 28), time(2), time(5), 60, on_holidays=True
    )
    assert pattern_slots(pattern) == [
        (utc(2027, 3, 28, 0), utc(2027, 3, 28, 1)),  # 02:00–03:00 EET (= 04:00 EEST)
        (utc(2027, 3, 28, 1), utc(2027, 3, 28, 2)),  # 04:00–05:00 EEST
    ]


def test_slots_on_the_day_clocks_go_back_do_not_overlap():
    pattern = weekly(
        SUNDAY, date(2027, 10, 31), date(2027, 10, 31), time(1), time(6), 30, on_holidays=True
    )
    slots = pattern_slots(pattern)
    assert all(a[1] <= b[0] for a, b in pairwise(slots))
    assert len({s for s, _ in slots}) == len(slots)


def test_every_slot_lasts_its_length_even_when_clocks_go_back():
    pattern = weekly(
        SUNDAY, date(2027, 10, 31), date(2027, 10, 31), time(2), time(5), 30, on_holidays=True
    )
    assert all(end - start == timedelta(minutes=30) for start, end in pattern_slots(pattern))
