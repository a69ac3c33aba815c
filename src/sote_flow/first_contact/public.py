"""The public channels: the contact form and the chat, used by clients without signing in.

Submissions are limited per address (the PublicSubmission rows of the last ten minutes); a
chat is reached only through its link, whose token is shown once and stored as a hash. Chat
messages are client matter: they live in their own table, never in the history.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import FieldError, InvalidInput, NotFound, TooManyAttempts
from sote_flow.domain.privacy import find_personal_identity_codes
from sote_flow.domain.text import t
from sote_flow.first_contact import contacts
from sote_flow.first_contact.contacts import (
    HETU_MESSAGE,
    PUBLIC_ACTOR,
    ContactInput,
    StartedContact,
    begin_contact,
    token_hash,
)
from sote_flow.first_contact.models import ChatMessage, ContactDetails
from sote_flow.persistence.models import ProcessInstance, User
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.platform import Platform
from sote_flow.services.public_limits import RATE_WINDOW, check_rate, record_submission

# The start form's topics (processes/first_contact-start.json), in its order.
TOPICS = ("arki", "kasvatus", "nuori", "vamma", "muu")
BODY_MAX = 2000
# Client messages one chat takes in RATE_WINDOW (a link is a key, not a licence to flood).
CHAT_BURST = 30
CLOSED_STATUSES = ("completed", "cancelled")
CLIENT_LABEL = "Sinä"
CHAT_FLOODED = t("Olet lähettänyt monta viestiä peräkkäin. Odota hetki ja yritä uudelleen.")
UNKNOWN_THREAD = t("Keskustelua ei löydy. Linkki on väärä tai keskustelu on jo päättynyt.")
THREAD_CLOSED = t("Keskustelu on päättynyt; siihen ei voi enää kirjoittaa.")


@dataclass(frozen=True)
class MessageView:
    """One chat message as shown: who wrote it (a label), when, and the text."""

    id: int
    at: datetime
    author: str
    from_client: bool
    body: str


@dataclass(frozen=True)
class ThreadView:
    """A chat as its client sees it: the reference number and the messages, oldest first."""

    reference: str
    messages: Sequence[MessageView]
    closed: bool

    @property
    def last_id(self) -> int:
        """The id of the newest message (0 when there is none)."""
        return self.messages[-1].id if self.messages else 0


def submit_contact_form(
    platform: Platform, uow: UnitOfWork, clock: Clock, address: str, data: ContactInput
) -> StartedContact:
    """Record a contact sent with the public form; rate limited per address."""
    check_rate(platform, uow, clock, address)
    _check_input(data, require_reach=True)
    started = begin_contact(platform, PUBLIC_ACTOR, uow, clock, "form", data, require_reach=True)
    record_submission(uow, clock, address)
    uow.commit()
    return started


def open_chat(
    platform: Platform,
    uow: UnitOfWork,
    clock: Clock,
    address: str,
    topic: str,
    first_message: str,
) -> StartedContact:
    """Start a contact by chat; the returned link token is shown to the client only now."""
    check_rate(platform, uow, clock, address)
    data = ContactInput(topic=topic, description=first_message.strip())
    _check_input(data, require_reach=False)
    started = begin_contact(platform, PUBLIC_ACTOR, uow, clock, "chat", data)
    uow.session.add(
        ChatMessage(instance_id=started.instance_id, at=clock(), author=None, body=data.description)
    )
    record_submission(uow, clock, address)
    uow.commit()
    return started


def chat_thread(uow: UnitOfWork, token: str) -> ThreadView:
    """Return the chat behind a link token, as its client sees it."""
    details = _details_for_token(uow, token)
    instance = uow.instances.get(details.instance_id)
    return ThreadView(
        reference=reference_of(uow, details.instance_id),
        messages=thread_messages(uow, details.instance_id, CLIENT_LABEL),
        closed=instance is None or instance.status in CLOSED_STATUSES,
    )


def chat_thread_since(uow: UnitOfWork, token: str, after: int) -> ThreadView | None:
    """Return the chat if it has messages newer than `after` (None: nothing new to show)."""
    details = _details_for_token(uow, token)
    if newest_message_id(uow, details.instance_id) <= after:
        return None
    return chat_thread(uow, token)


def post_client_message(uow: UnitOfWork, clock: Clock, token: str, body: str) -> None:
    """Add the client's message to their chat (not once the contact has closed)."""
    details = _details_for_token(uow, token)
    instance = uow.instances.get(details.instance_id)
    if instance is None or instance.status in CLOSED_STATUSES:
        raise NotFound(THREAD_CLOSED)
    text = check_message(body)
    now = clock()
    recent = uow.session.scalar(
        select(func.count())
        .select_from(ChatMessage)
        .where(
            ChatMessage.instance_id == details.instance_id,
            ChatMessage.author.is_(None),
            ChatMessage.at >= now - RATE_WINDOW,
        )
    )
    if (recent or 0) >= CHAT_BURST:
        raise TooManyAttempts(CHAT_FLOODED)
    uow.session.add(ChatMessage(instance_id=details.instance_id, at=now, author=None, body=text))
    # The text is client matter: the history notes only that a message came.
    uow.history.append(
        at=now,
        actor=PUBLIC_ACTOR.username,
        action="chat_message_received",
        instance_id=details.instance_id,
    )
    uow.commit()


