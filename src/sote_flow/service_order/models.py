"""Service ordering's own tables: the order projection for queues and its state-change log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from sote_flow.persistence.models import Base


class ServiceOrder(Base):
    """Projection of one service order (palvelutilaus) for work queues and reports."""

    __tablename__ = "service_orders"
    __table_args__ = (
        Index("ix_service_orders_queue", "producer_group", "state", "urgency_rank", "queued_at"),
        Index("ix_service_orders_state_queue", "state", "urgency_rank", "queued_at"),
    )

    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), primary_key=True)
    order_number: Mapped[str | None] = mapped_column(String(40), index=True)
    producer_group: Mapped[str] = mapped_column(String(80))
    state: Mapped[str] = mapped_column(String(20))
    service: Mapped[str] = mapped_column(String(80))
    urgency: Mapped[str] = mapped_column(String(20))
    # 0 urgent, 1 normal, 2 anticipatory: the queue sorts by this first.
    urgency_rank: Mapped[int] = mapped_column(Integer)
    municipality: Mapped[str] = mapped_column(String(80))
    law: Mapped[str | None] = mapped_column(String(80))
    client_number: Mapped[str | None] = mapped_column(String(64), index=True)
    orderer: Mapped[str] = mapped_column(String(80), index=True)
    handler: Mapped[str | None] = mapped_column(String(80))
    family_worker: Mapped[str | None] = mapped_column(String(80), index=True)
    desired_start: Mapped[str | None] = mapped_column(String(10))
    planned_start: Mapped[str | None] = mapped_column(String(10))
    started_on: Mapped[str | None] = mapped_column(String(10))
    ended_on: Mapped[str | None] = mapped_column(String(10))
    end_reason: Mapped[str | None] = mapped_column(String(80))
    # The change needs' codes, comma-separated (the family worker's list shows them).
    needs: Mapped[str | None] = mapped_column(String(500))
    waiting_for_info: Mapped[bool] = mapped_column(default=False)
    received_at: Mapped[datetime] = mapped_column(index=True)
    queued_at: Mapped[datetime]
    taken_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    return_count: Mapped[int] = mapped_column(Integer, default=0)


class OrderStateChange(Base):
    """Append-only: when an order entered a state (queue length per day is read from these)."""

    __tablename__ = "order_state_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), index=True)
    producer_group: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(index=True)
    state: Mapped[str] = mapped_column(String(20))


class OrderRound(Base):
    """One round of an order's processing: the first, and one per return to the queue, each
    with its own milestones (the report counts every round, not only the latest)."""

    __tablename__ = "order_rounds"

    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), primary_key=True)
    round: Mapped[int] = mapped_column(Integer, primary_key=True)
    queued_at: Mapped[datetime] = mapped_column(index=True)
    taken_at: Mapped[datetime | None]
    planned_start: Mapped[str | None] = mapped_column(String(10))
    started_on: Mapped[str | None] = mapped_column(String(10))
