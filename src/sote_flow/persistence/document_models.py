"""Documents the platform produced (e.g. PDFs) and the secure links they are delivered through.

A link's token is never stored, only its SHA-256: a copy of the database (or a backup) does not
let anyone download the documents.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sote_flow.persistence.models import Base


class Document(Base):
    """One stored file, kept as produced (its SHA-256 shows it was not changed afterwards)."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    file_name: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    # Deferred: lists and landing pages read the title, never the whole file.
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(80))


class DownloadLink(Base):
    """A link that delivers one document to one recipient until it expires or is revoked."""

    __tablename__ = "download_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    # A role label such as "Vanhempi 1", never a name: the list of links is shown to staff.
    recipient: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    downloads: Mapped[int] = mapped_column(Integer, default=0)
    last_download_at: Mapped[datetime | None]

    document: Mapped[Document] = relationship(lazy="joined", innerjoin=True)
