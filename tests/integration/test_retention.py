"""Retention of closed cases and the access log (issue #17), through the use cases."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from sote_flow.persistence.calendar_models import CalendarEntry
from sote_flow.persistence.document_models import Document, DownloadLink
from sote_flow.persistence.history import archived_entry_hash
from sote_flow.persistence.models import (
    AccessLogEntry,
    Case,
    HistoryEntry,
    OutboxMail,
    ProcessInstance,
)
from sote_flow.service_order import actions
from sote_flow.service_order.models import ServiceOrder
from sote_flow.services import retention, tasks
from sote_flow.services.retention import RetentionNotConfigured, RetentionRules
from sote_flow.services.system import SYSTEM_ACTOR
from tests.support.factories import DIAGRAMS, deploy, make_actor, make_groups, open_task, start
from tests.support.orders import OrderDriver, make_order_people

REQUEST = {"client_number": "1234567", "amount": 3, "reason": "Arjen tuki"}


@pytest.fixture
def people(platform, uow, clock):
    return make_order_people(platform, uow, clock)


@pytest.fixture
def instances(platform, uow, clock, people):
    """A completed instance, a cancelled order and an open one, all of this moment."""
    make_groups(uow, "hakijat", "kasittelijat")
    deploy(platform, uow, clock, DIAGRAMS / "approval.bpmn")
    applicant = make_actor(uow, clock, "sanna", ["social_worker"], ["hakijat"])
    handler = make_actor(uow, clock, "tuomas", ["producer_admin"], ["kasittelijat"])
    done = start(platform, uow, clock, applicant, "approval", REQUEST)
    task = open_task(uow, done.id)
    with uow() as unit:
        tasks.claim_task(handler, unit, clock, task.id)
    with uow() as unit:
        tasks.complete_task(platform, handler, unit, clock, task.id, {"decision": "approve"})
    cancelled = OrderDriver(platform, uow, clock, people).order()
    with uow() as unit:
        actions.cancel_order(platform, people.orderer, unit, clock, cancelled.id, "Perhe muutti.")
    still_open = OrderDriver(platform, uow, clock, people).order()
    return {"done": done.id, "cancelled": cancelled.id, "open": still_open.id}


def _run(uow, clock, out, case_days, log_days=4383, dry_run=False):
    with uow() as unit:
        return retention.archive_and_purge(
            SYSTEM_ACTOR, unit, clock, RetentionRules(case_days, log_days), out, dry_run
        )


def _verify_archive(uow, path):
    with uow() as unit:
        return retention.verify_archive(SYSTEM_ACTOR, unit, path)


def _count(uow, model, *where):
    with uow() as unit:
        return unit.session.scalar(select(func.count()).select_from(model).where(*where))


def _instance_ids(uow):
    with uow() as unit:
        return set(unit.session.scalars(select(ProcessInstance.id)))


def _chain_ok(uow):
    with uow() as unit:
        return unit.history.verify()


def _records(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_closed_cases_past_retention_are_archived_and_purged(uow, clock, instances, tmp_path):
    closed = [instances["done"], instances["cancelled"]]
    history_before = _count(uow, HistoryEntry, HistoryEntry.instance_id.in_(closed))
    clock.advance(timedelta(days=10))

    run = _run(uow, clock, tmp_path, case_days=5)

    assert (run.instances, run.history_entries) == (2, history_before)
    assert run.path is not None and run.path.parent == tmp_path
    assert run.path.name == "sote-flow-archive-20261203T080000Z.jsonl"
    assert run.path.stat().st_mode & 0o077 == 0  # client data: readable by its owner only
    assert _instance_ids(uow) == {instances["open"]}
    for model in (ServiceOrder, Case):
        assert _count(uow, model, model.instance_id.in_(closed)) == 0
    assert _count(uow, OutboxMail, OutboxMail.instance_id.in_(closed)) == 0
    assert _count(uow, HistoryEntry, HistoryEntry.instance_id.in_(closed)) == 0
    assert _count(uow, HistoryEntry, HistoryEntry.purged_at.is_not(None)) == history_before
    assert _count(uow, ServiceOrder, ServiceOrder.instance_id == instances["open"]) == 1
    assert run.rows["process_instances"] == 2 and run.rows["service_orders"] == 1
    report = _chain_ok(uow)
    assert report.ok, report

    with uow() as unit:
        (purge,) = unit.session.scalars(
            select(HistoryEntry).where(HistoryEntry.action == retention.PURGE_ACTION)
        )
    assert purge.actor == "system" and purge.instance_id is None
    assert purge.data["instances"] == 2 and purge.data["archive_sha256"] == run.sha256
    for client_number in ("1000234", "1234567"):  # counts only, no client data
        assert client_number not in json.dumps(purge.data)


def test_the_archive_holds_every_row_and_the_chain_proof(uow, clock, instances, tmp_path):
    clock.advance(timedelta(days=10))
    run = _run(uow, clock, tmp_path, case_days=5)

    header, *lines, footer = _records(run.path)
    assert header["kind"] == "header" and header["format"] == retention.FORMAT
    assert header["case_retention_days"] == 5 and header["chain_head"]["entries"] > 0
    assert footer["kind"] == "footer" and footer["instances"] == 2
    by_id = {line["instance_id"]: line for line in lines if line["kind"] == "instance"}
    assert set(by_id) == {instances["done"], instances["cancelled"]}
    done, cancelled = by_id[instances["done"]], by_id[instances["cancelled"]]
    (instance_row,) = done["tables"]["process_instances"]
    assert instance_row["status"] == "completed" and "base64" in instance_row["state"]
    assert instance_row["client_number"] == "1234567"
    assert cancelled["tables"]["process_instances"][0]["status"] == "cancelled"
    assert cancelled["tables"]["service_orders"][0]["client_number"] == "1000234"
    assert cancelled["tables"]["cases"] and cancelled["tables"]["case_state_changes"]
    assert cancelled["tables"]["outbox_mails"]  # the producers were told
    history = done["history"]
    assert history and all(archived_entry_hash(entry) == entry["hash"] for entry in history)
    assert {"instance_completed"} <= {entry["action"] for entry in history}

    check = _verify_archive(uow, run.path)
    assert check.ok, check.problems
    assert (check.instances, check.history_entries) == (2, run.history_entries)


def test_an_edited_archive_fails_verification(uow, clock, instances, tmp_path):
    clock.advance(timedelta(days=10))
    run = _run(uow, clock, tmp_path, case_days=5)
    lines = run.path.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[1])
    record["history"][0]["actor"] = "joku-muu"
    lines[1] = json.dumps(record, ensure_ascii=False, sort_keys=True)
    run.path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    problems = _verify_archive(uow, run.path).problems
    assert any("footer SHA-256" in problem for problem in problems)
    assert any("does not give its hash" in problem for problem in problems)


def test_cases_within_retention_and_open_cases_are_kept(uow, clock, instances, tmp_path):
    clock.advance(timedelta(days=10))
    before = _instance_ids(uow)
    run = _run(uow, clock, tmp_path, case_days=30)
    assert (run.path, run.instances) == (None, 0)
    assert _instance_ids(uow) == before and list(tmp_path.iterdir()) == []

    clock.advance(timedelta(days=3650))  # the open one is never due, however old
    _run(uow, clock, tmp_path, case_days=30)
    assert _instance_ids(uow) == {instances["open"]}


def test_a_second_run_purges_nothing_new(uow, clock, instances, tmp_path):
    clock.advance(timedelta(days=10))
    first = _run(uow, clock, tmp_path, case_days=5)
    history = _count(uow, HistoryEntry)
    clock.advance(timedelta(seconds=1))
    again = _run(uow, clock, tmp_path, case_days=5)
    assert (again.path, again.instances, again.history_entries) == (None, 0, 0)
    assert _count(uow, HistoryEntry) == history
    assert [path.name for path in tmp_path.iterdir()] == [first.path.name]
    assert _verify_archive(uow, first.path).ok


def test_a_dry_run_changes_nothing(uow, clock, instances, tmp_path):
    clock.advance(timedelta(days=10))
    history = _count(uow, HistoryEntry)
    run = _run(uow, clock, tmp_path, case_days=5, dry_run=True)
    assert (run.dry_run, run.path, run.instances) == (True, None, 2)
    assert run.history_entries > 0
    assert len(_instance_ids(uow)) == 3 and _count(uow, HistoryEntry) == history
    assert _count(uow, HistoryEntry, HistoryEntry.purged_at.is_not(None)) == 0
    assert list(tmp_path.iterdir()) == []


def test_without_a_case_retention_nothing_is_purged(uow, clock, instances, tmp_path):
    clock.advance(timedelta(days=10))
    with pytest.raises(RetentionNotConfigured, match="SOTE_FLOW_RETENTION_CASE_DAYS"):
        _run(uow, clock, tmp_path, case_days=0)
    assert len(_instance_ids(uow)) == 3


def test_old_access_log_entries_are_archived_and_purged(uow, clock, tmp_path):
    with uow() as unit:
        for days_ago, username in ((400, "vanha"), (5, "uusi")):
            unit.access_log.record(
                AccessLogEntry(
                    at=clock() - timedelta(days=days_ago),
                    username=username,
                    roles="auditor",
                    action="read",
                    object_type="instance",
                    object_id="1",
                    instance_id=None,
                    purpose="tarkastus",
                )
            )
        unit.commit()
    run = _run(uow, clock, tmp_path, case_days=5, log_days=365)
    assert (run.instances, run.access_log_entries) == (0, 1)
    with uow() as unit:
        assert list(unit.session.scalars(select(AccessLogEntry.username))) == ["uusi"]
    (line,) = [r for r in _records(run.path) if r["kind"] == "access_log"]
    assert line["row"]["username"] == "vanha" and line["row"]["purpose"] == "tarkastus"
    assert _verify_archive(uow, run.path).ok
    assert _run(uow, clock, tmp_path, case_days=5, log_days=365).access_log_entries == 0


def test_rows_reached_through_foreign_keys_are_purged_or_unlinked(
    uow, clock, people, instances, tmp_path
):
    done = instances["done"]
    with uow() as unit:
        document = Document(
            instance_id=done, kind="sopimus", title="Sopimus", file_name="sopimus.pdf",
            media_type="application/pdf", content=b"%PDF-1.7 testi", sha256="0" * 64,
            created_at=clock(), created_by="aino",
        )  # fmt: skip
        unit.session.add(document)
        unit.session.flush()
        unit.session.add(
            DownloadLink(
                document_id=document.id, recipient="Vanhempi 1", token_hash="1" * 64,
                created_at=clock(), expires_at=clock() + timedelta(days=14),
            )
        )  # fmt: skip
        entry = _calendar_entry(people, clock, case_instance_id=done)
        unit.session.add(entry)
        unit.session.flush()
        # Another worker's entry that merely points at the purged one (nullable): kept, unlinked.
        other = _calendar_entry(people, clock, case_instance_id=None, displaced_by_id=entry.id)
        unit.session.add(other)
        unit.commit()
        other_id = other.id
    clock.advance(timedelta(days=10))

    run = _run(uow, clock, tmp_path, case_days=5)

    assert run.rows["documents"] == 1 and run.rows["download_links"] == 1
    assert run.rows["calendar_entries"] == 1
    with uow() as unit:
        assert unit.session.scalar(select(func.count()).select_from(Document)) == 0
        kept = unit.session.get(CalendarEntry, other_id)
        assert kept is not None and kept.displaced_by_id is None
    line = next(r for r in _records(run.path) if r.get("instance_id") == done)
    assert line["tables"]["documents"][0]["content"]["base64"]
    assert line["tables"]["download_links"][0]["recipient"] == "Vanhempi 1"
    assert line["unlinked"] == [
        {"table": "calendar_entries", "column": "displaced_by_id", "key": [other_id],
         "value": line["tables"]["calendar_entries"][0]["id"]}
    ]  # fmt: skip
    assert _verify_archive(uow, run.path).ok


def _calendar_entry(people, clock, **links):
    return CalendarEntry(
        worker_id=people.worker.user_id, type_key="home_visit", starts_at=clock(),
        ends_at=clock() + timedelta(hours=1), client_number="1000234", created_by="pekka",
        created_at=clock(), **links,
    )  # fmt: skip


def test_a_changed_tombstone_breaks_the_chain(uow, clock, instances, tmp_path):
    clock.advance(timedelta(days=10))
    _run(uow, clock, tmp_path, case_days=5)
    with uow() as unit:
        tombstone = unit.session.scalars(
            select(HistoryEntry).where(HistoryEntry.purged_at.is_not(None)).limit(1)
        ).one()
        tombstone.hash = "f" * 64  # its content is gone, but the next entry still names it
        unit.commit()
    report = _chain_ok(uow)
    assert not report.ok and report.problem == "previous entry missing or changed"


def test_a_failure_before_the_commit_leaves_no_archive_and_purges_nothing(
    uow, clock, instances, tmp_path, monkeypatch
):
    def broken(*_args):
        raise RuntimeError("levy täynnä")

    monkeypatch.setattr(retention.RetentionRepository, "purge", broken)
    clock.advance(timedelta(days=10))
    with pytest.raises(RuntimeError):
        _run(uow, clock, tmp_path, case_days=5)
    assert list(tmp_path.iterdir()) == []
    assert len(_instance_ids(uow)) == 3


def test_marking_an_entry_purged_does_not_hide_an_edit(uow, clock, instances):
    with uow() as unit:
        entry = unit.session.scalars(select(HistoryEntry).order_by(HistoryEntry.id).limit(1)).one()
        entry.data, entry.purged_at = {"muutettu": True}, clock()
        unit.commit()
    report = _chain_ok(uow)
    assert not report.ok and report.problem == "tombstone keeps content"
