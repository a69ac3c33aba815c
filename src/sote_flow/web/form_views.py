"""The one way a view shows a JSON Schema form and submits it to a use case."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from sote_flow.domain.errors import InvalidInput
from sote_flow.persistence.models import ProcessInstance
from sote_flow.web.jsonschema_form import form_fields, parse_submission


def form_page(
    template: str,
    schema: Mapping[str, Any] | None,
    ui_schema: Mapping[str, Any] | None,
    initial: Mapping[str, Any],
    submit: Callable[[dict[str, Any]], ProcessInstance],
    done_message: str,
    **context: Any,
) -> tuple[str, int] | Response:
    """On GET render the form; on POST submit it, then show the instance or the field errors."""
    values, errors = dict(initial), {}
    if request.method == "POST":
        values = parse_submission(schema or {}, request.form.to_dict(flat=False))
        try:
            instance = submit(values)
        except InvalidInput as exc:
            errors = {e.field: e.message for e in exc.errors}
        else:
            flash(done_message, "success")
            return redirect(url_for("instances.show", instance_id=instance.id))
    fields = form_fields(schema or {}, ui_schema)
    page = render_template(template, fields=fields, values=values, errors=errors, **context)
    return page, 422 if errors else 200
