"""Parse process bundles into SpiffWorkflow specs, cached per deployed version (checksum)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from lxml import etree
from SpiffWorkflow.bpmn.parser.TaskParser import TaskParser
from SpiffWorkflow.spiff.parser import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.parser.task_spec import ServiceTaskParser

from sote_flow.engine.bundle import ProcessBundle
from sote_flow.engine.parsing_prepare import BPMN_NS as BPMN_NS
from sote_flow.engine.parsing_prepare import prepare_diagram, xml_parser
from sote_flow.engine.timers import quote_timer_literals


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
    parser = SoteBpmnParser(validator=VALIDATOR)
    for name in sorted(bundle.files):
        if name.endswith(".dmn"):
            parser.add_dmn_str(bundle.files[name], filename=name)
    (main,) = bundle.bpmn_files
    parser.add_bpmn_str(prepare_diagram(bundle.files[main]).xml, filename=main)
    key, name = executable_process(bundle.files[main])
    spec = parser.get_spec(key)
    subprocess_specs = parser.get_subprocess_specs(key)
    quote_timer_literals([spec, *(s for s in subprocess_specs.values() if s is not None)])
    return ParsedProcess(key, name, bundle.checksum, spec, subprocess_specs, bundle)


def executable_process(xml: bytes) -> tuple[str, str]:
    """Return (id, name) of the diagram's main process: the first executable one no call
    activity calls (deploy refuses a diagram with more than one such process)."""
    root = etree.fromstring(xml, parser=xml_parser())
    processes = root.findall(f"{{{BPMN_NS}}}process")
    called = {activity.get("calledElement") for activity in root.iter(f"{{{BPMN_NS}}}callActivity")}
    executable = [p for p in processes if p.get("isExecutable", "true") == "true"] or processes
    if not executable:
        raise LookupError("the diagram has no bpmn:process")
    process = next((p for p in executable if p.get("id") not in called), executable[0])
    process_id = process.get("id") or ""
    return process_id, process.get("name") or process_id


class _LenientServiceTaskParser(ServiceTaskParser):  # type: ignore[misc]
    """A service task without an operator parses; deploy validation names it instead."""

    def create_task(self) -> Any:
        extensions = self.parse_extensions()
        if extensions.get("serviceTaskOperator") is not None:
            return super().create_task()
        return self.spec_class(
            self.spec,
            self.bpmn_id,
            operation_name=None,
            operation_params={},
            result_variable=None,
            prescript=extensions.get("preScript"),
            postscript=extensions.get("postScript"),
            **self.bpmn_attributes,
        )


def _splitting(parser_class: Any) -> Any:
    """The parser class, letting its element have several outgoing flows (implicit split)."""
    if parser_class.handles_multiple_outgoing is not TaskParser.handles_multiple_outgoing:
        return parser_class
    return type(parser_class.__name__, (parser_class,), {"handles_multiple_outgoing": _true})


def _true(self: Any) -> bool:
    return True


class SoteBpmnParser(SpiffBpmnParser):  # type: ignore[misc]
    """SpiffBpmnParser that reads several unconditional outgoing flows of an activity or event as
    the parallel split BPMN defines, and leaves a missing service operator to deploy's report."""

    OVERRIDE_PARSER_CLASSES: ClassVar[dict[str, tuple[Any, Any]]] = {
        tag: (
            _splitting(_LenientServiceTaskParser if parser is ServiceTaskParser else parser),
            spec,
        )
        for tag, (parser, spec) in {
            **SpiffBpmnParser.PARSER_CLASSES,
            **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        }.items()
    }


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
