"""Mails reach each recipient in the language they chose: a diagram's mails through its sidecar
catalogue, the platform's own through the web catalogue; Finnish when nothing was chosen."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sote_flow.persistence.models import OutboxMail
from sote_flow.service_order import actions
from sote_flow.services.languages import remembered_language, save_language
from tests.support.factories import make_actor
from tests.support.orders import GROUP, OrderDriver, make_order_people


@pytest.fixture
def people(platform, uow, clock):
    people = make_order_people(platform, uow, clock)
    with uow() as unit:
        save_language(people.admin, unit, "sv")  # aino reads Swedish
    return people


@pytest.fixture
def driver(platform, uow, clock, people):
    return OrderDriver(platform, uow, clock, people)


def _mails(uow):
    with uow() as unit:
        rows = unit.session.scalars(select(OutboxMail).order_by(OutboxMail.id))
        return [(m.to_address, m.subject, m.body) for m in rows]


def test_the_arrival_mail_is_swedish_to_a_swedish_admin_and_finnish_to_a_finnish_one(
    uow, clock, people, driver
):
    finnish = make_actor(uow, clock, "fiia", ["producer_admin"], [GROUP], email="fiia@ex.test")
    with uow() as unit:
        save_language(finnish, unit, "fi")
    instance = driver.order()
    number = f"PT-2026-{instance.id:06d}"
    link = f"/orders/{instance.id}"
    (aino, fiia) = _mails(uow)
    assert aino[:2] == ("aino@ex.test", f"Ny servicebeställning {number}")
    assert aino[2].startswith("En ny servicebeställning har kommit till gruppens kö.")
    assert fiia[:2] == ("fiia@ex.test", f"Uusi palvelutilaus {number}")
    assert fiia[2].startswith("Uusi palvelutilaus on saapunut ryhmän jonoon.")
    assert link in aino[2] and link in fiia[2]  # the same link, no client data, in both


def test_a_platform_mail_is_in_the_recipients_language_too(platform, uow, clock, people, driver):
    instance = driver.order()
    with uow() as unit:
        actions.cancel_order(platform, people.orderer, unit, clock, instance.id, "Perhe muutti.")
    to, subject, body = _mails(uow)[-1]
    number = f"PT-2026-{instance.id:06d}"
    assert (to, subject) == ("aino@ex.test", f"Servicebeställning {number} har annullerats")
    assert body.startswith("Beställaren annullerade servicebeställningen.")


def test_without_a_chosen_language_mails_are_finnish(uow, people, driver):
    with uow() as unit:
        assert remembered_language(unit, people.orderer.user_id) is None
        assert remembered_language(unit, people.admin.user_id) == "sv"
    driver.order()
    driver.take()
    driver.plan()
    subjects = {to: subject for to, subject, _ in _mails(uow)}
    assert subjects["pekka@ex.test"].startswith("Sinulle on suunniteltu palvelutilaus")
    assert subjects["sofia@ex.test"].endswith("on suunniteltu")
