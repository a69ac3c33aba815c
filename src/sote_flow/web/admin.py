"""Administrators: instances in error and undelivered mail (with retry)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from sote_flow.services import admin as admin_service
from sote_flow.services import mail as mail_service
from sote_flow.web.blueprints import protected_blueprint
from sote_flow.web.deps import actor, clock, platform, unit_of_work

admin_blueprint = protected_blueprint("admin", __name__, url_prefix="/admin")


@admin_blueprint.get("/problems")
def problems() -> str:
    """List instances in error and failed mail."""
    with unit_of_work() as uow:
        found = admin_service.list_problems(actor(), uow)
    return render_template("admin_problems.html", problems=found)


@admin_blueprint.post("/instances/<int:instance_id>/retry")
def retry_instance(instance_id: int) -> Response:
    """Run an instance's failed step again."""
    with unit_of_work() as uow:
        instance = admin_service.retry_instance(platform(), actor(), uow, clock(), instance_id)
    if instance.status == "error":
        flash(_("Vaihe epäonnistui taas: %(error)s", error=instance.error_message), "error")
    else:
        flash(_("Prosessi jatkui."), "success")
    return redirect(url_for("admin.problems"))


@admin_blueprint.post("/mails/<int:mail_id>/retry")
def retry_mail(mail_id: int) -> Response:
    """Queue a failed mail for delivery again."""
    with unit_of_work() as uow:
        mail_service.retry_mail(actor(), uow, clock(), mail_id)
    flash(_("Viesti palautettu lähetysjonoon."), "success")
    return redirect(url_for("admin.problems"))
