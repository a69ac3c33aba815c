"""Template helpers: Finnish time formatting and labels for states and history actions."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from sote_flow.domain.forms import finnish_date
from sote_flow.domain.roles import ROLE_LABELS_FI, Role
from sote_flow.engine.cases import CaseDeclaration
from sote_flow.web.diagram_texts import diagram_text, diagram_value
from sote_flow.web.group_names import group_label
from sote_flow.web.packages import load_web_parts

LOCAL_TIME = ZoneInfo("Europe/Helsinki")

STATUS_LABELS = {
    "running": _l("Käynnissä"),
    "completed": _l("Päättynyt"),
    "error": _l("Virhe"),
    "cancelled": _l("Peruttu"),
}

ACTION_LABELS = {
    "instance_started": _l("Käynnistetty"),
    "document_downloaded": _l("Asiakirja ladattu"),
    "clock_warning_sent": _l("Määräajasta ilmoitettu palvelupäällikölle"),
    "task_returned_to_queue": _l("Tehtävä palautettu ryhmän jonoon"),
    "user_created": _l("Käyttäjä luotu"),
    "user_disabled": _l("Käyttäjä poistettu käytöstä"),
    "user_enabled": _l("Käyttäjä otettu käyttöön"),
    "user_access_changed": _l("Käyttäjän roolit tai ryhmät muutettu"),
    "user_password_reset": _l("Käyttäjälle asetettu kertakäyttöinen salasana"),
    "group_created": _l("Ryhmä luotu"),
    "group_renamed": _l("Ryhmä nimetty uudelleen"),
    "group_members_changed": _l("Ryhmän jäsenet muutettu"),
    "sso_user_created": _l("Käyttäjä luotu organisaation tunnuksesta"),
    "sso_login": _l("Kirjautuminen organisaation tunnuksella"),
    "sso_login_refused": _l("Kirjautuminen organisaation tunnuksella estetty"),
    "sso_access_changed": _l("Roolit tai ryhmät päivitetty tunnistuspalvelusta"),
    "system_setting_changed": _l("Järjestelmäasetus muutettu"),
    "download_links_revoked": _l("Latauslinkit peruttu"),
    "task_opened": _l("Tehtävä avautui"),
    "task_claimed": _l("Otettu käsittelyyn"),
    "task_released": _l("Palautettu ryhmälle"),
    "task_completed": _l("Tehtävä tehty"),
    "service_task": _l("Automaattinen vaihe"),
    "engine_error": _l("Virhe"),
    "instance_completed": _l("Päättynyt"),
    "timer_fired": _l("Ajastin laukesi"),
    "mail_queued": _l("Viesti lähetysjonoon"),
    "instance_retried": _l("Uusi yritys"),
    "mail_retried": _l("Viesti lähetetään uudelleen"),
    "message_sent": _l("Sanoma lähetetty"),
    "message_received": _l("Sanoma vastaanotettu"),
    "process_deployed": _l("Otettu käyttöön"),
    "instance_migrated": _l("Siirretty uuteen versioon"),
    "calendar_entry_added": _l("Kalenterimerkintä lisätty"),
    "calendar_entry_moved": _l("Kalenterimerkintä siirretty"),
    "calendar_entry_cancelled": _l("Kalenterimerkintä peruttu"),
    "slot_offered": _l("Vapaa aika lisätty"),
    "slot_pattern_added": _l("Toistuvat vapaat ajat lisätty"),
    "slot_pattern_withdrawn": _l("Toistuvat vapaat ajat poistettu"),
    "slot_booked": _l("Aika varattu"),
    "absence_marked": _l("Poissaolo merkitty"),
    "appointment_displaced": _l("Tapaaminen odottaa siirtoa"),
    "appointment_reassigned": _l("Tapaaminen siirretty toiselle"),
    "calendar_feed_created": _l("Kalenterin tilausosoite tehty"),
    "calendar_feed_revoked": _l("Kalenterin tilausosoite poistettu"),
    "calendar_type_saved": _l("Merkintätyyppi tallennettu"),
}


def local_time(value: datetime | None) -> str:
    """Format an aware datetime as Finnish local time, e.g. 22.11.2026 klo 11.05."""
    if value is None:
        return ""
    local = value.astimezone(LOCAL_TIME)
    return f"{local.day}.{local.month}.{local.year} klo {local:%H.%M}"


def local_time_only(value: datetime) -> str:
    """Format an aware datetime as a Finnish clock time, e.g. 9.45."""
    local = value.astimezone(LOCAL_TIME)
    return f"{local.hour}.{local:%M}"


def local_day(value: datetime) -> str:
    """Return the Finnish calendar day of an aware datetime as an ISO date."""
    return value.astimezone(LOCAL_TIME).date().isoformat()


def case_state_label(declaration: CaseDeclaration, key: str) -> str:
    """Return a declared case state's label in the page's language."""
    return declaration.label(key, str(get_locale() or "fi"))


def pretty_json(value: Any) -> str:
    """Format data as indented JSON, keeping Finnish letters readable."""
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def register_template_helpers(app: Flask) -> None:
    """Expose the helpers to every template."""
    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(pretty_json, "pretty_json")
    app.add_template_filter(local_time_only, "local_time_only")
    app.add_template_filter(local_day, "local_day")
    app.add_template_filter(finnish_date, "fi_date")
    app.add_template_global(timedelta, "timedelta")
    # A diagram's own text (task names, instructions, data labels) in the page's language.
    app.add_template_global(diagram_text, "diagram_text")
    app.add_template_global(diagram_value, "diagram_value")
    app.add_template_global(group_label, "group_label")

    parts = load_web_parts()
    action_labels = {**ACTION_LABELS}
    for part in parts:
        action_labels.update(part.action_labels)
    nav = [link for part in parts for link in part.nav]
    case_pages = {p.case_page.process_key: p.case_page for p in parts if p.case_page}

    @app.context_processor
    def helpers() -> dict[str, Any]:
        actor = getattr(current_user, "actor", None)
        roles = set(actor.roles) if actor is not None else set()
        return {
            "package_nav": [link for link in nav if link.roles & roles],
            "case_pages": case_pages,
            "status_label": lambda s: STATUS_LABELS.get(s, s),
            "action_label": lambda a: action_labels.get(a, a),
            "case_state_label": case_state_label,
            "role_label": lambda r: ROLE_LABELS_FI.get(Role(r), r),
            "current_actor": actor,
            "get_locale": get_locale,
            "now": current_app.extensions["sote_flow.clock"](),
        }
