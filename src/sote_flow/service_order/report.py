"""Queue report: orders received, weekdays to each milestone, queue length per day (issue 3).

How days count (Finnish calendar days, Europe/Helsinki):
- Weekdays to a milestone are `weekdays_between_dates(arrival day, milestone day)`: the weekdays
  after the arrival day up to and including the milestone day, whatever the hour. Taken up the
  same day is 0, the next weekday 1. An order that arrives on a weekend or public holiday counts
  from the next weekday (as its take-up deadline does): Saturday in, Monday taken up is 0.
  A milestone on or before the arrival day is 0.
- Every round counts: an order returned to the queue arrives again on the day it was returned,
  and that round's taken-up time, planned start and actual start are its own (`order_rounds`);
  the first round's are kept. "Received" counts rounds that came to the queue in the period.
- Taken up is when the round went into processing; planned and actual start are the dates the
  admin recorded in that round.
- Median and 90th percentile are over the orders received in the period that have reached the
  milestone; the 90th percentile is `statistics.quantiles(method="inclusive")`, interpolated
  between data points and rounded to one decimal.
- Queue length of a day: orders whose latest state change before the next midnight is
  saapunut, kasittelyssa or jonossa.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, func, select

from sote_flow.domain.case_statistics import (
    Durations,
    local_midnight,
    percentile_summary,
    queue_length_per_day,
)
from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import FieldError, InvalidInput, PermissionDenied
from sote_flow.domain.text import t
from sote_flow.domain.weekdays import FINNISH_TIME, weekday_on_or_after, weekdays_between_dates
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.service_order.labels import Labels, order_declaration, order_labels
from sote_flow.service_order.models import OrderRound, OrderStateChange, ServiceOrder
from sote_flow.service_order.projection import PROCESSED
from sote_flow.service_order.queue import visible_groups
from sote_flow.services.actors import Actor
from sote_flow.services.instances import log_read
from sote_flow.services.platform import Platform

MAX_DAYS = 366
DIMENSIONS = ("service", "urgency", "municipality")
MILESTONES = ("taken", "planned", "started")
TOTAL = "kaikki"
AnySelect = Select[*tuple[Any, ...]]
Query = TypeVar("Query", bound=AnySelect)


@dataclass(frozen=True)
class ReportQuery:
    """The period (Finnish days, both included), the group (None: all) and optional filters."""

    since: date
    until: date
    group: str | None = None
    service: str | None = None
    urgency: str | None = None
    municipality: str | None = None


@dataclass(frozen=True)
class OrderTimes:
    """One received order's coded values and weekdays to each milestone (None: not reached)."""

    service: str
    urgency: str
    municipality: str
    taken: int | None
    planned: int | None
    started: int | None


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
        raise PermissionDenied(t("Et kuulu tämän palveluntuottajan ryhmään."))
    if query.until < query.since or (query.until - query.since).days >= MAX_DAYS:
        raise InvalidInput([FieldError("until", t("Jakso on 1–{days} päivää.", days=MAX_DAYS))])
    scope = [query.group] if query.group else (None if actor.oversees else groups)
    start, end = local_midnight(query.since), local_midnight(query.until + timedelta(days=1))
    times = [order_times(*row) for row in uow.session.execute(_orders(scope, query, start, end))]
    # The queue is the orders waiting for the service to start; a running service (processed,
    # its end still to be recorded) is open as a case but no longer in the producer's queue.
    open_states = order_declaration(platform, uow).open_keys - {PROCESSED}
    changes = _queue_changes(uow, scope, query, (start, end), open_states)
    report = OrderReport(
        query=query,
        groups=groups,
        total=summarise(TOTAL, "", times),
        rows=[row for dimension in DIMENSIONS for row in _rows(dimension, times)],
        queue_per_day=queue_length_per_day(changes, query.since, query.until, open_states),
        labels=order_labels(platform, uow),
    )
    log_read(uow, clock, actor, "order_report", query.group or "*", None, actor.purpose)
    uow.commit()
    return report


