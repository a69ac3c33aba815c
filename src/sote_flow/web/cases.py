"""Case queues (Asiajonot): one page per process that declares case states in its diagram."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from flask import Response, render_template, request

from sote_flow.domain.errors import InvalidInput
from sote_flow.domain.weekdays import FINNISH_TIME
from sote_flow.services.case_queue import CaseQueueQuery, case_queues, list_case_queue
from sote_flow.services.case_report import CaseReportQuery, case_report
from sote_flow.web.args import day_arg, page_number
from sote_flow.web.blueprints import protected_blueprint
from sote_flow.web.case_exports import report_csv, report_xlsx
from sote_flow.web.deps import actor, clock, platform, unit_of_work

cases_blueprint = protected_blueprint("cases", __name__, url_prefix="/cases")
RESERVED_ARGS = ("group", "state", "page", "since", "until", "dimension", "format", "from")
DEFAULT_DAYS = 30
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@cases_blueprint.get("/")
def index() -> str:
    """List the processes worked as cases, with the open cases in the user's queues."""
    with unit_of_work() as uow:
        queues = case_queues(platform(), actor(), uow)
    return render_template("case_queues.html", queues=queues)


@cases_blueprint.get("/<process_key>/")
def queue(process_key: str) -> str:
    """Show one process's case queue in one state, with counts, clocks and declared filters."""
    values = {k: v.strip() for k, v in request.args.items() if k not in RESERVED_ARGS}
    query = CaseQueueQuery(
        process_key=process_key,
        group=request.args.get("group", "").strip() or None,
        state=request.args.get("state", ""),
        values=values,
    )
    page = page_number(request.args.get("page"))
    size = platform().settings.page_size
    with unit_of_work() as uow:
        view = list_case_queue(platform(), actor(), uow, clock(), query, page, size)
    return render_template("case_queue.html", view=view, page=page, page_size=size)


@cases_blueprint.get("/<process_key>/report")
def report(process_key: str) -> str | tuple[str, int] | Response:
    """Show the waiting-time report of a process's cases (HTML, CSV or XLSX by ?format=)."""
    today = clock()().astimezone(FINNISH_TIME).date()
    default_since = today - timedelta(days=DEFAULT_DAYS - 1)
    query = CaseReportQuery(
        process_key=process_key,
        since=_date_arg("since", default_since),
        until=_date_arg("until", today),
        group=request.args.get("group", "").strip() or None,
        values={k: v.strip() for k, v in request.args.items() if k not in RESERVED_ARGS and v},
        dimension=request.args.get("dimension", "").strip() or None,
        from_milestone=request.args.get("from", "").strip() or None,
    )
    error = None
    try:
        with unit_of_work() as uow:
            view = case_report(platform(), actor(), uow, clock(), query)
    except InvalidInput as refused:
        # A refused period: show the default one and say why, next to the dates.
        error = refused.errors[0].message if refused.errors else refused.message
        query = replace(query, since=default_since, until=today)
        with unit_of_work() as uow:
            view = case_report(platform(), actor(), uow, clock(), query)
    export = request.args.get("format")
    if export in ("csv", "xlsx") and error is None:
        name = f"{process_key}-raportti-{query.since.isoformat()}-{query.until.isoformat()}"
        body, mimetype = (
            (report_csv(view), "text/csv; charset=utf-8")
            if export == "csv"
            else (report_xlsx(view), XLSX)
        )
        disposition = f"attachment; filename={name}.{export}"
        return Response(body, mimetype=mimetype, headers={"Content-Disposition": disposition})
    html = render_template("case_report.html", view=view, error=error)
    return (html, 422) if error else html


def _date_arg(name: str, default: date) -> date:
    # An empty or unusable date falls back to the default period rather than failing the page.
    return day_arg(request.args.get(name)) or default
