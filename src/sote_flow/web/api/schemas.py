"""Request and response schemas of the JSON API (also the source of the OpenAPI document)."""

from __future__ import annotations

from marshmallow import Schema, fields


class TokenRequest(Schema):
    username = fields.String(required=True)
    password = fields.String(required=True, load_only=True)


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


class StartInstanceIn(Schema):
    process_key = fields.String(required=True)
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


class CompleteTaskIn(Schema):
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


class MessageIn(Schema):
    name = fields.String(required=True)
    payload = fields.Dict(keys=fields.String(), load_default=dict)
    correlations = fields.Dict(keys=fields.String(), load_default=dict)
    instance_id = fields.Integer(load_default=None, allow_none=True)


class MessageDeliveredOut(Schema):
    delivered_to = fields.List(fields.Integer())
