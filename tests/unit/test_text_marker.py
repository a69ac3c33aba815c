"""Domain messages marked with `t`: Finnish strings that keep their template and values, and a
catalogue whose Swedish and English templates use exactly the Finnish placeholders."""

from __future__ import annotations

import ast
import copy
import pickle
import subprocess
import sys
from pathlib import Path
from string import Formatter

import pytest
from babel.messages.pofile import read_po

from sote_flow.domain.errors import FieldError, InvalidInput
from sote_flow.domain.text import Text, t

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "src" / "sote_flow"
TRANSLATIONS = SOURCE / "web" / "translations"


def _placeholders(template: str) -> list[tuple[str, str | None, str]]:
    """The `{name!conversion:spec}` fields of a template, sorted (literal text ignored)."""
    return sorted(
        (name, conversion, spec or "")
        for _, name, spec, conversion in Formatter().parse(template)
        if name is not None
    )


def test_text_is_its_finnish_string():
    message = t("Enintään {limit} merkkiä.", limit=2000)
    assert message == "Enintään 2000 merkkiä."
    assert isinstance(message, str) and isinstance(message, Text)
    assert message.template == "Enintään {limit} merkkiä."
    assert message.params == {"limit": 2000}
    assert f"{message}" == "Enintään 2000 merkkiä." and len(message) == 22


def test_plain_text_keeps_braces_and_has_no_values():
    plain = t("Kirjoita syy.")
    assert plain == "Kirjoita syy." and plain.template == "Kirjoita syy." and plain.params == {}
    assert t("{x} jää") == "{x} jää"  # no values: nothing is formatted


def test_text_survives_pickle_copy_and_errors():
    message = t("Ryhmä {name} on jo olemassa.", name="perhetyo")
    for again in (pickle.loads(pickle.dumps(message)), copy.deepcopy(message)):
        assert isinstance(again, Text) and again == message and again.params == message.params
    error = InvalidInput([FieldError("name", message)])
    assert error.errors[0].message is message
    assert error.message == "Tarkista lomakkeen tiedot." and isinstance(error.message, Text)


def _t_calls() -> list[tuple[str, int, ast.Call]]:
    found = []
    for path in SOURCE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            called = node.func if isinstance(node, ast.Call) else None
            if isinstance(called, ast.Name) and called.id == "t":
                assert isinstance(node, ast.Call)
                found.append((str(path.relative_to(ROOT)), node.lineno, node))
    return found


def test_every_t_call_names_exactly_its_placeholders():
    calls = _t_calls()
    assert len(calls) > 150  # the scan really found the raise sites
    wrong = []
    for where, line, call in calls:
        template = call.args[0] if call.args else None
        if not (isinstance(template, ast.Constant) and isinstance(template.value, str)):
            wrong.append(f"{where}:{line}: the template must be a string literal")
            continue
        names = {name for name, _, _ in _placeholders(template.value)}
        given = {k.arg for k in call.keywords}
        if len(call.args) != 1 or None in given or names != given:
            wrong.append(f"{where}:{line}: placeholders {sorted(names)}, values {given}")
    assert wrong == []


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> set[str]:
    folder = tmp_path_factory.mktemp("babel")
    mapping = folder / "python-only.cfg"
    mapping.write_text("[python: src/sote_flow/**.py]\n", encoding="utf-8")
    pot = folder / "t.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(mapping),
         "--no-default-keywords", "-k", "t", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with pot.open("rb") as handle:
        return {str(m.id) for m in read_po(handle) if m.id}


@pytest.mark.parametrize("locale", ["sv", "en"])
def test_translations_keep_the_finnish_placeholders(templates, locale):
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = {str(m.id): str(m.string) for m in read_po(handle, locale=locale) if m.id}
    assert "Tehtävä ei ole enää avoinna." in templates
    missing = sorted(template for template in templates if not catalog.get(template))
    assert missing == []
    broken = [
        (template, catalog[template])
        for template in sorted(templates)
        if _placeholders(template) != _placeholders(catalog[template])
    ]
    assert broken == []
