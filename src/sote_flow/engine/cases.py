"""Case states declared in a diagram: the states, their labels, and which element means which.

A process is worked as cases with states; the diagram declares them as spiffworkflow properties:

  caseStates        on the none start event: the states in queue-tab order, with labels in
                    Finnish, Swedish and English, e.g.
                    ``saapunut=Saapunut|Inkommen|Received; jonossa=Jonossa|I kö|Queued``
  caseNumberPrefix  on the none start event (optional): the case-number prefix, e.g. ``PT``
  caseState         on a user task, manual task, intermediate catch event or end event: the
                    state the case is in while the task is open / the event waits, or (end
                    event) once the process has ended there
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import (
    BoundaryEvent,
    EventBasedGateway,
    IntermediateCatchEvent,
    IntermediateThrowEvent,
    ReceiveTask,
    SendTask,
)
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.specs.mixins.exclusive_gateway import ExclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.inclusive_gateway import InclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.manual_task import ManualTask
from SpiffWorkflow.bpmn.specs.mixins.parallel_gateway import ParallelGateway
from SpiffWorkflow.bpmn.specs.mixins.script_task import ScriptTask
from SpiffWorkflow.bpmn.specs.mixins.service_task import ServiceTask
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask
from SpiffWorkflow.util.task import TaskState

from sote_flow.engine.case_rules import QueueRules, queue_rule_problems, queue_rules
from sote_flow.engine.tasks import start_event_spec, task_properties

CASE_STATES = "caseStates"
CASE_STATE = "caseState"
CASE_NUMBER_PREFIX = "caseNumberPrefix"
LOCALES = ("fi", "sv", "en")
ENTRY_FORM = "avain=suomeksi|ruotsiksi|englanniksi"
NUMBER_OPERATOR = "case/assign_number"

_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
_PREFIX = re.compile(r"[A-Z]{1,6}")
_LANGUAGE = {"fi": "suomenkielinen", "sv": "ruotsinkielinen", "en": "englanninkielinen"}
# Elements that may carry caseState: where a case waits for a person or an event, or ends.
_STATE_CARRIERS = (UserTask, ManualTask, IntermediateCatchEvent, EndEvent)
# Finnish names of the elements that may not, for the refusal message (most specific first).
_KINDS: tuple[tuple[type, str], ...] = (
    (StartEvent, "alkutapahtuma"),
    (BoundaryEvent, "reunatapahtuma"),
    (EventBasedGateway, "tapahtumapohjainen haarautuminen"),
    (IntermediateThrowEvent, "heittävä välitapahtuma"),
    (SendTask, "lähetystehtävä"),
    (ReceiveTask, "vastaanottotehtävä"),
    (ServiceTask, "palvelutehtävä"),
    (ScriptTask, "skriptitehtävä"),
    (ExclusiveGateway, "poissulkeva haarautuminen"),
    (InclusiveGateway, "sisällyttävä haarautuminen"),
    (ParallelGateway, "rinnakkainen haarautuminen"),
    (SubWorkflowTask, "aliprosessi"),
)


@dataclass(frozen=True)
class CaseState:
    """One declared case state: its key and its labels by locale ('fi', 'sv', 'en')."""

    key: str
    labels: Mapping[str, str]


@dataclass(frozen=True)
class CaseDeclaration:
    """What a diagram declares about its cases: states in order, element states, number prefix."""

    states: tuple[CaseState, ...]
    element_states: Mapping[str, str] = field(default_factory=dict)
    number_prefix: str | None = None
    # States a case waits in (declared on a task or catch event), as opposed to states it ends
    # in (declared on an end event, or set outside the diagram, e.g. cancelled).
    open_keys: frozenset[str] = frozenset()
    rules: QueueRules = field(default_factory=QueueRules)
    # The data field the case number is stored in (the case/assign_number task's result).
    number_field: str | None = None

    @property
    def keys(self) -> tuple[str, ...]:
        """The declared state keys in their declared (queue-tab) order."""
        return tuple(state.key for state in self.states)

    def label(self, key: str, locale: str = "fi") -> str:
        """Return the state's label in `locale`, else in Finnish, else the key itself."""
        for state in self.states:
            if state.key == key:
                return state.labels.get(locale) or state.labels.get("fi") or key
        return key


