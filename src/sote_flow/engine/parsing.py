"""Parse process bundles into SpiffWorkflow specs, cached per deployed version (checksum)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lxml import etree
from SpiffWorkflow.spiff.parser import VALIDATOR, SpiffBpmnParser

from sote_flow.engine.bundle import ProcessBundle

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


@dataclass(frozen=True)
class ParsedProcess:
    """The executable spec of one bundle, ready to instantiate workflows from."""

    key: str
    name: str
    checksum: str
    spec: Any  # BpmnProcessSpec
    subprocess_specs: dict[str, Any]
    bundle: ProcessBundle


def parse_bundle(bundle: ProcessBundle) -> ParsedProcess:
    """Parse and XSD-validate a bundle; SpiffWorkflow and lxml errors propagate to the caller."""
    # A fresh parser every time: a parser that has seen an error is never reused.
    parser = SpiffBpmnParser(validator=VALIDATOR)
    for name in sorted(bundle.files):
        if name.endswith(".dmn"):
            parser.add_dmn_str(bundle.files[name], filename=name)
    (main,) = bundle.bpmn_files
    parser.add_bpmn_str(bundle.files[main], filename=main)
    key, name = executable_process(bundle.files[main])
    spec = parser.get_spec(key)
    subprocess_specs = parser.get_subprocess_specs(key)
    return ParsedProcess(key, name, bundle.checksum, spec, subprocess_specs, bundle)


def executable_process(xml: bytes) -> tuple[str, str]:
    """Return (id, name) of the diagram's executable process (the first one marked so)."""
    root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    processes = root.findall(f"{{{BPMN_NS}}}process")
    executable = [p for p in processes if p.get("isExecutable", "true") == "true"] or processes
    if not executable:
        raise LookupError("the diagram has no bpmn:process")
    process = executable[0]
    process_id = process.get("id") or ""
    return process_id, process.get("name") or process_id


class SpecCache:
    """Parsed specs by checksum; parsing is slow relative to running, so parse each version once."""

    def __init__(self, max_entries: int = 64) -> None:
        self._entries: OrderedDict[str, ParsedProcess] = OrderedDict()
        self._lock = threading.Lock()
        self._max_entries = max_entries

    def get(self, key: str, load_bundle: Callable[[], ProcessBundle]) -> ParsedProcess:
        """Return the parsed spec with checksum `key`, loading and parsing it on first use."""
        with self._lock:
            cached = self._entries.get(key)
            if cached is not None:
                self._entries.move_to_end(key)
                return cached
        parsed = parse_bundle(load_bundle())
        with self._lock:
            self._entries[key] = parsed
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
        return parsed
