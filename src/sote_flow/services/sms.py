"""Text messages (SMS): a pluggable sender, and an HTTP gateway of the common Finnish shape.

Finnish SMS gateways (e.g. those of operators and messaging vendors) mostly take one JSON POST
per message with a bearer token; `HttpSmsGateway` speaks that shape with the standard library.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Protocol

from sote_flow.config import Settings

NOT_CONFIGURED = "Tekstiviestipalvelua ei ole määritetty"


class SmsSender(Protocol):
    """Sends one text message; raises on failure. `message_id` is the same on every attempt."""

    def send(self, to: str, body: str, message_id: str) -> None: ...


class SmsError(Exception):
    """A text message could not be handed to the gateway; the message says why (in Finnish)."""


class HttpSmsGateway:
    """An SmsSender that POSTs `{"to", "from", "text", "reference"}` with a bearer token."""

    def __init__(self, url: str, token: str, sender_name: str, timeout: float = 10.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError("the SMS gateway URL must be an http:// or https:// URL")
        self.url = url
        self.token = token
        self.sender_name = sender_name
        self.timeout = timeout

    def send(self, to: str, body: str, message_id: str) -> None:
        """Hand one message to the gateway; raises SmsError unless it answers 2xx."""
        payload = {"to": to, "from": self.sender_name, "text": body, "reference": message_id}
        request = urllib.request.Request(
            self.url,
            data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
                "Authorization": f"Bearer {self.token}",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status = int(response.status)
        except urllib.error.HTTPError as exc:
            detail = _detail(exc)
            raise SmsError(
                f"Tekstiviestipalvelu hylkäsi viestin: HTTP {exc.code} {exc.reason}{detail}"
            ) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            raise SmsError(f"Tekstiviestipalveluun ei saatu yhteyttä: {reason}") from None
        if not 200 <= status < 300:
            raise SmsError(f"Tekstiviestipalvelu vastasi odottamattomasti: HTTP {status}")


def sms_sender(settings: Settings) -> HttpSmsGateway | None:
    """Return the configured SMS gateway, or None when SMS is not configured."""
    if not settings.sms_gateway_url:
        return None
    return HttpSmsGateway(
        settings.sms_gateway_url, settings.sms_gateway_token, settings.sms_sender_name
    )


def _detail(error: urllib.error.HTTPError) -> str:
    try:
        text = error.read(300).decode("utf-8", errors="replace").strip()
    except OSError:
        return ""
    finally:
        error.close()
    return f" ({text})" if text else ""
