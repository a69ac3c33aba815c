"""A task's JSON Schema (+ UI schema) as form fields, and a submitted form back into data."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sote_flow.domain.forms import choices, properties_of, property_type


@dataclass(frozen=True)
class FormField:
    """One input to render."""

    name: str
    label: str
    # text textarea number integer date boolean select radio checkboxes hidden readonly
    kind: str
    required: bool
    help: str | None = None
    placeholder: str | None = None
    options: list[tuple[str, str]] = field(default_factory=list)  # (value, label)
    minimum: float | None = None
    maximum: float | None = None
    default: Any = None  # shown while the data has no value of its own
    # The schema's rules on this choice (allOf: if another field is X then this one is Y):
    # other field -> its value -> the options allowed, so the page offers only those.
    option_rules: Mapping[str, Mapping[str, list[str]]] = field(default_factory=dict)


def form_fields(
    schema: Mapping[str, Any], ui_schema: Mapping[str, Any] | None = None
) -> list[FormField]:
    """Return the fields of a flat object schema, in the UI schema's order."""
    ui = ui_schema or {}
    properties = properties_of(schema)
    required = set(schema.get("required") or [])
    order = [name for name in ui.get("ui:order", []) if name in properties]
    order += [name for name in properties if name not in order]
    rules = option_rules(schema)
    return [
        replace(_field(name, properties[name], ui.get(name) or {}, name in required),
                option_rules=rules.get(name, {}))
        for name in order
    ]  # fmt: skip


def option_rules(schema: Mapping[str, Any]) -> dict[str, dict[str, dict[str, list[str]]]]:
    """Return field -> other field -> its value -> allowed values, from the schema's allOf rules
    of the shape `if {other: const|enum} then {field: const|enum}`."""
    rules: dict[str, dict[str, dict[str, list[str]]]] = {}
    for rule in schema.get("allOf") or []:
        if not isinstance(rule, Mapping):
            continue
        condition = (rule.get("if") or {}).get("properties") or {}
        outcome = (rule.get("then") or {}).get("properties") or {}
        if len(condition) != 1:
            continue
        ((other, when),) = condition.items()
        for name, allowed in outcome.items():
            values = _values(allowed)
            if values is None:
                continue
            by_value = rules.setdefault(name, {}).setdefault(other, {})
            for value in _values(when) or []:
                by_value[value] = values
    return rules


def _values(prop: Any) -> list[str] | None:
    if not isinstance(prop, Mapping):
        return None
    if "const" in prop:
        return [str(prop["const"])]
    if isinstance(prop.get("enum"), list):
        return [str(value) for value in prop["enum"]]
    return None


def _field(name: str, prop: Mapping[str, Any], ui: Mapping[str, Any], required: bool) -> FormField:
    kind = _kind(prop, ui)
    help_text = ui.get("ui:help") or prop.get("description")
    placeholder = ui.get("ui:placeholder")
    return FormField(
        name=name,
        label=str(prop.get("title") or name),
        kind=kind,
        required=required,
        help=str(help_text) if help_text else None,
        placeholder=str(placeholder) if placeholder else None,
        options=choices(_choice_source(prop, kind)),
        minimum=_number_or_none(prop.get("minimum")),
        maximum=_number_or_none(prop.get("maximum")),
        default=prop.get("default"),
    )


def _choice_source(prop: Mapping[str, Any], kind: str) -> Mapping[str, Any]:
    # A list's choices are its items' (also when the list is only shown, read-only).
    if kind == "checkboxes" or (kind == "readonly" and property_type(prop) == "array"):
        return prop.get("items") or {}
    return prop


def _kind(prop: Mapping[str, Any], ui: Mapping[str, Any]) -> str:
    widget = ui.get("ui:widget")
    kind = property_type(prop)
    if widget == "hidden":
        return "hidden"
    if prop.get("readOnly"):
        return "readonly"
    if kind == "array":
        return "checkboxes"
    if options := choices(prop):
        # Up to three choices read best as radios unless the UI schema says otherwise.
        return "radio" if widget == "radio" or (widget is None and len(options) <= 3) else "select"
    if kind in ("boolean", "integer", "number"):
        return kind
    if prop.get("format") == "date":
        return "date"
    return "textarea" if widget == "textarea" else "text"


def parse_submission(schema: Mapping[str, Any], form: Mapping[str, list[str]]) -> dict[str, Any]:
    """Convert submitted strings to the schema's types; empty optional fields are left out."""
    data: dict[str, Any] = {}
    for name, prop in properties_of(schema).items():
        if prop.get("readOnly"):  # shown to the person, never taken from the form
            continue
        values = [value.strip() for value in form.get(name, [])]
        values = [value for value in values if value]
        kind = property_type(prop)
        if kind == "array":
            if values:
                data[name] = [
                    _convert(value, property_type(prop.get("items") or {})) for value in values
                ]
        elif kind == "boolean":
            data[name] = bool(values) and values[-1].lower() in ("on", "true", "1")
        elif values:
            data[name] = _convert(values[-1], kind)
    return data


def _convert(value: str, kind: str | None) -> Any:
    # A value that does not convert stays text, so that validation names the field.
    if kind not in ("integer", "number"):
        return value
    try:
        return int(value)
    except ValueError:
        pass
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        return value
    # NaN and infinity are not JSON; 1.5 in an integer field is a type error for validation.
    return number if math.isfinite(number) and kind == "number" else value


def _number_or_none(value: Any) -> float | None:
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    return value if is_number else None