def case_declaration(
    spec: Any, subprocess_specs: Mapping[str, Any] | None = None
) -> CaseDeclaration | None:
    """Read the case declaration of a process spec (None when it declares no caseStates)."""
    start = start_event_spec(spec)
    properties = task_properties(start) if start is not None else {}
    states, _ = _parse_states(properties.get(CASE_STATES, ""))
    if not states:
        return None
    declared = {state.key for state in states}
    element_states: dict[str, str] = {}
    open_keys: set[str] = set()
    for task_spec in _element_specs(spec, subprocess_specs):
        key = task_properties(task_spec).get(CASE_STATE, "").strip()
        if key in declared and isinstance(task_spec, _STATE_CARRIERS):
            element_states[task_spec.bpmn_id] = key
            if not isinstance(task_spec, EndEvent):
                open_keys.add(key)
    prefix = properties.get(CASE_NUMBER_PREFIX, "").strip()
    return CaseDeclaration(
        states=states,
        element_states=MappingProxyType(element_states),
        number_prefix=prefix if _PREFIX.fullmatch(prefix) else None,
        open_keys=frozenset(open_keys),
        rules=queue_rules(properties),
        number_field=next(
            (
                str(t.result_variable)
                for t in _element_specs(spec, subprocess_specs)
                if getattr(t, "operation_name", None) == NUMBER_OPERATOR and t.result_variable
            ),
            None,
        ),
    )


def case_declaration_problems(
    spec: Any, subprocess_specs: Mapping[str, Any] | None
) -> list[tuple[str | None, str]]:
    """Return (element id, Finnish message) for every fault in the diagram's case declaration."""
    problems: list[tuple[str | None, str]] = []
    start = start_event_spec(spec)
    start_id = start.bpmn_id if start is not None else None
    properties = task_properties(start) if start is not None else {}
    declared: tuple[str, ...] = ()
    if CASE_STATES in properties:
        states, messages = _parse_states(properties[CASE_STATES])
        declared = tuple(state.key for state in states)
        problems.extend((start_id, message) for message in messages)
    prefix = properties.get(CASE_NUMBER_PREFIX)
    if prefix is not None and not _PREFIX.fullmatch(prefix.strip()):
        problems.append(
            (
                start_id,
                f"Asianumeron etuliite (caseNumberPrefix) ”{prefix}” ei kelpaa: "
                "anna 1–6 isoa kirjainta A–Z, esimerkiksi PT.",
            )
        )
    if CASE_STATES in properties:
        problems.extend(
            (start_id, message) for message in queue_rule_problems(properties, declared)
        )
    for task_spec in _element_specs(spec, subprocess_specs):
        problems.extend(
            (task_spec.bpmn_id, message)
            for message in _element_problems(
                task_spec, declared, CASE_STATES in properties, task_spec is start
            )
        )
    return problems


def case_state_of(workflow: Any, declaration: CaseDeclaration | None = None) -> str | None:
    """Return the declared case state the workflow is in now (None: undecided or undeclared)."""
    if declaration is None:
        declaration = case_declaration(workflow.spec, workflow.subprocess_specs)
    if declaration is None:
        return None
    states = declaration.element_states
    open_states = {
        states[task.task_spec.bpmn_id]
        for task in _open_tasks(workflow)
        if task.task_spec.bpmn_id in states
    }
    if open_states:
        return next(key for key in declaration.keys if key in open_states)
    if not workflow.is_completed():
        return None
    ended = [
        task
        for task in _all_tasks(workflow)
        if task.state == TaskState.COMPLETED
        and isinstance(task.task_spec, EndEvent)
        and task.task_spec.bpmn_id in states
    ]
    if not ended:
        return None
    last = max(ended, key=lambda task: (task.last_state_change, task.depth))
    return states[last.task_spec.bpmn_id]


