"""Every text a diagram or its forms show has Swedish and English in the diagram's sidecar
(processes/<process>.translations.json), and the sidecar holds nothing no longer shown."""

from __future__ import annotations

import json

import pytest

from sote_flow.domain.diagram_texts import (
    catalog_problems,
    form_strings,
    translate_schema,
    translate_text,
    translate_ui_schema,
    translate_value,
    translations_file_name,
)
from sote_flow.domain.errors import DeployRefused
from sote_flow.domain.roles import Role
from sote_flow.engine.bundle import ProcessBundle, bundle_from_diagram
from sote_flow.engine.diagram_strings import (
    bundle_strings,
    diagram_strings,
    stale_translations,
    untranslated,
)
from sote_flow.engine.validation import DeployCatalog, validate_bundle
from sote_flow.registry import all_handlers
from sote_flow.services.demo import DEMO_GROUPS
from tests.support.paths import PROCESSES

DIAGRAMS = sorted(PROCESSES.glob("*.bpmn"))
CATALOG = {"sv": {"Palvelu": "Tjänst", "Kotihoito": "Hemvård"}, "en": {"Palvelu": "Service"}}


@pytest.mark.parametrize("diagram", DIAGRAMS, ids=[d.stem for d in DIAGRAMS])
def test_every_shown_text_has_swedish_and_english(diagram):
    bundle = bundle_from_diagram(diagram)
    sidecar = translations_file_name(diagram.name)
    assert sidecar in bundle.files, f"{sidecar} puuttuu"
    missing = {locale: texts for locale, texts in untranslated(bundle).items() if texts}
    assert not missing, f"{sidecar}: käännös puuttuu: " + json.dumps(
        missing, ensure_ascii=False, indent=1
    )


@pytest.mark.parametrize("diagram", DIAGRAMS, ids=[d.stem for d in DIAGRAMS])
def test_sidecar_holds_no_stale_entries(diagram):
    stale = {k: v for k, v in stale_translations(bundle_from_diagram(diagram)).items() if v}
    assert not stale, f"{translations_file_name(diagram.name)}: ei enää käytössä: " + json.dumps(
        stale, ensure_ascii=False, indent=1
    )


def test_strings_cover_names_instructions_and_case_labels():
    strings = diagram_strings((PROCESSES / "client_case.bpmn").read_bytes())
    assert "Tee päätös" in strings  # a user task
    assert "Päätös?" in strings  # a gateway
    assert "Myönteinen" in strings  # a sequence flow
    assert "Asiakkuus: vireilletulosta palveluun" in strings  # the process
    assert any(text.startswith("Tee päätös palveluista.") for text in strings)  # instructions
    assert "Palvelutarpeen arviointi alkaa" in strings  # a legal clock's label
    assert "SHL 36 §" in strings  # its legal basis
    assert "Arviointi aloitettu" in strings  # a milestone
    assert "sosiaalityontekijat" not in strings  # a lane is a group key, named by the group


def test_form_strings_skip_field_names_and_values():
    schema = {
        "title": "Lomake",
        "properties": {
            "title": {"type": "string", "title": "Otsikko", "default": "oletus"},
            "choice": {
                "type": "string",
                "oneOf": [{"const": "a", "title": "Vaihtoehto A"}],
                "description": "Ohje",
            },
        },
    }
    ui = {"choice": {"ui:help": "Apu", "ui:placeholder": "esim.", "ui:widget": "radio"}}
    assert form_strings(schema) == {"Lomake", "Otsikko", "Vaihtoehto A", "Ohje"}
    assert form_strings(ui) == {"Apu", "esim."}


def test_bundle_strings_read_only_the_forms_the_diagram_names():
    bundle = bundle_from_diagram(PROCESSES / "service_order.bpmn")
    files = dict(bundle.files)
    files["unused.json"] = b'{"title": "Ei kaaviossa"}'
    assert "Ei kaaviossa" not in bundle_strings(ProcessBundle(files))


def test_translate_text_falls_back_to_finnish():
    assert translate_text(CATALOG, "sv", "Palvelu") == "Tjänst"
    assert translate_text(CATALOG, "en", "Kotihoito") == "Kotihoito"
    assert translate_text(CATALOG, "fi", "Palvelu") == "Palvelu"
    assert translate_text({}, "sv", "Palvelu") == "Palvelu"
    assert translate_value(CATALOG, "sv", "Palvelu, Kotihoito, muu") == "Tjänst, Hemvård, muu"


def test_translate_schema_changes_texts_not_values():
    schema = {
        "type": "object",
        "required": ["service"],
        "properties": {
            "service": {
                "type": "string",
                "title": "Palvelu",
                "oneOf": [{"const": "kotihoito", "title": "Kotihoito"}],
            },
            "needs": {"type": "array", "items": {"enum": ["Palvelu"], "enumNames": ["Palvelu"]}},
        },
    }
    translated = translate_schema(CATALOG, "sv", schema)
    service = translated["properties"]["service"]
    assert service["title"] == "Tjänst"
    assert service["oneOf"] == [{"const": "kotihoito", "title": "Hemvård"}]
    assert translated["properties"]["needs"]["items"] == {
        "enum": ["Palvelu"],
        "enumNames": ["Tjänst"],
    }
    assert schema["properties"]["service"]["title"] == "Palvelu"  # the original is untouched
    assert translate_schema(CATALOG, "fi", schema) == schema
    ui = translate_ui_schema(CATALOG, "sv", {"service": {"ui:help": "Kotihoito", "ui:order": []}})
    assert ui == {"service": {"ui:help": "Hemvård", "ui:order": []}}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"{nope", "ei ole kelvollista JSONia"),
        (b"[]", "on oltava JSON-olio"),
        (b'{"de": {}}', "tuntematon kieli ”de”"),
        (b'{"sv": {"Palvelu": 1}}', "Kielen ”sv” käännösten"),
        (b'{"en": ["Palvelu"]}', "Kielen ”en” käännösten"),
    ],
)
def test_catalog_problems_are_named_in_finnish(content, expected):
    problems = catalog_problems(content)
    assert problems and expected in problems[0]


def test_deploy_refuses_a_broken_sidecar_naming_the_file():
    files = dict(bundle_from_diagram(PROCESSES / "client_case.bpmn").files)
    files["client_case.translations.json"] = b'{"sv": {"Palvelu": ["Tj\xc3\xa4nst"]}}'
    catalog = DeployCatalog(
        operators=frozenset(all_handlers()),
        groups=frozenset(DEMO_GROUPS),
        roles=frozenset(role.value for role in Role),
    )
    with pytest.raises(DeployRefused) as refused:
        validate_bundle(ProcessBundle(files), catalog)
    (problem,) = refused.value.problems
    assert problem.file == "client_case.translations.json"
    assert "sv" in problem.message
