"""The family-law upkeep the scheduler runs: meeting reminders, and erasing the parents'
contact details once a matter has closed."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import select

from sote_flow.domain.clock import Clock
from sote_flow.family_law.models import Party
from sote_flow.family_law.reminders import send_due_reminders
from sote_flow.persistence.models import ProcessInstance
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.platform import Platform
from sote_flow.services.system import SYSTEM_ACTOR
from sote_flow.services.upkeep import each_in_own_transaction

CLOSED = ("completed", "cancelled")
BATCH = 500


def run_upkeep(
    platform: Platform, unit_of_work: Callable[[], UnitOfWork], clock: Clock
) -> list[str]:
    """Send the due reminders, then erase the contact details of closed matters."""
    return [
        *send_due_reminders(platform, unit_of_work, clock),
        *erase_closed_parties(unit_of_work, clock),
    ]


def erase_closed_parties(unit_of_work: Callable[[], UnitOfWork], clock: Clock) -> list[str]:
    """Erase how the parents of every closed matter were reached; one line per matter."""
    with unit_of_work() as uow:
        due = _closed_unerased(uow)
    return each_in_own_transaction(
        unit_of_work,
        due,
        lambda uow, instance_id: _erase(uow, clock, instance_id),
        lambda instance_id: f"vanhempien yhteystiedot poistettu: asia #{instance_id}",
    )


def _closed_unerased(uow: UnitOfWork) -> Sequence[int]:
    query = (
        select(Party.instance_id)
        .join(ProcessInstance, ProcessInstance.id == Party.instance_id)
        .where(Party.erased_at.is_(None), ProcessInstance.status.in_(CLOSED))
        .group_by(Party.instance_id)
        .order_by(Party.instance_id)
        .limit(BATCH)
    )
    return uow.session.scalars(query).all()


def _erase(uow: UnitOfWork, clock: Clock, instance_id: int) -> bool:
    # Locked (SKIP LOCKED): with several schedulers on one PostgreSQL each matter is erased once.
    rows = uow.session.scalars(
        select(Party)
        .where(Party.instance_id == instance_id, Party.erased_at.is_(None))
        .with_for_update(skip_locked=True)
    ).all()
    instance = uow.instances.get(instance_id)
    if not rows or instance is None or instance.status not in CLOSED:
        return False
    for row in rows:
        row.email = row.phone = None
        row.erased_at = clock()
    uow.history.append(
        at=clock(),
        actor=SYSTEM_ACTOR.username,
        action="party_details_erased",
        instance_id=instance_id,
        data={"parents": len(rows)},
    )
    uow.commit()
    return True
