"""The expression sandbox: ordinary diagram code works, everything else is refused or bounded."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.parser import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer import DEFAULT_CONFIG
from SpiffWorkflow.util.task import TaskState

from sote_flow.engine.sandbox import SandboxedEnvironment, SandboxError

env = SandboxedEnvironment(functions={"add_weekdays": lambda day, n: day + n})

ALLOWED = [
    ('urgency == "kiireellinen"', {"urgency": "kiireellinen"}, True),
    ('sum(i["price"] for i in items)', {"items": [{"price": 2}, {"price": 3.5}]}, 5.5),
    ('f"PT{wait_minutes}M"', {"wait_minutes": 5}, "PT5M"),
    ('"PT1H"', {}, "PT1H"),
    ('len(needs) > 0 and "muu" in needs', {"needs": ["asuminen", "muu"]}, True),
    ('data.get("x", 0) + 1', {"data": {}}, 1),
    ("when.isoformat()", {"when": datetime(2026, 1, 2, tzinfo=UTC)}, "2026-01-02T00:00:00+00:00"),
    ('f"{when:%d.%m.%Y}"', {"when": datetime(2026, 1, 2)}, "02.01.2026"),
    ("add_weekdays(20, 2)", {}, 22),
    ('", ".join(sorted(needs))', {"needs": ["b", "a"]}, "a, b"),
    (
        'name.strip().replace(" ", "_").upper()',
        {"name": " Maija Meikäläinen "},
        "MAIJA_MEIKÄLÄINEN",
    ),
    ("[n * 2 for n in range(3) if n]", {}, [2, 4]),
    ("{k: v for k, v in d.items() if v}", {"d": {"a": 1, "b": 0}}, {"a": 1}),
    ('f"{amount:>8.2f} €"', {"amount": 3.14159}, "    3.14 €"),
    ('"%s: %d" % (name, n)', {"name": "a", "n": 2}, "a: 2"),
    ("2 ** 10 + (1 << 4) + 7 % 3", {}, 1041),
    ("items[1:] + items[:1]", {"items": [1, 2, 3]}, [2, 3, 1]),
    ('"x" * 3 + str(n)', {"n": 7}, "xxx7"),
    ("x if x > 3 else -x", {"x": 2}, -2),
    ("max(values, default=0)", {"values": []}, 0),
    ("type", {"type": "kotihoito"}, "kotihoito"),  # task data may use builtin names
]

REFUSED = [
    ("__import__('os').system('id')", "name '__import__' is not allowed"),
    ("().__class__.__base__.__subclasses__()", "attribute '__class__' is not allowed"),
    ("x.__class__", "attribute '__class__' is not allowed"),
    ("open('/etc/passwd')", "name 'open' is not allowed"),
    ("open('/etc/passwd').read()", "attribute 'read' is not allowed"),
    ("globals()", "name 'globals' is not allowed"),
    ("vars()", "name 'vars' is not allowed"),
    ("getattr(1, 'real')", "name 'getattr' is not allowed"),
    ("eval('1')", "name 'eval' is not allowed"),
    ("exec('x=1')", "name 'exec' is not allowed"),
    ("compile('1', '', 'eval')", "name 'compile' is not allowed"),
    ("type(1)", "name 'type' is not allowed"),
    ("isinstance(1, int)", "name 'isinstance' is not allowed"),
    ("'{0.__class__}'.format(1)", "attribute 'format' is not allowed"),
    ("'{a}'.format_map(x)", "attribute 'format_map' is not allowed"),
    ("f'{x!r:{x}}'", "replacement fields inside a format specification are not allowed"),
    ('f"{x:>999999999}"', "format widths above 999 are not allowed"),
    (
        "[(g := (g.gi_frame.f_back.f_globals['__builtins__']['__import__']('os').getuid() "
        "for x in [1])), next(g)][1]",
        r"assignment expressions \(:=\) are not allowed",
    ),
    ("[g.gi_frame for g in [(x for x in [1])]]", "attribute 'gi_frame' is not allowed"),
    ("str.mro()", "attribute 'mro' is not allowed"),
    ("lambda: 1", "lambda expressions are not allowed"),
    ("[*x]", r"starred expressions \(\*x\) are not allowed"),
    ("', '.join.__self__", "attribute '__self__' is not allowed"),
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
    "('x' * 99999).join(['', ''] * 50000)",
    "('x' * 1000).replace('', 'y' * 1000)",
    "'%0999999999d' % 1",
    "'%*d' % (10 ** 9, 1)",
    "b'%0999999999d' % 1",
    "b'x' * 10 ** 9",
    "round(5, -10 ** 9)",
    "str([['x' * 90000] * 90000])",
    "f'{[\"x\" * 90000] * 90000}'",
    "sum([[1] * 1000] * 1000, [])",
    "[big[:] for i in range(99999)]",
    "[big.copy() for i in range(99999)]",
]


@pytest.mark.parametrize(("expression", "data", "expected"), ALLOWED)
def test_ordinary_expressions_work(expression, data, expected):
    assert env.evaluate(expression, dict(data)) == expected


@pytest.mark.parametrize(("expression", "message"), REFUSED)
def test_escapes_are_refused_with_a_clear_error(expression, message):
    with pytest.raises(SandboxError, match=message):
        env.evaluate(expression, {"x": 1})


@pytest.mark.parametrize("expression", UNBOUNDED)
def test_runaway_expressions_stop_within_bounds(expression):
    with pytest.raises(
        SandboxError,
        match=r"too large|budget|only add numbers|widths above 999|more than 100 digits",
    ):
        env.evaluate(expression, {"x": 1, "big": list(range(99_999))})


def test_wall_clock_budget():
    slow = SandboxedEnvironment(max_seconds=0.05, max_steps=10**9)
    with pytest.raises(SandboxError, match=r"ran past 0.05 s of wall-clock time"):
        slow.evaluate("sum(1 for a in range(99999) for b in range(99999))", {})


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("import os", r"imports are not allowed \(line 1\)"),
        ("x = 1\nfrom os import system", r"imports are not allowed \(line 2\)"),
        ("while True:\n    pass", "while loops are not allowed"),
        ("def f():\n    pass", "function definitions are not allowed"),
        ("class A:\n    pass", "class definitions are not allowed"),
        ("try:\n    x = 1\nexcept Exception:\n    pass", "try statements are not allowed"),
        ("with x:\n    pass", "with statements are not allowed"),
        ("raise ValueError", "raise statements are not allowed"),
        ("global y", "global statements are not allowed"),
        ("del x", "del statements are not allowed"),
        ("x.year = 1", "assigning to attributes is not allowed"),
        ("x[0:0] = x", "assigning to slices is not allowed"),
        ("for i in range(10 ** 5):\n    for j in range(10 ** 5):\n        pass", "budget"),
        ("s = 'x'\nfor i in range(64):\n    s += s", "too large"),
        ("values = [1]\nfor i in range(64):\n    values.extend(values)", "too large"),
        ("d = {'a': 'x'}\nfor i in range(64):\n    d['a'] *= 2", "too large"),
        ("x = [1]\nfor i in range(60):\n    x = [x, x]", "too large"),  # shared, not copied
        ("x = []\nx.append(x)", "contains itself"),
        ("x = []\nfor i in range(500):\n    x = [x]", "nested more than 100 levels deep"),
        ("assert x", "assert statements are not allowed"),
    ],
)
def test_script_escapes_and_runaways_are_refused(script, message):
    with pytest.raises(SandboxError, match=message):
        env.execute(script, {"x": [1]})


def test_script_writes_plain_data_back_and_nothing_else():
    data = {"amount": 10, "tags": ["a"], "when": date(2026, 1, 1)}
    script = """
