"""A recorded first visit becomes performed work: one VisitRecord per appointment.

The diagram copies the appointment's id to `visit_entry` once the worker has recorded the
visit; until then (and after a new time is booked) the two differ and nothing is written.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from sote_flow.first_contact.models import VisitRecord
from sote_flow.packages import SavedCase
from sote_flow.persistence.calendar_models import CalendarEntry
from sote_flow.persistence.unit_of_work import UnitOfWork


def record_visit(uow: UnitOfWork, saved: SavedCase) -> None:
    """Write the visit the worker just recorded, once."""
    data = saved.data
    entry_id = data.get("visit_entry")
    if entry_id is None or entry_id != data.get("appointment_entry"):
        return
    known = select(VisitRecord.id).where(
        VisitRecord.instance_id == saved.instance.id, VisitRecord.entry_id == entry_id
    )
    if uow.session.scalar(known) is not None:
        return
    entry = uow.session.get(CalendarEntry, entry_id)
    minutes = data.get("visit_minutes")
    uow.session.add(
        VisitRecord(
            instance_id=saved.instance.id,
            entry_id=entry_id,
            client_number=entry.client_number if entry else saved.instance.client_number,
            worker=entry.worker.username if entry else str(data.get("appointment_worker", "")),
            service_key=entry.service_key if entry else data.get("appointment_service"),
            outcome=str(data.get("visit_outcome") or ""),
            next_step=data.get("visit_next"),
            minutes=int(minutes) if isinstance(minutes, int) else None,
            visited_at=entry.starts_at if entry else _parsed(data.get("appointment_at")),
            recorded_at=saved.at,
        )
    )


def _parsed(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None
