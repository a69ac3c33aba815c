"""Deploy-time check of every expression and script in a diagram, through the runtime sandbox.

The checker is the sandbox's own `compile_checked`, so what deploy accepts the sandbox compiles
and what the sandbox refuses is refused at deploy, naming the element it is on."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal

from lxml import etree

from sote_flow.engine.parsing_prepare import BPMN_NS, local_name
from sote_flow.engine.sandbox import SandboxError, compile_checked
from sote_flow.engine.timers import is_timer_literal, timer_literal_problem

SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
Mode = Literal["eval", "exec"]

# Properties whose values sote-flow evaluates as expressions (see engine/tasks.py, case_rules.py).
EXPRESSION_PROPERTIES = ("group", "assignee", "dueAt", "caseUrgent", "caseGroup")
# Builtins a diagram might read that only reflection or the file system would need: refused at
# deploy (other unknown names may be data fields, which the sandbox resolves when it runs).
_REFLECTIVE = frozenset({
    "eval", "exec", "compile", "globals", "locals", "vars", "getattr", "setattr", "delattr",
    "open", "breakpoint", "memoryview", "input", "help", "exit", "quit", "dir", "id",
})  # fmt: skip
_KINDS_FI = {
    "imports": "tuonnit (import)",
    "function definitions": "funktioiden määrittelyt (def)",
    "class definitions": "luokkien määrittelyt (class)",
    "while loops": "while-silmukat",
    "del statements": "del-lauseet",
    "assignment expressions (:=)": "sijoituslausekkeet (:=)",
    "starred expressions (*x)": "tähtilausekkeet (*x)",
}
_ALLOWED_HINT = (
    "Käytä vain asian tietoja, tavallisia operaattoreita ja sallittuja funktioita "
    "(esim. len, min, max, sum, round, date, datetime, timedelta)."
)
_TIMER_FI = {"timeDate": "Ajastimen aika", "timeDuration": "Ajastimen kesto",
             "timeCycle": "Ajastimen toisto"}  # fmt: skip
_LOOKS_ISO = re.compile(r"[PR][0-9A-Z]*\d[0-9A-Z]*")


def expression_problems(root: etree._Element) -> Iterator[tuple[str | None, str]]:
    """Yield (element id, Finnish message) for every expression or script the sandbox refuses."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        namespace, name = etree.QName(element).namespace, local_name(element)
        if namespace == BPMN_NS:
            yield from _bpmn_expression(element, name)
        elif namespace == SPIFF_NS:
            yield from _spiff_expression(element, name)


def _bpmn_expression(element: etree._Element, name: str) -> Iterator[tuple[str | None, str]]:
    text = (element.text or "").strip()
    if not text:
        return
    if name == "conditionExpression":
        yield from _check(_owner(element), "Ehto", text, "eval")
    elif name == "script" and _parent_name(element) == "scriptTask":
        yield from _check(_owner(element), "Skripti", element.text or "", "exec")
    elif name in _TIMER_FI:
        yield from _timer(_owner(element), name, text)
    elif name in ("condition", "loopCardinality", "completionCondition", "loopCondition"):
        yield from _check(_owner(element), "Ehto", text, "eval")
    elif name in ("messagePath", "formalExpression") and _within(
        element, "correlationPropertyRetrievalExpression"
    ):
        yield from _check(_owner(element), "Korrelaatiolauseke", text, "eval")


def _spiff_expression(element: etree._Element, name: str) -> Iterator[tuple[str | None, str]]:
    text = (element.text or "").strip()
    if name in ("preScript", "postScript") and text:
        label = "Esiskripti" if name == "preScript" else "Jälkiskripti"
        yield from _check(_owner(element), label, element.text or "", "exec")
    elif name == "parameter" and (element.get("value") or "").strip():
        label = f"Parametri {element.get('id') or ''}".strip()
        yield from _check(_owner(element), label, element.get("value") or "", "eval")
    elif name == "property" and element.get("name") in EXPRESSION_PROPERTIES:
        value = (element.get("value") or "").strip()
        if value:
            yield from _check(_owner(element), f"Ominaisuus {element.get('name')}", value, "eval")
    elif name in ("messagePayload", "payloadExpression") and text:
        yield from _check(_owner(element), "Sanoman sisältö", text, "eval")
    elif name == "expression" and text and _within(element, "processVariableCorrelation"):
        yield from _check(_owner(element), "Korrelaatiolauseke", text, "eval")


