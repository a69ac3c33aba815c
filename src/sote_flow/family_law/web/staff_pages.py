"""The officers' pages under /family-law: a matter recorded by phone, and one matter's page
(what the parent told, the parents' contact details, meetings, the agreement's links)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from sote_flow.domain.errors import InvalidInput
from sote_flow.family_law import contacts, staff
from sote_flow.family_law.web.forms import field_errors, form_helpers, matter_input, matter_values
from sote_flow.services.actors import require_writer
from sote_flow.web.blueprints import protected_blueprint
from sote_flow.web.deps import actor, clock, platform, unit_of_work

family_law_blueprint = protected_blueprint(
    "family_law", __name__, url_prefix="/family-law", template_folder="templates"
)
NO_STORE = {"Cache-Control": "no-store"}


@family_law_blueprint.context_processor
def _helpers() -> dict[str, Any]:
    return form_helpers()


@family_law_blueprint.get("/new")
def new_phone_matter() -> str:
    """Show the form an officer or advisor fills in during a parent's phone call."""
    return render_template("family_law/phone_matter.html", values={"matters": []}, errors={})


@family_law_blueprint.post("/new")
def record_phone_matter() -> Response | tuple[str, int]:
    """Record a matter that came by phone; it goes to the officers' queue."""
    require_writer(actor())
    values = matter_values()
    try:
        with unit_of_work() as uow:
            started = contacts.record_phone_matter(
                platform(), actor(), uow, clock(), matter_input(values)
            )
    except InvalidInput as error:
        html = render_template(
            "family_law/phone_matter.html", values=values, errors=field_errors(error)
        )
        return html, 422
    flash(_("Perheasia %(reference)s kirjattu.", reference=started.reference), "success")
    return redirect(url_for("family_law.show", instance_id=started.instance_id))


@family_law_blueprint.get("/<int:instance_id>")
def show(instance_id: int) -> tuple[str, int, dict[str, str]]:
    """Show a matter: the parents' contact details, the meetings and the agreement's links."""
    return _show(instance_id, {}, {}, 200)


@family_law_blueprint.post("/<int:instance_id>/parents/<int:parent>")
def update_parent(instance_id: int, parent: int) -> Response | tuple[str, int, dict[str, str]]:
    """Correct how one parent is reached."""
    email = request.form.get("email", "")[:300]
    phone = request.form.get("phone", "")[:100]
    try:
        with unit_of_work() as uow:
            staff.change_party(actor(), uow, clock(), instance_id, parent, email, phone)
    except InvalidInput as error:
        typed = {"parent": parent, "email": email, "phone": phone}
        return _show(instance_id, typed, field_errors(error), 422)
    flash(_("Vanhemman %(parent)s yhteystiedot tallennettu.", parent=parent), "success")
    return redirect(url_for("family_law.show", instance_id=instance_id))


def _show(
    instance_id: int, typed: dict[str, Any], errors: dict[str, str], status: int
) -> tuple[str, int, dict[str, str]]:
    with unit_of_work() as uow:
        view = staff.matter_view(platform(), actor(), uow, clock(), instance_id)
    html = render_template("family_law/matter.html", view=view, typed=typed, errors=errors)
    return html, status, NO_STORE
