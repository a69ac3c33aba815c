"""Start a process from its start form."""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from sote_flow.persistence.models import ProcessInstance, ProcessVersion
from sote_flow.services import instances as instance_service
from sote_flow.web.blueprints import protected_blueprint
from sote_flow.web.deps import actor, clock, platform, unit_of_work
from sote_flow.web.diagram_texts import diagram_text
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

    # The person has seen the process's warnings (e.g. the client's open order) and sends anyway.
    confirmed = request.form.get("confirm_warnings") == "1"

    def start_instance(values: dict[str, Any]) -> ProcessInstance:
        with unit_of_work() as uow:
            return instance_service.start_instance(
                platform(), actor(), uow, clock(), key, values, confirmed
            )

    return form_page(
        "start.html",
        startable.form,
        startable.ui_schema,
        {},
        start_instance,
        _done_message(startable.ui_schema, startable.version),
        diagram=startable.version,
        startable=startable,
    )


def _done_message(ui_schema: dict[str, Any] | None, version: ProcessVersion) -> str:
    # A start form may say what its sending means ("Tilaus lähetetty."), in its diagram's words.
    done = ((ui_schema or {}).get("ui:submitButtonOptions") or {}).get("doneText")
    return str(diagram_text(done, version)) if done else _("Prosessi käynnistetty.")
