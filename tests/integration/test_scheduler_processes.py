"""Real `sote-flow scheduler` processes sharing one PostgreSQL: exactly once, nothing lost."""

from __future__ import annotations

import signal
from datetime import timedelta

import pytest
from sqlalchemy import text

from tests.support.factories import make_uow_factory
from tests.support.schedulers import (
    fired_counts,
    seed_timer_instances,
    start_scheduler,
    wait_for_fired,
    wait_for_first_fired,
    wall_time,
)

pytestmark = pytest.mark.postgres


def _open_tasks(url: str) -> int:
    with make_uow_factory(url)() as unit:
        return int(unit.session.scalar(text("SELECT count(*) FROM human_tasks")))


def _stop(*processes) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except BaseException:
                process.kill()  # never leave a scheduler running after the test
                raise


def test_two_schedulers_fire_2000_timers_each_exactly_once(postgres_databases):
    url = postgres_databases.new_url()
    total = 2000
    # Started first, so the schedulers learn of the new timers by notification; the timers
    # fall due while seeding goes on, and both schedulers race for every one.
    first, second = start_scheduler(url), start_scheduler(url)
    try:
        seed_timer_instances(url, [wall_time() + timedelta(seconds=2)] * total)
        counts = wait_for_fired(url, total)
    finally:
        _stop(first, second)
    assert len(counts) == total
    assert set(counts.values()) == {1}
    assert _open_tasks(url) == total  # every instance moved on past its timer, once


def test_scheduler_killed_mid_run_loses_no_timer(postgres_databases):
    url = postgres_databases.new_url()
    total = 600
    seed_timer_instances(url, [wall_time()] * total)
    doomed = start_scheduler(url)
    try:
        assert wait_for_first_fired(url), "the scheduler fired nothing"
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=30)
        fired_before = len(fired_counts(url))
        assert 0 < fired_before < total, "the scheduler was not killed mid-run"
        survivor = start_scheduler(url)
        try:
            counts = wait_for_fired(url, total)
        finally:
            _stop(survivor)
    finally:
        _stop(doomed)
    assert len(counts) == total and set(counts.values()) == {1}
    assert _open_tasks(url) == total
