"""Public download links over HTTP: a page that records nothing, and a POST that downloads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from sote_flow.persistence.document_models import DownloadLink
from sote_flow.persistence.models import AccessLogEntry, HistoryEntry
from sote_flow.services import documents
from sote_flow.web.deps import unit_of_work
from tests.support.factories import make_actor
from tests.web.conftest import csrf_token, login

PDF = b"%PDF-1.7\n" + b"x" * 3000


def _issue(app: Flask, clock, days: int = 14, file_name: str = "päätös 1.pdf") -> str:
    with app.app_context(), unit_of_work() as uow:
        document = documents.store_document(
            uow, clock, "sanna", None, "decision", "Päätös elatuksesta", file_name, PDF
        )
        token = documents.issue_download_link(uow, clock, document, "Vanhempi 1", days)
        uow.commit()
    return token


def _count(app: Flask, model) -> int:
    with app.app_context(), unit_of_work() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


def _downloads(app: Flask) -> int:
    with app.app_context(), unit_of_work() as uow:
        return int(uow.session.scalar(select(func.sum(DownloadLink.downloads))) or 0)


@pytest.fixture
def token(app: Flask, clock) -> str:
    return _issue(app, clock)


def _assert_private(response) -> None:
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Robots-Tag"] == "noindex"


def test_the_landing_page_offers_the_file_and_records_nothing(app, client, token):
    history = _count(app, HistoryEntry)
    response = client.get(f"/lataa/{token}")
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    _assert_private(response)
    assert '<meta name="robots" content="noindex">' in page
    assert "Päätös elatuksesta" in page and "päätös 1.pdf" in page
    assert "Lataa asiakirja (PDF, 3 kt)" in page
    assert "7.12.2026 klo 10.00 asti" in page  # 14 days on, in Finnish time
    assert f'action="/lataa/{token}"' in page and 'name="csrf_token"' in page
    assert "Kirjaudu ulos" not in page
    assert _count(app, AccessLogEntry) == 0
    assert _count(app, HistoryEntry) == history
    assert _downloads(app) == 0


def test_the_button_downloads_the_file_and_logs_it(app, client, token):
    response = client.post(
        f"/lataa/{token}", data={"csrf_token": csrf_token(client, f"/lataa/{token}")}
    )

    assert response.status_code == 200
    assert response.data == PDF
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''p%C3%A4%C3%A4t%C3%B6s%201.pdf" in disposition
    _assert_private(response)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    with app.app_context(), unit_of_work() as uow:
        (entry,) = uow.session.scalars(select(AccessLogEntry)).all()
        actions = uow.session.scalars(select(HistoryEntry.action)).all()
    assert (entry.username, entry.action, entry.object_type) == (
        documents.LINK_READER,
        "document_downloaded",
        "document",
    )
    assert "document_downloaded" in actions
    assert _downloads(app) == 1


def test_a_download_needs_the_pages_csrf_token(app, client, token):
    response = client.post(f"/lataa/{token}")
    assert response.status_code == 400
    assert "Lomakkeen istunto vanheni" in response.get_data(as_text=True)
    _assert_private(response)
    assert _downloads(app) == 0


def test_an_expired_link_is_gone_in_finnish(app, client, clock):
    token = _issue(app, clock, days=1)
    form = csrf_token(client, f"/lataa/{token}")
    clock.advance(timedelta(days=1))

    for response in (
        client.get(f"/lataa/{token}"),
        client.post(f"/lataa/{token}", data={"csrf_token": form}),
    ):
        page = response.get_data(as_text=True)
        assert response.status_code == 410
        assert "Linkki on vanhentunut 24.11.2026 klo 10.00." in page
        assert "Traceback" not in page
        _assert_private(response)
    assert _count(app, AccessLogEntry) == 0


@pytest.mark.parametrize(
    "path",
    [
        "/lataa/" + "A" * 43,
        "/lataa/" + "A" * 101,
        "/lataa/ei%20kelpaa",
        "/lataa/%C3%A4%C3%A4",
    ],
)
def test_an_unknown_or_malformed_link_is_not_found(app, client, token, path):
    form = csrf_token(client, f"/lataa/{token}")
    for response in (client.get(path), client.post(path, data={"csrf_token": form})):
        page = response.get_data(as_text=True)
        assert response.status_code == 404
        assert "Latauslinkkiä ei löytynyt" in page and "Traceback" not in page
        _assert_private(response)
    assert _count(app, AccessLogEntry) == 0


def test_an_overlong_token_is_refused_without_asking_the_database(app, client, monkeypatch):
    def must_not_run(*args, **kwargs):
        raise AssertionError("the database was asked")

    monkeypatch.setattr(documents.DocumentRepository, "link_by_token_hash", must_not_run)
    assert client.get("/lataa/" + "A" * 101).status_code == 404


def test_a_revoked_link_is_not_found(app, client, clock, token):
    with app.app_context(), unit_of_work() as uow:
        document_id = uow.session.scalar(select(DownloadLink.document_id))
    with app.app_context():
        worker = make_actor(unit_of_work, clock, "kaija", ["social_worker"])
        with unit_of_work() as uow:
            assert documents.revoke_links(uow, clock, worker, document_id) == 1
    assert client.get(f"/lataa/{token}").status_code == 404


def test_signed_in_staff_download_under_their_own_name(app, client, token):
    login(client, "sanna")
    form = csrf_token(client, f"/lataa/{token}")
    response = client.post(f"/lataa/{token}", data={"csrf_token": form})

    assert response.status_code == 200 and response.data == PDF
    with app.app_context(), unit_of_work() as uow:
        (entry,) = uow.session.scalars(select(AccessLogEntry)).all()
    assert (entry.username, entry.purpose) == ("sanna", "asiakasasian käsittely")
    assert _downloads(app) == 0  # the recipient's count stays theirs


def test_an_auditor_may_see_the_page_but_not_download(app, client, token):
    login(client, "tarja")
    form = csrf_token(client, f"/lataa/{token}")
    response = client.post(f"/lataa/{token}", data={"csrf_token": form})

    assert response.status_code == 403
    assert "Tarkastajan rooli ei voi muuttaa tietoja." in response.get_data(as_text=True)
    assert _count(app, AccessLogEntry) == 0 and _downloads(app) == 0
