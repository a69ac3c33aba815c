"""A stored workflow holds its tasks and data, not its diagram; older states still load."""

from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer import DEFAULT_CONFIG

from sote_flow.domain.clock import FrozenClock
from sote_flow.engine.bundle import bundle_from_diagram
from sote_flow.engine.parsing import parse_bundle
from sote_flow.engine.runtime import RunContext, WorkflowRuntime
from tests.support.paths import PROCESSES

CLOCK = FrozenClock(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
PARSED = parse_bundle(bundle_from_diagram(PROCESSES / "service_order.bpmn"))
RUNTIME = WorkflowRuntime({})
ORDER = {"client_number": "1000234", "urgency": "tavallinen", "round_number": 1,
         "producer_group": "lapsiperheiden_avopalvelut", "started_by": "sofia"}  # fmt: skip


def _started():
    ctx = RunContext(1, PARSED.key, "sofia", CLOCK)
    # Service tasks stop the run without handlers: enough to have a workflow to store.
    workflow, _ = RUNTIME.start(PARSED, ORDER, ctx)
    return workflow, ctx


def test_the_stored_state_leaves_the_spec_out_and_loads_on_the_versions_spec():
    workflow, ctx = _started()
    state = RUNTIME.dump(workflow)
    stored = json.loads(zlib.decompress(state))
    assert "spec" not in stored and "subprocess_specs" not in stored
    loaded, _ = RUNTIME.load(state, ctx, PARSED)
    assert loaded.spec is PARSED.spec  # the cached spec itself, not a copy rebuilt per load
    assert [t.task_spec.bpmn_id for t in loaded.get_tasks()] == [
        t.task_spec.bpmn_id for t in workflow.get_tasks()
    ]
    assert RUNTIME.current_data(loaded) == RUNTIME.current_data(workflow)


def test_a_state_stored_with_its_spec_still_loads():
    workflow, ctx = _started()
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(DEFAULT_CONFIG))
    old = zlib.compress(serializer.serialize_json(workflow).encode("utf-8"))
    assert "spec" in json.loads(zlib.decompress(old))
    loaded, _ = RUNTIME.load(old, ctx, PARSED)
    assert RUNTIME.current_data(loaded) == RUNTIME.current_data(workflow)
    assert len(RUNTIME.dump(loaded)) < len(old) / 2  # saved again, it sheds the diagram
