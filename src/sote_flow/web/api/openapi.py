"""The OpenAPI 3 document, built from the marshmallow schemas with apispec."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema

from sote_flow import __version__
from sote_flow.web.api import schemas as s
from sote_flow.web.packages import load_web_parts

ERRORS = {
    "401": "missing or invalid bearer token",
    "403": "the user's role does not allow this",
    "404": "not found",
    "409": (
        "the task or case was taken or closed by someone else, or is in a state that does not "
        "allow this (or this Idempotency-Key is in use)"
    ),
    "422": "invalid input; `errors` names each field (or file and element, or Idempotency-Key)",
}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "Any 1-255 printable ASCII characters, new for each intended write. A retry with the "
        "same key and the same request gets the first answer again (with the header "
        "`Idempotent-Replayed: true`) instead of a second effect; the same key with another "
        "request is 422. Keys are kept for 24 hours; a request that failed stores nothing."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[ -~]+$"},
}
REPLAYED = {
    "Idempotent-Replayed": {
        "description": "`true` when this is the stored answer to an earlier request",
        "schema": {"type": "string", "enum": ["true"]},
    }
}


def _operation(
    summary: str,
    ok: str,
    body: str | None = None,
    out: str | None = None,
    multipart: bool = False,
    public: bool = False,
) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary, "responses": {}}
    ok_response: dict[str, Any] = {"description": "No Content" if ok == "204" else "OK"}
    if out:
        ok_response["content"] = {"application/json": {"schema": out}}
    op["responses"][ok] = ok_response
    for status, text in ERRORS.items():
        op["responses"][status] = {
            "description": text,
            "content": {"application/json": {"schema": "ErrorOut"}},
        }
    if body:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    if multipart:
        op["requestBody"] = {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "files": {
                                "type": "array",
                                "items": {"type": "string", "format": "binary"},
                            }
                        },
                    }
                }
            },
        }
    if public:
        op["security"] = []
    return op


@cache
def openapi_document() -> dict[str, Any]:
    """Return the OpenAPI document (built once)."""
    spec = APISpec(
        title="sote-flow API",
        version=__version__,
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name in (
        "TokenRequest",
        "TokenResponse",
        "ProcessVersionOut",
        "DeployResultOut",
        "StartInstanceIn",
        "TaskOut",
        "TaskPageOut",
        "InstanceOut",
        "NextTaskOut",
        "CompletionOut",
        "InstanceDetailOut",
        "HistoryEntryOut",
        "CompleteTaskIn",
        "ErrorOut",
        "MessageIn",
        "MessageDeliveredOut",
        *USER_SCHEMAS,
    ):
        spec.components.schema(name, schema=getattr(s, name))
    task_id = [{"name": "task_id", "in": "path", "required": True, "schema": {"type": "string"}}]
    inst_id = [
        {"name": "instance_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    ]
    spec.path(
        "/auth/token",
        operations={
            "post": _operation(
                "Exchange credentials for a bearer token",
                "201",
                "TokenRequest",
                "TokenResponse",
                public=True,
            ),
            "delete": _operation("Revoke the bearer token of this request", "204"),
        },
    )
    spec.path(
        "/process-definitions",
        operations={
            "get": _operation("Newest version of every process", "200", out="ProcessVersionOut"),
            "post": _operation(
                "Deploy a diagram with its forms", "201", out="DeployResultOut", multipart=True
            ),
        },
    )
    spec.path(
        "/process-instances",
        operations={
            "post": _operation("Start an instance", "201", "StartInstanceIn", "InstanceOut")
        },
    )
    spec.path(
        "/process-instances/{instance_id}",
        parameters=inst_id,
        operations={"get": _operation("Read an instance", "200", out="InstanceDetailOut")},
    )
    spec.path(
        "/process-instances/{instance_id}/history",
        parameters=inst_id,
        operations={"get": _operation("Read an instance's history", "200", out="HistoryEntryOut")},
    )
    spec.path(
        "/tasks",
        operations={
            "get": {
                **_operation("My tasks or my groups' tasks", "200", out="TaskPageOut"),
                "parameters": [
                    {
                        "name": "scope",
                        "in": "query",
                        "schema": {"type": "string", "enum": ["mine", "group"]},
                    },
                    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                ],
            }
        },
    )
    for action, summary in (("claim", "Claim a group task"), ("release", "Release a task")):
        spec.path(
            f"/tasks/{{task_id}}/{action}",
            parameters=task_id,
            operations={"post": _operation(summary, "200", out="TaskOut")},
        )
    spec.path(
        "/tasks/{task_id}/complete",
        parameters=task_id,
        operations={
            "post": _operation(
                "Complete a task with form data", "200", "CompleteTaskIn", "CompletionOut"
            )
        },
    )
    spec.path(
        "/messages",
        operations={
            "post": _operation(
                "Deliver a message to waiting instances", "200", "MessageIn", "MessageDeliveredOut"
            )
        },
    )
    _user_paths(spec)
    _package_paths(spec)
    document = spec.to_dict()
    _document_idempotency(document)
    document["servers"] = [{"url": "/api/v1"}]
    document["security"] = [{"bearer": []}]
    return document


USER_SCHEMAS = (
    "UserOut", "UserPageOut", "UserCreateIn", "UserAccessIn", "DisabledOut", "GroupOut",
    "GroupCreateIn",
)  # fmt: skip


def _user_paths(spec: APISpec) -> None:
    # Administrators change users and groups; an auditor may read them (GET).
    name = [{"name": "username", "in": "path", "required": True, "schema": {"type": "string"}}]
    listing = _operation("Users (administrator, auditor)", "200", out="UserPageOut")
    listing["parameters"] = [
        {"name": "search", "in": "query", "schema": {"type": "string", "maxLength": 200}},
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    ]
    spec.path(
        "/users",
        operations={
            "get": listing,
            "post": _operation("Create a local user", "201", "UserCreateIn", "UserOut"),
        },
    )
    spec.path(
        "/users/{username}/disable",
        parameters=name,
        operations={
            "post": _operation(
                "Disable a user: sessions end, tokens are revoked, claimed tasks return "
                "to their groups; answers with the open cases to reassign",
                "200",
                out="DisabledOut",
            )
        },
    )
    spec.path(
        "/users/{username}/enable",
        parameters=name,
        operations={"post": _operation("Enable a disabled user", "200", out="UserOut")},
    )
    spec.path(
        "/users/{username}/access",
        parameters=name,
        operations={
            "put": _operation("Set a user's roles and groups", "200", "UserAccessIn", "UserOut")
        },
    )
    spec.path(
        "/groups",
        operations={
            "get": _operation("Groups with members and uses", "200", out="GroupOut"),
            "post": _operation("Create a group", "201", "GroupCreateIn", "GroupOut"),
        },
    )


RULE_PART = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _package_paths(spec: APISpec) -> None:
    # The process packages' own operations, described like the general ones.
    for part in load_web_parts():
        for route in part.api_routes:
            body, out = _component(spec, route.body), _component(spec, route.out)
            path, parameters = openapi_path(route.rule)
            operation = _operation(route.summary, route.status, body, out)
            spec.path(path, parameters=parameters, operations={route.method.lower(): operation})


def _component(spec: APISpec, schema: type[Schema] | None) -> str | None:
    if schema is None:
        return None
    name = schema.__name__
    if name not in spec.components.schemas:
        spec.components.schema(name, schema=schema)
    return name


def openapi_path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    """Return a Flask rule's OpenAPI path template and its path parameters."""
    parameters = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "integer"} if converter == "int" else {"type": "string"},
        }
        for converter, name in RULE_PART.findall(rule)
    ]
    return RULE_PART.sub(lambda m: "{" + m.group(2) + "}", rule), parameters


def _document_idempotency(document: dict[str, Any]) -> None:
    # Every write takes an Idempotency-Key, except signing in (which has no user yet).
    document["components"].setdefault("parameters", {})["IdempotencyKey"] = IDEMPOTENCY_KEY
    for path, operations in document["paths"].items():
        for method in ("post", "delete"):
            operation = operations.get(method)
            if operation is None or (path, method) == ("/auth/token", "post"):
                continue
            ref = {"$ref": "#/components/parameters/IdempotencyKey"}
            operation["parameters"] = [*operation.get("parameters", []), ref]
            for status, response in operation["responses"].items():
                if status.startswith("2"):
                    response["headers"] = REPLAYED
