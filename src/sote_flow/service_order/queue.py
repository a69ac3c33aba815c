"""Work queues of service orders: one producer group's (or, for oversight, every group's)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Select, func, select

from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import PermissionDenied
from sote_flow.domain.roles import Role
from sote_flow.domain.text import t
from sote_flow.domain.weekdays import weekdays_between
from sote_flow.engine.cases import CaseDeclaration
from sote_flow.persistence.models import CaseClock
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.service_order.card import display_names
from sote_flow.service_order.labels import Labels, order_declaration, order_labels
from sote_flow.service_order.models import ServiceOrder
from sote_flow.services.actors import Actor, require_role
from sote_flow.services.platform import Platform

Query = TypeVar("Query", bound=Select[*tuple[Any, ...]])
QUEUE_ROLES = (Role.PRODUCER_ADMIN, Role.SERVICE_MANAGER, Role.ADMINISTRATOR, Role.AUDITOR)


@dataclass(frozen=True)
class QueueFilters:
    """What the queue shows; empty filters are not applied."""

    group: str | None = None
    state: str = ""  # empty: the first declared state
    service: str | None = None
    urgency: str | None = None
    municipality: str | None = None
    worker: str | None = None
    # An order or client number, whole or its beginning.
    search: str | None = None
    sort: str = "arrival"  # SORTS


@dataclass(frozen=True)
class QueueRow:
    """One order in the queue, its age in Finnish weekdays and its nearest legal deadline."""

    order: ServiceOrder
    age_weekdays: int
    deadline: date | None = None


# Queue orders: urgent first then arrival (the producer's own rule), or by a date, soonest first.
SORTS = ("arrival", "desired_start", "deadline")


@dataclass(frozen=True)
class QueuePage:
    """A page of the queue, the counts per state and the groups the actor may choose from."""

    rows: Sequence[QueueRow]
    counts: Mapping[str, int]
    total: int
    groups: Sequence[str]
    filters: QueueFilters
    read_only: bool
    labels: Labels
    states: CaseDeclaration
    names: Mapping[str, str]  # username -> display name of the handlers and family workers


def visible_groups(actor: Actor, uow: UnitOfWork) -> list[str]:
    """Return the producer groups whose queues the actor may see."""
    require_role(actor, *QUEUE_ROLES)
    if actor.oversees:
        names = uow.session.scalars(select(ServiceOrder.producer_group).distinct()).all()
        return sorted(set(names) | {g for g in actor.groups})
    return sorted(actor.groups)


def list_queue(
    platform: Platform,
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    filters: QueueFilters,
    page: int = 1,
    page_size: int = 25,
) -> QueuePage:
    """Return a page of the queue (urgent first, then arrival order) and log the rows shown."""
    groups = visible_groups(actor, uow)
    if filters.group is not None and filters.group not in groups and not actor.oversees:
        raise PermissionDenied(t("Et kuulu tämän palveluntuottajan ryhmään."))
    if filters.group is None and not actor.oversees:
        filters = replace(filters, group=groups[0] if groups else "")
    declaration = order_declaration(platform, uow)
    state = filters.state if filters.state in declaration.keys else declaration.keys[0]
    filters = replace(filters, state=state)
    deadline = (
        select(CaseClock.instance_id, func.min(CaseClock.due_on).label("due_on"))
        .where(CaseClock.stopped_on.is_(None))
        .group_by(CaseClock.instance_id)
        .subquery()
    )
    base = _filtered(select(ServiceOrder, deadline.c.due_on), filters).outerjoin(
        deadline, deadline.c.instance_id == ServiceOrder.instance_id
    )
    statement = (
        base.where(ServiceOrder.state == state)
        .order_by(*_sort_keys(filters.sort, deadline.c.due_on))
        .limit(page_size)
        .offset((max(page, 1) - 1) * page_size)
    )
    found = uow.session.execute(statement).all()
    orders = [order for order, _ in found]
    count_query = _filtered(
        select(ServiceOrder.state, func.count()).select_from(ServiceOrder), filters
    ).group_by(ServiceOrder.state)
    counts = {name: 0 for name in declaration.keys}
    counts.update({name: number for name, number in uow.session.execute(count_query).all()})
    now = clock()
    log_rows(uow, actor, clock, orders)
    uow.commit()
    return QueuePage(
        rows=[QueueRow(order, weekdays_between(order.queued_at, now), due) for order, due in found],
        counts=counts,
        total=counts[state],
        groups=groups,
        filters=filters,
        read_only=not actor.has_role(Role.PRODUCER_ADMIN),
        labels=order_labels(platform, uow),
        states=declaration,
        names=display_names(uow, [n for o in orders for n in (o.handler, o.family_worker)]),
    )


def _filtered(statement: Query, filters: QueueFilters) -> Query:
    if filters.group:
        statement = statement.where(ServiceOrder.producer_group == filters.group)
    if filters.service:
        statement = statement.where(ServiceOrder.service == filters.service)
    if filters.urgency:
        statement = statement.where(ServiceOrder.urgency == filters.urgency)
    if filters.municipality:
        statement = statement.where(ServiceOrder.municipality == filters.municipality)
    if filters.worker:
        statement = statement.where(ServiceOrder.family_worker == filters.worker)
    if filters.search:
        # An order number may be searched by any part ("000012"), a client number by its start.
        text = filters.search.replace("\\", "").replace("%", "").replace("_", "\\_")
        statement = statement.where(
            ServiceOrder.order_number.ilike(f"%{text}%", escape="\\")
            | ServiceOrder.client_number.like(f"{text}%", escape="\\")
        )
    return statement


def _sort_keys(sort: str, deadline: Any) -> list[Any]:
    arrival = [ServiceOrder.urgency_rank, ServiceOrder.queued_at, ServiceOrder.instance_id]
    if sort == "desired_start":
        return [ServiceOrder.desired_start.is_(None), ServiceOrder.desired_start, *arrival]
    if sort == "deadline":
        return [deadline.is_(None), deadline, *arrival]
    return arrival


def log_rows(uow: UnitOfWork, actor: Actor, clock: Clock, orders: Sequence[ServiceOrder]) -> None:
    """Log each order row shown to the actor as a read of that client's matter."""
    # Every order row shown is a read of a client's matter (asiakastietolaki 703/2023 §11).
    if not orders:
        return
    at, roles = clock(), ",".join(sorted(actor.roles))
    uow.access_log.record_many(
        [
            {
                "at": at,
                "username": actor.username,
                "roles": roles,
                "action": "list",
                "object_type": "order",
                "object_id": order.order_number or str(order.instance_id),
                "instance_id": order.instance_id,
                "purpose": actor.purpose,
            }
            for order in orders
        ]
    )
