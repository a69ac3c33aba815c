"""The one way a view shows a JSON Schema form and submits it to a use case."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
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
    state = FormState(dict(initial))
    if request.method == "POST":
        submitted = submit_form(schema, submit, done_message, diagram)
        if isinstance(submitted, Response):
            return submitted
        state = submitted
    return render_form(template, schema, ui_schema, state, diagram, **context)


@dataclass(frozen=True)
class FormState:
    """A form's values and, after a refused submission, its field errors and warnings."""

    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def submit_form(
    schema: Mapping[str, Any] | None,
    submit: Callable[[dict[str, Any]], ProcessInstance],
    done_message: str,
    diagram: ProcessVersion | None = None,
) -> FormState | Response:
    """Read the posted form with `schema` and submit it: the instance's page when it went
    through, else the values with the field errors or the warnings to confirm."""
    values = parse_submission(schema or {}, request.form.to_dict(flat=False))
    try:
        instance = submit(values)
    except InvalidInput as exc:
        return FormState(values, {e.field: _field_message(e.message, diagram) for e in exc.errors})
    except NeedsConfirmation as exc:
        return FormState(values, warnings=[translate_message(w) for w in exc.warnings])
    flash(done_message, "success")
    return redirect(url_for("instances.show", instance_id=instance.id))


def render_form(
    template: str,
    schema: Mapping[str, Any] | None,
    ui_schema: Mapping[str, Any] | None,
    state: FormState,
    diagram: ProcessVersion | None = None,
    **context: Any,
) -> tuple[str, int]:
    """Render a form page with its values, errors (status 422) and warnings."""
    fields = form_fields(*localized_form(schema or {}, ui_schema, diagram))
    page = render_template(
        template,
        fields=fields,
        values=state.values,
        errors=state.errors,
        warnings=state.warnings,
        **context,
    )
    return page, 422 if state.errors else 200


def _field_message(message: str, diagram: ProcessVersion | None) -> str:
    # The platform's messages are in the web catalogue; a form's own (its rules' errorMessage)
    # travel with its diagram.
    if isinstance(message, Text):
        return translate_message(message)
    return str(diagram_text(message, diagram))
