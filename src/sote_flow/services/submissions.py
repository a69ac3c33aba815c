"""Check data a person submits: the task's form schema, client numbers and identity codes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sote_flow.domain.errors import FieldError, InvalidInput
from sote_flow.domain.forms import validate_submission
from sote_flow.domain.privacy import ClientNumberPolicy, fields_with_personal_identity_codes

HETU_MESSAGE = (
    "Kenttä sisältää henkilötunnuksen. Henkilötunnuksia ei tallenneta: käytä asiakasnumeroa."
)
CLIENT_NUMBER_FORMAT = "client-number"


def client_number_of(schema: Mapping[str, Any] | None, data: Mapping[str, Any]) -> str | None:
    """Return the value of the form's client-number field, if it has one and it was given."""
    for name, prop in ((schema or {}).get("properties") or {}).items():
        if isinstance(prop, dict) and prop.get("format") == CLIENT_NUMBER_FORMAT:
            value = data.get(name)
            return str(value) if value else None
    return None


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