def order_times(
    service: str,
    urgency: str,
    municipality: str,
    received_at: datetime,
    taken_at: datetime | None,
    planned_start: str | None,
    started_on: str | None,
) -> OrderTimes:
    """Return an order's weekdays from arrival to taken up, planned start and actual start."""
    arrived = weekday_on_or_after(received_at.astimezone(FINNISH_TIME).date())
    taken = taken_at.astimezone(FINNISH_TIME).date() if taken_at is not None else None
    return OrderTimes(
        service, urgency, municipality,
        *(_weekdays(arrived, day) for day in (taken, _date(planned_start), _date(started_on))),
    )  # fmt: skip


def summarise(dimension: str, value: str, times: Sequence[OrderTimes]) -> ReportRow:
    """Count the orders and summarise the weekdays to each milestone."""
    durations = [
        percentile_summary([n for t in times if (n := getattr(t, name)) is not None])
        for name in MILESTONES
    ]
    return ReportRow(dimension, value, len(times), *durations)


def _orders(
    scope: list[str] | None, query: ReportQuery, start: datetime, end: datetime
) -> AnySelect:
    # Every round that came to the queue in the period, each with its own milestones.
    statement = (
        select(
            ServiceOrder.service,
            ServiceOrder.urgency,
            ServiceOrder.municipality,
            OrderRound.queued_at,
            OrderRound.taken_at,
            OrderRound.planned_start,
            OrderRound.started_on,
        )
        .join(ServiceOrder, ServiceOrder.instance_id == OrderRound.instance_id)
        .where(OrderRound.queued_at >= start, OrderRound.queued_at < end)
    )
    if scope is not None:
        statement = statement.where(ServiceOrder.producer_group.in_(scope))
    return _filtered(statement, query)


def _queue_changes(
    uow: UnitOfWork,
    scope: list[str] | None,
    query: ReportQuery,
    period: tuple[datetime, datetime],
    open_states: Collection[str],
) -> list[tuple[int, datetime, str]]:
    # The orders open when the period starts (each as a change at the start), then the changes
    # during the period: the database picks each order's latest state, so history before the
    # period is never sent over.
    start, end = period
    newest_first = (OrderStateChange.at.desc(), OrderStateChange.id.desc())
    rank = func.row_number().over(partition_by=OrderStateChange.instance_id, order_by=newest_first)
    before = _scoped_changes(
        select(OrderStateChange.instance_id, OrderStateChange.state, rank.label("rank")),
        scope,
        query,
    ).where(OrderStateChange.at < start)
    latest = before.subquery()
    open_at_start = select(latest.c.instance_id, latest.c.state).where(
        latest.c.rank == 1, latest.c.state.in_(list(open_states))
    )
    during = _scoped_changes(
        select(OrderStateChange.instance_id, OrderStateChange.at, OrderStateChange.state),
        scope,
        query,
    ).where(OrderStateChange.at >= start, OrderStateChange.at < end)
    ordered = during.order_by(OrderStateChange.at, OrderStateChange.id)
    opened = [(order, start, state) for order, state in uow.session.execute(open_at_start)]
    return opened + [(order, at, state) for order, at, state in uow.session.execute(ordered)]


def _scoped_changes(statement: Query, scope: list[str] | None, query: ReportQuery) -> Query:
    if scope is not None:
        statement = statement.where(OrderStateChange.producer_group.in_(scope))
    if any(getattr(query, name) for name in DIMENSIONS):
        join = ServiceOrder.instance_id == OrderStateChange.instance_id
        statement = _filtered(statement.join(ServiceOrder, join), query)
    return statement


def _filtered(statement: Query, query: ReportQuery) -> Query:
    for name in DIMENSIONS:
        if value := getattr(query, name):
            statement = statement.where(getattr(ServiceOrder, name) == value)
    return statement


def _rows(dimension: str, times: Sequence[OrderTimes]) -> list[ReportRow]:
    grouped: dict[str, list[OrderTimes]] = {}
    for order in times:
        grouped.setdefault(getattr(order, dimension), []).append(order)
    return [summarise(dimension, value, grouped[value]) for value in sorted(grouped)]


def _weekdays(arrived: date, day: date | None) -> int | None:
    return weekdays_between_dates(arrived, day) if day is not None else None


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None
