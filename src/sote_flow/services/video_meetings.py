"""Video meetings: a pluggable source of join links, one unguessable link per meeting.

By default a link is the configured base URL plus a random token (a provider that opens a room
for any unknown path, e.g. a self-hosted Jitsi). With an API URL set, each meeting is created
through the provider's HTTP API instead, with the standard library like the SMS gateway.
"""

from __future__ import annotations

import http.client
import json
import secrets
import urllib.error
import urllib.request
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

from sote_flow.config import Settings
from sote_flow.domain.errors import Unavailable
from sote_flow.domain.text import t

UNAVAILABLE = t(
    "Videotapaamisen linkkiä ei saatu palveluntarjoajalta. Yritä hetken kuluttua uudelleen."
)
MAX_JOIN_URL_LENGTH = 500
# A join link is a few hundred bytes of JSON; a bigger answer is not one, so stop reading.
MAX_RESPONSE_BYTES = 64 * 1024
TOKEN_BYTES = 24


class MeetingLinks(Protocol):
    """Creates meetings; each call returns the join URL of a new meeting with its own link."""

    def create_link(self, starts_at: datetime, ends_at: datetime, subject: str) -> str: ...


class MeetingLinkUnavailable(Unavailable):
    """The provider gave no join link; nothing was created, the user may try again later."""

    code = "meeting_link_unavailable"

    def __init__(self, reason: str) -> None:
        super().__init__(UNAVAILABLE)
        # For logs only: never the token or the provider's answer, which may echo either.
        self.reason = reason


class BaseUrlMeetingLinks:
    """MeetingLinks as the base URL plus 192 random bits, so no link reveals another."""

    def __init__(self, base_url: str) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError("the video meeting base URL must be an http:// or https:// URL")
        self.base_url = base_url

    def create_link(self, starts_at: datetime, ends_at: datetime, subject: str) -> str:
        """Return a new link under the base URL; the meeting details are not needed."""
        return f"{self.base_url.rstrip('/')}/{secrets.token_urlsafe(TOKEN_BYTES)}"


class HttpMeetingLinks:
    """MeetingLinks that POSTs `{"subject", "start", "end"}` and reads `join_url` back."""

    def __init__(self, api_url: str, api_token: str, timeout: float = 10.0) -> None:
        if not api_url.startswith(("http://", "https://")):
            raise ValueError("the video meeting API URL must be an http:// or https:// URL")
        self.api_url = api_url
        self.api_token = api_token
        self.timeout = timeout
        # urllib would follow a redirect with the Authorization header to any host it names.
        self._opener = urllib.request.build_opener(_RefuseRedirects)

    def create_link(self, starts_at: datetime, ends_at: datetime, subject: str) -> str:
        """Create the meeting at the provider; raises MeetingLinkUnavailable on any failure."""
        payload = {"subject": subject, "start": starts_at.isoformat(), "end": ends_at.isoformat()}
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_token:
            headers["Authorization"] = f"Bearer {self.api_token}"
        request = urllib.request.Request(
            self.api_url,
            data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
            headers=headers,
            method="POST",
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                status = int(response.status)
                body = response.read(MAX_RESPONSE_BYTES + 1)
        except urllib.error.HTTPError as exc:
            exc.close()
            raise MeetingLinkUnavailable(f"HTTP {exc.code}") from None
        except urllib.error.URLError as exc:
            raise MeetingLinkUnavailable(f"no connection: {exc.reason}") from None
        except (OSError, http.client.HTTPException) as exc:
            # Timeouts while reading the answer, and broken answers, are not wrapped in URLError.
            raise MeetingLinkUnavailable(f"no answer: {type(exc).__name__}") from None
        if not 200 <= status < 300:
            raise MeetingLinkUnavailable(f"HTTP {status}")
        if len(body) > MAX_RESPONSE_BYTES:
            raise MeetingLinkUnavailable("answer too large")
        return _join_url(body)


def meeting_links(settings: Settings) -> MeetingLinks:
    """Return the provider API when one is configured, else links under the base URL."""
    if settings.video_meeting_api_url:
        return HttpMeetingLinks(settings.video_meeting_api_url, settings.video_meeting_api_token)
    return BaseUrlMeetingLinks(settings.video_meeting_base_url)


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        # None makes urllib raise the 3xx as an HTTPError, i.e. a failure.
        return None


def _join_url(body: bytes) -> str:
    try:
        answer = json.loads(body)
    except ValueError:
        raise MeetingLinkUnavailable("answer is not JSON") from None
    url = answer.get("join_url") if isinstance(answer, dict) else None
    if not isinstance(url, str) or not _is_web_url(url):
        raise MeetingLinkUnavailable("answer has no valid join_url")
    return url


def _is_web_url(url: str) -> bool:
    # The link goes into mails, texts and pages: only plain http(s), nothing that could
    # run script or break a header or a line.
    if not url or len(url) > MAX_JOIN_URL_LENGTH:
        return False
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)
