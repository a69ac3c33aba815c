"""How a process's cases are queued and timed, declared on its start event.

caseColumns  data fields shown as queue columns and offered as filters, e.g.
             ``urgency, municipality, service`` (labels and choices come from the forms)
caseUrgent   an expression on the case data; true cases go first, e.g.
             ``urgency == "kiireellinen"``
caseGroup    an expression giving the group whose queue the case is in, e.g.
             ``producer_group`` (without it: the group of the open task)
caseClocks   legal clocks from the moment the matter became pending, entries separated by
             ``;``: ``key=label|limit|legal basis|stop states``, e.g.
             ``aloitus=Palvelu alkaa|3 months|SHL 45 §|kasitelty,peruttu``; the limit is
             ``N weekdays`` (Finnish weekdays: weekends and public holidays skipped),
             ``N days`` or ``N months``; the clock stops when the case first reaches one of
             the stop states. A fifth part starts it elsewhere: ``from=field`` on the date
             in a data field (e.g. a court's deadline), ``after=state`` on the day the case
             first entered a state; ``if=expression`` runs the clock only for cases whose
             data makes it true (e.g. ``if=special_group != "ei"`` for the groups of SHL 36 §);
             ``warn=N`` escalates a running clock to the service managers N Finnish weekdays
             before its last day
caseMilestones  the measured milestones, each reached when the case first enters a state:
             ``otettu=Otettu käsittelyyn|kasittelyssa; alkanut=Palvelu alkoi|kasitelty``
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from sote_flow.domain.weekdays import add_weekdays_to_date, subtract_weekdays_from_date
from sote_flow.engine.sandbox import SandboxError, compile_checked

CASE_COLUMNS = "caseColumns"
CASE_URGENT = "caseUrgent"
CASE_GROUP = "caseGroup"
CASE_CLOCKS = "caseClocks"
CASE_MILESTONES = "caseMilestones"
MILESTONE_FORM = "avain=nimi|tila"
CLOCK_FORM = "avain=nimi|määräaika|lainkohta|pysäyttävät tilat"
UNITS = {"weekdays": "arkipäivää", "days": "päivää", "months": "kuukautta"}

_FIELD = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,79}")
_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
_LIMIT = re.compile(r"(\d{1,4})\s+(weekdays|days|months)")
_START = re.compile(r"(from|after)=([A-Za-z][A-Za-z0-9_]{0,79})")
_CONDITION = "if="
_WARN = re.compile(r"warn=(\d{1,3})")


@dataclass(frozen=True)
class LegalClock:
    """A statutory time limit from the day the matter became pending, or from the date in a
    data field (`start_field`, e.g. the deadline a court set) once the case has it, or from the
    day the case first entered a state (`start_state`, e.g. the decision made)."""

    key: str
    label: str
    limit: int
    unit: str  # weekdays | days | months
    basis: str
    stop_states: frozenset[str]
    start_field: str | None = None
    start_state: str | None = None
    condition: str | None = None  # an expression on the case data; None: every case
    warn_weekdays: int | None = None  # escalate this many weekdays before the last day

    def warn_on(self, due_on: date) -> date | None:
        """Return the day the escalation goes out for a clock due on `due_on` (None: none)."""
        if self.warn_weekdays is None:
            return None
        return subtract_weekdays_from_date(due_on, self.warn_weekdays)

    def due_on(self, pending_on: date) -> date:
        """Return the last day allowed (Finnish calendar) for a matter pending on that day."""
        if self.unit == "weekdays":
            return add_weekdays_to_date(pending_on, self.limit)
        if self.unit == "days":
            return pending_on + timedelta(days=self.limit)
        return pending_on + relativedelta(months=self.limit)

    @property
    def limit_text(self) -> str:
        """The limit in Finnish, e.g. '3 kuukautta'."""
        return f"{self.limit} {UNITS[self.unit]}"


@dataclass(frozen=True)
class Milestone:
    """A measured point of a case: reached when it first enters `state`."""

    key: str
    label: str
    state: str


@dataclass(frozen=True)
class QueueRules:
    """Columns, urgency, queue group and legal clocks of a process's cases."""

    columns: tuple[str, ...] = ()
    urgent: str | None = None
    group: str | None = None
    clocks: tuple[LegalClock, ...] = ()
    milestones: tuple[Milestone, ...] = ()


def queue_rules(properties: Mapping[str, str]) -> QueueRules:
    """Read the queue rules from the start event's properties (invalid parts left out)."""
    columns = tuple(c for c in _split(properties.get(CASE_COLUMNS, "")) if _FIELD.fullmatch(c))
    clocks = tuple(clock for clock, _ in _parse_clocks(properties.get(CASE_CLOCKS, "")) if clock)
    return QueueRules(
        columns=columns,
        urgent=_expression(properties.get(CASE_URGENT)),
        group=_expression(properties.get(CASE_GROUP)),
        clocks=clocks,
        milestones=tuple(m for m, _ in _parse_milestones(properties.get(CASE_MILESTONES, "")) if m),
    )


