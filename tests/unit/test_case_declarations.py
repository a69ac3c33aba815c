"""Case states are declared in the diagram: read, checked at deploy, and followed while it runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sote_flow.domain.clock import FrozenClock
from sote_flow.domain.errors import DeployRefused
from sote_flow.domain.roles import Role
from sote_flow.engine.bundle import ProcessBundle, bundle_from_diagram
from sote_flow.engine.cases import (
    CaseDeclaration,
    CaseState,
    case_declaration,
    case_declaration_problems,
    case_state_of,
)
from sote_flow.engine.parsing import ParsedProcess, parse_bundle
from sote_flow.engine.runtime import RunContext, StepReport, WorkflowRuntime
from sote_flow.engine.validation import DeployCatalog, validate_bundle
from tests.support.paths import DIAGRAMS, PROCESSES

DIAGRAM = DIAGRAMS / "case_states.bpmn"
CATALOG = DeployCatalog(
    operators=frozenset(),
    groups=frozenset({"kasittelijat"}),
    roles=frozenset(role.value for role in Role),
)
DECLARED = (
    'value="uusi=Uusi|Ny|New; odottaa=Odottaa vastausta|Väntar på svar|Awaiting reply; '
    "kasittelyssa=Käsittelyssä|Under behandling|In progress; valmis=Valmis|Klar|Done; "
    'hylatty=Hylätty|Avslagen|Rejected; vastattu=Vastattu|Besvarad|Answered"'
)
REVIEW_STATE = '<spiffworkflow:property name="caseState" value="kasittelyssa" />'


def diagram(*replacements: tuple[str, str]) -> ProcessBundle:
    xml = DIAGRAM.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in xml, old
        xml = xml.replace(old, new)
    return ProcessBundle({"case_states.bpmn": xml.encode("utf-8")})


def with_states(value: str) -> ProcessBundle:
    return diagram((DECLARED, f'value="{value}"'))


def adding(entry: str) -> ProcessBundle:
    return diagram(('Answered"', f'Answered; {entry}"'))


def problems(bundle: ProcessBundle) -> list[tuple[str | None, str]]:
    parsed = parse_bundle(bundle)
    return case_declaration_problems(parsed.spec, parsed.subprocess_specs)


# ---- reading the declaration --------------------------------------------------------------


def test_the_service_order_declares_its_states_in_queue_order():
    parsed = parse_bundle(bundle_from_diagram(PROCESSES / "service_order.bpmn"))
    declaration = case_declaration(parsed.spec, parsed.subprocess_specs)
    assert declaration is not None
    assert declaration.keys == (
        "saapunut", "kasittelyssa", "jonossa", "kasitelty", "paattynyt", "peruttu"
    )  # fmt: skip
    assert dict(declaration.states[2].labels) == {"fi": "Jonossa", "sv": "I kö", "en": "Queued"}
    assert declaration.label("kasittelyssa", "sv") == "Under behandling"
    assert declaration.label("kasitelty", "en") == "Processed"
    assert dict(declaration.element_states) == {
        "take_order": "saapunut",
        "plan_service": "kasittelyssa",
        "answer_info": "kasittelyssa",
        "record_start": "jonossa",
        "record_end": "kasitelty",
        "service_ended": "paattynyt",
    }
    assert declaration.number_prefix == "PT"
    assert case_declaration_problems(parsed.spec, parsed.subprocess_specs) == []


def test_label_falls_back_to_finnish_then_to_the_key():
    declaration = CaseDeclaration(
        states=(CaseState("uusi", {"fi": "Uusi", "sv": "", "en": "New"}),)
    )
    assert declaration.label("uusi", "sv") == "Uusi"
    assert declaration.label("uusi", "de") == "Uusi"
    assert declaration.label("tuntematon", "fi") == "tuntematon"


def test_a_diagram_without_case_states_declares_nothing():
    parsed = parse_bundle(bundle_from_diagram(DIAGRAMS / "approval.bpmn"))
    assert case_declaration(parsed.spec, parsed.subprocess_specs) is None
    assert case_declaration_problems(parsed.spec, parsed.subprocess_specs) == []


def test_whitespace_and_a_trailing_separator_are_allowed():
    parsed = parse_bundle(with_states(" uusi = Uusi | Ny | New ;; valmis=Valmis|Klar|Done; "))
    declaration = case_declaration(parsed.spec)
    assert declaration is not None and declaration.keys == ("uusi", "valmis")
    assert dict(declaration.states[0].labels) == {"fi": "Uusi", "sv": "Ny", "en": "New"}
    # Elements naming a state that is no longer declared are left out (and refused at deploy).
    assert "review" not in declaration.element_states


# ---- refusals, each on its element ----------------------------------------------------------


def test_a_malformed_entry_is_quoted_with_the_expected_form():
    # The entry loses its English label; every element naming 'valmis' is refused as well.
    found = problems(diagram(("valmis=Valmis|Klar|Done", "valmis=Valmis|Klar")))
    assert found[0][0] == "start"
    assert "”valmis=Valmis|Klar”" in found[0][1]
    assert "avain=suomeksi|ruotsiksi|englanniksi" in found[0][1]
    assert found[1:] == [("end_ok", found[1][1])] and "”valmis”" in found[1][1]


def test_an_entry_without_a_key_is_malformed():
    ((element, message),) = problems(adding("Arkistoitu|Arkiverad|Archived"))
    assert element == "start" and "”Arkistoitu|Arkiverad|Archived”" in message


def test_a_duplicate_key_is_refused():
    ((element, message),) = problems(adding("uusi=Uusi taas|Ny igen|New again"))
    assert element == "start" and "”uusi”" in message and "kahdesti" in message


def test_a_bad_key_is_refused():
    ((element, message),) = problems(adding("Arkisto-1=Arkisto|Arkiv|Archive"))
    assert element == "start"
    assert "”Arkisto-1”" in message and "pienellä kirjaimella" in message


def test_a_missing_label_names_the_language():
    ((element, message),) = problems(diagram(("valmis=Valmis|Klar|Done", "valmis=Valmis||")))
    assert element == "start"
    assert "”valmis”" in message and "ruotsinkielinen ja englanninkielinen nimi" in message


def test_an_empty_list_of_states_is_refused():
    found = problems(with_states(" ; "))
    assert found[0][0] == "start" and "ei ole yhtään tilaa" in found[0][1]


def test_an_undeclared_state_lists_the_declared_ones():
    found = problems(
        diagram((REVIEW_STATE, '<spiffworkflow:property name="caseState" value="arkistoitu" />'))
    )
    ((element, message),) = found
    assert element == "review"
    assert "”arkistoitu”" in message
    assert "uusi, odottaa, kasittelyssa, valmis, hylatty, vastattu" in message


def test_case_state_on_an_element_that_cannot_carry_it_is_refused():
    state = '<spiffworkflow:property name="caseState" value="uusi" />'
    found = dict(
        problems(
            diagram(
                ('<spiffworkflow:property name="caseNumberPrefix" value="AS" />', state),
                (
                    'cancelActivity="false">',
                    'cancelActivity="false"><bpmn:extensionElements><spiffworkflow:properties>'
                    f"{state}</spiffworkflow:properties></bpmn:extensionElements>",
                ),
            )
        )
    )
    assert set(found) == {"start", "review_overdue"}
    assert "(alkutapahtuma)" in found["start"]
    assert "(reunatapahtuma)" in found["review_overdue"]
    assert "käyttäjätehtävälle" in found["review_overdue"]


def test_case_state_without_declared_states_is_refused_on_every_element():
    found = problems(diagram((f'<spiffworkflow:property name="caseStates" {DECLARED} />', "")))
    assert {element for element, _ in found} == {
        "ask",
        "review",
        "wait_reply",
        "end_ok",
        "end_rejected",
        "end_reply",
    }
    assert all("caseStates" in message for _, message in found)


def test_a_bad_case_number_prefix_is_refused():
    ((element, message),) = problems(diagram(('value="AS"', 'value="as-1"')))
    assert element == "start" and "”as-1”" in message and "caseNumberPrefix" in message


def test_case_states_elsewhere_than_the_start_event_are_refused():
    found = problems(
        diagram(
            (
                REVIEW_STATE,
                REVIEW_STATE + '<spiffworkflow:property name="caseStates" value="x=X|X|X" />',
            )
        )
    )
    ((element, message),) = found
    assert element == "review" and "alkutapahtumaan" in message


def test_deploy_refuses_listing_every_problem_on_its_element():
    bundle = diagram(
        ('value="AS"', 'value="A1"'),
        (REVIEW_STATE, '<spiffworkflow:property name="caseState" value="arkistoitu" />'),
    )
    with pytest.raises(DeployRefused) as refused:
        validate_bundle(bundle, CATALOG)
    located = {(p.file, p.element_id) for p in refused.value.problems}
    assert located == {("case_states.bpmn", "start"), ("case_states.bpmn", "review")}
    assert validate_bundle(diagram(), CATALOG).key == "case_states"


# ---- the state a running workflow is in -----------------------------------------------------

CLOCK = FrozenClock(datetime(2031, 3, 3, 9, 0, tzinfo=UTC))
RUNTIME = WorkflowRuntime({})


@dataclass
class Run:
    """One workflow of the test diagram run by the project's runtime (no database)."""

    parsed: ParsedProcess
    workflow: Any
    report: StepReport

    def complete(self, element: str, **data: Any) -> None:
        (task,) = (t for t in RUNTIME.ready_human_tasks(self.workflow) if t.element_id == element)
        RUNTIME.complete_task(self.workflow, self.report, task.task_id, data)
        assert self.report.failure is None

    def deliver_reply(self) -> None:
        assert RUNTIME.deliver_message(
            self.workflow, self.report, "vastaus_saapui", {"vastaus": "kyllä"}, {}
        )
        assert self.report.failure is None


