"""Text messages leave through the outbox to a real HTTP SMS gateway on loopback."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import select

from sote_flow.config import load_settings
from sote_flow.persistence.models import OutboxMail
from sote_flow.services.mail import deliver_due_mails, failed_mails
from sote_flow.services.sms import NOT_CONFIGURED, HttpSmsGateway, SmsError, sms_sender
from tests.support.factories import TEST_SECRET, make_actor
from tests.support.smtp import free_port

TOKEN = "salainen-avain-123"
PHONE = "+358401234567"


@dataclass
class Received:
    """One request the gateway received."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class FakeGateway:
    """A loopback HTTP server answering like an SMS gateway; `status` is what it answers."""

    server: ThreadingHTTPServer
    status: int = 202
    received: list[Received] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1/messages"


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    state: list[FakeGateway] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length).decode("utf-8"))
            fake = state[0]
            fake.received.append(Received("POST", self.path, dict(self.headers.items()), body))
            answer = b'{"id": "m-1"}' if fake.status < 300 else b'{"error": "sisainen virhe"}'
            self.send_response(fake.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep the test output clean

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.append(FakeGateway(server))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state[0]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class RecordingMailSender:
    """A MailSender that keeps what it was asked to send."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    def send(self, to: str, subject: str, body: str, message_id: str) -> None:
        self.sent.append((to, subject, body))


def _queue(uow, clock, to: str, channel: str, body: str = "Aika: 24.11.2026 klo 9.00") -> int:
    with uow() as unit:
        mail = OutboxMail(
            created_at=clock(),
            instance_id=None,
            to_address=to,
            channel=channel,
            subject="Vahvistus tapaamisajasta",
            body=body,
            status="pending",
            attempts=0,
            next_attempt_at=clock(),
        )
        unit.outbox.add(mail)
        unit.commit()
        return mail.id


def _outbox(uow) -> list[OutboxMail]:
    with uow() as unit:
        return list(unit.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all())


def test_gateway_posts_json_with_a_bearer_token(gateway):
    HttpSmsGateway(gateway.url, TOKEN, "Kotkan sote").send(PHONE, "Hei! Aika on 9.00.", "outbox-7")
    assert len(gateway.received) == 1
    request = gateway.received[0]
    assert (request.method, request.path) == ("POST", "/v1/messages")
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Content-Type"].startswith("application/json")
    assert request.body == {
        "to": PHONE,
        "from": "Kotkan sote",
        "text": "Hei! Aika on 9.00.",
        "reference": "outbox-7",
    }


def test_a_server_error_raises_a_clear_error(gateway):
    gateway.status = 500
    with pytest.raises(SmsError, match="HTTP 500"):
        HttpSmsGateway(gateway.url, TOKEN, "sote-flow").send(PHONE, "Hei", "outbox-1")


def test_an_unreachable_gateway_raises_a_clear_error():
    url = f"http://127.0.0.1:{free_port()}/v1/messages"
    with pytest.raises(SmsError, match="ei saatu yhteyttä"):
        HttpSmsGateway(url, TOKEN, "sote-flow", timeout=2).send(PHONE, "Hei", "outbox-1")


def test_settings_build_the_gateway_only_when_a_url_is_set():
    base = {"secret_key": TEST_SECRET}
    assert sms_sender(load_settings({}, base)) is None
    configured = load_settings(
        {
            "SOTE_FLOW_SMS_GATEWAY_URL": "https://sms.example.test/v1",
            "SOTE_FLOW_SMS_GATEWAY_TOKEN": "t",
        },
        base,
    )
    sender = sms_sender(configured)
    assert isinstance(sender, HttpSmsGateway)
    assert (sender.url, sender.token, sender.sender_name) == (
        "https://sms.example.test/v1",
        "t",
        "sote-flow",
    )
    with pytest.raises(ValueError, match="SMS_GATEWAY_URL"):
        load_settings({"SOTE_FLOW_SMS_GATEWAY_URL": "ftp://sms.example.test"}, base)


def test_outbox_sends_sms_rows_through_the_gateway_and_mail_rows_by_mail(
    platform, uow, clock, gateway
):
    sms_id = _queue(uow, clock, PHONE, "sms", "Vahvistus tapaamisajasta:\nAika: 9.00")
    _queue(uow, clock, "asiakas@example.fi", "email")
    mail = RecordingMailSender()
    sms = HttpSmsGateway(gateway.url, TOKEN, "sote-flow")
    assert deliver_due_mails(platform, uow, clock, mail, sms=sms) == 2
    assert [r.body for r in gateway.received] == [
        {
            "to": PHONE,
            "from": "sote-flow",
            "text": "Vahvistus tapaamisajasta:\nAika: 9.00",
            "reference": f"outbox-{sms_id}",
        }
    ]
    assert [to for to, _, _ in mail.sent] == ["asiakas@example.fi"]
    assert [(m.channel, m.status) for m in _outbox(uow)] == [("sms", "sent"), ("email", "sent")]
    assert deliver_due_mails(platform, uow, clock, mail, sms=sms) == 0  # nothing twice
    assert len(gateway.received) == 1


def test_a_failing_gateway_is_retried_then_delivered_once(platform, uow, clock, gateway):
    _queue(uow, clock, PHONE, "sms")
    sms = HttpSmsGateway(gateway.url, TOKEN, "sote-flow")
    gateway.status = 503
    assert deliver_due_mails(platform, uow, clock, RecordingMailSender(), sms=sms) == 0
    [row] = _outbox(uow)
    assert (row.status, row.attempts) == ("pending", 1)
    assert "HTTP 503" in (row.last_error or "")
    gateway.status = 200
    clock.advance(timedelta(seconds=31))
    assert deliver_due_mails(platform, uow, clock, RecordingMailSender(), sms=sms) == 1
    assert len(gateway.received) == 2 and _outbox(uow)[0].status == "sent"


def test_sms_without_a_gateway_fails_with_a_finnish_message(platform, uow, clock):
    _queue(uow, clock, PHONE, "sms")
    mail = RecordingMailSender()
    for _ in range(platform.settings.mail_max_attempts):
        assert deliver_due_mails(platform, uow, clock, mail) == 0
        clock.advance(timedelta(hours=2))
    [row] = _outbox(uow)
    assert (row.status, row.attempts) == ("failed", platform.settings.mail_max_attempts)
    assert row.last_error == NOT_CONFIGURED == "Tekstiviestipalvelua ei ole määritetty"
    assert mail.sent == []  # never sent as a mail instead
    admin = make_actor(uow, clock, "paavo", ["administrator"])
    with uow() as unit:
        assert [m.id for m in failed_mails(admin, unit)] == [row.id]  # shown under Häiriöt
