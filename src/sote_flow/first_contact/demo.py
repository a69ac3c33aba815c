"""Demo first contacts: one by phone and one from the public form, waiting to be assessed."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from sote_flow.domain.clock import Clock
from sote_flow.first_contact.contacts import PUBLIC_ACTOR, ContactInput, begin_contact
from sote_flow.first_contact.models import ContactDetails
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import actor_from_user
from sote_flow.services.platform import Platform

DEMO_CONTACTS = (
    ("phone", ContactInput("arki", "Vanhemmat väsyneitä, vauva valvottaa öisin.",
                           callback_phone="040 123 4567", preferred_time="aamupäivisin")),
    ("form", ContactInput("nuori", "15-vuotias ei ole käynyt koulussa kahteen viikkoon.",
                          email="vanhempi@demo.example.test")),
)  # fmt: skip


def seed_demo(
    platform: Platform, unit_of_work: Callable[[], UnitOfWork], clock: Clock
) -> list[str]:
    """Record the demo contacts unless there are contacts already."""
    with unit_of_work() as uow:
        if uow.session.scalar(select(func.count()).select_from(ContactDetails)):
            return []
        advisor = uow.users.by_username("neuvoja")
        if advisor is None:
            return []
        by_phone = actor_from_user(advisor)
    done = []
    for channel, data in DEMO_CONTACTS:
        actor = by_phone if channel == "phone" else PUBLIC_ACTOR
        with unit_of_work() as uow:
            started = begin_contact(platform, actor, uow, clock, channel, data)
            uow.commit()
        done.append(f"first contact {started.reference} ({channel})")
    return done