total = amount
for i in range(3):
    total += i
if total > 12:
    level = "korkea"
else:
    level = "matala"
counts = {}
for tag in tags + ["b", "a"]:
    counts.setdefault(tag, 0)
    counts[tag] += 1
tags.append("c")
due = add_weekdays(20, 2)
fn = add_weekdays
numbers = range(3)
keys = counts.keys()
seen = set(tags)
amount = len
"""
    env.execute(script, data)
    assert data == {
        "total": 13,
        "i": 2,
        "level": "korkea",
        "counts": {"a": 2, "b": 1},
        "tag": "a",
        "tags": ["a", "c"],
        "due": 22,
        "when": date(2026, 1, 1),  # untouched values stay, even if the sandbox would not store them
    }


def test_spiff_semantics_kept():
    with pytest.raises(ValueError, match="overwrites a predefined function"):
        env.execute("y = 1", {"add_weekdays": 3})
    assert env.evaluate("add_weekdays", {"add_weekdays": 3}) == 3
    assert env.evaluate("dmninputexpr > 2", {}, {"dmninputexpr": 5}) is True
    data = {"a": 1}
    with pytest.raises(ZeroDivisionError):
        env.execute("a = 2\nb = 1 / 0", data)
    assert data == {"a": 1}


@pytest.mark.parametrize(
    ("expression", "error"),
    [("missing + 1", NameError), ("1 / 0", ZeroDivisionError), ("d['nope']", KeyError)],
)
def test_ordinary_errors_propagate_unchanged(expression, error):
    with pytest.raises(error):
        env.evaluate(expression, {"d": {}})


def test_task_data_cannot_replace_the_guards_or_builtins():
    with pytest.raises(SandboxError, match="too large"):
        env.evaluate("'x' * 10 ** 9", {"_binop": "not a guard", "__builtins__": {"open": open}})


DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"
  targetNamespace="http://sote-flow.test">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="score_it"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:script>SCRIPT</bpmn:script></bpmn:scriptTask>
    <bpmn:exclusiveGateway id="gate"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>to_big</bpmn:outgoing><bpmn:outgoing>to_small</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:endEvent id="end_big"><bpmn:incoming>to_big</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end_small"><bpmn:incoming>to_small</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="score_it"/>
    <bpmn:sequenceFlow id="f2" sourceRef="score_it" targetRef="gate"/>
    <bpmn:sequenceFlow id="to_big" sourceRef="gate" targetRef="end_big">
      <bpmn:conditionExpression>CONDITION</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to_small" sourceRef="gate" targetRef="end_small">
      <bpmn:conditionExpression>score &lt;= 10</bpmn:conditionExpression></bpmn:sequenceFlow>
  </bpmn:process>
</bpmn:definitions>"""


