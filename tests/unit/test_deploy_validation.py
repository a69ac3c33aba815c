"""Deploy-time validation refuses bad bundles whole, naming file, element and problem."""

from __future__ import annotations

import json

import pytest

from sote_flow.domain.errors import DeployProblem, DeployRefused
from sote_flow.engine.bundle import ProcessBundle, bundle_from_diagram
from sote_flow.engine.validation import DeployCatalog, check_bundle, validate_bundle
from tests.support.paths import DIAGRAMS

CATALOG = DeployCatalog(
    operators=frozenset({"case/assign_number"}),
    groups=frozenset({"hakijat", "kasittelijat"}),
    roles=frozenset({"social_worker", "auditor"}),
    max_file_bytes=200_000,
)


def approval(**replace: bytes) -> ProcessBundle:
    files = dict(bundle_from_diagram(DIAGRAMS / "approval.bpmn").files)
    for old, new in replace.items():
        files["approval.bpmn"] = files["approval.bpmn"].replace(old.encode(), new)
    return ProcessBundle(files)


def refusal(bundle: ProcessBundle) -> list[DeployProblem]:
    with pytest.raises(DeployRefused) as refused:
        validate_bundle(bundle, CATALOG)
    return refused.value.problems


def test_valid_bundle_parses_with_key_and_name():
    parsed = validate_bundle(approval(), CATALOG)
    assert (parsed.key, parsed.name) == ("approval", "Hyväksyntä")


def test_unknown_operator_names_the_service_task():
    (problem,) = refusal(approval(**{"case/assign_number": b"crm/get_customer"}))
    assert (problem.file, problem.element_id) == ("approval.bpmn", "number")
    assert "crm/get_customer" in problem.message and "case/assign_number" in problem.message


def test_unknown_lane_group_names_each_task_in_it():
    problems = refusal(approval(**{'name="kasittelijat"': b'name="tuntematon"'}))
    assert {p.element_id for p in problems} == {"review"}
    assert "tuntematon" in problems[0].message


def test_missing_form_file_is_named():
    files = dict(approval().files)
    del files["approval-review.json"]
    (problem,) = refusal(ProcessBundle(files))
    assert problem.element_id == "review" and "approval-review.json" in problem.message


def test_form_that_is_not_valid_json_schema_is_refused():
    files = dict(approval().files)
    files["approval-review.json"] = json.dumps(
        {"type": "object", "properties": {"x": {"type": "nonsense"}}}
    ).encode()
    (problem,) = refusal(ProcessBundle(files))
    assert problem.file == "approval-review.json" and "JSON Schema" in problem.message


def test_form_that_is_not_json_is_refused():
    files = dict(approval().files)
    files["approval-review.json"] = b"{not json"
    (problem,) = refusal(ProcessBundle(files))
    assert problem.file == "approval-review.json" and "JSON" in problem.message


def test_unknown_start_role_is_refused():
    (problem,) = refusal(approval(**{'value="social_worker"': b'value="wizard"'}))
    assert problem.element_id == "start" and "wizard" in problem.message


def test_malformed_xml_names_line():
    (problem,) = refusal(ProcessBundle({"x.bpmn": b"<bpmn:definitions>\n<oops"}))
    assert problem.file == "x.bpmn" and "rivi" in problem.message


@pytest.mark.parametrize(
    "payload",
    [
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e "x">]><d>&e;</d>',
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]><d>&e;</d>',
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><d>&b;</d>',
    ],
)
def test_hostile_xml_is_refused_before_parsing(payload):
    (problem,) = refusal(ProcessBundle({"evil.bpmn": payload}))
    assert problem.file == "evil.bpmn" and "DTD" in problem.message


def test_oversized_file_is_refused():
    (problem,) = refusal(ProcessBundle({"big.bpmn": b"<a/>" + b" " * 300_000}))
    assert "liian suuri" in problem.message


def test_bundle_needs_exactly_one_diagram():
    files = dict(approval().files)
    files["second.bpmn"] = files["approval.bpmn"]
    assert "yksi .bpmn" in refusal(ProcessBundle(files))[0].message


def test_xsd_violation_is_refused_with_line():
    bundle = approval(**{"<bpmn:endEvent": b"<bpmn:notAnElement/><bpmn:endEvent"})
    (problem,) = refusal(bundle)
    assert problem.file == "approval.bpmn" and "rivi" in problem.message


def test_xsd_violation_names_the_element_and_says_what_fits_there():
    bundle = approval(**{"<bpmn:endEvent": b"<bpmn:notAnElement/><bpmn:endEvent"})
    (problem,) = refusal(bundle)
    # The element has no id: it is located in its process and named by its tag.
    assert problem.element_id == "approval"
    assert problem.message.startswith("Elementti bpmn:notAnElement, rivi ")
    assert "ei kuulu tähän kohtaan" in problem.message and "{http" not in problem.message


def test_every_xsd_violation_is_named_by_its_own_id():
    bundle = approval(
        **{
            '<bpmn:userTask id="review"': b'<bpmn:userTask colour="red" id="review"',
            '<bpmn:sequenceFlow id="f1" sourceRef="start"': b'<bpmn:sequenceFlow id="f1"',
        }
    )
    problems = refusal(bundle)
    by_element = {p.element_id: p.message for p in problems}
    assert "attribuuttia colour ei sallita" in by_element["review"]
    assert "Elementti bpmn:sequenceFlow (f1)" in by_element["f1"]
    assert "sourceRef" in by_element["f1"]


