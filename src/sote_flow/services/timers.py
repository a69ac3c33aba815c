"""Fire due timers: wake each instance whose timer is due, exactly once across schedulers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sote_flow.domain.clock import Clock
from sote_flow.engine.runtime import RunContext
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.platform import Platform
from sote_flow.services.system import SYSTEM_ACTOR
from sote_flow.services.workflow_state import save_workflow


def fire_due_timer(platform: Platform, uow: UnitOfWork, clock: Clock, instance_id: int) -> bool:
    """Wake one instance if its timer is still due; False when it is not or another has it."""
    now = clock()
    instance = uow.instances.lock_if_due(instance_id, now)
    if instance is None:
        return False
    due_at = instance.next_timer_at
    ctx = RunContext(instance.id, instance.process_key, SYSTEM_ACTOR.username, clock)
    workflow, report = platform.runtime.load(instance.state, ctx)
    platform.runtime.wake(workflow, report)
    uow.history.append(
        at=now,
        actor=SYSTEM_ACTOR.username,
        action="timer_fired",
        instance_id=instance.id,
        process_version_id=instance.process_version_id,
        data={
            "due_at": due_at.isoformat() if due_at else None,
            "late_ms": round((now - due_at).total_seconds() * 1000) if due_at else None,
        },
    )
    save_workflow(platform, uow, clock, instance, workflow, report, SYSTEM_ACTOR.username)
    uow.commit()
    return True


def fire_due_timers(
    platform: Platform, unit_of_work: Callable[[], UnitOfWork], clock: Clock, batch: int = 100
) -> int:
    """Fire every timer due now, each instance in its own transaction; returns how many fired."""
    fired = 0
    seen: set[int] = set()
    while True:
        with unit_of_work() as uow:
            # An instance is woken at most once per call, so one whose timer the engine does
            # not advance cannot keep this loop busy; it is retried on the next call.
            due = [i for i in uow.instances.due_ids(clock(), batch) if i not in seen]
        if not due:
            return fired
        seen.update(due)
        for instance_id in due:
            with unit_of_work() as uow:
                fired += fire_due_timer(platform, uow, clock, instance_id)


def next_due(unit_of_work: Callable[[], UnitOfWork]) -> datetime | None:
    """Return when the next timer falls due (None when no instance waits on a timer)."""
    with unit_of_work() as uow:
        return uow.instances.next_timer_at()
