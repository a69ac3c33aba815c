"""The parents' public page under /perheasiat (no sign-in): the contact form and its receipt."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.wrappers import Response

from sote_flow.domain.errors import DomainError, InvalidInput
from sote_flow.family_law import public
from sote_flow.family_law.web.forms import field_errors, form_helpers, matter_input, matter_values
from sote_flow.services.actors import require_writer
from sote_flow.web.deps import client_address, clock, platform, unit_of_work
from sote_flow.web.errors import status_of

family_public_blueprint = Blueprint(
    "family_public", __name__, url_prefix="/perheasiat", template_folder="templates"
)
RECEIPT_KEY = "family_matter_reference"
PRIVATE_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}

Page = tuple[str, int] | tuple[str, int, dict[str, str]] | Response


@family_public_blueprint.context_processor
def _helpers() -> dict[str, Any]:
    return form_helpers()


@family_public_blueprint.before_request
def _readers_change_nothing() -> None:
    # A signed-in read-only user (an auditor) sends nothing, here as anywhere else.
    if request.method == "POST" and current_user.is_authenticated:
        require_writer(current_user.actor)


@family_public_blueprint.errorhandler(DomainError)
def _refused(error: DomainError) -> tuple[str, int]:
    return render_template("family_law/public_error.html", message=error.message), status_of(error)


@family_public_blueprint.errorhandler(CSRFError)
def _stale_form(error: CSRFError) -> tuple[str, int]:
    message = _("Lomakkeen istunto vanheni. Lataa sivu uudelleen ja yritä uudestaan.")
    return render_template("family_law/public_error.html", message=message), 400


@family_public_blueprint.route("/", methods=["GET", "POST"])
def form() -> Page:
    """Show the parents' contact form; on submit record the matter and show its receipt."""
    if request.method == "GET":
        return _form_page({"matters": []}, {}, 200)
    values = matter_values()
    try:
        with unit_of_work() as uow:
            started = public.submit_matter_form(
                platform(), uow, clock(), client_address(), matter_input(values)
            )
    except InvalidInput as error:
        return _form_page(values, field_errors(error), 422)
    session[RECEIPT_KEY] = started.reference
    return redirect(url_for("family_public.receipt"))


@family_public_blueprint.get("/kiitos")
def receipt() -> Page:
    """Show the reference number of the matter just sent."""
    reference = session.pop(RECEIPT_KEY, None)
    if not isinstance(reference, str):
        return redirect(url_for("family_public.form"))
    return render_template("family_law/public_receipt.html", reference=reference), 200


def _form_page(values: dict[str, Any], errors: dict[str, str], status: int) -> Page:
    html = render_template("family_law/public_form.html", values=values, errors=errors)
    return html, status, PRIVATE_HEADERS
