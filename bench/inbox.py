"""Benchmark: the inbox's first page for a group with 50,000 open tasks (target: median <= 50 ms).

Rows are bulk-inserted straight into the projection tables (instances + open tasks), then the
use case that serves "Ryhmän tehtävät" (page of unclaimed group tasks plus the total) is timed.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from _common import databases, median_ms, p90_ms, timed
from sote_flow.domain.clock import system_clock
from sote_flow.persistence.models import HumanTask, ProcessInstance
from sote_flow.services import tasks
from tests.support.factories import (
    DIAGRAMS,
    deploy,
    make_actor,
    make_groups,
    make_platform,
    make_uow_factory,
)

OPEN_TASKS = 50_000
OTHER_GROUP_TASKS = 50_000
RUNS = 50


def seed(url: str) -> object:
    platform = make_platform(url)
    uow = make_uow_factory(url)
    make_groups(uow, "hakijat", "kasittelijat", "muut")
    version = deploy(platform, uow, system_clock, DIAGRAMS / "approval.bpmn")
    handler = make_actor(uow, system_clock, "tuomas", ["producer_admin"], ["kasittelijat"])
    base = datetime(2026, 1, 1, tzinfo=UTC)
    total = OPEN_TASKS + OTHER_GROUP_TASKS
    with uow() as unit:
        unit.session.execute(
            insert(ProcessInstance),
            [
                {
                    "id": i,
                    "process_version_id": version.id,
                    "process_key": "approval",
                    "status": "running",
                    "state": b"",
                    "started_by": "sanna",
                    "started_at": base,
                    "updated_at": base,
                    "revision": 1,
                }
                for i in range(1, total + 1)
            ],
        )
        unit.session.execute(
            insert(HumanTask),
            [
                {
                    "id": str(uuid.uuid4()),
                    "instance_id": i,
                    "process_key": "approval",
                    "element_id": "review",
                    "title": "Käsittele hakemus",
                    "group_name": "kasittelijat" if i <= OPEN_TASKS else "muut",
                    "created_at": base + timedelta(seconds=i),
                }
                for i in range(1, total + 1)
            ],
        )
        unit.commit()
    return uow, handler


def main() -> None:
    print(
        f"inbox first page, {OPEN_TASKS} open tasks in the group "
        f"(+{OTHER_GROUP_TASKS} in another group), {RUNS} runs"
    )
    with databases() as urls:
        for label, url in urls:
            uow, handler = seed(url)

            def first_page(uow=uow, handler=handler) -> None:  # type: ignore[no-untyped-def]
                with uow() as unit:
                    page = tasks.group_tasks(handler, unit, 1, 25)
                    assert page.total == OPEN_TASKS and len(page.tasks) == 25

            first_page()  # warm the connection pool and caches
            samples = [timed(first_page) for _ in range(RUNS)]
            print(
                f"  {label:<11} median {median_ms(samples):6.2f} ms, p90 {p90_ms(samples):6.2f} ms"
                f" (target median <= 50 ms)"
            )


if __name__ == "__main__":
    main()
