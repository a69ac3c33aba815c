"""Administrators keep the family workers' skills and areas that order planning relies on."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from sote_flow.domain.errors import InvalidInput
from sote_flow.service_order import workers as worker_service
from sote_flow.web.blueprints import protected_blueprint
from sote_flow.web.deps import actor, clock, platform, unit_of_work

workers_blueprint = protected_blueprint(
    "workers", __name__, url_prefix="/admin/workers", template_folder="templates"
)


@workers_blueprint.get("")
def index() -> str:
    """List the family workers with their skills, areas and caseload."""
    return _workers_page(None, 200)[0]


@workers_blueprint.post("")
def save() -> Response | tuple[str, int]:
    """Save one family worker's skills, areas and availability."""
    username = request.form.get("username", "")
    try:
        with unit_of_work() as uow:
            worker_service.save_worker(
                platform(), actor(), uow, clock(), username,
                request.form.getlist("skills"), request.form.getlist("municipalities"),
                request.form.get("active") == "on",
            )  # fmt: skip
    except InvalidInput as error:
        return _workers_page(error, 422)
    flash(_("Perhetyöntekijän tiedot tallennettu."), "success")
    return redirect(url_for("workers.index"))


def _workers_page(error: InvalidInput | None, status: int) -> tuple[str, int]:
    with unit_of_work() as uow:
        view = worker_service.list_workers(platform(), actor(), uow)
    return render_template("admin_workers.html", view=view, error=error), status