def start(path: Path = DIAGRAM) -> Run:
    parsed = parse_bundle(bundle_from_diagram(path))
    ctx = RunContext(1, parsed.key, "sanna", CLOCK)
    workflow, report = RUNTIME.start(parsed, {"started_by": "sanna"}, ctx)
    assert report.failure is None
    return Run(parsed, workflow, report)


def test_an_open_user_task_gives_its_state():
    assert case_state_of(start().workflow) == "uusi"


def test_of_several_open_elements_the_earliest_declared_state_wins():
    run = start()
    run.complete("ask")
    # review (kasittelyssa) is READY, wait_reply (odottaa) and review's boundary timer WAITING.
    assert case_state_of(run.workflow) == "odottaa"
    run.deliver_reply()
    assert case_state_of(run.workflow) == "kasittelyssa"


def test_the_state_survives_storing_the_workflow():
    run = start()
    run.complete("ask")
    ctx = RunContext(1, run.parsed.key, "sanna", CLOCK)
    loaded, _ = RUNTIME.load(RUNTIME.dump(run.workflow), ctx, run.parsed)
    declaration = case_declaration(run.parsed.spec, run.parsed.subprocess_specs)
    assert case_state_of(loaded) == case_state_of(loaded, declaration) == "odottaa"


def test_a_completed_workflow_is_in_the_state_of_the_end_event_reached_last():
    run = start()
    run.complete("ask")
    run.deliver_reply()  # end_reply (vastattu) is reached first
    run.complete("review", decision="no")
    assert run.workflow.is_completed()
    assert case_state_of(run.workflow) == "hylatty"

    other = start()
    other.complete("ask")
    other.complete("review", decision="ok")  # end_ok (valmis) first; the reply still awaited
    assert case_state_of(other.workflow) == "odottaa"
    other.deliver_reply()
    assert other.workflow.is_completed()
    assert case_state_of(other.workflow) == "vastattu"


def test_an_open_task_without_a_state_leaves_the_state_undecided():
    run = start()
    run.complete("ask")
    run.deliver_reply()
    run.complete("review", decision="more")
    assert case_state_of(run.workflow) is None  # only 'extra' is open; it declares no state
    run.complete("extra")
    # Ended at end_plain (no state): the end event that declares one counts.
    assert case_state_of(run.workflow) == "vastattu"


def test_a_workflow_without_a_declaration_has_no_state():
    run = start(DIAGRAMS / "message_wait.bpmn")
    assert case_state_of(run.workflow) is None
