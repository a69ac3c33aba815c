"""Queries on stored documents and their download links (the services build no SQL)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from sote_flow.persistence.document_models import Document, DownloadLink


class DocumentRepository:
    """Documents and download links on one session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add_document(self, document: Document) -> None:
        """Stage a document and give it its id."""
        self.session.add(document)
        self.session.flush()

    def add_link(self, link: DownloadLink) -> None:
        """Stage a download link and give it its id."""
        self.session.add(link)
        self.session.flush()

    def link_by_token_hash(self, token_hash: str) -> DownloadLink | None:
        """Return the link whose token hashes to `token_hash`, with its document."""
        return self.session.scalar(
            select(DownloadLink).where(DownloadLink.token_hash == token_hash)
        )

    def content_size(self, document_id: int) -> int:
        """Return the size of a document's file in bytes, without reading the file."""
        size = self.session.scalar(
            select(func.length(Document.content)).where(Document.id == document_id)
        )
        return int(size or 0)

    def count_download(self, link_id: int, at: datetime) -> None:
        """Add one download to a link in the database itself, so concurrent ones both count."""
        self.session.execute(
            update(DownloadLink)
            .where(DownloadLink.id == link_id)
            .values(downloads=DownloadLink.downloads + 1, last_download_at=at)
            .execution_options(synchronize_session=False)
        )

    def links_of_instance(self, instance_id: int) -> list[DownloadLink]:
        """Return the links of an instance's documents, oldest first, with their documents."""
        statement = (
            select(DownloadLink)
            .join(Document, Document.id == DownloadLink.document_id)
            .where(Document.instance_id == instance_id)
            .order_by(DownloadLink.created_at, DownloadLink.id)
        )
        return list(self.session.scalars(statement))

    def revoke_links(self, document_id: int, at: datetime) -> list[DownloadLink]:
        """Revoke a document's links that are not revoked yet; return them."""
        links = list(
            self.session.scalars(
                select(DownloadLink)
                .where(DownloadLink.document_id == document_id, DownloadLink.revoked_at.is_(None))
                .order_by(DownloadLink.id)
            )
        )
        for link in links:
            link.revoked_at = at
        self.session.flush()
        return links
