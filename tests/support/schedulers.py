"""Seed instances waiting on timers, and run `sote-flow scheduler` as real processes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from sote_flow.domain.clock import system_clock
from tests.support.factories import (
    DIAGRAMS,
    deploy,
    make_actor,
    make_groups,
    make_platform,
    make_uow_factory,
    start,
)


def burst_time(count: int) -> datetime:
    """A due time for `count` timers that lies safely after seeding them (~6 ms each)."""
    return datetime.now(UTC) + timedelta(seconds=3 + count * 0.012)


def seed_timer_instances(url: str, fire_at: list[datetime]) -> None:
    """Start one `timer_once` instance per due time (through the use case, as users would).

    A due time must lie after its instance has started, or the timer fires during the start.
    """
    platform, uow = make_platform(url), make_uow_factory(url)
    make_groups(uow, "kasittelijat")
    deploy(platform, uow, system_clock, DIAGRAMS / "timer_once.bpmn")
    starter = make_actor(uow, system_clock, "ajastaja", ["social_worker"], ["kasittelijat"])
    for due in fire_at:
        start(platform, uow, system_clock, starter, "timer_once", {"fire_at": due.isoformat()})


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


def wait_for_fired(url: str, total: int, timeout: float) -> dict[int, int]:
    """Wait until `total` instances have fired (or the timeout passes); return the counts."""
    deadline = time.monotonic() + timeout
    counts = fired_counts(url)
    while len(counts) < total and time.monotonic() < deadline:
        time.sleep(0.2)
        counts = fired_counts(url)
    return counts
