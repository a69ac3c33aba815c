"""A workflow's stored state, without its spec.

The spec is the deployed version's, parsed once per checksum and cached (`engine/parsing.py`):
storing it again with every save made each state carry the whole diagram, and each load rebuild
it. A state now holds the tasks and data only, and of the tasks only those the engine can still
reach (`engine/state_pruning.py`); loading attaches the version's cached spec object. States
saved with their spec or their whole past (before this) still load as they are.
"""

from __future__ import annotations

import json
import zlib
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnWorkflowConverter,
    WorkflowConverter,
)
from SpiffWorkflow.spiff.serializer import DEFAULT_CONFIG

from sote_flow.engine.parsing import ParsedProcess
from sote_flow.engine.state_pruning import prune_finished_tasks


class _SpecFreeWorkflowConverter(BpmnWorkflowConverter):  # type: ignore[misc]
    """SpiffWorkflow's converter of the top workflow, leaving the specs out of the state."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        _prune(workflow, dct)
        return dct

    def from_dict(self, dct: dict[str, Any]) -> BpmnWorkflow:
        spec = dct.pop("spec")
        subprocess_specs = dct.pop("subprocess_specs", {})
        if isinstance(spec, dict):  # a state saved with its spec
            spec = self.registry.restore(spec)
            subprocess_specs = self.mapping_from_dict(subprocess_specs)
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _prune(workflow: BpmnWorkflow, dct: dict[str, Any]) -> None:
    removed = prune_finished_tasks(workflow, dct["tasks"])
    subprocesses = dct["subprocesses"]
    # Outer subprocesses come first: a subprocess left out takes those nested in it along.
    for sub_id, subprocess in workflow.subprocesses.items():
        if sub_id in removed:
            removed.update(subprocess.tasks)
            del subprocesses[str(sub_id)]
        else:
            removed.update(prune_finished_tasks(subprocess, subprocesses[str(sub_id)]["tasks"]))


class StateCodec:
    """Turns a workflow into stored bytes and back, the spec coming from its parsed version."""

    def __init__(self) -> None:
        config = dict(DEFAULT_CONFIG)
        config[BpmnWorkflow] = _SpecFreeWorkflowConverter
        self._serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))

    def encode(self, workflow: BpmnWorkflow) -> bytes:
        """Return the workflow's state (tasks and data, no spec), compressed."""
        text: str = self._serializer.serialize_json(workflow)
        return zlib.compress(text.encode("utf-8"), 1)

    def decode(self, state: bytes, parsed: ParsedProcess) -> BpmnWorkflow:
        """Return the workflow of a stored state, on `parsed`'s (the instance version's) spec."""
        dct = json.loads(zlib.decompress(state).decode("utf-8"))
        self._serializer.migrate(dct)
        if "spec" not in dct:
            dct["spec"] = parsed.spec
            dct["subprocess_specs"] = parsed.subprocess_specs
        workflow: BpmnWorkflow = self._serializer.from_dict(dct)
        return workflow
