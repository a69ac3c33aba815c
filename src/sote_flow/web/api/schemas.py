"""Request and response schemas of the JSON API (also the source of the OpenAPI document)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from sote_flow.web.args import MAX_ID

# marshmallow's messages in Finnish, by field class (the most specific class first).
FIELD_MESSAGES: tuple[tuple[type[fields.Field[Any]], dict[str, Any]], ...] = (
    (fields.String, {"invalid": "Arvon on oltava merkkijono.",
                     "invalid_utf8": "Merkkijono ei ole kelvollista UTF-8:aa."}),
    (fields.Integer, {"invalid": "Arvon on oltava kokonaisluku.",
                      "too_large": "Luku on liian suuri."}),
    (fields.Number, {"invalid": "Arvon on oltava luku.", "too_large": "Luku on liian suuri.",
                     "special": "NaN ja ääretön eivät ole lukuja."}),
    (fields.Boolean, {"invalid": "Arvon on oltava true tai false."}),
    (fields.Mapping, {"invalid": "Arvon on oltava JSON-olio."}),
    (fields.List, {"invalid": "Arvon on oltava lista."}),
    (fields.Nested, {"type": "Arvon on oltava JSON-olio."}),
    (fields.DateTime, {"invalid": "Arvon on oltava ajanhetki (ISO 8601).",
                       "invalid_awareness": "Ajanhetkestä puuttuu aikavyöhyke.",
                       "format": "Ajanhetkeä ei voi muotoilla."}),
)  # fmt: skip
COMMON_MESSAGES = {
    "required": "Kenttä on pakollinen.",
    "null": "Kenttä ei voi olla tyhjä (null).",
    "validator_failed": "Virheellinen arvo.",
}


def finnish_messages(field: fields.Field[Any]) -> dict[str, Any]:
    """Return a field's error messages with the Finnish ones in place of marshmallow's."""
    messages: dict[str, Any] = {**field.error_messages, **COMMON_MESSAGES}
    for kind, translated in FIELD_MESSAGES:
        if isinstance(field, kind):
            messages.update({k: v for k, v in translated.items() if k in field.error_messages})
            break
    return messages


class FinnishSchema(Schema):
    """A schema whose validation messages are in Finnish, like the rest of the API's answers."""

    error_messages = {  # noqa: RUF012  (marshmallow's own class attribute)
        "type": "Lähetä JSON-olio.",
        "unknown": "Tuntematon kenttä.",
    }

    def on_bind_field(self, field_name: str, field_obj: fields.Field[Any]) -> None:
        """Give each field (and a list's or mapping's inner fields) its Finnish messages."""
        pending: list[Any] = [field_obj]
        while pending:
            field = pending.pop()
            field.error_messages = finnish_messages(field)
            pending.extend(
                inner
                for inner in (
                    getattr(field, "inner", None),
                    getattr(field, "key_field", None),
                    getattr(field, "value_field", None),
                )
                if isinstance(inner, fields.Field)
            )


def text(max_length: int, **kwargs: Any) -> fields.String:
    """A string field of at most `max_length` characters (a Finnish message beyond)."""
    limit = validate.Length(max=max_length, error="Enintään {max} merkkiä.")
    return fields.String(validate=limit, **kwargs)


class TokenRequest(FinnishSchema):
    username = text(80, required=True)
    password = text(1024, required=True, load_only=True)


class TokenResponse(Schema):
    token = fields.String(required=True)
    expires_in = fields.Integer(metadata={"description": "seconds"})


class ProcessVersionOut(Schema):
    id = fields.Integer()
    key = fields.String()
    version = fields.Integer()
    name = fields.String()
    checksum = fields.String()
    deployed_by = fields.String()
    deployed_at = fields.AwareDateTime()


class DeployResultOut(Schema):
    created = fields.Boolean(metadata={"description": "false when identical content was deployed"})
    version = fields.Nested(ProcessVersionOut)
    warnings = fields.List(
        fields.Nested("DeployProblemOut"),
        metadata={"description": "what the diagram has that sote-flow ignores, by element"},
    )


class StartInstanceIn(FinnishSchema):
    process_key = text(120, required=True)
    data = fields.Dict(keys=fields.String(), load_default=dict)


class TaskOut(Schema):
    id = fields.String()
    instance_id = fields.Integer()
    process_key = fields.String()
    element_id = fields.String()
    title = fields.String()
    group = fields.String(attribute="group_name", allow_none=True)
    assignee = fields.Function(lambda t: t.assignee.username if t.assignee else None)
    created_at = fields.AwareDateTime()
    due_at = fields.AwareDateTime(allow_none=True)


class TaskPageOut(Schema):
    tasks = fields.List(fields.Nested(TaskOut))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()


class InstanceOut(Schema):
    id = fields.Integer()
    process_key = fields.String()
    version = fields.Function(lambda i: i.process_version.version)
    status = fields.String()
    error_message = fields.String(allow_none=True)
    started_by = fields.String()
    started_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    ended_at = fields.AwareDateTime(allow_none=True)


class InstanceDetailOut(Schema):
    instance = fields.Nested(InstanceOut)
    data = fields.Dict()
    open_tasks = fields.List(fields.Nested(TaskOut))


class HistoryEntryOut(Schema):
    id = fields.Integer()
    at = fields.AwareDateTime()
    actor = fields.String()
    action = fields.String()
    task_id = fields.String(allow_none=True)
    task_name = fields.String(allow_none=True)
    data = fields.Dict()
    hash = fields.String()


class CompleteTaskIn(FinnishSchema):
    data = fields.Dict(keys=fields.String(), load_default=dict)


class FieldErrorOut(Schema):
    field = fields.String()
    message = fields.String()


class DeployProblemOut(Schema):
    file = fields.String()
    element_id = fields.String(allow_none=True)
    message = fields.String()


class ErrorOut(Schema):
    message = fields.String()
    code = fields.String()
    errors = fields.List(fields.Dict())


class MessageIn(FinnishSchema):
    name = text(255, required=True)
    payload = fields.Dict(keys=fields.String(), load_default=dict)
    correlations = fields.Dict(keys=fields.String(), load_default=dict)
    instance_id = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1, max=MAX_ID, error="Anna positiivinen kokonaisluku."),
    )


class MessageDeliveredOut(Schema):
    delivered_to = fields.List(fields.Integer())
