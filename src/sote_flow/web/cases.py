"""Case queues (Asiajonot): one page per process that declares case states in its diagram."""

from __future__ import annotations

from flask import render_template, request

from sote_flow.services.case_queue import CaseQueueQuery, case_queues, list_case_queue
from sote_flow.web.blueprints import protected_blueprint
from sote_flow.web.deps import actor, clock, platform, unit_of_work

cases_blueprint = protected_blueprint("cases", __name__, url_prefix="/cases")
RESERVED_ARGS = ("group", "state", "page")


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
    page_arg = request.args.get("page", "1")
    page = int(page_arg) if page_arg.isdigit() and 0 < int(page_arg) < 100_000 else 1
    size = platform().settings.page_size
    with unit_of_work() as uow:
        view = list_case_queue(platform(), actor(), uow, clock(), query, page, size)
    return render_template("case_queue.html", view=view, page=page, page_size=size)
