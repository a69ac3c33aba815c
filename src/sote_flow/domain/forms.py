"""Form schemas: check them at deploy, validate submitted data (Finnish messages per field),
and describe stored data with the forms' titles."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from jsonschema import Draft7Validator, Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator

from sote_flow.domain.weekdays import FINNISH_TIME

_DIALECTS: dict[str, type[Validator]] = {
    "https://json-schema.org/draft/2020-12/schema": Draft202012Validator,
    "http://json-schema.org/draft-07/schema": Draft7Validator,
    "https://json-schema.org/draft-07/schema": Draft7Validator,
}
_SCALARS = ("string", "integer", "number", "boolean")
_FORMAT_CHECKER = FormatChecker()
_CHOOSE = "Valitse jokin annetuista vaihtoehdoista."
_WRONG_SHAPE = "Arvo ei ole oikeassa muodossa."
_MESSAGES = {
    "required": "Pakollinen tieto puuttuu.",
    "dependentRequired": "Pakollinen tieto puuttuu.",
    "dependencies": "Pakollinen tieto puuttuu.",
    "enum": _CHOOSE,
    "const": _CHOOSE,
    "oneOf": _CHOOSE,
    "anyOf": _CHOOSE,
    "format": _WRONG_SHAPE,
    "pattern": _WRONG_SHAPE,
    "uniqueItems": "Sama vaihtoehto on valittu kahdesti.",
}
_TYPE_MESSAGES = {
    "integer": "Arvon on oltava kokonaisluku.",
    "number": "Arvon on oltava luku.",
}
_LIMIT_MESSAGES = {
    "minimum": "Arvo on liian pieni (vähintään {}).",
    "maximum": "Arvo on liian suuri (enintään {}).",
    "exclusiveMinimum": "Arvon on oltava suurempi kuin {}.",
    "exclusiveMaximum": "Arvon on oltava pienempi kuin {}.",
    "multipleOf": "Arvon on oltava luvun {} monikerta.",
    "minLength": "Arvo on liian lyhyt (vähintään {} merkkiä).",
    "maxLength": "Arvo on liian pitkä (enintään {} merkkiä).",
    "minItems": "Valitse vähintään {}.",
    "maxItems": "Valitse enintään {}.",
}
# Set by the engine, never by a person: no form may ask for them.
SYSTEM_FIELDS = frozenset({"started_by", "round_number"})
# Errors that name no single property are kept under this key.
FORM_ERROR = "form"


def validate_submission(schema: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, str]:
    """Return field name -> Finnish message for every invalid field (empty when valid)."""
    validator = _validator_class(schema)(dict(schema), format_checker=_FORMAT_CHECKER)
    found = validator.iter_errors(dict(data))
    errors: dict[str, str] = {}
    # A wrong type explains the field's other errors, so it is the one shown.
    for error in sorted(found, key=lambda e: e.validator != "type"):
        for name in _fields_of(error):
            errors.setdefault(name, _message(error))
    return errors


def _fields_of(error: ValidationError) -> list[str]:
    if error.path:
        return [str(error.path[0])]
    present = error.instance if isinstance(error.instance, Mapping) else {}
    wanted = error.validator_value
    # jsonschema names the missing property only in its English message; recompute it here.
    if error.validator == "required" and isinstance(wanted, list):
        return [str(name) for name in wanted if name not in present] or [FORM_ERROR]
    if error.validator in ("dependentRequired", "dependencies") and isinstance(wanted, Mapping):
        return [
            str(name)
            for trigger, needed in wanted.items()
            if trigger in present and isinstance(needed, list)
            for name in needed
            if name not in present
        ] or [FORM_ERROR]
    return [FORM_ERROR]


def _message(error: ValidationError) -> str:
    kind = str(error.validator)
    limit = error.validator_value
    if kind == "type":
        expected = [t for t in (limit if isinstance(limit, list) else [limit]) if t != "null"]
        only = expected[0] if len(expected) == 1 else None
        return _TYPE_MESSAGES.get(str(only), "Arvo on väärää tyyppiä.")
    if kind == "format" and limit == "date":
        return "Päivämäärä muodossa VVVV-KK-PP."
    if kind == "minItems" and limit == 1:
        return "Valitse vähintään yksi."
    if kind in _LIMIT_MESSAGES:
        shown = str(limit).replace(".", ",")  # Finnish decimal comma
        return _LIMIT_MESSAGES[kind].format(shown)
    return _MESSAGES.get(kind, "Arvo ei kelpaa.")


def check_form_schema(schema: Any) -> list[str]:
    """Return the problems that make a schema unusable as a form; empty when it is fine."""
    if not isinstance(schema, Mapping):
        return ["Lomakkeen skeeman on oltava JSON-olio."]
    dialect = schema.get("$schema")
    if dialect is not None and _dialect(dialect) is None:
        return [f"$schema {dialect!r} ei ole tuettu: käytä versiota draft 2020-12 tai draft-07."]
    cls = _validator_class(schema)
    metaschema = cls(cls.META_SCHEMA, format_checker=cls.FORMAT_CHECKER)
    invalid = [
        f"Ei kelvollinen JSON Schema kohdassa {'/'.join(map(str, e.path)) or 'ylätaso'}: "
        f"{e.message}"
        for e in metaschema.iter_errors(dict(schema))
    ]
    if invalid:
        return invalid
    if schema.get("type") != "object":
        return ['Lomakkeen skeeman ylätasolla on oltava "type": "object".']
    properties = schema.get("properties") or {}
    problems = [
        f"Kenttä {name!r} {problem}"
        for name, prop in properties.items()
        if (problem := _property_problem(prop))
    ]
    problems += [
        f"Pakollinen kenttä {name!r} puuttuu kentistä (properties)."
        for name in schema.get("required") or []
        if name not in properties
    ]
    problems += [
        f"Kenttä {name!r} on järjestelmän oma tieto; lomake ei voi kysyä sitä."
        for name in properties
        if name in SYSTEM_FIELDS
    ]
    return problems


def _property_problem(prop: Any) -> str | None:
    if not isinstance(prop, Mapping):
        return "on oltava skeemaolio, ei true tai false."
    kind = property_type(prop)
    if kind == "array":
        items = prop.get("items")
        if (
            isinstance(items, Mapping)
            and property_type(items) in (*_SCALARS, None)
            and choices(items)
        ):
            return None
        return "on lista; vain valintalistat (items, jossa enum tai oneOf const) voidaan näyttää."
    if kind in _SCALARS or (kind is None and "type" not in prop and choices(prop)):
        return None
    if "type" not in prop:
        return "ei ole tyyppiä eikä vaihtoehtoja, joten sitä ei voi näyttää."
    return f"on tyyppiä {prop['type']!r}, jota ei voi näyttää lomakkeen kenttänä."


def choices(prop: Any) -> list[tuple[str, str]]:
    """Return (value, label) pairs of a property's enum or oneOf/anyOf consts."""
    if not isinstance(prop, Mapping):
        return []
    choices = prop.get("oneOf") or prop.get("anyOf")
    if choices:
        return [
            (str(c["const"]), str(c.get("title", c["const"])))
            for c in choices
            if isinstance(c, Mapping) and "const" in c
        ]
    return [(str(value), str(value)) for value in prop.get("enum") or []]


