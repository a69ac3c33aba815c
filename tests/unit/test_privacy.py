"""Finnish personal identity codes are found in any text and any nesting; client numbers checked."""

from __future__ import annotations

import pytest

from sote_flow.domain.privacy import (
    ClientNumberPolicy,
    fields_with_personal_identity_codes,
    find_personal_identity_codes,
)

# Written out again here so that a typo in the module's table cannot hide behind itself.
_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def make_code(ddmmyy: str, sign: str, individual: str) -> str:
    """Build a code with its correct check character."""
    return f"{ddmmyy}{sign}{individual}{_CHECK[int(ddmmyy + individual) % 31]}"


def wrong_check(code: str) -> str:
    """The same code with a check character that is not the right one."""
    right = _CHECK.index(code[-1])
    return code[:-1] + _CHECK[(right + 1) % 31]


# Published DVV examples, including the century signs taken into use in 2023.
DVV_EXAMPLES = ["131052-308T", "010594Y9032", "010594Y9021", "020502E902X", "020502A902X"]
VALID = [
    *DVV_EXAMPLES,
    *(make_code("150390", sign, "123") for sign in "-YXWVU"),
    *(make_code("150305", sign, "456") for sign in "ABCDEF"),
    make_code("010195", "+", "789"),
    make_code("290224", "A", "002"),  # leap day 2024
    make_code("290200", "A", "899"),  # 2000 was a leap year
    make_code("010180", "-", "950"),  # temporary code: still a person
]


def test_the_helper_agrees_with_the_published_examples():
    assert [make_code(c[:6], c[6], c[7:10]) for c in DVV_EXAMPLES] == DVV_EXAMPLES


@pytest.mark.parametrize("code", VALID)
def test_valid_codes_are_found_alone_in_free_text_and_in_lower_case(code):
    assert find_personal_identity_codes(code) == [code]
    assert find_personal_identity_codes(f"asiakas {code} soitti.") == [code]
    assert find_personal_identity_codes(f"({code.lower()})") == [code]


@pytest.mark.parametrize("code", VALID)
def test_a_wrong_check_character_is_not_a_code(code):
    assert find_personal_identity_codes(wrong_check(code)) == []


@pytest.mark.parametrize(
    "code",
    [
        make_code("310299", "-", "123"),  # 31 February
        make_code("290223", "A", "123"),  # 2023 was not a leap year
        make_code("290200", "-", "123"),  # nor was 1900
        make_code("011399", "-", "123"),  # month 13
        make_code("000199", "-", "123"),  # day 0
        make_code("010199", "-", "001"),  # individual numbers start at 002
        make_code("010199", "G", "123"),  # not a century sign
    ],
)
def test_impossible_codes_are_not_flagged(code):
    assert find_personal_identity_codes(code) == []


@pytest.mark.parametrize(
    "text",
    [
        "131052-308",  # too short
        "9131052-308T",  # part of a longer number
        "asiakasnumero 1310523085",
        "puhelin 040-1234567",
        "",
    ],
)
def test_non_codes_are_not_flagged(text):
    assert find_personal_identity_codes(text) == []


def test_every_code_in_a_text_is_found():
    text = "131052-308T ja 010594Y9032, sekä 131052-308X"
    assert find_personal_identity_codes(text) == ["131052-308T", "010594Y9032"]


def test_nested_fields_are_reported_by_dotted_path():
    data = {
        "client_number": "1234567",
        "needs": ["ok", "hetu 131052-308T"],
        "address": {"street": "Katu 1 010594Y9032", "zip": "48100"},
        "contacts": [{"note": "020502E902X"}],
        "count": 3,
        "flag": None,
    }
    assert fields_with_personal_identity_codes(data) == [
        "needs.1",
        "address.street",
        "contacts.0.note",
    ]
    assert fields_with_personal_identity_codes(data["address"], "address") == ["address.street"]
    assert fields_with_personal_identity_codes({"a": "1234567", "b": [1, 2.5, True]}) == []


def test_client_number_policy_uses_the_configured_pattern():
    default = ClientNumberPolicy()
    assert default.is_valid("123456") and default.is_valid("1234567890")
    for bad in ("12345", "12345678901", "12-34", "", "1234567\n", "131052-308T"):
        assert not default.is_valid(bad), bad
    custom = ClientNumberPolicy(r"AS-[0-9]{4}")
    assert custom.is_valid("AS-1234") and not custom.is_valid("AS-12345")
    assert not custom.is_valid("1234567")


@pytest.mark.parametrize(
    "text",
    [
        "asiakasX131052-308Tsoitti",  # letters right beside it
        "131052-308TT",
        "131052\u2013308T",  # en dash
        "131052\u2212308T",  # minus sign
        "131052\u00ad-308T",  # soft hyphen inside
        "1310\u200b52-308T",  # zero-width space inside
        "\uff11\uff13\uff11\uff10\uff15\uff12-\uff13\uff10\uff18T",  # full-width digits
        "131052308T",  # without the century sign (a letter check character)
    ],
)
def test_disguised_codes_are_found(text):
    assert len(find_personal_identity_codes(text)) == 1


def test_a_code_hidden_as_a_key_is_found():
    assert fields_with_personal_identity_codes({"tiedot": {"131052-308T": "x"}}) == [
        "tiedot.131052-308T"
    ]
