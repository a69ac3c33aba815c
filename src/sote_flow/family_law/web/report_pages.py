"""The family-law report as a page with charts, and as CSV and XLSX downloads."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

from flask import Response, render_template, request
from openpyxl import Workbook

from sote_flow.domain.errors import InvalidInput
from sote_flow.domain.forms import finnish_date
from sote_flow.domain.weekdays import FINNISH_TIME
from sote_flow.family_law.report import (
    CHANNELS,
    MATTER_KEYS,
    MODES,
    OUTCOMES,
    FamilyLawReport,
    family_law_report,
)
from sote_flow.web.args import day_arg
from sote_flow.web.blueprints import protected_blueprint
from sote_flow.web.calendar_admin import XLSX, finnish_number
from sote_flow.web.deps import actor, clock, unit_of_work
from sote_flow.web.spreadsheet import finnish_csv, safe_row

family_law_reports_blueprint = protected_blueprint(
    "family_law_reports", __name__, url_prefix="/reports", template_folder="templates"
)
DEFAULT_DAYS = 30
Cell = str | int | float | None

# The exports are in Finnish, like the other reports' (a spreadsheet is shared as it is).
CHANNEL_NAMES = {"digital": "Digitaalinen", "phone": "Puhelin"}
MODE_NAMES = {"eta": "Etätapaaminen", "lahi": "Lähitapaaminen"}
MATTER_NAMES = {
    "huolto": "Huolto",
    "asuminen": "Asuminen",
    "tapaamisoikeus": "Tapaamisoikeus",
    "elatus": "Elatus",
}
OUTCOME_NAMES = {
    "sopimus": "Sopimus",
    "sovittelu": "Perheasioiden sovittelu",
    "ohjaus": "Ohjaus muualle",
    "olosuhdeselvitys": "Olosuhdeselvitys",
}


@family_law_reports_blueprint.context_processor
def _helpers() -> dict[str, Any]:
    return {"fi_number": finnish_number}


@family_law_reports_blueprint.get("/family-law")
def report() -> str | tuple[str, int] | Response:
    """Show the family-law report for a period (HTML, or ?format=csv / ?format=xlsx)."""
    today = clock()().astimezone(FINNISH_TIME).date()
    default_since = today - timedelta(days=DEFAULT_DAYS - 1)
    since = day_arg(request.args.get("since")) or default_since
    until = day_arg(request.args.get("until")) or today
    errors: dict[str, str] = {}
    try:
        with unit_of_work() as uow:
            view = family_law_report(actor(), uow, clock(), since, until)
    except InvalidInput as refused:
        # A refused period: show the default one and say why, next to the dates.
        errors = {e.field: e.message for e in refused.errors}
        with unit_of_work() as uow:
            view = family_law_report(actor(), uow, clock(), default_since, today)
    export = request.args.get("format")
    if export in ("csv", "xlsx") and not errors:
        return _download(view, export)
    html = render_template("family_law/report.html", view=view, errors=errors)
    return (html, 422) if errors else html


def report_table(view: FamilyLawReport) -> list[list[Cell]]:
    """Return the report as rows of measure, item and value (the header first)."""
    rows: list[list[Cell]] = [["Mittari", "Kohde", "Arvo"]]
    for measure, items in _sections(view):
        rows += [[measure, item, value] for item, value in items]
    return rows


def _sections(view: FamilyLawReport) -> list[tuple[str, list[tuple[str, Cell]]]]:
    first, feedback, travel = view.first_meeting, view.feedback, view.travel
    contacts: list[tuple[str, Cell]] = [(CHANNEL_NAMES[k], view.channels[k]) for k in CHANNELS]
    meetings: list[tuple[str, Cell]] = [(MODE_NAMES[k], view.meetings[k]) for k in MODES]
    agreements: list[tuple[str, Cell]] = [
        (MATTER_NAMES[k], view.agreements[k]) for k in MATTER_KEYS
    ]
    gaps: list[tuple[str, Cell]] = [
        (f"{gap.municipality or 'Kunta ei tiedossa'} – {gap.office}", gap.meetings)
        for gap in travel.missing
    ]
    return [
        ("Yhteydenotot", [*contacts, ("Digitaalisten osuus (%)", view.digital_share)]),
        ("Tapaamiset", [*meetings, ("Etätapaamisten osuus (%)", view.remote_share)]),
        (
            "Arkipäiviä yhteydenotosta ensimmäiseen tapaamiseen",
            [("Asioita", first.count), ("Mediaani", first.median), ("90. persentiili", first.p90)],
        ),
        ("Vahvistetut sopimukset", [*agreements, ("Yhteensä", view.agreements_total)]),
        ("Päättyneet asiat", [(OUTCOME_NAMES[k], view.outcomes[k]) for k in OUTCOMES]),
        (
            "Henkilöstön palaute",
            [
                ("Vastauksia", feedback.count),
                ("Työmäärä, keskiarvo 1–5", feedback.workload),
                ("Sujuvuus, keskiarvo 1–5", feedback.smoothness),
            ],
        ),
        (
            "Vältetty matkustaminen",
            [
                ("Kilometrit", travel.km),
                ("Tunnit", travel.hours),
                ("Etätapaamisia ilman etäisyyttä", travel.missing_meetings),
            ],
        ),
        ("Puuttuva etäisyys, etätapaamisia", gaps),
    ]


def report_csv(view: FamilyLawReport) -> bytes:
    """Return the report as CSV that Finnish Excel opens as is: BOM, semicolons, commas."""
    title = [f"Perheoikeudellisten palvelujen raportti {_period(view)}"]
    return finnish_csv([title, *report_table(view)])


def report_xlsx(view: FamilyLawReport) -> bytes:
    """Return the report as an XLSX workbook with one sheet."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Perheoikeus"
    sheet.append([f"Perheoikeudellisten palvelujen raportti {_period(view)}"])
    for row in report_table(view):
        sheet.append(safe_row(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _download(view: FamilyLawReport, export: str) -> Response:
    name = f"perheoikeus-{view.since.isoformat()}-{view.until.isoformat()}.{export}"
    if export == "csv":
        body, mimetype = report_csv(view), "text/csv; charset=utf-8"
    else:
        body, mimetype = report_xlsx(view), XLSX
    headers = {"Content-Disposition": f"attachment; filename={name}"}
    return Response(body, content_type=mimetype, headers=headers)


def _period(view: FamilyLawReport) -> str:
    return f"{_day(view.since)}–{_day(view.until)}"


def _day(day: date) -> str:
    return finnish_date(day)
