"""Keep the `service_orders` projection in step with every save of a service order instance."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sote_flow.persistence.models import ProcessInstance
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.service_order.models import OrderStateChange, ServiceOrder

PROCESS_KEY = "service_order"

RECEIVED, IN_PROGRESS, QUEUED, PROCESSED, CANCELLED = (
    "saapunut",
    "kasittelyssa",
    "jonossa",
    "kasitelty",
    "peruttu",
)
STATES = (RECEIVED, IN_PROGRESS, QUEUED, PROCESSED, CANCELLED)
OPEN_STATES = (RECEIVED, IN_PROGRESS, QUEUED)
URGENT = "kiireellinen"

# Which state an order is in while a user task of the diagram is open.
STATE_OF_TASK: Mapping[str, str] = {
    "take_order": RECEIVED,
    "plan_service": IN_PROGRESS,
    "answer_info": IN_PROGRESS,
    "record_start": QUEUED,
}
INFO_REQUEST_TASK = "answer_info"


def order_state(
    open_elements: Sequence[str], completed: bool, data: Mapping[str, Any]
) -> str | None:
    """Return the order state the instance's open tasks and data mean (None: undecided)."""
    if data.get("cancel_reason"):
        return CANCELLED
    for element in open_elements:
        if element in STATE_OF_TASK:
            return STATE_OF_TASK[element]
    return PROCESSED if completed else None


def sync_service_order(
    uow: UnitOfWork,
    instance: ProcessInstance,
    data: Mapping[str, Any],
    open_elements: Sequence[str],
    completed: bool,
    now: datetime,
) -> None:
    """Create or update the instance's order row and log a state change if there is one."""
    order = uow.session.get(ServiceOrder, instance.id)
    state = order_state(open_elements, completed, data)
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
    _copy_order_data(order, instance, data)
    order.waiting_for_info = INFO_REQUEST_TASK in open_elements
    if state is None or state == previous:
        return
    order.state = state
    if state == IN_PROGRESS and order.taken_at is None:
        order.taken_at = now
    order.closed_at = now if state in (PROCESSED, CANCELLED) else None
    uow.session.add(
        OrderStateChange(
            instance_id=instance.id, producer_group=order.producer_group, at=now, state=state
        )
    )


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
    order.return_count = max(int(data.get("round_number") or 1) - 1, 0)


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None
