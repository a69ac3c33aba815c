"""Calendar tables: one calendar per professional, first-visit slots and their bookings.

A booked slot is an appointment entry whose `slot_id` points at it; `slot_id` is unique, so two
bookings of one slot cannot both be written, whatever the web processes do at the same moment.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sote_flow.persistence.models import Base, User


class CalendarEntryType(Base):
    """A kind of calendar entry (reference/calendar_entry_types.csv), kept by administrators."""

    __tablename__ = "calendar_entry_types"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_fi: Mapped[str] = mapped_column(String(200))
    name_sv: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    client_work: Mapped[str] = mapped_column(String(10))  # yes | indirect | no
    position: Mapped[int] = mapped_column(Integer, default=0)
    retired: Mapped[bool] = mapped_column(default=False)


class FirstVisitSlot(Base):
    """A free first-visit time (vapaa ensikäyntiaika) one worker offers for one service."""

    __tablename__ = "first_visit_slots"
    __table_args__ = (
        UniqueConstraint("worker_id", "starts_at"),
        Index("ix_first_visit_slots_service", "service_key", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    service_key: Mapped[str] = mapped_column(String(40))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    place: Mapped[str | None] = mapped_column(String(200))
    remote: Mapped[bool] = mapped_column(default=False)
    pattern_id: Mapped[int | None] = mapped_column(ForeignKey("slot_patterns.id"), index=True)
    withdrawn_at: Mapped[datetime | None]

    worker: Mapped[User] = relationship(lazy="joined")


class SlotPattern(Base):
    """A repeating offer of first-visit slots (e.g. every Tuesday 9–12 in 45-minute slots)."""

    __tablename__ = "slot_patterns"

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    service_key: Mapped[str] = mapped_column(String(40))
    weekday: Mapped[int] = mapped_column(Integer)  # 0 Monday … 6 Sunday
    day_start: Mapped[str] = mapped_column(String(5))  # "09:00", Finnish time
    day_end: Mapped[str] = mapped_column(String(5))
    slot_minutes: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    on_holidays: Mapped[bool] = mapped_column(default=False)
    place: Mapped[str | None] = mapped_column(String(200))
    remote: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime]
    withdrawn_at: Mapped[datetime | None]


class CalendarEntry(Base):
    """One entry in one professional's calendar: work, an appointment or an absence."""

    __tablename__ = "calendar_entries"
    __table_args__ = (
        Index("ix_calendar_entries_worker", "worker_id", "starts_at"),
        # Absences are long and few: found by their end without walking a worker's year.
        Index(
            "ix_calendar_entries_absences",
            "worker_id",
            "ends_at",
            postgresql_where=text("type_key = 'absence'"),
            sqlite_where=text("type_key = 'absence'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    type_key: Mapped[str] = mapped_column(ForeignKey("calendar_entry_types.key"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    place: Mapped[str | None] = mapped_column(String(200))
    remote: Mapped[bool] = mapped_column(default=False)
    client_number: Mapped[str | None] = mapped_column(String(64), index=True)
    case_instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"))
    service_key: Mapped[str | None] = mapped_column(String(40))
    # The slot this appointment was booked into; unique, so a slot is booked at most once.
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("first_visit_slots.id"), unique=True)
    # Where the client gets confirmations and changes; erased when the appointment is cancelled.
    client_email: Mapped[str | None] = mapped_column(String(254))
    client_phone: Mapped[str | None] = mapped_column(String(40))  # for an SMS instead
    absence_reason: Mapped[str | None] = mapped_column(String(20))  # sick | leave | training
    # Set while an absence covers this appointment: the team lead's reassignment task.
    displaced_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("calendar_entries.id"), index=True
    )
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]
    cancelled_by: Mapped[str | None] = mapped_column(String(80))

    worker: Mapped[User] = relationship(lazy="joined")
    entry_type: Mapped[CalendarEntryType] = relationship(lazy="joined")


class CalendarFeed(Base):
    """A worker's secret iCalendar address; only its hash is kept, and it can be revoked."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
