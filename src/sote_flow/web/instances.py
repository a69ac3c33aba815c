"""Read one process instance: state, open tasks and history."""

from __future__ import annotations

from flask import render_template, request

from sote_flow.services import instances as instance_service
from sote_flow.web.args import page_number
from sote_flow.web.blueprints import protected_blueprint
from sote_flow.web.deps import actor, clock, platform, unit_of_work

instances_blueprint = protected_blueprint("instances", __name__, url_prefix="/instances")


@instances_blueprint.get("/")
def index() -> str:
    """List instances (all of them for oversight roles; otherwise the ones I started)."""
    status = request.args.get("status") or None
    page = page_number(request.args.get("page"))
    with unit_of_work() as uow:
        found = instance_service.list_instances(
            actor(), uow, page, platform().settings.page_size, status
        )
    return render_template(
        "instances.html",
        instances=found,
        status=status,
        page=page,
        statuses=instance_service.STATUSES,
    )


@instances_blueprint.get("/<int:instance_id>")
def show(instance_id: int) -> str:
    """Show an instance (the read is logged)."""
    with unit_of_work() as uow:
        view = instance_service.view_instance(platform(), actor(), uow, clock(), instance_id)
    return render_template("instance.html", view=view)
