"""Demo family-law matters: one from the parents' public form, one by phone, both in the
child welfare officers' queue."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from sote_flow.domain.clock import Clock
from sote_flow.domain.weekdays import FINNISH_TIME
from sote_flow.family_law.contacts import PUBLIC_ACTOR, MatterInput, begin_matter
from sote_flow.family_law.models import Party
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import actor_from_user
from sote_flow.services.platform import Platform


def seed_demo(
    platform: Platform, unit_of_work: Callable[[], UnitOfWork], clock: Clock
) -> list[str]:
    """Record the demo matters unless there are matters already."""
    with unit_of_work() as uow:
        if uow.session.scalar(select(func.count()).select_from(Party)):
            return []
        officer = uow.users.by_username("lastenvalvoja")
        if officer is None:
            return []
        by_phone = actor_from_user(officer)
    year = clock().astimezone(FINNISH_TIME).year
    matters = (
        ("digital", MatterInput(
            ["huolto", "asuminen", "tapaamisoikeus"], str(year - 6), "molemmat", "eta", "Inari",
            email_1="vanhempi1@demo.example.test", email_2="vanhempi2@demo.example.test")),
        ("phone", MatterInput(
            ["elatus"], str(year - 11), "toinen", "eta", "Utsjoki",
            phone_1="040 765 4321", email_2="toinen.vanhempi@demo.example.test")),
    )  # fmt: skip
    done = []
    for channel, data in matters:
        actor = by_phone if channel == "phone" else PUBLIC_ACTOR
        with unit_of_work() as uow:
            started = begin_matter(platform, actor, uow, clock, channel, data)
            uow.commit()
        done.append(f"family-law matter {started.reference} ({channel})")
    return done
