"""The path an instance took through its diagram, and where it waits now (for the auditors' view).

The current round comes from the workflow's task tree; rounds that were restarted ("continue as
new") survive only in the history, so their element ids are joined up through the diagram.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState

from sote_flow.engine.parsing import BPMN_NS
from sote_flow.engine.timers import pending_timers

# In a history round, stands for "the instance ended here" (whichever end event it reached).
END_OF_ROUND = "#end"
# Element kinds that write history entries of their own; everything else is passed through.
RECORDED_KINDS = frozenset({"userTask", "manualTask", "serviceTask"})
_NOT_NODES = frozenset(
    {"sequenceFlow", "laneSet", "lane", "extensionElements", "documentation", "textAnnotation",
     "association", "dataObject", "dataObjectReference", "dataStoreReference"}
)  # fmt: skip


@dataclass(frozen=True)
class Flow:
    """A sequence flow of the diagram."""

    id: str
    source: str
    target: str


@dataclass(frozen=True)
class DiagramGraph:
    """A process's flow nodes (id -> BPMN tag, id -> name) and sequence flows."""

    kinds: Mapping[str, str]
    names: Mapping[str, str]
    flows: tuple[Flow, ...]

    def start_nodes(self) -> list[str]:
        """Return the nodes nothing flows into (start events), in diagram order."""
        targets = {flow.target for flow in self.flows}
        return [
            node
            for node, kind in self.kinds.items()
            if kind == "startEvent" and node not in targets
        ]


@dataclass(frozen=True)
class TaskVisit:
    """One task of the workflow's tree reduced to what the path needs."""

    element_id: str
    previous_id: str | None
    state: str  # completed | ready | waiting | started | error
    kind: str  # task (a person's) | timer | message | event | activity
    due_at: datetime | None = None


@dataclass(frozen=True)
class WaitingPoint:
    """Where the instance waits now: a person's task, a timer, a message, or an error."""

    element_id: str
    kind: str
    due_at: datetime | None = None


@dataclass(frozen=True)
class ProcessPath:
    """Elements reached, sequence flows taken and current waiting points."""

    elements: frozenset[str]
    flows: frozenset[str]
    waiting: tuple[WaitingPoint, ...] = field(default_factory=tuple)


def diagram_graph(xml: bytes | str, process_id: str) -> DiagramGraph:
    """Read the flow nodes and sequence flows of a process (subprocesses included) from BPMN."""
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    process = root.find(f"{{{BPMN_NS}}}process[@id='{process_id}']")
    kinds: dict[str, str] = {}
    names: dict[str, str] = {}
    flows: list[Flow] = []
    for element in process.iter() if process is not None else ():
        if not isinstance(element.tag, str) or not element.tag.startswith(f"{{{BPMN_NS}}}"):
            continue
        tag = etree.QName(element).localname
        element_id = element.get("id")
        if element is process or not element_id:
            continue
        if tag == "sequenceFlow":
            flows.append(
                Flow(element_id, element.get("sourceRef", ""), element.get("targetRef", ""))
            )
        elif tag not in _NOT_NODES and element.getparent() is not None and _is_container(element):
            kinds[element_id] = tag
            names[element_id] = element.get("name") or ""
    return DiagramGraph(kinds, names, tuple(flows))


def _is_container(element: Any) -> bool:
    parent = etree.QName(element.getparent()).localname
    return parent in ("process", "subProcess", "transaction", "adHocSubProcess")


def workflow_visits(workflow: BpmnWorkflow) -> list[TaskVisit]:
    """Return every reached task of the workflow (and its subprocesses) with its predecessor."""
    tasks: list[Any] = list(workflow.tasks.values())
    for sub in workflow.subprocesses.values():
        tasks.extend(sub.tasks.values())
    timers = dict(pending_timers(workflow))
    visits = []
    for task in tasks:
        element_id = task.task_spec.bpmn_id
        state = _STATES.get(task.state)
        if element_id is None or state is None:
            continue
        kind = _kind(task)
        due = timers.get(str(task.id))
        visits.append(TaskVisit(element_id, _previous_element(task), state, kind, due))
    return visits


_STATES = {
    TaskState.COMPLETED: "completed",
    TaskState.READY: "ready",
    TaskState.WAITING: "waiting",
    TaskState.STARTED: "started",
    TaskState.ERROR: "error",
}


