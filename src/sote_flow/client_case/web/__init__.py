"""The client case in the web app: its page with performed work, my work with the calendar's
suggestions, the product catalogue and the municipality report."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from sote_flow.client_case.facts import PROCESS_KEY
from sote_flow.client_case.web.product_pages import products_blueprint
from sote_flow.client_case.web.report_pages import client_case_reports_blueprint
from sote_flow.client_case.web.work_pages import client_work_blueprint
from sote_flow.web.packages import CasePage, NavLink, WebPart

WORKERS = frozenset(
    {
        "social_worker",
        "family_worker",
        "client_advisor",
        "specialist",
        "child_welfare_officer",
        "team_lead",
    }
)
CATALOGUE_READERS = frozenset({"administrator", "auditor"})
REPORT_ROLES = frozenset({"service_manager", "team_lead", "auditor", "administrator"})

WEB = WebPart(
    blueprints=(client_work_blueprint, products_blueprint, client_case_reports_blueprint),
    case_page=CasePage(PROCESS_KEY, "client_work.case", _l("Asiakkuuden tiedot ja tehty työ")),
    nav=(
        NavLink("client_work.my_work", _l("Tehty työ"), WORKERS),
        NavLink("products.index", _l("Tuotteet ja hinnat"), CATALOGUE_READERS),
        NavLink("client_case_reports.report", _l("Kuntaraportti"), REPORT_ROLES),
    ),
    action_labels={
        "work_recorded": _l("Tehty työ kirjattu"),
        "work_confirmed": _l("Kalenterin tapaaminen kirjattu tehdyksi työksi"),
        "work_suggestion_dismissed": _l("Kalenterin tapaaminen ohitettu"),
        "product_saved": _l("Tuote tallennettu"),
        "product_price_set": _l("Tuotteen hinta asetettu"),
    },
)
