"""Mail goes through the outbox to a real SMTP server; failures are retried, never duplicated."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select

from sote_flow.persistence.models import OutboxMail
from sote_flow.scheduler.smtp import DirectorySender, SmtpSender
from sote_flow.services.mail import deliver_due_mails, failed_mails, retry_mail
from tests.support.factories import DIAGRAMS, deploy, make_actor, make_groups, make_platform, start
from tests.support.smtp import CapturingSmtpServer, free_port


@pytest.fixture
def people(platform, uow, clock):
    make_groups(uow, "kasittelijat")
    deploy(platform, uow, clock, DIAGRAMS / "notify.bpmn")
    return {
        "starter": make_actor(uow, clock, "sanna", ["social_worker"]),
        "admin1": make_actor(
            uow, clock, "tuomas", ["producer_admin"], ["kasittelijat"], email="tuomas@example.test"
        ),
        "admin2": make_actor(
            uow, clock, "tiina", ["producer_admin"], ["kasittelijat"], email="tiina@example.test"
        ),
        "root": make_actor(uow, clock, "paavo", ["administrator"]),
    }


def _outbox(uow):
    with uow() as unit:
        return unit.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()


def test_group_is_mailed_a_link_and_number_only(platform, uow, clock, people, smtp_server):
    instance = start(
        platform, uow, clock, people["starter"], "notify", {"client_number": "1234567"}
    )
    assert [m.status for m in _outbox(uow)] == ["pending", "pending"]  # same transaction
    sender = SmtpSender(make_platform("sqlite://", smtp_port=smtp_server.port).settings)
    assert deliver_due_mails(platform, uow, clock, sender) == 2
    messages = smtp_server.wait_for(2)
    assert sorted(m["To"] for m in messages) == ["tiina@example.test", "tuomas@example.test"]
    number = f"PT-2026-{instance.id:06d}"
    assert {m["Subject"] for m in messages} == {f"Uusi palvelutilaus {number}"}
    body = messages[0].get_content()
    assert f"/instances/{instance.id}" in body and "1234567" not in body
    assert deliver_due_mails(platform, uow, clock, sender) == 0  # nothing is sent twice
    assert len(smtp_server.messages) == 2


def test_unreachable_server_is_retried_with_backoff_then_delivered_once(
    platform, uow, clock, people
):
    start(platform, uow, clock, people["starter"], "notify", {})
    port = free_port()
    sender = SmtpSender(make_platform("sqlite://", smtp_port=port).settings, timeout=2)
    assert deliver_due_mails(platform, uow, clock, sender) == 0
    first = _outbox(uow)
    assert {(m.status, m.attempts) for m in first} == {("pending", 1)}
    assert all(m.next_attempt_at == clock() + timedelta(seconds=30) for m in first)
    assert "Error" in first[0].last_error

    server = CapturingSmtpServer(port).start()
    try:
        assert deliver_due_mails(platform, uow, clock, sender) == 0  # not due yet
        clock.advance(timedelta(seconds=31))
        assert deliver_due_mails(platform, uow, clock, sender) == 2
        assert len(server.wait_for(2)) == 2
        clock.advance(timedelta(hours=1))
        assert deliver_due_mails(platform, uow, clock, sender) == 0
        assert len(server.messages) == 2
    finally:
        server.stop()


def test_mail_that_keeps_failing_is_marked_failed_and_can_be_retried(platform, uow, clock, people):
    start(platform, uow, clock, people["starter"], "notify", {})
    sender = SmtpSender(make_platform("sqlite://", smtp_port=free_port()).settings, timeout=2)
    for _ in range(platform.settings.mail_max_attempts):
        deliver_due_mails(platform, uow, clock, sender)
        clock.advance(timedelta(hours=2))
    with uow() as unit:
        failed = failed_mails(people["root"], unit)
    assert len(failed) == 2 and all(m.attempts == 5 for m in failed)
    with uow() as unit:
        retry_mail(people["root"], unit, clock, failed[0].id)
    assert sorted(m.status for m in _outbox(uow)) == ["failed", "pending"]


def test_demo_writes_mail_to_a_directory(platform, uow, clock, people, tmp_path):
    start(platform, uow, clock, people["starter"], "notify", {})
    sender = DirectorySender(platform.settings, tmp_path / "mail")
    assert deliver_due_mails(platform, uow, clock, sender) == 2
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 2 and b"Subject: Uusi palvelutilaus PT-2026-" in files[0].read_bytes()


def test_the_servers_reply_is_kept_and_one_connection_serves_the_round(
    platform, uow, clock, people, smtp_server
):
    for _ in range(3):
        start(platform, uow, clock, people["starter"], "notify", {})
    sender = SmtpSender(make_platform("sqlite://", smtp_port=smtp_server.port).settings)
    connections = []
    opened = sender._open

    def counting_open():
        connections.append(1)
        return opened()

    sender._open = counting_open  # count the connections the round opens
    assert deliver_due_mails(platform, uow, clock, sender, batch=4) == 6
    assert len(connections) == 1
    assert {(m.status, m.server_reply, m.lease_until) for m in _outbox(uow)} == {
        ("sent", "250 OK", None)
    }


def test_a_scheduler_killed_after_the_server_accepted_leaves_the_mail_leased(
    platform, uow, clock, people, smtp_server
):
    start(platform, uow, clock, people["starter"], "notify", {})
    sender = SmtpSender(make_platform("sqlite://", smtp_port=smtp_server.port).settings)

    class Killed(BaseException):
        """The scheduler's process ends between the server's acceptance and the settling."""

    class DiesAfterSending:
        def send(self, to, subject, body, message_id):
            sender.send(to, subject, body, message_id)
            raise Killed

    with pytest.raises(Killed):
        deliver_due_mails(platform, uow, clock, DiesAfterSending())
    assert len(smtp_server.wait_for(1)) == 1
    assert {m.status for m in _outbox(uow)} == {"sending"}
    # Another scheduler leaves the leased mails alone while the lease holds ...
    clock.advance(timedelta(minutes=9))
    assert deliver_due_mails(platform, uow, clock, sender) == 0
    assert len(smtp_server.messages) == 1
    # ... and afterwards sends them (at least once): the same Message-ID marks the duplicate.
    clock.advance(timedelta(minutes=2))
    assert deliver_due_mails(platform, uow, clock, sender) == 2
    messages = smtp_server.wait_for(3)
    assert len({m["Message-ID"] for m in messages}) == 2  # the resent one repeats its id


def test_concurrent_schedulers_send_each_mail_once(platform, uow, clock, people, smtp_server):
    for _ in range(20):
        start(platform, uow, clock, people["starter"], "notify", {})
    settings = make_platform("sqlite://", smtp_port=smtp_server.port).settings

    def scheduler() -> int:
        return deliver_due_mails(platform, uow, clock, SmtpSender(settings), batch=5)

    with ThreadPoolExecutor(max_workers=4) as pool:
        sent = sum(pool.map(lambda _: scheduler(), range(4)))
    assert sent == 40
    messages = smtp_server.wait_for(40)
    assert len(messages) == 40 and len({m["Message-ID"] for m in messages}) == 40
