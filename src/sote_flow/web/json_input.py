"""JSON in requests: strict JSON only, so nothing stored can later be served as invalid JSON."""

from __future__ import annotations

import json
from typing import Any

from flask.json.provider import DefaultJSONProvider


class NotStrictJson(ValueError):
    """The request body used NaN or Infinity, which JSON does not have."""


def _refuse_constant(name: str) -> Any:
    raise NotStrictJson(f"{name} is not JSON")


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, refusing NaN, Infinity and -Infinity in what it reads."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse JSON text; NaN and the infinities are refused like any other bad JSON."""
        kwargs.setdefault("parse_constant", _refuse_constant)
        return json.loads(s, **kwargs)
