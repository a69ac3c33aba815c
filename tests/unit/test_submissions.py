"""Only what a form declares can be written: generated for every form of every diagram."""

from __future__ import annotations

import json

import pytest

from sote_flow.domain.errors import InvalidInput
from sote_flow.domain.forms import check_form_schema
from sote_flow.domain.privacy import ClientNumberPolicy
from sote_flow.engine.bundle import bundle_from_diagram
from sote_flow.services.submissions import (
    READ_ONLY_MESSAGE,
    UNDECLARED_MESSAGE,
    check_submission,
)
from tests.support.paths import PROCESSES

POLICY = ClientNumberPolicy(r"\d{7}")
# Process variables that route a case or its client data, and the engine's own fields.
ATTEMPTS = ("started_by", "round_number", "producer_group", "handler", "family_worker",
            "order_number", "cancel_reason", "advisor", "appointment_worker",
            "appointment_entry", "visit_entry", "waited", "kukaan_ei_kysy_tata")  # fmt: skip
FORMS = [
    (f"{diagram.stem}/{name}", json.loads(content))
    for diagram in sorted(PROCESSES.glob("*.bpmn"))
    for name, content in sorted(bundle_from_diagram(diagram).files.items())
    if name.endswith(".json") and "uischema" not in name
]


@pytest.mark.parametrize(("form", "schema"), FORMS, ids=[name for name, _ in FORMS])
def test_every_undeclared_field_and_system_variable_is_refused(form, schema):
    declared = set(schema.get("properties") or {})
    attempts = [name for name in ATTEMPTS if name not in declared]
    assert attempts, form
    for name in attempts:
        with pytest.raises(InvalidInput) as refused:
            check_submission(schema, {name: "sofia"}, POLICY)
        assert (name, UNDECLARED_MESSAGE) in [(e.field, e.message) for e in refused.value.errors]


@pytest.mark.parametrize(("form", "schema"), FORMS, ids=[name for name, _ in FORMS])
def test_every_field_a_form_only_shows_is_refused(form, schema):
    shown = [n for n, p in (schema.get("properties") or {}).items() if p.get("readOnly")]
    for name in shown:
        with pytest.raises(InvalidInput) as refused:
            check_submission(schema, {name: "sofia"}, POLICY)
        assert (name, READ_ONLY_MESSAGE) in [(e.field, e.message) for e in refused.value.errors]


def test_a_task_without_a_form_takes_no_data():
    with pytest.raises(InvalidInput) as refused:
        check_submission(None, {"started_by": "sofia"}, POLICY)
    assert [e.field for e in refused.value.errors] == ["started_by"]
    check_submission(None, {}, POLICY)  # nothing sent: fine


def test_a_form_may_not_ask_for_a_system_variable():
    schema = {"type": "object", "properties": {"started_by": {"type": "string", "title": "X"}}}
    assert check_form_schema(schema) == [
        "Kenttä 'started_by' on järjestelmän oma tieto; lomake ei voi kysyä sitä."
    ]
