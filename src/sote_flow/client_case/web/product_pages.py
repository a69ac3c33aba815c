"""The product catalogue (administrators keep it, auditors read it): a product per kind of work
and its prices over periods."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from sote_flow.client_case.events import EVENT_TYPES
from sote_flow.client_case.products import euros, product_catalogue, save_product, set_price
from sote_flow.client_case.web.work_pages import TYPE_LABELS, UNIT_LABELS, finnish_day
from sote_flow.domain.errors import InvalidInput
from sote_flow.domain.roles import Role
from sote_flow.domain.weekdays import FINNISH_TIME
from sote_flow.web.blueprints import protected_blueprint
from sote_flow.web.deps import actor, clock, unit_of_work

products_blueprint = protected_blueprint("products", __name__, template_folder="templates")
PRODUCT_FIELDS = ("event_type", "name", "unit", "retired")
FIELD_LABELS = {
    "event_type": _l("Työn laji"),
    "name": _l("Tuotteen nimi"),
    "unit": _l("Yksikkö"),
    "valid_from": _l("Voimassa alkaen"),
    "price": _l("Hinta, euroa"),
}


@products_blueprint.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "type_labels": TYPE_LABELS,
        "unit_labels": UNIT_LABELS,
        "euros": euros,
        "finnish_day": finnish_day,
    }


@products_blueprint.get("/admin/products")
def index() -> str:
    """List the products with today's price and each one's price history."""
    return _page({}, {}, FIELD_LABELS, 200)[0]


@products_blueprint.post("/admin/products")
def save() -> Response | tuple[str, int]:
    """Add the product of a kind of work, or change its name, unit or whether it is in use."""
    form = {name: request.form.get(name, "")[:200] for name in PRODUCT_FIELDS}
    try:
        with unit_of_work() as uow:
            added = save_product(
                actor(), uow, clock(), form["event_type"], form["name"], form["unit"],
                retired=form["retired"] == "yes",
            )  # fmt: skip
    except InvalidInput as error:
        errors = {e.field: e.message for e in error.errors}
        return _page({"product": form}, errors, FIELD_LABELS, 422)
    flash(_("Tuote lisätty.") if added else _("Tuote tallennettu."), "success")
    return redirect(url_for("products.index"))


@products_blueprint.post("/admin/products/<event_type>/prices")
def price(event_type: str) -> Response | tuple[str, int]:
    """Give a product a new price from a day on (the price before it ends the day before)."""
    form = {name: request.form.get(name, "")[:40] for name in ("valid_from", "price")}
    try:
        with unit_of_work() as uow:
            set_price(actor(), uow, clock(), event_type, form["valid_from"], form["price"])
    except InvalidInput as error:
        # Each product has its own price form: its fields are named after the product.
        errors = {f"{event_type}-{e.field}": e.message for e in error.errors}
        labels = {f"{event_type}-{name}": label for name, label in FIELD_LABELS.items()}
        return _page({"price_of": event_type, **form}, errors, labels, 422)
    flash(_("Hinta tallennettu."), "success")
    return redirect(url_for("products.index"))


def _page(
    typed: dict[str, Any], errors: dict[str, str], labels: Any, status: int
) -> tuple[str, int]:
    today = clock()().astimezone(FINNISH_TIME).date()
    with unit_of_work() as uow:
        rows = product_catalogue(actor(), uow, today)
    html = render_template(
        "client_case/products.html",
        rows=rows,
        typed=typed,
        errors=errors,
        summary_labels=labels,
        event_types=EVENT_TYPES,
        today=today,
        may_edit=not actor().read_only and actor().has_role(Role.ADMINISTRATOR),
    )
    return html, status
