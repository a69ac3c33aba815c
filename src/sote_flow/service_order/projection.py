"""Keep the `service_orders` projection in step with every save of a service order instance."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sote_flow.packages import SavedCase
from sote_flow.persistence.models import ProcessInstance
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.service_order.models import OrderRound, OrderStateChange, ServiceOrder

PROCESS_KEY = "service_order"

# The states the order actions rely on (the diagram declares them, with any others an owner
# adds); cancellation is the one the diagram cannot reach itself.
RECEIVED, IN_PROGRESS, QUEUED, PROCESSED, CANCELLED = (
    "saapunut",
    "kasittelyssa",
    "jonossa",
    "kasitelty",
    "peruttu",
)
URGENT = "kiireellinen"
# What the order actions besides the diagram's tasks write into an order, as pages show it.
ACTION_FIELDS = {
    "handler": {"title": "Käsittelijä", "format": "username"},
    "return_reason": {"title": "Palautuksen syy"},
    "cancel_reason": {"title": "Peruutuksen syy"},
    "cancelled_by": {"title": "Perunut", "format": "username"},
}
# The open task that means the order waits for the orderer's answer.
INFO_REQUEST_TASK = "answer_info"


def order_path(instance_id: int) -> str:
    """Return the order card's path, which mails link to."""
    return f"/orders/{instance_id}"


def order_state(saved: SavedCase) -> str | None:
    """Return the order's state: cancelled, or what the diagram declares (None: undecided)."""
    if saved.data.get("cancel_reason"):
        return CANCELLED
    return saved.state


def sync_service_order(uow: UnitOfWork, saved: SavedCase) -> None:
    """Create or update the instance's order row and log a state change if there is one."""
    instance, now = saved.instance, saved.at
    order = uow.session.get(ServiceOrder, instance.id)
    state = saved.state  # order_state has decided it (the package's case_state)
    if order is None:
        order = ServiceOrder(
            instance_id=instance.id,
            state=state or RECEIVED,
            received_at=instance.started_at,
            queued_at=instance.started_at,
            return_count=0,
        )
        uow.session.add(order)
        previous = None
    else:
        previous = order.state
    _copy_order_data(order, instance, saved.data)
    order.waiting_for_info = INFO_REQUEST_TASK in saved.open_elements
    _sync_round(uow, order, saved, state if state != previous else None)
    if state is None or state == previous:
        return
    order.state = state
    if state == IN_PROGRESS and order.taken_at is None:
        order.taken_at = now
    order.closed_at = now if saved.completed or state == CANCELLED else None
    uow.session.add(
        OrderStateChange(
            instance_id=instance.id, producer_group=order.producer_group, at=now, state=state
        )
    )


def _sync_round(
    uow: UnitOfWork, order: ServiceOrder, saved: SavedCase, entered: str | None
) -> None:
    # A round's milestones are set once, when the round reaches them; a returned order's new
    # round starts with the plan carried over, which it has not yet reached itself.
    number = int(saved.data.get("round_number") or 1)
    current = uow.session.get(OrderRound, (order.instance_id, number))
    if current is None:
        current = OrderRound(instance_id=order.instance_id, round=number, queued_at=order.queued_at)
        uow.session.add(current)
    if entered == IN_PROGRESS and current.taken_at is None:
        current.taken_at = saved.at
    elif entered == QUEUED:
        current.planned_start = _text(saved.data.get("planned_start"))
    elif entered == PROCESSED:
        current.started_on = _text(saved.data.get("actual_start"))


def _copy_order_data(
    order: ServiceOrder, instance: ProcessInstance, data: Mapping[str, Any]
) -> None:
    order.order_number = _text(data.get("order_number"))
    order.producer_group = str(data.get("producer_group") or "")
    order.service = str(data.get("service") or "")
    order.urgency = str(data.get("urgency") or "")
    order.urgency_rank = 0 if order.urgency == URGENT else 1
    order.municipality = str(data.get("municipality") or "")
    order.law = _text(data.get("law"))
    order.client_number = instance.client_number
    order.orderer = str(data.get("started_by") or instance.started_by)
    order.handler = _text(data.get("handler"))
    order.family_worker = _text(data.get("family_worker"))
    order.desired_start = _text(data.get("desired_start"))
    order.planned_start = _text(data.get("planned_start"))
    order.started_on = _text(data.get("actual_start"))
    order.ended_on = _text(data.get("end_date"))
    order.end_reason = _text(data.get("end_reason"))
    needs = data.get("needs")
    order.needs = ",".join(map(str, needs))[:500] if isinstance(needs, list) and needs else None
    order.return_count = max(int(data.get("round_number") or 1) - 1, 0)


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None
