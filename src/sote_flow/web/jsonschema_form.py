"""Turn a task's JSON Schema (+ UI schema) into form fields, and a submitted form back into data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FormField:
    """One input to render."""

    name: str
    label: str
    kind: str  # text textarea number integer date boolean select radio checkboxes hidden readonly
    required: bool
    help: str | None = None
    placeholder: str | None = None
    options: list[tuple[str, str]] = field(default_factory=list)  # (value, label)


def form_fields(
    schema: Mapping[str, Any], ui_schema: Mapping[str, Any] | None = None
) -> list[FormField]:
    """Return the fields of a flat object schema, in the UI schema's order."""
    ui = ui_schema or {}
    properties: Mapping[str, Any] = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    order = [name for name in ui.get("ui:order", []) if name in properties]
    order += [name for name in properties if name not in order]
    return [_field(name, properties[name], ui.get(name) or {}, name in required) for name in order]


def _field(name: str, prop: Mapping[str, Any], ui: Mapping[str, Any], required: bool) -> FormField:
    options = _options(prop)
    kind = _kind(prop, ui, options)
    if kind == "checkboxes":
        options = _options(prop.get("items") or {})
    return FormField(
        name=name,
        label=str(prop.get("title") or name),
        kind=kind,
        required=required,
        help=ui.get("ui:help") or prop.get("description"),
        placeholder=ui.get("ui:placeholder"),
        options=options,
    )


def _kind(prop: Mapping[str, Any], ui: Mapping[str, Any], options: list[tuple[str, str]]) -> str:
    widget = ui.get("ui:widget")
    kind = prop.get("type")
    if widget == "hidden":
        return "hidden"
    if prop.get("readOnly"):
        return "readonly"
    if kind == "array":
        return "checkboxes"
    if options:
        return "radio" if widget == "radio" or (widget is None and len(options) <= 3) else "select"
    if kind == "boolean":
        return "boolean"
    if kind in ("integer", "number"):
        return str(kind)
    if prop.get("format") == "date":
        return "date"
    return "textarea" if widget == "textarea" else "text"


def _options(prop: Mapping[str, Any]) -> list[tuple[str, str]]:
    choices = prop.get("oneOf") or prop.get("anyOf")
    if choices:
        return [(str(c["const"]), str(c.get("title", c["const"]))) for c in choices if "const" in c]
    return [(str(value), str(value)) for value in prop.get("enum") or []]


def parse_submission(schema: Mapping[str, Any], form: Mapping[str, list[str]]) -> dict[str, Any]:
    """Convert submitted strings to the schema's types; empty optional fields are left out."""
    data: dict[str, Any] = {}
    for name, prop in (schema.get("properties") or {}).items():
        if prop.get("readOnly"):  # shown to the person, never taken from the form
            continue
        values = [v for v in form.get(name, []) if v != ""]
        kind = prop.get("type")
        if kind == "array":
            if name in form or values:
                data[name] = values
        elif kind == "boolean":
            data[name] = bool(values) and values[-1].lower() in ("on", "true", "1", "kylla")
        elif values:
            data[name] = _convert(values[-1].strip(), kind)
    return data


def _convert(value: str, kind: Any) -> Any:
    # A value that does not convert is passed on as text so validation names the field.
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value.replace(",", "."))
    except ValueError:
        return value
    return value
