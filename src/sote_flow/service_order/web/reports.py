"""Reports (Raportit): the service order queue report as a page with a chart, and as CSV."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from flask import Response, render_template, request

from sote_flow.domain.errors import InvalidInput
from sote_flow.domain.forms import finnish_date
from sote_flow.domain.weekdays import FINNISH_TIME
from sote_flow.service_order.report import (
    DIMENSIONS,
    MILESTONES,
    OrderReport,
    ReportQuery,
    order_report,
)
from sote_flow.web.args import day_arg
from sote_flow.web.blueprints import protected_blueprint
from sote_flow.web.deps import actor, clock, platform, unit_of_work
from sote_flow.web.spreadsheet import finnish_csv

order_reports_blueprint = protected_blueprint(
    "order_reports", __name__, url_prefix="/reports", template_folder="templates"
)
DEFAULT_DAYS = 30


@order_reports_blueprint.get("/orders")
def orders() -> str | tuple[str, int] | Response:
    """Show the queue report for a period, group and filters (HTML, or CSV with ?format=csv)."""
    today = clock()().astimezone(FINNISH_TIME).date()
    default = ReportQuery(since=today - timedelta(days=DEFAULT_DAYS - 1), until=today)
    query = replace(
        default,
        since=_date_arg("since", default.since),
        until=_date_arg("until", default.until),
        **{name: request.args.get(name, "").strip() or None for name in ("group", *DIMENSIONS)},
    )
    error = None
    try:
        with unit_of_work() as uow:
            view = order_report(platform(), actor(), uow, clock(), query)
    except InvalidInput as refused:
        # A period the report refuses: show the default period and say why, next to the dates.
        error = refused.errors[0].message if refused.errors else refused.message
        with unit_of_work() as uow:
            view = order_report(
                platform(), actor(), uow, clock(), replace(query, since=default.since, until=today)
            )
    if request.args.get("format") == "csv" and error is None:
        return Response(
            report_csv(view),
            mimetype="text/csv",
            headers={"Content-Disposition": "attachment; filename=tilausraportti.csv"},
        )
    html = render_template(
        "order_report.html", view=view, milestones=MILESTONES, dimensions=DIMENSIONS, error=error
    )
    return (html, 422) if error else html


MILESTONE_HEADERS = {"taken": "otettu", "planned": "suunniteltu", "started": "alkanut"}
DIMENSION_HEADERS = {"service": "palvelu", "urgency": "kiireellisyys", "municipality": "kunta"}


def report_csv(view: OrderReport) -> bytes:
    """Return the report rows (all, then per service, urgency, municipality) and the queue, as
    CSV that Finnish Excel opens as is (BOM, semicolons, decimal commas, Finnish headers)."""
    header: list[object] = ["ulottuvuus", "arvo", "nimi", "saapuneet"]
    for milestone in MILESTONES:
        name = MILESTONE_HEADERS[milestone]
        header += [f"{name} kpl", f"{name} mediaani (arkipäivää)", f"{name} p90 (arkipäivää)"]
    lines: list[list[object]] = [header]
    for row in [view.total, *view.rows]:
        label = view.labels.get(row.dimension, {}).get(row.value, row.value)
        dimension = DIMENSION_HEADERS.get(row.dimension, row.dimension)
        cells: list[object] = [dimension, row.value, label, row.received]
        for milestone in MILESTONES:
            durations = getattr(row, milestone)
            cells += [durations.count, durations.median, durations.p90]
        lines.append(cells)
    lines += [[], ["päivä", "jonon pituus"]]
    lines += [[finnish_date(day), length] for day, length in view.queue_per_day]
    return finnish_csv(lines)


def _date_arg(name: str, default: date) -> date:
    # An empty or unusable date falls back to the default period rather than failing the page.
    return day_arg(request.args.get(name)) or default
