"""Every text of a diagram and its forms that a person reads: what its catalogue must translate."""

from __future__ import annotations

import ast
import json
import re

from lxml import etree

from sote_flow.domain.diagram_texts import (
    TRANSLATED_LOCALES,
    Catalog,
    form_strings,
    is_translations_file,
    parse_catalog,
    translations_file_name,
)
from sote_flow.engine.bundle import ProcessBundle
from sote_flow.engine.case_rules import CASE_CLOCKS, CASE_MILESTONES, queue_rules
from sote_flow.engine.parsing_prepare import BPMN_NS, xml_parser

SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
# Elements whose name staff see: tasks, events, gateways, flows, the process itself. Lanes are
# left out: a lane is named by its group's key, and groups carry their own fi/sv/en names.
_NAMED = re.compile(
    r"(Task|task|Event|Gateway|sequenceFlow|subProcess|callActivity|process|participant)$"
)
_FORM_KEYS = ("formJsonSchemaFilename", "formUiSchemaFilename")
TEXT_FUNCTION = "text"  # engine.functions.text: a translatable text with values


def diagram_strings(xml: bytes) -> set[str]:
    """Return the names, instructions, case clock/milestone labels and `text(...)` templates
    (mail subjects and bodies) a diagram shows."""
    root = etree.fromstring(xml, parser=xml_parser())
    found: set[str] = set()
    for element in root.iter(f"{{{BPMN_NS}}}*"):
        local = etree.QName(element).localname
        name = (element.get("name") or "").strip()
        if name and _NAMED.search(local):
            found.add(name)
    for element in root.iter(f"{{{SPIFF_NS}}}instructionsForEndUser"):
        if (element.text or "").strip():
            found.add(element.text or "")
    for element in root.iter(f"{{{SPIFF_NS}}}property"):
        name, value = element.get("name"), element.get("value") or ""
        if name in (CASE_CLOCKS, CASE_MILESTONES):
            rules = queue_rules({name: value})
            found.update(clock.label for clock in rules.clocks)
            found.update(clock.basis for clock in rules.clocks)
            found.update(milestone.label for milestone in rules.milestones)
    for element in root.iter(f"{{{SPIFF_NS}}}parameter"):
        found.update(text_templates(element.get("value") or ""))
    return found


def text_templates(expression: str) -> set[str]:
    """Return the Finnish templates of the `text('…', …)` calls in an expression (a service
    task's parameter, e.g. a mail's subject): each reader gets them in their language."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError:  # reported by deploy validation; nothing to translate here
        return set()
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == TEXT_FUNCTION
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
        and node.args[0].value.strip()
    }


def form_files(xml: bytes) -> set[str]:
    """Return the form and UI schema files a diagram names."""
    root = etree.fromstring(xml, parser=xml_parser())
    return {
        (element.text or "").strip()
        for key in _FORM_KEYS
        for element in root.iter(f"{{{SPIFF_NS}}}{key}")
        if (element.text or "").strip()
    }


def bundle_strings(bundle: ProcessBundle) -> set[str]:
    """Return every text a person reads in a bundle's diagram and the forms it names."""
    (main,) = bundle.bpmn_files
    xml = bundle.files[main]
    found = diagram_strings(xml)
    for name in form_files(xml):
        if name in bundle.files and not is_translations_file(name):
            found |= form_strings(json.loads(bundle.files[name]))
    return found


def bundle_catalog(bundle: ProcessBundle) -> Catalog:
    """Return the translation catalogue carried in a bundle (empty when it has none)."""
    (main,) = bundle.bpmn_files
    return parse_catalog(bundle.files.get(translations_file_name(main)))


def untranslated(bundle: ProcessBundle) -> dict[str, list[str]]:
    """Return, per locale, the bundle's texts its catalogue does not translate."""
    strings, catalog = bundle_strings(bundle), bundle_catalog(bundle)
    return {
        locale: sorted(text for text in strings if text not in catalog.get(locale, {}))
        for locale in TRANSLATED_LOCALES
    }


def stale_translations(bundle: ProcessBundle) -> dict[str, list[str]]:
    """Return, per locale, catalogue entries whose Finnish text the bundle no longer shows."""
    strings, catalog = bundle_strings(bundle), bundle_catalog(bundle)
    return {
        locale: sorted(text for text in catalog.get(locale, {}) if text not in strings)
        for locale in TRANSLATED_LOCALES
    }