def queue_rule_problems(properties: Mapping[str, str], state_keys: tuple[str, ...]) -> list[str]:
    """Return a Finnish message for every fault in the start event's queue rules."""
    problems = [
        f"Sarake ”{column}” (caseColumns) ei ole kelvollinen kentän nimi."
        for column in _split(properties.get(CASE_COLUMNS, ""))
        if not _FIELD.fullmatch(column)
    ]
    for name in (CASE_URGENT, CASE_GROUP):
        expression = _expression(properties.get(name))
        reason = _expression_problem(expression) if expression else None
        if reason:
            problems.append(f"Lauseke {name} ”{expression}” ei kelpaa: {reason}.")
    for milestone, messages in _parse_milestones(properties.get(CASE_MILESTONES, "")):
        problems.extend(messages)
        if milestone is not None and milestone.state not in state_keys:
            problems.append(
                f"Mittauspisteen ”{milestone.key}” tila ”{milestone.state}” ei ole esitelty tila."
            )
    for clock, messages in _parse_clocks(properties.get(CASE_CLOCKS, "")):
        problems.extend(messages)
        if clock is not None:
            named = clock.stop_states | ({clock.start_state} if clock.start_state else set())
            unknown = sorted(named - set(state_keys))
            if unknown:
                known = ", ".join(state_keys) or "ei yhtään"
                problems.append(
                    f"Määräajan ”{clock.key}” pysäyttävä tila ”{', '.join(unknown)}” ei ole "
                    f"esitelty tila (esitellyt: {known})."
                )
    return problems


def _parse_clocks(text: str) -> Iterator[tuple[LegalClock | None, list[str]]]:
    for entry in (e.strip() for e in text.split(";")):
        if not entry:
            continue
        key, _, rest = entry.partition("=")
        parts = [part.strip() for part in rest.split("|")]
        if not _KEY.fullmatch(key.strip()) or not 4 <= len(parts) <= 7 or not all(parts[:3]):
            yield None, [f"Määräaika ”{entry}” ei ole muotoa {CLOCK_FORM}."]
            continue
        yield _clock(key.strip(), parts)


def _clock(key: str, parts: list[str]) -> tuple[LegalClock | None, list[str]]:
    label, limit, basis, stops = parts[:4]
    conditions = [p[len(_CONDITION) :].strip() for p in parts[4:] if p.startswith(_CONDITION)]
    warnings = [m for m in (_WARN.fullmatch(p) for p in parts[4:]) if m]
    starts = [p for p in parts[4:] if not p.startswith(_CONDITION) and not _WARN.fullmatch(p)]
    begins = _START.fullmatch(starts[0]) if starts else None
    if len(starts) > 1 or len(conditions) > 1 or len(warnings) > 1 or (starts and begins is None):
        return None, [
            f"Määräajan ”{key}” lisäosat ”{'|'.join(parts[4:])}” eivät kelpaa: kirjoita "
            "alku muodossa from=kentän_nimi tai after=tila, ehto muodossa if=lauseke ja "
            "ennakkoilmoitus muodossa warn=arkipäiviä."
        ]
    condition = conditions[0] if conditions else None
    problem = _expression_problem(condition) if condition is not None else None
    if condition is not None and (not condition or problem):
        return None, [f"Määräajan ”{key}” ehto ”{condition}” ei kelpaa: {problem or 'tyhjä'}."]
    match = _LIMIT.fullmatch(limit)
    stop_states = frozenset(_split(stops))
    if match is None:
        return None, [
            f"Määräajan ”{key}” pituus ”{limit}” ei kelpaa: kirjoita esimerkiksi "
            "7 weekdays, 14 days tai 3 months."
        ]
    if not stop_states:
        return None, [f"Määräajalta ”{key}” puuttuvat tilat, jotka pysäyttävät sen."]
    number, unit = int(match.group(1)), match.group(2)
    field = begins.group(2) if begins and begins.group(1) == "from" else None
    state = begins.group(2) if begins and begins.group(1) == "after" else None
    warn = int(warnings[0].group(1)) if warnings else None
    clock = LegalClock(key, label, number, unit, basis, stop_states, field, state, condition, warn)
    return clock, []


def _parse_milestones(text: str) -> Iterator[tuple[Milestone | None, list[str]]]:
    for entry in (e.strip() for e in text.split(";")):
        if not entry:
            continue
        key, _, rest = entry.partition("=")
        parts = [part.strip() for part in rest.split("|")]
        if not _KEY.fullmatch(key.strip()) or len(parts) != 2 or not all(parts):
            yield None, [f"Mittauspiste ”{entry}” ei ole muotoa {MILESTONE_FORM}."]
        else:
            yield Milestone(key.strip(), parts[0], parts[1]), []


def _expression_problem(expression: str) -> str | None:
    try:
        compile_checked(expression, "eval")
    except (SandboxError, SyntaxError) as exc:
        return str(exc)
    return None


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _expression(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None
