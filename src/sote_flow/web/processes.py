"""Start a process from its start form."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from sote_flow.persistence.models import ProcessInstance
from sote_flow.services import instances as instance_service
from sote_flow.web.blueprints import protected_blueprint
from sote_flow.web.deps import actor, clock, platform, unit_of_work
from sote_flow.web.form_views import form_page

processes_blueprint = protected_blueprint("processes", __name__, url_prefix="/processes")


@processes_blueprint.get("/")
def index() -> str:
    """List the processes I may start."""
    with unit_of_work() as uow:
        versions = instance_service.startable_processes(platform(), actor(), uow)
    return render_template("processes.html", versions=versions)


@processes_blueprint.route("/<key>/start", methods=["GET", "POST"])
def start(key: str) -> tuple[str, int] | Response:
    """Show a process's start form; on submit start an instance."""
    with unit_of_work() as uow:
        startable = instance_service.startable_process(platform(), actor(), uow, key)

    def start_instance(values: dict[str, Any]) -> ProcessInstance:
        with unit_of_work() as uow:
            return instance_service.start_instance(platform(), actor(), uow, clock(), key, values)

    return form_page(
        "start.html",
        startable.form,
        startable.ui_schema,
        {},
        start_instance,
        _("Prosessi käynnistetty."),
        startable=startable,
    )
