"""Reading calendar forms: Finnish days and clock times into instants, errors by field."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta

from flask_babel import gettext as _

from sote_flow.domain.calendar import finnish_datetime, parse_clock_time
from sote_flow.domain.errors import FieldError, InvalidInput
from sote_flow.domain.weekdays import FINNISH_TIME
from sote_flow.services.calendar_entries import EntryInput
from sote_flow.web.args import optional_id


def parse_day(value: str | None, field: str, errors: list[FieldError]) -> date | None:
    """Return the ISO day of a date field, or note an error for it."""
    day = finnish_or_iso_day(value or "")
    if day is None:
        errors.append(FieldError(field, _("Anna päivämäärä muodossa pp.kk.vvvv.")))
        return None
    if not 1900 <= day.year <= 2999:
        errors.append(FieldError(field, _("Anna päivämäärä muodossa pp.kk.vvvv.")))
        return None
    return day


def finnish_or_iso_day(text: str) -> date | None:
    """Return the day written as 24.11.2026 (Finnish) or 2026-11-24 (ISO), else None."""
    text = text.strip()
    try:
        if "." in text:
            day, month, year = (int(part) for part in text.rstrip(".").split("."))
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError:
        return None


def finnish_day(day: date) -> str:
    """Write a day the Finnish way, e.g. 24.11.2026."""
    return f"{day.day}.{day.month}.{day.year}"


def parse_span(
    form: Mapping[str, str], errors: list[FieldError], last_day_field: str = "day"
) -> tuple[datetime, datetime] | None:
    """Return the (start, end) instants of a day + start (+ last day) + end form, or None.

    What is wrong is noted in `errors`, by field.
    """
    first = parse_day(form.get("day"), "day", errors)
    last = (
        first
        if last_day_field == "day"
        else parse_day(form.get(last_day_field), last_day_field, errors)
    )
    start = parse_clock_time(form.get("start", ""))
    end = parse_clock_time(form.get("end", ""))
    if start is None:
        errors.append(FieldError("start", _("Anna alkamisaika muodossa tt:mm.")))
    if end is None:
        errors.append(FieldError("end", _("Anna päättymisaika muodossa tt:mm.")))
    if first is None or last is None or start is None or end is None:
        return None
    return finnish_datetime(first, start), finnish_datetime(last, end)


def parse_absence(form: Mapping[str, str]) -> tuple[datetime, datetime]:
    """Return the instants of an absence from its first day + start to its last day + end."""
    errors: list[FieldError] = []
    span = parse_span(form, errors, last_day_field="last_day")
    if span is None:
        raise InvalidInput(errors)
    return span


def parse_entry(form: Mapping[str, str]) -> EntryInput:
    """Return the entry a calendar form describes; raise InvalidInput naming each bad field."""
    errors: list[FieldError] = []
    span = parse_span(form, errors)
    case_text = form.get("case", "").strip().lstrip("#")
    case = optional_id(case_text)
    if case_text and case is None:
        errors.append(FieldError("case", _("Asian numero on luku, esim. 42.")))
    if errors or span is None:
        raise InvalidInput(errors)
    return EntryInput(
        type_key=form.get("type_key", ""),
        starts_at=span[0],
        ends_at=span[1],
        place=form.get("place", ""),
        remote=form.get("remote") == "on",
        client_number=form.get("client_number", ""),
        service_key=form.get("service_key", ""),
        case_instance_id=case,
    )


def parse_instant(value: str | None, field: str) -> datetime:
    """Return an ISO 8601 instant (from the calendar component) as aware UTC."""
    try:
        moment = datetime.fromisoformat((value or "").strip())
    except ValueError:
        raise InvalidInput([FieldError(field, _("Virheellinen aika."))]) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=FINNISH_TIME)
    return moment.astimezone(UTC)


def week_start(day: date) -> datetime:
    """Return Monday 00:00 Finnish time of the week that holds `day`, as UTC."""
    monday = day - timedelta(days=day.weekday())
    return datetime.combine(monday, datetime.min.time(), tzinfo=FINNISH_TIME).astimezone(UTC)


def errors_by_field(error: InvalidInput | None) -> dict[str, str]:
    """Map each refused field to its message, for showing next to the field."""
    if error is None:
        return {}
    return {e.field: e.message for e in error.errors}
