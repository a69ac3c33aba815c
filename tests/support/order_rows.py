"""Service order projection rows for report tests, inserted directly with their state changes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time

from sqlalchemy import select

from sote_flow.domain.weekdays import FINNISH_TIME
from sote_flow.persistence.models import ProcessInstance, ProcessVersion
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.service_order.models import OrderStateChange, ServiceOrder

UnitOfWorkFactory = Callable[[], UnitOfWork]


def helsinki(day: date, hour: int, minute: int = 0) -> datetime:
    """Return a Finnish local time (aware)."""
    return datetime.combine(day, time(hour, minute), FINNISH_TIME)


def add_order(
    uow: UnitOfWorkFactory,
    group: str,
    received: datetime,
    changes: Sequence[tuple[datetime, str]] = (),
    *,
    service: str = "perhetyo",
    urgency: str = "tavallinen",
    municipality: str = "Kotka",
    planned_start: str | None = None,
    started_on: str | None = None,
) -> int:
    """Insert an order received at `received` that then entered each state in `changes`."""
    history = [(received, "saapunut"), *changes]
    taken = [at for at, state in history if state == "kasittelyssa"]
    with uow() as unit:
        version_id = unit.session.scalar(
            select(ProcessVersion.id).where(ProcessVersion.key == "service_order").limit(1)
        )
        assert version_id is not None, "deploy service_order first"
        instance = ProcessInstance(
            process_version_id=version_id,
            process_key="service_order",
            status="running",
            state=b"",
            started_by="sofia",
            started_at=received,
            updated_at=history[-1][0],
        )
        unit.session.add(instance)
        unit.session.flush()
        unit.session.add(
            ServiceOrder(
                instance_id=instance.id,
                order_number=f"PT-2026-{instance.id:06d}",
                producer_group=group,
                state=history[-1][1],
                service=service,
                urgency=urgency,
                urgency_rank=0 if urgency == "kiireellinen" else 1,
                municipality=municipality,
                client_number=f"{1000000 + instance.id}",
                orderer="sofia",
                planned_start=planned_start,
                started_on=started_on,
                received_at=received,
                queued_at=max(at for at, state in history if state == "saapunut"),
                taken_at=taken[0] if taken else None,
                return_count=sum(state == "saapunut" for _, state in history) - 1,
            )
        )
        unit.session.add_all(
            OrderStateChange(instance_id=instance.id, producer_group=group, at=at, state=state)
            for at, state in history
        )
        unit.commit()
        return instance.id
