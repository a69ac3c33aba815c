"""What the application reads off task specs: forms, lanes and sote-flow properties."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.simple import NoneEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent

# sote-flow properties (spiffworkflow:properties on a task or start event):
#   group       expression giving the group that does the task (overrides the lane)
#   assignee    expression giving the username the task is assigned to
#   dueAt       expression giving the task's due time (ISO), e.g. end_of_weekday(3)
#   startRoles  comma-separated roles that may start the process (start event)
#   recordCompleter  data field that gets the username of whoever completes the task


def task_properties(task_spec: Any) -> dict[str, str]:
    """Return the spiffworkflow:properties of a task spec (empty if none)."""
    extensions = getattr(task_spec, "extensions", None) or {}
    properties = extensions.get("properties") or {}
    return dict(properties)


@dataclass(frozen=True)
class FormRef:
    """The form files a user task or start event names."""

    schema_file: str | None
    ui_schema_file: str | None
    instructions: str | None


def form_ref(task_spec: Any) -> FormRef:
    """Return the form files and instructions named by a task spec."""
    extensions = getattr(task_spec, "extensions", None) or {}
    return FormRef(
        extensions.get("formJsonSchemaFilename"),
        extensions.get("formUiSchemaFilename"),
        extensions.get("instructionsForEndUser"),
    )


def start_roles(spec: Any) -> frozenset[str]:
    """Return the roles allowed to start a process (from its start event's properties)."""
    for task_spec in spec.task_specs.values():
        roles = task_properties(task_spec).get("startRoles")
        if roles:
            return frozenset(r.strip() for r in roles.split(",") if r.strip())
    return frozenset()


def start_event_spec(spec: Any) -> Any:
    """Return the none start event of a process spec (the one a user starts)."""
    for task_spec in spec.task_specs.values():
        if isinstance(task_spec, StartEvent) and isinstance(
            task_spec.event_definition, NoneEventDefinition
        ):
            return task_spec
    return None
