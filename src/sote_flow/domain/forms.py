"""Form schemas: check them at deploy, validate submitted data (Finnish messages per field),
and describe stored data with the forms' titles."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from jsonschema import Draft7Validator, Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator

from sote_flow.domain.text import Text, t
from sote_flow.domain.weekdays import FINNISH_TIME

_DIALECTS: dict[str, type[Validator]] = {
    "https://json-schema.org/draft/2020-12/schema": Draft202012Validator,
    "http://json-schema.org/draft-07/schema": Draft7Validator,
    "https://json-schema.org/draft-07/schema": Draft7Validator,
}
_SCALARS = ("string", "integer", "number", "boolean")
_FORMAT_CHECKER = FormatChecker()
_CHOOSE = t("Valitse jokin annetuista vaihtoehdoista.")
_WRONG_SHAPE = t("Arvo ei ole oikeassa muodossa.")
_MESSAGES = {
    "required": t("Pakollinen tieto puuttuu."),
    "dependentRequired": t("Pakollinen tieto puuttuu."),
    "dependencies": t("Pakollinen tieto puuttuu."),
    "enum": _CHOOSE,
    "const": _CHOOSE,
    "oneOf": _CHOOSE,
    "anyOf": _CHOOSE,
    "format": _WRONG_SHAPE,
    "pattern": _WRONG_SHAPE,
    "uniqueItems": t("Sama vaihtoehto on valittu kahdesti."),
}
_TYPE_MESSAGES = {
    "integer": t("Arvon on oltava kokonaisluku."),
    "number": t("Arvon on oltava luku."),
}
_LIMIT_MESSAGES: dict[str, Callable[[str], Text]] = {
    "minimum": lambda limit: t("Arvo on liian pieni (vähintään {limit}).", limit=limit),
    "maximum": lambda limit: t("Arvo on liian suuri (enintään {limit}).", limit=limit),
    "exclusiveMinimum": lambda limit: t("Arvon on oltava suurempi kuin {limit}.", limit=limit),
    "exclusiveMaximum": lambda limit: t("Arvon on oltava pienempi kuin {limit}.", limit=limit),
    "multipleOf": lambda limit: t("Arvon on oltava luvun {limit} monikerta.", limit=limit),
    "minLength": lambda limit: t("Arvo on liian lyhyt (vähintään {limit} merkkiä).", limit=limit),
    "maxLength": lambda limit: t("Arvo on liian pitkä (enintään {limit} merkkiä).", limit=limit),
    "minItems": lambda limit: t("Valitse vähintään {limit}.", limit=limit),
    "maxItems": lambda limit: t("Valitse enintään {limit}.", limit=limit),
}
# Set by the engine, never by a person: no form may ask for them.
SYSTEM_FIELDS = frozenset({"started_by", "round_number"})
# Fields holding a username: shown as the person's name.
USERNAME_FORMAT = "username"
PERSON_FORMATS = frozenset({USERNAME_FORMAT, "family-worker"})
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
            errors.setdefault(name, _declared_message(error, name) or _message(error))
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


def _declared_message(error: ValidationError, name: str) -> str | None:
    # A form may word a rule's refusal itself ("errorMessage" beside the rule, as in ajv-errors):
    # on the failing subschema, or for a missing field on that field's entry of the rule.
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    own = schema.get("errorMessage")
    if error.validator == "required":
        field = (schema.get("properties") or {}).get(name)
        own = field.get("errorMessage") if isinstance(field, Mapping) else None
    return str(own) if isinstance(own, str) and own else None


def _message(error: ValidationError) -> str:
    kind = str(error.validator)
    limit = error.validator_value
    if kind == "type":
        expected = [t for t in (limit if isinstance(limit, list) else [limit]) if t != "null"]
        only = expected[0] if len(expected) == 1 else None
        return _TYPE_MESSAGES.get(str(only), t("Arvo on väärää tyyppiä."))
    if kind == "format" and limit == "date":
        return t("Päivämäärä muodossa VVVV-KK-PP.")
    if kind == "minItems" and limit == 1:
        return t("Valitse vähintään yksi.")
    if kind in _LIMIT_MESSAGES:
        shown = str(limit).replace(".", ",")  # Finnish decimal comma
        return _LIMIT_MESSAGES[kind](shown)
    return _MESSAGES.get(kind, t("Arvo ei kelpaa."))


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
    schemas: Sequence[Mapping[str, Any]],
    data: Mapping[str, Any],
    names: Mapping[str, str] | None = None,
) -> list[tuple[str, str]]:
    """Return (label, readable value) pairs of the data the forms declare, in the forms' order.

    Fields no form declares (the engine's and handlers' own) and fields a form marks
    `"x-card": false` are left out; people's usernames read as their names from `names`.
    """
    known: dict[str, Mapping[str, Any]] = {}
    hidden: set[str] = set()
    for schema in schemas:
        for name, prop in properties_of(schema).items():
            if prop.get("x-card") is False:
                hidden.add(name)
            known.setdefault(name, prop)
    # Set by the application: who started the case.
    known.setdefault("started_by", {"title": "Aloittaja", "format": USERNAME_FORMAT})
    people = names or {}
    return [
        (str(prop.get("title") or name), _readable(prop, data[name], people))
        for name, prop in known.items()
        if name in data and name not in hidden and data[name] not in (None, "", [])
    ]


def person_values(schemas: Sequence[Mapping[str, Any]], data: Mapping[str, Any]) -> list[str]:
    """Return the usernames in `data`'s person fields (for looking up their names at once)."""
    formats = {"started_by": USERNAME_FORMAT}
    for schema in schemas:
        for name, prop in properties_of(schema).items():
            formats.setdefault(name, str(prop.get("format") or ""))
    return [
        str(value)
        for name, value in data.items()
        if formats.get(name) in PERSON_FORMATS and isinstance(value, str) and value
    ]


def describe_value(
    prop: Mapping[str, Any], value: Any, names: Mapping[str, str] | None = None
) -> str:
    """Return one value as a person reads it: option titles, Finnish dates, people's names."""
    return _readable(prop, value, names or {})


def _readable(prop: Mapping[str, Any], value: Any, names: Mapping[str, str]) -> str:
    kind = prop.get("format")
    if isinstance(value, str):
        if kind == "date-time":
            return _finnish_time(value)
        if kind == "date":
            return finnish_date(value)
        if kind in PERSON_FORMATS:
            return names.get(value, value)
    items = prop.get("items") if isinstance(value, list) else prop
    titles = dict(choices(items or {}))
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_readable({}, v, names)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_readable(items or {}, v, names) for v in value)
    if isinstance(value, bool):
        return "kyllä" if value else "ei"
    if isinstance(value, float):
        return titles.get(str(value), str(value).replace(".", ","))  # Finnish decimal comma
    if isinstance(value, str | int):
        return titles.get(str(value), str(value))
    return str(value)


def finnish_date(value: object) -> str:
    """Return a date or ISO date (2026-12-07) as Finnish writes it (7.12.2026); other text as is."""
    if value is None or value == "":
        return ""
    if isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value))
        except ValueError:
            return str(value)
    return f"{day.day}.{day.month}.{day.year}"


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
