"""First contact in the web app: the public contact form and chat, and the staff's contacts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from sote_flow.first_contact.contacts import PROCESS_KEY
from sote_flow.first_contact.web.public_pages import public_blueprint
from sote_flow.first_contact.web.staff_pages import contacts_blueprint
from sote_flow.web.packages import CasePage, NavLink, WebPart

CONTACT_ROLES = frozenset(
    {
        "client_advisor",
        "specialist",
        "team_lead",
        "service_manager",
        "auditor",
        "administrator",
    }
)

WEB = WebPart(
    blueprints=(public_blueprint, contacts_blueprint),
    case_page=CasePage(PROCESS_KEY, "contacts.show", _l("Yhteydenoton tiedot ja chat")),
    nav=(NavLink("contacts.index", _l("Yhteydenotot"), CONTACT_ROLES),),
    action_labels={
        "chat_message_received": _l("Viesti asiakkaalta"),
        "chat_answered": _l("Asiakkaalle vastattu"),
        "contact_details_erased": _l("Yhteystiedot poistettu"),
    },
)
