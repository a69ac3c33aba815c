"""Service orders in the JSON API: the order card and the order page's actions, as on the web."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from sote_flow.persistence.models import AccessLogEntry, HistoryEntry
from sote_flow.service_order.models import ServiceOrder
from sote_flow.service_order.replay import CANCELLED, RETURNED, TAKEN_OVER
from sote_flow.web.api.openapi import openapi_path
from sote_flow.web.deps import unit_of_work
from tests.support.orders import ORDER, OrderDriver, OrderPeople, make_order_people
from tests.web.conftest import api_token, csrf_token, login

REASON = "Perhe muutti, palvelu keskeytyi."
ORDER_ACTIONS = {TAKEN_OVER, RETURNED, CANCELLED}


@pytest.fixture
def people(app: Flask, clock) -> OrderPeople:
    with app.app_context():
        return make_order_people(app.extensions["sote_flow.platform"], unit_of_work, clock)


@pytest.fixture
def orders(app: Flask, clock, people) -> OrderDriver:
    return OrderDriver(app.extensions["sote_flow.platform"], unit_of_work, clock, people)


def _new(app: Flask, orders: OrderDriver, *steps: str) -> int:
    """Send an order and run the driver's `steps` on it; return its id."""
    with app.app_context():
        orders.order()
        for step in steps:
            getattr(orders, step)()
    return orders.instance_id


def _post(client: FlaskClient, user: str, path: str, body: Any = None, **headers: str):
    return client.post(f"/api/v1{path}", headers={**api_token(client, user), **headers}, json=body)


def _web_post(app: Flask, user: str, path: str, data: dict[str, str] | None = None) -> int:
    web = app.test_client()
    login(web, user)
    token = csrf_token(web, path.rsplit("/", 1)[0])
    return web.post(path, data={**(data or {}), "csrf_token": token}).status_code


def _outcome(app: Flask, instance_id: int) -> tuple[Any, ...]:
    """The order's state and its history after it was sent, without what differs per order."""
    with app.app_context(), unit_of_work() as uow:
        order = uow.session.get(ServiceOrder, instance_id)
        assert order is not None
        entries = uow.session.scalars(
            select(HistoryEntry)
            .where(HistoryEntry.instance_id == instance_id)
            .order_by(HistoryEntry.id)
        ).all()
        trail = [
            (e.actor, e.action, e.data if e.action in ORDER_ACTIONS else None) for e in entries
        ]
        return (order.state, order.handler, order.return_count, order.closed_at, trail)


def _refused(response, message: str) -> None:
    assert response.status_code == 403, response.get_json()
    assert response.get_json()["message"] == message


def _field_errors(response) -> list[str]:
    assert response.status_code == 422, response.get_json()
    return [e["field"] for e in response.get_json()["errors"]]


def test_the_order_card_is_the_order_page_as_json_and_its_read_is_logged(
    app, client, orders, people
):
    instance_id = _new(app, orders, "take", "plan")
    response = client.get(f"/api/v1/orders/{instance_id}", headers=api_token(client, "anni"))
    assert response.status_code == 200, response.get_json()
    card = response.get_json()
    with app.app_context():
        order = orders.projection()
        state, desired_start = order.state, order.desired_start
    assert card["number"] == f"PT-2026-{instance_id:06d}"
    assert (card["client_number"], card["state"]) == (ORDER["client_number"], state)
    assert (card["service"], card["producer_group"]) == (ORDER["service"], ORDER["producer_group"])
    assert card["needs"] == ORDER["needs"]
    assert (card["handler"], card["family_worker"]) == ("aino", "pekka")
    assert (card["planned_start"], card["desired_start"], card["rounds"]) == (
        "2026-12-07",
        desired_start,
        1,
    )
    assert card["state_label"] == "Jonossa"  # planned, waiting for its start
    assert (card["may_take_over"], card["may_return"], card["may_cancel"]) == (False,) * 3
    with app.app_context(), unit_of_work() as uow:
        reads = uow.session.scalars(
            select(AccessLogEntry).where(AccessLogEntry.instance_id == instance_id)
        ).all()
        assert ("anni", "order") in {(r.username, r.object_type) for r in reads}
    outsider = client.get(f"/api/v1/orders/{instance_id}", headers=api_token(client, "otto"))
    _refused(outsider, "Sinulla ei ole oikeutta tähän tilaukseen.")


def test_unknown_ids_and_other_processes_are_not_orders(app, client, people):
    headers = api_token(client, "sanna")
    body = {"process_key": "approval", "data": {"client_number": "1234567", "amount": 2}}
    other = client.post("/api/v1/process-instances", headers=headers, json=body).get_json()["id"]
    for instance_id in (other, 999_999):
        card = client.get(f"/api/v1/orders/{instance_id}", headers=api_token(client, "aino"))
        assert card.status_code == 404
        assert card.get_json()["message"] == "Tilausta ei löydy."
        taken = _post(client, "aino", f"/orders/{instance_id}/take-over")
        assert taken.status_code == 404
        returned = _post(client, "aino", f"/orders/{instance_id}/return", {"reason": REASON})
        assert returned.status_code == 404
        cancelled = _post(client, "sofia", f"/orders/{instance_id}/cancel", {"reason": REASON})
        assert cancelled.status_code == 404


