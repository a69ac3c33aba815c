"""First contact's own tables: how to reach the client, the chat thread, public submissions.

Contact details never enter the workflow data or the history (both keep every value for
good); they live here, beside the case, and are erased when the contact closes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sote_flow.persistence.models import Base


class ContactDetails(Base):
    """How one contact's client asked to be reached, and the secret of their chat thread."""

    __tablename__ = "first_contact_details"

    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(10))  # phone | form | chat
    callback_phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    preferred_time: Mapped[str | None] = mapped_column(String(200))
    # sha256 of the chat link's token: the link is the client's only key to the thread.
    chat_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    erased_at: Mapped[datetime | None]


class ChatMessage(Base):
    """One message of a contact's chat: from the client, or from a named staff member."""

    __tablename__ = "first_contact_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), index=True)
    at: Mapped[datetime]
    author: Mapped[str | None] = mapped_column(String(80))  # None: the client
    body: Mapped[str] = mapped_column(Text)


class VisitRecord(Base):
    """The outcome of a first visit, as its worker recorded it: performed work, kept as an event."""

    __tablename__ = "first_contact_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("calendar_entries.id"))
    client_number: Mapped[str | None] = mapped_column(String(64))
    worker: Mapped[str] = mapped_column(String(80))
    service_key: Mapped[str | None] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(20))  # tuli | ei_tullut | peruttu
    next_step: Mapped[str | None] = mapped_column(String(40))
    minutes: Mapped[int | None]
    visited_at: Mapped[datetime | None]
    recorded_at: Mapped[datetime]
