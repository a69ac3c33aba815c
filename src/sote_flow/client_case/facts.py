"""The facts of each case that work records and reports read, kept in step with its saves."""

from __future__ import annotations

from typing import Any

from sote_flow.client_case.models import CaseFacts
from sote_flow.packages import SavedCase
from sote_flow.persistence.unit_of_work import UnitOfWork

PROCESS_KEY = "client_case"


def record_case(uow: UnitOfWork, saved: SavedCase) -> None:
    """Write what work records and reports need of the saved case."""
    data = saved.data
    facts = uow.session.get(CaseFacts, saved.instance.id)
    if facts is None:
        facts = CaseFacts(instance_id=saved.instance.id, opened_at=saved.instance.started_at)
        uow.session.add(facts)
    facts.client_number = _text(data.get("client_number"), 64)
    facts.municipality = _text(data.get("municipality"), 60)
    facts.matter_type = _text(data.get("matter_type"), 40)
    facts.unit = _text(data.get("unit"), 80)
    facts.responsible = _text(data.get("responsible"), 80)
    facts.service_key = _text(data.get("service_key"), 40)
    if saved.completed and facts.closed_at is None:
        facts.closed_at = saved.at


def _text(value: Any, limit: int) -> str | None:
    return str(value)[:limit] if value not in (None, "") else None
