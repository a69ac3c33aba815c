"""The report's facts of each matter, kept in step with every save of its instance."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from sote_flow.family_law.models import MatterFacts, Meeting
from sote_flow.packages import SavedCase
from sote_flow.persistence.calendar_models import CalendarEntry
from sote_flow.persistence.unit_of_work import UnitOfWork


def record_matter(uow: UnitOfWork, saved: SavedCase) -> None:
    """Write what the report counts of the saved matter (no client data)."""
    data = saved.data
    facts = uow.session.get(MatterFacts, saved.instance.id)
    if facts is None:
        facts = MatterFacts(
            instance_id=saved.instance.id,
            channel=str(data.get("channel") or "digital")[:10],
            municipality=str(data.get("municipality") or "")[:60] or None,
            matters=",".join(str(m) for m in data.get("matters") or [])[:100],
            started_at=saved.instance.started_at,
        )
        uow.session.add(facts)
    facts.first_meeting_at = _first_meeting(uow, saved.instance.id)
    facts.outcome = outcome_of(data)
    facts.agreement_confirmed_at = _moment(data.get("agreement_confirmed_at"))
    facts.workload = _score(data.get("workload"))
    facts.smoothness = _score(data.get("smoothness"))
    if saved.completed and facts.closed_at is None:
        facts.closed_at = saved.at


def outcome_of(data: Any) -> str | None:
    """The matter's outcome so far: sopimus, sovittelu, ohjaus, olosuhdeselvitys or None."""
    outcome = data.get("outcome")
    if outcome == "ei_sopimusta":
        referral = data.get("referral")
        return str(referral) if referral in ("sovittelu", "ohjaus") else None
    return str(outcome) if outcome in ("sopimus", "olosuhdeselvitys") else None


def _first_meeting(uow: UnitOfWork, instance_id: int) -> datetime | None:
    return uow.session.scalar(
        select(func.min(CalendarEntry.starts_at))
        .join(Meeting, Meeting.entry_id == CalendarEntry.id)
        .where(Meeting.instance_id == instance_id, CalendarEntry.cancelled_at.is_(None))
    )


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _score(value: Any) -> int | None:
    return value if isinstance(value, int) and 1 <= value <= 5 else None
