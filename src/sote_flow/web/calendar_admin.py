"""Calendar pages for managers and administrators: statistics (with exports) and entry types."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from werkzeug.wrappers import Response as BaseResponse

from sote_flow.domain.errors import InvalidInput
from sote_flow.domain.forms import finnish_date
from sote_flow.domain.roles import Role
from sote_flow.domain.weekdays import FINNISH_TIME
from sote_flow.services.calendar_statistics import (
    CalendarStatistics,
    Figures,
    StatisticsQuery,
    calendar_statistics,
)
from sote_flow.services.calendar_types import (
    CLIENT_WORK,
    CLIENT_WORK_LABELS,
    list_entry_types,
    save_entry_type,
)
from sote_flow.web.args import day_arg
from sote_flow.web.blueprints import protected_blueprint
from sote_flow.web.deps import actor, clock, unit_of_work
from sote_flow.web.spreadsheet import finnish_csv, safe_cell

calendar_admin_blueprint = protected_blueprint("calendar_admin", __name__)
DEFAULT_DAYS = 30
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Cell = str | int | float | None


def finnish_number(value: float | None, decimals: int = 2) -> str:
    """Format a number the Finnish way: 1 234,50 (a dash for none)."""
    if value is None:
        return "–"
    return f"{value:,.{decimals}f}".replace(",", "\u00a0").replace(".", ",")


@calendar_admin_blueprint.context_processor
def _helpers() -> dict[str, Any]:
    return {"fi_number": finnish_number}


# -- statistics ------------------------------------------------------------------------------
@calendar_admin_blueprint.get("/calendar/statistics")
def statistics() -> str | tuple[str, int] | Response:
    """Show hours and counts of calendar entries by type, worker or team (or CSV/XLSX)."""
    today = clock()().astimezone(FINNISH_TIME).date()
    default_since = today - timedelta(days=DEFAULT_DAYS - 1)
    query = StatisticsQuery(
        since=day_arg(request.args.get("since")) or default_since,
        until=day_arg(request.args.get("until")) or today,
        dimension=request.args.get("dimension", "").strip() or "type",
        group=request.args.get("group", "").strip() or None,
    )
    errors: dict[str, str] = {}
    try:
        with unit_of_work() as uow:
            view = calendar_statistics(actor(), uow, query)
    except InvalidInput as refused:
        # A refused period or breakdown: show the defaults and say why, next to the field.
        errors = {e.field: e.message for e in refused.errors}
        query = replace(query, since=default_since, until=today, dimension="type")
        with unit_of_work() as uow:
            view = calendar_statistics(actor(), uow, query)
    export = request.args.get("format")
    if export in ("csv", "xlsx") and not errors:
        name = f"kalenteritilasto-{query.since.isoformat()}-{query.until.isoformat()}"
        body, mimetype = (
            (statistics_csv(view), "text/csv; charset=utf-8")
            if export == "csv"
            else (statistics_xlsx(view), XLSX)
        )
        disposition = f"attachment; filename={name}.{export}"
        headers = {"Content-Disposition": disposition}
        return Response(body, content_type=mimetype, headers=headers)
    html = render_template(
        "calendar_statistics.html", view=view, errors=errors, type_name=_type_namer(view)
    )
    return (html, 422) if errors else html


def statistics_table(view: CalendarStatistics) -> list[list[Cell]]:
    """Return the statistics as rows (the header first, then the total and the breakdown)."""
    by_type = view.query.dimension == "type"
    header: list[Cell] = [_dimension_title(view.query.dimension)]
    if by_type:
        header.append("Asiakastyötä")
    header += ["Merkintöjä", "Tunnit", "Asiakastyö (h)", "Välillinen asiakastyö (h)",
               "Poissaolot (h)", "Asiakastyön osuus (%)", "Välillisen työn osuus (%)"]  # fmt: skip
    rows: list[list[Cell]] = [header]  # in Finnish, like the other exports
    for key, title, figures in [
        ("", "Kaikki", view.total),
        *((r.key, r.title, r.figures) for r in view.rows),
    ]:
        row: list[Cell] = [title]
        if by_type:
            kind = view.types[key].client_work if key in view.types else ""
            row.append(CLIENT_WORK_LABELS.get(kind, ""))
        rows.append(row + _figure_cells(figures))
    return rows


def statistics_csv(view: CalendarStatistics) -> bytes:
    """Return the statistics as CSV that Finnish Excel opens as is: BOM, semicolons, commas."""
    q = view.query
    title = [f"Kalenteritilasto {finnish_date(q.since)}–{finnish_date(q.until)}"]
    return finnish_csv([title, *statistics_table(view)])


def statistics_xlsx(view: CalendarStatistics) -> bytes:
    """Return the statistics as an XLSX workbook with one sheet."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Kalenteritilasto"
    for row in statistics_table(view):
        sheet.append([safe_cell(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _figure_cells(f: Figures) -> list[Cell]:
    return [f.count, f.hours, f.client_hours, f.indirect_hours, f.absence_hours,
            f.client_share, f.indirect_share]  # fmt: skip


def _dimension_title(dimension: str) -> str:
    return {"type": "Merkinnän tyyppi", "worker": "Työntekijä", "team": "Tiimi"}[dimension]


def _type_namer(view: CalendarStatistics) -> Any:
    # Entry types in the page's language (Finnish in exports and when a name is missing).
    locale = str(get_locale() or "fi")

    def name(key: str, default: str) -> str:
        info = view.types.get(key)
        if info is None:
            return default
        return {"sv": info.name_sv, "en": info.name_en}.get(locale, info.name_fi) or default

    return name


# -- entry types -----------------------------------------------------------------------------
@calendar_admin_blueprint.get("/admin/entry-types")
def entry_types() -> str:
    """List the calendar entry types with a form to change each and one to add a type."""
    return _types_page(None, {}, 200)[0]


@calendar_admin_blueprint.post("/admin/entry-types")
def save_type() -> BaseResponse | tuple[str, int]:
    """Add an entry type or change one (names, client work, retired)."""
    form = {name: request.form.get(name, "") for name in ("key", "name_fi", "name_sv", "name_en")}
    form["client_work"] = request.form.get("client_work", "")
    form["editing"] = request.form.get("editing", "")
    retired = request.form.get("retired") == "on"
    try:
        with unit_of_work() as uow:
            added = save_entry_type(
                actor(), uow, clock(), form["key"], form["name_fi"], form["name_sv"],
                form["name_en"], form["client_work"], retired, adding=not form["editing"],
            )  # fmt: skip
    except InvalidInput as error:
        return _types_page(error, {**form, "retired": retired}, 422)
    message = _("Merkintätyyppi lisätty.") if added else _("Merkintätyyppi tallennettu.")
    flash(message, "success")
    return redirect(url_for("calendar_admin.entry_types"))


def _types_page(
    error: InvalidInput | None, submitted: dict[str, Any], status: int
) -> tuple[str, int]:
    with unit_of_work() as uow:
        rows = list_entry_types(actor(), uow)
    errors = {e.field: e.message for e in error.errors} if error else {}
    html = render_template(
        "entry_types.html",
        rows=rows,
        errors=errors,
        submitted=submitted,
        client_work_choices=CLIENT_WORK,
        may_edit=not actor().read_only and actor().has_role(Role.ADMINISTRATOR),
    )
    return html, status
