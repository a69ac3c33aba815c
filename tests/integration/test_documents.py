"""Stored documents and their download links: counting, logging, expiry and secrecy of tokens."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from sote_flow.domain.errors import Gone, NotFound, PermissionDenied
from sote_flow.persistence.document_models import Document, DownloadLink
from sote_flow.persistence.models import AccessLogEntry, HistoryEntry
from sote_flow.services import documents
from tests.support.factories import DIAGRAMS, deploy, make_actor, make_groups, start

PDF = b"%PDF-1.7\n% sopimus\n" + bytes(range(256)) * 8
ADDRESS = "203.0.113.77"
REQUEST = {"client_number": "1234567", "amount": 1}


@pytest.fixture
def instance_id(platform, uow, clock) -> int:
    make_groups(uow, "hakijat", "kasittelijat")
    deploy(platform, uow, clock, DIAGRAMS / "approval.bpmn")
    orderer = make_actor(uow, clock, "sanna", ["social_worker"], ["hakijat"])
    return start(platform, uow, clock, orderer, "approval", REQUEST).id


def _issue(uow, clock, instance_id: int | None, recipient: str = "Vanhempi 1", days: int = 14):
    with uow() as unit:
        document = documents.store_document(
            unit, clock, "sanna", instance_id, "agreement", "Sopimus elatuksesta",
            "sopimus-elatuksesta.pdf", PDF,
        )  # fmt: skip
        token = documents.issue_download_link(unit, clock, document, recipient, days)
        unit.commit()
        return document.id, token


def _rows(uow, model):
    with uow() as unit:
        return list(unit.session.scalars(select(model)))


def test_a_stored_document_keeps_its_bytes_and_checksum(uow, clock, instance_id):
    document_id, token = _issue(uow, clock, instance_id)
    with uow() as unit:
        document = unit.session.get(Document, document_id)
        assert document is not None
        assert document.content == PDF
        assert document.sha256 == hashlib.sha256(PDF).hexdigest()
        assert (document.created_by, document.created_at) == ("sanna", clock())
        assert document.instance_id == instance_id
    (link,) = _rows(uow, DownloadLink)
    assert link.recipient == "Vanhempi 1"
    assert link.expires_at == clock() + timedelta(days=14)
    assert (link.downloads, link.last_download_at, link.revoked_at) == (0, None, None)
    assert len(token) >= 40


def test_the_landing_page_reads_and_records_nothing(uow, clock, instance_id):
    _, token = _issue(uow, clock, instance_id)
    history_before = len(_rows(uow, HistoryEntry))
    with uow() as unit:
        offer = documents.download_page(unit, clock, token)
    assert offer.title == "Sopimus elatuksesta"
    assert offer.file_name == "sopimus-elatuksesta.pdf"
    assert offer.size == len(PDF)
    assert offer.expires_at == clock() + timedelta(days=14)
    assert _rows(uow, AccessLogEntry) == []
    assert len(_rows(uow, HistoryEntry)) == history_before
    assert _rows(uow, DownloadLink)[0].downloads == 0


def test_a_download_is_counted_logged_and_in_the_history(uow, clock, instance_id):
    document_id, token = _issue(uow, clock, instance_id)
    clock.advance(timedelta(hours=3))
    with uow() as unit:
        file = documents.open_download(unit, clock, token, ADDRESS)
    assert (file.file_name, file.media_type, file.content) == (
        "sopimus-elatuksesta.pdf", "application/pdf", PDF,
    )  # fmt: skip
    clock.advance(timedelta(minutes=5))
    with uow() as unit:
        documents.open_download(unit, clock, token, ADDRESS)

    (link,) = _rows(uow, DownloadLink)
    assert (link.downloads, link.last_download_at) == (2, clock())
    logged = _rows(uow, AccessLogEntry)
    assert len(logged) == 2
    assert {
        (e.username, e.roles, e.action, e.object_type, e.object_id, e.instance_id, e.purpose)
        for e in logged
    } == {
        (
            documents.LINK_READER, "", "document_downloaded", "document",
            f"{document_id}:{link.id}", instance_id, "asiakirjan toimitus",
        )
    }  # fmt: skip
    history = [e for e in _rows(uow, HistoryEntry) if e.action == "document_downloaded"]
    assert len(history) == 2
    assert history[0].actor == documents.LINK_READER
    assert history[0].instance_id == instance_id
    assert history[0].data == {"document": document_id, "link": link.id, "recipient": "Vanhempi 1"}
    assert not _database_contains(uow, ADDRESS)
    assert not _database_contains(uow, hashlib.sha256(ADDRESS.encode()).hexdigest()[:16])
    with uow() as unit:
        assert unit.history.verify().ok


def test_a_signed_in_reader_is_logged_by_name_and_not_counted(uow, clock, instance_id):
    auditor = make_actor(uow, clock, "tarja", ["auditor"])
    _, token = _issue(uow, clock, instance_id)
    with uow() as unit:
        documents.open_download(unit, clock, token, ADDRESS, auditor)
    (entry,) = _rows(uow, AccessLogEntry)
    assert (entry.username, entry.roles, entry.purpose) == ("tarja", "auditor", "valvonta")
    assert _rows(uow, DownloadLink)[0].downloads == 0
    assert [e.actor for e in _rows(uow, HistoryEntry) if e.action == "document_downloaded"] == [
        "tarja"
    ]


def test_a_link_works_until_the_second_it_expires(uow, clock, instance_id):
    _, token = _issue(uow, clock, instance_id, days=3)
    expires_at = clock() + timedelta(days=3)
    clock.now = expires_at - timedelta(seconds=1)
    with uow() as unit:
        documents.download_page(unit, clock, token)
    with uow() as unit:
        documents.open_download(unit, clock, token, ADDRESS)

    expired = re.escape("Linkki on vanhentunut 26.11.2026 klo 10.00.")
    for moment in (expires_at, expires_at + timedelta(days=40)):
        clock.now = moment
        with uow() as unit, pytest.raises(Gone, match=expired):
            documents.download_page(unit, clock, token)
        with uow() as unit, pytest.raises(Gone, match="Linkki on vanhentunut"):
            documents.open_download(unit, clock, token, ADDRESS)
    assert _rows(uow, DownloadLink)[0].downloads == 1
    assert len(_rows(uow, AccessLogEntry)) == 1


@pytest.mark.parametrize("token", ["", "x", "A" * 43, "A" * 101])
def test_an_unknown_token_is_not_found(uow, clock, instance_id, token):
    _issue(uow, clock, instance_id)
    with uow() as unit, pytest.raises(NotFound, match="Latauslinkkiä ei löytynyt"):
        documents.download_page(unit, clock, token)
    with uow() as unit, pytest.raises(NotFound):
        documents.open_download(unit, clock, token, ADDRESS)
    assert _rows(uow, AccessLogEntry) == []


def test_only_the_tokens_hash_is_stored(uow, clock, instance_id):
    _, token = _issue(uow, clock, instance_id)
    (link,) = _rows(uow, DownloadLink)
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    with uow() as unit:
        documents.open_download(unit, clock, token, ADDRESS)
    assert not _database_contains(uow, token)


def test_links_for_staff_and_revoking_them(uow, clock, instance_id):
    worker = make_actor(uow, clock, "tuomas", ["producer_admin"], ["kasittelijat"])
    auditor = make_actor(uow, clock, "tarja", ["auditor"])
    document_id, first = _issue(uow, clock, instance_id, "Vanhempi 1", days=1)
    with uow() as unit:
        document = unit.session.get(Document, document_id)
        second = documents.issue_download_link(unit, clock, document, "Vanhempi 2", 14)
        unit.commit()
    _issue(uow, clock, None, "Vanhempi 1")  # another instance's (here none) links stay out
    with uow() as unit:
        documents.open_download(unit, clock, second, ADDRESS)

    with uow() as unit:
        views = documents.document_links(unit, instance_id, clock() + timedelta(days=2))
    assert [(v.recipient, v.title, v.downloads, v.expired) for v in views] == [
        ("Vanhempi 1", "Sopimus elatuksesta", 0, True),
        ("Vanhempi 2", "Sopimus elatuksesta", 1, False),
    ]
    assert views[1].last_download_at == clock()

    with uow() as unit, pytest.raises(PermissionDenied):
        documents.revoke_links(unit, clock, auditor, document_id)
    with uow() as unit:
        assert documents.revoke_links(unit, clock, worker, document_id) == 2
    for token in (first, second):
        with uow() as unit, pytest.raises(NotFound):
            documents.download_page(unit, clock, token)
    revoked = [e for e in _rows(uow, HistoryEntry) if e.action == "download_links_revoked"]
    assert [(e.actor, e.instance_id) for e in revoked] == [("tuomas", instance_id)]


def _database_contains(uow, needle: str) -> bool:
    """Search every text column of every table for `needle` (a dump would show it too)."""
    with uow() as unit:
        connection = unit.session.connection()
        for table in unit.session.get_bind().dialect.get_table_names(connection):
            quoted = connection.dialect.identifier_preparer.quote(table)
            for row in connection.execute(text(f"SELECT * FROM {quoted}")):
                if any(needle in str(value) for value in row):
                    return True
    return False