def _timer(element: str | None, kind: str, text: str) -> Iterator[tuple[str | None, str]]:
    label = _TIMER_FI[kind]
    if is_timer_literal(kind, text):
        problem = timer_literal_problem(kind, text)
        if problem:
            yield element, f"{label}: {problem}"
        return
    if _LOOKS_ISO.fullmatch(text):
        yield (
            element,
            f"{label} ”{text}” näyttää ISO 8601 -arvolta, mutta ei ole kelvollinen. Korjaa se "
            "(esim. PT5M, P1D, R6/P1D tai 2027-01-01T09:00:00+02:00) tai kirjoita lauseke, "
            'esim. f"PT{odotus_min}M".',
        )
        return
    yield from _check(element, label, text, "eval")


def _check(
    element: str | None, label: str, source: str, mode: Mode
) -> Iterator[tuple[str | None, str]]:
    reason = sandbox_problem(source, mode)
    if reason is None:
        return
    shown = "" if mode == "exec" else f" ”{_short(source)}”"
    yield element, f"{label}{shown} ei kelpaa: {reason}"


def sandbox_problem(source: str, mode: Mode) -> str | None:
    """Return in Finnish why the sandbox refuses this code, or None if it compiles."""
    try:
        _, unprovided = compile_checked(source, mode)
    except SyntaxError as exc:
        where = f"rivi {exc.lineno}, sarake {exc.offset}" if exc.lineno else "kohta tuntematon"
        kind = "skripti" if mode == "exec" else "lauseke"
        return (
            f"{kind} ei ole kelvollista Pythonia ({where}). Tarkista sulut, lainausmerkit ja "
            "operaattorit."
        )
    except SandboxError as exc:
        return f"{_sandbox_reason_fi(str(exc))} {_ALLOWED_HINT}"
    except (ValueError, MemoryError):
        return f"lauseketta ei voi kääntää. {_ALLOWED_HINT}"
    refused = sorted(unprovided & _REFLECTIVE)
    if refused:
        return f"funktiota {', '.join(refused)} ei sallita. {_ALLOWED_HINT}"
    return None


def _sandbox_reason_fi(message: str) -> str:
    match = re.fullmatch(r"(.*?)(?: \(line (\d+)\))?", message)
    text, line = (match.group(1), match.group(2)) if match else (message, None)
    where = f" (rivi {line})" if line else ""
    if found := re.fullmatch(r"name '(.+)' is not allowed", text):
        name = found.group(1)
        return f"nimi {name} ei ole sallittu (alaviivalla alkavat nimet on varattu){where}."
    if found := re.fullmatch(r"attribute '(.+)' is not allowed(?: here)?", text):
        return f"attribuutti .{found.group(1)} ei ole sallittu{where}."
    if text == "assigning to attributes is not allowed":
        return f"attribuuttiin ei voi sijoittaa{where}."
    if text == "assigning to slices is not allowed":
        return f"viipaleeseen ei voi sijoittaa{where}."
    if text == "code is nested too deeply":
        return "koodi on liian syvälle sisäkkäistä."
    if "format" in text:
        return (
            f"muotoilumäärite ei ole sallittu (ei sisäkkäisiä kenttiä, leveys enintään 999){where}."
        )
    if found := re.fullmatch(r"(.+) are not allowed", text):
        kind = found.group(1)
        if kind in _KINDS_FI:
            return f"{_KINDS_FI[kind]} eivät ole sallittuja{where}."
        if generic := re.fullmatch(r"(\w+) (statements|expressions)", kind):
            suffix = "lauseet" if generic.group(2) == "statements" else "lausekkeet"
            return f"{generic.group(1)}-{suffix} eivät ole sallittuja{where}."
    return f"hiekkalaatikko ei salli tätä rakennetta{where}."


def _owner(element: etree._Element) -> str | None:
    """The id of the nearest enclosing element that has one (the task, flow or event)."""
    node: etree._Element | None = element
    while node is not None:
        name = local_name(node)
        if (
            etree.QName(node).namespace == BPMN_NS
            and node.get("id")
            and not name.endswith(("EventDefinition", "LoopCharacteristics", "Expression"))
            and name not in _NOT_OWNERS
        ):
            return node.get("id")
        node = node.getparent()
    return None


_NOT_OWNERS = frozenset({
    "timeDate", "timeDuration", "timeCycle", "formalExpression", "messagePath", "script",
    "condition", "loopCardinality", "completionCondition", "loopCondition", "extensionElements",
})  # fmt: skip


def _parent_name(element: etree._Element) -> str:
    parent = element.getparent()
    return local_name(parent) if parent is not None else ""


def _within(element: etree._Element, name: str) -> bool:
    node = element.getparent()
    while node is not None:
        if local_name(node) == name:
            return True
        node = node.getparent()
    return False


def _short(source: str) -> str:
    text = " ".join(source.split())
    return text if len(text) <= 80 else text[:77] + "…"
