"""Finnish titles of an order's coded values, read from the deployed order form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from sqlalchemy import select

from sote_flow.domain.forms import choices, properties_of
from sote_flow.engine.cases import CaseDeclaration, CaseState
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.service_order.models import ServiceOrder
from sote_flow.service_order.projection import CANCELLED, PROCESS_KEY, PROCESSED
from sote_flow.services.platform import Platform

ORDER_FORM = "service_order-order.json"
LABELLED_FIELDS = ("service", "urgency", "municipality", "producer_group", "law", "needs")

Labels = Mapping[str, Mapping[str, str]]


def order_labels(platform: Platform, uow: UnitOfWork) -> Labels:
    """Return field -> value -> title for the order form of the newest service_order version."""
    version = uow.processes.latest(PROCESS_KEY)
    form = platform.form(version, ORDER_FORM) if version is not None else None
    if not form:
        return {name: {} for name in LABELLED_FIELDS}
    properties = properties_of(form)
    # A list field's titles are its items' (the change needs).
    return {
        name: dict(choices(properties.get(name, {}).get("items") or properties.get(name)))
        for name in LABELLED_FIELDS
    }


def order_declaration(platform: Platform, uow: UnitOfWork) -> CaseDeclaration:
    """Return the order states the newest service_order version declares, in tab order."""
    version = uow.processes.latest(PROCESS_KEY)
    declaration = platform.case_declaration(version) if version is not None else None
    if declaration is None:
        # An older or stripped diagram: the states the orders are in, labelled by their keys.
        keys = sorted(set(uow.session.scalars(select(ServiceOrder.state).distinct())))
        return CaseDeclaration(
            states=tuple(CaseState(key, {}) for key in keys),
            open_keys=frozenset(keys) - {PROCESSED, CANCELLED},
        )
    if CANCELLED not in declaration.keys:
        cancelled = CaseState(CANCELLED, {"fi": "Peruttu", "sv": "Annullerad", "en": "Cancelled"})
        return replace(declaration, states=(*declaration.states, cancelled))
    return declaration
