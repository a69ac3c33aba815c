"""The orders a person has a part in: the orderer's own orders and a family worker's clients."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, case, func, select

from sote_flow.domain.clock import Clock
from sote_flow.domain.roles import Role
from sote_flow.engine.cases import CaseDeclaration
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.service_order.card import display_names
from sote_flow.service_order.labels import Labels, order_declaration, order_labels
from sote_flow.service_order.models import ServiceOrder
from sote_flow.service_order.projection import CANCELLED
from sote_flow.service_order.queue import log_rows
from sote_flow.services.actors import Actor, require_role
from sote_flow.services.platform import Platform


@dataclass(frozen=True)
class OwnOrders:
    """A page of orders with people's names, the coded values' titles and the states."""

    orders: Sequence[ServiceOrder]
    total: int
    names: Mapping[str, str]
    labels: Labels
    states: CaseDeclaration


# The signature both lists share (the web picks one per page).
OwnLister = Callable[[Platform, Actor, UnitOfWork, Clock, int, int], "OwnOrders"]


def my_orders(
    platform: Platform, actor: Actor, uow: UnitOfWork, clock: Clock, page: int, page_size: int
) -> OwnOrders:
    """Return a page of the orders the actor sent, open ones first, newest first; rows logged."""
    require_role(actor, Role.SOCIAL_WORKER)
    mine = ServiceOrder.orderer == actor.username
    statement = (
        select(ServiceOrder)
        .where(mine)
        .order_by(
            case((ServiceOrder.closed_at.is_(None), 0), else_=1),
            ServiceOrder.received_at.desc(),
            ServiceOrder.instance_id.desc(),
        )
    )
    return _page(platform, actor, uow, clock, statement, mine, page, page_size)


def my_clients(
    platform: Platform, actor: Actor, uow: UnitOfWork, clock: Clock, page: int, page_size: int
) -> OwnOrders:
    """Return a page of the orders planned to the actor as family worker, by planned start."""
    require_role(actor, Role.FAMILY_WORKER)
    mine = (ServiceOrder.family_worker == actor.username) & (ServiceOrder.state != CANCELLED)
    statement = (
        select(ServiceOrder)
        .where(mine)
        .order_by(
            case((ServiceOrder.ended_on.is_(None), 0), else_=1),
            ServiceOrder.planned_start,
            ServiceOrder.instance_id,
        )
    )
    return _page(platform, actor, uow, clock, statement, mine, page, page_size)


def _page(
    platform: Platform,
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    statement: Select[ServiceOrder],
    condition: ColumnElement[bool],
    page: int,
    page_size: int,
) -> OwnOrders:
    offset = (max(page, 1) - 1) * page_size
    orders = list(uow.session.scalars(statement.limit(page_size).offset(offset)))
    count = select(func.count()).select_from(ServiceOrder).where(condition)
    total = uow.session.scalar(count) or 0
    names = display_names(
        uow, [name for o in orders for name in (o.orderer, o.handler, o.family_worker)]
    )
    log_rows(uow, actor, clock, orders)
    result = OwnOrders(
        orders=orders,
        total=total,
        names=names,
        labels=order_labels(platform, uow),
        states=order_declaration(platform, uow),
    )
    uow.commit()
    return result
