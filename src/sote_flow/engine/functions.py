"""Functions diagrams may call in expressions (timers, due dates, mail texts), on the engine's
clock."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from string import Formatter
from typing import Any

from sote_flow.domain import forms, weekdays
from sote_flow.domain.diagram_texts import DiagramText
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


def finnish_date(day: str) -> str:
    """A date as Finnish writes it: `finnish_date(planned_start)` -> "7.12.2026" (for mails)."""
    return forms.finnish_date(str(day))


def text(template: str, /, **values: Any) -> DiagramText:
    """A text each reader gets in their language, e.g. a mail's subject:
    `text('Uusi palvelutilaus {order_number}', order_number=order_number)`.

    The Finnish template is looked up in the diagram's translations and the values are filled in
    after that, so one entry serves every order. Only plain `{name}` fields: str.format could
    otherwise reach attributes (`{x.__class__}`) or pad to any width, which the sandbox refuses.
    """
    if not isinstance(template, str):
        raise TypeError("text() takes the Finnish text as its first argument")
    for _, field, spec, conversion in Formatter().parse(template):
        if field is None:
            continue
        if not field.isidentifier() or spec or conversion:
            raise ValueError(f"text(): only plain {{name}} fields are allowed, not {{{field}}}")
        if field not in values:
            raise ValueError(f"text(): no value given for {{{field}}}")
    # Values are written out as an f-string would; a nested text() stays translatable.
    shown = {
        name: value if isinstance(value, DiagramText) else _plain(name, value)
        for name, value in values.items()
    }
    return DiagramText(template, shown)


def _plain(name: str, value: Any) -> str:
    if not isinstance(value, str | int | float | bool | date | type(None)):
        raise ValueError(f"text(): {name} must be a text, number or date")
    return str(value)


DIAGRAM_FUNCTIONS: Mapping[str, Callable[..., Any]] = {
    "finnish_date": finnish_date,
    "weekdays_from_now": weekdays_from_now,
    "end_of_weekday": end_of_weekday,
    "weekdays_before": weekdays_before,
    "text": text,
}
