"""Family law in the web app: the parents' public form, the officers' pages, the report and
the travel distances the administrator keeps."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from sote_flow.family_law.contacts import PROCESS_KEY
from sote_flow.family_law.web.distance_pages import travel_distances_blueprint
from sote_flow.family_law.web.public_pages import family_public_blueprint
from sote_flow.family_law.web.report_pages import family_law_reports_blueprint
from sote_flow.family_law.web.staff_pages import family_law_blueprint
from sote_flow.web.packages import CasePage, NavLink, WebPart

MATTER_ROLES = frozenset({"child_welfare_officer", "client_advisor"})
REPORT_ROLES = frozenset({"service_manager", "team_lead", "auditor", "administrator"})

WEB = WebPart(
    blueprints=(
        family_public_blueprint,
        family_law_blueprint,
        family_law_reports_blueprint,
        travel_distances_blueprint,
    ),
    case_page=CasePage(PROCESS_KEY, "family_law.show", _l("Perheasian tiedot ja tapaamiset")),
    nav=(
        NavLink("family_law.new_phone_matter", _l("Uusi perheasia"), MATTER_ROLES),
        NavLink("family_law_reports.report", _l("Perheasioiden raportti"), REPORT_ROLES),
        NavLink("travel_distances.index", _l("Matkaetäisyydet"), frozenset({"administrator"})),
    ),
    action_labels={
        "party_contact_updated": _l("Vanhemman yhteystieto päivitetty"),
        "party_details_erased": _l("Vanhempien yhteystiedot poistettu"),
        "meeting_reminder_sent": _l("Muistutus tapaamisesta lähetetty"),
        "agreement_delivered": _l("Sopimus toimitettu vanhemmille"),
        "travel_distance_saved": _l("Matkaetäisyys tallennettu"),
        "travel_distance_deleted": _l("Matkaetäisyys poistettu"),
    },
)
