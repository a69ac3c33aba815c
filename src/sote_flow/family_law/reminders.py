"""Reminders one Finnish weekday before each meeting (run by the scheduler's upkeep), and
news to the parents when a meeting is moved or cancelled in the calendar."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from sote_flow.domain.clock import Clock
from sote_flow.family_law.meetings import invited, reminder_time, unreminded_due
from sote_flow.family_law.models import Meeting
from sote_flow.family_law.notices import meeting_lines, notify_parents
from sote_flow.persistence.calendar_models import CalendarEntry
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.platform import Platform
from sote_flow.services.system import SYSTEM_ACTOR
from sote_flow.services.upkeep import each_in_own_transaction

BATCH = 500  # meetings per round; the next round takes the rest


def send_due_reminders(
    platform: Platform, unit_of_work: Callable[[], UnitOfWork], clock: Clock
) -> list[str]:
    """Remind the parents of every meeting whose reminder is due; one line per meeting."""
    with unit_of_work() as uow:
        due = unreminded_due(uow, clock(), BATCH)
    return each_in_own_transaction(
        unit_of_work,
        due,
        lambda uow, meeting_id: _remind(uow, clock, meeting_id),
        lambda meeting_id: f"muistutus lähetetty: tapaaminen {meeting_id}",
    )


def meeting_changed(uow: UnitOfWork, clock: Clock, entry: CalendarEntry, change: str) -> bool:
    """Tell the parents that their meeting moved, has a new officer or was cancelled; True if
    anyone was told."""
    meeting = uow.session.scalar(select(Meeting).where(Meeting.entry_id == entry.id))
    if meeting is None:
        return False
    if change == "moved":
        # The new time gets its own reminder (sent at once if its moment has already passed).
        meeting.reminder_due_at = reminder_time(entry.starts_at)
        meeting.reminded_at = clock() if meeting.reminder_due_at <= clock() else None
        subject, opening = "Tapaamisen aika on muuttunut", "Tapaamisenne aika on muuttunut."
    elif change == "reassigned":
        subject = "Tapaamisenne lastenvalvoja on vaihtunut"
        opening = "Tapaaminen pidetään sovittuna aikana, mutta toinen lastenvalvoja tapaa teidät."
    else:
        subject = "Tapaaminen on peruttu"
        opening = "Tapaaminen on peruttu. Lastenvalvoja sopii kanssanne uuden ajan."
    told = notify_parents(
        uow,
        clock,
        meeting.instance_id,
        invited(meeting),
        subject,
        [opening, *meeting_lines(meeting, entry)],
    )
    return told > 0


def _remind(uow: UnitOfWork, clock: Clock, meeting_id: int) -> bool:
    # Locked (SKIP LOCKED): with several schedulers on one PostgreSQL each reminder goes once.
    meeting = uow.session.scalar(
        select(Meeting)
        .where(Meeting.id == meeting_id, Meeting.reminded_at.is_(None))
        .with_for_update(skip_locked=True)
    )
    entry = uow.calendar.entry(meeting.entry_id) if meeting is not None else None
    now = clock()
    if meeting is None or entry is None or entry.cancelled_at is not None or entry.starts_at <= now:
        return False
    told = notify_parents(
        uow,
        clock,
        meeting.instance_id,
        invited(meeting),
        "Muistutus: lastenvalvojan tapaaminen",
        ["Muistutamme tulevasta tapaamisestanne.", *meeting_lines(meeting, entry)],
    )
    meeting.reminded_at = now
    uow.history.append(
        at=now,
        actor=SYSTEM_ACTOR.username,
        action="meeting_reminder_sent",
        instance_id=meeting.instance_id,
        data={"meeting": meeting.id, "entry": entry.id, "told": told},
    )
    uow.commit()
    return True
