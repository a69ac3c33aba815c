"""Numbers from URLs: bounded, so no input can push a query past the database's integer range."""

from __future__ import annotations

from datetime import date

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # the ids are INTEGER columns (32 bits in PostgreSQL)
MAX_PAGE = 100_000
# Dates a search or report can mean; outside them a date converted to UTC or stored overflows.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` in routes: a number beyond a database id is no page (404), never a 500."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


def page_number(value: str | None) -> int:
    """Return a page number from a query argument: 1 unless it is 1..MAX_PAGE."""
    text = (value or "").strip()
    return int(text) if text.isdigit() and 0 < int(text) <= MAX_PAGE else 1


def optional_id(value: str | None) -> int | None:
    """Return an id from a query argument, or None when it is not one."""
    text = (value or "").strip()
    return int(text) if text.isdigit() and 0 < int(text) <= MAX_ID else None


def day_arg(value: str | None) -> date | None:
    """Return a YYYY-MM-DD date from a query argument, or None when it is not a usable one."""
    try:
        day = date.fromisoformat((value or "").strip())
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None
