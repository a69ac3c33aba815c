"""The order card: everything staff may know of one order, as people read it.

Which fields it shows and how they are titled come from the deployed forms (and the package's
declared action fields); people appear by name, dates the Finnish way, and the information
requests as a thread read from the history.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from sote_flow.domain.clock import Clock
from sote_flow.domain.forms import describe_data, properties_of
from sote_flow.engine.runtime import RunContext
from sote_flow.persistence.models import CaseClock, HistoryEntry, ProcessInstance
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.service_order.models import OrderStateChange, ServiceOrder
from sote_flow.service_order.replay import RETURNED
from sote_flow.services.platform import Platform

QUESTION, ANSWER = "info_request", "info_answer"
# Shown in the card's fixed facts from the order row (by name), so not again among the fields.
SHOWN_AS_FACTS = frozenset(
    {"order_number", "handler", "family_worker", "planned_start", "actual_start", "end_date",
     "started_by"}
)  # fmt: skip


@dataclass(frozen=True)
class ThreadMessage:
    """One turn of an information request: the producer's question or the orderer's answer."""

    at: datetime
    author: str  # a display name
    kind: str  # "question" | "answer" | "returned"
    text: str


@dataclass(frozen=True)
class StateStep:
    """When the order entered a state (every round's, in order)."""

    at: datetime
    state: str


@dataclass(frozen=True)
class Deadline:
    """A legal clock of the order: its last allowed day and when it stopped, if it has."""

    key: str
    due_on: date
    stopped_on: date | None


@dataclass(frozen=True)
class OrderCard:
    """The order's fields in two parts (the order, its handling), thread, steps and deadlines."""

    order_fields: Sequence[tuple[str, str]]
    handling_fields: Sequence[tuple[str, str]]
    thread: Sequence[ThreadMessage]
    steps: Sequence[StateStep]
    deadlines: Sequence[Deadline]
    names: Mapping[str, str]


def order_card(
    platform: Platform,
    uow: UnitOfWork,
    clock: Clock,
    reader: str,
    instance: ProcessInstance,
    order: ServiceOrder,
) -> OrderCard:
    """Return the card of one order (the caller checks access and logs the read)."""
    version = instance.process_version
    ctx = RunContext(instance.id, instance.process_key, reader, clock)
    workflow, _ = platform.load_workflow(instance, ctx)
    data = platform.runtime.latest_data(workflow)
    entries = _conversation(uow, instance.id)
    names = display_names(
        uow,
        [order.orderer, order.handler, order.family_worker, data.get("cancelled_by")]
        + [entry.actor for entry in entries],
    )
    schemas = platform.form_schemas(version)
    start_name = platform.start_form(version)
    start = platform.form(version, start_name) or {}
    own = set(properties_of(start))
    rest = [schema for schema in schemas if schema is not start]
    facts = {name: value for name, value in data.items() if name not in SHOWN_AS_FACTS}
    handling = {name: value for name, value in facts.items() if name not in own}
    return OrderCard(
        order_fields=describe_data([start], facts, names),
        handling_fields=describe_data(rest, handling, names),
        thread=_thread(entries, names),
        steps=[StateStep(at, state) for at, state in _steps(uow, instance.id)],
        deadlines=[
            Deadline(row.key, row.due_on, row.stopped_on)
            for row in uow.session.scalars(
                select(CaseClock).where(CaseClock.instance_id == instance.id)
            )
        ],
        names=names,
    )


def display_names(uow: UnitOfWork, usernames: Iterable[Any]) -> dict[str, str]:
    """Return username -> display name for the usernames given (unknown ones are left out)."""
    return uow.users.display_names(usernames)


def _conversation(uow: UnitOfWork, instance_id: int) -> list[HistoryEntry]:
    # Only the entries that can hold a question, an answer or a return; not the whole history.
    statement = (
        select(HistoryEntry)
        .where(
            HistoryEntry.instance_id == instance_id,
            HistoryEntry.action.in_(("task_completed", RETURNED)),
        )
        .order_by(HistoryEntry.id)
    )
    return list(uow.session.scalars(statement))


def _thread(entries: Sequence[HistoryEntry], names: Mapping[str, str]) -> list[ThreadMessage]:
    thread = []
    for entry in entries:
        recorded = entry.data or {}
        author = names.get(entry.actor, entry.actor)
        if entry.action == RETURNED:
            reason = str(recorded.get("reason") or "")
            thread.append(ThreadMessage(entry.at, author, "returned", reason))
            continue
        submitted = recorded.get("submitted") or {}
        for field, kind in ((QUESTION, "question"), (ANSWER, "answer")):
            text = submitted.get(field)
            if isinstance(text, str) and text.strip() and _asked(submitted, field):
                thread.append(ThreadMessage(entry.at, author, kind, text.strip()))
    return thread


def _asked(submitted: Mapping[str, Any], field: str) -> bool:
    # A question counts when the plan's decision asked for more information; a plan that went
    # ahead may carry the request box's leftover text, which nobody was asked.
    return field != QUESTION or submitted.get("decision") in (None, "lisatietoja")


def _steps(uow: UnitOfWork, instance_id: int) -> list[tuple[datetime, str]]:
    statement = (
        select(OrderStateChange.at, OrderStateChange.state)
        .where(OrderStateChange.instance_id == instance_id)
        .order_by(OrderStateChange.id)
    )
    return [(at, state) for at, state in uow.session.execute(statement)]
