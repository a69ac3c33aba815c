"""What a workflow is after a step, read from it once: everything a save stores.

The services store an instance's state, its open tasks, timers, awaited and thrown messages
and its case projection. They get all of it in one `StepSnapshot` (`WorkflowRuntime.snapshot`)
instead of asking the workflow one question each, and no SpiffWorkflow type leaves `engine/`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sote_flow.domain.errors import EngineFailure
from sote_flow.engine.tasks import FormRef


@dataclass(frozen=True)
class ReadyHumanTask:
    """A user or manual task waiting for a person, as the projection stores it."""

    task_id: str
    element_id: str
    title: str
    group: str | None
    assignee: str | None
    due_at: datetime | None
    form: FormRef


@dataclass(frozen=True)
class ThrownMessage:
    """A message the workflow threw that nothing inside it caught."""

    name: str
    payload: Any
    correlations: dict[str, Any]


@dataclass(frozen=True)
class StepSnapshot:
    """A workflow after a step: its stored state and every fact a save projects from it.

    `failure` is the step's engine failure, or one met while reading the open tasks (an
    assignee or due-date expression that fails); with a failure, `ready` is empty and the
    open tasks are left as they were.
    """

    state: bytes
    completed: bool
    failure: EngineFailure | None
    ready: tuple[ReadyHumanTask, ...]
    timers: tuple[tuple[str, datetime], ...]
    waiting_messages: tuple[str, ...]
    thrown_messages: tuple[ThrownMessage, ...]
    latest_data: dict[str, Any]
    case_state: str | None