def properties_of(schema: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """Return a schema's top-level properties that are schema objects."""
    properties = schema.get("properties") or {}
    return {name: prop for name, prop in properties.items() if isinstance(prop, Mapping)}


def property_type(prop: Mapping[str, Any]) -> str | None:
    """Return a property's single JSON type (["integer", "null"] counts as integer)."""
    kind = prop.get("type")
    if isinstance(kind, list):
        # ["integer", "null"] is an optional integer; other unions have no single input.
        non_null = [k for k in kind if k != "null"]
        kind = non_null[0] if len(non_null) == 1 else None
    return kind if isinstance(kind, str) else None


def _dialect(uri: Any) -> type[Validator] | None:
    return _DIALECTS.get(str(uri).rstrip("#")) if isinstance(uri, str) else None


def _validator_class(schema: Mapping[str, Any]) -> type[Validator]:
    return _dialect(schema.get("$schema")) or Draft202012Validator


def describe_data(
    schemas: Sequence[Mapping[str, Any]], data: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """Return (label, readable value) pairs for data, labelled and ordered by the forms' fields."""
    known: dict[str, Mapping[str, Any]] = {}
    for schema in schemas:
        for name, prop in (schema.get("properties") or {}).items():
            known.setdefault(name, prop)
    known.setdefault("started_by", {"title": "Aloittaja"})  # set by the application
    ordered = [n for n in known if n in data] + sorted(n for n in data if n not in known)
    return [
        (str(known.get(name, {}).get("title") or name), _readable(known.get(name, {}), data[name]))
        for name in ordered
        if not name.startswith("spiff__") and data[name] not in (None, "", [])
    ]


def _readable(prop: Mapping[str, Any], value: Any) -> str:
    if prop.get("format") == "date-time" and isinstance(value, str):
        return _finnish_time(value)
    items = prop.get("items") if isinstance(value, list) else prop
    titles = dict(choices(items or {}))
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_readable({}, v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_readable(items or {}, v) for v in value)
    if isinstance(value, bool):
        return "kyllä" if value else "ei"
    if isinstance(value, str | int | float):
        return titles.get(str(value), str(value))
    return str(value)


def _finnish_time(value: str) -> str:
    # An instant the process recorded (ISO) reads as Finnish local time, e.g. 23.11.2026 klo 10.00.
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        return value
    local = moment.astimezone(FINNISH_TIME)
    return f"{local.day}.{local.month}.{local.year} klo {local.hour}.{local:%M}"
