"""What the parents are told: invitations, reminders, moves and cancellations of meetings,
and the agreement's download link; by e-mail, or by SMS to a parent who gave only a number.

Each parent's message goes to their own address alone, so one parent never learns the other's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from sote_flow.domain.clock import Clock
from sote_flow.domain.weekdays import FINNISH_TIME
from sote_flow.family_law.contacts import parties
from sote_flow.family_law.models import Meeting
from sote_flow.persistence.calendar_models import CalendarEntry
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.calendar_common import queue_notice


def notify_parents(
    uow: UnitOfWork,
    clock: Clock,
    instance_id: int,
    parents: Iterable[int],
    subject: str,
    lines: Sequence[str] | Callable[[int], Sequence[str]],
) -> int:
    """Queue the message to each of the parents who can be reached; returns how many."""
    wanted = set(parents)
    told = 0
    for party in parties(uow, instance_id):
        if party.parent not in wanted or party.erased_at is not None:
            continue
        text = lines(party.parent) if callable(lines) else lines
        if queue_notice(uow, clock, instance_id, party.email, party.phone, subject, text):
            told += 1
    return told


def meeting_lines(meeting: Meeting, entry: CalendarEntry) -> list[str]:
    """The meeting as a parent reads it: time, how to join or where to come, with whom."""
    lines = [f"Aika: {_when(entry.starts_at, entry.ends_at)}"]
    if meeting.link:
        lines += [
            "Tapaaminen on etätapaaminen (video). Liity tapaamiseen tästä linkistä:",
            meeting.link,
            "Linkki on vain tätä tapaamista varten; älä jaa sitä.",
        ]
    else:
        lines.append(f"Paikka: {entry.place or meeting.office}")
    if meeting.parent == 0:
        lines.append("Tapaaminen on yhteinen: molemmat vanhemmat on kutsuttu.")
    lines.append(f"Lastenvalvoja: {entry.worker.display_name if entry.worker else '-'}")
    lines.append("Jos aika ei sovi, soita lastenvalvojalle.")
    return lines


def _when(start: datetime, end: datetime) -> str:
    local, until = start.astimezone(FINNISH_TIME), end.astimezone(FINNISH_TIME)
    day = f"{local.day}.{local.month}.{local.year}"
    return f"{day} klo {local.hour}.{local:%M}–{until.hour}.{until:%M}"
