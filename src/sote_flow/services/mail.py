"""The mail outbox: queue mails with the change that causes them, deliver them with retries.

A row's channel says how it leaves: "email" through the MailSender, "sms" (to_address a phone
number, the body only) through the SmsSender when one is configured. A scheduler leases a batch
of due rows (status "sending" until the lease runs out), sends them over one connection outside
any transaction, and settles each at once with the server's reply. A mail's subject and body
are written in each recipient's chosen language when they are `Text`s (services.languages).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sote_flow.domain.clock import Clock
from sote_flow.domain.diagram_texts import EMPTY_CATALOG
from sote_flow.domain.roles import Role
from sote_flow.handlers.context import OutgoingMail
from sote_flow.persistence.models import OutboxMail, ProcessInstance
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor, require_role
from sote_flow.services.languages import in_language
from sote_flow.services.platform import Platform
from sote_flow.services.sms import NOT_CONFIGURED, SmsError, SmsSender

# Long enough for a whole batch over a slow server (50 mails × a 10 s timeout) so that no
# other scheduler takes a mail of the batch before it is sent; a mail whose scheduler died
# mid-batch is sent by another once this has passed.
LEASE = timedelta(minutes=10)


class MailSender(Protocol):
    """Sends one mail; raises on failure. `message_id` is the same on every attempt."""

    def send(self, to: str, subject: str, body: str, message_id: str) -> str | None:
        """Send one mail; return the server's reply to it (None where there is none)."""
        ...


def _case_link(platform: Platform, instance: ProcessInstance | None) -> str:
    # A mail opens the case where its readers work on it: the package's own page, if it has one.
    if instance is None:
        return ""
    package = platform.package(instance.process_key)
    path = package.case_path(instance.id) if package and package.case_path else None
    return f"{platform.settings.base_url}{path or f'/instances/{instance.id}'}"


def queue_mails(
    platform: Platform,
    uow: UnitOfWork,
    clock: Clock,
    instance_id: int | None,
    mails: Sequence[OutgoingMail],
) -> int:
    """Stage one outbox row per recipient address, each in the language its user chose;
    returns how many were queued."""
    if not mails:
        return 0
    queued = 0
    instance = uow.instances.get(instance_id) if instance_id is not None else None
    link = _case_link(platform, instance)
    # A diagram's own mail texts are translated by the catalogue of the instance's version.
    diagram = platform.translations(instance.process_version) if instance else EMPTY_CATALOG
    for mail in mails:
        for address, locale in _recipients(uow, mail):
            body = f"{in_language(mail.body, locale, diagram)}\n\n{link}".strip()
            uow.outbox.add(
                OutboxMail(
                    created_at=clock(),
                    instance_id=instance_id,
                    to_address=address,
                    subject=in_language(mail.subject, locale, diagram),
                    body=body,
                    status="pending",
                    attempts=0,
                    next_attempt_at=clock(),
                )
            )
            queued += 1
    if queued:
        for listener in platform.outbox_listeners:
            uow.after_commit(listener)
    return queued


def _recipients(uow: UnitOfWork, mail: OutgoingMail) -> list[tuple[str, str | None]]:
    if mail.to_group:
        return uow.users.active_recipients(group=mail.to_group)
    if mail.to_role:
        return uow.users.active_recipients(role=mail.to_role)
    return uow.users.active_recipients(username=mail.to_user)


def deliver_due_mails(
    platform: Platform,
    unit_of_work: Callable[[], UnitOfWork],
    clock: Clock,
    sender: MailSender,
    batch: int = 50,
    sms: SmsSender | None = None,
    rounds: int = 20,
) -> int:
    """Send every mail (and SMS) that is due now, batch by batch over one connection; returns
    how many were sent. Bounded: at most `rounds` batches per call, the next call goes on."""
    sent = 0
    connection = getattr(sender, "connection", None)
    with connection() if connection is not None else nullcontext():
        for _ in range(rounds):
            with unit_of_work() as uow:
                rows = uow.outbox.lease_due(clock(), clock() + LEASE, batch)
                leased = [_Leased.of(row) for row in rows]
                uow.commit()
            if not leased:
                break
            for mail in leased:
                sent += _deliver(platform, unit_of_work, clock, sender, sms, mail)
    return sent


@dataclass(frozen=True)
class _Leased:
    # What a leased mail needs for sending: read before its lease's transaction closes.
    id: int
    channel: str
    to_address: str
    subject: str
    body: str

    @staticmethod
    def of(mail: OutboxMail) -> _Leased:
        return _Leased(mail.id, mail.channel, mail.to_address, mail.subject, mail.body)


def _deliver(
    platform: Platform,
    unit_of_work: Callable[[], UnitOfWork],
    clock: Clock,
    sender: MailSender,
    sms: SmsSender | None,
    mail: _Leased,
) -> bool:
    # Sent outside any transaction under the lease, then settled at once: a crash between the
    # server's acceptance and the settling commit is the only window for a second send (after
    # the lease runs out), and the same Message-ID lets the receiving server drop it.
    reply: str | None = None
    error: Exception | None = None
    try:
        if mail.channel == "sms":
            if sms is None:
                raise SmsError(NOT_CONFIGURED)
            sms.send(mail.to_address, mail.body, f"outbox-{mail.id}")
            reply = "SMS accepted"
        else:
            message_id = f"<outbox-{mail.id}@sote-flow>"
            reply = sender.send(mail.to_address, mail.subject, mail.body, message_id)
    except Exception as exc:  # recorded on the row; the mail is retried with a backoff
        error = exc
    with unit_of_work() as uow:
        row = uow.outbox.leased(mail.id)
        if row is None:
            return False  # settled meanwhile (its lease ran out and another sent it)
        _settle(platform, clock(), row, reply, error)
        uow.commit()
        return row.status == "sent"


def _settle(
    platform: Platform,
    now: datetime,
    mail: OutboxMail,
    reply: str | None,
    error: Exception | None,
) -> None:
    mail.lease_until = None
    if error is None:
        mail.status, mail.sent_at, mail.last_error = "sent", now, None
        mail.server_reply = (reply or "")[:500] or None
        return
    settings = platform.settings
    # Our own errors already say in Finnish what went wrong; others keep their type.
    text = str(error) if isinstance(error, SmsError) else f"{type(error).__name__}: {error}"
    mail.last_error = text[:2000]
    mail.status = "failed" if mail.attempts >= settings.mail_max_attempts else "pending"
    delay = settings.mail_retry_seconds * 2 ** (mail.attempts - 1)
    mail.next_attempt_at = now + timedelta(seconds=delay)


def failed_mails(actor: Actor, uow: UnitOfWork) -> Sequence[OutboxMail]:
    """Return the mails that could not be delivered (administrators only)."""
    require_role(actor, Role.ADMINISTRATOR)
    return uow.outbox.failed(200)


def retry_mail(actor: Actor, uow: UnitOfWork, clock: Clock, mail_id: int) -> None:
    """Put a failed mail back in the queue for one more round of attempts."""
    require_role(actor, Role.ADMINISTRATOR)
    mail = uow.outbox.get(mail_id)
    if mail is not None and mail.status == "failed":
        mail.status, mail.attempts, mail.next_attempt_at = "pending", 0, clock()
        uow.history.append(
            at=clock(),
            actor=actor.username,
            action="mail_retried",
            instance_id=mail.instance_id,
            data={"mail_id": mail.id},
        )
        uow.commit()
