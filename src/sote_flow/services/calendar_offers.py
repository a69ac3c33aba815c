"""A worker's own offer of first-visit slots: the repeating patterns and the next free times."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sote_flow.domain.calendar import SERVICES
from sote_flow.domain.clock import Clock
from sote_flow.persistence.calendar_models import SlotPattern
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor
from sote_flow.services.calendar_common import require_calendar_keeper, worker_by_username
from sote_flow.services.calendar_slots import NEXT_SLOTS, FreeSlot, next_free_slots


@dataclass(frozen=True)
class PatternView:
    """A live slot pattern of a worker, as the offer page lists it."""

    id: int
    service_key: str
    weekday: int
    day_start: str
    day_end: str
    slot_minutes: int
    valid_from: date
    valid_until: date
    place: str | None
    remote: bool


@dataclass(frozen=True)
class OfferView:
    """A worker's slot patterns and their next free slots."""

    worker: str
    worker_name: str
    patterns: Sequence[PatternView]
    free: Sequence[FreeSlot]


def slot_offers(actor: Actor, uow: UnitOfWork, clock: Clock, username: str) -> OfferView:
    """Return the worker's repeating offers and next free slots (for them or their lead)."""
    worker = worker_by_username(uow, username)
    require_calendar_keeper(actor, worker)
    patterns = [_pattern_view(p) for p in uow.calendar.patterns_of(worker.id)]
    free = []
    for service_key in sorted({p.service_key for p in patterns} or SERVICES):
        free.extend(next_free_slots(uow, clock, service_key, NEXT_SLOTS, worker.id))
    free.sort(key=lambda s: s.starts_at)
    return OfferView(worker.username, worker.display_name, patterns, free[:NEXT_SLOTS])


def _pattern_view(p: SlotPattern) -> PatternView:
    return PatternView(
        id=p.id,
        service_key=p.service_key,
        weekday=p.weekday,
        day_start=p.day_start,
        day_end=p.day_end,
        slot_minutes=p.slot_minutes,
        valid_from=p.valid_from,
        valid_until=p.valid_until,
        place=p.place,
        remote=p.remote,
    )
