"""The client case's own tables: what each case is (for work records and reports), performed
client work as events, and the product catalogue with prices valid from–to."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from sote_flow.persistence.models import Base


class CaseFacts(Base):
    """One case as work records and reports see it, kept in step with each save."""

    __tablename__ = "client_case_facts"

    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), primary_key=True)
    client_number: Mapped[str | None] = mapped_column(String(64), index=True)
    # The client's municipality of residence: the municipality that buys the work.
    municipality: Mapped[str | None] = mapped_column(String(60))
    matter_type: Mapped[str | None] = mapped_column(String(40))
    unit: Mapped[str | None] = mapped_column(String(80))  # organisation unit
    responsible: Mapped[str | None] = mapped_column(String(80))  # username
    service_key: Mapped[str | None] = mapped_column(String(40))  # the decided service
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class WorkEvent(Base):
    """Performed work: an event on a case (client work) or without one (employee work).

    Events suggested from a worker's calendar wait as `suggested` until the worker confirms
    (or dismisses) them; only confirmed events are counted and priced.
    """

    __tablename__ = "client_case_work_events"
    __table_args__ = (
        Index("ix_client_case_work_events_day_municipality", "occurred_on", "municipality"),
        Index("ix_client_case_work_events_worker_status", "worker", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"), index=True)
    client_number: Mapped[str | None] = mapped_column(String(64))
    municipality: Mapped[str | None] = mapped_column(String(60))
    service_key: Mapped[str | None] = mapped_column(String(40))
    worker: Mapped[str] = mapped_column(String(80))  # username
    event_type: Mapped[str] = mapped_column(String(40))
    occurred_on: Mapped[date] = mapped_column(Date)  # Finnish calendar day
    minutes: Mapped[int]
    participants: Mapped[str | None] = mapped_column(String(200))
    client_met: Mapped[bool | None]
    # The calendar entry it came from (at most one event per entry).
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("calendar_entries.id"), unique=True)
    status: Mapped[str] = mapped_column(String(12))  # suggested | confirmed | dismissed
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(80))


class Product(Base):
    """A service product (suorite): what one event type counts as, and in which unit."""

    __tablename__ = "client_case_products"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_type: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    unit: Mapped[str] = mapped_column(String(10))  # kaynti (per event) | tunti | paiva
    created_at: Mapped[datetime]
    retired_at: Mapped[datetime | None]


class ProductPrice(Base):
    """A product's unit price over a period (valid_until None: until further notice)."""

    __tablename__ = "client_case_prices"
    __table_args__ = (Index("ix_client_case_prices_product_from", "product_id", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("client_case_products.id"))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)  # inclusive
    price_cents: Mapped[int]
    set_at: Mapped[datetime]
    set_by: Mapped[str] = mapped_column(String(80))
