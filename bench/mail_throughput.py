"""Benchmark: outbox delivery to a real SMTP server on loopback (aiosmtpd), as the scheduler
does it: leased batches sent over one connection, each mail settled with the server's reply.

MAILS queued mails are delivered by one scheduler (deliver_due_mails until nothing is due);
printed: mails per second on SQLite and on PostgreSQL, and the ratio to the target (issue 17:
>= 100 mails/s to a local server). Bounded: MAILS mails, loopback only. Usage:
mail_throughput.py [MAILS]
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime

from _common import databases
from sote_flow.domain.clock import system_clock
from sote_flow.persistence.models import OutboxMail
from sote_flow.scheduler.smtp import SmtpSender
from sote_flow.services.mail import deliver_due_mails
from tests.support.factories import make_platform, make_uow_factory
from tests.support.smtp import CapturingSmtpServer

MAILS = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
TARGET_PER_SECOND = 100


def queue(url: str) -> None:
    uow = make_uow_factory(url)
    now = datetime.now(UTC)
    with uow() as unit:
        for number in range(MAILS):
            unit.outbox.add(
                OutboxMail(
                    created_at=now,
                    instance_id=None,
                    to_address=f"vastaanottaja{number % 50}@example.test",
                    channel="email",
                    subject=f"Uusi tehtävä {number}",
                    body="Sinulle on uusi tehtävä. Avaa se linkistä.\n\nhttp://127.0.0.1:5000/",
                    status="pending",
                    attempts=0,
                    next_attempt_at=now,
                )
            )
        unit.commit()


def measure(label: str, url: str, server: CapturingSmtpServer) -> None:
    queue(url)
    platform, uow = make_platform(url, smtp_port=server.port), make_uow_factory(url)
    sender = SmtpSender(platform.settings)
    before = len(server.messages)
    start = time.perf_counter()
    sent = 0
    while sent < MAILS:
        delivered = deliver_due_mails(platform, uow, system_clock, sender, batch=100)
        if delivered == 0:
            break
        sent += delivered
    seconds = time.perf_counter() - start
    received = len(server.wait_for(before + MAILS, timeout=30)) - before
    rate = sent / seconds
    print(
        f"  {label:<10} {sent:>5} sent, {received:>5} received in {seconds:5.1f} s: "
        f"{rate:6.0f} mails/s, {rate / TARGET_PER_SECOND:4.1f} x the target {TARGET_PER_SECOND}/s"
    )


def main() -> None:
    print(f"outbox delivery, {MAILS} mails, one scheduler, aiosmtpd on loopback")
    with CapturingSmtpServer() as server, databases() as urls:
        for label, url in urls:
            measure(label, url, server)


if __name__ == "__main__":
    main()
