"""Timers fire when due (injected clock, no sleeping), exactly once, and reschedule themselves."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from sote_flow.domain.clock import system_clock
from sote_flow.scheduler.runner import TimerScheduler
from sote_flow.services import instances, tasks
from sote_flow.services.timers import fire_due_timers, next_due
from tests.support.factories import DIAGRAMS, deploy, make_actor, make_groups, start
from tests.support.schedulers import wall_time


@pytest.fixture
def people(platform, uow, clock):
    make_groups(uow, "hakijat", "kasittelijat")
    deploy(platform, uow, clock, DIAGRAMS / "features.bpmn")
    return {
        "orderer": make_actor(uow, clock, "sanna", ["social_worker"], ["hakijat"]),
        "handler": make_actor(uow, clock, "tuomas", ["producer_admin"], ["kasittelijat"]),
    }


def _start(platform, uow, clock, people):
    return start(
        platform, uow, clock, people["orderer"], "features", {"amount": 1, "urgency": "tavallinen"}
    )


def _open_titles(uow, actor):
    with uow() as unit:
        return sorted(t.title for t in tasks.group_tasks(actor, unit, 1, 50).tasks)


def test_boundary_timer_fires_when_due_and_not_before(platform, uow, clock, people):
    instance = _start(platform, uow, clock, people)
    assert next_due(uow) == clock() + timedelta(hours=1)

    clock.advance(timedelta(minutes=59))
    assert fire_due_timers(platform, uow, clock) == 0
    assert _open_titles(uow, people["handler"]) == ["Tarkista"]

    clock.advance(timedelta(minutes=2))
    assert fire_due_timers(platform, uow, clock) == 1
    assert _open_titles(uow, people["handler"]) == ["Eskaloi"]
    assert next_due(uow) is None
    with uow() as unit:
        view = instances.view_instance(platform, people["orderer"], unit, clock, instance.id)
    fired = [e for e in view.history if e.action == "timer_fired"]
    assert len(fired) == 1 and fired[0].actor == "system"
    assert fired[0].data["late_ms"] == 60_000
    assert fire_due_timers(platform, uow, clock) == 0  # nothing fires twice


def test_completing_the_task_cancels_its_timer(platform, uow, clock, people):
    _start(platform, uow, clock, people)
    with uow() as unit:
        (review,) = tasks.group_tasks(people["handler"], unit, 1, 5).tasks
    with uow() as unit:
        tasks.complete_task(platform, people["handler"], unit, clock, review.id, {})
    assert next_due(uow) is None
    clock.advance(timedelta(hours=2))
    assert fire_due_timers(platform, uow, clock) == 0


def test_schedulers_on_threads_fire_each_timer_once(platform, uow, clock, people):
    count = 30
    for _ in range(count):
        _start(platform, uow, clock, people)
    clock.advance(timedelta(hours=1, seconds=1))
    results: list[int] = []

    def scheduler() -> None:
        results.append(fire_due_timers(platform, uow, clock, batch=7))

    threads = [threading.Thread(target=scheduler) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sum(results) == count
    assert _open_titles(uow, people["handler"]) == ["Eskaloi"] * count


def test_a_new_timer_is_announced_after_commit(platform, uow, clock, people):
    announced = []
    platform.timer_listeners.append(announced.append)
    _start(platform, uow, clock, people)
    assert announced == [clock() + timedelta(hours=1)]


def test_in_process_scheduler_wakes_an_instance_at_its_due_time(platform, uow, people):
    make_groups(uow, "kasittelijat")
    deploy(platform, uow, system_clock, DIAGRAMS / "timer_once.bpmn")
    scheduler = TimerScheduler(platform, uow, safety_poll_seconds=3600)
    scheduler.start()
    try:
        # A real APScheduler in this process: it runs on the wall clock.
        due = wall_time() + timedelta(seconds=1)
        start(
            platform,
            uow,
            system_clock,
            people["handler"],
            "timer_once",
            {"fire_at": due.isoformat()},
        )
        deadline = wall_time() + timedelta(seconds=10)
        while not _open_titles(uow, people["handler"]) and wall_time() < deadline:
            threading.Event().wait(0.05)
    finally:
        scheduler.stop()
    assert _open_titles(uow, people["handler"]) == ["Ajastettu"]
