"""API routes: parse with marshmallow, call one use case, dump with marshmallow."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify, request, url_for
from marshmallow import ValidationError
from werkzeug.wrappers import Response

from sote_flow.domain.errors import FieldError, InvalidInput
from sote_flow.engine.bundle import ProcessBundle, safe_file_name
from sote_flow.services import accounts, deployment, history_view, instances, messages, tasks
from sote_flow.web.api import api_blueprint
from sote_flow.web.api import schemas as s
from sote_flow.web.api.idempotency import idempotent, write_unit_of_work
from sote_flow.web.api.openapi import openapi_document
from sote_flow.web.args import page_number
from sote_flow.web.deps import actor, client_address, clock, platform, unit_of_work
from sote_flow.web.history import page_arg, page_size_arg


@api_blueprint.post("/auth/token")
def issue_token() -> tuple[Response, int]:
    """Exchange username and password for a bearer token."""
    body = load_body(s.TokenRequest(), request.get_json(silent=True))
    ttl = platform().settings.token_ttl_hours
    with unit_of_work() as uow:
        who = accounts.authenticate(
            uow, clock(), body["username"], body["password"], client_address()
        )
        token = accounts.issue_token(uow, clock(), who, ttl)
    return jsonify(s.TokenResponse().dump({"token": token, "expires_in": ttl * 3600})), 201


@api_blueprint.delete("/auth/token")
@idempotent
def revoke_token() -> tuple[str, int]:
    """Revoke the bearer token this request was made with (the API's sign-out)."""
    with write_unit_of_work() as uow:
        accounts.revoke_bearer_token(actor(), uow, clock(), g.api_token)
    return "", 204


@api_blueprint.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3 document of this API."""
    return jsonify(openapi_document())


@api_blueprint.get("/process-definitions")
def list_definitions() -> Response:
    """Newest version of every deployed process."""
    with unit_of_work() as uow:
        versions = deployment.list_processes(uow)
    return jsonify(s.ProcessVersionOut(many=True).dump(versions))


@api_blueprint.post("/process-definitions")
@idempotent
def deploy_definition() -> tuple[Response, int]:
    """Deploy one .bpmn file plus its form files (multipart field `files`)."""
    uploads = request.files.getlist("files")
    if not uploads:
        raise InvalidInput([FieldError("files", "Lähetä kaavio ja lomakkeet kentässä files.")])
    try:
        bundle = ProcessBundle({safe_file_name(f.filename or ""): f.read() for f in uploads})
    except ValueError as exc:
        raise InvalidInput([FieldError("files", str(exc))]) from None
    with write_unit_of_work() as uow:
        result = deployment.deploy_bundle(platform(), actor(), uow, clock(), bundle)
    body = s.DeployResultOut().dump(
        {"created": result.created, "version": result.version, "warnings": result.warnings}
    )
    return jsonify(body), 201 if result.created else 200


@api_blueprint.post("/process-instances")
@idempotent
def start_instance() -> tuple[Response, int]:
    """Start an instance with start-form data."""
    body = load_body(s.StartInstanceIn(), request.get_json(silent=True))
    with write_unit_of_work() as uow:
        # A client program has no one to ask; its Idempotency-Key guards against repeats.
        instance = instances.start_instance(
            platform(), actor(), uow, clock(), body["process_key"], body["data"], confirmed=True
        )
    return jsonify(s.InstanceOut().dump(instance)), 201


@api_blueprint.get("/process-instances/<int:instance_id>")
def get_instance(instance_id: int) -> Response:
    """An instance's state, data and open tasks (the read is logged)."""
    with unit_of_work() as uow:
        view = instances.view_instance(platform(), actor(), uow, clock(), instance_id)
    return jsonify(s.InstanceDetailOut().dump(view))


@api_blueprint.get("/process-instances/<int:instance_id>/history")
def get_history(instance_id: int) -> Response:
    """One page of an instance's history, oldest first (the read is logged).

    `page` (default 1) and `page_size` (default 100, at most 500) pick the page; the body is
    the page's entries, X-Total-Count the number of entries and Link the first, previous, next
    and last pages. A page beyond the last is 404; a malformed one 422.
    """
    number = page_arg(request.args.get("page")) or 1
    size = page_size_arg(request.args.get("page_size"))
    with unit_of_work() as uow:
        found = history_view.history_page(actor(), uow, clock(), instance_id, number, size)
    response = jsonify(s.HistoryEntryOut(many=True).dump(found.entries))
    response.headers["X-Total-Count"] = str(found.total)
    response.headers["Link"] = history_links(instance_id, found.page, found.pages, size)
    return response


def history_links(instance_id: int, page: int, pages: int, size: int) -> str:
    """Return an RFC 8288 Link header naming the first, previous, next and last history pages."""
    wanted = {"first": 1, "prev": page - 1, "next": page + 1, "last": pages}
    return ", ".join(
        f"<{url_for('api.get_history', instance_id=instance_id, page=n, page_size=size)}>; "
        f'rel="{rel}"'
        for rel, n in wanted.items()
        if 1 <= n <= pages
    )


@api_blueprint.post("/messages")
@idempotent
def send_message() -> Response:
    """Deliver a message to the waiting instances it correlates with (404 if none waits)."""
    body = load_body(s.MessageIn(), request.get_json(silent=True))
    with write_unit_of_work() as uow:
        delivered = messages.send_message(
            platform(),
            actor(),
            uow,
            clock(),
            body["name"],
            body["payload"],
            body["correlations"],
            body["instance_id"],
        )
    return jsonify(s.MessageDeliveredOut().dump({"delivered_to": delivered}))


@api_blueprint.get("/tasks")
def list_tasks() -> Response:
    """A page of my tasks (`scope=mine`) or my groups' unclaimed tasks (`scope=group`)."""
    scope = request.args.get("scope", "mine")
    if scope not in ("mine", "group"):
        raise InvalidInput([FieldError("scope", "Arvon on oltava mine tai group.")])
    number = page_number(request.args.get("page"))
    size = platform().settings.page_size
    query = tasks.my_tasks if scope == "mine" else tasks.group_tasks
    with unit_of_work() as uow:
        result = query(actor(), uow, number, size)
    return jsonify(s.TaskPageOut().dump(result))


@api_blueprint.post("/tasks/<task_id>/claim")
@idempotent
def claim_task(task_id: str) -> Response:
    """Claim a group task."""
    with write_unit_of_work() as uow:
        task = tasks.claim_task(actor(), uow, clock(), task_id)
    # The task was read before the claim changed it: its assignee is now the claimant.
    return jsonify({**s.TaskOut(exclude=("assignee",)).dump(task), "assignee": actor().username})


@api_blueprint.post("/tasks/<task_id>/release")
@idempotent
def release_task(task_id: str) -> Response:
    """Release a claimed task back to its group."""
    with write_unit_of_work() as uow:
        task = tasks.release_task(actor(), uow, clock(), task_id)
    # The task was read before the release changed it: it has no assignee any more.
    return jsonify({**s.TaskOut().dump(task), "assignee": None})


@api_blueprint.post("/tasks/<task_id>/complete")
@idempotent
def complete_task(task_id: str) -> Response:
    """Complete a task with form data."""
    body = load_body(s.CompleteTaskIn(), request.get_json(silent=True))
    with write_unit_of_work() as uow:
        done = tasks.complete_task_and_next(
            platform(), actor(), uow, clock(), task_id, body["data"]
        )
    following = s.NextTaskOut(many=True).dump(done.next_tasks)
    return jsonify({**s.InstanceOut().dump(done.instance), "next_tasks": following})


def load_body(schema: Any, payload: Any) -> dict[str, Any]:
    """Return a JSON body loaded with `schema`; InvalidInput names each refused field."""
    if not isinstance(payload, dict):
        raise InvalidInput([FieldError("body", "Lähetä JSON-olio.")])
    try:
        return dict(schema.load(payload))
    except ValidationError as exc:
        messages = exc.normalized_messages()  # type: ignore[no-untyped-call]
        raise InvalidInput(
            [
                FieldError(
                    str(name), "; ".join(map(str, msg)) if isinstance(msg, list) else str(msg)
                )
                for name, msg in messages.items()
            ]
        ) from None
