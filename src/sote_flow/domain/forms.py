"""Validate submitted form data against a task's JSON Schema, with Finnish messages per field."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from jsonschema import FormatChecker, validators
from jsonschema.exceptions import ValidationError

_FORMAT_CHECKER = FormatChecker()

MESSAGES = {
    "required": "Pakollinen tieto puuttuu.",
    "type": "Arvo on väärää tyyppiä.",
    "enum": "Valitse jokin annetuista vaihtoehdoista.",
    "const": "Valitse jokin annetuista vaihtoehdoista.",
    "oneOf": "Valitse jokin annetuista vaihtoehdoista.",
    "anyOf": "Valitse jokin annetuista vaihtoehdoista.",
    "format": "Arvo ei ole oikeassa muodossa.",
    "minLength": "Arvo on liian lyhyt.",
    "maxLength": "Arvo on liian pitkä.",
    "pattern": "Arvo ei ole oikeassa muodossa.",
    "minItems": "Valitse vähintään yksi.",
    "uniqueItems": "Sama vaihtoehto on valittu kahdesti.",
}


def validate_submission(schema: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, str]:
    """Return field name -> Finnish message for every invalid field (empty when valid)."""
    validator_class = validators.validator_for(schema)
    validator = validator_class(schema, format_checker=_FORMAT_CHECKER)
    errors: dict[str, str] = {}
    for error in sorted(validator.iter_errors(dict(data)), key=lambda e: list(e.path)):
        field = _field_of(error)
        errors.setdefault(field, _message(error))
    return errors


def _field_of(error: ValidationError) -> str:
    if error.validator == "required" and not error.path:
        present = error.instance if isinstance(error.instance, dict) else {}
        required = error.validator_value if isinstance(error.validator_value, list) else []
        missing = [name for name in required if name not in present]
        return str(missing[0]) if missing else "form"
    return str(error.path[0]) if error.path else "form"


def _message(error: ValidationError) -> str:
    kind = str(error.validator)
    if kind == "type":
        expected = error.validator_value
        if expected == "integer":
            return "Arvon on oltava kokonaisluku."
        if expected == "number":
            return "Arvon on oltava luku."
    if kind == "format" and error.validator_value == "date":
        return "Päivämäärä muodossa VVVV-KK-PP."
    if kind == "minimum":
        return f"Arvo on liian pieni (vähintään {error.validator_value})."
    if kind == "maximum":
        return f"Arvo on liian suuri (enintään {error.validator_value})."
    return MESSAGES.get(kind, "Arvo ei kelpaa.")


def describe_data(
    schemas: Sequence[Mapping[str, Any]], data: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """Return (label, readable value) pairs for data, labelled and ordered by the forms' fields."""
    known: dict[str, Mapping[str, Any]] = {}
    for schema in schemas:
        for name, prop in (schema.get("properties") or {}).items():
            known.setdefault(name, prop)
    ordered = [n for n in known if n in data] + sorted(n for n in data if n not in known)
    return [
        (str(known.get(name, {}).get("title") or name), _readable(known.get(name, {}), data[name]))
        for name in ordered
        if not name.startswith("spiff__") and data[name] not in (None, "", [])
    ]


def _readable(prop: Mapping[str, Any], value: Any) -> str:
    items = prop.get("items") if isinstance(value, list) else prop
    choices = (items or {}).get("oneOf") or (items or {}).get("anyOf") or []
    titles = {c.get("const"): c.get("title") for c in choices if isinstance(c, dict)}
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_readable({}, v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_readable(items or {}, v) for v in value)
    if isinstance(value, bool):
        return "kyllä" if value else "ei"
    if isinstance(value, str | int | float):
        return str(titles.get(value, value))
    return str(value)
