"""Forms rendered from JSON Schema: fields, submission parsing, validation messages, markup."""

from __future__ import annotations

import json
from pathlib import Path

from jinja2 import Environment, FileSystemLoader

from sote_flow.domain.forms import describe_data, validate_submission
from sote_flow.web.jsonschema_form import form_fields, parse_submission
from tests.support.paths import PROCESSES

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "sote_flow" / "web" / "templates"
ORDER = json.loads((PROCESSES / "service_order-order.json").read_text())
ORDER_UI = json.loads((PROCESSES / "service_order-order.uischema.json").read_text())


def test_fields_follow_ui_order_and_widgets():
    fields = {f.name: f for f in form_fields(ORDER, ORDER_UI)}
    assert list(fields)[:3] == ["client_number", "municipality", "urgency"]
    assert fields["urgency"].kind == "radio" and fields["urgency"].required
    assert fields["municipality"].kind == "select"
    assert ("Kotka", "Kotka") in fields["municipality"].options
    assert fields["needs"].kind == "checkboxes"
    assert ("arjen_hallinta", "Arjen hallinta") in fields["needs"].options
    assert fields["desired_start"].kind == "date" and not fields["desired_start"].required
    assert fields["description"].kind == "textarea"


def test_submission_is_converted_to_schema_types():
    schema = {
        "type": "object",
        "properties": {
            "count": {"type": "integer"},
            "ratio": {"type": "number"},
            "ok": {"type": "boolean"},
            "tags": {"type": "array", "items": {"enum": ["a", "b"]}},
            "note": {"type": "string"},
            "shown": {"type": "string", "readOnly": True},
        },
    }
    form = {
        "count": ["7"],
        "ratio": ["2,5"],
        "ok": ["true"],
        "tags": ["a", "b"],
        "note": [""],
        "shown": ["tampered"],
    }
    assert parse_submission(schema, form) == {
        "count": 7,
        "ratio": 2.5,
        "ok": True,
        "tags": ["a", "b"],
    }


def test_validation_messages_are_finnish_and_per_field():
    errors = validate_submission(
        ORDER, {"client_number": "123", "urgency": "heti", "desired_start": "1.2.2026", "needs": []}
    )
    assert errors["municipality"] == "Pakollinen tieto puuttuu."
    assert errors["urgency"] == "Valitse jokin annetuista vaihtoehdoista."
    assert errors["desired_start"] == "Päivämäärä muodossa VVVV-KK-PP."
    assert errors["needs"] == "Valitse vähintään yksi."


def test_data_is_described_with_titles():
    described = dict(
        describe_data(
            [ORDER],
            {"municipality": "Kotka", "needs": ["muu"], "order_number": "PT-1", "spiff__x": 1},
        )
    )
    assert described == {"Asuinkunta": "Kotka", "Muutostarpeet": "Muu", "order_number": "PT-1"}


def test_markup_links_labels_help_and_errors():
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True)
    env.globals["_"] = lambda text: text
    macro = env.get_template("_form.html").module.render_fields
    html = str(
        macro(form_fields(ORDER, ORDER_UI), {}, {"client_number": "Pakollinen tieto puuttuu."})
    )
    assert '<label for="client_number">Asiakasnumero <span class="required">(pakollinen)' in html
    assert 'aria-describedby="client_number-help client_number-error" aria-invalid="true"' in html
    assert '<p class="error" id="client_number-error">Pakollinen tieto puuttuu.</p>' in html
    assert "<legend>Kiireellisyys" in html and 'type="radio"' in html
    assert 'type="date"' in html and "— valitse —" in html
