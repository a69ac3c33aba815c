"""Documents the platform produced, delivered to clients through secure download links.

A link carries a random token; only its SHA-256 is stored. The landing page (what mail scanners
fetch) reads and records nothing; a download is counted and written to the access log and the
history. The downloader's address is never stored: the log needs to know which recipient's link
was used, not where from.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import Gone, NotFound
from sote_flow.domain.text import t
from sote_flow.domain.weekdays import FINNISH_TIME
from sote_flow.persistence.document_models import Document, DownloadLink
from sote_flow.persistence.document_repository import DocumentRepository
from sote_flow.persistence.models import AccessLogEntry
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor, require_writer

# Who the access log and the history name for a download through a link: the recipient is not
# signed in, and their label (e.g. "Vanhempi 1") is kept in the history entry's data.
LINK_READER = "lataus-linkki"
DELIVERY_PURPOSE = "asiakirjan toimitus"
DOWNLOADED = "document_downloaded"
# token_urlsafe(32) gives 43 characters; anything much longer is not a token of ours.
MAX_TOKEN_LENGTH = 100
UNKNOWN_LINK = t(
    "Latauslinkkiä ei löytynyt, tai se on peruttu. Tarkista, että osoite on kokonainen, "
    "tai pyydä uusi linkki asiakirjan lähettäjältä."
)


@dataclass(frozen=True)
class DownloadOffer:
    """What the landing page of a link shows before anything is downloaded."""

    title: str
    file_name: str
    media_type: str
    expires_at: datetime
    size: int


@dataclass(frozen=True)
class DownloadedFile:
    """The file a download returns."""

    file_name: str
    media_type: str
    content: bytes


@dataclass(frozen=True)
class LinkView:
    """One download link as staff see it: to whom, until when, and whether it was used."""

    link_id: int
    document_id: int
    title: str
    recipient: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    downloads: int
    last_download_at: datetime | None
    expired: bool


def token_hash(token: str) -> str:
    """Return the SHA-256 of a link token, as stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def store_document(
    uow: UnitOfWork,
    clock: Clock,
    author: str,
    instance_id: int | None,
    kind: str,
    title: str,
    file_name: str,
    content: bytes,
    media_type: str = "application/pdf",
) -> Document:
    """Stage a document with its SHA-256 (flushed for its id; the caller commits)."""
    document = Document(
        instance_id=instance_id,
        kind=kind,
        title=title,
        file_name=file_name,
        media_type=media_type,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        created_at=clock(),
        created_by=author,
    )
    DocumentRepository(uow.session).add_document(document)
    return document


def issue_download_link(
    uow: UnitOfWork, clock: Clock, document: Document, recipient: str, valid_days: int
) -> str:
    """Stage a link to `document` for `recipient` (a label, never a name); return its token.

    The token is returned once and never stored; the caller commits and sends it.
    """
    if valid_days < 1:
        raise ValueError("a download link must be valid for at least one day")
    if not recipient.strip() or len(recipient) > 80:
        raise ValueError("a link's recipient is a short label such as 'Vanhempi 1'")
    token = secrets.token_urlsafe(32)
    now = clock()
    link = DownloadLink(
        document_id=document.id,
        recipient=recipient,
        token_hash=token_hash(token),
        created_at=now,
        expires_at=now + timedelta(days=valid_days),
        downloads=0,
    )
    DocumentRepository(uow.session).add_link(link)
    return token


def download_page(uow: UnitOfWork, clock: Clock, token: str) -> DownloadOffer:
    """Return what a link's landing page shows; record nothing (mail scanners open links)."""
    repository = DocumentRepository(uow.session)
    link = _usable_link(repository, clock, token)
    document = link.document
    return DownloadOffer(
        title=document.title,
        file_name=document.file_name,
        media_type=document.media_type,
        expires_at=link.expires_at,
        size=repository.content_size(document.id),
    )


def open_download(
    uow: UnitOfWork,
    clock: Clock,
    token: str,
    address: str,
    reader: Actor | None = None,
) -> DownloadedFile:
    """Return a link's file; count the download, log it and write it to the history; commit.

    `address` is deliberately not stored, in any form. A signed-in `reader` (staff following a
    link) is logged under their own name and purpose and is not counted as the recipient's
    download; the web layer refuses read-only users before this is called.
    """
    repository = DocumentRepository(uow.session)
    now = clock()
    link = _usable_link(repository, clock, token, now)
    document = link.document
    file = DownloadedFile(document.file_name, document.media_type, document.content)
    if reader is None:
        repository.count_download(link.id, now)
    username = reader.username if reader else LINK_READER
    uow.access_log.record(
        AccessLogEntry(
            at=now,
            username=username,
            roles=",".join(sorted(reader.roles)) if reader else "",
            action=DOWNLOADED,
            object_type="document",
            object_id=f"{document.id}:{link.id}",
            instance_id=document.instance_id,
            purpose=reader.purpose if reader else DELIVERY_PURPOSE,
        )
    )
    uow.history.append(
        at=now,
        actor=username,
        action=DOWNLOADED,
        instance_id=document.instance_id,
        data={"document": document.id, "link": link.id, "recipient": link.recipient},
    )
    uow.commit()
    return file


def document_links(uow: UnitOfWork, instance_id: int, now: datetime) -> list[LinkView]:
    """Return the download links of an instance's documents, oldest first, for staff pages."""
    return [
        LinkView(
            link_id=link.id,
            document_id=link.document_id,
            title=link.document.title,
            recipient=link.recipient,
            created_at=link.created_at,
            expires_at=link.expires_at,
            revoked_at=link.revoked_at,
            downloads=link.downloads,
            last_download_at=link.last_download_at,
            expired=now >= link.expires_at,
        )
        for link in DocumentRepository(uow.session).links_of_instance(instance_id)
    ]


def revoke_links(uow: UnitOfWork, clock: Clock, actor: Actor, document_id: int) -> int:
    """Revoke every open link to a document, record it in the history and commit."""
    require_writer(actor)
    now = clock()
    repository = DocumentRepository(uow.session)
    links = repository.revoke_links(document_id, now)
    if links:
        uow.history.append(
            at=now,
            actor=actor.username,
            action="download_links_revoked",
            instance_id=links[0].document.instance_id,
            data={"document": document_id, "links": [link.id for link in links]},
        )
    uow.commit()
    return len(links)


def _usable_link(
    repository: DocumentRepository, clock: Clock, token: str, now: datetime | None = None
) -> DownloadLink:
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise NotFound(UNKNOWN_LINK)
    link = repository.link_by_token_hash(token_hash(token))
    if link is None or link.revoked_at is not None:
        raise NotFound(UNKNOWN_LINK)
    if (now or clock()) >= link.expires_at:
        expired = link.expires_at.astimezone(FINNISH_TIME)
        raise Gone(
            t(
                "Linkki on vanhentunut {day} klo {time}. "
                "Pyydä uusi linkki asiakirjan lähettäjältä.",
                day=f"{expired.day}.{expired.month}.{expired.year}",
                time=f"{expired:%H.%M}",
            )
        )
    return link
