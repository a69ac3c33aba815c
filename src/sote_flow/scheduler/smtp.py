"""Mail senders: SMTP (smtplib, SOTE_FLOW_SMTP_* settings), or .eml files for the demo."""

from __future__ import annotations

import smtplib
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

    def send(self, to: str, subject: str, body: str, message_id: str) -> None:
        """Write one mail to the directory."""
        self.directory.mkdir(parents=True, exist_ok=True)
        name = message_id.strip("<>").replace("@", "_") + ".eml"
        message = build_message(self.settings, to, subject, body, message_id)
        (self.directory / name).write_bytes(message.as_bytes())


class SmtpSender:
    """A MailSender that opens one SMTP connection per mail."""

    def __init__(self, settings: Settings, timeout: float = 10.0) -> None:
        self.settings = settings
        self.timeout = timeout

    def send(self, to: str, subject: str, body: str, message_id: str) -> None:
        """Send one plain-text mail; raises smtplib/OSError errors on failure."""
        message = build_message(self.settings, to, subject, body, message_id)
        with smtplib.SMTP(
            self.settings.smtp_host, self.settings.smtp_port, timeout=self.timeout
        ) as smtp:
            if self.settings.smtp_starttls:
                smtp.starttls()
            if self.settings.smtp_username:
                smtp.login(self.settings.smtp_username, self.settings.smtp_password)
            smtp.send_message(message)
