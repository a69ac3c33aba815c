"""Check data a person submits: the task's form schema, client numbers and identity codes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sote_flow.domain.errors import FieldError, InvalidInput
from sote_flow.domain.forms import validate_submission
from sote_flow.domain.privacy import ClientNumberPolicy, fields_with_personal_identity_codes
from sote_flow.persistence.models import ProcessVersion

HETU_MESSAGE = (
    "Kenttä sisältää henkilötunnuksen. Henkilötunnuksia ei tallenneta: käytä asiakasnumeroa."
)
CLIENT_NUMBER_FORMAT = "client-number"


def load_form(version: ProcessVersion, file_name: str | None) -> dict[str, Any] | None:
    """Return a form's JSON Schema from a deployed version, or None when the task has none."""
    if not file_name:
        return None
    text = version.files.get(file_name)
    return json.loads(text) if text else None


def form_schemas(version: ProcessVersion, start_form: str | None) -> list[dict[str, Any]]:
    """Return every form schema of a deployed version, the start form first."""
    names = sorted(n for n in version.files if n.endswith(".json") and "uischema" not in n)
    names.sort(key=lambda name: name != start_form)
    return [json.loads(version.files[name]) for name in names]


def check_submission(
    schema: Mapping[str, Any] | None, data: Mapping[str, Any], client_numbers: ClientNumberPolicy
) -> None:
    """Raise InvalidInput naming every field that is refused; return quietly when all is well."""
    errors: dict[str, str] = {}
    if schema is not None:
        errors.update(validate_submission(schema, data))
        errors.update(_client_number_errors(schema, data, client_numbers))
    for field in fields_with_personal_identity_codes(dict(data)):
        errors[field] = HETU_MESSAGE
    if errors:
        raise InvalidInput([FieldError(name, message) for name, message in sorted(errors.items())])


def _client_number_errors(
    schema: Mapping[str, Any], data: Mapping[str, Any], policy: ClientNumberPolicy
) -> dict[str, str]:
    errors = {}
    for name, prop in (schema.get("properties") or {}).items():
        value = data.get(name)
        is_client_number = isinstance(prop, dict) and prop.get("format") == CLIENT_NUMBER_FORMAT
        if is_client_number and isinstance(value, str) and not policy.is_valid(value):
            errors[name] = "Asiakasnumero ei ole oikeassa muodossa."
    return errors
