"""Seed instances waiting on timers, and run `sote-flow scheduler` as real processes."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from sote_flow.domain.clock import FrozenClock
from tests.support.factories import (
    DIAGRAMS,
    deploy,
    make_actor,
    make_groups,
    make_platform,
    make_uow_factory,
    start,
)


def wall_time() -> datetime:
    """The system time: the scheduler processes under test run on it."""
    return datetime.now(UTC)


def seed_timer_instances(url: str, fire_at: Sequence[datetime]) -> None:
    """Start one `timer_once` instance per due time (through the use case, as users do).

    They are started on a clock an hour before the first due time, so no timer fires during its
    own start however long seeding takes; the schedulers fire every one of them.
    """
    clock = FrozenClock(min(fire_at) - timedelta(hours=1))
    platform, uow = make_platform(url), make_uow_factory(url)
    make_groups(uow, "kasittelijat")
    deploy(platform, uow, clock, DIAGRAMS / "timer_once.bpmn")
    starter = make_actor(uow, clock, "ajastaja", ["social_worker"], ["kasittelijat"])
    for due in fire_at:
        start(platform, uow, clock, starter, "timer_once", {"fire_at": due.isoformat()})


def start_scheduler(url: str) -> subprocess.Popen[str]:
    """Start `sote-flow scheduler` in its own process; returns once it runs."""
    env = {**os.environ, "SOTE_FLOW_DATABASE_URL": url}
    process = subprocess.Popen(
        [sys.executable, "-m", "sote_flow.cli", "scheduler", "--safety-poll", "5"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    assert "scheduler running" in line, line
    # Keep reading what it logs: a full pipe would block the scheduler in its next log call.
    threading.Thread(target=process.stdout.read, daemon=True).start()
    return process


def fired_counts(url: str) -> dict[int, int]:
    """Return instance id -> how many times a timer fired for it."""
    uow = make_uow_factory(url)
    with uow() as unit:
        rows = unit.session.execute(
            text(
                "SELECT instance_id, count(*) FROM history_entries "
                "WHERE action = 'timer_fired' GROUP BY instance_id"
            )
        ).all()
    return {int(instance_id): int(count) for instance_id, count in rows}


def wait_for_fired(
    url: str, total: int, stall: float = 60.0, limit: float = 900.0
) -> dict[int, int]:
    """Wait until `total` instances have fired or firing stops making progress; return counts.

    A loaded machine only makes the schedulers slower, so the wait ends when nothing has fired
    for `stall` seconds (something is stuck), not at a fixed deadline; `limit` bounds it anyway.
    """
    started = last_progress = time.monotonic()
    counts = fired_counts(url)
    fired = sum(counts.values())
    while len(counts) < total:
        now = time.monotonic()
        if now - last_progress > stall or now - started > limit:
            break
        time.sleep(0.2)
        counts = fired_counts(url)
        if sum(counts.values()) != fired:
            fired, last_progress = sum(counts.values()), time.monotonic()
    return counts


def wait_for_first_fired(url: str, limit: float = 120.0) -> dict[int, int]:
    """Wait (at most `limit` seconds) until some timer has fired; return the counts."""
    deadline = time.monotonic() + limit
    counts = fired_counts(url)
    while not counts and time.monotonic() < deadline:
        time.sleep(0.05)
        counts = fired_counts(url)
    return counts