def run_diagram(amount: int, condition: str = "score &gt; 10", script: str = "") -> BpmnWorkflow:
    xml = DIAGRAM.replace("CONDITION", condition).replace("SCRIPT", script or "score = amount * 2")
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(xml.encode(), filename="t.bpmn")
    workflow = BpmnWorkflow(parser.get_spec("p"))
    environment = SandboxedEnvironment(functions={"double": lambda x: 2 * x})
    workflow.script_engine = PythonScriptEngine(environment=environment)
    workflow.get_next_task(state=TaskState.READY).data["amount"] = amount
    workflow.do_engine_steps()
    return workflow


def completed(workflow: BpmnWorkflow) -> set[str]:
    return {t.task_spec.name for t in workflow.get_tasks(state=TaskState.COMPLETED)}


@pytest.mark.parametrize(
    ("amount", "end", "other"), [(8, "end_big", "end_small"), (3, "end_small", "end_big")]
)
def test_spiffworkflow_runs_scripts_and_conditions_in_the_sandbox(amount, end, other):
    workflow = run_diagram(amount, script="score = double(amount)")
    assert workflow.is_completed()
    assert end in completed(workflow) and other not in completed(workflow)
    assert workflow.data == {"amount": amount, "score": 2 * amount}
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(DEFAULT_CONFIG))
    assert serializer.serialize_json(workflow)  # task data stayed plain data


def test_hostile_condition_fails_the_gateway_without_running(tmp_path):
    marker = tmp_path / "pwned"
    with pytest.raises(WorkflowTaskException) as failed:
        run_diagram(8, condition=f"__import__('os').system('touch {marker}') == 0")
    assert failed.value.error_type == "SandboxError"
    assert failed.value.task.task_spec.name == "gate"
    assert failed.value.task.state == TaskState.ERROR
    # Spiff words expression failures generically and chains the refusal as the cause.
    assert "__import__" in str(failed.value)
    assert str(failed.value.__context__) == "name '__import__' is not allowed"
    assert not marker.exists()


def test_hostile_script_fails_the_task_with_the_refusal_in_its_message():
    with pytest.raises(WorkflowTaskException) as failed:
        run_diagram(8, script="import os")
    assert "imports are not allowed (line 1)" in str(failed.value)
    assert failed.value.task.task_spec.name == "score_it"
