"""Service ordering in the web app: the work queue, the order page, the report, family workers.

The order page's actions are in the JSON API too (`api.py`).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from sote_flow.service_order.replay import CANCELLED, RETURNED, TAKEN_OVER
from sote_flow.service_order.web.api import API_ROUTES
from sote_flow.service_order.web.orders import orders_blueprint
from sote_flow.service_order.web.reports import order_reports_blueprint
from sote_flow.service_order.web.workers import workers_blueprint
from sote_flow.web.packages import CasePage, NavLink, WebPart

QUEUE_ROLES = frozenset({"producer_admin", "service_manager", "administrator", "auditor"})

WEB = WebPart(
    blueprints=(orders_blueprint, order_reports_blueprint, workers_blueprint),
    api_routes=API_ROUTES,
    case_page=CasePage("service_order", "orders.show", _l("Tilauskortti")),
    nav=(
        NavLink("orders.mine", _l("Omat tilaukset"), frozenset({"social_worker"})),
        NavLink("orders.clients", _l("Omat asiakkuudet"), frozenset({"family_worker"})),
        NavLink("orders.queue", _l("Tilausjono"), QUEUE_ROLES),
        NavLink("order_reports.orders", _l("Raportit"), QUEUE_ROLES),
        NavLink("workers.index", _l("Perhetyöntekijät"), frozenset({"administrator"})),
    ),
    action_labels={
        TAKEN_OVER: _l("Tilaus siirretty toiselle käsittelijälle"),
        RETURNED: _l("Palautettu jonoon"),
        CANCELLED: _l("Tilaus peruttu"),
    },
)
