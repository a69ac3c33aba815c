"""The staff side of a contact: its page (details, chat, open tasks), answers, the open list.

Reading a contact is reading client matter: every read is logged. Answers are stored with the
chat; the history notes that one was sent, never its text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select

from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import Conflict, NotFound, PermissionDenied
from sote_flow.domain.text import t
from sote_flow.engine.runtime import RunContext
from sote_flow.first_contact.contacts import PROCESS_KEY
from sote_flow.first_contact.models import ChatMessage, ContactDetails
from sote_flow.first_contact.public import (
    MessageView,
    check_message,
    is_open,
    newest_message_id,
    reference_of,
    thread_messages,
)
from sote_flow.persistence.models import Case, HumanTask, ProcessInstance
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor, require_writer
from sote_flow.services.instances import log_read, may_read_instance
from sote_flow.services.platform import Platform

STAFF_CLIENT_LABEL = "Asiakas"
OPEN_LIST_LIMIT = 200


@dataclass(frozen=True)
class ContactView:
    """One contact as staff see it: how to reach the client, what they said, the chat, tasks."""

    instance_id: int
    reference: str
    channel: str
    topic: str | None
    description: str | None
    callback_phone: str | None
    email: str | None
    preferred_time: str | None
    created_at: datetime
    erased: bool
    open: bool
    messages: Sequence[MessageView]
    open_tasks: Sequence[HumanTask]

    @property
    def last_id(self) -> int:
        """The id of the newest chat message (0 when there is none)."""
        return self.messages[-1].id if self.messages else 0


@dataclass(frozen=True)
class OpenContact:
    """A row of the open contacts list: no client matter, only what waits for an answer."""

    instance_id: int
    reference: str
    channel: str
    created_at: datetime
    unanswered: int
    last_client_message_at: datetime | None
    task_titles: list[str] = field(default_factory=list)


def contact_view(
    platform: Platform, actor: Actor, uow: UnitOfWork, clock: Clock, instance_id: int
) -> ContactView:
    """Return a contact's page for staff who may read its case; logs the read."""
    instance, details, open_tasks = _readable(actor, uow, instance_id)
    ctx = RunContext(instance.id, instance.process_key, actor.username, clock)
    workflow, _ = platform.load_workflow(instance, ctx)
    data: dict[str, Any] = platform.runtime.current_data(workflow)
    view = ContactView(
        instance_id=instance.id,
        reference=reference_of(uow, instance.id),
        channel=details.channel,
        topic=_text(data.get("topic")),
        description=_text(data.get("description")),
        callback_phone=details.callback_phone,
        email=details.email,
        preferred_time=details.preferred_time,
        created_at=details.created_at,
        erased=details.erased_at is not None,
        open=is_open(instance, details),
        messages=thread_messages(uow, instance.id, STAFF_CLIENT_LABEL),
        open_tasks=open_tasks,
    )
    log_read(uow, clock, actor, "first_contact", str(instance.id), instance.id, actor.purpose)
    uow.commit()
    return view


def contact_messages_since(
    actor: Actor, uow: UnitOfWork, clock: Clock, instance_id: int, after: int
) -> list[MessageView] | None:
    """Return a contact's chat if it has messages newer than `after` (None: nothing new);
    a returned chat is a logged read."""
    instance, _, _ = _readable(actor, uow, instance_id)
    if newest_message_id(uow, instance.id) <= after:
        return None
    messages = thread_messages(uow, instance.id, STAFF_CLIENT_LABEL)
    log_read(uow, clock, actor, "first_contact_chat", str(instance.id), instance.id, actor.purpose)
    uow.commit()
    return messages


def post_staff_message(
    actor: Actor, uow: UnitOfWork, clock: Clock, instance_id: int, body: str
) -> None:
    """Answer a contact's chat as the actor (who must be able to read the contact)."""
    require_writer(actor)
    instance, details, _ = _readable(actor, uow, instance_id)
    if details.channel != "chat":
        raise Conflict(t("Tällä yhteydenotolla ei ole chat-keskustelua."))
    if not is_open(instance, details):
        raise Conflict(t("Yhteydenotto on päättynyt; keskusteluun ei voi enää kirjoittaa."))
    text = check_message(body)
    now = clock()
    uow.session.add(ChatMessage(instance_id=instance.id, at=now, author=actor.username, body=text))
    # The text is client matter: it stays with the chat, the history notes the answer only.
    uow.history.append(
        at=now, actor=actor.username, action="chat_answered", instance_id=instance.id
    )
    uow.commit()


