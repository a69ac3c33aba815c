"""A stored state keeps only the tasks the engine can still reach: it stays flat in a loop of any
length, and an instance runs on from it exactly as from its whole past."""

from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime
from typing import Any

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer import DEFAULT_CONFIG

from sote_flow.domain.clock import FrozenClock
from sote_flow.engine.bundle import bundle_from_diagram
from sote_flow.engine.parsing import parse_bundle
from sote_flow.engine.runtime import RunContext, WorkflowRuntime
from tests.support.factories import DIAGRAMS

CLOCK = FrozenClock(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
PARSED = parse_bundle(bundle_from_diagram(DIAGRAMS / "loop_parallel.bpmn"))
RUNTIME = WorkflowRuntime({})
CTX = RunContext(1, PARSED.key, "sofia", CLOCK)
WHOLE = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(DEFAULT_CONFIG))


def _stored_tasks(state: bytes) -> list[str]:
    return [task["task_spec"] for task in json.loads(zlib.decompress(state))["tasks"].values()]


def _run(rounds: int, store: Any = RUNTIME.dump) -> tuple[Any, list[bytes]]:
    """Run `rounds` rounds of the loop, storing and loading the state after every step as the
    services do; return the final workflow and the state stored after each round's first task."""
    workflow, report = RUNTIME.start(PARSED, {"count": 0, "limit": rounds}, CTX)
    states = []
    while True:
        state = store(workflow)
        workflow, report = RUNTIME.load(state, CTX, PARSED)
        ready = RUNTIME.ready_human_tasks(workflow)
        if not ready:
            return workflow, states
        if ready[0].element_id == "task_a":
            states.append(state)
        RUNTIME.complete_task(workflow, report, ready[0].task_id, {"done": ready[0].element_id})
        assert report.failure is None


def _whole(workflow: Any) -> bytes:
    return zlib.compress(WHOLE.serialize_json(workflow).encode("utf-8"))


def test_a_long_loop_keeps_a_flat_state_and_runs_to_its_end():
    # 400 rounds of 8 levels each: the whole tree would be 3,200 deep, past the 1,000 levels at
    # which SpiffWorkflow stops seeing its own READY tasks.
    workflow, states = _run(400)
    assert workflow.is_completed()
    assert RUNTIME.current_data(workflow)["count"] == 400
    assert len(_stored_tasks(states[-1])) == len(_stored_tasks(states[0]))
    assert len(states[-1]) <= 1.2 * len(states[0])


def test_the_pruned_state_runs_on_as_the_whole_one():
    pruned, _ = _run(6)
    whole, whole_states = _run(6, store=_whole)
    assert RUNTIME.current_data(pruned) == RUNTIME.current_data(whole)
    assert len(_stored_tasks(whole_states[-1])) > 3 * len(_stored_tasks(whole_states[0]))


def test_what_waits_keeps_the_task_before_it_and_a_branch_still_open_is_kept():
    _, states = _run(3)
    kept = _stored_tasks(states[-1])
    # Round three waits in task A while branch B waits in the join: both with their parents.
    assert {"fork", "task_a", "task_b", "join"} <= set(kept)
    assert kept.count("count_up") <= 2  # the earlier rounds' work is gone but for the last one


def test_a_finished_instance_is_stored_whole_with_its_end_event():
    workflow, _ = _run(2)
    assert "end" in _stored_tasks(RUNTIME.dump(workflow))


def test_a_state_stored_with_its_whole_past_loads_and_sheds_it():
    _, states = _run(30, store=_whole)
    old = states[-1]
    loaded, _ = RUNTIME.load(old, CTX, PARSED)
    assert [t.element_id for t in RUNTIME.ready_human_tasks(loaded)] == ["task_a"]
    assert len(_stored_tasks(RUNTIME.dump(loaded))) < len(_stored_tasks(old)) / 5
