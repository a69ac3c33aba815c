"""Finnish user-facing messages marked for translation, with their parameters kept.

`t("Enintään {limit} merkkiä.", limit=2000)` is the Finnish string "Enintään 2000 merkkiä."
(so comparisons, logging and `str` use keep working) and carries the template and the values:
the web layer translates the template (the msgid pybabel extracts, `t` being an extraction
keyword) and fills in the values with `str.format`. No Flask here: domain, engine and services
raise these; only the web translates them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class Text(str):
    """A Finnish message that keeps its template (`{name}` placeholders) and values."""

    template: str
    params: Mapping[str, Any]

    def __new__(cls, template: str, params: Mapping[str, Any] | None = None) -> Text:
        """Format the template with the values; the result is the Finnish message itself."""
        values = dict(params or {})
        self = super().__new__(cls, template.format(**values) if values else template)
        self.template = template
        self.params = values
        return self

    def __getnewargs__(self) -> tuple[str, Mapping[str, Any]]:  # type: ignore[override]
        """Rebuild from the template and the values (pickle and copy)."""
        return (self.template, self.params)


def t(template: str, /, **params: Any) -> Text:
    """Mark a Finnish message for translation; `{name}` placeholders are filled from `params`."""
    return Text(template, params)
