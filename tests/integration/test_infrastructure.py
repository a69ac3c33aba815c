"""The real parts the suite relies on work: a PostgreSQL server and an SMTP server on loopback."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import pytest
from sqlalchemy import create_engine, text

from tests.support.postgres import PostgresServer
from tests.support.smtp import CapturingSmtpServer


@pytest.mark.postgres
def test_postgres_server_serves_a_fresh_database(postgres_server: PostgresServer) -> None:
    postgres_server.create_database("infrastructure_check")
    engine = create_engine(postgres_server.url("infrastructure_check"))
    try:
        with engine.connect() as connection:
            version = connection.execute(text("select version()")).scalar_one()
            database = connection.execute(text("select current_database()")).scalar_one()
    finally:
        engine.dispose()
    assert version.startswith("PostgreSQL ")
    assert database == "infrastructure_check"


def test_smtp_server_captures_a_sent_mail(smtp_server: CapturingSmtpServer) -> None:
    mail = EmailMessage()
    mail["From"] = "sote-flow@example.test"
    mail["To"] = "kasittelija@example.test"
    mail["Subject"] = "Uusi tehtävä"
    mail.set_content("Avaa tehtävä: /tasks/1\n")
    with smtplib.SMTP("127.0.0.1", smtp_server.port, timeout=5) as client:
        client.send_message(mail, to_addrs=["kasittelija@example.test", "bcc@example.test"])

    [received] = smtp_server.wait_for(1)
    assert received["Subject"] == "Uusi tehtävä"
    assert received.get_content().strip() == "Avaa tehtävä: /tasks/1"  # SMTP sends CRLF
    [envelope] = smtp_server.received
    assert envelope.mail_from == "sote-flow@example.test"
    assert envelope.rcpt_tos == ("kasittelija@example.test", "bcc@example.test")
