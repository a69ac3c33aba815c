"""A diagram's own text in Swedish and English: the sidecar catalogue beside each diagram.

`processes/<process>.translations.json` maps each Finnish string of the diagram and its forms
(task names, instructions, form titles, help, option titles) to its translation per locale:
`{"sv": {"Palvelu": "Tjänst"}, "en": {"Palvelu": "Service"}}`. Finnish is the source and needs
no entry; a string without a translation is shown in Finnish.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sote_flow.domain.text import Text

# locale -> Finnish source string -> translated string
Catalog = Mapping[str, Mapping[str, str]]

SOURCE_LOCALE = "fi"
TRANSLATED_LOCALES = ("sv", "en")
TRANSLATIONS_SUFFIX = ".translations.json"
EMPTY_CATALOG: Catalog = {}

# Schema keywords whose value is text a person reads, and those holding nested schemas.
# (errorMessage words a rule's refusal; submitText names a form's action.)
_TEXT_KEYS = ("title", "description", "errorMessage")
_UI_TEXT_KEYS = (
    "ui:help", "ui:placeholder", "ui:title", "ui:description", "submitText", "doneText"
)  # fmt: skip
_SCHEMA_LISTS = ("oneOf", "anyOf", "allOf")
_SCHEMA_VALUES = ("items", "if", "then", "else")


class DiagramText(Text):
    """A Finnish text of a diagram with its values, translated by the version's own catalogue
    (where a plain `Text` is translated by the platform's)."""


def translations_file_name(diagram_file: str) -> str:
    """Return the sidecar file name of a diagram: x.bpmn -> x.translations.json."""
    stem = diagram_file.rsplit(".", 1)[0] if diagram_file.endswith(".bpmn") else diagram_file
    return stem + TRANSLATIONS_SUFFIX


def is_translations_file(name: str) -> bool:
    """True for a diagram's translation catalogue (a .json file that is no form)."""
    return name.endswith(TRANSLATIONS_SUFFIX)


def catalog_problems(content: bytes | str) -> list[str]:
    """Return what is wrong with a catalogue file, in Finnish (empty when it is valid)."""
    try:
        data = json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [f"Käännöstiedosto ei ole kelvollista JSONia: {exc}"]
    if not isinstance(data, dict):
        return ['Käännöstiedoston on oltava JSON-olio: {"sv": {…}, "en": {…}}.']
    problems = []
    for locale, entries in data.items():
        if locale not in TRANSLATED_LOCALES:
            problems.append(
                f"Käännöstiedostossa on tuntematon kieli ”{locale}”: sallitut ovat sv ja en."
            )
        elif not isinstance(entries, dict) or not all(
            isinstance(source, str) and isinstance(text, str) for source, text in entries.items()
        ):
            problems.append(
                f"Kielen ”{locale}” käännösten on oltava suomenkielinen teksti → käännös "
                "-pareja (merkkijonoja)."
            )
    return problems


def parse_catalog(content: bytes | str | None) -> Catalog:
    """Return a catalogue from a sidecar file's content (empty when there is none)."""
    if content is None:
        return EMPTY_CATALOG
    data = json.loads(content)
    return {locale: dict(data.get(locale) or {}) for locale in TRANSLATED_LOCALES}


def translate_text(catalog: Catalog, locale: str, text: str) -> str:
    """Return `text` in `locale` from the catalogue, or unchanged (Finnish) without a match."""
    if locale == SOURCE_LOCALE or not text:
        return text
    return catalog.get(locale, {}).get(text, text)


def translate_value(catalog: Catalog, locale: str, text: str) -> str:
    """Translate a shown value: an option title, or a comma-separated list of them."""
    whole = translate_text(catalog, locale, text)
    if whole != text or ", " not in text:
        return whole
    # A multiple choice reads as its option titles joined with commas (domain.forms).
    return ", ".join(translate_text(catalog, locale, part) for part in text.split(", "))


def translate_schema(catalog: Catalog, locale: str, schema: Mapping[str, Any]) -> dict[str, Any]:
    """Return a copy of a JSON Schema with its titles, descriptions and option titles translated."""
    if locale == SOURCE_LOCALE:
        return dict(schema)
    return _schema(catalog, locale, schema)


def translate_ui_schema(
    catalog: Catalog, locale: str, ui_schema: Mapping[str, Any]
) -> dict[str, Any]:
    """Return a copy of a UI schema with its help texts and placeholders translated."""
    result: dict[str, Any] = {}
    for name, value in ui_schema.items():
        if isinstance(value, Mapping):
            result[name] = translate_ui_schema(catalog, locale, value)
        elif name in _UI_TEXT_KEYS and isinstance(value, str):
            result[name] = translate_text(catalog, locale, value)
        elif name == "ui:enumNames" and isinstance(value, list):
            result[name] = [_text(catalog, locale, item) for item in value]
        else:
            result[name] = value
    return result


def _schema(catalog: Catalog, locale: str, schema: Mapping[str, Any]) -> dict[str, Any]:
    result = dict(schema)
    for key in _TEXT_KEYS:
        if isinstance(schema.get(key), str):
            result[key] = translate_text(catalog, locale, schema[key])
    if isinstance(schema.get("enumNames"), list):
        result["enumNames"] = [_text(catalog, locale, item) for item in schema["enumNames"]]
    properties = schema.get("properties")
    if isinstance(properties, Mapping):
        result["properties"] = {
            name: _schema(catalog, locale, prop) if isinstance(prop, Mapping) else prop
            for name, prop in properties.items()
        }
    for key in _SCHEMA_LISTS:
        if isinstance(schema.get(key), list):
            result[key] = [
                _schema(catalog, locale, item) if isinstance(item, Mapping) else item
                for item in schema[key]
            ]
    for key in _SCHEMA_VALUES:
        if isinstance(schema.get(key), Mapping):
            result[key] = _schema(catalog, locale, schema[key])
    return result


def _text(catalog: Catalog, locale: str, value: Any) -> Any:
    return translate_text(catalog, locale, value) if isinstance(value, str) else value


def form_strings(schema: Mapping[str, Any]) -> set[str]:
    """Return every text a person reads in a JSON Schema or UI schema (what needs translating)."""
    found: set[str] = set()
    _collect(schema, found, in_properties=False)
    return {text for text in found if text.strip()}


def _collect(node: Any, found: set[str], in_properties: bool) -> None:
    if isinstance(node, list):
        for item in node:
            _collect(item, found, in_properties=False)
        return
    if not isinstance(node, Mapping):
        return
    for key, value in node.items():
        # Under "properties" the keys are field names (a field may be called "title").
        if in_properties:
            _collect(value, found, in_properties=False)
            continue
        if key in (*_TEXT_KEYS, *_UI_TEXT_KEYS) and isinstance(value, str):
            found.add(value)
        elif key in ("enumNames", "ui:enumNames") and isinstance(value, list):
            found.update(item for item in value if isinstance(item, str))
        else:
            _collect(value, found, in_properties=key == "properties")
