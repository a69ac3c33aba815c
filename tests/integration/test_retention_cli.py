"""`sote-flow retention archive|verify-archive` with the audit chain's checkpoints (issue #17)."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest

from sote_flow import cli_retention
from sote_flow.cli import main
from sote_flow.domain.clock import FrozenClock
from sote_flow.persistence.history import archived_entry_hash
from sote_flow.service_order import actions
from tests.support.orders import OrderDriver, make_order_people

KEY = "kuittausavain-testeille-0123456789"


@pytest.fixture
def env(database_url, monkeypatch):
    monkeypatch.setenv("SOTE_FLOW_DATABASE_URL", database_url)
    monkeypatch.setenv("SOTE_FLOW_AUDIT_CHECKPOINT_KEY", KEY)
    for name in (
        "SOTE_FLOW_SECRET_KEY",
        "SOTE_FLOW_AUDIT_CHECKPOINT_FILE",
        "SOTE_FLOW_RETENTION_CASE_DAYS",
        "SOTE_FLOW_RETENTION_ACCESS_LOG_DAYS",
    ):
        monkeypatch.delenv(name, raising=False)
    return database_url


@pytest.fixture
def closed_order(env, platform, uow, clock, monkeypatch):
    people = make_order_people(platform, uow, clock)
    order = OrderDriver(platform, uow, clock, people).order()
    with uow() as unit:
        actions.cancel_order(platform, people.orderer, unit, clock, order.id, "Ei tarvita.")
    later = FrozenClock(clock() + timedelta(days=10))
    monkeypatch.setattr(cli_retention, "clock", later)  # the command's "now": 10 days on
    return order.id


def _run(capsys, *args):
    capsys.readouterr()
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_without_retention_settings_the_command_does_nothing(closed_order, tmp_path, capsys):
    code, _, err = _run(capsys, "retention", "archive", "--out", str(tmp_path))
    assert code == 2 and "SOTE_FLOW_RETENTION_CASE_DAYS" in err
    assert list(tmp_path.iterdir()) == []


def test_archive_verify_and_the_checkpoint_still_holds(closed_order, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SOTE_FLOW_RETENTION_CASE_DAYS", "5")
    anchor = tmp_path / "kuittaukset.jsonl"
    out = tmp_path / "arkisto"
    out.mkdir()
    assert main(["audit", "checkpoint", "--out", str(anchor)]) == 0

    code, stdout, _ = _run(capsys, "retention", "archive", "--out", str(out), "--dry-run")
    assert code == 0 and "dry run" in stdout and "1 closed instances" in stdout
    assert list(out.iterdir()) == []

    code, stdout, _ = _run(capsys, "retention", "archive", "--out", str(out))
    assert code == 0 and "archived and purged 1 closed instances" in stdout
    (archive,) = out.iterdir()

    code, stdout, _ = _run(capsys, "retention", "verify-archive", str(archive))
    assert code == 0 and "archive verified: 1 instances" in stdout
    code, stdout, _ = _run(capsys, "audit", "verify", "--checkpoint", str(anchor))
    assert code == 0 and "intact" in stdout and "vastaa kuittausta" in stdout

    code, stdout, _ = _run(capsys, "retention", "archive", "--out", str(out))
    assert code == 0 and "nothing" in stdout and len(list(out.iterdir())) == 1


def test_an_archive_rewritten_consistently_still_fails_against_the_database(
    closed_order, tmp_path, capsys, monkeypatch
):
    """Even with the entry's hash and the footer recomputed, the tombstones give it away."""
    monkeypatch.setenv("SOTE_FLOW_RETENTION_CASE_DAYS", "5")
    assert main(["retention", "archive", "--out", str(tmp_path)]) == 0
    (archive,) = tmp_path.iterdir()
    header, record, footer = (json.loads(line) for line in archive.read_text().splitlines())
    entry = record["history"][-1]
    entry["data"] = {"muutettu": True}
    entry["hash"] = archived_entry_hash(entry)
    lines = [json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in (header, record)]
    footer["sha256"] = hashlib.sha256("".join(lines).encode()).hexdigest()
    archive.write_text("".join(lines) + json.dumps(footer, sort_keys=True) + "\n")

    code, _, err = _run(capsys, "retention", "verify-archive", str(archive))
    assert code == 1
    assert "hashes differ from the database's tombstone" in err
    assert "no retention purge in the history names this archive" in err