def open_contacts(actor: Actor, uow: UnitOfWork, limit: int = OPEN_LIST_LIMIT) -> list[OpenContact]:
    """Return the open contacts of the actor's groups (every one for oversight roles), those
    with unanswered client messages first, then the oldest."""
    query = (
        select(ContactDetails, Case.case_number)
        .join(ProcessInstance, ProcessInstance.id == ContactDetails.instance_id)
        .outerjoin(Case, Case.instance_id == ContactDetails.instance_id)
        .where(
            ProcessInstance.process_key == PROCESS_KEY,
            ProcessInstance.status.in_(("running", "error")),
            ContactDetails.erased_at.is_(None),
        )
    )
    if not actor.oversees:
        in_groups = select(HumanTask.instance_id).where(
            or_(
                HumanTask.group_name.in_(sorted(actor.groups)),
                HumanTask.assignee_id == actor.user_id,
            )
        )
        query = query.where(
            or_(
                ContactDetails.instance_id.in_(in_groups),
                Case.group_name.in_(sorted(actor.groups)),
            )
        )
    rows = uow.session.execute(query.order_by(ContactDetails.created_at).limit(limit)).all()
    ids = [details.instance_id for details, _ in rows]
    unanswered, last_client = _unanswered(uow, ids)
    titles = _task_titles(uow, ids)
    contacts = [
        OpenContact(
            instance_id=details.instance_id,
            reference=number or f"#{details.instance_id}",
            channel=details.channel,
            created_at=details.created_at,
            unanswered=unanswered.get(details.instance_id, 0),
            last_client_message_at=last_client.get(details.instance_id),
            task_titles=titles.get(details.instance_id, []),
        )
        for details, number in rows
    ]
    return sorted(contacts, key=lambda c: (c.unanswered == 0, c.created_at))


def _readable(
    actor: Actor, uow: UnitOfWork, instance_id: int
) -> tuple[ProcessInstance, ContactDetails, Sequence[HumanTask]]:
    instance = uow.instances.get(instance_id)
    details = uow.session.get(ContactDetails, instance_id)
    if instance is None or details is None or instance.process_key != PROCESS_KEY:
        raise NotFound(t("Yhteydenottoa ei löydy."))
    open_tasks = uow.tasks.for_instance(instance_id)
    case = uow.cases.get(instance_id)
    in_case_group = case is not None and case.group_name in actor.groups
    if not in_case_group and not may_read_instance(
        actor, instance, open_tasks, uow.history.for_instance(instance_id)
    ):
        raise PermissionDenied(t("Sinulla ei ole oikeutta tähän yhteydenottoon."))
    return instance, details, open_tasks


def _unanswered(uow: UnitOfWork, ids: Sequence[int]) -> tuple[dict[int, int], dict[int, datetime]]:
    # Client messages after the last staff answer wait for one.
    counts: dict[int, int] = {}
    last_client: dict[int, datetime] = {}
    if not ids:
        return counts, last_client
    rows = uow.session.execute(
        select(ChatMessage.instance_id, ChatMessage.author, ChatMessage.at)
        .where(ChatMessage.instance_id.in_(ids))
        .order_by(ChatMessage.instance_id, ChatMessage.id)
    ).all()
    for instance_id, author, at in rows:
        if author is None:
            counts[instance_id] = counts.get(instance_id, 0) + 1
            last_client[instance_id] = at
        else:
            counts[instance_id] = 0
    return counts, last_client


def _task_titles(uow: UnitOfWork, ids: Sequence[int]) -> dict[int, list[str]]:
    titles: dict[int, list[str]] = {}
    if not ids:
        return titles
    rows = uow.session.execute(
        select(HumanTask.instance_id, HumanTask.title)
        .where(HumanTask.instance_id.in_(ids))
        .order_by(HumanTask.created_at)
    ).all()
    for instance_id, title in rows:
        titles.setdefault(instance_id, []).append(title)
    return titles


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
