"""Every UI text in the code and templates has a Swedish and an English translation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "src" / "sote_flow" / "web" / "translations"


@pytest.fixture(scope="module")
def source_messages(tmp_path_factory) -> set[str]:
    pot = tmp_path_factory.mktemp("babel") / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "t",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        messages = {str(m.id) for m in read_po(handle) if m.id}
    assert "Omat tehtävät" in messages  # the extraction really read the templates
    return messages


@pytest.mark.parametrize("locale", ["sv", "en"])
def test_every_message_is_translated(source_messages, locale):
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    translated = {str(m.id) for m in catalog if m.id and m.string and "fuzzy" not in m.flags}
    assert sorted(source_messages - translated) == []
