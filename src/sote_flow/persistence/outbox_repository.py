"""Repositories of what leaves an instance or waits for it: outbox mail and messages."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.orm import Session

from sote_flow.persistence.models import OutboxMail, OutgoingMessage, WaitingMessage


class OutboxRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, mail: OutboxMail) -> None:
        """Stage a new outbox mail."""
        self.session.add(mail)

    def get(self, mail_id: int) -> OutboxMail | None:
        """Return an outbox mail by id, or None."""
        return self.session.get(OutboxMail, mail_id)

    def due_ids(self, now: datetime, limit: int) -> Sequence[int]:
        """Return the ids of mails due at `now` (pending, or leased by a scheduler that died
        before it settled them), oldest first."""
        query = select(OutboxMail.id).where(_due(now)).order_by(OutboxMail.id).limit(limit)
        return self.session.scalars(query).all()

    def lease_due(self, now: datetime, until: datetime, limit: int) -> Sequence[OutboxMail]:
        """Lease up to `limit` due mails to this scheduler until `until` (the caller commits).

        SKIP LOCKED lets any number of schedulers share one PostgreSQL; the guarded UPDATE
        keeps two SQLite writers from leasing the same mail. Once committed, the lease keeps
        the others off the mails while they are sent, outside any transaction.
        """
        candidates = select(OutboxMail.id).where(_due(now)).order_by(OutboxMail.id).limit(limit)
        ids = list(self.session.scalars(candidates.with_for_update(skip_locked=True)).all())
        if not ids:
            return []
        self.session.execute(
            update(OutboxMail)
            .where(OutboxMail.id.in_(ids), _due(now))
            .values(status="sending", lease_until=until, attempts=OutboxMail.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        mine = select(OutboxMail).where(
            OutboxMail.id.in_(ids), OutboxMail.status == "sending", OutboxMail.lease_until == until
        )
        return self.session.scalars(
            mine.order_by(OutboxMail.id).execution_options(populate_existing=True)
        ).all()

    def leased(self, mail_id: int) -> OutboxMail | None:
        """Return a mail still leased (not settled by anyone since), or None."""
        query = select(OutboxMail).where(OutboxMail.id == mail_id, OutboxMail.status == "sending")
        return self.session.scalar(query)

    def failed(self, limit: int) -> Sequence[OutboxMail]:
        """Return the mails that could not be delivered, newest first."""
        query = (
            select(OutboxMail)
            .where(OutboxMail.status == "failed")
            .order_by(OutboxMail.id.desc())
            .limit(limit)
        )
        return self.session.scalars(query).all()


class MessageRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add_outgoing(self, message: OutgoingMessage) -> None:
        """Stage a message an instance threw, to be routed later."""
        self.session.add(message)

    def pending_ids(self, limit: int) -> Sequence[int]:
        """Return the ids of thrown messages not yet routed, oldest first."""
        query = (
            select(OutgoingMessage.id)
            .where(OutgoingMessage.status == "pending")
            .order_by(OutgoingMessage.id)
            .limit(limit)
        )
        return self.session.scalars(query).all()

    def claim_pending(self, message_id: int) -> OutgoingMessage | None:
        """Lock a thrown message still pending; None if it is not, or another scheduler has it."""
        query = (
            select(OutgoingMessage)
            .where(OutgoingMessage.id == message_id, OutgoingMessage.status == "pending")
            .with_for_update(skip_locked=True)
        )
        return self.session.scalar(query)

    def waiting_instance_ids(self, name: str, instance_id: int | None = None) -> set[int]:
        """Return the ids of instances waiting for message `name` (only `instance_id` if given)."""
        query = select(WaitingMessage.instance_id).where(WaitingMessage.name == name)
        if instance_id is not None:
            query = query.where(WaitingMessage.instance_id == instance_id)
        return set(self.session.scalars(query))

    def clear_waiting(self, instance_id: int) -> None:
        """Delete every message name an instance was waiting for."""
        self.session.execute(
            delete(WaitingMessage).where(WaitingMessage.instance_id == instance_id)
        )

    def add_waiting(self, instance_id: int, names: Iterable[str]) -> None:
        """Stage the message names an instance now waits for."""
        self.session.add_all(WaitingMessage(instance_id=instance_id, name=name) for name in names)


def _due(now: datetime) -> ColumnElement[bool]:
    pending = (OutboxMail.status == "pending") & (OutboxMail.next_attempt_at <= now)
    # A lease that ran out: its scheduler died between the send and marking it sent.
    abandoned = (OutboxMail.status == "sending") & (OutboxMail.lease_until < now)
    return or_(pending, abandoned)
