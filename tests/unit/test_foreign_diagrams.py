"""Diagrams as other modeling tools draw them: each deploys and runs, or is refused with every
located reason at once (issue #16, "deploy tells the whole truth")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from SpiffWorkflow.util.task import TaskState

from sote_flow.domain.clock import FrozenClock
from sote_flow.domain.errors import DeployProblem, DeployRefused
from sote_flow.engine.bundle import ProcessBundle, bundle_from_diagram
from sote_flow.engine.runtime import RunContext, StepReport, WorkflowRuntime
from sote_flow.engine.validation import DeployCatalog, DeployCheck, check_bundle
from tests.support.paths import DIAGRAMS

FOREIGN = DIAGRAMS / "foreign"
CATALOG = DeployCatalog(
    operators=frozenset({"case/assign_number"}),
    groups=frozenset({"kasittelijat"}),
    roles=frozenset({"social_worker"}),
)
RUNTIME = WorkflowRuntime({"case/assign_number": lambda ctx: f"{ctx.params['prefix']}-1"})


def bundle(name: str, *replace: tuple[str, str]) -> ProcessBundle:
    files = dict(bundle_from_diagram(FOREIGN / name).files)
    for old, new in replace:
        assert old.encode() in files[name], old
        files[name] = files[name].replace(old.encode(), new.encode())
    return ProcessBundle(files)


def deployed(name: str, *replace: tuple[str, str]) -> DeployCheck:
    return check_bundle(bundle(name, *replace), CATALOG)


def refusal(name: str, *replace: tuple[str, str]) -> list[DeployProblem]:
    with pytest.raises(DeployRefused) as refused:
        check_bundle(bundle(name, *replace), CATALOG)
    return refused.value.problems


def warnings_of(check: DeployCheck) -> dict[str | None, list[str]]:
    found: dict[str | None, list[str]] = {}
    for warning in check.warnings:
        found.setdefault(warning.element_id, []).append(warning.message)
    return found


class Run:
    """A workflow of a deployed foreign diagram, run by the project's runtime on a pinned clock."""

    def __init__(self, check: DeployCheck, clock: FrozenClock) -> None:
        ctx = RunContext(1, check.parsed.key, "sanna", clock)
        self.clock = clock
        self.workflow, self.report = RUNTIME.start(check.parsed, {"started_by": "sanna"}, ctx)
        assert self.report.failure is None, self.report.failure

    def ready(self) -> list[str]:
        return sorted(t.element_id for t in RUNTIME.ready_human_tasks(self.workflow))

    def complete(self, element: str, **data: Any) -> None:
        (task,) = (t for t in RUNTIME.ready_human_tasks(self.workflow) if t.element_id == element)
        RUNTIME.complete_task(self.workflow, self.report, task.task_id, data)
        assert self.report.failure is None, self.report.failure

    def after(self, delta: timedelta) -> None:
        self.clock.advance(delta)
        self.report = StepReport(clock=self.clock)
        RUNTIME.wake(self.workflow, self.report)
        assert self.report.failure is None, self.report.failure

    def due(self) -> list[datetime]:
        return sorted(due for _, due in RUNTIME.timers(self.workflow))

    def completed(self, element: str) -> int:
        tasks = self.workflow.tasks.values()
        return sum(
            1 for t in tasks if t.task_spec.bpmn_id == element and t.state == TaskState.COMPLETED
        )


def pinned(*args: int) -> FrozenClock:
    return FrozenClock(datetime(*args, tzinfo=UTC))


# ---- descriptive BPMN deploys and runs --------------------------------------------------------


def test_camunda_pool_with_data_store_and_object_deploys_and_runs_with_warnings():
    check = deployed("camunda_pool.bpmn")
    found = warnings_of(check)
    assert "Asiakasrekisteri" in found["DataStoreReference_registry"][0]
    assert "Hakemus" in found["DataObjectReference_application"][0]
    review = " ".join(found["Task_review"])
    assert 'camunda:candidateGroups → spiffworkflow:property name="group"' in review
    assert 'camunda:assignee → spiffworkflow:property name="assignee"' in review
    assert "camunda:formData → spiffworkflow:formJsonSchemaFilename" in review
    assert "Participant_client" not in found  # a black-box pool is simply a drawing
    run = Run(check, pinned(2030, 5, 6, 9))
    assert run.ready() == ["Task_review"]
    run.complete("Task_review", decision="ok")
    assert run.workflow.is_completed()


def test_zeebe_extensions_are_listed_with_their_sote_flow_replacements():
    found = warnings_of(deployed("zeebe_service.bpmn"))
    assert "zeebe:taskDefinition → spiffworkflow:serviceTaskOperator" in found["number"][0]
    assert "zeebe:assignmentDefinition" in found["check"][0]


