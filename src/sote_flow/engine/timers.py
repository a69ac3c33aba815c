"""Find the timers a workflow waits on, so the scheduler can wake it exactly then; read literal
ISO 8601 timers as BPMN defines them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState


def pending_timers(workflow: BpmnWorkflow) -> list[tuple[str, datetime]]:
    """Return (task id, due time in UTC) for each WAITING timer, cycles and gateways included."""
    due = []
    for task in workflow.get_tasks(state=TaskState.WAITING):
        value = task.internal_data.get("event_value")
        when = _due_time(value)
        if when is not None:
            due.append((str(task.id), when))
    return due


def _due_time(value: Any) -> datetime | None:
    # Durations and dates store an ISO string; cycles store {"cycles", "next", "duration"};
    # event-based gateways store a dict per event definition with one of those inside.
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, dict):
        if "next" in value:
            return _due_time(value["next"])
        candidates = [_due_time(v) for v in value.values()]
        found = [c for c in candidates if c is not None]
        return min(found) if found else None
    return None


# ---- literal ISO 8601 timers ----------------------------------------------------------------
# BPMN writes timers as ISO 8601 text (PT5M, R3/P1D, 2027-01-01T09:00:00+02:00); SpiffWorkflow
# evaluates every timer as a Python expression. Text that has the shape of an ISO value of its
# kind is a literal and is given to the engine quoted; anything else is an expression.

TIME_DATE, TIME_DURATION, TIME_CYCLE = "timeDate", "timeDuration", "timeCycle"
MIN_CYCLE_SECONDS = 60  # a repeating timer wakes its instance at most once a minute

_LITERAL_SHAPES = {
    TIME_DURATION: re.compile(r"P[0-9YMWDTHS.,]*"),
    TIME_DATE: re.compile(r"\d{4}-?(\d{2}|W\d{2})[-0-9T:.,+Z]*"),
    TIME_CYCLE: re.compile(r"R\d*/[-0-9PYMWDTHSZ:.,+/]*"),
}
_EXAMPLES = {
    TIME_DURATION: "ISO 8601 -kesto, esim. PT5M tai P1D",
    TIME_DATE: "ISO 8601 -aika, esim. 2027-01-01T09:00:00+02:00",
    TIME_CYCLE: "ISO 8601 -toisto, esim. R6/P1D tai R/PT1H",
}


def is_timer_literal(kind: str, text: str) -> bool:
    """True if the timer text has the shape of an ISO 8601 value of its kind (not an expression)."""
    shape = _LITERAL_SHAPES.get(kind)
    return shape is not None and shape.fullmatch(text.strip()) is not None


def timer_literal_problem(kind: str, text: str) -> str | None:
    """Return why a literal timer is not a valid ISO 8601 value of its kind (Finnish), or None."""
    value = text.strip()
    if kind != TIME_DATE and not any(char.isdigit() for char in value.split("/")[-1]):
        return f"”{value}” ei ole kelvollinen {_EXAMPLES[kind]}."
    try:
        if kind == TIME_DURATION:
            TimerEventDefinition.parse_iso_duration(value)
        elif kind == TIME_DATE:
            _parse_point(value)
        else:
            return _cycle_problem(value)
    except Exception:  # SpiffWorkflow raises bare Exceptions and ValueErrors alike
        return f"”{value}” ei ole kelvollinen {_EXAMPLES[kind]}."
    return None


def quote_timer_literals(specs: Iterable[Any]) -> None:
    """Make the literal ISO timers of parsed process specs string expressions, as Spiff needs."""
    for spec in specs:
        for task_spec in spec.task_specs.values():
            _quote(getattr(task_spec, "event_definition", None))


def _quote(definition: Any) -> None:
    for inner in getattr(definition, "event_definitions", None) or ():
        _quote(inner)
    kind = _KINDS.get(type(definition).__name__)
    expression = getattr(definition, "expression", None)
    if kind and isinstance(expression, str) and is_timer_literal(kind, expression):
        definition.expression = repr(expression.strip())


_KINDS = {
    "TimeDateEventDefinition": TIME_DATE,
    "DurationTimerEventDefinition": TIME_DURATION,
    "CycleTimerEventDefinition": TIME_CYCLE,
}


def _parse_point(value: str) -> datetime:
    if "W" in value.upper():
        parsed: datetime = TimerEventDefinition.parse_iso_week(value)
        return parsed
    return datetime.fromisoformat(value)


def _cycle_problem(value: str) -> str | None:
    # The same reading as TimerEventDefinition.parse_iso_recurring_interval, without the clock.
    count, *parts = value.upper().replace("--", "/").split("/")
    if not count.startswith("R") or not (count == "R" or count[1:].isdigit()):
        raise ValueError(value)
    if len(parts) not in (1, 2):
        raise ValueError(value)
    kinds = []
    seconds = 0.0
    for part in parts:
        if part.startswith("P"):
            duration = TimerEventDefinition.parse_iso_duration(part)
            seconds = timedelta(
                days=duration.get("years", 0) * 365
                + duration.get("months", 0) * 28
                + duration.get("weeks", 0) * 7
                + duration.get("days", 0),
                hours=duration.get("hours", 0),
                minutes=duration.get("minutes", 0),
                seconds=duration.get("seconds", 0),
            ).total_seconds()
            kinds.append("duration")
        else:
            _parse_point(part)
            kinds.append("point")
    if kinds.count("duration") != 1:
        raise ValueError(value)
    if seconds < MIN_CYCLE_SECONDS:
        return f"Toistuvan ajastimen ”{value}” väli on liian lyhyt: anna vähintään minuutti (PT1M)."
    return None
