"""Fire due timers: wake each instance whose timer is due, exactly once across schedulers."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from sote_flow.domain.clock import Clock
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.platform import Platform
from sote_flow.services.system import SYSTEM_ACTOR
from sote_flow.services.workflow_state import save_workflow

log = logging.getLogger(__name__)


def fire_due_timers_of(
    platform: Platform, uow: UnitOfWork, clock: Clock, instance_ids: Sequence[int]
) -> int:
    """Wake those of the instances whose timer is still due, in one transaction.

    An instance another scheduler holds, or whose timer no longer is due, is skipped.
    Returns how many instances were woken.
    """
    now = clock()
    fired = 0
    for instance_id in instance_ids:
        instance = uow.instances.lock_if_due(instance_id, now)
        if instance is None:
            continue
        due_at = instance.next_timer_at
        ctx = platform.run_context(uow, instance, SYSTEM_ACTOR.username, clock)
        workflow, report = platform.load_workflow(instance, ctx)
        platform.runtime.wake(workflow, report)
        late_ms = round((now - due_at).total_seconds() * 1000) if due_at else None
        uow.history.append(
            at=now,
            actor=SYSTEM_ACTOR.username,
            action="timer_fired",
            instance_id=instance.id,
            process_version_id=instance.process_version_id,
            data={"due_at": due_at.isoformat() if due_at else None, "late_ms": late_ms},
        )
        save_workflow(platform, uow, clock, instance, workflow, report, SYSTEM_ACTOR.username)
        fired += 1
    uow.commit()
    return fired


def fire_due_timers(
    platform: Platform,
    unit_of_work: Callable[[], UnitOfWork],
    clock: Clock,
    batch: int = 100,
    per_transaction: int = 10,
) -> int:
    """Fire every timer due now, a few instances per transaction; returns how many fired."""
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
        for start in range(0, len(due), per_transaction):
            fired += _fire_group(
                platform, unit_of_work, clock, due[start : start + per_transaction]
            )


def _fire_group(
    platform: Platform, unit_of_work: Callable[[], UnitOfWork], clock: Clock, ids: list[int]
) -> int:
    try:
        with unit_of_work() as uow:
            return fire_due_timers_of(platform, uow, clock, ids)
    except Exception:
        if len(ids) == 1:
            raise
        # One instance failing unexpectedly must not hold back the others of its group.
        log.exception("firing timers of %s together failed; firing one by one", ids)
        fired = 0
        for instance_id in ids:
            try:
                fired += _fire_group(platform, unit_of_work, clock, [instance_id])
            except Exception:
                log.exception("firing the timer of instance %s failed", instance_id)
        return fired


def next_due(unit_of_work: Callable[[], UnitOfWork]) -> datetime | None:
    """Return when the next timer falls due (None when no instance waits on a timer)."""
    with unit_of_work() as uow:
        return uow.instances.next_timer_at()
