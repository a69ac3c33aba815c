"""Service ordering's rules that a form schema cannot state: dates against today and each other.

Run in the completion's transaction (the package's `complete_task`): a refusal names the field
in Finnish and changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from sote_flow.domain.errors import FieldError, InvalidInput
from sote_flow.domain.text import t
from sote_flow.domain.weekdays import FINNISH_TIME
from sote_flow.persistence.models import ProcessInstance
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.service_order.models import ServiceOrder
from sote_flow.service_order.projection import CANCELLED

if TYPE_CHECKING:
    from sote_flow.domain.clock import Clock
    from sote_flow.services.actors import Actor
    from sote_flow.services.platform import Platform

FUTURE_START = t("Palvelun alkamispäivä ei voi olla tulevaisuudessa.")
FUTURE_END = t("Palvelun päättymispäivä ei voi olla tulevaisuudessa.")


def check_task_dates(
    platform: Platform,
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    instance: ProcessInstance,
    element_id: str,
    data: Mapping[str, Any],
) -> Mapping[str, Any]:
    """Refuse a start or end of service recorded in the future, or an end before the start."""
    today = clock().astimezone(FINNISH_TIME).date()
    errors = []
    started = _day(data.get("actual_start"))
    if element_id == "record_start" and started is not None and started > today:
        errors.append(FieldError("actual_start", FUTURE_START))
    ended = _day(data.get("end_date"))
    if element_id == "record_end" and ended is not None:
        if ended > today:
            errors.append(FieldError("end_date", FUTURE_END))
        elif started is not None and ended < started:
            shown = f"{started.day}.{started.month}.{started.year}"
            message = t("Palvelu ei voi päättyä ennen kuin se alkoi ({start}).", start=shown)
            errors.append(FieldError("end_date", message))
    if errors:
        raise InvalidInput(errors)
    return {}


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None  # the form's own date check names the field


def open_orders_of_client(uow: UnitOfWork, data: Mapping[str, Any]) -> list[str]:
    """Warn when the client of a new order already has an open one (a likely duplicate)."""
    client = data.get("client_number")
    if not client:
        return []
    statement = select(ServiceOrder.order_number).where(
        ServiceOrder.client_number == str(client),
        ServiceOrder.closed_at.is_(None),
        ServiceOrder.state != CANCELLED,
    )
    return [
        t(
            "Asiakkaalla on jo avoin palvelutilaus {number}. Tarkista, ettei tilaus mene kahdesti.",
            number=number or "–",
        )
        for number in uow.session.scalars(statement.order_by(ServiceOrder.instance_id))
    ]
