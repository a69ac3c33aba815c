"""A diagram's own text (task names, instructions, forms) in the page's language.

The catalogue is the one deployed with the instance's process version (or, where a page knows
only the process key, with its newest version); Finnish pages use the diagram's text as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import g
from flask_babel import get_locale

from sote_flow.domain.diagram_texts import (
    EMPTY_CATALOG,
    SOURCE_LOCALE,
    Catalog,
    translate_schema,
    translate_text,
    translate_ui_schema,
    translate_value,
)
from sote_flow.persistence.models import ProcessVersion
from sote_flow.web.deps import platform, unit_of_work

# What a page names the diagram by: a deployed version, a process key, or nothing known.
Source = ProcessVersion | str | None


def page_locale() -> str:
    """Return the request's language code (fi, sv or en)."""
    return str(get_locale() or SOURCE_LOCALE)


def diagram_text(text: Any, source: Source) -> Any:
    """Return a diagram's text (a task name, an instruction) in the page's language."""
    locale = page_locale()
    if locale == SOURCE_LOCALE or not isinstance(text, str):
        return text
    return translate_text(catalog_for(source), locale, text)


def diagram_value(text: Any, source: Source) -> Any:
    """Return a shown value (an option title, or titles joined by commas) in the page's language."""
    locale = page_locale()
    if locale == SOURCE_LOCALE or not isinstance(text, str):
        return text
    return translate_value(catalog_for(source), locale, text)


def localized_form(
    schema: Mapping[str, Any], ui_schema: Mapping[str, Any] | None, source: Source
) -> tuple[Mapping[str, Any], Mapping[str, Any] | None]:
    """Return a form's schema and UI schema with their texts in the page's language."""
    locale = page_locale()
    if locale == SOURCE_LOCALE or source is None:
        return schema, ui_schema
    catalog = catalog_for(source)
    ui = translate_ui_schema(catalog, locale, ui_schema) if ui_schema is not None else None
    return translate_schema(catalog, locale, schema), ui


def catalog_for(source: Source) -> Catalog:
    """Return the catalogue of a version (or of a process key's newest version), once a request."""
    if source is None:
        return EMPTY_CATALOG
    key = ("key", source) if isinstance(source, str) else ("version", source.checksum)
    found: dict[tuple[str, str], Catalog] = g.setdefault("diagram_catalogs", {})
    if key not in found:
        found[key] = _load(source)
    return found[key]


def _load(source: ProcessVersion | str) -> Catalog:
    if isinstance(source, ProcessVersion):
        cached = platform().cached_translations(source.checksum)
        if cached is not None:
            return cached
    # The version a page holds is detached from its session and its files are loaded lazily,
    # so the catalogue is read from a freshly loaded copy the first time.
    with unit_of_work() as uow:
        if isinstance(source, str):
            version = uow.processes.latest(source)
        else:
            version = uow.processes.get(source.id)
        return platform().translations(version) if version is not None else EMPTY_CATALOG