def test_gateway_flow_without_condition_is_named_with_what_to_do():
    bundle = approval(
        **{'<bpmn:conditionExpression>decision == "fix"</bpmn:conditionExpression>': b""}
    )
    (problem,) = refusal(bundle)
    assert problem.element_id == "f6"
    assert "conditionExpression" in problem.message and "default" in problem.message


def test_all_problems_of_a_file_come_at_once():
    problems = refusal(
        approval(
            **{
                'name="kasittelijat"': b'name="tuntematon"',
                'decision == "approve"': b"decision.__class__",
                'value="social_worker"': b'value="wizard"',
                "value=\"'HY'\"": b'value="HY-"',
            }
        )
    )
    assert {p.element_id for p in problems} == {"review", "f4", "start", "number"}
    for problem in problems:
        assert "\n" not in problem.message and "!r" not in problem.message
        assert not problem.message.startswith("SpiffWorkflow")


def test_messages_quote_names_without_python_reprs():
    (problem,) = refusal(approval(**{'name="kasittelijat"': b'name="tuntematon"'}))
    assert "”tuntematon”" in problem.message and "'tuntematon'" not in problem.message


def test_a_service_parameter_that_does_not_compile_is_located():
    (problem,) = refusal(approval(**{"value=\"'HY'\"": b'value="\'HY"'}))
    assert problem.element_id == "number"
    assert problem.message.startswith("Parametri prefix ”'HY” ei kelpaa")
    assert "rivi 1" in problem.message


def test_a_warning_free_diagram_has_no_warnings():
    assert check_bundle(approval(), CATALOG).warnings == ()


def other_tool_diagram(service_task: bool) -> bytes:
    """A diagram as Camunda Modeler draws it: camunda:* attributes, no spiffworkflow extensions."""
    last = "svc" if service_task else "e"
    service = (
        '<bpmn:serviceTask id="svc" name="Kutsu" camunda:class="com.example.Delegate">'
        "<bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:serviceTask>"
        '<bpmn:sequenceFlow id="f3" sourceRef="svc" targetRef="e"/>'
        if service_task
        else ""
    )
    end_incoming = "f3" if service_task else "f2"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="http://x">
  <bpmn:process id="other_tool" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="l" name="kasittelijat">
      <bpmn:flowNodeRef>s</bpmn:flowNodeRef><bpmn:flowNodeRef>u</bpmn:flowNodeRef>
    </bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="u" name="Tee" camunda:assignee="demo"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    {service}
    <bpmn:endEvent id="e"><bpmn:incoming>{end_incoming}</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="u"/>
    <bpmn:sequenceFlow id="f2" sourceRef="u" targetRef="{last}"/>
  </bpmn:process>
</bpmn:definitions>""".encode()


def test_diagram_from_another_tool_gets_every_located_error_at_once():
    problems = refusal(ProcessBundle({"camunda.bpmn": other_tool_diagram(service_task=True)}))
    by_element = {p.element_id: p.message for p in problems}
    assert by_element.keys() == {"svc", "s"}
    assert "Lisää palvelutehtävälle operaattori" in by_element["svc"]
    assert "startRoles" in by_element["s"]


def test_diagram_from_another_tool_deploys_once_its_start_names_who_may_start_it():
    # Nobody may start a process that names no roles, so deploy says so on the start event.
    xml = other_tool_diagram(service_task=False)
    (problem,) = refusal(ProcessBundle({"camunda.bpmn": xml}))
    assert problem.element_id == "s" and "startRoles" in problem.message
    named = xml.replace(
        b'<bpmn:startEvent id="s">',
        b'<bpmn:startEvent id="s"><bpmn:extensionElements><spiffworkflow:properties>'
        b'<spiffworkflow:property name="startRoles" value="social_worker" />'
        b"</spiffworkflow:properties></bpmn:extensionElements>",
    ).replace(
        b'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"',
        b'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
        b'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"',
    )
    assert validate_bundle(ProcessBundle({"camunda.bpmn": named}), CATALOG).key == "other_tool"


def test_checksum_is_stable_and_content_sensitive():
    assert approval().checksum == approval().checksum
    assert approval().checksum != approval(**{"Anna numero": b"Anna asianumero"}).checksum


def test_file_that_is_not_utf8_is_refused():
    latin1 = (
        approval()
        .files["approval.bpmn"]
        .decode()
        .replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
        .encode("latin-1")
    )
    files = {**approval().files, "approval.bpmn": latin1}
    (problem,) = refusal(ProcessBundle(files))
    assert problem.file == "approval.bpmn" and "UTF-8" in problem.message


def test_an_empty_file_and_a_zip_file_are_named_for_what_they_are():
    (empty,) = refusal(ProcessBundle({"tyhja.bpmn": b"  \n"}))
    assert empty.message == "Tiedosto on tyhjä."
    (zipped,) = refusal(ProcessBundle({"paketti.bpmn": b"PK\x03\x04\x14\x00\x00\x00"}))
    assert "ei ole XML-tiedosto" in zipped.message
