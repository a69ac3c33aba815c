"""Service order projection rows for report tests, inserted directly with their state changes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time

from sqlalchemy import insert, select

from sote_flow.domain.weekdays import FINNISH_TIME
from sote_flow.persistence.models import ProcessInstance, ProcessVersion
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.service_order.models import OrderRound, OrderStateChange, ServiceOrder

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
    with_round: bool = True,
) -> int:
    """Insert an order received at `received` that then entered each state in `changes`.

    Its row is written with the columns of the first schema (an older revision takes it too);
    `with_round` adds its current round's milestones (not before revision 0016).
    """
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
        queued_at = max(at for at, state in history if state == "saapunut")
        returns = sum(state == "saapunut" for _, state in history) - 1
        row = {
            "instance_id": instance.id,
            "order_number": f"PT-2026-{instance.id:06d}",
            "producer_group": group,
            "state": history[-1][1],
            "service": service,
            "urgency": urgency,
            "urgency_rank": 0 if urgency == "kiireellinen" else 1,
            "municipality": municipality,
            "client_number": f"{1000000 + instance.id}",
            "orderer": "sofia",
            "planned_start": planned_start,
            "started_on": started_on,
            "waiting_for_info": False,
            "received_at": received,
            "queued_at": queued_at,
            "taken_at": taken[0] if taken else None,
            "return_count": returns,
        }
        unit.session.execute(insert(ServiceOrder.__table__).values(**row))
        if with_round:
            unit.session.add_all(_rounds(instance.id, history, planned_start, started_on))
        unit.session.add_all(
            OrderStateChange(instance_id=instance.id, producer_group=group, at=at, state=state)
            for at, state in history
        )
        unit.commit()
        return instance.id


def _rounds(
    instance_id: int,
    history: Sequence[tuple[datetime, str]],
    planned_start: str | None,
    started_on: str | None,
) -> list[OrderRound]:
    # A round per arrival in the queue; the dates go to the last round that reached them.
    starts = [i for i, (_, state) in enumerate(history) if state == "saapunut"]
    rounds: list[OrderRound] = []
    planned: OrderRound | None = None
    started: OrderRound | None = None
    for number, first in enumerate(starts, 1):
        states = history[first : starts[number] if number < len(starts) else len(history)]
        taken = [at for at, state in states if state == "kasittelyssa"]
        current = OrderRound(
            instance_id=instance_id, round=number, queued_at=states[0][0],
            taken_at=taken[0] if taken else None,
        )  # fmt: skip
        rounds.append(current)
        reached = {state for _, state in states}
        planned = current if "jonossa" in reached else planned
        started = current if "kasitelty" in reached else started
    if planned is not None:
        planned.planned_start = planned_start
    if started is not None:
        started.started_on = started_on
    return rounds
