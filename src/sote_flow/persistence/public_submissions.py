"""The submissions to public pages (no sign-in), kept briefly to limit them per address."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from sote_flow.persistence.models import Base


class PublicSubmission(Base):
    """A submission to a public page, kept briefly to limit submissions per address."""

    __tablename__ = "public_submissions"
    # The limit counts one address's recent rows: read off the index, however busy the page.
    __table_args__ = (Index("ix_public_submissions_address_at", "address", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    address: Mapped[str] = mapped_column(String(64))


def submissions_since(session: Session, address: str, since: datetime) -> int:
    """Count the address's submissions from `since` on (read off the address index)."""
    count = session.scalar(
        select(func.count())
        .select_from(PublicSubmission)
        .where(PublicSubmission.address == address[:64], PublicSubmission.at >= since)
    )
    return int(count or 0)


def add_submission(session: Session, address: str, at: datetime, keep_since: datetime) -> None:
    """Stage a submission and drop the address's rows older than `keep_since`."""
    # Addresses are kept only as long as the limit needs them.
    session.execute(
        delete(PublicSubmission).where(
            PublicSubmission.address == address[:64], PublicSubmission.at < keep_since
        )
    )
    session.add(PublicSubmission(at=at, address=address[:64]))