def test_zeebe_service_task_without_a_sote_flow_operator_is_told_what_to_add():
    start, end = "<spiffworkflow:serviceTaskOperator", "</spiffworkflow:serviceTaskOperator>"
    text = (FOREIGN / "zeebe_service.bpmn").read_text()
    operator = text[text.index(start) : text.index(end) + len(end)]
    (problem,) = refusal("zeebe_service.bpmn", (operator, ""))
    assert problem.element_id == "number"
    assert "Lisää palvelutehtävälle operaattori" in problem.message


def test_zeebe_diagram_runs_its_service_task_to_the_user_task():
    run = Run(deployed("zeebe_service.bpmn"), pinned(2030, 5, 6, 9))
    assert run.ready() == ["check"]
    assert RUNTIME.latest_data(run.workflow)["case_number"] == "HK-1"


def test_several_unconditional_flows_from_a_task_split_in_parallel():
    check = deployed("implicit_split.bpmn")
    assert check.warnings == ()
    run = Run(check, pinned(2030, 5, 6, 9))
    assert run.ready() == ["check_housing", "check_income"]
    run.complete("check_income")
    assert run.ready() == ["check_housing"] and not run.workflow.is_completed()
    run.complete("check_housing")
    assert run.workflow.is_completed()


def test_a_subprocess_without_start_or_end_event_runs_from_its_first_task():
    check = deployed("subprocess_no_start.bpmn")
    notes = " ".join(warnings_of(check)["inquiry"])
    assert "alkutapahtumaa" in notes and "lopputapahtumaa" in notes
    run = Run(check, pinned(2030, 5, 6, 9))
    assert run.ready() == ["interview"]
    run.complete("interview")
    assert run.workflow.is_completed()


def test_a_conditional_flow_from_a_task_is_refused_not_ignored():
    condition = (
        '<bpmn:sequenceFlow id="f3" sourceRef="register" targetRef="check_housing">'
        "<bpmn:conditionExpression>registered</bpmn:conditionExpression></bpmn:sequenceFlow>"
    )
    (problem,) = refusal(
        "implicit_split.bpmn",
        ('<bpmn:sequenceFlow id="f3" sourceRef="register" targetRef="check_housing" />', condition),
    )
    assert problem.element_id == "f3" and "exclusiveGateway" in problem.message


# ---- literal ISO 8601 timers --------------------------------------------------------------------


def test_literal_timers_deploy_and_fire_on_the_pinned_clock():
    clock = pinned(2026, 12, 31, 6)
    run = Run(deployed("literal_timers.bpmn"), clock)
    assert run.ready() == [] and run.due() == [clock.now + timedelta(minutes=5)]
    run.after(timedelta(minutes=6))  # PT5M
    assert run.ready() == ["review"]
    started = clock.now
    assert run.due() == [
        started + timedelta(minutes=10),  # R2/PT10M
        started + timedelta(hours=1),  # R/PT1H
        started + timedelta(days=1),  # P1D
    ]
    run.after(timedelta(minutes=11))
    assert run.completed("reminded") == 1 and run.ready() == ["review"]
    run.after(timedelta(minutes=10))
    assert run.completed("reminded") == 2
    run.after(timedelta(minutes=40))  # the R2 cycle is spent; R/PT1H fires for the first time
    assert run.completed("reminded") == 3
    run.complete("review")
    # timeDate 2027-01-01T09:00:00+02:00 is 07:00 UTC
    assert run.due() == [datetime(2027, 1, 1, 7, tzinfo=UTC)]
    clock.now = datetime(2027, 1, 1, 6, 59, tzinfo=UTC)
    run.after(timedelta(0))
    assert run.ready() == []
    run.after(timedelta(minutes=2))
    assert run.ready() == ["follow_up"]


def test_literal_duration_on_a_boundary_escalates():
    run = Run(deployed("literal_timers.bpmn"), pinned(2030, 5, 6, 9))
    run.after(timedelta(minutes=6))
    run.after(timedelta(days=1, minutes=1))  # P1D
    assert run.ready() == ["escalate"]


@pytest.mark.parametrize(
    ("old", "new", "element"),
    [
        ("<bpmn:timeDuration>PT5M<", "<bpmn:timeDuration>P<", "settle"),
        ("<bpmn:timeDuration>P1D<", "<bpmn:timeDuration>P1DT<", "overdue"),
        ("<bpmn:timeCycle>R2/PT10M<", "<bpmn:timeCycle>R2/PT10S<", "remind"),
        ("<bpmn:timeCycle>R/PT1H<", "<bpmn:timeCycle>R/P1D/P2D<", "hourly"),
        ("2027-01-01T09:00:00+02:00", "2027-13-01T09:00:00+02:00", "new_year"),
        ("2027-01-01T09:00:00+02:00", "2027-01-01 klo 9", "new_year"),
    ],
)
def test_an_invalid_literal_timer_is_refused_naming_its_event(old, new, element):
    (problem,) = refusal("literal_timers.bpmn", (old, new))
    assert problem.element_id == element
    assert "Ajastimen" in problem.message and "\n" not in problem.message


