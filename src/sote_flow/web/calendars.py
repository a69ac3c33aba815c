"""Calendars (Kalenteri): a worker's week, one entry, the team's week."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as Redirect

from sote_flow.domain.calendar import SERVICES
from sote_flow.domain.errors import DomainError, FieldError, InvalidInput
from sote_flow.domain.weekdays import FINNISH_TIME
from sote_flow.services import calendar_entries as entries
from sote_flow.services.actors import require_writer
from sote_flow.services.calendar_common import EntryView
from sote_flow.web.blueprints import protected_blueprint
from sote_flow.web.calendar_forms import (
    errors_by_field,
    finnish_day,
    parse_day,
    parse_entry,
    parse_instant,
    parse_span,
    week_start,
)
from sote_flow.web.deps import actor, clock, platform, unit_of_work
from sote_flow.web.errors import status_of
from sote_flow.web.messages import translate_message

calendar_blueprint = protected_blueprint("calendar", __name__, url_prefix="/calendar")


@calendar_blueprint.get("/")
def week() -> str | tuple[str, int]:
    """Show a worker's week (the signed-in user's unless ?worker= names a teammate)."""
    return _week_page(None, 200)


@calendar_blueprint.get("/entries.json")
def entries_json() -> Response:
    """Return a worker's entries between ?start and ?end for the calendar component."""
    start = parse_instant(request.args.get("start"), "start")
    end = parse_instant(request.args.get("end"), "end")
    username = request.args.get("worker") or actor().username
    with unit_of_work() as uow:
        view = entries.worker_calendar(actor(), uow, clock(), username, start, end)
    return jsonify([_event(e) for e in view.entries])


@calendar_blueprint.post("/entries")
def add() -> Redirect | tuple[str, int]:
    """Write a new entry from the form; errors are shown next to their fields."""
    username = request.form.get("worker") or actor().username
    require_writer(actor())  # a read-only user hears "no" before anything about the form
    try:
        data = parse_entry(request.form)
        with unit_of_work() as uow:
            entries.add_entry(platform(), actor(), uow, clock(), username, data)
    except InvalidInput as error:
        return _week_page(error, 422)
    flash(_("Merkintä lisätty kalenteriin."), "success")
    day = data.starts_at.astimezone(FINNISH_TIME).date()
    return redirect(url_for("calendar.week", worker=username, day=day.isoformat()))


@calendar_blueprint.get("/entries/<int:entry_id>")
def entry(entry_id: int) -> str:
    """Show one entry, with forms to move or cancel it."""
    return _entry_page(entry_id, None)[0]


@calendar_blueprint.post("/entries/<int:entry_id>/move")
def move(entry_id: int) -> Redirect | tuple[str, int]:
    """Move an entry: from the form (day, start, end) or from a drag in the calendar (JSON)."""
    require_writer(actor())
    if request.is_json:
        return _move_json(entry_id)
    errors: list[FieldError] = []
    span = parse_span(request.form, errors)
    try:
        if span is None:
            raise InvalidInput(errors)
        with unit_of_work() as uow:
            entries.move_entry(platform(), actor(), uow, clock(), entry_id, span[0], span[1])
    except InvalidInput as error:
        return _entry_page(entry_id, error, 422)
    flash(_("Merkintä siirretty."), "success")
    return redirect(url_for("calendar.entry", entry_id=entry_id))


@calendar_blueprint.post("/entries/<int:entry_id>/cancel")
def cancel(entry_id: int) -> Redirect:
    """Cancel an entry."""
    with unit_of_work() as uow:
        entries.cancel_entry(platform(), actor(), uow, clock(), entry_id)
    flash(_("Merkintä peruttu."), "success")
    return redirect(url_for("calendar.week"))


