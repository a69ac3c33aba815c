"""Privacy rules: refuse Finnish personal identity codes; check client numbers."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
# Century signs: + (1800s); - and, since 2023, Y X W V U (1900s); A and B C D E F (2000s).
CENTURIES = {"+": 1800, **dict.fromkeys("-YXWVU", 1900), **dict.fromkeys("ABCDEF", 2000)}
_CANDIDATE = re.compile(
    r"(?<![0-9A-Za-z])(\d{2})(\d{2})(\d{2})([-+ABCDEFUVWXY])(\d{3})([0-9A-Za-z])(?![0-9A-Za-z])",
    re.IGNORECASE,
)


def find_personal_identity_codes(text: str) -> list[str]:
    """Return the valid henkilötunnus codes (check character and date checked) found in text."""
    found = []
    for match in _CANDIDATE.finditer(text):
        day, month, year, sign, individual, check = match.groups()
        century = CENTURIES[sign.upper()]
        try:
            date(century + int(year), int(month), int(day))
        except ValueError:
            continue
        if individual == "000" or individual == "001":
            continue
        if CHECK_CHARACTERS[int(day + month + year + individual) % 31] == check.upper():
            found.append(match.group(0).upper())
    return found


def fields_with_personal_identity_codes(data: Any, prefix: str = "") -> list[str]:
    """Return the dotted paths of string values in nested data that contain a valid code."""
    if isinstance(data, str):
        return [prefix or "value"] if find_personal_identity_codes(data) else []
    if isinstance(data, dict):
        items = [(str(k), v) for k, v in data.items()]
    elif isinstance(data, list | tuple):
        items = [(str(i), v) for i, v in enumerate(data)]
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
        """True when `value` matches the pattern in full."""
        return bool(self.pattern.fullmatch(value))