def test_every_bad_timer_is_reported_at_once():
    problems = refusal(
        "literal_timers.bpmn",
        ("<bpmn:timeDuration>PT5M<", "<bpmn:timeDuration>PT5X<"),
        ("<bpmn:timeCycle>R2/PT10M<", "<bpmn:timeCycle>R2/PT1S<"),
    )
    assert {p.element_id for p in problems} == {"settle", "remind"}


def test_a_quoted_or_computed_timer_is_still_an_expression():
    check = deployed(
        "literal_timers.bpmn",
        ("<bpmn:timeDuration>PT5M<", '<bpmn:timeDuration>f"PT{5}M"<'),
        ("<bpmn:timeDuration>P1D<", '<bpmn:timeDuration>"P1D"<'),
    )
    run = Run(check, pinned(2030, 5, 6, 9))
    assert run.due() == [datetime(2030, 5, 6, 9, 5, tzinfo=UTC)]


# ---- refusals with every located reason -------------------------------------------------------


def test_an_unnamed_message_is_refused_before_an_instance_could_fail():
    problems = refusal("unnamed_message.bpmn")
    by_element = {p.element_id: p.message for p in problems}
    assert by_element.keys() == {"Message_reply", "ask"}
    assert "nimi" in by_element["Message_reply"]
    assert "Message_question" in by_element["ask"]


def test_a_message_catch_without_any_message_is_refused():
    problems = refusal(
        "unnamed_message.bpmn",
        ('<bpmn:message id="Message_reply" />', '<bpmn:message id="Message_reply" name="x" />'),
        (
            '<bpmn:intermediateThrowEvent id="ask" name="Kysy">',
            '<bpmn:intermediateThrowEvent id="ask">',
        ),
        (' messageRef="Message_question"', ""),
    )
    ((element, message),) = {(p.element_id, p.message) for p in problems}
    assert element == "ask" and "messageRef" in message


def test_a_second_executable_pool_is_refused_naming_it():
    (problem,) = refusal("second_pool.bpmn")
    assert problem.element_id == "pool_provider"
    assert "Palveluntuottaja" in problem.message and 'isExecutable="false"' in problem.message


def test_a_second_pool_marked_descriptive_deploys_with_a_warning():
    check = deployed(
        "second_pool.bpmn",
        ('id="provider_process" name="Tuottaja" isExecutable="true"', 'id="provider_process" '
         'name="Tuottaja" isExecutable="false"'),
    )  # fmt: skip
    assert check.parsed.key == "second_pool"
    assert "ei aja" in warnings_of(check)["provider_process"][0]


def test_a_diagram_whose_only_process_is_not_executable_is_told_to_mark_it():
    (problem,) = refusal("implicit_split.bpmn", ('isExecutable="true"', 'isExecutable="false"'))
    assert problem.element_id == "implicit_split"
    assert 'Aseta prosessille isExecutable="true"' in problem.message.replace("aseta", "Aseta")


def test_every_sandbox_escape_is_refused_at_deploy_naming_its_element():
    problems = refusal("escape_attempt.bpmn")
    located = {(p.element_id, p.message.split(" ei kelpaa")[0]) for p in problems}
    assert located == {
        ("f2", "Ehto ”__import__('os').system('id') == 0”"),
        ("script", "Skripti"),
        ("call", "Parametri prefix ”open('/etc/passwd').read()”"),
        ("call", "Esiskripti"),
        ("work", "Ominaisuus group ”'{0.__class__}'.format(1)”"),
        ("work", "Ominaisuus dueAt ”[(g := 1)]”"),
        ("start", "Ominaisuus caseUrgent ”(lambda: 1)()”"),
    } | {("wait", next(p.message for p in problems if p.element_id == "wait"))}
    assert "”P1Q” näyttää ISO 8601 -arvolta" in next(m for e, m in located if e == "wait")
    for problem in problems:
        assert "\n" not in problem.message and "Error" not in problem.message
        assert "is not allowed" not in problem.message  # the sandbox's words, in Finnish


@pytest.mark.parametrize("path", sorted(FOREIGN.glob("*.bpmn")), ids=lambda p: Path(p).stem)
def test_no_message_is_a_repr_or_spans_lines(path):
    try:
        check = check_bundle(bundle_from_diagram(path), CATALOG)
        messages = [w.message for w in check.warnings]
    except DeployRefused as refused:
        messages = [p.message for p in refused.problems]
    for message in messages:
        assert "\n" not in message and "Traceback" not in message
        assert not any(marker in message for marker in ("Error(", "Exception(", "{http"))
