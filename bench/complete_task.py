"""Benchmark: completing one user task through the service layer vs. raw SpiffWorkflow.

Service layer = lock + load + sandboxed engine step + save + projection + history + one commit.
Floor = the same diagram in memory with plain SpiffWorkflow: deserialize -> complete -> serialize.
Target (issue 2): service layer <= 3x the floor on SQLite.
"""

from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime
from uuid import UUID

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer import DEFAULT_CONFIG
from SpiffWorkflow.util.task import TaskState

from _common import databases, median_ms, p90_ms, timed
from sote_flow.domain.clock import system_clock
from sote_flow.engine.bundle import bundle_from_diagram
from sote_flow.engine.parsing import parse_bundle
from sote_flow.engine.state_codec import StateCodec
from sote_flow.services import tasks
from tests.support.factories import (
    DIAGRAMS,
    deploy,
    make_actor,
    make_groups,
    make_platform,
    make_uow_factory,
    start,
)

N = 200
APPROVAL = DIAGRAMS / "approval.bpmn"
REQUEST = {"client_number": "1234567", "amount": 2}


def service_layer(url: str) -> tuple[list[float], bytes]:
    platform = make_platform(url)
    uow = make_uow_factory(url)
    make_groups(uow, "hakijat", "kasittelijat")
    deploy(platform, uow, system_clock, APPROVAL)
    orderer = make_actor(uow, system_clock, "sanna", ["social_worker"], ["hakijat"])
    handler = make_actor(uow, system_clock, "tuomas", ["producer_admin"], ["kasittelijat"])
    for _ in range(N):
        start(platform, uow, system_clock, orderer, "approval", REQUEST)
    with uow() as unit:
        open_tasks = tasks.group_tasks(handler, unit, 1, N).tasks
        state = unit.instances.get(open_tasks[0].instance_id).state
    samples = []
    for task in open_tasks:

        def complete(task_id: str = task.id) -> None:
            with uow() as unit:
                tasks.complete_task(
                    platform, handler, unit, system_clock, task_id, {"decision": "approve"}
                )

        samples.append(timed(complete))
    return samples, state


def raw_floor(state: bytes) -> list[float]:
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(DEFAULT_CONFIG))
    # Our states leave the spec out; plain SpiffWorkflow stores it with the tasks, so the floor
    # reads the same workflow in SpiffWorkflow's own format.
    workflow = StateCodec().decode(state, parse_bundle(bundle_from_diagram(APPROVAL)))
    text = serializer.serialize_json(workflow)
    samples = []
    for _ in range(N):

        def step() -> None:
            workflow = serializer.deserialize_json(text)
            (task,) = workflow.get_tasks(state=TaskState.READY, manual=True)
            task.data.update({"decision": "approve"})
            workflow.get_task_from_id(UUID(str(task.id))).run()
            workflow.do_engine_steps()
            serializer.serialize_json(workflow)

        samples.append(timed(step))
    return samples


def main() -> None:
    print(f"complete one user task, {N} tasks, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    results = {}
    with databases() as urls:
        for label, url in urls:
            samples, state = service_layer(url)
            results[label] = samples
            print(
                f"  {label:<11} service layer: median {median_ms(samples):6.2f} ms, "
                f"p90 {p90_ms(samples):6.2f} ms"
            )
    floor = raw_floor(state)
    print(
        f"  raw SpiffWorkflow floor  : median {median_ms(floor):6.2f} ms, "
        f"p90 {p90_ms(floor):6.2f} ms  (state {len(zlib.decompress(state)) / 1024:.1f} KB)"
    )
    summary = {}
    for label, samples in results.items():
        ratio = median_ms(samples) / median_ms(floor)
        summary[label] = round(ratio, 2)
        print(f"  ratio {label}/floor: {ratio:.2f}x (target <= 3x on SQLite)")
    print(json.dumps({"floor_ms": round(median_ms(floor), 3), "ratios": summary}))


if __name__ == "__main__":
    main()