def _kind(task: Any) -> str:
    if task.task_spec.manual:
        return "task"
    definition = getattr(task.task_spec, "event_definition", None)
    if isinstance(definition, TimerEventDefinition):
        return "timer"
    if isinstance(definition, MessageEventDefinition):
        return "message"
    return "event" if definition is not None else "activity"


def _previous_element(task: Any) -> str | None:
    # Hidden specs (Start, boundary-event splits and joins) have no bpmn_id; skip over them.
    parent = task.parent
    while parent is not None and parent.task_spec.bpmn_id is None:
        parent = parent.parent
    return parent.task_spec.bpmn_id if parent is not None else None


def derive_path(
    visits: Iterable[TaskVisit],
    graph: DiagramGraph,
    history_rounds: Sequence[Sequence[str]] = (),
    completed_before: Iterable[str] = (),
) -> ProcessPath:
    """Combine the workflow's reached tasks with the history's element ids into one path;
    `completed_before`: the elements the history saw completed (a stored workflow keeps no
    finished task the engine cannot reach again)."""
    by_pair: dict[tuple[str, str], list[str]] = {}
    for flow in graph.flows:
        by_pair.setdefault((flow.source, flow.target), []).append(flow.id)
    elements: set[str] = set()
    completed: set[str] = set(completed_before)
    flows: set[str] = set()
    waiting: list[WaitingPoint] = []
    for visit in visits:
        elements.add(visit.element_id)
        if visit.state == "completed":
            completed.add(visit.element_id)
        if visit.previous_id is not None:
            flows.update(by_pair.get((visit.previous_id, visit.element_id), ()))
        if visit.state == "error":
            waiting.append(WaitingPoint(visit.element_id, "error"))
        elif visit.state in ("ready", "waiting", "started") and visit.kind != "activity":
            waiting.append(WaitingPoint(visit.element_id, visit.kind, visit.due_at))
    starts = graph.start_nodes()
    for round_ids in history_rounds:
        previous = starts[0] if starts else None
        for element_id in (e for e in round_ids if e in graph.kinds or e == END_OF_ROUND):
            route = []
            if previous is not None and previous != element_id:
                route = _route(graph, previous, element_id)
                if route:
                    elements.add(previous)
                    elements.update(node for node, _ in route)
                    flows.update(flow for _, flow in route)
            if element_id == END_OF_ROUND:
                previous = route[-1][0] if route else previous
                continue
            elements.add(element_id)
            previous = element_id
    # A task waiting now counts as passed only if it was also completed (a loop, a new round).
    only_waiting = {point.element_id for point in waiting} - completed
    done = frozenset(elements - only_waiting)
    return ProcessPath(done, frozenset(flows), tuple(sorted(waiting, key=_waiting_order)))


def _waiting_order(point: WaitingPoint) -> tuple[int, str]:
    return ({"error": 0, "task": 1}.get(point.kind, 2), point.element_id)


def _route(graph: DiagramGraph, source: str, target: str) -> list[tuple[str, str]]:
    """Shortest way from source to target through elements that leave no history of their own.

    Returns (node, flow id) pairs: each node reached and the flow that led to it. The target
    END_OF_ROUND means the nearest end event.
    """
    outgoing: dict[str, list[Flow]] = {}
    for flow in graph.flows:
        outgoing.setdefault(flow.source, []).append(flow)
    came_from: dict[str, tuple[str, str]] = {}
    queue = deque([source])
    while queue:
        node = queue.popleft()
        for flow in outgoing.get(node, ()):
            nxt = flow.target
            if nxt in came_from or nxt == source:
                continue
            came_from[nxt] = (node, flow.id)
            if nxt == target or (target == END_OF_ROUND and graph.kinds.get(nxt) == "endEvent"):
                return _walk_back(came_from, source, nxt)
            if graph.kinds.get(nxt) not in RECORDED_KINDS:
                queue.append(nxt)
    return []


def _walk_back(
    came_from: Mapping[str, tuple[str, str]], source: str, target: str
) -> list[tuple[str, str]]:
    route = []
    node = target
    while node != source:
        previous, flow_id = came_from[node]
        route.append((node, flow_id))
        node = previous
    return route[::-1]


def result_variables(spec: Any) -> dict[str, str]:
    """Return element id -> the variable its service task stores its result in."""
    return {
        str(task_spec.bpmn_id): str(task_spec.result_variable)
        for task_spec in spec.task_specs.values()
        if getattr(task_spec, "result_variable", None) and task_spec.bpmn_id
    }
