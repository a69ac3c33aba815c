"""Privacy rules: refuse Finnish personal identity codes; check client numbers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
# Century signs: + (1800s); - and, since 2023, Y X W V U (1900s); A and B C D E F (2000s).
CENTURIES = {"+": 1800, **dict.fromkeys("-YXWVU", 1900), **dict.fromkeys("ABCDEF", 2000)}
_CANDIDATE = re.compile(
    r"(?<![0-9A-Z])([0-9]{2})([0-9]{2})([0-9]{2})([-+A-FU-Y])([0-9]{3})([0-9A-Z])(?![0-9A-Z])",
    re.IGNORECASE,
)


def find_personal_identity_codes(text: str) -> list[str]:
    """Return the valid henkilötunnus codes (date and check character checked) found in text."""
    found = []
    for match in _CANDIDATE.finditer(text):
        day, month, year, sign, individual, check = match.groups()
        try:
            date(CENTURIES[sign.upper()] + int(year), int(month), int(day))
        except ValueError:
            continue
        # 002-899 are ordinary codes; 900-999 are temporary ones but still name a person.
        if int(individual) < 2:
            continue
        if CHECK_CHARACTERS[int(day + month + year + individual) % 31] == check.upper():
            found.append(match.group(0).upper())
    return found


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
        found.extend(fields_with_personal_identity_codes(value, path))
    return found


class ClientNumberPolicy:
    """The configured shape of a client number (asiakasnumero)."""

    def __init__(self, pattern: str = r"^[0-9]{6,10}$") -> None:
        self.pattern = re.compile(pattern)

    def is_valid(self, value: str) -> bool:
        """True when the whole value matches the pattern."""
        return self.pattern.fullmatch(value) is not None
