"""Check data a person submits: the task's form schema, client numbers and identity codes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sote_flow.domain.errors import FieldError, InvalidInput
from sote_flow.domain.forms import SYSTEM_FIELDS, validate_submission
from sote_flow.domain.privacy import ClientNumberPolicy, fields_with_personal_identity_codes
from sote_flow.domain.text import t

HETU_MESSAGE = t(
    "Kenttä sisältää henkilötunnuksen. Henkilötunnuksia ei tallenneta: käytä asiakasnumeroa."
)
CLIENT_NUMBER_FORMAT = "client-number"
UNDECLARED_MESSAGE = t("Lomakkeessa ei ole tätä kenttää; sitä ei voi lähettää.")
READ_ONLY_MESSAGE = t("Kenttä on vain luettava; sitä ei voi lähettää.")


def client_number_of(schema: Mapping[str, Any] | None, data: Mapping[str, Any]) -> str | None:
    """Return the value of the form's client-number field, if it has one and it was given."""
    for name, prop in ((schema or {}).get("properties") or {}).items():
        if isinstance(prop, dict) and prop.get("format") == CLIENT_NUMBER_FORMAT:
            value = data.get(name)
            return str(value) if value else None
    return None


def check_message_payload(payload: Mapping[str, Any]) -> None:
    """Refuse a message payload that holds a personal identity code (it is stored whole under
    the catching event's message variable, so it cannot overwrite process variables)."""
    errors = {field: HETU_MESSAGE for field in fields_with_personal_identity_codes(dict(payload))}
    if errors:
        raise InvalidInput([FieldError(name, message) for name, message in sorted(errors.items())])


def check_submission(
    schema: Mapping[str, Any] | None, data: Mapping[str, Any], client_numbers: ClientNumberPolicy
) -> None:
    """Raise InvalidInput naming every field that is refused; return quietly when all is well.

    Only what the form declares may be sent (a task without a form takes no data).
    """
    errors: dict[str, str] = {}
    if schema is not None:
        errors.update(validate_submission(schema, data))
        errors.update(_client_number_errors(schema, data, client_numbers))
    errors.update(_undeclared(schema, data))  # the reason a field may not be sent at all
    for field in fields_with_personal_identity_codes(dict(data)):
        errors[field] = HETU_MESSAGE
    if errors:
        raise InvalidInput([FieldError(name, message) for name, message in sorted(errors.items())])


def _undeclared(schema: Mapping[str, Any] | None, data: Mapping[str, Any]) -> dict[str, str]:
    # A submission may not set process variables the form does not ask for (who started the
    # case, its group, its handler): they route the case and its client data. A field the form
    # only shows (readOnly: a number, an assignee, a time the process recorded) is not asked.
    properties = (schema or {}).get("properties") or {}
    declared = set(properties) - SYSTEM_FIELDS
    errors: dict[str, str] = {}
    for name in data:
        if name not in declared:
            errors[str(name)] = UNDECLARED_MESSAGE
        elif isinstance(properties[name], Mapping) and properties[name].get("readOnly"):
            errors[str(name)] = READ_ONLY_MESSAGE
    return errors


def _client_number_errors(
    schema: Mapping[str, Any], data: Mapping[str, Any], policy: ClientNumberPolicy
) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name, prop in (schema.get("properties") or {}).items():
        value = data.get(name)
        is_client_number = isinstance(prop, dict) and prop.get("format") == CLIENT_NUMBER_FORMAT
        if is_client_number and isinstance(value, str) and not policy.is_valid(value):
            errors[name] = (
                t("Asiakasnumero ei ole oikeassa muodossa: {hint}.", hint=policy.hint)
                if policy.hint
                else t("Asiakasnumero ei ole oikeassa muodossa.")
            )
    return errors