def check_message(body: str, field: str = "body") -> str:
    """Return a chat message's text, or raise InvalidInput (empty, too long, a hetu)."""
    text = body.strip()
    if not text:
        raise InvalidInput([FieldError(field, t("Kirjoita viesti."))])
    if len(text) > BODY_MAX:
        raise InvalidInput([FieldError(field, t("Viesti on liian pitkä (enintään 2000 merkkiä)."))])
    if find_personal_identity_codes(text):
        raise InvalidInput([FieldError(field, HETU_MESSAGE)])
    return text


def thread_messages(uow: UnitOfWork, instance_id: int, client_label: str) -> list[MessageView]:
    """Return a contact's chat messages, oldest first, staff named by their display names."""
    rows = uow.session.scalars(
        select(ChatMessage).where(ChatMessage.instance_id == instance_id).order_by(ChatMessage.id)
    ).all()
    names = _display_names(uow, {row.author for row in rows if row.author is not None})
    return [
        MessageView(
            id=row.id,
            at=row.at,
            author=client_label if row.author is None else names.get(row.author, row.author),
            from_client=row.author is None,
            body=row.body,
        )
        for row in rows
    ]


def newest_message_id(uow: UnitOfWork, instance_id: int) -> int:
    """Return the id of a contact's newest chat message (0 when it has none)."""
    query = select(func.max(ChatMessage.id)).where(ChatMessage.instance_id == instance_id)
    return int(uow.session.scalar(query) or 0)


def reference_of(uow: UnitOfWork, instance_id: int) -> str:
    """Return a contact's reference number: its case number (or #id before it has one)."""
    case = uow.cases.get(instance_id)
    return case.case_number if case is not None and case.case_number else f"#{instance_id}"


def is_open(instance: ProcessInstance, details: ContactDetails) -> bool:
    """True while a contact may still be written to: running and its details not erased."""
    return instance.status not in CLOSED_STATUSES and details.erased_at is None


def _details_for_token(uow: UnitOfWork, token: str) -> ContactDetails:
    if not token or len(token) > 100:
        raise NotFound(UNKNOWN_THREAD)
    details = uow.session.scalar(
        select(ContactDetails).where(ContactDetails.chat_token_hash == token_hash(token))
    )
    if details is None or details.erased_at is not None:
        raise NotFound(UNKNOWN_THREAD)
    return details


def _display_names(uow: UnitOfWork, usernames: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(usernames))
    if not wanted:
        return {}
    rows = uow.session.execute(
        select(User.username, User.display_name).where(User.username.in_(wanted))
    ).all()
    return {username: display_name for username, display_name in rows}


def _check_input(data: ContactInput, require_reach: bool) -> None:
    # Every refused field at once, in the client's terms (the start form's own messages are
    # written for staff); the contact details are checked as `begin_contact` checks them.
    errors = []
    if data.topic not in TOPICS:
        errors.append(FieldError("topic", t("Valitse, mitä asiasi koskee.")))
    description = data.description.strip()
    if not description:
        errors.append(FieldError("description", t("Kerro lyhyesti, mistä on kyse.")))
    elif len(data.description) > BODY_MAX:
        errors.append(
            FieldError("description", t("Kuvaus on liian pitkä (enintään 2000 merkkiä)."))
        )
    elif find_personal_identity_codes(data.description):
        errors.append(FieldError("description", HETU_MESSAGE))
    errors.extend(contacts.contact_errors("form" if require_reach else "chat", data, require_reach))
    if errors:
        raise InvalidInput(errors)
