"""Read one process instance: state, open tasks and history."""

from __future__ import annotations

from flask import render_template

from sote_flow.services import instances as instance_service
from sote_flow.web.blueprints import protected_blueprint
from sote_flow.web.deps import actor, clock, platform, unit_of_work

instances_blueprint = protected_blueprint("instances", __name__, url_prefix="/instances")


@instances_blueprint.get("/<int:instance_id>")
def show(instance_id: int) -> str:
    """Show an instance (the read is logged)."""
    with unit_of_work() as uow:
        view = instance_service.view_instance(platform(), actor(), uow, clock(), instance_id)
    return render_template("instance.html", view=view)
