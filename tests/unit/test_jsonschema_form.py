"""Forms rendered from JSON Schema: fields, submission parsing, validation messages, markup."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader

from sote_flow.domain.forms import check_form_schema, describe_data, validate_submission
from sote_flow.web.jsonschema_form import form_fields, parse_submission
from tests.support.paths import PROCESSES

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "sote_flow" / "web" / "templates"
ORDER = json.loads((PROCESSES / "service_order-order.json").read_text())
ORDER_UI = json.loads((PROCESSES / "service_order-order.uischema.json").read_text())
DRAFT_07 = "http://json-schema.org/draft-07/schema#"
SMALL = {
    "type": "object",
    "required": ["count", "when"],
    "properties": {
        "count": {"type": "integer", "title": "Määrä", "minimum": 1, "maximum": 9},
        "ratio": {"type": ["number", "null"], "title": "Osuus"},
        "ok": {"type": "boolean", "title": "Tarkistettu"},
        "when": {"type": "string", "format": "date", "title": "Päivä"},
        "size": {"type": "string", "enum": ["S", "M", "L", "XL"]},
        "tags": {"type": "array", "items": {"type": "integer", "enum": [1, 2]}},
        "note": {"type": "string", "description": "Vapaa teksti"},
        "token": {"type": "string"},
        "shown": {"type": "string", "title": "Näytetään", "readOnly": True},
    },
}
SMALL_UI = {"note": {"ui:placeholder": "esim. soitto"}, "token": {"ui:widget": "hidden"}}


def test_fields_follow_ui_order_and_widgets():
    fields = {f.name: f for f in form_fields(ORDER, ORDER_UI)}
    assert list(fields) == ORDER_UI["ui:order"]
    assert fields["urgency"].kind == "radio" and fields["urgency"].required
    assert fields["urgency"].help == "Kiireellinen tilaus nousee jonon kärkeen."
    assert fields["municipality"].kind == "select"
    assert ("Kotka", "Kotka") in fields["municipality"].options
    assert fields["needs"].kind == "checkboxes"
    assert ("arjen_hallinta", "Arjen hallinta") in fields["needs"].options
    assert fields["desired_start"].kind == "date" and not fields["desired_start"].required
    assert fields["desired_start"].help.startswith("Ennakoivassa")  # from the description
    assert fields["description"].kind == "textarea"


def test_field_kinds_without_a_ui_schema():
    fields = {f.name: f for f in form_fields(SMALL, SMALL_UI)}
    kinds = {name: f.kind for name, f in fields.items()}
    assert kinds == {
        "count": "integer",
        "ratio": "number",
        "ok": "boolean",
        "when": "date",
        "size": "select",  # more than three choices
        "tags": "checkboxes",
        "note": "text",
        "token": "hidden",
        "shown": "readonly",
    }
    assert (fields["count"].minimum, fields["count"].maximum) == (1, 9)
    assert fields["size"].label == "size" and ("XL", "XL") in fields["size"].options
    assert fields["tags"].options == [("1", "1"), ("2", "2")]
    assert fields["note"].placeholder == "esim. soitto" and fields["note"].help == "Vapaa teksti"


def test_submission_is_converted_to_schema_types():
    form = {
        "count": [" 7 "],
        "ratio": ["2,5"],
        "ok": ["on"],
        "tags": ["1", "2"],
        "when": ["2026-03-01"],
        "note": ["   "],
        "shown": ["tampered"],
        "unknown": ["x"],
    }
    assert parse_submission(SMALL, form) == {
        "count": 7,
        "ratio": 2.5,
        "ok": True,
        "tags": [1, 2],
        "when": "2026-03-01",
    }
    assert parse_submission(SMALL, {}) == {"ok": False}


@pytest.mark.parametrize("typed", ["abc", "1.5", "nan", "inf"])
def test_values_that_do_not_convert_stay_text_for_validation(typed):
    data = parse_submission(SMALL, {"count": [typed], "when": ["2026-01-01"]})
    assert data["count"] == typed
    assert validate_submission(SMALL, data) == {"count": "Arvon on oltava kokonaisluku."}


def test_validation_messages_are_finnish_and_per_field():
    errors = validate_submission(
        ORDER, {"client_number": "123", "urgency": "heti", "desired_start": "1.2.2026", "needs": []}
    )
    assert errors == {
        "municipality": "Pakollinen tieto puuttuu.",
        "law": "Pakollinen tieto puuttuu.",
        "service": "Pakollinen tieto puuttuu.",
        "producer_group": "Pakollinen tieto puuttuu.",
        "urgency": "Valitse jokin annetuista vaihtoehdoista.",
        "desired_start": "Päivämäärä muodossa VVVV-KK-PP.",
        "needs": "Valitse vähintään yksi.",
    }


def test_limits_dates_and_lengths_are_named_in_the_message():
    errors = validate_submission(
        SMALL, {"count": 0, "when": "2026-02-30", "ratio": "x", "size": "XXL"}
    )
    assert errors == {
        "count": "Arvo on liian pieni (vähintään 1).",
        "when": "Päivämäärä muodossa VVVV-KK-PP.",
        "ratio": "Arvon on oltava luku.",
        "size": "Valitse jokin annetuista vaihtoehdoista.",
    }
    long_text = {"client_number": "1", "description": "x" * 2001}
    assert validate_submission(ORDER, long_text)["description"] == (
        "Arvo on liian pitkä (enintään 2000 merkkiä)."
    )
    assert validate_submission(SMALL, {"count": 3, "when": "2026-02-28"}) == {}


def test_the_draft_named_by_dollar_schema_is_used():
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
        "dependencies": {"a": ["b"]},  # a draft-07 keyword; 2020-12 ignores it
    }
    assert validate_submission(schema, {"a": "x"}) == {}
    draft_07 = {"$schema": DRAFT_07, **schema}
    assert validate_submission(draft_07, {"a": "x"}) == {"b": "Pakollinen tieto puuttuu."}


def test_usable_form_schemas_have_no_problems():
    assert check_form_schema(ORDER) == []
    assert check_form_schema(SMALL) == []
    assert check_form_schema({"$schema": DRAFT_07, **SMALL}) == []


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ([], "on oltava JSON-olio"),
        ({"$schema": "http://json-schema.org/draft-04/schema#"}, "ei ole tuettu"),
        ({"type": "object", "properties": {"a": {"type": "strng"}}}, "properties/a/type"),
        ({"type": "object", "properties": {"a": {"minimum": "1"}}}, "Ei kelvollinen JSON Schema"),
        ({"type": "object", "properties": {"a": {"pattern": "("}}}, "Ei kelvollinen JSON Schema"),
        ({"type": "array"}, '"type": "object"'),
        ({"properties": {}}, '"type": "object"'),
        ({"type": "object", "properties": {"a": {"type": "object"}}}, "'a' on tyyppiä 'object'"),
        ({"type": "object", "properties": {"a": {"type": "array"}}}, "valintalistat"),
        ({"type": "object", "properties": {"a": True}}, "'a' on oltava skeemaolio"),
        ({"type": "object", "properties": {"a": {"title": "A"}}}, "'a' ei ole tyyppiä"),
        ({"type": "object", "properties": {}, "required": ["x"]}, "'x' puuttuu kentistä"),
    ],
)
def test_unusable_form_schemas_are_explained(schema, expected):
    problems = check_form_schema(schema)
    assert len(problems) == 1 and expected in problems[0], problems


class _Elements(HTMLParser):
    """Collects the start tags of a fragment as (tag, attributes) in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def render(fields, values, errors) -> str:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True)
    env.globals["_"] = lambda text: text
    return str(env.get_template("_form.html").module.render_fields(fields, values, errors))


