"""Start a process from its start form."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from sote_flow.domain.errors import InvalidInput
from sote_flow.services import instances as instance_service
from sote_flow.web.deps import actor, clock, platform, unit_of_work
from sote_flow.web.jsonschema_form import form_fields, parse_submission

processes_blueprint = Blueprint("processes", __name__, url_prefix="/processes")


@processes_blueprint.before_request
@login_required  # type: ignore[untyped-decorator]
def _require_login() -> None:
    return None


@processes_blueprint.get("/")
def index() -> str:
    """List the processes I may start."""
    with unit_of_work() as uow:
        versions = instance_service.startable_processes(platform(), actor(), uow)
    return render_template("processes.html", versions=versions)


@processes_blueprint.route("/<key>/start", methods=["GET", "POST"])
def start(key: str) -> str | Response:
    """Show a process's start form; on submit start an instance."""
    with unit_of_work() as uow:
        startable = instance_service.startable_process(platform(), actor(), uow, key)
    values: dict[str, object] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = parse_submission(startable.form or {}, request.form.to_dict(flat=False))
        try:
            with unit_of_work() as uow:
                instance = instance_service.start_instance(
                    platform(), actor(), uow, clock(), key, values
                )
        except InvalidInput as exc:
            errors = {e.field: e.message for e in exc.errors}
        else:
            flash(_("Prosessi käynnistetty."), "success")
            return redirect(url_for("instances.show", instance_id=instance.id))
    fields = form_fields(startable.form or {}, startable.ui_schema)
    status = 422 if errors else 200
    return render_template(  # type: ignore[return-value]
        "start.html", startable=startable, fields=fields, values=values, errors=errors
    ), status
