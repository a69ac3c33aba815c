"""Backups, restores and the audit chain's signed checkpoints (issue #17), through the CLI."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from sote_flow.cli import main
from sote_flow.domain.clock import FrozenClock
from sote_flow.persistence import backup
from sote_flow.persistence.database import make_engine, make_session_factory
from sote_flow.persistence.history import HASHED_FIELDS, entry_hash
from sote_flow.persistence.models import ChainHead, HistoryEntry, User
from sote_flow.scheduler.runner import TimerScheduler
from tests.support.factories import make_actor, make_platform, make_uow_factory

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
KEY = "kuittausavain-testeille-0123456789"


@pytest.fixture
def env(database_url, monkeypatch, request):
    monkeypatch.setenv("SOTE_FLOW_DATABASE_URL", database_url)
    monkeypatch.setenv("SOTE_FLOW_AUDIT_CHECKPOINT_KEY", KEY)
    for name in ("SOTE_FLOW_SECRET_KEY", "SOTE_FLOW_AUDIT_CHECKPOINT_FILE"):
        monkeypatch.delenv(name, raising=False)
    if database_url.startswith("postgresql"):
        # pg_dump/pg_restore of the test server's own version come first on PATH.
        server = request.getfixturevalue("postgres_server")
        monkeypatch.setenv("PATH", f"{server.bin}:{os.environ['PATH']}")
    return database_url


def _append(url: str, count: int, action: str = "note") -> None:
    uow = make_uow_factory(url)
    for number in range(count):
        with uow() as unit:
            unit.history.append(at=NOW, actor="testi", action=action, data={"n": number})
            unit.commit()


def _entries(url: str) -> list[HistoryEntry]:
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        rows = list(session.scalars(select(HistoryEntry).order_by(HistoryEntry.id)))
    engine.dispose()
    return rows


def _rewrite(url: str, keep: int, change_at: int | None = None) -> None:
    """Keep the first `keep` entries and re-chain them consistently, as an insider would:
    optionally with other content at position `change_at` (1 = first); the head follows."""
    engine = make_engine(url)
    with make_session_factory(engine)() as session, session.begin():
        rows = list(session.scalars(select(HistoryEntry).order_by(HistoryEntry.id)))
        for row in rows[keep:]:
            session.delete(row)
        prev = rows[0].prev_hash
        for position, row in enumerate(rows[:keep], start=1):
            if position == change_at:
                row.data = {"muutettu": True}
            row.prev_hash = prev
            row.hash = prev = entry_hash(prev, {name: getattr(row, name) for name in HASHED_FIELDS})
        head = session.get(ChainHead, 1)
        assert head is not None
        head.entry_count, head.last_hash = keep, prev
    engine.dispose()


def _verify(capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["audit", "verify", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _count_users(url: str) -> int:
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        count = session.scalar(select(func.count()).select_from(User))
    engine.dispose()
    return int(count or 0)


def test_backup_change_restore_brings_the_old_data_back(env, tmp_path, capsys):
    _append(env, 3)
    users_before = _count_users(env)
    file = tmp_path / "varmuuskopio.dump"
    assert main(["backup", str(file)]) == 0
    assert file.is_file() and "Varmuuskopio kirjoitettu" in capsys.readouterr().out
    _append(env, 2)
    make_actor(make_uow_factory(env), FrozenClock(NOW), "uusi", ["social_worker"])
    assert len(_entries(env)) == 5

    assert main(["restore", str(file)]) == 2  # replaces data: refused without --yes
    assert "--yes" in capsys.readouterr().err
    assert len(_entries(env)) == 5

    assert main(["restore", str(file), "--yes"]) == 0
    assert "Palautettu" in capsys.readouterr().out
    assert [row.data for row in _entries(env)] == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert _count_users(env) == users_before
    code, out, _ = _verify(capsys)
    assert code == 0 and "intact: 3 entries" in out
    _append(env, 1)  # the restored database is usable
    assert len(_entries(env)) == 4


def test_restoring_a_missing_or_foreign_file_is_refused(env, tmp_path, capsys):
    _append(env, 1)
    assert main(["restore", str(tmp_path / "puuttuu.dump"), "--yes"]) == 1
    assert "Varmuuskopiotiedostoa ei löydy" in capsys.readouterr().err
    junk = tmp_path / "roska.dump"
    junk.write_bytes(b"ei varmuuskopio " * 100)
    assert main(["restore", str(junk), "--yes"]) == 1
    assert "Traceback" not in capsys.readouterr().err
    assert len(_entries(env)) == 1


def test_checkpoint_then_more_history_verifies(env, tmp_path, capsys):
    _append(env, 3)
    anchor = tmp_path / "kuittaukset.jsonl"
    assert main(["audit", "checkpoint", "--out", str(anchor)]) == 0
    assert "3 merkintää" in capsys.readouterr().out
    record = json.loads(anchor.read_text().splitlines()[0])
    assert record["entries"] == 3 and record["last_hash"] == _entries(env)[2].hash
    _append(env, 2)
    assert main(["audit", "checkpoint", "--out", str(anchor)]) == 0  # appended
    assert len(anchor.read_text().splitlines()) == 2
    _append(env, 1)
    code, out, _ = _verify(capsys, "--checkpoint", str(anchor))
    assert code == 0 and "intact: 6 entries" in out and "vastaa kuittausta" in out


def test_an_older_backup_restored_is_behind_the_checkpoint(env, tmp_path, capsys):
    _append(env, 3)
    file, anchor = tmp_path / "vanha.dump", tmp_path / "kuittaukset.jsonl"
    assert main(["backup", str(file)]) == 0
    _append(env, 2)
    assert main(["audit", "checkpoint", "--out", str(anchor)]) == 0
    assert main(["restore", str(file), "--yes"]) == 0
    assert _verify(capsys)[0] == 0  # the chain alone cannot tell
    code, _, err = _verify(capsys, "--checkpoint", str(anchor))
    assert code == 1 and "JÄLJESSÄ" in err and "3 merkintää" in err


def test_a_cut_tail_with_the_head_rewound_is_behind_the_checkpoint(env, tmp_path, capsys):
    _append(env, 5)
    anchor = tmp_path / "kuittaukset.jsonl"
    assert main(["audit", "checkpoint", "--out", str(anchor)]) == 0
    _rewrite(env, keep=3)
    assert _verify(capsys)[0] == 0
    code, _, err = _verify(capsys, "--checkpoint", str(anchor))
    assert code == 1 and "JÄLJESSÄ" in err


def test_a_rewritten_entry_at_the_checkpoint_diverges(env, tmp_path, capsys):
    _append(env, 3)
    anchor = tmp_path / "kuittaukset.jsonl"
    assert main(["audit", "checkpoint", "--out", str(anchor)]) == 0
    _append(env, 2)
    _rewrite(env, keep=5, change_at=3)  # re-chained: the chain itself still verifies
    assert _verify(capsys)[0] == 0
    code, _, err = _verify(capsys, "--checkpoint", str(anchor))
    assert code == 1 and "POIKKEAA" in err and "merkinnän 3" in err


def test_a_changed_hash_at_the_checkpoint_fails(env, tmp_path, capsys):
    _append(env, 3)
    anchor = tmp_path / "kuittaukset.jsonl"
    assert main(["audit", "checkpoint", "--out", str(anchor)]) == 0
    engine = make_engine(env)
    with make_session_factory(engine)() as session, session.begin():
        third = session.scalars(select(HistoryEntry).order_by(HistoryEntry.id)).all()[2]
        third.hash = "f" * 64
    engine.dispose()
    code, _, err = _verify(capsys, "--checkpoint", str(anchor))
    assert code == 1 and "BROKEN" in err


def test_a_checkpoint_with_a_bad_signature_is_refused(env, tmp_path, capsys, monkeypatch):
    _append(env, 2)
    anchor = tmp_path / "kuittaukset.jsonl"
    assert main(["audit", "checkpoint", "--out", str(anchor)]) == 0
    record = json.loads(anchor.read_text())
    forged = tmp_path / "vaarennetty.jsonl"
    forged.write_text(json.dumps({**record, "entries": 1}) + "\n")  # lowered to fit a cut chain
    code, _, err = _verify(capsys, "--checkpoint", str(forged))
    assert code == 1 and "allekirjoitus ei täsmää" in err
    monkeypatch.setenv("SOTE_FLOW_AUDIT_CHECKPOINT_KEY", "toinen-avain-0123456789")
    code, _, err = _verify(capsys, "--checkpoint", str(anchor))
    assert code == 1 and "allekirjoitus ei täsmää" in err
    garbled = tmp_path / "rikki.jsonl"
    garbled.write_text("{ei json\n")
    code, _, err = _verify(capsys, "--checkpoint", str(garbled))
    assert code == 1 and "ei ole luettavissa" in err and "Traceback" not in err


def test_checkpoints_need_the_key(env, tmp_path, capsys, monkeypatch):
    _append(env, 1)
    anchor = tmp_path / "kuittaukset.jsonl"
    assert main(["audit", "checkpoint", "--out", str(anchor)]) == 0
    monkeypatch.delenv("SOTE_FLOW_AUDIT_CHECKPOINT_KEY")
    capsys.readouterr()
    assert main(["audit", "checkpoint", "--out", str(anchor)]) == 1
    assert "Kuittausavain puuttuu" in capsys.readouterr().err
    assert _verify(capsys, "--checkpoint", str(anchor))[0] == 1
    assert _verify(capsys)[0] == 0  # plain verification needs no key


def test_checkpoint_without_a_file_prints_the_record(env, capsys):
    _append(env, 2)
    capsys.readouterr()
    assert main(["audit", "checkpoint"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["entries"] == 2 and len(record["signature"]) == 64


def test_a_broken_chain_is_not_checkpointed(env, tmp_path, capsys):
    _append(env, 3)
    engine = make_engine(env)
    with make_session_factory(engine)() as session, session.begin():
        second = session.scalars(select(HistoryEntry).order_by(HistoryEntry.id)).all()[1]
        session.execute(delete(HistoryEntry).where(HistoryEntry.id == second.id))
    engine.dispose()
    anchor = tmp_path / "kuittaukset.jsonl"
    assert main(["audit", "checkpoint", "--out", str(anchor)]) == 1
    assert "rikki" in capsys.readouterr().err and not anchor.exists()


def test_the_scheduler_writes_a_checkpoint_to_the_configured_file(env, tmp_path):
    _append(env, 2)
    anchor = tmp_path / "ajastin.jsonl"
    platform = make_platform(env, audit_checkpoint_key=KEY, audit_checkpoint_file=str(anchor))
    scheduler = TimerScheduler(platform, make_uow_factory(env), clock=FrozenClock(NOW))
    scheduler.start()
    try:
        deadline = time.monotonic() + 15
        while not (anchor.exists() and anchor.read_text().strip()):
            assert time.monotonic() < deadline, "no checkpoint written"
            time.sleep(0.05)
    finally:
        scheduler.stop()
    assert json.loads(anchor.read_text().splitlines()[0])["entries"] == 2


def test_a_checkpoint_file_without_a_key_is_a_configuration_error(env, tmp_path):
    with pytest.raises(ValueError, match="SOTE_FLOW_AUDIT_CHECKPOINT_KEY"):
        make_platform(env, audit_checkpoint_file=str(tmp_path / "k.jsonl"))


def test_missing_postgres_programs_are_named_in_finnish(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(backup, "POSTGRES_BINARIES", tmp_path)
    with pytest.raises(backup.BackupFailed, match="Ohjelmaa pg_dump ei löydy"):
        backup.find_postgres_program("pg_dump")
