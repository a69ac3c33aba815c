"""The path an instance took: derived from the task tree and the history, drawn on a layout."""

from __future__ import annotations

from lxml import etree

from sote_flow.domain.clock import system_clock
from sote_flow.engine.bundle import bundle_from_diagram
from sote_flow.engine.functions import DIAGRAM_FUNCTIONS
from sote_flow.engine.layout import DI_NS, with_layout
from sote_flow.engine.parsing import parse_bundle
from sote_flow.engine.paths import (
    END_OF_ROUND,
    DiagramGraph,
    Flow,
    TaskVisit,
    WaitingPoint,
    derive_path,
    diagram_graph,
    result_variables,
    workflow_visits,
)
from sote_flow.engine.runtime import RunContext, WorkflowRuntime
from sote_flow.handlers import HANDLERS
from tests.support.orders import ORDER
from tests.support.paths import DIAGRAMS, PROCESSES

APPROVAL = DIAGRAMS / "approval.bpmn"
GRAPH = DiagramGraph(
    kinds={
        "start": "startEvent",
        "number": "serviceTask",
        "review": "userTask",
        "decide": "exclusiveGateway",
        "fix_request": "userTask",
        "end": "endEvent",
    },
    names={},
    flows=(
        Flow("f1", "start", "number"),
        Flow("f2", "number", "review"),
        Flow("f3", "review", "decide"),
        Flow("f4", "decide", "end"),
        Flow("f6", "decide", "fix_request"),
        Flow("f5", "fix_request", "review"),
    ),
)


def test_flows_taken_come_from_consecutive_reached_elements():
    visits = [
        TaskVisit("start", None, "completed", "event"),
        TaskVisit("number", "start", "completed", "activity"),
        TaskVisit("review", "number", "completed", "task"),
        TaskVisit("decide", "review", "completed", "activity"),
        TaskVisit("fix_request", "decide", "ready", "task"),
    ]
    path = derive_path(visits, GRAPH)
    assert path.elements == {"start", "number", "review", "decide"}
    assert path.flows == {"f1", "f2", "f3", "f6"}
    assert path.waiting == (WaitingPoint("fix_request", "task"),)


def test_a_task_waiting_again_in_a_loop_is_both_passed_and_waiting():
    visits = [
        TaskVisit("review", "number", "completed", "task"),
        TaskVisit("decide", "review", "completed", "activity"),
        TaskVisit("fix_request", "decide", "completed", "task"),
        TaskVisit("review", "fix_request", "ready", "task"),
    ]
    path = derive_path(visits, GRAPH)
    assert "review" in path.elements and "f5" in path.flows
    assert [p.element_id for p in path.waiting] == ["review"]


def test_a_task_waiting_again_counts_as_passed_when_the_history_saw_it_completed():
    # The stored workflow no longer holds the first round's review: only the history does.
    visits = [
        TaskVisit("fix_request", "number", "completed", "task"),
        TaskVisit("review", "fix_request", "ready", "task"),
    ]
    rounds = [["number", "review", "review", "fix_request", "review"]]
    path = derive_path(visits, GRAPH, rounds, completed_before={"review", "fix_request"})
    assert "review" in path.elements
    assert [p.element_id for p in path.waiting] == ["review"]
    assert derive_path(visits, GRAPH, rounds).elements == path.elements - {"review"}


def test_earlier_rounds_from_history_are_joined_through_gateways_and_events():
    # Round 1 ended (the workflow was restarted); only its history knows it went to the end.
    rounds = [["number", "review", "review", "fix_request", "review"]]
    path = derive_path([], GRAPH, rounds)
    assert path.elements == {"start", "number", "review", "decide", "fix_request"}
    assert path.flows == {"f1", "f2", "f3", "f6", "f5"}
    assert path.waiting == ()


def test_unknown_history_elements_and_errors_are_handled():
    visits = [TaskVisit("number", "start", "error", "activity")]
    path = derive_path(visits, GRAPH, [["gone_element", "number"]])
    assert path.waiting == (WaitingPoint("number", "error"),)
    assert path.elements == {"start"} and path.flows == {"f1"}


def _run(diagram, data):
    parsed = parse_bundle(bundle_from_diagram(diagram))
    runtime = WorkflowRuntime(HANDLERS, DIAGRAM_FUNCTIONS)
    ctx = RunContext(1, parsed.key, "sanna", system_clock)
    workflow, report = runtime.start(parsed, data, ctx)
    assert report.failure is None
    return parsed, runtime, workflow


def test_workflow_visits_read_the_task_tree_and_boundary_timers():
    parsed, _, workflow = _run(
        PROCESSES / "service_order.bpmn", {**ORDER, "started_by": "sanna", "round_number": 1}
    )
    graph = diagram_graph(parsed.bundle.files["service_order.bpmn"], "service_order")
    path = derive_path(workflow_visits(workflow), graph)
    assert {"order_received", "is_returned", "assign_number", "notify_producer"} <= path.elements
    assert {"flow_new", "flow_to_notify", "flow_to_take"} <= path.flows
    kinds = {p.element_id: p for p in path.waiting}
    assert kinds["take_order"].kind == "task"
    assert kinds["take_up_overdue"].kind == "timer" and kinds["take_up_overdue"].due_at
    assert result_variables(parsed.spec)["assign_number"] == "order_number"


def test_diagram_without_layout_gets_one_and_a_drawn_one_is_kept():
    xml = APPROVAL.read_bytes()
    laid_out = etree.fromstring(with_layout(xml, "approval").encode())
    shapes = {s.get("bpmnElement") for s in laid_out.iter(f"{{{DI_NS}}}BPMNShape")}
    edges = {e.get("bpmnElement") for e in laid_out.iter(f"{{{DI_NS}}}BPMNEdge")}
    assert shapes == set(diagram_graph(xml, "approval").kinds)
    assert edges == {"f1", "f2", "f3", "f4", "f5", "f6"}
    drawn = (PROCESSES / "service_order.bpmn").read_bytes()
    assert with_layout(drawn, "service_order") == drawn.decode()


def test_a_round_that_ended_reaches_its_end_event():
    rounds = [["number", "review", END_OF_ROUND]]
    path = derive_path([], GRAPH, rounds)
    assert {"decide", "end"} <= path.elements and {"f3", "f4"} <= path.flows
