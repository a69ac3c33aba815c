"""Domain messages in the user's language.

Services raise their messages in Finnish as `Text` (`sote_flow.domain.text.t`): the Finnish string
that also keeps its catalogue template and values. The web shows every such message through
`translate_message`: the error handlers and the JSON API call it, and every `{{ … }}` in a
template passes through it (Jinja's `finalize`), so a message a view hands to a template as it
came from a service is shown in the user's language too.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, has_request_context
from flask_babel import gettext

from sote_flow.domain.text import Text


def translate_message(message: str) -> str:
    """Return a domain message in the current language; a plain string is returned unchanged."""
    if not isinstance(message, Text) or not has_request_context():
        return message
    translated = gettext(message.template)
    if not message.params:
        return str(translated)
    values = {
        name: translate_message(value) if isinstance(value, Text) else value
        for name, value in message.params.items()
    }
    try:
        return str(translated).format(**values)
    except (KeyError, IndexError, ValueError):  # a broken translation: the Finnish text stands
        return str(message)


def _finalize(value: Any) -> Any:
    return translate_message(value) if isinstance(value, Text) else value


def register_message_translation(app: Flask) -> None:
    """Translate every domain message a template prints (`{{ message }}`, `{{ errors[name] }}`)."""
    app.jinja_env.finalize = _finalize
