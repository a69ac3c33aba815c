"""Tampering with the history in the database is detected and located, on the auditor's page
and by `sote-flow audit verify`: an edited entry, the newest entry deleted, one in the middle."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, func, select, update

from sote_flow.cli import main
from sote_flow.persistence.models import HistoryEntry
from tests.web.conftest import csrf_token, login


@pytest.fixture
def history(client, app, database_url, monkeypatch):
    """An approval decided through the pages; the CLI reads the same database."""
    monkeypatch.setenv("SOTE_FLOW_DATABASE_URL", database_url)
    login(client, "sanna")
    token = csrf_token(client, "/processes/approval/start")
    client.post(
        "/processes/approval/start",
        data={"csrf_token": token, "client_number": "7654321", "amount": "4"},
    )
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "tuomas")
    task_id = re.search(r"/tasks/([0-9a-f-]{36})/claim", client.get("/").get_data(as_text=True))
    client.post(f"/tasks/{task_id.group(1)}/claim", data={"csrf_token": csrf_token(client, "/")})
    token = csrf_token(client, f"/tasks/{task_id.group(1)}")
    client.post(f"/tasks/{task_id.group(1)}", data={"csrf_token": token, "decision": "approve"})
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "tarja")
    return app


def _change(app, statement) -> None:
    with app.app_context():
        from sote_flow.web.extensions import db

        db.session.execute(statement)
        db.session.commit()


def _ids(app) -> list[int]:
    with app.app_context():
        from sote_flow.web.extensions import db

        return list(db.session.scalars(select(HistoryEntry.id).order_by(HistoryEntry.id)))


def _completed_id(app) -> int:
    with app.app_context():
        from sote_flow.web.extensions import db

        query = select(func.min(HistoryEntry.id)).where(HistoryEntry.action == "task_completed")
        return int(db.session.scalar(query))


def _broken_box(client) -> str:
    page = client.get("/audit/access-log").get_data(as_text=True)
    assert "Historiaketju on ehjä" not in page
    return page.split('id="chain-broken"')[1].split("</div>")[0]


def _cli_says(capsys) -> str:
    assert main(["audit", "verify"]) == 1
    return capsys.readouterr().err


def test_intact_chain_is_reported_as_intact(client, history, capsys):
    page = client.get("/audit/access-log").get_data(as_text=True)
    assert "Historiaketju on ehjä" in page and 'id="chain-broken"' not in page
    assert main(["audit", "verify"]) == 0
    assert "intact" in capsys.readouterr().out


def test_edited_data_is_found_at_the_edited_entry(client, history, capsys):
    edited = _completed_id(history)
    forged = {"title": "Käsittele hakemus", "changed": {"decision": [None, "fix"]}}
    _change(history, update(HistoryEntry).where(HistoryEntry.id == edited).values(data=forged))
    box = _broken_box(client)
    assert f"merkinnän {edited} kohdalla" in box
    assert "Tehtävä tehty" in box and "klo" in box  # which entry, and when it was written
    assert "Merkinnän sisältöä on muutettu" in box
    assert f"#{edited - 1}," in box  # the last good entry before it
    assert f"BROKEN at entry {edited}: entry content changed" in _cli_says(capsys)


def test_deleted_newest_entry_is_found_after_the_last_good_one(client, history, capsys):
    ids = _ids(history)
    _change(history, delete(HistoryEntry).where(HistoryEntry.id == ids[-1]))
    box = _broken_box(client)
    assert f"merkinnän {ids[-1]} kohdalla" in box and "merkintää ei enää ole" in box
    assert "Uusimpia merkintöjä on poistettu" in box
    assert f"#{ids[-2]}," in box
    assert f"BROKEN at entry {ids[-1]}: newest entries missing" in _cli_says(capsys)


def test_deleted_middle_entry_is_found_at_the_entry_after_it(client, history, capsys):
    ids = _ids(history)
    middle = ids[len(ids) // 2]
    following = ids[len(ids) // 2 + 1]
    _change(history, delete(HistoryEntry).where(HistoryEntry.id == middle))
    box = _broken_box(client)
    assert f"merkinnän {following} kohdalla" in box
    assert "Edellinen merkintä puuttuu" in box
    assert f"#{ids[len(ids) // 2 - 1]}," in box  # the gap lies between these two entries
    err = _cli_says(capsys)
    assert f"BROKEN at entry {following}: previous entry missing or changed" in err
