"""Erasing how to reach the client once a contact has closed (run by the scheduler's upkeep).

The call-back number, e-mail, preferred time and the chat link's secret are erased, and so is
the confirmation address of the case's calendar entries. The history keeps that they existed,
never what they were.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import select

from sote_flow.domain.clock import Clock
from sote_flow.first_contact.models import ContactDetails
from sote_flow.persistence.calendar_models import CalendarEntry
from sote_flow.persistence.models import ProcessInstance
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.platform import Platform
from sote_flow.services.system import SYSTEM_ACTOR
from sote_flow.services.upkeep import each_in_own_transaction

CLOSED = ("completed", "cancelled")
BATCH = 500  # contacts per round; the next round takes the rest


def erase_closed_contacts(
    platform: Platform, unit_of_work: Callable[[], UnitOfWork], clock: Clock
) -> list[str]:
    """Erase the contact details of every closed contact; returns one line per erased contact."""
    with unit_of_work() as uow:
        due = _closed_unerased(uow)
    return each_in_own_transaction(
        unit_of_work,
        due,
        lambda uow, instance_id: _erase(uow, clock, instance_id),
        lambda instance_id: f"yhteystiedot poistettu: asia #{instance_id}",
    )


def _closed_unerased(uow: UnitOfWork) -> Sequence[int]:
    query = (
        select(ContactDetails.instance_id)
        .join(ProcessInstance, ProcessInstance.id == ContactDetails.instance_id)
        .where(ContactDetails.erased_at.is_(None), ProcessInstance.status.in_(CLOSED))
        .order_by(ContactDetails.instance_id)
        .limit(BATCH)
    )
    return uow.session.scalars(query).all()


def _erase(uow: UnitOfWork, clock: Clock, instance_id: int) -> bool:
    # Locked (SKIP LOCKED): with several schedulers on one PostgreSQL each contact is erased once.
    details = uow.session.scalar(
        select(ContactDetails)
        .where(ContactDetails.instance_id == instance_id, ContactDetails.erased_at.is_(None))
        .with_for_update(skip_locked=True)
    )
    instance = uow.instances.get(instance_id)
    if details is None or instance is None or instance.status not in CLOSED:
        return False
    had = {
        "had_phone": details.callback_phone is not None,
        "had_email": details.email is not None,
        "had_preferred_time": details.preferred_time is not None,
    }
    details.callback_phone = details.email = details.preferred_time = None
    details.chat_token_hash = None  # the chat link stops working
    details.erased_at = clock()
    entries = uow.session.scalars(
        select(CalendarEntry).where(CalendarEntry.case_instance_id == instance_id)
    ).all()
    for entry in entries:
        entry.client_email = entry.client_phone = None
    uow.history.append(
        at=clock(),
        actor=SYSTEM_ACTOR.username,
        action="contact_details_erased",
        instance_id=instance_id,
        data=had,
    )
    uow.commit()
    return True
