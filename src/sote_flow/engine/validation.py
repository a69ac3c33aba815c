"""Deploy-time validation: a bundle either parses into a runnable process or is refused whole."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring
from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.mixins.service_task import ServiceTask
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask

from sote_flow.domain.diagram_texts import catalog_problems, is_translations_file
from sote_flow.domain.errors import DeployProblem, DeployRefused
from sote_flow.domain.forms import check_form_schema
from sote_flow.engine.bundle import ALLOWED_SUFFIXES, ProcessBundle
from sote_flow.engine.case_rules import CASE_GROUP, CASE_URGENT
from sote_flow.engine.cases import case_declaration_problems
from sote_flow.engine.group_references import references_in
from sote_flow.engine.parsing import ParsedProcess, parse_bundle
from sote_flow.engine.parsing_prepare import prepare_diagram, xml_parser
from sote_flow.engine.tasks import start_event_spec, task_properties
from sote_flow.engine.validation_expressions import expression_problems
from sote_flow.engine.validation_foreign import foreign_extension_warnings
from sote_flow.engine.validation_structure import schema_problems, structure_problems


@dataclass(frozen=True)
class DeployCatalog:
    """What a diagram may refer to: registered operators, existing groups, known roles."""

    operators: frozenset[str]
    groups: frozenset[str]
    roles: frozenset[str]
    max_file_bytes: int = 2_000_000
    # Existing groups nobody belongs to: a task there would wait for no one, so deploy warns.
    empty_groups: frozenset[str] = frozenset()


@dataclass(frozen=True)
class DeployCheck:
    """A bundle that passed validation, and what deploy should tell about it anyway."""

    parsed: ParsedProcess
    warnings: tuple[DeployProblem, ...] = ()


def validate_bundle(bundle: ProcessBundle, catalog: DeployCatalog) -> ParsedProcess:
    """Return the parsed process, or raise DeployRefused listing every problem found."""
    return check_bundle(bundle, catalog).parsed


def check_bundle(bundle: ProcessBundle, catalog: DeployCatalog) -> DeployCheck:
    """Validate a bundle: its parsed process and warnings, or DeployRefused with every problem."""
    problems = list(_check_files(bundle, catalog))
    if problems:
        raise DeployRefused(problems)
    (main,) = bundle.bpmn_files
    xml = bundle.files[main]

    def located(found: Iterable[tuple[str | None, str]]) -> list[DeployProblem]:
        return [DeployProblem(main, element, message) for element, message in found]

    root = etree.fromstring(xml, parser=xml_parser())
    structural, notes = structure_problems(root)
    problems = [
        *located(schema_problems(xml)),
        *located(structural),
        *located(expression_problems(root)),
    ]
    warnings = [
        *located(notes),
        *located(prepare_diagram(xml).notes),
        *located(foreign_extension_warnings(root)),
        *located(_empty_group_warnings(root, catalog)),
    ]
    parsed = None
    try:
        parsed = parse_bundle(bundle)
    except ValidationException as exc:
        reported = {problem.element_id for problem in problems}
        element = getattr(exc, "id", None) or None
        if not problems or (element is not None and element not in reported):
            problems.append(_from_validation_exception(exc, main))
    except (etree.LxmlError, LookupError, ValueError) as exc:
        if not problems:
            problems.append(DeployProblem(main, None, f"Kaavio ei jäsenny: {_plain(str(exc))}"))
    if parsed is not None:
        problems.extend(_check_elements(parsed, catalog))
    if problems:
        raise DeployRefused(list(dict.fromkeys(problems)))
    assert parsed is not None
    return DeployCheck(parsed, tuple(dict.fromkeys(warnings)))


def _check_files(bundle: ProcessBundle, catalog: DeployCatalog) -> Iterator[DeployProblem]:
    if len(bundle.bpmn_files) != 1:
        yield DeployProblem("", None, "Lähetä täsmälleen yksi .bpmn-tiedosto ja sen lomakkeet.")
    for name, content in sorted(bundle.files.items()):
        if not name.endswith(ALLOWED_SUFFIXES):
            yield DeployProblem(
                name, None, "Tiedostotyyppi ei kelpaa (sallitut: .bpmn .json .dmn)."
            )
        elif not content.strip():
            yield DeployProblem(name, None, "Tiedosto on tyhjä.")
        elif name.endswith((".bpmn", ".dmn")) and not content.lstrip().startswith(b"<"):
            yield DeployProblem(
                name, None, "Tiedosto ei ole XML-tiedosto: lähetä kaavio .bpmn-muodossa."
            )
        elif not _is_utf8(content):
            yield DeployProblem(name, None, "Tiedoston merkistön on oltava UTF-8.")
        elif len(content) > catalog.max_file_bytes:
            limit_kb = catalog.max_file_bytes // 1000
            yield DeployProblem(name, None, f"Tiedosto on liian suuri (enintään {limit_kb} kt).")
        elif name.endswith((".bpmn", ".dmn")):
            yield from _check_xml(name, content)
        else:
            yield from _check_json(name, content)


def _is_utf8(content: bytes) -> bool:
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _check_xml(name: str, content: bytes) -> Iterator[DeployProblem]:
    try:
        defused_fromstring(content, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        yield DeployProblem(name, None, "XML sisältää DTD:n tai entiteettejä, joita ei sallita.")
    except ParseError as exc:
        line, column = exc.position
        yield DeployProblem(
            name, None, f"XML ei ole hyvin muodostettu (rivi {line}, sarake {column})."
        )


def _check_json(name: str, content: bytes) -> Iterator[DeployProblem]:
    if is_translations_file(name):
        yield from (DeployProblem(name, None, problem) for problem in catalog_problems(content))
        return
    try:
        schema = json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        yield DeployProblem(name, None, f"Lomake ei ole kelvollista JSONia: {exc}")
        return
    if name.endswith("uischema.json"):
        return
    for problem in check_form_schema(schema):
        yield DeployProblem(name, None, f"Lomake ei kelpaa: {problem}")


def _check_elements(parsed: ParsedProcess, catalog: DeployCatalog) -> Iterator[DeployProblem]:
    (main,) = parsed.bundle.bpmn_files
    for spec in _all_specs(parsed):
        for task_spec in spec.task_specs.values():
            element = getattr(task_spec, "bpmn_id", None)
            if element is None:
                continue
            yield from (
                DeployProblem(main, element, message)
                for message in _element_problems(task_spec, parsed.bundle, catalog)
            )
    for element, message in case_declaration_problems(parsed.spec, parsed.subprocess_specs):
        # Expressions are checked, in Finnish, with all the others (validation_expressions).
        if not message.startswith((f"Lauseke {CASE_URGENT} ", f"Lauseke {CASE_GROUP} ")):
            yield DeployProblem(main, element, message)
    start = start_event_spec(parsed.spec)
    if start is not None and not task_properties(start).get("startRoles", "").strip():
        yield DeployProblem(
            main,
            start.bpmn_id,
            "Alkutapahtumalta puuttuu ominaisuus startRoles: luettele roolit, jotka voivat "
            "aloittaa prosessin (esim. social_worker). Ilman sitä kukaan ei voisi aloittaa sitä.",
        )


def _element_problems(
    task_spec: Any, bundle: ProcessBundle, catalog: DeployCatalog
) -> Iterator[str]:
    extensions: dict[str, Any] = getattr(task_spec, "extensions", {}) or {}
    for key in ("formJsonSchemaFilename", "formUiSchemaFilename"):
        file_name = extensions.get(key)
        if file_name and file_name not in bundle.files:
            yield f"Lomaketiedosto {file_name} puuttuu; lähetä se kaavion mukana."
    if isinstance(task_spec, ServiceTask):
        operator = getattr(task_spec, "operation_name", None)
        if operator is not None and operator not in catalog.operators:
            known = ", ".join(sorted(catalog.operators)) or "ei yhtään"
            yield (
                f"Palvelutehtävän operaattoria ”{operator}” ei ole rekisteröity: valitse "
                f"jokin tunnetuista ({known})."
            )
    properties = task_properties(task_spec)
    if isinstance(task_spec, UserTask) or getattr(task_spec, "manual", False):
        if task_spec.lane is None and "group" not in properties and "assignee" not in properties:
            yield "Käyttäjätehtävä ei ole millään kaistalla (kaista = ryhmä, joka tekee tehtävän)."
        elif task_spec.lane is not None and task_spec.lane not in catalog.groups:
            yield (
                f"Kaistan nimi ”{task_spec.lane}” ei ole tunnettu ryhmä: nimeä kaista "
                "olemassa olevan ryhmän mukaan, tai pääkäyttäjä voi lisätä ryhmän "
                "sivulla Ryhmät."
            )
    for role in _split(properties.get("startRoles", "")):
        if role not in catalog.roles:
            yield f"Tuntematon rooli ”{role}” ominaisuudessa startRoles: käytä tunnettua roolia."


def _empty_group_warnings(
    root: etree._Element, catalog: DeployCatalog
) -> Iterator[tuple[str | None, str]]:
    for element, name in references_in(root):
        if name in catalog.empty_groups:
            yield (
                element,
                f"Ryhmässä ”{name}” ei ole yhtään jäsentä: sen tehtäviä ei näe kukaan ennen "
                "kuin pääkäyttäjä lisää ryhmään jäseniä (sivu Ryhmät).",
            )


def _all_specs(parsed: ParsedProcess) -> Iterator[Any]:
    yield parsed.spec
    yield from (spec for spec in parsed.subprocess_specs.values() if spec is not None)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _from_validation_exception(exc: ValidationException, file_name: str) -> DeployProblem:
    element = getattr(exc, "id", None) or None
    file_name = getattr(exc, "file_name", None) or file_name
    line = getattr(exc, "line_number", "")
    where = f" (rivi {line})" if line else ""
    detail = ". ".join([str(exc.args[0]) if exc.args else "", *exc.notes]).strip(". ")
    return DeployProblem(
        file_name, element, f"SpiffWorkflow ei hyväksy kaaviota{where}: {_plain(detail)}."
    )


def _plain(text: str) -> str:
    """One line without Python reprs: ValueError('x') reads ValueError: x."""
    text = " ".join(text.split())
    text = re.sub(r"\b(\w+(?:Error|Exception))\((['\"])(.*?)\2\)", r"\1: \3", text)
    return text[:300].rstrip(". ")
