"""The one way a view shows a JSON Schema form and submits it to a use case."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from sote_flow.domain.errors import InvalidInput, NeedsConfirmation
from sote_flow.domain.text import Text
from sote_flow.persistence.models import ProcessInstance, ProcessVersion
from sote_flow.web.diagram_texts import diagram_text, localized_form
from sote_flow.web.jsonschema_form import form_fields, parse_submission
from sote_flow.web.messages import translate_message


def form_page(
    template: str,
    schema: Mapping[str, Any] | None,
    ui_schema: Mapping[str, Any] | None,
    initial: Mapping[str, Any],
    submit: Callable[[dict[str, Any]], ProcessInstance],
    done_message: str,
    diagram: ProcessVersion | None = None,
    **context: Any,
) -> tuple[str, int] | Response:
    """On GET render the form; on POST submit it, then show the instance or the field errors.

    The form's texts are shown in the page's language from `diagram`'s catalogue.
    """
    values, errors, warnings = dict(initial), {}, []
    if request.method == "POST":
        values = parse_submission(schema or {}, request.form.to_dict(flat=False))
        try:
            instance = submit(values)
        except InvalidInput as exc:
            errors = {e.field: _field_message(e.message, diagram) for e in exc.errors}
        except NeedsConfirmation as exc:
            warnings = [translate_message(w) for w in exc.warnings]
        else:
            flash(done_message, "success")
            return redirect(url_for("instances.show", instance_id=instance.id))
    fields = form_fields(*localized_form(schema or {}, ui_schema, diagram))
    page = render_template(
        template, fields=fields, values=values, errors=errors, warnings=warnings, **context
    )
    return page, 422 if errors else 200


def _field_message(message: str, diagram: ProcessVersion | None) -> str:
    # The platform's messages are in the web catalogue; a form's own (its rules' errorMessage)
    # travel with its diagram.
    if isinstance(message, Text):
        return translate_message(message)
    return str(diagram_text(message, diagram))
