"""Schemathesis fuzzes the API from its own OpenAPI document: no input is ever a server error.

Requests go through the Flask app itself (WSGI, no network) as a signed-in user who holds
every writing role. Every operation gets valid (positive) and invalid (negative) inputs, and
once more valid ones aimed at a real instance and task (a real service order for the orders'
operations), so the fuzz reaches past "not found".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from sote_flow.services.accounts import issue_token
from sote_flow.web.deps import clock as app_clock
from sote_flow.web.deps import unit_of_work
from tests.support.factories import make_actor
from tests.support.orders import GROUP, ORDER, make_order_people

EXAMPLES = 10  # per operation and pass: the whole test takes a few seconds, far below a minute
ROLES = ["social_worker", "producer_admin", "process_owner", "team_lead", "administrator"]


def _token_minter(app: Flask) -> Callable[[], str]:
    """Create the fuzzing user; return a function issuing a fresh bearer token for it."""
    with app.app_context():
        make_order_people(app.extensions["sote_flow.platform"], unit_of_work, app_clock())
        groups = ["hakijat", "kasittelijat", GROUP]  # and an admin of the order's producer
        fuzzer = make_actor(unit_of_work, app_clock(), "fuzzer", ROLES, groups)

    def mint() -> str:
        with app.app_context(), unit_of_work() as uow:
            return issue_token(uow, app_clock(), fuzzer, 8)

    return mint


def _real_ids(app: Flask, token: str) -> dict[str, Any]:
    """Start an approval instance and a service order; return their ids and a task's id."""
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    body = {"process_key": "approval", "data": {"client_number": "1234567", "amount": 2}}
    started = client.post("/api/v1/process-instances", headers=headers, json=body)
    assert started.status_code == 201, started.get_json()
    tasks = client.get("/api/v1/tasks?scope=group", headers=headers).get_json()["tasks"]
    body = {"process_key": "service_order", "data": ORDER}
    ordered = client.post("/api/v1/process-instances", headers=headers, json=body)
    assert ordered.status_code == 201, ordered.get_json()
    return {
        "instance_id": started.get_json()["id"],
        "order_id": ordered.get_json()["id"],
        "task_id": tasks[0]["id"],
        "username": "sanna",
    }


def _real_path_ids(operation: Any, ids: dict[str, Any]) -> dict[str, Any]:
    names = {p.name for p in operation.path_parameters}
    if operation.path.startswith("/orders/"):  # a service order's instance, not an approval's
        return {name: ids["order_id"] if name == "instance_id" else ids[name] for name in names}
    return {name: ids[name] for name in names}


def _aim_at_real_things(case: schemathesis.Case, ids: dict[str, Any]) -> None:
    if isinstance(case.body, dict):
        if "process_key" in case.body:
            case.body["process_key"] = "approval"
        if "instance_id" in case.body:
            case.body["instance_id"] = ids["instance_id"]


def _run(strategy: Any, call: Callable[[schemathesis.Case], None]) -> None:
    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case: schemathesis.Case) -> None:
        call(case)

    fuzz()


def test_no_input_makes_the_api_fail_with_a_server_error(app: Flask) -> None:
    mint = _token_minter(app)
    token = mint()
    ids = _real_ids(app, token)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12
    calls: list[str] = []

    def call(case: schemathesis.Case, real: bool) -> None:
        if real:
            _aim_at_real_things(case, ids)
        # Revoking the token in use would sign the fuzzer out: that operation gets its own.
        bearer = mint() if case.method.upper() == "DELETE" else token
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {bearer}"}
        case.call_and_validate(checks=[not_a_server_error])
        calls.append(case.operation.label)

    for operation in operations:
        for mode, real in (
            (GenerationMode.POSITIVE, False),
            (GenerationMode.NEGATIVE, False),
            (GenerationMode.POSITIVE, True),
        ):
            fixed = _real_path_ids(operation, ids) if real else None
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed)
            _run(strategy, lambda case, real=real: call(case, real))
    assert {o.label for o in operations} <= set(calls)
