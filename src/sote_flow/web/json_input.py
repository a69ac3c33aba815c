"""JSON in requests: strict JSON only, so nothing stored can later be served as invalid JSON."""

from __future__ import annotations

import json
import re
from typing import Any

from flask.json.provider import DefaultJSONProvider

# A NUL cannot be stored in PostgreSQL text; a lone UTF-16 surrogate cannot be encoded at all.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class NotStrictJson(ValueError):
    """The request body used NaN or Infinity, which JSON does not have, or unstorable text."""


def _refuse_constant(name: str) -> Any:
    raise NotStrictJson(f"{name} is not JSON")


def has_unstorable_text(value: Any) -> bool:
    """True when a string anywhere in `value` (keys too) holds a NUL or a lone surrogate."""
    pending = [value]
    while pending:  # no recursion: a deeply nested body cannot exhaust the stack
        item = pending.pop()
        if isinstance(item, str):
            if _UNSTORABLE.search(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, refusing NaN, Infinity and -Infinity in what it reads, and text
    no database can store (NUL characters, lone surrogates)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse JSON text; what strict JSON refuses is refused like any other bad JSON."""
        kwargs.setdefault("parse_constant", _refuse_constant)
        try:
            value = json.loads(s, **kwargs)
        except RecursionError:
            raise NotStrictJson("nested too deeply") from None
        if has_unstorable_text(value):
            raise NotStrictJson("text with a NUL character or a lone surrogate")
        return value
