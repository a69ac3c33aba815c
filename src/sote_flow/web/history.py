"""Auditors' view of one instance: the path on its diagram, the timeline and data at any step."""

from __future__ import annotations

from flask import render_template, request

from sote_flow.services import history_view
from sote_flow.web.args import optional_id
from sote_flow.web.blueprints import protected_blueprint
from sote_flow.web.deps import actor, clock, platform, unit_of_work

history_blueprint = protected_blueprint("history", __name__, url_prefix="/instances")


@history_blueprint.get("/<int:instance_id>/history")
def show(instance_id: int) -> str:
    """Show an instance's history on its diagram (the read is logged); ?entry= picks a step."""
    entry_arg = request.args.get("entry", "")
    entry_id = optional_id(entry_arg)
    with unit_of_work() as uow:
        view = history_view.instance_history(
            platform(), actor(), uow, clock(), instance_id, entry_id
        )
    return render_template("history.html", view=view)
