"""Send mail over SMTP (smtplib), configured by the SOTE_FLOW_SMTP_* settings."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formatdate

from sote_flow.config import Settings


class SmtpSender:
    """A MailSender that opens one SMTP connection per mail."""

    def __init__(self, settings: Settings, timeout: float = 10.0) -> None:
        self.settings = settings
        self.timeout = timeout

    def send(self, to: str, subject: str, body: str, message_id: str) -> None:
        """Send one plain-text mail; raises smtplib/OSError errors on failure."""
        message = EmailMessage()
        message["From"] = self.settings.smtp_from
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False)
        # The same Message-ID on every attempt lets a receiving server drop a duplicate.
        message["Message-ID"] = message_id
        message.set_content(body)
        with smtplib.SMTP(
            self.settings.smtp_host, self.settings.smtp_port, timeout=self.timeout
        ) as smtp:
            if self.settings.smtp_starttls:
                smtp.starttls()
            if self.settings.smtp_username:
                smtp.login(self.settings.smtp_username, self.settings.smtp_password)
            smtp.send_message(message)
