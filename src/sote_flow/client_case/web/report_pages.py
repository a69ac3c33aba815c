"""The municipality report of client work as a page with a chart, and as CSV and XLSX."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from flask import Response, render_template, request
from openpyxl import Workbook

from sote_flow.client_case.events import EVENT_TYPES, UNITS
from sote_flow.client_case.report import (
    Figures,
    MunicipalityReport,
    ProductLine,
    municipality_report,
)
from sote_flow.domain.errors import InvalidInput
from sote_flow.domain.forms import finnish_date
from sote_flow.domain.weekdays import FINNISH_TIME
from sote_flow.web.args import day_arg
from sote_flow.web.blueprints import protected_blueprint
from sote_flow.web.calendar_admin import XLSX, finnish_number
from sote_flow.web.deps import actor, clock, unit_of_work
from sote_flow.web.spreadsheet import finnish_csv, safe_row

client_case_reports_blueprint = protected_blueprint(
    "client_case_reports", __name__, url_prefix="/reports", template_folder="templates"
)
Cell = str | int | float | Decimal | None
MONEY_FORMAT = "#,##0.00"
# The exports are in Finnish, like the other reports' (a spreadsheet is shared as it is).
FIGURE_HEADERS = ["Tapahtumia", "Tunteja", "Kustannus (€)", "Hinnoittelemattomia tapahtumia"]


@client_case_reports_blueprint.context_processor
def _helpers() -> dict[str, Any]:
    return {"fi_number": finnish_number, "euros": _euros, "type_names": EVENT_TYPES}


@client_case_reports_blueprint.get("/municipalities")
def report() -> str | tuple[str, int] | Response:
    """Show the municipality report for a period (HTML, or ?format=csv / ?format=xlsx)."""
    today = clock()().astimezone(FINNISH_TIME).date()
    # THL collects the legal clocks by half-years: the current one so far by default.
    default_since = date(today.year, 1 if today.month <= 6 else 7, 1)
    since = day_arg(request.args.get("since")) or default_since
    until = day_arg(request.args.get("until")) or today
    municipality = request.args.get("municipality", "").strip()[:60] or None
    errors: dict[str, str] = {}
    try:
        with unit_of_work() as uow:
            view = municipality_report(actor(), uow, clock(), since, until, municipality)
    except InvalidInput as refused:
        # A refused period: show the default one and say why, next to the dates.
        errors = {e.field: e.message for e in refused.errors}
        with unit_of_work() as uow:
            view = municipality_report(actor(), uow, clock(), default_since, today, municipality)
    export = request.args.get("format")
    if export in ("csv", "xlsx") and not errors:
        return _download(view, export)
    html = render_template("client_case/report.html", view=view, errors=errors)
    return (html, 422) if errors else html


def report_sections(view: MunicipalityReport) -> list[tuple[str, list[list[Cell]]]]:
    """Return the report as (section, rows with the header first) for the exports."""
    products: list[list[Cell]] = [
        ["Kunta", "Tuote", "Yksikkö", "Suoritteita", *FIGURE_HEADERS],
    ]
    for row in view.municipalities:
        name = row.municipality or "Ei kuntaa"
        products += [[name, *_product(line), *_figures(line.figures)] for line in row.products]
        products.append([name, "Yhteensä", None, None, *_figures(row.total)])
    products.append(["Kaikki kunnat", "Yhteensä", None, None, *_figures(view.total)])
    services: list[list[Cell]] = [["Palvelu", *FIGURE_HEADERS]]
    services += [[row.key or "Ei palvelua", *_figures(row.figures)] for row in view.services]
    workers: list[list[Cell]] = [["Työntekijä", *FIGURE_HEADERS]]
    workers += [[row.key, *_figures(row.figures)] for row in view.workers]
    clocks: list[list[Cell]] = [
        ["Määräaika", "Peruste", "Aika", "Päättyneitä tai erääntyneitä", "Määräajassa",
         "Myöhässä", "Määräajassa (%)"],
    ]  # fmt: skip
    clocks += [
        [c.name, c.law, c.limit, c.counted, c.within, c.late, c.share_within] for c in view.clocks
    ]
    names = {c.key: c.name for c in view.clocks}
    late: list[list[Cell]] = [["Asianumero", "Määräaika", "Viimeinen päivä", "Pysähtyi"]]
    late += [
        [c.case_number, names.get(c.key, c.key), _day(c.due_on),
         _day(c.stopped_on) if c.stopped_on else "kesken"]
        for c in view.late
    ]  # fmt: skip
    return [
        ("Kunnat", products),
        ("Palvelut", services),
        ("Työntekijät", workers),
        ("Määräajat", clocks),
        ("Myöhästyneet", late),
    ]


def report_csv(view: MunicipalityReport) -> bytes:
    """Return the report as CSV that Finnish Excel opens as is: BOM, semicolons, commas."""
    lines: list[Sequence[Cell]] = [[_title(view)]]
    for section, rows in report_sections(view):
        lines += [[], [section], *rows]
    return finnish_csv(lines)


def report_xlsx(view: MunicipalityReport) -> bytes:
    """Return the report as an XLSX workbook with a sheet per section."""
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])
    for section, rows in report_sections(view):
        sheet = workbook.create_sheet(section)
        sheet.append([_title(view)])
        for row in rows:
            sheet.append(safe_row(row))
        for cells in sheet.iter_rows(min_row=3):
            for cell in cells:
                if isinstance(cell.value, Decimal):
                    cell.number_format = MONEY_FORMAT
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _product(line: ProductLine) -> list[Cell]:
    name = line.name or f"{EVENT_TYPES.get(line.event_type, line.event_type)} (ei tuotetta)"
    unit = UNITS.get(line.unit, line.unit) if line.unit else None
    return [name, unit, line.units]


def _figures(figures: Figures) -> list[Cell]:
    cents = figures.cost_cents
    cost = None if cents is None else Decimal(cents).scaleb(-2)
    return [figures.events, figures.hours, cost, figures.unpriced]


def _euros(cents: int | None) -> str:
    # The page's money: 1 234,50 € (a dash when nothing of it was priced).
    return "–" if cents is None else f"{finnish_number(cents / 100, 2)}\u00a0€"


def _download(view: MunicipalityReport, export: str) -> Response:
    place = f"-{view.municipality}" if view.municipality else ""
    name = f"kuntaraportti{place}-{view.since.isoformat()}-{view.until.isoformat()}.{export}"
    if export == "csv":
        body, mimetype = report_csv(view), "text/csv; charset=utf-8"
    else:
        body, mimetype = report_xlsx(view), XLSX
    # The municipality comes from the query: only plain characters go into the header.
    safe_name = "".join(ch if (ch.isascii() and ch.isalnum()) or ch in "-." else "_" for ch in name)
    headers = {"Content-Disposition": f"attachment; filename={safe_name}"}
    return Response(body, content_type=mimetype, headers=headers)


def _title(view: MunicipalityReport) -> str:
    place = f", {view.municipality}" if view.municipality else ""
    return f"Asiakastyön kuntaraportti {_day(view.since)}–{_day(view.until)}{place}"


def _day(day: date) -> str:
    return finnish_date(day)
