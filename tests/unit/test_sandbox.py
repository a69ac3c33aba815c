"""The expression sandbox: ordinary diagram code works, everything else is refused or bounded."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.spiff.parser import SpiffBpmnParser

from sote_flow.engine.sandbox import SandboxedEnvironment, SandboxError

env = SandboxedEnvironment(functions={"double": lambda x: 2 * x})

ALLOWED = [
    ('urgency == "kiireellinen"', {"urgency": "kiireellinen"}, True),
    ('sum(i["price"] for i in items)', {"items": [{"price": 2}, {"price": 3}]}, 5),
    ('f"PT{wait_minutes}M"', {"wait_minutes": 5}, "PT5M"),
    ('"PT1H"', {}, "PT1H"),
    ('len(needs) > 0 and "muu" in needs', {"needs": ["muu"]}, True),
    ('data.get("x", 0) + 1', {"data": {}}, 1),
    ("when.isoformat()", {"when": datetime(2026, 1, 2, tzinfo=UTC)}, "2026-01-02T00:00:00+00:00"),
    ("double(21)", {}, 42),
    ('", ".join(sorted(needs))', {"needs": ["b", "a"]}, "a, b"),
    ("[n * 2 for n in range(3)]", {}, [0, 2, 4]),
    ('f"{amount:>6.2f}"', {"amount": 3.14159}, "  3.14"),
    ("2 ** 10", {}, 1024),
]

REFUSED = [
    "__import__('os').system('id')",
    "().__class__.__base__.__subclasses__()",
    "open('/etc/passwd').read()",
    "globals()",
    "vars()",
    "getattr(1, 'real')",
    "eval('1')",
    "exec('x=1')",
    "compile('1', '', 'eval')",
    "type(1)",
    "'{0.__class__}'.format(1)",
    "f'{x!r:{x}}'",
    "[(g := (g.gi_frame.f_back.f_globals['__builtins__']['__import__']('os').getuid() "
    "for x in [1])), next(g)][1]",
    "lambda: 1",
    "str.join('', ['a'])",
    "x.__class__",
    'f"{x:>999999999}"',
]

UNBOUNDED = [
    "9 ** 9 ** 9",
    "'x' * 10 ** 9",
    "[1] * 10 ** 9",
    "sum(range(10 ** 12))",
    "[a * b for a in range(10 ** 5) for b in range(10 ** 5)]",
    "sum(sum(range(99999)) for i in range(99999))",
    "1 << 10 ** 9",
    "''.join(['x' * 99999 for i in range(99999)])",
]


@pytest.mark.parametrize(("expression", "data", "expected"), ALLOWED)
def test_ordinary_expressions_work(expression, data, expected):
    assert env.evaluate(expression, dict(data)) == expected


@pytest.mark.parametrize("expression", REFUSED)
def test_escapes_are_refused_with_a_clear_error(expression):
    with pytest.raises(SandboxError, match="not allowed"):
        env.evaluate(expression, {"x": 1})


@pytest.mark.parametrize("expression", UNBOUNDED)
def test_runaway_expressions_stop_within_bounds(expression):
    with pytest.raises(SandboxError, match=r"too large|budget"):
        env.evaluate(expression, {"x": 1})


@pytest.mark.parametrize(
    "script",
    [
        "import os",
        "from os import system",
        "while True:\n    pass",
        "def f():\n    pass",
        "class A:\n    pass",
        "try:\n    x = 1\nexcept Exception:\n    pass",
        "with x:\n    pass",
        "global y",
        "del x",
        "s = 'x'\nfor i in range(64):\n    s += s",
        "values = [1]\nfor i in range(64):\n    values.extend(values)",
    ],
)
def test_script_escapes_and_runaways_are_refused(script):
    with pytest.raises(SandboxError):
        env.execute(script, {"x": 1})


def test_script_writes_plain_data_back_and_nothing_else():
    data = {"a": 1}
    env.execute("b = a + 1\nfor i in range(3):\n    b += i\nif b > 2:\n    c = double(b)", data)
    assert data == {"a": 1, "b": 5, "i": 2, "c": 10}


def test_task_data_cannot_shadow_the_guards():
    with pytest.raises(SandboxError):
        env.evaluate("'x' * 10 ** 9", {"_mul": "not a function"})


DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"
  targetNamespace="http://sote-flow.test">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="script"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>score = amount * 2</bpmn:script></bpmn:scriptTask>
    <bpmn:exclusiveGateway id="g"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>big</bpmn:outgoing><bpmn:outgoing>small</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:endEvent id="end_big"><bpmn:incoming>big</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end_small"><bpmn:incoming>small</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="script"/>
    <bpmn:sequenceFlow id="f2" sourceRef="script" targetRef="g"/>
    <bpmn:sequenceFlow id="big" sourceRef="g" targetRef="end_big">
      <bpmn:conditionExpression>CONDITION</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="small" sourceRef="g" targetRef="end_small">
      <bpmn:conditionExpression>score &lt;= 10</bpmn:conditionExpression></bpmn:sequenceFlow>
  </bpmn:process>
</bpmn:definitions>"""


def run_diagram(condition: str, amount: int) -> BpmnWorkflow:
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(DIAGRAM.replace("CONDITION", condition).encode(), filename="t.bpmn")
    workflow = BpmnWorkflow(parser.get_spec("p"))
    workflow.script_engine = PythonScriptEngine(environment=SandboxedEnvironment())
    workflow.get_next_task().data["amount"] = amount
    workflow.do_engine_steps()
    return workflow


def test_spiffworkflow_runs_scripts_and_conditions_in_the_sandbox():
    workflow = run_diagram("score &gt; 10", amount=8)
    assert workflow.is_completed()
    ended = {t.task_spec.bpmn_id for t in workflow.get_tasks() if t.task_spec.bpmn_id}
    assert "end_big" in ended and "end_small" not in ended
    assert workflow.data["score"] == 16


def test_hostile_condition_fails_the_task_without_running(tmp_path):
    marker = tmp_path / "pwned"
    condition = f"__import__('os').system('touch {marker}') == 0"
    with pytest.raises(WorkflowTaskException) as failed:
        run_diagram(condition, amount=8)
    assert "not allowed" in str(failed.value.__context__)
    assert not marker.exists()
