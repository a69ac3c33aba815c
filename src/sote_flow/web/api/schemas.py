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


class NextTaskOut(TaskOut):
    name = fields.Function(lambda t: t.title, metadata={"description": "the task's title"})
    assignee = fields.String(allow_none=True)  # type: ignore[assignment]  # a plain field here


class CompletionOut(InstanceOut):
    next_tasks = fields.List(
        fields.Nested(NextTaskOut),
        metadata={"description": "the instance's tasks now open to the same user, oldest first"},
    )


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


class UserOut(Schema):
    username = fields.String()
    display_name = fields.String()
    email = fields.String(allow_none=True)
    roles = fields.List(fields.String())
    groups = fields.List(fields.String())
    local = fields.Boolean(metadata={"description": "false for a single sign-on account"})
    active = fields.Boolean()
    last_login_at = fields.AwareDateTime(allow_none=True)
    disabled_at = fields.AwareDateTime(allow_none=True)


class UserPageOut(Schema):
    users = fields.List(fields.Nested(UserOut))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()


class UserCreateIn(FinnishSchema):
    username = text(80, required=True)
    display_name = text(200, required=True)
    email = text(254, load_default=None, allow_none=True)
    roles = fields.List(text(40), load_default=list)
    groups = fields.List(text(80), load_default=list)
    password = text(1024, required=True, load_only=True)


class UserAccessIn(FinnishSchema):
    roles = fields.List(text(40), required=True)
    groups = fields.List(text(80), required=True)


class OpenCaseOut(Schema):
    instance_id = fields.Integer()
    process_key = fields.String()
    process_name = fields.String()
    tasks = fields.List(fields.String())
    has_group = fields.Boolean(metadata={"description": "false: a task was the user's by name"})


class DisabledOut(Schema):
    user = fields.Nested(UserOut)
    sessions_ended = fields.Integer()
    tokens_revoked = fields.Integer()
    tasks_returned = fields.Integer()
    open_cases = fields.List(
        fields.Nested(OpenCaseOut), metadata={"description": "for the manager to reassign"}
    )


class GroupUseOut(Schema):
    process_key = fields.String()
    version = fields.Integer()
    name = fields.String()
    elements = fields.List(fields.String())


class GroupOut(Schema):
    name = fields.String()
    display_name = fields.String(metadata={"description": "in Finnish"})
    display_name_sv = fields.String(allow_none=True)
    display_name_en = fields.String(allow_none=True)
    members = fields.List(fields.String())
    used_in = fields.List(fields.Nested(GroupUseOut))


class GroupCreateIn(FinnishSchema):
    name = text(80, required=True)
    display_name = text(200, required=True)
    display_name_sv = text(200, load_default=None, allow_none=True)
    display_name_en = text(200, load_default=None, allow_none=True)
