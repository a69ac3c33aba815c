"""The period a report covers: Finnish days, both ends included, at most about two years."""

from __future__ import annotations

from datetime import date

from sote_flow.domain.errors import FieldError, InvalidInput
from sote_flow.domain.text import t

MAX_DAYS = 731


def check_period(since: date, until: date) -> None:
    """Refuse a period that ends before it starts or is longer than about two years."""
    if until < since:
        raise InvalidInput([FieldError("until", t("Päättyen-päivä on ennen Alkaen-päivää."))])
    if (until - since).days >= MAX_DAYS:
        message = t(
            "Jakso Alkaen–Päättyen voi olla enintään {days} päivää (noin kaksi vuotta).",
            days=MAX_DAYS,
        )
        raise InvalidInput([FieldError("until", message)])
