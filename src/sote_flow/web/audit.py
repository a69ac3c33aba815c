"""Auditors: who read which client's data and why; is the history chain intact; exports."""

from __future__ import annotations

import csv
import io
from datetime import datetime, time

from flask import Response, jsonify, render_template, request
from flask_babel import lazy_gettext as _l

from sote_flow.domain.weekdays import FINNISH_TIME
from sote_flow.services import audit as audit_service
from sote_flow.web.args import day_arg
from sote_flow.web.blueprints import protected_blueprint
from sote_flow.web.deps import actor, clock, unit_of_work
from sote_flow.web.spreadsheet import safe_record

audit_blueprint = protected_blueprint("audit", __name__, url_prefix="/audit")
# HistoryLog.verify's problems, as an auditor reads them.
CHAIN_PROBLEMS = {
    "entry content changed": _l("Merkinnän sisältöä on muutettu jälkikäteen."),
    "previous entry missing or changed": _l(
        "Edellinen merkintä puuttuu tai sitä on muutettu (merkintöjä on poistettu tai muokattu)."
    ),
    "newest entries missing": _l("Uusimpia merkintöjä on poistettu."),
}
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


@audit_blueprint.get("/access-log")
def access_log() -> str | Response:
    """Search the access log (HTML, or CSV/JSON with ?format=) and show the chain's state."""
    query = audit_service.AccessQuery(
        client_number=request.args.get("client_number", "").strip() or None,
        username=request.args.get("username", "").strip() or None,
        since=_day(request.args.get("since"), time.min),
        until=_day(request.args.get("until"), time.max),
    )
    with unit_of_work() as uow:
        view = audit_service.audit_view(actor(), uow, clock(), query)
    records = [_record(row) for row in view.rows]
    export = request.args.get("format")
    if export == "json":
        return jsonify(records)
    if export == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=EXPORT_FIELDS)
        writer.writeheader()
        writer.writerows(safe_record(record) for record in records)
        return Response(
            buffer.getvalue(),
            mimetype="text/csv",
            headers={"Content-Disposition": "attachment; filename=access-log.csv"},
        )
    return render_template(
        "audit.html", view=view, query=query, args=request.args, chain_problems=CHAIN_PROBLEMS
    )


def _day(value: str | None, at: time) -> datetime | None:
    # Dates are Finnish calendar days; an unusable date is simply not applied.
    day = day_arg(value)
    return datetime.combine(day, at, FINNISH_TIME) if day is not None else None


def _record(row: audit_service.AccessRow) -> dict[str, object]:
    entry = row.entry
    return {
        "at": entry.at.isoformat(),
        "username": entry.username,
        "roles": entry.roles,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "instance_id": entry.instance_id,
        "client_number": row.client_number,
        "purpose": entry.purpose,
    }
