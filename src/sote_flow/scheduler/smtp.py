"""Mail senders: SMTP (smtplib, SOTE_FLOW_SMTP_* settings), or .eml files for the demo."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from sote_flow.config import Settings


def build_message(
    settings: Settings, to: str, subject: str, body: str, message_id: str
) -> EmailMessage:
    """Return the plain-text mail as it is sent."""
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    # The same Message-ID on every attempt lets a receiving server drop a duplicate.
    message["Message-ID"] = message_id
    message.set_content(body)
    return message


def mail_sender(settings: Settings) -> SmtpSender | DirectorySender:
    """Return the sender the settings ask for."""
    if settings.mail_directory:
        return DirectorySender(settings, Path(settings.mail_directory))
    return SmtpSender(settings)


class DirectorySender:
    """Writes each mail as an .eml file (one per outbox row, so a retry overwrites it)."""

    def __init__(self, settings: Settings, directory: Path) -> None:
        self.settings = settings
        self.directory = directory

    def send(self, to: str, subject: str, body: str, message_id: str) -> str | None:
        """Write one mail to the directory; returns where it was written."""
        self.directory.mkdir(parents=True, exist_ok=True)
        name = message_id.strip("<>").replace("@", "_") + ".eml"
        message = build_message(self.settings, to, subject, body, message_id)
        (self.directory / name).write_bytes(message.as_bytes())
        return f"written to {name}"


class SmtpSender:
    """A MailSender over SMTP: one connection per `connection()` block (a delivery round),
    else one per mail."""

    def __init__(self, settings: Settings, timeout: float = 10.0) -> None:
        self.settings = settings
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None

    @contextmanager
    def connection(self) -> Iterator[None]:
        """Keep one SMTP connection open for the mails sent inside the block."""
        try:
            yield
        finally:
            self._close()

    def send(self, to: str, subject: str, body: str, message_id: str) -> str | None:
        """Send one plain-text mail; returns the server's reply to its data ("250 …").

        Raises smtplib/OSError errors on failure; the connection is then dropped, so the next
        mail starts on a fresh one.
        """
        message = build_message(self.settings, to, subject, body, message_id)
        data = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
        try:
            smtp = self._smtp or self._open()
            return _transaction(smtp, self.settings.smtp_from, to, data)
        except (smtplib.SMTPException, OSError):
            self._close()
            raise

    def _open(self) -> smtplib.SMTP:
        smtp = smtplib.SMTP(self.settings.smtp_host, self.settings.smtp_port, timeout=self.timeout)
        if self.settings.smtp_starttls:
            smtp.starttls()
        if self.settings.smtp_username:
            smtp.login(self.settings.smtp_username, self.settings.smtp_password)
        self._smtp = smtp
        return smtp

    def _close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()


def _transaction(smtp: smtplib.SMTP, sender: str, to: str, data: bytes) -> str:
    # MAIL, RCPT and DATA by hand (send_message keeps the server's answer to DATA to itself):
    # the answer, e.g. "250 2.0.0 Ok: queued as 4F2C", is what proves the hand-over.
    smtp.ehlo_or_helo_if_needed()
    code, reply = smtp.mail(sender)
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    code, reply = smtp.rcpt(to)
    if code not in (250, 251):
        raise smtplib.SMTPRecipientsRefused({to: (code, reply)})
    code, reply = smtp.data(data)  # raises SMTPDataError unless the server accepted it
    return f"{code} {reply.decode('utf-8', 'replace')}"[:500]
