"""Video meeting links: unguessable by default, and a provider API on loopback that may fail."""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from typing import Any

import pytest

from sote_flow.config import load_settings
from sote_flow.domain.errors import DomainError
from sote_flow.services.video_meetings import (
    UNAVAILABLE,
    BaseUrlMeetingLinks,
    HttpMeetingLinks,
    MeetingLinkUnavailable,
    meeting_links,
)
from tests.support.smtp import free_port

BASE = "https://etatapaaminen.example.test/t/"
TOKEN = "salainen-videoavain-987"
STARTS = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)
ENDS = STARTS + timedelta(minutes=45)
SUBJECT = "Etätapaaminen: palvelutarpeen arviointi"
JOIN_URL = "https://video.example.test/j/abc123?pwd=xyz"
URLSAFE = re.compile(r"^[A-Za-z0-9_-]+$")
# Bounds the handler that never answers, so a test run never waits on it for long.
STALL_SECONDS = 1.0


@dataclass
class Received:
    """One request the provider received."""

    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeProvider:
    """A loopback HTTP server answering like a video meeting API; set what it answers."""

    server: ThreadingHTTPServer
    status: int = 201
    answer: bytes = b""
    stall: bool = False
    released: threading.Event = field(default_factory=threading.Event)
    received: list[Received] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1/meetings"

    def answer_json(self, value: Any) -> None:
        self.answer = json.dumps(value).encode("utf-8")


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # A proxy from the environment would take loopback requests elsewhere.
    for name in list(os.environ):
        if name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    state: list[FakeProvider] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            fake = state[0]
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            fake.received.append(Received(self.path, dict(self.headers.items()), body))
            if fake.stall:
                fake.released.wait(STALL_SECONDS)
                return
            self.send_response(fake.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(fake.answer)))
            self.end_headers()
            self.wfile.write(fake.answer)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake = FakeProvider(server)
    fake.answer_json({"join_url": JOIN_URL, "id": "m-1"})
    state.append(fake)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.released.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


def _refused(links: HttpMeetingLinks) -> MeetingLinkUnavailable:
    with pytest.raises(MeetingLinkUnavailable) as caught:
        links.create_link(STARTS, ENDS, SUBJECT)
    error = caught.value
    assert error.message == UNAVAILABLE
    assert "Yritä hetken kuluttua uudelleen" in str(error)
    assert TOKEN not in str(error) and TOKEN not in error.reason
    # A chained exception would carry the provider's answer into logs and traces.
    assert error.__cause__ is None
    assert error.__context__ is None or error.__suppress_context__
    return error


def _shared_prefix(first: str, second: str) -> int:
    length = 0
    while length < min(len(first), len(second)) and first[length] == second[length]:
        length += 1
    return length


def test_base_url_links_are_unique_and_unrelated() -> None:
    links = BaseUrlMeetingLinks(BASE)
    urls = [links.create_link(STARTS, ENDS, SUBJECT) for _ in range(10_000)]
    assert all(url.startswith(BASE) for url in urls)
    tokens = [url.removeprefix(BASE) for url in urls]
    assert all(len(token) >= 32 and URLSAFE.match(token) for token in tokens)
    assert len(set(tokens)) == len(tokens)
    # The longest shared prefix in a set is between neighbours in sorted order; random
    # 6-bit characters make 10,000 tokens share about 4, so 12 means they are not random.
    ordered = sorted(tokens)
    longest = max(_shared_prefix(first, second) for first, second in pairwise(ordered))
    assert longest < 12


def test_base_url_links_join_the_base_with_one_slash() -> None:
    url = BaseUrlMeetingLinks("https://video.example.test/t").create_link(STARTS, ENDS, SUBJECT)
    assert url.startswith("https://video.example.test/t/")
    assert "//" not in url.removeprefix("https://")
    with pytest.raises(ValueError, match="http"):
        BaseUrlMeetingLinks("javascript:alert(1)")


def test_the_provider_creates_the_meeting_and_its_link_is_returned(provider: FakeProvider) -> None:
    url = HttpMeetingLinks(provider.url, TOKEN, timeout=5).create_link(STARTS, ENDS, SUBJECT)
    assert url == JOIN_URL
    [request] = provider.received
    assert request.path == "/v1/meetings"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.body.decode("utf-8")) == {
        "subject": SUBJECT,
        "start": "2025-03-04T09:30:00+00:00",
        "end": "2025-03-04T10:15:00+00:00",
    }


