"""Privacy rules: refuse Finnish personal identity codes; check client numbers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from typing import Any

from sote_flow.domain.text import t

CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
# Century signs: + (1800s); - and, since 2023, Y X W V U (1900s); A and B C D E F (2000s).
CENTURIES = {"+": 1800, **dict.fromkeys("-YXWVU", 1900), **dict.fromkeys("ABCDEF", 2000)}
# Only digits bound a code: letters right beside it ("asiakas010594Y9032soitti") hide nothing.
_CANDIDATE = re.compile(
    r"(?<![0-9])([0-9]{2})([0-9]{2})([0-9]{2})([-+A-FU-Y])([0-9]{3})([0-9A-Z])(?![0-9])",
    re.IGNORECASE,
)
# Without the century sign only a letter check character tells a code from a 10-digit number.
_WITHOUT_SIGN = re.compile(
    r"(?<![0-9])([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{3})([A-FHJ-NPR-Y])(?![0-9])", re.IGNORECASE
)
# Disguises: typographic dashes and minus signs for the separator, invisible characters inside.
_DASHES = re.compile("[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]")
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"))


def normalise_for_search(text: str) -> str:
    """Return text as a code would be read: full-width and other compatibility characters
    folded (NFKC), every dash a hyphen, invisible characters removed."""
    folded = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    return _DASHES.sub("-", folded)


def find_personal_identity_codes(text: str) -> list[str]:
    """Return the valid henkilötunnus codes (date and check character checked) found in text,
    also when disguised (see `normalise_for_search`) or written without the century sign."""
    searched = normalise_for_search(text)
    found = []
    for match in _CANDIDATE.finditer(searched):
        day, month, year, sign, individual, check = match.groups()
        if _is_code(day, month, [CENTURIES[sign.upper()] + int(year)], year, individual, check):
            found.append(match.group(0).upper())
    for match in _WITHOUT_SIGN.finditer(searched):
        day, month, year, individual, check = match.groups()
        centuries = [century + int(year) for century in (1800, 1900, 2000)]
        if _is_code(day, month, centuries, year, individual, check):
            found.append(match.group(0).upper())
    return found


def _is_code(
    day: str, month: str, years: list[int], year: str, individual: str, check: str
) -> bool:
    if not any(_is_date(y, int(month), int(day)) for y in years):
        return False
    # 002-899 are ordinary codes; 900-999 are temporary ones but still name a person.
    if int(individual) < 2:
        return False
    return CHECK_CHARACTERS[int(day + month + year + individual) % 31] == check.upper()


def _is_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def fields_with_personal_identity_codes(data: Any, prefix: str = "") -> list[str]:
    """Return the dotted paths of strings in nested dicts/lists that contain a valid code."""
    if isinstance(data, str):
        return [prefix] if find_personal_identity_codes(data) else []
    if isinstance(data, Mapping):
        items = [(str(key), value) for key, value in data.items()]
    elif isinstance(data, list | tuple):
        items = [(str(index), value) for index, value in enumerate(data)]
    else:
        return []
    found = []
    for key, value in items:
        path = f"{prefix}.{key}" if prefix else key
        if find_personal_identity_codes(key):  # a code hidden as a JSON key
            found.append(path)
        found.extend(fields_with_personal_identity_codes(value, path))
    return found


DEFAULT_CLIENT_NUMBER = r"^[0-9]{6,10}$"


class ClientNumberPolicy:
    """The configured shape of a client number (asiakasnumero)."""

    def __init__(self, pattern: str = DEFAULT_CLIENT_NUMBER, hint: str | None = None) -> None:
        self.pattern = re.compile(pattern)
        # The same shape in words, for the person who typed it wrong; the default pattern's is
        # known (and translated), a county's own pattern comes with its own words or none.
        self.hint = hint or (t("6–10 numeroa") if pattern == DEFAULT_CLIENT_NUMBER else None)

    def is_valid(self, value: str) -> bool:
        """True when the whole value matches the pattern."""
        return self.pattern.fullmatch(value) is not None
