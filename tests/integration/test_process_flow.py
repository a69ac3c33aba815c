"""A process runs end to end through the use cases: deploy, start, claim, complete, history."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from sote_flow.domain.errors import Conflict, InvalidInput, PermissionDenied
from sote_flow.persistence.models import AccessLogEntry
from sote_flow.services import instances, tasks
from sote_flow.services.platform import Platform
from tests.support.factories import DIAGRAMS, deploy, make_actor, make_groups, start

APPROVAL = DIAGRAMS / "approval.bpmn"
REQUEST = {"client_number": "1234567", "amount": 3, "reason": "Arjen tuki"}


@pytest.fixture
def people(platform: Platform, uow, clock):
    make_groups(uow, "hakijat", "kasittelijat")
    deploy(platform, uow, clock, APPROVAL)
    return {
        "orderer": make_actor(uow, clock, "sanna", ["social_worker"], ["hakijat"]),
        "handler": make_actor(uow, clock, "tuomas", ["producer_admin"], ["kasittelijat"]),
        "handler2": make_actor(uow, clock, "tiina", ["producer_admin"], ["kasittelijat"]),
        "auditor": make_actor(uow, clock, "tarja", ["auditor"]),
    }


def group_task(uow, actor):
    with uow() as unit:
        page = tasks.group_tasks(actor, unit, 1, 10)
    assert page.total == 1, page
    return page.tasks[0]


def test_instance_runs_from_start_form_to_end(platform, uow, clock, people):
    instance = start(platform, uow, clock, people["orderer"], "approval", REQUEST)
    assert instance.status == "running"

    task = group_task(uow, people["handler"])
    assert (task.title, task.group_name, task.assignee_id) == (
        "Käsittele hakemus",
        "kasittelijat",
        None,
    )
    with uow() as unit:
        tasks.claim_task(people["handler"], unit, clock, task.id)
    with uow() as unit:
        assert tasks.my_tasks(people["handler"], unit, 1, 10).total == 1
        tasks.complete_task(
            platform,
            people["handler"],
            unit,
            clock,
            task.id,
            {"decision": "approve", "comment": "ok"},
        )

    with uow() as unit:
        view = instances.view_instance(platform, people["auditor"], unit, clock, instance.id)
    assert view.instance.status == "completed"
    assert view.open_tasks == []
    assert view.data["case_number"] == f"HY-2026-{instance.id:06d}"
    actions = [entry.action for entry in view.history]
    assert actions == [
        "instance_started",
        "service_task",
        "task_opened",
        "task_claimed",
        "task_completed",
        "instance_completed",
    ]
    completed = view.history[4]
    assert completed.actor == "tuomas"
    assert completed.data["submitted"] == {"decision": "approve", "comment": "ok"}
    assert completed.data["changed"]["decision"] == [None, "approve"]


def test_back_edge_assigns_the_fix_task_to_the_orderer(platform, uow, clock, people):
    instance = start(platform, uow, clock, people["orderer"], "approval", REQUEST)
    task = group_task(uow, people["handler"])
    with uow() as unit:
        tasks.complete_task(platform, people["handler"], unit, clock, task.id, {"decision": "fix"})
    with uow() as unit:
        mine = tasks.my_tasks(people["orderer"], unit, 1, 10)
    assert [t.title for t in mine.tasks] == ["Täydennä hakemusta"]
    with uow() as unit:
        tasks.complete_task(
            platform,
            people["orderer"],
            unit,
            clock,
            mine.tasks[0].id,
            {"reason": "Lisätty tarkennus"},
        )
    again = group_task(uow, people["handler2"])
    assert again.instance_id == instance.id


def test_second_claim_gets_conflict_and_changes_nothing(platform, uow, clock, people):
    start(platform, uow, clock, people["orderer"], "approval", REQUEST)
    task = group_task(uow, people["handler"])
    with uow() as unit:
        tasks.claim_task(people["handler"], unit, clock, task.id)
    with uow() as unit, pytest.raises(Conflict, match="toisen käyttäjän"):
        tasks.claim_task(people["handler2"], unit, clock, task.id)
    with uow() as unit, pytest.raises(Conflict):
        tasks.complete_task(
            platform, people["handler2"], unit, clock, task.id, {"decision": "approve"}
        )
    with uow() as unit:
        history = unit.history.for_instance(task.instance_id)
    assert [e.action for e in history].count("task_claimed") == 1
    assert "task_completed" not in [e.action for e in history]


def test_invalid_form_data_is_refused_naming_the_field(platform, uow, clock, people):
    with uow() as unit, pytest.raises(InvalidInput) as refused:
        instances.start_instance(
            platform,
            people["orderer"],
            unit,
            clock,
            "approval",
            {"client_number": "12", "amount": 0},
        )
    fields = {e.field for e in refused.value.errors}
    assert fields == {"client_number", "amount"}
    with uow() as unit:
        assert unit.instances.recent() == []


@pytest.mark.parametrize("code", ["131052-308T", "010594Y9032", "010594Y9021", "020502E902X"])
def test_personal_identity_code_is_refused_and_nothing_stored(platform, uow, clock, people, code):
    with uow() as unit, pytest.raises(InvalidInput) as refused:
        instances.start_instance(
            platform,
            people["orderer"],
            unit,
            clock,
            "approval",
            {**REQUEST, "reason": f"asiakas {code} soitti"},
        )
    assert [e.field for e in refused.value.errors] == ["reason"]
    assert "henkilötunnuksen" in refused.value.errors[0].message
    with uow() as unit:
        assert unit.instances.recent() == []
        assert unit.history.verify().entries == 1  # only the deployment


def test_auditor_reads_everything_and_changes_nothing(platform, uow, clock, people):
    instance = start(platform, uow, clock, people["orderer"], "approval", REQUEST)
    task = group_task(uow, people["handler"])
    with uow() as unit, pytest.raises(PermissionDenied):
        instances.start_instance(platform, people["auditor"], unit, clock, "approval", REQUEST)
    with uow() as unit, pytest.raises(PermissionDenied):
        tasks.claim_task(people["auditor"], unit, clock, task.id)
    with uow() as unit:
        instances.view_instance(platform, people["auditor"], unit, clock, instance.id)
    with uow() as unit:
        log = unit.session.scalars(select(AccessLogEntry)).all()
    assert [(e.username, e.purpose, e.instance_id) for e in log] == [
        ("tarja", "valvonta", instance.id)
    ]


def test_history_chain_verifies_and_detects_tampering(platform, uow, clock, people):
    start(platform, uow, clock, people["orderer"], "approval", REQUEST)
    with uow() as unit:
        report = unit.history.verify()
    assert report.ok and report.entries == 4
    with uow() as unit:
        unit.session.execute(text("UPDATE history_entries SET actor = 'mallory' WHERE id = 2"))
        unit.commit()
    with uow() as unit:
        report = unit.history.verify()
    assert not report.ok and report.first_bad_entry_id == 2


def test_history_chain_detects_deleted_entries_in_the_middle_and_at_the_end(
    platform, uow, clock, people
):
    start(platform, uow, clock, people["orderer"], "approval", REQUEST)
    with uow() as unit:
        last = unit.session.scalar(text("SELECT max(id) FROM history_entries"))
        unit.session.execute(text("DELETE FROM history_entries WHERE id = :id"), {"id": last})
        unit.commit()
    with uow() as unit:
        report = unit.history.verify()
    assert (report.ok, report.first_bad_entry_id, report.problem) == (
        False,
        last,
        "newest entries missing",
    )
    with uow() as unit:
        unit.session.execute(text("DELETE FROM history_entries WHERE id = 2"))
        unit.commit()
    with uow() as unit:
        report = unit.history.verify()
    assert (report.ok, report.first_bad_entry_id) == (False, 3)
