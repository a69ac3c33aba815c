"""A family worker's caseload in service ordering: orders planned for them and services running."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import func, select

from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.service_order.models import ServiceOrder
from sote_flow.service_order.projection import PROCESSED, QUEUED

ACTIVE_ORDER_STATES = (QUEUED, PROCESSED)


def active_orders(uow: UnitOfWork) -> Mapping[str, int]:
    """Return username -> orders planned for them and not yet started, or running."""
    rows = uow.session.execute(
        select(ServiceOrder.family_worker, func.count())
        .where(ServiceOrder.state.in_(ACTIVE_ORDER_STATES), ServiceOrder.family_worker.is_not(None))
        .group_by(ServiceOrder.family_worker)
    ).all()
    return {str(username): int(count) for username, count in rows}
