"""Staff pages under /contacts: the open contacts of my groups and one contact's page.

The contact's chat refreshes itself with htmx polling; a poll that finds nothing new answers
204 and reads (and logs) nothing.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from sote_flow.domain.errors import InvalidInput
from sote_flow.first_contact import contacts, staff
from sote_flow.first_contact.contacts import ContactInput
from sote_flow.first_contact.web.labels import label_helpers
from sote_flow.services.actors import require_writer
from sote_flow.web.blueprints import protected_blueprint
from sote_flow.web.deps import actor, clock, platform, unit_of_work

contacts_blueprint = protected_blueprint(
    "contacts", __name__, url_prefix="/contacts", template_folder="templates"
)
NO_STORE = {"Cache-Control": "no-store"}


@contacts_blueprint.context_processor
def _helpers() -> dict[str, Any]:
    return label_helpers()


@contacts_blueprint.get("/")
def index() -> str:
    """List the open contacts of my groups, those waiting for an answer first."""
    with unit_of_work() as uow:
        contacts = staff.open_contacts(actor(), uow)
    return render_template("first_contact/contacts.html", contacts=contacts)


@contacts_blueprint.get("/new")
def new_phone_contact() -> str:
    """Show the form an advisor fills in during a phone call."""
    return render_template("first_contact/phone_contact.html", values={}, errors={})


@contacts_blueprint.post("/new")
def record_phone_contact() -> Response | tuple[str, int]:
    """Record a phone contact: the case starts, how to reach the client is kept beside it."""
    require_writer(actor())
    form = request.form
    data = ContactInput(
        topic=form.get("topic", ""),
        description=form.get("description", "")[:4000],
        callback_phone=form.get("callback_phone", "")[:100],
        email=form.get("email", "")[:300],
        preferred_time=form.get("preferred_time", "")[:400],
    )
    try:
        with unit_of_work() as uow:
            started = contacts.record_phone_contact(platform(), actor(), uow, clock(), data)
    except InvalidInput as error:
        errors = {e.field: e.message for e in error.errors}
        return render_template("first_contact/phone_contact.html", values=form, errors=errors), 422
    flash(_("Yhteydenotto %(reference)s kirjattu.", reference=started.reference), "success")
    return redirect(url_for("contacts.show", instance_id=started.instance_id))


@contacts_blueprint.get("/<int:instance_id>")
def show(instance_id: int) -> tuple[str, int, dict[str, str]]:
    """Show a contact: how to reach the client, what they said, the chat and open tasks."""
    return _show(instance_id, "", {}, 200)


@contacts_blueprint.post("/<int:instance_id>/messages")
def reply(instance_id: int) -> Response | tuple[str, int, dict[str, str]]:
    """Answer the contact's chat."""
    body = request.form.get("body", "")[:4000]
    try:
        with unit_of_work() as uow:
            staff.post_staff_message(actor(), uow, clock(), instance_id, body)
    except InvalidInput as error:
        return _show(instance_id, body, {e.field: e.message for e in error.errors}, 422)
    flash(_("Vastaus lähetetty."), "success")
    return redirect(url_for("contacts.show", instance_id=instance_id, _anchor="vastaus"))


@contacts_blueprint.get("/<int:instance_id>/messages")
def messages(instance_id: int) -> Response | tuple[str, int, dict[str, str]]:
    """The chat's messages for polling: 204 when nothing is new."""
    after = request.args.get("after", "")
    with unit_of_work() as uow:
        found = staff.contact_messages_since(
            actor(), uow, clock(), instance_id, int(after) if after.isdigit() else 0
        )
    if found is None:
        return Response(status=204, headers=NO_STORE)
    html = render_template(
        "first_contact/_staff_thread.html",
        instance_id=instance_id,
        messages=found,
        last_id=found[-1].id if found else 0,
    )
    return html, 200, NO_STORE


def _show(
    instance_id: int, body: str, errors: dict[str, str], status: int
) -> tuple[str, int, dict[str, str]]:
    with unit_of_work() as uow:
        view = staff.contact_view(platform(), actor(), uow, clock(), instance_id)
    html = render_template("first_contact/contact.html", view=view, body=body, errors=errors)
    return html, status, NO_STORE