def test_without_a_token_no_authorization_is_sent(provider: FakeProvider) -> None:
    assert HttpMeetingLinks(provider.url, "", timeout=5).create_link(STARTS, ENDS, SUBJECT)
    [request] = provider.received
    assert "Authorization" not in request.headers


def test_a_server_error_is_unavailable(provider: FakeProvider) -> None:
    provider.status = 500
    provider.answer_json({"error": f"sisäinen virhe, avain {TOKEN}"})
    error = _refused(HttpMeetingLinks(provider.url, TOKEN, timeout=5))
    assert "500" in error.reason


def test_a_redirect_is_unavailable_and_not_followed(provider: FakeProvider) -> None:
    provider.status = 302
    provider.answer = b""
    _refused(HttpMeetingLinks(provider.url, TOKEN, timeout=5))
    assert len(provider.received) == 1


def test_an_answer_that_is_not_json_is_unavailable(provider: FakeProvider) -> None:
    provider.answer = f"<html>{TOKEN}</html>".encode()
    error = _refused(HttpMeetingLinks(provider.url, TOKEN, timeout=5))
    assert "html" not in error.reason


@pytest.mark.parametrize(
    "answer",
    [
        {"join_url": "javascript:alert(1)"},
        {"id": "m-1"},
        {"join_url": None},
        {"join_url": ""},
        {"join_url": "https://"},
        {"join_url": "ftp://video.example.test/j/1"},
        {"join_url": "https://video.example.test/j/1\r\nX-Evil: 1"},
        {"join_url": "https://video.example.test/" + "a" * 500},
        ["https://video.example.test/j/1"],
    ],
)
def test_an_answer_without_a_valid_join_url_is_unavailable(
    provider: FakeProvider, answer: Any
) -> None:
    provider.answer_json(answer)
    _refused(HttpMeetingLinks(provider.url, TOKEN, timeout=5))


def test_a_join_url_of_500_characters_is_accepted(provider: FakeProvider) -> None:
    long_url = "https://video.example.test/" + "a" * (500 - len("https://video.example.test/"))
    provider.answer_json({"join_url": long_url})
    assert HttpMeetingLinks(provider.url, TOKEN, timeout=5).create_link(STARTS, ENDS, "") == (
        long_url
    )


def test_a_provider_that_does_not_answer_in_time_is_unavailable(provider: FakeProvider) -> None:
    provider.stall = True
    _refused(HttpMeetingLinks(provider.url, TOKEN, timeout=0.2))


def test_a_refused_connection_is_unavailable() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1/meetings"
    _refused(HttpMeetingLinks(url, TOKEN, timeout=2))


def test_unavailable_is_a_domain_error() -> None:
    assert issubclass(MeetingLinkUnavailable, DomainError)
    assert MeetingLinkUnavailable("x").code == "meeting_link_unavailable"


def test_settings_pick_the_provider_api_only_when_its_url_is_set() -> None:
    default = meeting_links(load_settings({}, require_secret=False))
    assert isinstance(default, BaseUrlMeetingLinks)
    assert default.base_url == "https://etatapaaminen.example.fi/t"

    based = meeting_links(
        load_settings({"SOTE_FLOW_VIDEO_MEETING_BASE_URL": BASE}, require_secret=False)
    )
    assert isinstance(based, BaseUrlMeetingLinks) and based.base_url == BASE

    api = meeting_links(
        load_settings(
            {
                "SOTE_FLOW_VIDEO_MEETING_API_URL": "https://video.example.test/api/meetings",
                "SOTE_FLOW_VIDEO_MEETING_API_TOKEN": TOKEN,
            },
            require_secret=False,
        )
    )
    assert isinstance(api, HttpMeetingLinks)
    assert (api.api_url, api.api_token) == ("https://video.example.test/api/meetings", TOKEN)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SOTE_FLOW_VIDEO_MEETING_BASE_URL", "ftp://video.example.test/t"),
        ("SOTE_FLOW_VIDEO_MEETING_BASE_URL", ""),
        ("SOTE_FLOW_VIDEO_MEETING_API_URL", "javascript:alert(1)"),
    ],
)
def test_settings_refuse_a_url_that_is_not_http(name: str, value: str) -> None:
    with pytest.raises(ValueError, match=name):
        load_settings({name: value}, require_secret=False)
