"""A simple left-to-right layout for diagrams deployed without drawing information (BPMN DI).

bpmn-js can only show what has shapes; a diagram written by hand (or by a script) may have
none. The layout puts each flow node in the column of its longest distance from a start event
(loops ignored) and connects them with orthogonal edges; boundary events sit on their host.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lxml import etree

from sote_flow.engine.parsing import BPMN_NS
from sote_flow.engine.paths import DiagramGraph, diagram_graph

DI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DD_DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
_SIZES = {"event": (36, 36), "gateway": (50, 50), "activity": (100, 80)}
COLUMN_WIDTH = 160
ROW_HEIGHT = 130
MARGIN = 60


def with_layout(xml: bytes | str, process_id: str) -> str:
    """Return the diagram as text, with a generated layout if it has no shapes of its own."""
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    if root.find(f".//{{{DI_NS}}}BPMNShape") is not None:
        return data.decode("utf-8")
    graph = diagram_graph(data, process_id)
    boxes = _place(graph, _boundary_hosts(root))
    diagram = etree.SubElement(
        root,
        f"{{{DI_NS}}}BPMNDiagram",
        id=f"{process_id}_layout",
        nsmap={"bpmndi": DI_NS, "dc": DC_NS, "di": DD_DI_NS},
    )
    plane = etree.SubElement(
        diagram, f"{{{DI_NS}}}BPMNPlane", id=f"{process_id}_plane", bpmnElement=process_id
    )
    for element_id, (x, y, width, height) in boxes.items():
        shape = etree.SubElement(
            plane, f"{{{DI_NS}}}BPMNShape", id=f"{element_id}_di", bpmnElement=element_id
        )
        etree.SubElement(
            shape, f"{{{DC_NS}}}Bounds", x=str(x), y=str(y), width=str(width), height=str(height)
        )
    for flow in graph.flows:
        if flow.source not in boxes or flow.target not in boxes:
            continue
        edge = etree.SubElement(
            plane, f"{{{DI_NS}}}BPMNEdge", id=f"{flow.id}_di", bpmnElement=flow.id
        )
        for px, py in _waypoints(boxes[flow.source], boxes[flow.target]):
            etree.SubElement(edge, f"{{{DD_DI_NS}}}waypoint", x=str(px), y=str(py))
    return str(etree.tostring(root, encoding="unicode"))


def _boundary_hosts(root: Any) -> dict[str, str]:
    return {
        str(event.get("id")): str(event.get("attachedToRef"))
        for event in root.iter(f"{{{BPMN_NS}}}boundaryEvent")
    }


def _size(kind: str) -> tuple[int, int]:
    if kind.endswith("Event"):
        return _SIZES["event"]
    if kind.endswith("Gateway"):
        return _SIZES["gateway"]
    return _SIZES["activity"]


def _place(graph: DiagramGraph, hosts: Mapping[str, str]) -> dict[str, tuple[int, int, int, int]]:
    columns = _columns(graph, hosts)
    rows_used: dict[int, int] = {}
    boxes: dict[str, tuple[int, int, int, int]] = {}
    for element_id in sorted(columns, key=lambda e: (columns[e], list(graph.kinds).index(e))):
        column = columns[element_id]
        row = rows_used.get(column, 0)
        rows_used[column] = row + 1
        width, height = _size(graph.kinds[element_id])
        cx = MARGIN + column * COLUMN_WIDTH + 50
        cy = MARGIN + row * ROW_HEIGHT + 40
        boxes[element_id] = (cx - width // 2, cy - height // 2, width, height)
    for event, host in hosts.items():
        if host in boxes and event in graph.kinds:
            x, y, width, height = boxes[host]
            boxes[event] = (x + width - 50, y + height - 18, 36, 36)
    return boxes


def _columns(graph: DiagramGraph, hosts: Mapping[str, str]) -> dict[str, int]:
    """Longest distance from a start event, ignoring back edges; a boundary event's flows
    leave from its host."""
    outgoing: dict[str, list[str]] = {}
    for flow in graph.flows:
        outgoing.setdefault(hosts.get(flow.source, flow.source), []).append(flow.target)
    nodes = [n for n in graph.kinds if n not in hosts]
    targets = {flow.target for flow in graph.flows}
    column: dict[str, int] = {}
    on_stack: set[str] = set()

    def visit(node: str, depth: int) -> None:
        if node in on_stack or column.get(node, -1) >= depth:
            return
        column[node] = depth
        on_stack.add(node)
        for nxt in outgoing.get(node, ()):
            visit(nxt, depth + 1)
        on_stack.discard(node)

    for root in [n for n in nodes if n not in targets] or nodes[:1]:
        visit(root, 0)
    for node in nodes:  # anything unreachable goes to the first column
        column.setdefault(node, 0)
    return {n: c for n, c in column.items() if n not in hosts}


def _waypoints(
    source: tuple[int, int, int, int], target: tuple[int, int, int, int]
) -> list[tuple[int, int]]:
    sx, sy, sw, sh = source
    tx, ty, tw, th = target
    start = (sx + sw, sy + sh // 2)
    end = (tx, ty + th // 2)
    if tx <= sx:  # a loop back: leave from below and come in from below
        start, end = (sx + sw // 2, sy + sh), (tx + tw // 2, ty + th)
        low = max(sy + sh, ty + th) + 25
        return [start, (start[0], low), (end[0], low), end]
    if start[1] == end[1]:
        return [start, end]
    middle = start[0] + (end[0] - start[0]) // 2
    return [start, (middle, start[1]), (middle, end[1]), end]
