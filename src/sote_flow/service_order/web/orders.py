"""Service orders: the producer groups' work queues and an order's page with its actions."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from sote_flow.domain.errors import InvalidInput
from sote_flow.service_order import actions as order_actions
from sote_flow.service_order import own_orders
from sote_flow.service_order.queue import SORTS, QueueFilters, list_queue
from sote_flow.web.args import page_number
from sote_flow.web.blueprints import protected_blueprint
from sote_flow.web.deps import actor, clock, platform, unit_of_work

orders_blueprint = protected_blueprint(
    "orders", __name__, url_prefix="/orders", template_folder="templates"
)
FILTER_NAMES = ("group", "service", "urgency", "municipality", "worker", "search")


@orders_blueprint.get("/")
def queue() -> str:
    """Show a producer group's work queue in one state, with counts per state."""
    args = {name: request.args.get(name, "").strip() or None for name in FILTER_NAMES}
    sort = request.args.get("sort", "")
    filters = QueueFilters(
        state=request.args.get("state", ""), sort=sort if sort in SORTS else SORTS[0], **args
    )
    page = page_number(request.args.get("page"))
    with unit_of_work() as uow:
        view = list_queue(
            platform(), actor(), uow, clock(), filters, page, platform().settings.page_size
        )
    return render_template(
        "orders.html", view=view, page=page, page_size=platform().settings.page_size
    )


@orders_blueprint.get("/mine")
def mine() -> str:
    """Show the orders the user sent (Omat tilaukset)."""
    return _own_list(own_orders.my_orders, "my_orders.html")


@orders_blueprint.get("/clients")
def clients() -> str:
    """Show the orders planned to the user as family worker (Omat asiakkuudet)."""
    return _own_list(own_orders.my_clients, "my_clients.html")


def _own_list(lister: own_orders.OwnLister, template: str) -> str:
    page = page_number(request.args.get("page"))
    size = platform().settings.page_size
    with unit_of_work() as uow:
        view = lister(platform(), actor(), uow, clock(), page, size)
    return render_template(template, view=view, page=page, page_size=size)


@orders_blueprint.get("/<int:instance_id>")
def show(instance_id: int) -> str:
    """Show one order and the actions the user may take on it."""
    return _show(instance_id, None, 200)[0]


@orders_blueprint.post("/<int:instance_id>/take-over")
def take_over(instance_id: int) -> Response:
    """Become the order's handler in a colleague's place."""
    with unit_of_work() as uow:
        order_actions.take_over_order(platform(), actor(), uow, clock(), instance_id)
    flash(_("Tilaus siirretty sinulle."), "success")
    return redirect(url_for("orders.show", instance_id=instance_id))


@orders_blueprint.post("/<int:instance_id>/return")
def return_to_queue(instance_id: int) -> Response | tuple[str, int]:
    """Return a processed order to the queue (reason required)."""
    try:
        with unit_of_work() as uow:
            order_actions.return_order(
                platform(), actor(), uow, clock(), instance_id, request.form.get("reason", "")
            )
    except InvalidInput as error:
        return _show(instance_id, ("return", error), 422)
    flash(_("Tilaus palautettu jonoon."), "success")
    return redirect(url_for("orders.show", instance_id=instance_id))


@orders_blueprint.post("/<int:instance_id>/cancel")
def cancel(instance_id: int) -> Response | tuple[str, int]:
    """Cancel an order before its service starts (reason required)."""
    try:
        with unit_of_work() as uow:
            order_actions.cancel_order(
                platform(), actor(), uow, clock(), instance_id, request.form.get("reason", "")
            )
    except InvalidInput as error:
        return _show(instance_id, ("cancel", error), 422)
    flash(_("Tilaus peruttu."), "success")
    return redirect(url_for("orders.show", instance_id=instance_id))


def _show(
    instance_id: int, failed: tuple[str, InvalidInput] | None, status: int
) -> tuple[str, int]:
    with unit_of_work() as uow:
        view = order_actions.view_order(platform(), actor(), uow, clock(), instance_id)
    action, error = failed if failed else (None, None)
    message = error.errors[0].message if error and error.errors else None
    html = render_template(
        "order.html",
        view=view,
        failed_action=action,
        reason_error=message,
        reason=request.form.get("reason", ""),
    )
    return html, status
