"""Finnish personal identity codes are found in any text and any nesting; client numbers checked."""

from __future__ import annotations

import pytest

from sote_flow.domain.privacy import (
    CHECK_CHARACTERS,
    ClientNumberPolicy,
    fields_with_personal_identity_codes,
    find_personal_identity_codes,
)


def make_code(ddmmyy: str, sign: str, individual: str) -> str:
    """Build a code with its correct check character (independent of the module's matching)."""
    return f"{ddmmyy}{sign}{individual}{CHECK_CHARACTERS[int(ddmmyy + individual) % 31]}"


# DVV's published examples, plus one code for each century sign in use since 2023.
VALID = ["131052-308T", "010594Y9032", "010594Y9021", "020502E902X", "020502A902X"]
VALID += [make_code("150390", sign, "123") for sign in "-YXWVU"]
VALID += [make_code("150305", sign, "456") for sign in "ABCDEF"]
VALID += [make_code("010195", "+", "789")]


@pytest.mark.parametrize("code", VALID)
def test_valid_codes_are_found_in_free_text(code):
    assert find_personal_identity_codes(f"asiakas {code} soitti") == [code]
    assert find_personal_identity_codes(code.lower()) == [code]


@pytest.mark.parametrize(
    "text",
    [
        "131052-308X",  # wrong check character
        "310299-123A",  # 31 February
        "131052-308",  # too short
        "X131052-308T",  # part of a longer run
        "131052-308TT",
        "asiakasnumero 1310523085",
        "puhelin 040-1234567",
    ],
)
def test_non_codes_are_not_flagged(text):
    assert find_personal_identity_codes(text) == []


def test_nested_fields_are_reported_by_path():
    data = {
        "client_number": "1234567",
        "notes": ["ok", "hetu 131052-308T"],
        "contact": {"phone": "0401234567", "info": "010594Y9032"},
        "count": 3,
    }
    assert fields_with_personal_identity_codes(data) == ["notes.1", "contact.info"]


def test_client_number_policy_uses_the_configured_pattern():
    default = ClientNumberPolicy()
    assert (
        default.is_valid("1234567") and not default.is_valid("12-34") and not default.is_valid("")
    )
    custom = ClientNumberPolicy(r"^AS-[0-9]{4}$")
    assert custom.is_valid("AS-1234") and not custom.is_valid("1234567")
