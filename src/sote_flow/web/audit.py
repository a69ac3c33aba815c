"""Auditors: who read which client's data and why; is the history chain intact; exports."""

from __future__ import annotations

from datetime import datetime, time

from flask import Response, jsonify, render_template, request
from flask_babel import lazy_gettext as _l

from sote_flow.domain.roles import ROLE_LABELS_FI
from sote_flow.domain.weekdays import FINNISH_TIME
from sote_flow.services import audit as audit_service
from sote_flow.web.args import day_arg, page_number
from sote_flow.web.blueprints import protected_blueprint
from sote_flow.web.deps import actor, clock, platform, unit_of_work
from sote_flow.web.messages import translate_message
from sote_flow.web.spreadsheet import finnish_csv
from sote_flow.web.templating import local_time

audit_blueprint = protected_blueprint("audit", __name__, url_prefix="/audit")
# HistoryLog.verify's problems, as an auditor reads them.
CHAIN_PROBLEMS = {
    "entry content changed": _l("Merkinnän sisältöä on muutettu jälkikäteen."),
    "previous entry missing or changed": _l(
        "Edellinen merkintä puuttuu tai sitä on muutettu (merkintöjä on poistettu tai muokattu)."
    ),
    "newest entries missing": _l("Uusimpia merkintöjä on poistettu."),
}
# Object kinds the platform logs, as an auditor reads them. A process package's own kinds are
# named by the matter they concern (its process and case number).
OBJECT_KINDS = {
    audit_service.TASK_OBJECT: _l("Tehtävä"),
    "instance_history": _l("Historia"),
    "document": _l("Asiakirja"),
    "calendar_entry": _l("Kalenterimerkintä"),
    "access_log": _l("Käyttölokin haku"),
}
FILTER_ARGS = ("client_number", "username", "since", "until")  # kept in the paging links
REPORT_KIND_SUFFIX = "_report"  # every report logs its reads as <something>_report
EXPORT_FIELDS = (
    "at",
    "username",
    "roles",
    "action",
    "object_type",
    "object_id",
    "instance_id",
    "client_number",
    "purpose",
)
CSV_HEADERS = (
    _l("Aika"),
    _l("Käyttäjä"),
    _l("Roolit"),
    _l("Toiminto"),
    _l("Mitä luettiin"),
    _l("Kohteen tyyppi"),
    _l("Kohteen tunniste"),
    _l("Asia"),
    _l("Asiakasnumero"),
    _l("Peruste"),
)


@audit_blueprint.get("/access-log")
def access_log() -> str | Response:
    """Search the access log (HTML page by page, or CSV/JSON with ?format=); show the chain."""
    query = audit_service.AccessQuery(
        client_number=request.args.get("client_number", "").strip() or None,
        username=request.args.get("username", "").strip() or None,
        since=_day(request.args.get("since"), time.min),
        until=_day(request.args.get("until"), time.max),
    )
    export = request.args.get("format")
    if export in ("json", "csv"):
        with unit_of_work() as uow:
            rows = audit_service.export_access_log(actor(), uow, clock(), query)
        if export == "json":
            return jsonify([_record(row) for row in rows])
        return Response(
            finnish_csv([[str(h) for h in CSV_HEADERS], *(_csv_row(row) for row in rows)]),
            mimetype="text/csv",
            headers={"Content-Disposition": "attachment; filename=kayttoloki.csv"},
        )
    page = page_number(request.args.get("page"))
    with unit_of_work() as uow:
        view = audit_service.audit_view(
            actor(), uow, clock(), query, page, platform().settings.page_size
        )
    filters = {k: v for k, v in request.args.items() if k in FILTER_ARGS and v}
    return render_template(
        "audit.html",
        view=view,
        query=query,
        args=request.args,
        filters=filters,
        chain_problems=CHAIN_PROBLEMS,
        object_label=object_label,
        role_names=role_names,
    )


def object_label(row: audit_service.AccessRow) -> str:
    """Name what was read as a person would: "Tehtävä: Suunnittele palvelu, PT-2026-000003"."""
    entry = row.entry
    kind = OBJECT_KINDS.get(entry.object_type)
    matter = _matter(row)
    if entry.object_type == audit_service.TASK_OBJECT:
        named = ", ".join(part for part in (row.task_title, row.case_number or matter) if part)
        return f"{kind}: {named}" if named else f"{kind} {entry.object_id}"
    if matter is not None:
        return f"{kind}: {matter}" if kind else matter
    if kind is None and entry.object_type.endswith(REPORT_KIND_SUFFIX):
        kind = _l("Raportti")
    if kind is None:
        return f"{entry.object_type} {entry.object_id}"
    return str(kind) if entry.object_id in ("*", "") else f"{kind}: {entry.object_id}"


def role_names(roles: str) -> str:
    """Return stored role keys ("auditor,process_owner") as the UI names the roles."""
    labels = {role.value: label for role, label in ROLE_LABELS_FI.items()}
    return ", ".join(translate_message(labels.get(key, key)) for key in roles.split(",") if key)


def _matter(row: audit_service.AccessRow) -> str | None:
    # The matter an entry concerns: its process's name and case number ("Palvelutilaus
    # PT-2026-000003"), or the instance number before a case number is given.
    instance_id = row.entry.instance_id
    if instance_id is None:
        return None
    reference = row.case_number or f"#{instance_id}"
    return f"{row.process_name} {reference}" if row.process_name else reference


def _day(value: str | None, at: time) -> datetime | None:
    # Dates are Finnish calendar days; an unusable date is simply not applied.
    day = day_arg(value)
    return datetime.combine(day, at, FINNISH_TIME) if day is not None else None


def _csv_row(row: audit_service.AccessRow) -> list[object]:
    entry = row.entry
    return [
        local_time(entry.at),
        entry.username,
        role_names(entry.roles),
        entry.action,
        object_label(row),
        entry.object_type,
        entry.object_id,
        entry.instance_id,
        row.client_number,
        entry.purpose,
    ]


def _record(row: audit_service.AccessRow) -> dict[str, object]:
    entry = row.entry
    return {
        "at": entry.at.isoformat(),
        "username": entry.username,
        "roles": entry.roles,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object": object_label(row),
        "instance_id": entry.instance_id,
        "client_number": row.client_number,
        "purpose": entry.purpose,
    }