def test_markup_labels_every_input_and_marks_required_in_text():
    html = render(form_fields(ORDER, ORDER_UI), {}, {})
    parser = _Elements()
    parser.feed(html)
    labelled = {a["for"] for tag, a in parser.tags if tag == "label"}
    inputs = [a for tag, a in parser.tags if tag in ("input", "select", "textarea")]
    assert inputs and all(a["id"] in labelled for a in inputs)
    assert '<label for="client_number">Asiakasnumero <span class="required">(pakollinen)' in html
    assert '<label for="description">Kuvaus</label>' in html  # optional: no marker
    assert 'id="client_number" name="client_number" required' in html
    legend = '<legend class="hds-fieldset-legend">'
    assert f"{legend}Kiireellisyys <span" in html and f"{legend}Muutostarpeet <span" in html
    assert 'type="radio"' in html and 'type="checkbox"' in html and 'type="date"' in html
    assert '<option value="">— valitse —</option>' in html
    assert 'aria-describedby="client_number-help"' in html
    assert "aria-invalid" not in html and "-error" not in html


def test_errors_sit_by_their_field_and_are_linked():
    errors = {"client_number": "Pakollinen tieto puuttuu.", "urgency": "Valitse."}
    html = render(form_fields(ORDER, ORDER_UI), {}, errors)
    label, help_text, error, field = (
        html.index('<label for="client_number">'),
        html.index('id="client_number-help"'),
        html.index('<p class="error" id="client_number-error">Pakollinen tieto puuttuu.</p>'),
        html.index('<input id="client_number"'),
    )
    assert label < help_text < error < field
    assert 'aria-describedby="client_number-help client_number-error" aria-invalid="true"' in html
    fieldset = re.search(
        r'<fieldset class="field hds-fieldset"([^>]*)>\s*<legend[^>]*>Kiireellisyys', html
    )
    assert fieldset and 'aria-describedby="urgency-help urgency-error"' in fieldset.group(1)
    invalid = 'required aria-invalid="true" class="hds-radio-button__input">'
    assert html.count('name="urgency" value=') == html.count(invalid) == 3


def test_values_are_filled_back_in():
    values = {"count": 0, "note": "<soitto>", "size": "M", "tags": [2], "ok": True, "shown": "x"}
    html = render(form_fields(SMALL, SMALL_UI), values, {"count": "Arvo on liian pieni."})
    assert 'type="number" value="0" min="1" max="9" class="hds-text-input__input">' in html
    assert 'value="&lt;soitto&gt;"' in html and 'placeholder="esim. soitto"' in html
    assert '<option value="M" selected>M</option>' in html
    assert re.search(r'name="tags" value="2" checked', html)
    assert not re.search(r'name="tags" value="1" checked', html)
    assert re.search(r'id="ok" name="ok" value="true" checked', html)
    assert '<input type="hidden" name="token" value="">' in html
    assert '<p class="label" id="shown">Näytetään</p><p>x</p>' in html


def test_data_is_described_with_titles():
    described = dict(
        describe_data(
            [ORDER],
            {"municipality": "Kotka", "needs": ["muu"], "order_number": "PT-1", "spiff__x": 1},
        )
    )
    # order_number is declared by another form, spiff__x by none: neither is shown.
    assert described == {"Asuinkunta": "Kotka", "Muutostarpeet": "Muu"}


def test_a_choice_that_follows_another_carries_its_rules():
    fields = {f.name: f for f in form_fields(ORDER, ORDER_UI)}
    rules = fields["producer_group"].option_rules["service"]
    assert rules["perhetyo"] == ["lapsiperheiden_avopalvelut"]
    assert rules["psykososiaalinen_kotikuntoutus"] == ["psykososiaalinen_kotikuntoutus"]
    assert fields["service"].option_rules == {}
