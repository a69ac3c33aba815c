"""Family law's own tables: the parents' contact details, the meetings, the report's facts
and the travel distances the administrator keeps.

Contact details never enter the workflow data or the history (both keep every value for
good); they live here, beside the case, and are erased when the matter closes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sote_flow.persistence.models import Base


class Party(Base):
    """How one parent of a matter asked to be reached (parent 1 made the contact)."""

    __tablename__ = "family_law_parties"
    __table_args__ = (UniqueConstraint("instance_id", "parent"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), index=True)
    parent: Mapped[int]  # 1 | 2
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime]
    erased_at: Mapped[datetime | None]


class Meeting(Base):
    """A meeting of a matter in its officer's calendar: joint (parent 0) or with one parent."""

    __tablename__ = "family_law_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("calendar_entries.id"), unique=True)
    parent: Mapped[int]  # 0: both parents together | 1 | 2
    mode: Mapped[str] = mapped_column(String(10))  # eta | lahi
    office: Mapped[str] = mapped_column(String(60))  # where an in-person meeting is held
    # The meeting's own video link (remote meetings only); not secret from staff.
    link: Mapped[str | None] = mapped_column(String(500))
    reminder_due_at: Mapped[datetime] = mapped_column(index=True)
    reminded_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class MatterFacts(Base):
    """What the report counts of one matter, kept in step with its saves (no client data)."""

    __tablename__ = "family_law_matters"

    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(10))  # digital | phone
    municipality: Mapped[str | None] = mapped_column(String(60))
    matters: Mapped[str] = mapped_column(String(100))  # comma-separated matter keys
    started_at: Mapped[datetime]
    first_meeting_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(20))
    agreement_confirmed_at: Mapped[datetime | None]
    workload: Mapped[int | None]
    smoothness: Mapped[int | None]
    closed_at: Mapped[datetime | None]


class TravelDistance(Base):
    """The road distance from a municipality to an office, kept by the administrator."""

    __tablename__ = "family_law_distances"
    __table_args__ = (UniqueConstraint("municipality", "office"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality: Mapped[str] = mapped_column(String(60))
    office: Mapped[str] = mapped_column(String(60))
    km: Mapped[int]
    minutes: Mapped[int]
