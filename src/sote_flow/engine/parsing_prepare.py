"""Make descriptive BPMN runnable before SpiffWorkflow parses it, the same way at deploy and run.

Modeling tools draw things sote-flow does not execute: data stores and data objects with their
data associations (documentation: tasks read and write the case data directly), and
subprocesses without start or end events (BPMN starts such a subprocess at every activity that
no flow enters and ends it when every path ends). The stored diagram is never changed; the
parser gets a copy with the data parts removed and the implicit events drawn in, and each
change is noted (element id, Finnish note) so that deploy can list it as a warning.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
IMPLICIT_START = "__implicit_start"
IMPLICIT_END = "__implicit_end"

_DATA_REFERENCES = ("dataStoreReference", "dataObjectReference", "dataStore", "dataObject")
_ASSOCIATIONS = ("dataInputAssociation", "dataOutputAssociation")
# Flow nodes that can begin or end a path of an implicitly started subprocess.
_FLOW_NODES = frozenset({
    "task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask",
    "businessRuleTask", "callActivity", "subProcess", "transaction", "intermediateCatchEvent",
    "intermediateThrowEvent", "exclusiveGateway", "parallelGateway", "inclusiveGateway",
    "eventBasedGateway", "complexGateway",
})  # fmt: skip
_FLOW_ELEMENTS = _FLOW_NODES | {
    "sequenceFlow", "startEvent", "endEvent", "boundaryEvent", "dataObject",
    "dataObjectReference", "dataStoreReference",
}  # fmt: skip


@dataclass(frozen=True)
class PreparedDiagram:
    """The XML SpiffWorkflow parses, and a note for each descriptive part left out or added."""

    xml: bytes
    notes: tuple[tuple[str | None, str], ...]


def xml_parser() -> etree.XMLParser:
    """An lxml parser that resolves no entities and never reads the network."""
    return etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)


def bpmn(tag: str) -> str:
    """The Clark name of a BPMN model element, e.g. bpmn('process')."""
    return f"{{{BPMN_NS}}}{tag}"


def local_name(element: etree._Element) -> str:
    """The element's tag without its namespace."""
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def prepare_diagram(xml: bytes) -> PreparedDiagram:
    """Return the diagram as SpiffWorkflow should parse it (see the module docstring)."""
    root = etree.fromstring(xml, parser=xml_parser())
    notes: list[tuple[str | None, str]] = []
    changed = _drop_data_parts(root, notes)
    for subprocess in [*root.iter(bpmn("subProcess")), *root.iter(bpmn("transaction"))]:
        if subprocess.get("triggeredByEvent") != "true":
            changed = _add_implicit_events(subprocess, notes) or changed
    if not changed:
        return PreparedDiagram(xml, tuple(notes))
    return PreparedDiagram(
        etree.tostring(root, xml_declaration=True, encoding="UTF-8"), tuple(notes)
    )


def _drop_data_parts(root: etree._Element, notes: list[tuple[str | None, str]]) -> bool:
    references: dict[str, etree._Element] = {
        element.get("id") or "": element
        for name in _DATA_REFERENCES
        for element in root.iter(bpmn(name))
        if element.get("id")
    }
    used: set[str] = set()
    stores_in_use = {ref.get("dataStoreRef") for ref in root.iter(bpmn("dataStoreReference"))}
    changed = False
    for name in _ASSOCIATIONS:
        for association in list(root.iter(bpmn(name))):
            ends = [
                (ref.text or "").strip()
                for ref in association
                if local_name(ref) in ("sourceRef", "targetRef")
            ]
            touched = [end for end in ends if end in references]
            if touched:
                used.update(touched)
                _remove(association)
                changed = True
    for element_id, element in references.items():
        kind = local_name(element)
        label = element.get("name") or element_id
        if kind in ("dataStoreReference", "dataStore"):
            if kind == "dataStoreReference" or element_id not in stores_in_use:
                notes.append((element_id, _store_note(label)))
            _remove(element)
            changed = True
        elif kind == "dataObjectReference" and element_id in used:
            notes.append(
                (
                    element_id,
                    f"Tieto-objekti ”{label}” on kuvaava: sen tietovirrat ohitetaan, ja tehtävät "
                    "lukevat ja kirjoittavat asian tietoja suoraan.",
                )
            )
    return changed


def _store_note(label: str) -> str:
    return (
        f"Tietovarasto ”{label}” on kuvaava: sote-flow ei lue eikä kirjoita sitä, ja sen "
        "tietovirrat ohitetaan. Tietoja haetaan ja tallennetaan palvelutehtävillä."
    )


def _remove(element: etree._Element) -> None:
    parent = element.getparent()
    if parent is not None:
        parent.remove(element)


def _add_implicit_events(subprocess: etree._Element, notes: list[tuple[str | None, str]]) -> bool:
    children = list(subprocess)
    flows = [child for child in children if local_name(child) == "sequenceFlow"]
    targets = {flow.get("targetRef") for flow in flows}
    sources = {flow.get("sourceRef") for flow in flows}
    nodes = [
        child
        for child in children
        if local_name(child) in _FLOW_NODES
        and child.get("id")
        and child.get("isForCompensation") != "true"
        and child.get("triggeredByEvent") != "true"
    ]
    has_start = any(local_name(child) == "startEvent" for child in children)
    has_end = any(local_name(child) == "endEvent" for child in children)
    first = [node.get("id") or "" for node in nodes if node.get("id") not in targets]
    last = [node.get("id") or "" for node in nodes if node.get("id") not in sources]
    sub_id = subprocess.get("id") or ""
    changed = False
    if not has_start and first:
        start_id = f"{sub_id}{IMPLICIT_START}"
        added = [etree.Element(bpmn("startEvent"), id=start_id)]
        for number, target in enumerate(first, 1):
            added.append(_flow(f"{start_id}_{number}", start_id, target))
        _insert(subprocess, added)
        notes.append(
            (
                sub_id,
                "Aliprosessilla ei ole alkutapahtumaa: se alkaa BPMN:n mukaan elementeistä, "
                f"joihin ei tule sekvenssivuota ({', '.join(first)}).",
            )
        )
        changed = True
    if not has_end and last and (has_start or changed):
        end_id = f"{sub_id}{IMPLICIT_END}"
        added = [etree.Element(bpmn("endEvent"), id=end_id)]
        for number, source in enumerate(last, 1):
            added.append(_flow(f"{end_id}_{number}", source, end_id))
        _insert(subprocess, added)
        notes.append(
            (
                sub_id,
                "Aliprosessilla ei ole lopputapahtumaa: se päättyy, kun jokainen sen polku on "
                f"päättynyt ({', '.join(last)}).",
            )
        )
        changed = True
    return changed


def _flow(flow_id: str, source: str, target: str) -> etree._Element:
    return etree.Element(bpmn("sequenceFlow"), id=flow_id, sourceRef=source, targetRef=target)


def _insert(subprocess: etree._Element, elements: list[etree._Element]) -> None:
    """Insert flow elements where the schema wants them: before the first flow element."""
    children = list(subprocess)
    index = next(
        (i for i, child in enumerate(children) if local_name(child) in _FLOW_ELEMENTS),
        len(children),
    )
    for offset, element in enumerate(elements):
        subprocess.insert(index + offset, element)
