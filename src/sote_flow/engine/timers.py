"""Find the timers a workflow waits on, so the scheduler can wake it exactly then."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState


def pending_timers(workflow: BpmnWorkflow) -> list[tuple[str, datetime]]:
    """Return (task id, due time in UTC) for each WAITING timer, cycles and gateways included."""
    due = []
    for task in workflow.get_tasks(state=TaskState.WAITING):
        value = task.internal_data.get("event_value")
        when = _due_time(value)
        if when is not None:
            due.append((str(task.id), when))
    return due


def _due_time(value: Any) -> datetime | None:
    # Durations and dates store an ISO string; cycles store {"cycles", "next", "duration"};
    # event-based gateways store a dict per event definition with one of those inside.
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, dict):
        if "next" in value:
            return _due_time(value["next"])
        candidates = [_due_time(v) for v in value.values()]
        found = [c for c in candidates if c is not None]
        return min(found) if found else None
    return None
