"""Queue report: orders received, weekdays to each milestone, queue length per day (issue 3)."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import FieldError, InvalidInput, PermissionDenied
from sote_flow.domain.weekdays import FINNISH_TIME, weekdays_between_dates
from sote_flow.persistence.models import OrderStateChange, ServiceOrder
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor
from sote_flow.services.instances import log_read
from sote_flow.services.orders.labels import Labels, order_labels
from sote_flow.services.orders.projection import OPEN_STATES
from sote_flow.services.orders.queue import visible_groups
from sote_flow.services.platform import Platform

MAX_DAYS = 366
DIMENSIONS = ("service", "urgency", "municipality")
MILESTONES = ("taken", "planned", "started")


@dataclass(frozen=True)
class ReportQuery:
    """The period (Finnish calendar days, both included) and the producer group (None: all)."""

    since: date
    until: date
    group: str | None = None


@dataclass(frozen=True)
class Durations:
    """Median and 90th percentile of weekdays to one milestone, over the orders that reached it."""

    count: int
    median: float | None
    p90: float | None


@dataclass(frozen=True)
class ReportRow:
    """Orders received in a group of orders (all, or one service/urgency/municipality)."""

    dimension: str
    value: str
    received: int
    taken: Durations
    planned: Durations
    started: Durations


@dataclass(frozen=True)
class OrderReport:
    """The whole report, with the labels to show coded values."""

    query: ReportQuery
    groups: Sequence[str]
    total: ReportRow
    rows: Sequence[ReportRow]
    queue_per_day: Sequence[tuple[date, int]]
    labels: Labels


def order_report(
    platform: Platform, actor: Actor, uow: UnitOfWork, clock: Clock, query: ReportQuery
) -> OrderReport:
    """Compute the queue report for a period and group; the read is logged."""
    groups = visible_groups(actor, uow)
    if query.group is not None and query.group not in groups and not actor.oversees:
        raise PermissionDenied("Et kuulu tämän palveluntuottajan ryhmään.")
    if query.until < query.since or (query.until - query.since).days >= MAX_DAYS:
        raise InvalidInput([FieldError("until", f"Jakso on 1–{MAX_DAYS} päivää.")])
    scope = [query.group] if query.group else (None if actor.oversees else groups)
    start, end = _local_midnight(query.since), _local_midnight(query.until + timedelta(days=1))
    orders = _orders(uow, scope, start, end)
    report = OrderReport(
        query=query,
        groups=groups,
        total=_row("kaikki", "", orders),
        rows=[row for dimension in DIMENSIONS for row in _rows(dimension, orders)],
        queue_per_day=queue_length_per_day(_changes(uow, scope, end), query.since, query.until),
        labels=order_labels(platform, uow),
    )
    log_read(uow, clock, actor, "order_report", query.group or "*", None, actor.purpose)
    uow.commit()
    return report


def percentile_summary(values: Sequence[int]) -> Durations:
    """Median and 90th percentile (inclusive method: interpolated between the data points)."""
    if not values:
        return Durations(0, None, None)
    if len(values) == 1:
        return Durations(1, float(values[0]), float(values[0]))
    p90 = statistics.quantiles(values, n=10, method="inclusive")[8]
    return Durations(len(values), float(statistics.median(values)), round(p90, 1))


def queue_length_per_day(
    changes: Iterable[tuple[int, datetime, str]], since: date, until: date
) -> list[tuple[date, int]]:
    """Orders open (received, in progress or queued) at the end of each day of the period.

    `changes` are (order, time, new state) in time order, from before the period too.
    """
    state_of: dict[int, str] = {}
    open_count = 0
    days = [since + timedelta(days=n) for n in range((until - since).days + 1)]
    result = []
    pending = iter(changes)
    upcoming = next(pending, None)
    for day in days:
        day_end = _local_midnight(day + timedelta(days=1))
        while upcoming is not None and upcoming[1] < day_end:
            order, _, state = upcoming
            was_open = state_of.get(order) in OPEN_STATES
            state_of[order] = state
            open_count += (state in OPEN_STATES) - was_open
            upcoming = next(pending, None)
        result.append((day, open_count))
    return result


def _orders(
    uow: UnitOfWork, scope: list[str] | None, start: datetime, end: datetime
) -> list[ServiceOrder]:
    query = select(ServiceOrder).where(
        ServiceOrder.received_at >= start, ServiceOrder.received_at < end
    )
    if scope is not None:
        query = query.where(ServiceOrder.producer_group.in_(scope))
    return list(uow.session.scalars(query))


def _changes(
    uow: UnitOfWork, scope: list[str] | None, end: datetime
) -> list[tuple[int, datetime, str]]:
    query = select(OrderStateChange.instance_id, OrderStateChange.at, OrderStateChange.state)
    query = query.where(OrderStateChange.at < end)
    if scope is not None:
        query = query.where(OrderStateChange.producer_group.in_(scope))
    rows = uow.session.execute(query.order_by(OrderStateChange.at, OrderStateChange.id))
    return [(order, at, state) for order, at, state in rows]


def _rows(dimension: str, orders: Sequence[ServiceOrder]) -> list[ReportRow]:
    values = sorted({str(getattr(order, dimension)) for order in orders})
    return [
        _row(dimension, value, [o for o in orders if str(getattr(o, dimension)) == value])
        for value in values
    ]


def _row(dimension: str, value: str, orders: Sequence[ServiceOrder]) -> ReportRow:
    taken, planned, started = [], [], []
    for order in orders:
        arrived = order.received_at.astimezone(FINNISH_TIME).date()
        if order.taken_at is not None:
            taken_day = order.taken_at.astimezone(FINNISH_TIME).date()
            taken.append(weekdays_between_dates(arrived, taken_day))
        if (day := _date(order.planned_start)) is not None:
            planned.append(weekdays_between_dates(arrived, day))
        if (day := _date(order.started_on)) is not None:
            started.append(weekdays_between_dates(arrived, day))
    return ReportRow(
        dimension, value, len(orders),
        percentile_summary(taken), percentile_summary(planned), percentile_summary(started),
    )  # fmt: skip


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, FINNISH_TIME)
