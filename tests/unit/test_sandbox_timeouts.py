"""A step that only ran out of wall-clock time is run once more; one that is wrong stays failed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from SpiffWorkflow.util.task import TaskState

from sote_flow.domain.clock import FrozenClock
from sote_flow.engine.bundle import ProcessBundle, bundle_from_diagram
from sote_flow.engine.parsing import parse_bundle
from sote_flow.engine.runtime import RunContext, WorkflowRuntime
from sote_flow.engine.sandbox import SandboxedEnvironment, SandboxError, SandboxTimeout
from sote_flow.handlers import HANDLERS
from tests.support.paths import DIAGRAMS

CLOCK = FrozenClock(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))


class Flaky:
    """A diagram function that runs out of time the first `failures` times it is called."""

    def __init__(self, failures: int) -> None:
        self.failures, self.calls = failures, 0

    def __call__(self) -> bool:
        self.calls += 1
        if self.calls <= self.failures:
            raise SandboxTimeout("expression ran past 30.0 s of wall-clock time")
        return True


def run_approval(flaky: Flaky):
    files = dict(bundle_from_diagram(DIAGRAMS / "approval.bpmn").files)
    files["approval.bpmn"] = files["approval.bpmn"].replace(
        b'decision == "approve"', b'flaky() and decision == "approve"'
    )
    parsed = parse_bundle(ProcessBundle(files))
    runtime = WorkflowRuntime(HANDLERS, functions={"flaky": flaky})
    ctx = RunContext(1, parsed.key, "sanna", CLOCK)
    workflow, report = runtime.start(parsed, {"client_number": "1234567", "amount": 3}, ctx)
    assert report.failure is None, report.failure
    (task,) = runtime.ready_human_tasks(workflow)
    runtime.complete_task(workflow, report, task.task_id, {"decision": "approve"})
    return workflow, report


def test_a_step_that_only_ran_out_of_time_once_is_run_again_and_goes_on():
    flaky = Flaky(failures=1)
    workflow, report = run_approval(flaky)
    assert report.failure is None
    assert flaky.calls == 2
    assert not workflow.get_tasks(state=TaskState.ERROR)


def test_a_step_out_of_time_twice_marks_the_instance_in_error():
    flaky = Flaky(failures=2)
    _, report = run_approval(flaky)
    assert report.failure is not None and report.failure.details.get("timeout") == "yes"


def test_the_clock_is_a_safety_net_far_above_what_expressions_need():
    assert SandboxedEnvironment().limits[1] >= 30.0
    slow = SandboxedEnvironment(max_seconds=0.05, max_steps=10**9)
    with pytest.raises(SandboxTimeout, match=r"ran past 0.05 s"):
        slow.evaluate("sum(1 for a in range(99999) for b in range(99999))", {})
    bounded = SandboxedEnvironment(max_steps=1_000)
    with pytest.raises(SandboxError, match=r"step budget \(1000\)"):
        bounded.evaluate("sum(1 for a in range(99999))", {})