def test_take_over_does_what_the_web_does(app, client, orders):
    by_api, by_web = _new(app, orders, "take"), _new(app, orders, "take")
    _refused(
        _post(client, "otto", f"/orders/{by_api}/take-over"),
        "Vain tuottajaryhmän pääkäyttäjä voi ottaa tilauksen itselleen.",
    )
    _refused(
        _post(client, "sofia", f"/orders/{by_api}/take-over"),
        "Vain tuottajaryhmän pääkäyttäjä voi ottaa tilauksen itselleen.",
    )
    taken = _post(client, "anni", f"/orders/{by_api}/take-over")
    assert taken.status_code == 200, taken.get_json()
    assert (taken.get_json()["handler"], taken.get_json()["number"]) == (
        "anni",
        f"PT-2026-{by_api:06d}",
    )
    assert _web_post(app, "anni", f"/orders/{by_web}/take-over") == 302
    assert _outcome(app, by_api) == _outcome(app, by_web)
    again = _post(client, "anni", f"/orders/{by_api}/take-over")
    assert again.status_code == 409
    assert again.get_json()["message"] == "Tilaus on jo sinulla."


def test_return_does_what_the_web_does(app, client, orders):
    by_api, by_web = _new(app, orders, "process"), _new(app, orders, "process")
    path = f"/orders/{by_api}/return"
    assert _field_errors(_post(client, "aino", path, {})) == ["reason"]
    assert _field_errors(_post(client, "aino", path, {"reason": ""})) == ["reason"]
    too_long = _post(client, "aino", path, {"reason": "x" * 2001})
    assert _field_errors(too_long) == ["reason"]
    assert too_long.get_json()["errors"][0]["message"] == "Enintään 2000 merkkiä."
    refusal = "Vain tuottajaryhmän pääkäyttäjä voi palauttaa tilauksen jonoon."
    _refused(_post(client, "otto", path, {"reason": REASON}), refusal)
    _refused(_post(client, "sofia", path, {"reason": REASON}), refusal)
    returned = _post(client, "aino", path, {"reason": REASON})
    assert returned.status_code == 200, returned.get_json()
    assert returned.get_json()["rounds"] == 2
    assert _web_post(app, "aino", f"/orders/{by_web}/return", {"reason": REASON}) == 302
    assert _outcome(app, by_api) == _outcome(app, by_web)
    again = _post(client, "aino", path, {"reason": REASON})
    assert again.status_code == 409
    assert again.get_json()["message"] == "Vain käsitelty tilaus voidaan palauttaa jonoon."


def test_cancel_does_what_the_web_does(app, client, orders):
    by_api, by_web = _new(app, orders, "take"), _new(app, orders, "take")
    path = f"/orders/{by_api}/cancel"
    assert _field_errors(_post(client, "sofia", path, {"reason": "   "})) == ["reason"]
    assert _field_errors(_post(client, "sofia", path, None)) == ["body"]
    assert _field_errors(_post(client, "sofia", path, {"reason": 5})) == ["reason"]
    _refused(_post(client, "aino", path, {"reason": REASON}), "Vain tilaaja voi perua tilauksen.")
    cancelled = _post(client, "sofia", path, {"reason": REASON})
    assert cancelled.status_code == 200, cancelled.get_json()
    assert _web_post(app, "sofia", f"/orders/{by_web}/cancel", {"reason": REASON}) == 302
    assert _outcome(app, by_api) == _outcome(app, by_web)
    again = _post(client, "sofia", path, {"reason": REASON})
    assert again.status_code == 409
    assert again.get_json()["message"] == "Tilaus on peruttu."


def test_an_auditor_is_refused_every_write(app, client, orders):
    instance_id = _new(app, orders, "take")
    read = client.get(f"/api/v1/orders/{instance_id}", headers=api_token(client, "tarja"))
    assert read.status_code == 200, read.get_json()
    for action in ("take-over", "return", "cancel"):
        for body in ({"reason": REASON}, {}, None):
            refused = _post(client, "tarja", f"/orders/{instance_id}/{action}", body)
            _refused(refused, "Tarkastajan rooli ei voi muuttaa tietoja.")
    with app.app_context():
        assert orders.projection().handler == "aino"


def test_a_retried_cancel_with_the_same_key_cancels_once(app, client, orders):
    instance_id = _new(app, orders)
    headers = {"Idempotency-Key": "peru-1"}
    path = f"/orders/{instance_id}/cancel"
    first = _post(client, "sofia", path, {"reason": REASON}, **headers)
    assert first.status_code == 200, first.get_json()
    retry = _post(client, "sofia", path, {"reason": REASON}, **headers)
    assert (retry.status_code, retry.get_json()) == (200, first.get_json())
    assert retry.headers["Idempotent-Replayed"] == "true"
    trail = _outcome(app, instance_id)[-1]
    assert [action for _, action, _ in trail].count(CANCELLED) == 1


def test_the_openapi_document_lists_the_order_operations(client):
    document = client.get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    assert set(paths["/orders/{instance_id}"]) >= {"get", "parameters"}
    assert paths["/orders/{instance_id}"]["parameters"][0]["schema"] == {"type": "integer"}
    for action in ("take-over", "return", "cancel"):
        operation = paths[f"/orders/{{instance_id}}/{action}"]["post"]
        assert {"$ref": "#/components/parameters/IdempotencyKey"} in operation["parameters"]
        assert set(operation["responses"]) >= {"200", "403", "404", "409", "422"}
    body = paths["/orders/{instance_id}/return"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/OrderReasonIn"
    }
    assert {"OrderOut", "OrderCardOut", "OrderReasonIn"} <= set(document["components"]["schemas"])


def test_a_rule_becomes_an_openapi_path_with_typed_parameters():
    path, parameters = openapi_path("/things/<int:thing_id>/parts/<name>")
    assert path == "/things/{thing_id}/parts/{name}"
    assert [(p["name"], p["schema"]["type"]) for p in parameters] == [
        ("thing_id", "integer"),
        ("name", "string"),
    ]
