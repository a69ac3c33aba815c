"""Finnish weekday arithmetic for statutory clocks."""

from __future__ import annotations

from datetime import datetime

from sote_flow.domain.weekdays import (
    FINNISH_TIME,
    add_weekdays,
    end_of_weekday,
    is_weekday,
    weekdays_between,
)


def fi(*args: int) -> datetime:
    return datetime(*args, tzinfo=FINNISH_TIME)


def test_public_holidays_and_weekends_are_not_weekdays():
    assert is_weekday(fi(2026, 12, 4).date())  # Friday
    assert not is_weekday(fi(2026, 12, 5).date())  # Saturday
    assert not is_weekday(fi(2026, 12, 24).date())  # Christmas Eve
    assert not is_weekday(fi(2026, 6, 19).date())  # Midsummer Eve
    assert not is_weekday(fi(2026, 4, 6).date())  # Easter Monday


def test_seventh_weekday_after_a_tuesday_is_thursday_of_the_next_week():
    # THL's example for LsL 26 §: contact on a Tuesday -> decide by Thursday of the next week.
    assert add_weekdays(fi(2026, 11, 17, 10, 30), 7) == fi(2026, 11, 26, 10, 30)


def test_counting_skips_christmas():
    assert add_weekdays(fi(2026, 12, 22, 9), 3) == fi(2026, 12, 29, 9)


def test_end_of_weekday_for_urgent_matters():
    assert end_of_weekday(fi(2026, 11, 23, 9)) == fi(2026, 11, 23, 16)  # Monday morning
    assert end_of_weekday(fi(2026, 11, 23, 17)) == fi(2026, 11, 24, 16)  # after office hours
    assert end_of_weekday(fi(2026, 11, 21, 12)) == fi(2026, 11, 23, 16)  # Saturday
    assert end_of_weekday(fi(2026, 11, 23, 9), 2) == fi(2026, 11, 25, 16)


def test_weekdays_between_counts_like_the_deadline_does():
    assert weekdays_between(fi(2026, 11, 17, 10), fi(2026, 11, 26, 9)) == 7
    assert weekdays_between(fi(2026, 12, 23, 10), fi(2026, 12, 28, 9)) == 1


def test_weekdays_between_dates_skips_weekends_and_public_holidays():
    from datetime import date

    from sote_flow.domain.weekdays import weekdays_between_dates

    # Fri 4.12.2026 -> Tue 8.12.2026: Mon 7.12 counts, the weekend does not.
    assert weekdays_between_dates(date(2026, 12, 4), date(2026, 12, 8)) == 2
    # Independence Day (Sun 6.12) is no loss; Christmas Eve/Day/Boxing Day 24.–26.12.2026 are.
    assert weekdays_between_dates(date(2026, 12, 22), date(2026, 12, 29)) == 3
    assert weekdays_between_dates(date(2026, 12, 8), date(2026, 12, 8)) == 0
    assert weekdays_between_dates(date(2026, 12, 8), date(2026, 12, 1)) == 0


def test_weekdays_between_dates_agrees_with_walking_every_day_across_years():
    from datetime import date, timedelta

    from sote_flow.domain.weekdays import weekdays_between_dates

    def walked(first: date, last: date) -> int:
        days = (last - first).days
        return sum(is_weekday(first + timedelta(days=n)) for n in range(1, days + 1))

    # Spans over year ends, before 2000 and far ahead: only the years touched are looked up.
    for first, last in [
        (date(1998, 6, 1), date(1999, 6, 1)),
        (date(2025, 12, 30), date(2027, 1, 7)),
        (date(2026, 4, 30), date(2026, 5, 4)),  # Thu -> Mon over vappu (Fri 1.5.): 1
        (date(2031, 12, 24), date(2032, 1, 2)),
    ]:
        assert weekdays_between_dates(first, last) == walked(first, last), (first, last)
    assert weekdays_between_dates(date(2026, 4, 30), date(2026, 5, 4)) == 1
    # A mistyped far-off year is counted, not refused (and is cached for the next order).
    assert weekdays_between_dates(date(2026, 1, 1), date(9999, 12, 31)) > 2_000_000


def test_weekday_on_or_after_moves_weekends_and_holidays_to_the_next_weekday():
    from datetime import date

    from sote_flow.domain.weekdays import weekday_on_or_after

    assert weekday_on_or_after(date(2026, 5, 1)) == date(2026, 5, 4)  # vappu (Fri) -> Monday
    assert weekday_on_or_after(date(2026, 12, 24)) == date(2026, 12, 28)  # Christmas Eve (Thu)
    assert weekday_on_or_after(date(2026, 12, 8)) == date(2026, 12, 8)
