"""The open-task projection is rewritten on every save: a task still open keeps its row as it
was (claim and creation time), a new one is opened once, and a completion names what comes next."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from sote_flow.persistence.models import HistoryEntry
from sote_flow.services import tasks
from sote_flow.services.platform import Platform
from tests.support.factories import DIAGRAMS, deploy, make_actor, make_groups, start


@pytest.fixture
def handlers(platform: Platform, uow, clock):
    make_groups(uow, "kasittelijat")
    deploy(platform, uow, clock, DIAGRAMS / "parallel_review.bpmn")
    return (
        make_actor(uow, clock, "tuomas", ["producer_admin"], ["kasittelijat"]),
        make_actor(uow, clock, "tiina", ["producer_admin"], ["kasittelijat"]),
    )


def _open(uow, instance_id):
    with uow() as unit:
        return {task.element_id: task for task in unit.tasks.for_instance(instance_id)}


def test_a_claimed_task_keeps_its_claim_while_the_other_branch_completes(
    platform, uow, clock, handlers
):
    tuomas, tiina = handlers
    instance = start(platform, uow, clock, tuomas, "parallel_review", {})
    opened = _open(uow, instance.id)
    assert set(opened) == {"check_a", "check_b"}
    with uow() as unit:
        tasks.claim_task(tuomas, unit, clock, opened["check_a"].id)
    clock.advance(timedelta(hours=2))

    with uow() as unit:
        done = tasks.complete_task_and_next(platform, tiina, unit, clock, opened["check_b"].id, {})
    # Check A is Tuomas's now, so nothing is open to Tiina.
    assert done.next_tasks == []
    still = _open(uow, instance.id)
    assert set(still) == {"check_a"}
    kept = still["check_a"]
    assert kept.id == opened["check_a"].id
    assert kept.assignee_id == tuomas.user_id
    assert kept.created_at == opened["check_a"].created_at
    with uow() as unit:
        opened_entries = unit.session.scalars(
            select(HistoryEntry.task_name).where(
                HistoryEntry.instance_id == instance.id, HistoryEntry.action == "task_opened"
            )
        ).all()
    assert sorted(opened_entries) == ["check_a", "check_b"]  # each opened once


def test_the_next_tasks_are_those_open_to_the_one_who_completed(platform, uow, clock, handlers):
    tuomas, _ = handlers
    instance = start(platform, uow, clock, tuomas, "parallel_review", {})
    opened = _open(uow, instance.id)
    with uow() as unit:
        tasks.claim_task(tuomas, unit, clock, opened["check_a"].id)
    with uow() as unit:
        done = tasks.complete_task_and_next(platform, tuomas, unit, clock, opened["check_b"].id, {})
    assert [(t.element_id, t.assignee) for t in done.next_tasks] == [("check_a", "tuomas")]
    with uow() as unit:
        done = tasks.complete_task_and_next(platform, tuomas, unit, clock, opened["check_a"].id, {})
    assert done.next_tasks == [] and done.instance.status == "completed"
    assert _open(uow, instance.id) == {}
