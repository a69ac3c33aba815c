"""Recording a first contact from any channel: the case starts, the contact details stay here.

The start form's data (channel, topic, description) enters the workflow; how to reach the
client (call-back number, e-mail, preferred time) does not: the history keeps every value for
good, and these are to be erased when the contact closes.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from sote_flow.domain.clock import Clock
from sote_flow.domain.contact_details import email_problem, phone_problem
from sote_flow.domain.errors import FieldError, InvalidInput
from sote_flow.domain.privacy import find_personal_identity_codes
from sote_flow.domain.text import t
from sote_flow.first_contact.models import ContactDetails
from sote_flow.packages import ClientContact
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor
from sote_flow.services.instances import begin_instance
from sote_flow.services.platform import Platform
from sote_flow.services.system import PUBLIC_WEB_ACTOR

PROCESS_KEY = "first_contact"
CHANNELS = ("phone", "form", "chat")
PREFERRED_TIME_MAX = 200
HETU_MESSAGE = t(
    "Älä kirjoita henkilötunnusta. Kerro asiasi ilman sitä; tunnistamme sinut myöhemmin."
)

PUBLIC_ACTOR = PUBLIC_WEB_ACTOR


@dataclass(frozen=True)
class ContactInput:
    """What the client tells, and how they want to be reached."""

    topic: str
    description: str
    callback_phone: str = ""
    email: str = ""
    preferred_time: str = ""


@dataclass(frozen=True)
class StartedContact:
    """A contact just recorded: its instance, its reference number and (chat) the link token."""

    instance_id: int
    reference: str
    chat_token: str | None = None


def begin_contact(
    platform: Platform,
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    channel: str,
    data: ContactInput,
    require_reach: bool = False,
) -> StartedContact:
    """Start the case and keep its contact details beside it; the caller commits once."""
    errors = contact_errors(channel, data, require_reach)
    if errors:
        raise InvalidInput(errors)
    chat_token = secrets.token_urlsafe(32) if channel == "chat" else None
    start_data = {"channel": channel, "topic": data.topic, "description": data.description}
    instance = begin_instance(platform, actor, uow, clock, PROCESS_KEY, start_data)
    uow.session.add(
        ContactDetails(
            instance_id=instance.id,
            channel=channel,
            callback_phone=data.callback_phone.strip() or None,
            email=data.email.strip() or None,
            preferred_time=data.preferred_time.strip() or None,
            chat_token_hash=token_hash(chat_token) if chat_token else None,
            created_at=clock(),
        )
    )
    case = uow.cases.get(instance.id)
    reference = case.case_number if case is not None and case.case_number else f"#{instance.id}"
    return StartedContact(instance.id, reference, chat_token)


def record_phone_contact(
    platform: Platform, actor: Actor, uow: UnitOfWork, clock: Clock, data: ContactInput
) -> StartedContact:
    """An advisor records a contact that came by phone."""
    started = begin_contact(platform, actor, uow, clock, "phone", data)
    uow.commit()
    return started


def client_contact(uow: UnitOfWork, instance_id: int) -> ClientContact | None:
    """Return where the contact's client asked to be reached (None once erased)."""
    details = uow.session.get(ContactDetails, instance_id)
    if details is None or details.erased_at is not None:
        return None
    return ClientContact(email=details.email, phone=details.callback_phone)


def token_hash(token: str) -> str:
    """Return the stored form of a chat link token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def contact_errors(channel: str, data: ContactInput, require_reach: bool) -> list[FieldError]:
    """Return what is wrong with the channel and the ways to reach the client, by field."""
    errors = []
    if channel not in CHANNELS:
        errors.append(FieldError("channel", t("Tuntematon yhteydenottotapa.")))
    phone, email = data.callback_phone.strip(), data.email.strip()
    if problem := phone_problem(phone):
        errors.append(FieldError("callback_phone", problem))
    if problem := email_problem(email):
        errors.append(FieldError("email", problem))
    if require_reach and not phone and not email:
        errors.append(
            FieldError(
                "callback_phone",
                t("Kerro puhelinnumero tai sähköpostiosoite, jotta voimme ottaa yhteyttä."),
            )
        )
    if len(data.preferred_time) > PREFERRED_TIME_MAX:
        errors.append(
            FieldError(
                "preferred_time",
                t("Toivottu yhteydenottoaika on liian pitkä (enintään 200 merkkiä)."),
            )
        )
    for name, value in _free_text(data).items():
        if find_personal_identity_codes(value):
            errors.append(FieldError(name, HETU_MESSAGE))
    return errors


def _free_text(data: ContactInput) -> Mapping[str, str]:
    return {"preferred_time": data.preferred_time, "callback_phone": data.callback_phone}
