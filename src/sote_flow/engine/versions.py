"""Compare deployed versions of a process and move a running workflow to a newer one.

Built on SpiffWorkflow's `bpmn.util.diff`: specs are aligned by BPMN id (and, failing that, by
their place in the flow); a workflow can move when nothing it has done or waits on is gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.util.diff import SpecDiff, diff_workflow, migrate_workflow
from SpiffWorkflow.spiff.serializer import DEFAULT_CONFIG
from SpiffWorkflow.util.task import TaskState

from sote_flow.engine.parsing import ParsedProcess

# The registry SpecDiff uses to compare two task specs attribute by attribute.
_REGISTRY = BpmnWorkflowSerializer.configure(DEFAULT_CONFIG)
# Attributes that differ whenever anything around an element moves; not a change of the element.
_NOISE = frozenset({"inputs", "outputs", "description", "lookahead"})
# A task in these states has run or is where the instance waits now.
_LIVE = TaskState.COMPLETED | TaskState.STARTED | TaskState.ERROR | TaskState.READY
_LIVE |= TaskState.WAITING


@dataclass(frozen=True)
class ElementRef:
    """A BPMN element of a version: id, name and kind (the SpiffWorkflow spec class)."""

    element_id: str
    name: str
    kind: str


@dataclass(frozen=True)
class ElementChange:
    """An element present in both versions whose attributes differ."""

    element: ElementRef
    attributes: tuple[str, ...]


@dataclass(frozen=True)
class SpecChanges:
    """Elements added, removed and changed from one version's process to another's."""

    added: tuple[ElementRef, ...]
    removed: tuple[ElementRef, ...]
    changed: tuple[ElementChange, ...]


def compare_specs(old: ParsedProcess, new: ParsedProcess) -> SpecChanges:
    """Return which BPMN elements were added, removed or changed between two parsed versions."""
    added: list[ElementRef] = []
    removed: list[ElementRef] = []
    changed: list[ElementChange] = []
    pairs = [(old.spec, new.spec)]
    pairs += [
        (spec, new.subprocess_specs.get(name))
        for name, spec in old.subprocess_specs.items()
        if spec is not None
    ]
    for name, spec in new.subprocess_specs.items():
        if spec is not None and old.subprocess_specs.get(name) is None:
            added += [_ref(s) for s in spec.task_specs.values() if _is_element(s)]
    for old_spec, new_spec in pairs:
        if new_spec is None:
            removed += [_ref(s) for s in old_spec.task_specs.values() if _is_element(s)]
            continue
        diff = SpecDiff(_REGISTRY, old_spec, new_spec)
        added += [_ref(s) for s in diff.added if _is_element(s)]
        removed += [_ref(s) for s in diff.removed if _is_element(s)]
        for spec, attributes in diff.changed.items():
            real = tuple(a for a in attributes if a not in _NOISE)
            if _is_element(spec) and real:
                changed.append(ElementChange(_ref(diff.alignment[spec] or spec), real))
    key = _sort_key
    return SpecChanges(
        tuple(sorted(added, key=key)),
        tuple(sorted(removed, key=key)),
        tuple(sorted(changed, key=lambda c: key(c.element))),
    )


@dataclass(frozen=True)
class MigrationPlan:
    """Whether a workflow can move to a new version, and why not when it cannot."""

    blockers: tuple[str, ...]
    changed_current: tuple[ElementRef, ...]

    @property
    def possible(self) -> bool:
        """True when nothing blocks the migration."""
        return not self.blockers


def migrate(workflow: BpmnWorkflow, new: ParsedProcess) -> MigrationPlan:
    """Move `workflow` onto `new` in place when possible; otherwise leave it as it was.

    The caller must discard the workflow object when the plan is not possible (it may have been
    partly changed while checking).
    """
    top, sub_diffs = diff_workflow(_REGISTRY, workflow, new.spec, new.subprocess_specs)
    blockers = [
        f"{_describe(task.task_spec)}: {_state_text(task.state)}, mutta elementti puuttuu uudesta "
        "versiosta."
        for task in top.removed
        if task.state & _LIVE
    ]
    for sub_id, sub_diff in sub_diffs.items():
        if sub_diff is None:
            name = workflow.subprocesses[sub_id].spec.name
            blockers.append(f"Aliprosessi {name} on käynnissä, mutta se puuttuu uudesta versiosta.")
        else:
            blockers += [
                f"{_describe(t.task_spec)}: {_state_text(t.state)}, mutta elementti puuttuu "
                "uudesta versiosta."
                for t in sub_diff.removed
                if t.state & _LIVE
            ]
    if blockers:
        return MigrationPlan(tuple(blockers), ())
    current = tuple(
        _ref(top.alignment.get(task) or task.task_spec)
        for task in top.changed
        if task.state & (TaskState.READY | TaskState.WAITING) and _is_element(task.task_spec)
    )
    kept_due = _waiting_due_times(workflow, top.changed)
    migrate_workflow(top, workflow, new.spec)
    for sub_id, sub_diff in sub_diffs.items():
        sub = workflow.subprocesses[sub_id]
        migrate_workflow(sub_diff, sub, new.subprocess_specs[sub.spec.name])
    workflow.subprocess_specs = dict(new.subprocess_specs)
    _restore_due_times(workflow, kept_due)
    stale = sorted(
        {
            task.task_spec.name
            for task in workflow.get_tasks()
            if task.task_spec.name not in task.workflow.spec.task_specs
        }
    )
    if stale:
        names = ", ".join(stale)
        return MigrationPlan((f"Uusi versio ei sovi asian nykyiseen tilaan ({names}).",), ())
    return MigrationPlan((), current)


def _waiting_due_times(workflow: BpmnWorkflow, changed: list[Any]) -> dict[Any, Any]:
    # migrate_workflow resets waiting tasks, which would restart their timers from now; a timer
    # whose element did not change keeps the due time it had.
    return {
        task.id: task.internal_data["event_value"]
        for task in workflow.get_tasks(state=TaskState.WAITING)
        if task not in changed and "event_value" in task.internal_data
    }


def _restore_due_times(workflow: BpmnWorkflow, kept: dict[Any, Any]) -> None:
    for task_id, value in kept.items():
        task = workflow.get_task_from_id(task_id)
        if task is not None and task.state == TaskState.WAITING:
            task.internal_data["event_value"] = value


def _is_element(spec: Any) -> bool:
    return getattr(spec, "bpmn_id", None) is not None


def _ref(spec: Any) -> ElementRef:
    return ElementRef(str(spec.bpmn_id), str(spec.bpmn_name or ""), type(spec).__name__)


def _sort_key(ref: ElementRef) -> tuple[str, str]:
    return (ref.kind, ref.element_id)


def _describe(spec: Any) -> str:
    name = f" ({spec.bpmn_name})" if getattr(spec, "bpmn_name", None) else ""
    return f"{getattr(spec, 'bpmn_id', None) or spec.name}{name}"


def _state_text(state: int) -> str:
    if state & (TaskState.READY | TaskState.WAITING):
        return "asia odottaa tässä"
    return "asia on jo käynyt tässä"
