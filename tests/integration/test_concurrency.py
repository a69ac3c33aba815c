"""Two people acting on the same task at once: exactly one succeeds, the other gets a conflict."""

from __future__ import annotations

import threading

import pytest

from sote_flow.domain.errors import Conflict
from sote_flow.services import tasks
from tests.support.factories import DIAGRAMS, deploy, make_actor, make_groups, start

REQUEST = {"client_number": "1234567", "amount": 1}
RACERS = 6


def _race(action) -> list[str]:
    """Run `action(i)` on RACERS threads released together; return each outcome."""
    barrier = threading.Barrier(RACERS)
    outcomes: list[str] = [""] * RACERS

    def run(i: int) -> None:
        barrier.wait()
        try:
            action(i)
            outcomes[i] = "ok"
        except Conflict:
            outcomes[i] = "conflict"
        except Exception as exc:  # anything else is a bug the test must show
            outcomes[i] = f"{type(exc).__name__}: {exc}"

    threads = [threading.Thread(target=run, args=(i,)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.fixture
def handlers(platform, uow, clock):
    make_groups(uow, "hakijat", "kasittelijat")
    deploy(platform, uow, clock, DIAGRAMS / "approval.bpmn")
    orderer = make_actor(uow, clock, "sanna", ["social_worker"], ["hakijat"])
    start(platform, uow, clock, orderer, "approval", REQUEST)
    return [
        make_actor(uow, clock, f"kasittelija{i}", ["producer_admin"], ["kasittelijat"])
        for i in range(RACERS)
    ]


def _open_task(uow, actor):
    with uow() as unit:
        return tasks.group_tasks(actor, unit, 1, 1).tasks[0]


def test_concurrent_claims_exactly_one_wins(platform, uow, clock, handlers):
    task_id = _open_task(uow, handlers[0]).id

    def claim(i: int) -> None:
        with uow() as unit:
            tasks.claim_task(handlers[i], unit, clock, task_id)

    outcomes = _race(claim)
    assert sorted(outcomes) == ["conflict"] * (RACERS - 1) + ["ok"]
    with uow() as unit:
        history = unit.history.for_instance(unit.tasks.get(task_id).instance_id)
        assert [e.action for e in history].count("task_claimed") == 1
        assert unit.history.verify().ok


def test_concurrent_completions_exactly_one_wins(platform, uow, clock, handlers):
    task = _open_task(uow, handlers[0])
    task_id = task.id

    def complete(i: int) -> None:
        with uow() as unit:
            tasks.complete_task(
                platform, handlers[i], unit, clock, task_id, {"decision": "approve"}
            )

    outcomes = _race(complete)
    assert sorted(outcomes) == ["conflict"] * (RACERS - 1) + ["ok"]
    with uow() as unit:
        report = unit.history.verify()
        completed = [
            e for e in unit.history.for_instance(task.instance_id) if e.action == "task_completed"
        ]
    assert report.ok
    assert len(completed) == 1
