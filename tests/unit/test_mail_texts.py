"""A diagram's `text(...)`: Finnish as an f-string would write it, translatable per reader, found
by the translation check; and how a mail text is put into a recipient's language."""

from __future__ import annotations

import pytest

from sote_flow.domain.diagram_texts import DiagramText
from sote_flow.domain.text import t
from sote_flow.engine.diagram_strings import diagram_strings, text_templates
from sote_flow.engine.functions import DIAGRAM_FUNCTIONS, text
from sote_flow.engine.sandbox import SandboxedEnvironment
from sote_flow.services.languages import in_language
from tests.support.paths import PROCESSES

CATALOG = {
    "sv": {"Uusi palvelutilaus {order_number}": "Ny servicebeställning {order_number}"},
    "en": {"Uusi palvelutilaus {order_number}": "New service order {number}"},  # broken
}


def test_text_is_the_finnish_an_f_string_gives_and_keeps_template_and_values():
    order_number = "PT-2026-000042"
    subject = text("Uusi palvelutilaus {order_number}", order_number=order_number)
    assert subject == f"Uusi palvelutilaus {order_number}"
    assert isinstance(subject, DiagramText)
    assert subject.template == "Uusi palvelutilaus {order_number}"
    assert subject.params == {"order_number": order_number}
    assert text("Palvelu alkoi {day}.", day=None) == "Palvelu alkoi None."  # as f'{None}'


def test_a_diagram_calls_text_with_keyword_values_in_the_sandbox():
    environment = SandboxedEnvironment(DIAGRAM_FUNCTIONS)
    value = environment.evaluate(
        "text('Palvelu alkoi {start}.', start=finnish_date(actual_start))",
        {"actual_start": "2026-12-07"},
    )
    assert value == "Palvelu alkoi 7.12.2026."
    assert isinstance(value, DiagramText)
    assert value.params == {"start": "7.12.2026"}


@pytest.mark.parametrize(
    ("template", "values"),
    [
        ("{x.__class__}", {"x": 1}),  # attributes
        ("{x[0]}", {"x": "ab"}),  # items
        ("{x:>99999}", {"x": 1}),  # widths
        ("{x!r}", {"x": 1}),  # conversions
        ("{}", {}),  # positional fields
        ("{missing}", {}),
    ],
)
def test_text_takes_only_plain_named_fields(template, values):
    with pytest.raises(ValueError, match=r"text\(\)"):
        text(template, **values)


def test_text_takes_only_texts_numbers_and_dates_as_values():
    with pytest.raises(ValueError, match="must be a text, number or date"):
        text("{x}", x=[1, 2])


def test_the_translation_check_finds_the_templates_of_text_calls():
    assert text_templates("text('Uusi {n}', n=order_number)") == {"Uusi {n}"}
    assert text_templates("'a' if x else text('B {y}', y=text('C'))") == {"B {y}", "C"}
    assert text_templates("f'Uusi {order_number}'") == set()
    assert text_templates("text(subject)") == set()  # no literal: nothing to translate
    assert text_templates("text(") == set()
    strings = diagram_strings((PROCESSES / "service_order.bpmn").read_bytes())
    assert "Uusi palvelutilaus {order_number}" in strings
    assert "Palvelu alkoi {actual_start}. Avaa tilaus linkistä." in strings


def test_a_mail_text_in_each_language():
    subject = text("Uusi palvelutilaus {order_number}", order_number="PT-1")
    assert in_language(subject, "sv", CATALOG) == "Ny servicebeställning PT-1"
    assert in_language(subject, "fi", CATALOG) == "Uusi palvelutilaus PT-1"
    assert in_language(subject, None, CATALOG) == "Uusi palvelutilaus PT-1"
    assert in_language(subject, "en", CATALOG) == "Uusi palvelutilaus PT-1"  # broken: Finnish
    assert in_language(subject, "sv", {}) == "Uusi palvelutilaus PT-1"  # untranslated
    assert in_language("Vapaa teksti", "sv", CATALOG) == "Vapaa teksti"
    # The platform's own mails come from the web catalogue; a diagram text inside is the
    # diagram's (a clock's label).
    cancelled = t("Palvelutilaus {order_number} peruttu", order_number="PT-1")
    assert in_language(cancelled, "sv", {}) == "Servicebeställning PT-1 har annullerats"
    assert in_language(cancelled, "en", {}) == "Service order PT-1 was cancelled"
    label = DiagramText("Uusi palvelutilaus {order_number}", {"order_number": "PT-2"})
    warning = t("Määräaika lähestyy: {label}, asia {reference}", label=label, reference="X-1")
    assert in_language(warning, "sv", CATALOG) == (
        "Tidsfristen närmar sig: Ny servicebeställning PT-2, ärende X-1"
    )
