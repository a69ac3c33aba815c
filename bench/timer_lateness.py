"""Benchmark: lateness of 10,000 timers due within one minute, two schedulers on PostgreSQL.

Two `sote-flow scheduler` processes run against one throw-away PostgreSQL server. 10,000
instances are started (through the use case) with a timer each, due a day ahead so that
nothing falls due however long seeding takes on a busy machine. Once seeding has ended, the due
times are moved (in the stored workflows, the instance rows and the due-timer rows, in one
transaction, with the NOTIFY a save sends) to a window of one minute that begins a few seconds
later; the figure is void, and the bench fails, if the window began before the move ended.
Lateness = fire time - due time, as each scheduler recorded it in the instance history. Target
(issue 4): p99 <= 1 s.
"""

from __future__ import annotations

import json
import re
import statistics
import sys
import time
import zlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, text

from _common import ROOT  # noqa: F401  (puts the project on sys.path)
from sote_flow.persistence.database import make_engine
from sote_flow.persistence.migrate import upgrade_database
from sote_flow.services.workflow_state import TIMER_CHANNEL
from tests.support.factories import make_uow_factory
from tests.support.postgres import PostgresServer
from tests.support.schedulers import seed_timer_instances, start_scheduler, wait_for_fired

TIMERS = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
WINDOW = timedelta(minutes=1)
PARKED = timedelta(days=1)  # where the timers wait while seeding goes on
# From the end of the move to the first due time: the schedulers take the moved timers in.
LEAD = timedelta(seconds=5)
MOVE_MS_PER_TIMER = 1.0  # rewriting one stored workflow, with a wide margin on a busy machine


def main() -> None:
    with PostgresServer() as server:
        server.create_database("bench")
        url = server.url("bench")
        engine = make_engine(url)
        upgrade_database(engine)
        engine.dispose()
        schedulers = [start_scheduler(url), start_scheduler(url)]
        try:
            step = WINDOW / TIMERS
            parked = datetime.now(UTC) + PARKED
            seeding = time.perf_counter()
            seed_timer_instances(url, [parked + i * step for i in range(TIMERS)])
            print(f"seeded {TIMERS} timers in {time.perf_counter() - seeding:.1f} s (parked)")
            begin, moved_at = _move_due_times(url, parked)
            lead = (begin - moved_at).total_seconds()
            print(f"moved them: first due {lead:.1f} s after the move ended")
            if lead <= 0:
                raise SystemExit("the window began before the move ended: no figure")
            counts = wait_for_fired(url, TIMERS)
        finally:
            for process in schedulers:
                process.terminate()
                process.wait(timeout=30)
        with make_uow_factory(url)() as unit:
            rows = (
                unit.session.execute(
                    text(
                        "SELECT (data->>'late_ms')::int FROM history_entries "
                        "WHERE action = 'timer_fired'"
                    )
                )
                .scalars()
                .all()
            )
    late = sorted(rows)
    duplicates = sum(c - 1 for c in counts.values())
    p50 = statistics.median(late)
    p99 = late[int(len(late) * 0.99) - 1]
    print(f"fired {len(counts)} of {TIMERS} (duplicates: {duplicates})")
    print(f"lateness p50 {p50} ms, p99 {p99} ms, max {late[-1]} ms (target p99 <= 1000 ms)")
    print(
        json.dumps(
            {
                "timers": TIMERS,
                "fired": len(counts),
                "duplicates": duplicates,
                "p50_ms": p50,
                "p99_ms": p99,
                "max_ms": late[-1],
            }
        )
    )


def _move_due_times(url: str, parked: datetime) -> tuple[datetime, datetime]:
    """Move every parked timer to the window that begins LEAD after this move is done.

    Returns the window's beginning and the moment the move was committed.
    """
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT id, state FROM process_instances")).all()
        # The due time is in the workflow twice (the start data and the waiting timer's value).
        states = {int(id_): zlib.decompress(state).decode("utf-8") for id_, state in rows}
        margin = timedelta(milliseconds=MOVE_MS_PER_TIMER * len(states))
        begin = datetime.now(UTC) + margin + LEAD
        _rewrite(engine, states, parked, begin)
        return begin, datetime.now(UTC)
    finally:
        engine.dispose()


def _rewrite(engine: Engine, states: dict[int, str], parked: datetime, begin: datetime) -> None:
    value = re.compile(r'"event_value": "([^"]+)"')
    instances, timers = [], []
    for instance_id, state in states.items():
        match = value.search(state)
        assert match, f"instance {instance_id} waits on no timer"
        old = match.group(1)
        due = begin + (datetime.fromisoformat(old) - parked)
        moved = zlib.compress(state.replace(old, due.isoformat()).encode("utf-8"), 1)
        instances.append({"id": instance_id, "state": moved, "due": due})
        timers.append({"id": instance_id, "due": due})
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE process_instances SET state = :state, next_timer_at = :due WHERE id = :id"
            ),
            instances,
        )
        connection.execute(
            text("UPDATE due_timers SET due_at = :due WHERE instance_id = :id"), timers
        )
        connection.execute(
            text("SELECT pg_notify(:channel, :due)"),
            {"channel": TIMER_CHANNEL, "due": begin.isoformat()},
        )


if __name__ == "__main__":
    main()