@calendar_blueprint.get("/team/<group>")
def team(group: str) -> str:
    """Show a team's week: its lead sees everything, the team sees colleagues' home visits."""
    day = _day_arg()
    start = week_start(day)
    with unit_of_work() as uow:
        view = entries.team_calendar(actor(), uow, clock(), group, start, start + timedelta(7))
    days = [start.astimezone(FINNISH_TIME).date() + timedelta(n) for n in range(7)]
    return render_template("calendar_team.html", view=view, days=days, cells=_cells(view.entries))


def _move_json(entry_id: int) -> Response:
    body: dict[str, Any] = request.get_json(silent=True) or {}
    try:
        start = parse_instant(body.get("start"), "start")
        end = parse_instant(body.get("end"), "end")
        with unit_of_work() as uow:
            entries.move_entry(platform(), actor(), uow, clock(), entry_id, start, end)
    except DomainError as error:
        response = jsonify({"message": _field_message(error)})
        response.status_code = status_of(error)
        return response
    return jsonify({"message": _("Merkintä siirretty.")})


def _week_page(error: InvalidInput | None, status: int) -> tuple[str, int]:
    day = _day_arg()
    start = week_start(day)
    username = request.values.get("worker") or actor().username
    with unit_of_work() as uow:
        view = entries.worker_calendar(actor(), uow, clock(), username, start, start + timedelta(7))
    days = [start.astimezone(FINNISH_TIME).date() + timedelta(n) for n in range(7)]
    form = request.form if error else {"day": finnish_day(day), "start": "9.00", "end": "10.00"}
    return render_template(
        "calendar.html",
        view=view,
        days=days,
        day=day,
        by_day=_by_day(view.entries),
        services=SERVICES,
        form=form,
        errors=errors_by_field(error),
        error=error,
    ), status


def _entry_page(entry_id: int, error: InvalidInput | None, status: int = 200) -> tuple[str, int]:
    with unit_of_work() as uow:
        view = entries.calendar_entry(actor(), uow, clock(), entry_id)
    start = view.starts_at.astimezone(FINNISH_TIME)
    end = view.ends_at.astimezone(FINNISH_TIME)
    form = request.form if error else {
        "day": finnish_day(start.date()), "start": f"{start:%H.%M}", "end": f"{end:%H.%M}"
    }  # fmt: skip
    return render_template(
        "calendar_entry.html", entry=view, form=form, errors=errors_by_field(error), error=error
    ), status


def _day_arg() -> date:
    errors: list[FieldError] = []
    value = request.args.get("day")
    if value:
        day = parse_day(value, "day", errors)
        if day is not None:
            return day
    return clock()().astimezone(FINNISH_TIME).date()


def _by_day(views: list[EntryView] | Any) -> dict[date, list[EntryView]]:
    grouped: dict[date, list[EntryView]] = {}
    for view in views:
        grouped.setdefault(view.starts_at.astimezone(FINNISH_TIME).date(), []).append(view)
    return grouped


def _cells(views: Any) -> dict[tuple[str, date], list[EntryView]]:
    cells: dict[tuple[str, date], list[EntryView]] = {}
    for view in views:
        key = (view.worker, view.starts_at.astimezone(FINNISH_TIME).date())
        cells.setdefault(key, []).append(view)
    return cells


def _event(view: EntryView) -> dict[str, Any]:
    title = view.type_name
    if view.client_number:
        title += f" · {view.client_number}"
    if view.place or view.remote:
        title += f" · {_('etä') if view.remote else view.place}"
    return {
        "id": str(view.id),
        "title": title,
        "start": view.starts_at.isoformat(),
        "end": view.ends_at.isoformat(),
        "url": url_for("calendar.entry", entry_id=view.id) if view.detail else None,
        "editable": view.editable and view.type_key != "absence",
        "classNames": [f"entry-{view.type_key}"] + (["entry-displaced"] if view.displaced else []),
    }


def _field_message(error: DomainError) -> str:
    if isinstance(error, InvalidInput) and error.errors:
        return translate_message(error.errors[0].message)
    return translate_message(error.message)
