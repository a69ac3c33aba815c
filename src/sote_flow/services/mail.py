"""The mail outbox: queue mails with the change that causes them, deliver them with retries.

A row's channel says how it leaves: "email" through the MailSender, "sms" (to_address a phone
number, the body only) through the SmsSender when one is configured.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Protocol

from sote_flow.domain.clock import Clock
from sote_flow.domain.roles import Role
from sote_flow.handlers.context import OutgoingMail
from sote_flow.persistence.models import OutboxMail
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor, require_role
from sote_flow.services.platform import Platform
from sote_flow.services.sms import NOT_CONFIGURED, SmsError, SmsSender


class MailSender(Protocol):
    """Sends one mail; raises on failure. `message_id` is the same on every attempt."""

    def send(self, to: str, subject: str, body: str, message_id: str) -> None: ...


def queue_mails(
    platform: Platform,
    uow: UnitOfWork,
    clock: Clock,
    instance_id: int | None,
    mails: Sequence[OutgoingMail],
) -> int:
    """Stage one outbox row per recipient address; returns how many were queued."""
    queued = 0
    for mail in mails:
        link = f"{platform.settings.base_url}/instances/{instance_id}" if instance_id else ""
        body = f"{mail.body}\n\n{link}".strip()
        for address in _addresses(uow, mail):
            uow.outbox.add(
                OutboxMail(
                    created_at=clock(),
                    instance_id=instance_id,
                    to_address=address,
                    subject=mail.subject,
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


def _addresses(uow: UnitOfWork, mail: OutgoingMail) -> list[str]:
    if mail.to_group:
        return uow.users.active_emails(group=mail.to_group)
    if mail.to_role:
        return uow.users.active_emails(role=mail.to_role)
    return uow.users.active_emails(username=mail.to_user)


def deliver_mail(
    platform: Platform,
    uow: UnitOfWork,
    clock: Clock,
    sender: MailSender,
    mail_id: int,
    sms: SmsSender | None = None,
) -> bool:
    """Try to send one due mail or SMS; False when it is not due or another scheduler has it."""
    now = clock()
    mail = uow.outbox.claim_due(mail_id, now)
    if mail is None:
        return False
    mail.attempts += 1
    try:
        # The row stays locked while sending, so no other scheduler sends it meanwhile.
        if mail.channel == "sms":
            if sms is None:
                raise SmsError(NOT_CONFIGURED)
            sms.send(mail.to_address, mail.body, f"outbox-{mail.id}")
        else:
            sender.send(mail.to_address, mail.subject, mail.body, f"<outbox-{mail.id}@sote-flow>")
    except Exception as exc:
        settings = platform.settings
        # Our own errors already say in Finnish what went wrong; others keep their type.
        error = str(exc) if isinstance(exc, SmsError) else f"{type(exc).__name__}: {exc}"
        mail.last_error = error[:2000]
        if mail.attempts >= settings.mail_max_attempts:
            mail.status = "failed"
        delay = settings.mail_retry_seconds * 2 ** (mail.attempts - 1)
        mail.next_attempt_at = now + timedelta(seconds=delay)
    else:
        mail.status, mail.sent_at, mail.last_error = "sent", now, None
    uow.commit()
    return mail.status == "sent"


def deliver_due_mails(
    platform: Platform,
    unit_of_work: Callable[[], UnitOfWork],
    clock: Clock,
    sender: MailSender,
    batch: int = 50,
    sms: SmsSender | None = None,
) -> int:
    """Send every mail (and SMS) that is due now; returns how many were sent."""
    with unit_of_work() as uow:
        due = uow.outbox.due_ids(clock(), batch)
    sent = 0
    for mail_id in due:
        with unit_of_work() as uow:
            sent += deliver_mail(platform, uow, clock, sender, mail_id, sms)
    return sent


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
