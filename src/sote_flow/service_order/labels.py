"""Finnish titles of an order's coded values, read from the deployed order form."""

from __future__ import annotations

from collections.abc import Mapping

from sote_flow.domain.forms import choices, properties_of
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.service_order.projection import PROCESS_KEY
from sote_flow.services.platform import Platform

ORDER_FORM = "service_order-order.json"
LABELLED_FIELDS = ("service", "urgency", "municipality", "producer_group", "law")

Labels = Mapping[str, Mapping[str, str]]


def order_labels(platform: Platform, uow: UnitOfWork) -> Labels:
    """Return field -> value -> title for the order form of the newest service_order version."""
    version = uow.processes.latest(PROCESS_KEY)
    form = platform.form(version, ORDER_FORM) if version is not None else None
    if not form:
        return {name: {} for name in LABELLED_FIELDS}
    properties = properties_of(form)
    return {name: dict(choices(properties.get(name))) for name in LABELLED_FIELDS}
