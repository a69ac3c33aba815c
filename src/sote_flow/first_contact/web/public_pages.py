"""Public pages under /yhteydenotto (no sign-in): the contact form, its receipt and the chat.

A chat is reached only through its link; its pages are never cached or indexed, and the
message list refreshes itself with htmx polling (204: nothing new; 286: stop, it has ended).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.wrappers import Response

from sote_flow.domain.errors import DomainError, InvalidInput, NotFound
from sote_flow.first_contact import public
from sote_flow.first_contact.contacts import ContactInput
from sote_flow.first_contact.web.labels import label_helpers
from sote_flow.services.actors import require_writer
from sote_flow.web.deps import client_address, clock, platform, unit_of_work
from sote_flow.web.errors import status_of

public_blueprint = Blueprint(
    "contact_public",
    __name__,
    url_prefix="/yhteydenotto",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
FORM_FIELDS = ("topic", "description", "callback_phone", "email", "preferred_time")
FIELD_LIMITS = {"description": 4000, "callback_phone": 100, "email": 300, "preferred_time": 400}
PRIVATE_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
RECEIPT_KEY = "contact_reference"

Page = tuple[str, int] | tuple[str, int, dict[str, str]] | Response


@public_blueprint.context_processor
def _helpers() -> dict[str, Any]:
    return label_helpers()


@public_blueprint.before_request
def _readers_change_nothing() -> None:
    # A signed-in read-only user (an auditor) sends nothing, here as anywhere else.
    if request.method == "POST" and current_user.is_authenticated:
        require_writer(current_user.actor)


@public_blueprint.errorhandler(DomainError)
def _refused(error: DomainError) -> tuple[str, int]:
    status = status_of(error)
    return render_template("first_contact/public_error.html", message=error.message), status


@public_blueprint.errorhandler(CSRFError)
def _stale_form(error: CSRFError) -> tuple[str, int]:
    message = _("Lomakkeen istunto vanheni. Lataa sivu uudelleen ja yritä uudestaan.")
    return render_template("first_contact/public_error.html", message=message), 400


@public_blueprint.route("/", methods=["GET", "POST"])
def form() -> Page:
    """Show the public contact form; on submit record the contact and show its receipt."""
    values = {name: _field(name) for name in FORM_FIELDS}
    if request.method == "GET":
        return _form_page(values, {}, 200)
    try:
        with unit_of_work() as uow:
            started = public.submit_contact_form(
                platform(), uow, clock(), client_address(), ContactInput(**values)
            )
    except InvalidInput as error:
        return _form_page(values, _errors(error), 422)
    session[RECEIPT_KEY] = started.reference
    return redirect(url_for("contact_public.receipt"))


@public_blueprint.get("/kiitos")
def receipt() -> Page:
    """Show the reference number of the contact just sent."""
    reference = session.pop(RECEIPT_KEY, None)
    if not isinstance(reference, str):
        return redirect(url_for("contact_public.form"))
    return render_template("first_contact/public_receipt.html", reference=reference), 200


@public_blueprint.route("/chat", methods=["GET", "POST"])
def chat_start() -> Page:
    """Show the chat's start page; on submit open the chat and go to its page."""
    values = {"topic": _field("topic"), "description": _field("description")}
    if request.method == "GET":
        return _chat_start_page(values, {}, 200)
    try:
        with unit_of_work() as uow:
            started = public.open_chat(
                platform(),
                uow,
                clock(),
                client_address(),
                values["topic"],
                values["description"],
            )
    except InvalidInput as error:
        return _chat_start_page(values, _errors(error), 422)
    return redirect(url_for("contact_public.chat", token=started.chat_token, uusi=1))


@public_blueprint.get("/chat/<token>")
def chat(token: str) -> Page:
    """Show a chat and the form for the client's next message."""
    return _chat_page(token, "", {}, 200)


@public_blueprint.post("/viesti")
def post_message() -> Page:
    """Add the client's message to their chat (the link's token comes with the form)."""
    token = request.form.get("token", "")[:100]
    body = request.form.get("body", "")[:4000]
    try:
        with unit_of_work() as uow:
            public.post_client_message(uow, clock(), token, body)
    except InvalidInput as error:
        return _chat_page(token, body, _errors(error), 422)
    return redirect(url_for("contact_public.chat", token=token, _anchor="viesti"))


@public_blueprint.get("/chat/<token>/viestit")
def chat_messages(token: str) -> Page:
    """The chat's message list for polling: 204 when nothing is new, 286 once it has ended."""
    after = request.args.get("after", "")
    try:
        with unit_of_work() as uow:
            thread = public.chat_thread_since(uow, token, int(after) if after.isdigit() else 0)
    except NotFound as gone:
        html = render_template("first_contact/_public_gone.html", message=gone.message)
        return html, 286, PRIVATE_HEADERS
    if thread is None:
        return Response(status=204, headers=PRIVATE_HEADERS)
    html = render_template("first_contact/_public_thread.html", thread=thread, token=token)
    return html, 286 if thread.closed else 200, PRIVATE_HEADERS


def _chat_page(token: str, body: str, errors: dict[str, str], status: int) -> Page:
    with unit_of_work() as uow:
        thread = public.chat_thread(uow, token)
    html = render_template(
        "first_contact/public_chat.html",
        thread=thread,
        token=token,
        body=body,
        errors=errors,
        new=request.args.get("uusi") == "1",
    )
    return html, status, PRIVATE_HEADERS


def _field(name: str) -> str:
    limit = FIELD_LIMITS.get(name, 100)  # the service refuses what is too long; cut the absurd
    return request.form.get(name, "")[:limit]


def _errors(error: InvalidInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    for item in error.errors:
        errors.setdefault(item.field, item.message)
    return errors


def _form_page(values: dict[str, str], errors: dict[str, str], status: int) -> tuple[str, int]:
    html = render_template("first_contact/public_form.html", values=values, errors=errors)
    return html, status


def _chat_start_page(
    values: dict[str, str], errors: dict[str, str], status: int
) -> tuple[str, int]:
    html = render_template("first_contact/public_chat_start.html", values=values, errors=errors)
    return html, status
