"""Appointment confirmations by SMS when the client gave a phone number and no e-mail."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from sote_flow.domain.errors import InvalidInput
from sote_flow.persistence.models import HistoryEntry, OutboxMail
from sote_flow.services.calendar_common import SMS_MAX_CHARS, sms_text
from sote_flow.services.calendar_entries import cancel_entry
from sote_flow.services.calendar_slots import Booking, book_slot, next_free_slots
from sote_flow.services.mail import deliver_due_mails
from tests.support.calendars import make_team, offer_weekly

CLIENT = "1234567"
PHONE = "040 123 4567"
TUESDAY = 1


class RecordingSms:
    """An SmsSender that keeps what it was asked to send."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send(self, to: str, body: str, message_id: str) -> None:
        self.sent.append((to, body))


class NoMail:
    """A MailSender that must not be used."""

    def send(self, to: str, subject: str, body: str, message_id: str) -> None:
        raise AssertionError(f"mail sent to {to}")


@pytest.fixture
def team(uow, clock):
    team = make_team(uow, clock)
    offer_weekly(
        uow, clock, team.anna, "family_work", TUESDAY, date(2026, 11, 24), date(2026, 12, 8)
    )
    return team


def _book(platform, uow, clock, actor, booking: Booking) -> int:
    with uow() as unit:
        slot = next_free_slots(unit, clock, "family_work")[0]
    with uow() as unit:
        return book_slot(platform, actor, unit, clock, slot.id, booking)


def _outbox(uow) -> list[OutboxMail]:
    with uow() as unit:
        return list(unit.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all())


def test_a_phone_number_alone_queues_a_confirmation_sms(platform, uow, clock, team):
    entry_id = _book(platform, uow, clock, team.advisor, Booking(CLIENT, client_phone=PHONE))
    [sms] = _outbox(uow)
    assert (sms.channel, sms.to_address, sms.status) == ("sms", PHONE, "pending")
    assert sms.next_attempt_at == clock()
    assert sms.body.startswith("Vahvistus tapaamisajasta:")
    assert re.search(r"24\.11\.2026 klo 0?9\.00–0?9\.45", sms.body), sms.body
    assert "Perhekeskus, Kotka" in sms.body
    assert len(sms.body) <= SMS_MAX_CHARS
    assert CLIENT not in sms.body  # the client number stays inside
    with uow() as unit:
        entry = unit.calendar.entry(entry_id)
        assert entry is not None
        assert (entry.client_phone, entry.client_email) == (PHONE, None)
        history = unit.session.scalars(
            select(HistoryEntry).where(HistoryEntry.action == "slot_booked")
        ).one()
        assert history.data["notified"] is True
        assert PHONE not in str(history.data)


def test_an_email_address_wins_over_the_phone(platform, uow, clock, team):
    booking = Booking(CLIENT, client_email="asiakas@example.fi", client_phone=PHONE)
    _book(platform, uow, clock, team.advisor, booking)
    assert [(m.channel, m.to_address) for m in _outbox(uow)] == [("email", "asiakas@example.fi")]


def test_no_contact_means_no_notice(platform, uow, clock, team):
    _book(platform, uow, clock, team.advisor, Booking(CLIENT))
    assert _outbox(uow) == []


@pytest.mark.parametrize("phone", ["12345", "040 123 456x", "puhelin", "+" + "1" * 30])
def test_an_invalid_phone_number_is_refused(platform, uow, clock, team, phone):
    with pytest.raises(InvalidInput) as refused:
        _book(platform, uow, clock, team.advisor, Booking(CLIENT, client_phone=phone))
    assert [e.field for e in refused.value.errors] == ["client_phone"]
    assert _outbox(uow) == []


def test_cancelling_sends_an_sms_and_forgets_the_number(platform, uow, clock, team):
    entry_id = _book(platform, uow, clock, team.advisor, Booking(CLIENT, client_phone=PHONE))
    with uow() as unit:
        cancel_entry(platform, team.anna, unit, clock, entry_id)
    _booked, cancelled = _outbox(uow)
    assert (cancelled.channel, cancelled.to_address) == ("sms", PHONE)
    assert cancelled.body.startswith("Tapaamisaikanne on peruttu:")
    with uow() as unit:
        entry = unit.calendar.entry(entry_id)
        assert entry is not None
        assert (entry.client_phone, entry.client_email) == (None, None)


def test_the_confirmation_sms_is_delivered_through_the_sms_sender(platform, uow, clock, team):
    _book(platform, uow, clock, team.advisor, Booking(CLIENT, client_phone=PHONE))
    sms = RecordingSms()
    assert deliver_due_mails(platform, uow, clock, NoMail(), sms=sms) == 1
    [(to, body)] = sms.sent
    assert to == PHONE and body.startswith("Vahvistus tapaamisajasta:")


def test_a_long_notice_is_shortened_to_one_sms():
    lines = ["Aika: 24.11.2026 klo 9.00–9.45", "Paikka: " + "Perhekeskus " * 60]
    text = sms_text("Vahvistus tapaamisajasta", lines)
    assert len(text) == SMS_MAX_CHARS and text.endswith("…")
    assert text.startswith("Vahvistus tapaamisajasta:\nAika: 24.11.2026 klo 9.00–9.45\nPaikka:")
    short = sms_text("Peruttu", ["Aika: 9.00", "", "Paikka: Kotka"])
    assert short == "Peruttu:\nAika: 9.00\nPaikka: Kotka"
