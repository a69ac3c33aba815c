"""The inbox ("Omat tehtävät", "Ryhmän tehtävät") and working on one task."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from sote_flow.persistence.models import ProcessInstance
from sote_flow.services import tasks as task_service
from sote_flow.web.args import page_number
from sote_flow.web.blueprints import protected_blueprint
from sote_flow.web.deps import actor, clock, platform, unit_of_work
from sote_flow.web.form_views import FormState, render_form, submit_form

inbox_blueprint = protected_blueprint("inbox", __name__)


@inbox_blueprint.get("/")
def index() -> str:
    """Show my tasks and my groups' unclaimed tasks."""
    page_size = platform().settings.page_size
    mine_page = _page("mine_page")
    group_page = _page("group_page")
    with unit_of_work() as uow:
        mine = task_service.my_tasks(actor(), uow, mine_page, page_size)
        group = task_service.group_tasks(actor(), uow, group_page, page_size)
    return render_template("inbox.html", mine=mine, group=group)


@inbox_blueprint.post("/tasks/<task_id>/claim")
def claim(task_id: str) -> Response:
    """Take a group task for myself."""
    with unit_of_work() as uow:
        task_service.claim_task(actor(), uow, clock(), task_id)
    flash(_("Tehtävä otettu käsittelyyn."), "success")
    return redirect(url_for("inbox.task", task_id=task_id))


@inbox_blueprint.post("/tasks/<task_id>/release")
def release(task_id: str) -> Response:
    """Give my task back to the group."""
    with unit_of_work() as uow:
        task_service.release_task(actor(), uow, clock(), task_id)
    flash(_("Tehtävä palautettu ryhmälle."), "success")
    return redirect(url_for("inbox.index"))


@inbox_blueprint.route("/tasks/<task_id>", methods=["GET", "POST"])
def task(task_id: str) -> tuple[str, int] | Response:
    """Show a task's form; on submit validate it and complete the task."""
    state: FormState | None = None
    if request.method == "POST":
        # The submission is read with the task's own form and completed in one transaction;
        # the task is opened (workflow loaded, read logged) only to show the form again.
        with unit_of_work() as uow:
            schema, version = task_service.task_form(platform(), actor(), uow, task_id)

        def complete(values: dict[str, Any]) -> ProcessInstance:
            with unit_of_work() as uow:
                return task_service.complete_task(
                    platform(), actor(), uow, clock(), task_id, values
                )

        submitted = submit_form(schema, complete, _("Tehtävä tehty."), version)
        if isinstance(submitted, Response):
            return submitted
        state = submitted
    with unit_of_work() as uow:
        view = task_service.open_task(platform(), actor(), uow, clock(), task_id)
    shown = state or FormState(dict(view.data))
    return render_form(
        "task.html", view.form, view.ui_schema, shown, view.instance.process_version, view=view
    )


def _page(name: str) -> int:
    return page_number(request.args.get(name))