def _parse_states(text: str) -> tuple[tuple[CaseState, ...], list[str]]:
    states: list[CaseState] = []
    problems: list[str] = []
    seen: set[str] = set()
    entries = [entry.strip() for entry in text.split(";") if entry.strip()]
    if not entries:
        problems.append(
            f"Ominaisuudessa caseStates ei ole yhtään tilaa; anna tilat muodossa {ENTRY_FORM}, "
            "puolipistein eroteltuina."
        )
    for entry in entries:
        key, equals, rest = (part.strip() for part in entry.partition("="))
        labels = [label.strip() for label in rest.split("|")]
        if not equals or not key or len(labels) != len(LOCALES):
            problems.append(f"Ominaisuuden caseStates kohta ”{entry}” ei ole muotoa {ENTRY_FORM}.")
            continue
        if not _KEY.fullmatch(key):
            problems.append(
                f"Tilan avain ”{key}” ei kelpaa: avain alkaa pienellä kirjaimella a–z, "
                "jatkuu pienillä kirjaimilla, numeroilla tai alaviivoilla ja on enintään "
                "40 merkkiä."
            )
            continue
        if key in seen:
            problems.append(f"Tila ”{key}” on esitelty ominaisuudessa caseStates kahdesti.")
            continue
        seen.add(key)
        missing = [
            _LANGUAGE[locale] for locale, label in zip(LOCALES, labels, strict=True) if not label
        ]
        if missing:
            problems.append(
                f"Tilalta ”{key}” puuttuu {_join_fi(missing)} nimi (muoto {ENTRY_FORM})."
            )
        states.append(CaseState(key, MappingProxyType(dict(zip(LOCALES, labels, strict=True)))))
    return tuple(states), problems


def _element_problems(
    task_spec: Any, declared: tuple[str, ...], has_declaration: bool, is_start: bool
) -> Iterator[str]:
    properties = task_properties(task_spec)
    for name in (CASE_STATES, CASE_NUMBER_PREFIX):
        if name in properties and not is_start:
            yield (
                f"Ominaisuus {name} kuuluu prosessin alkutapahtumaan (ilman ajastinta tai "
                "sanomaa), ei tähän elementtiin."
            )
    key = properties.get(CASE_STATE)
    if key is None:
        return
    key = key.strip()
    if not isinstance(task_spec, _STATE_CARRIERS):
        yield (
            f"Ominaisuus caseState ei käy tähän elementtiin ({_kind(task_spec)}): asian tilan "
            "voi antaa käyttäjätehtävälle, manuaaliselle tehtävälle, odottavalle "
            "välitapahtumalle tai lopputapahtumalle."
        )
    elif not has_declaration:
        yield (
            f"Asian tila ”{key}” on annettu, mutta prosessin alkutapahtuma ei esittele tiloja: "
            f"lisää alkutapahtumaan ominaisuus caseStates (muoto {ENTRY_FORM})."
        )
    elif key not in declared:
        known = ", ".join(declared) or "ei yhtään kelvollista"
        yield (
            f"Asian tilaa ”{key}” ei ole esitelty alkutapahtuman ominaisuudessa caseStates "
            f"(esitellyt tilat: {known})."
        )


def _kind(task_spec: Any) -> str:
    for kind, name in _KINDS:
        if isinstance(task_spec, kind):
            return name
    return "muu elementti"


def _join_fi(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} ja {words[-1]}"


def _element_specs(spec: Any, subprocess_specs: Mapping[str, Any] | None) -> Iterator[Any]:
    """Every task spec that stands for a diagram element, once per element id and spec."""
    specs = [spec, *(sub for sub in (subprocess_specs or {}).values() if sub is not None)]
    for process in specs:
        seen: set[str] = set()
        for task_spec in process.task_specs.values():
            element = getattr(task_spec, "bpmn_id", None)
            if element is not None and element not in seen:
                seen.add(element)
                yield task_spec


def _open_tasks(workflow: Any) -> Iterable[Any]:
    ready = workflow.get_tasks(state=TaskState.READY, manual=True)
    waiting = [
        task
        for task in workflow.get_tasks(state=TaskState.WAITING)
        if isinstance(task.task_spec, IntermediateCatchEvent)
    ]
    return [*ready, *waiting]


def _all_tasks(workflow: Any) -> Iterator[Any]:
    # get_tasks(state=COMPLETED) does not descend below STARTED tasks: walk every task instead.
    yield from workflow.tasks.values()
    for subprocess in workflow.subprocesses.values():
        yield from subprocess.tasks.values()
