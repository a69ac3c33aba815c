"""Which groups a diagram names: its lanes, and `group` properties that are a quoted name."""

from __future__ import annotations

import re

from lxml import etree

from sote_flow.engine.parsing_prepare import BPMN_NS, xml_parser

SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
# A `group` property is an expression; only a plain quoted name is known before run time.
_LITERAL = re.compile(r"""\s*(['"])([^'"\\]{1,80})\1\s*""")


def group_references(xml: str | bytes) -> list[tuple[str | None, str]]:
    """Return (element id, group name) for each lane and literal `group` property, in order."""
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    try:
        root = etree.fromstring(data, parser=xml_parser())
    except etree.XMLSyntaxError:
        return []
    return references_in(root)


def references_in(root: etree._Element) -> list[tuple[str | None, str]]:
    """Return (element id, group name) for each lane and literal `group` property of `root`."""
    found: list[tuple[str | None, str]] = []
    for lane in root.iter(f"{{{BPMN_NS}}}lane"):
        name = (lane.get("name") or "").strip()
        if name:
            found.append((lane.get("id"), name))
    for prop in root.iter(f"{{{SPIFF_NS}}}property"):
        match = _LITERAL.fullmatch(prop.get("value") or "")
        if prop.get("name") == "group" and match:
            found.append((_owner_id(prop), match.group(2).strip()))
    return list(dict.fromkeys(found))


def _owner_id(element: etree._Element) -> str | None:
    # The property sits in the task's extensionElements; the task is the nearest with an id.
    parent = element.getparent()
    while parent is not None and parent.get("id") is None:
        parent = parent.getparent()
    return parent.get("id") if parent is not None else None
