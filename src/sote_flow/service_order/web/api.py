"""Service orders in the JSON API: the order card and the order page's actions."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from marshmallow import Schema, fields
from werkzeug.wrappers import Response

from sote_flow.engine.runtime import RunContext
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.service_order import actions as order_actions
from sote_flow.service_order.actions import REASON_MAX, OrderView
from sote_flow.service_order.models import ServiceOrder
from sote_flow.services.actors import require_writer
from sote_flow.web.api.idempotency import write_unit_of_work
from sote_flow.web.api.schemas import FinnishSchema, text
from sote_flow.web.api.views import load_body
from sote_flow.web.deps import actor, clock, platform, unit_of_work
from sote_flow.web.packages import ApiRoute


class OrderOut(Schema):
    instance_id = fields.Integer()
    number = fields.String(attribute="order_number", allow_none=True)
    client_number = fields.String(allow_none=True)
    state = fields.String()
    service = fields.String()
    urgency = fields.String()
    municipality = fields.String()
    law = fields.String(allow_none=True)
    desired_start = fields.String(allow_none=True, metadata={"description": "YYYY-MM-DD"})
    producer_group = fields.String()
    orderer = fields.String()
    handler = fields.String(allow_none=True)
    family_worker = fields.String(allow_none=True)
    planned_start = fields.String(allow_none=True, metadata={"description": "YYYY-MM-DD"})
    started_on = fields.String(allow_none=True, metadata={"description": "YYYY-MM-DD"})
    waiting_for_info = fields.Boolean()
    received_at = fields.AwareDateTime()
    rounds = fields.Function(
        lambda order: order.return_count + 1,
        metadata={"description": "processing rounds: 1 + the returns to the queue"},
    )


class OrderCardOut(OrderOut):
    state_label = fields.String(metadata={"description": "in Finnish"})
    needs = fields.List(fields.String(), metadata={"description": "the order form's keys"})
    may_take_over = fields.Boolean()
    may_return = fields.Boolean()
    may_cancel = fields.Boolean()


class OrderReasonIn(FinnishSchema):
    reason = text(REASON_MAX, required=True)


def order_card(instance_id: int) -> Response:
    """An order as its page shows it, with what the user may do to it (the read is logged)."""
    with unit_of_work() as uow:
        view = order_actions.view_order(platform(), actor(), uow, clock(), instance_id)
        card = _card(uow, view)
    return jsonify(card)


def take_over_order(instance_id: int) -> Response:
    """Become the order's handler in a colleague's place."""
    with write_unit_of_work() as uow:
        order = order_actions.take_over_order(platform(), actor(), uow, clock(), instance_id)
        # Dumped before the unit of work ends: with a key its commit waits for this answer.
        return jsonify(OrderOut().dump(order))


def return_order(instance_id: int) -> Response:
    """Return a processed order to the queue (reason required)."""
    reason = _reason()
    with write_unit_of_work() as uow:
        order = order_actions.return_order(platform(), actor(), uow, clock(), instance_id, reason)
        return jsonify(OrderOut().dump(order))


def cancel_order(instance_id: int) -> Response:
    """Cancel an order before its service starts (the orderer; reason required)."""
    reason = _reason()
    with write_unit_of_work() as uow:
        order = order_actions.cancel_order(platform(), actor(), uow, clock(), instance_id, reason)
        return jsonify(OrderOut().dump(order))


def _reason() -> str:
    # A read-only user is refused before the body is read: an auditor learns nothing from a 422.
    require_writer(actor())
    return str(load_body(OrderReasonIn(), request.get_json(silent=True))["reason"])


def _card(uow: UnitOfWork, view: OrderView) -> dict[str, Any]:
    order = view.order
    return {
        **OrderOut().dump(order),
        "state_label": view.states.label(order.state, "fi"),
        "needs": _needs(uow, order),
        "may_take_over": view.may_take_over,
        "may_return": view.may_return,
        "may_cancel": view.may_cancel,
    }


def _needs(uow: UnitOfWork, order: ServiceOrder) -> list[str]:
    # The queue's projection has no needs: they are read from the order's own data.
    instance = uow.instances.get(order.instance_id)
    if instance is None:
        return []
    ctx = RunContext(instance.id, instance.process_key, actor().username, clock())
    workflow, _ = platform().load_workflow(instance, ctx)
    needs = platform().runtime.current_data(workflow).get("needs")
    return [str(need) for need in needs] if isinstance(needs, list) else []


ORDER = "/orders/<int:instance_id>"
API_ROUTES = (
    ApiRoute(ORDER, "GET", order_card, "Read a service order's card", out=OrderCardOut),
    ApiRoute(
        f"{ORDER}/take-over",
        "POST",
        take_over_order,
        "Take over a service order in progress (an admin of its producer group)",
        out=OrderOut,
    ),
    ApiRoute(
        f"{ORDER}/return",
        "POST",
        return_order,
        "Return a processed service order to the queue (an admin of its producer group)",
        body=OrderReasonIn,
        out=OrderOut,
    ),
    ApiRoute(
        f"{ORDER}/cancel",
        "POST",
        cancel_order,
        "Cancel a service order before its service starts (its orderer)",
        body=OrderReasonIn,
        out=OrderOut,
    ),
)
