"""Meetings of a family-law matter: written into the officer's calendar, remote by default,
each with its own video link; the parents are invited, reminded one Finnish weekday before,
and told when a meeting moves or is cancelled.

The reminder is kept on the meeting (not as a timer in the diagram) because a meeting may be
moved in the calendar at any time: moving it sets a new reminder time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from sote_flow.domain.calendar import finnish_datetime
from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import FieldError, InvalidInput
from sote_flow.domain.text import t
from sote_flow.domain.weekdays import FINNISH_TIME, subtract_weekdays_from_date
from sote_flow.family_law.models import Meeting
from sote_flow.family_law.notices import meeting_lines, notify_parents
from sote_flow.persistence.calendar_models import CalendarEntry
from sote_flow.persistence.models import ProcessInstance
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor
from sote_flow.services.calendar_common import record_change, worker_by_username
from sote_flow.services.platform import Platform
from sote_flow.services.video_meetings import meeting_links

MEETING_TYPE = "agreement_meeting"
BUSY_MESSAGE = t("Kalenterissasi on jo merkintä tähän aikaan. Valitse toinen aika.")
REMINDER_WEEKDAYS = 1
TIME_OF_DAY = re.compile(r"^([01]?[0-9]|2[0-3])[.:]([0-5][0-9])$")
JOINT, FIRST, SECOND = 0, 1, 2
WHO = {JOINT: "yhteinen tapaaminen", FIRST: "vanhempi 1", SECOND: "vanhempi 2"}


@dataclass(frozen=True)
class MeetingPlan:
    """One meeting to book: when, with whom (0 joint, 1 or 2), how and where."""

    starts_at: datetime
    ends_at: datetime
    parent: int
    remote: bool
    office: str


@dataclass(frozen=True)
class MeetingView:
    """A meeting as staff see it on the matter's page."""

    id: int
    entry_id: int
    starts_at: datetime
    ends_at: datetime
    parent: int
    remote: bool
    office: str
    link: str | None
    cancelled: bool
    reminded: bool


def book_meetings(
    platform: Platform,
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    instance: ProcessInstance,
    data: Mapping[str, Any],
) -> dict[str, Any]:
    """Write the booked meetings into the officer's calendar and invite the parents (staged)."""
    plans = meeting_plans(clock, data)
    officer = worker_by_username(uow, actor.username)
    _refuse_overlaps(uow, officer.id, plans)
    links = meeting_links(platform.settings)
    reference = _reference(uow, instance.id)
    now = clock()
    for plan in plans:
        entry = CalendarEntry(
            worker_id=officer.id,
            worker=officer,
            type_key=MEETING_TYPE,
            starts_at=plan.starts_at,
            ends_at=plan.ends_at,
            place=None if plan.remote else f"{plan.office}, lastenvalvojan toimipiste",
            remote=plan.remote,
            case_instance_id=instance.id,
            created_by=actor.username,
            created_at=now,
        )
        uow.calendar.add_entry(entry)
        subject = f"Perheasian {reference} tapaaminen"
        link = links.create_link(plan.starts_at, plan.ends_at, subject) if plan.remote else None
        meeting = Meeting(
            instance_id=instance.id,
            entry_id=entry.id,
            parent=plan.parent,
            mode="eta" if plan.remote else "lahi",
            office=plan.office,
            link=link,
            reminder_due_at=reminder_time(plan.starts_at),
            created_at=now,
        )
        # An invitation sent after the reminder's moment is the reminder itself.
        meeting.reminded_at = now if meeting.reminder_due_at <= now else None
        uow.session.add(meeting)
        uow.session.flush()
        told = notify_parents(
            uow,
            clock,
            instance.id,
            invited(meeting),
            f"Kutsu tapaamiseen: perheasia {reference}",
            ["Teidät on kutsuttu lastenvalvojan tapaamiseen.", *meeting_lines(meeting, entry)],
        )
        record_change(uow, clock, actor, "calendar_entry_added", entry, invited=told)
    return meeting_facts(uow, instance.id)


def meeting_plans(clock: Clock, data: Mapping[str, Any]) -> list[MeetingPlan]:
    """Read the booking form's meetings: one joint, or one per parent; refuse past times."""
    remote = data.get("meeting_mode") != "lahi"
    minutes = int(data.get("meeting_minutes") or 60)
    office = str(data.get("office") or "")
    first = _moment(data, "meeting_day", "meeting_time")
    if not data.get("separate"):
        plans = [_plan(first, minutes, JOINT, remote, office)]
    else:
        second = _moment(data, "second_day", "second_time")
        plans = [
            _plan(first, minutes, FIRST, remote, office),
            _plan(second, minutes, SECOND, remote, office),
        ]
    errors = [
        FieldError(field, t("Tapaamisaika on jo mennyt. Valitse tuleva aika."))
        for plan, field in zip(plans, ("meeting_time", "second_time"), strict=False)
        if plan.starts_at <= clock()
    ]
    if len(plans) == 2 and _overlap(plans[0], plans[1]):
        errors.append(
            FieldError("second_time", t("Erilliset tapaamiset eivät voi olla päällekkäin."))
        )
    if errors:
        raise InvalidInput(errors)
    return plans


def reminder_time(starts_at: datetime) -> datetime:
    """The reminder's moment: the same time of day one Finnish weekday before the meeting."""
    local = starts_at.astimezone(FINNISH_TIME)
    day = subtract_weekdays_from_date(local.date(), REMINDER_WEEKDAYS)
    return finnish_datetime(day, local.time().replace(tzinfo=None))


def invited(meeting: Meeting) -> tuple[int, ...]:
    """The parents a meeting is for (both for a joint meeting)."""
    return (FIRST, SECOND) if meeting.parent == JOINT else (meeting.parent,)


def meetings_of(uow: UnitOfWork, instance_id: int) -> list[MeetingView]:
    """Return a matter's meetings, earliest first."""
    rows = uow.session.execute(
        select(Meeting, CalendarEntry)
        .join(CalendarEntry, CalendarEntry.id == Meeting.entry_id)
        .where(Meeting.instance_id == instance_id)
        .order_by(CalendarEntry.starts_at, Meeting.id)
    ).all()
    return [
        MeetingView(
            id=meeting.id,
            entry_id=entry.id,
            starts_at=entry.starts_at,
            ends_at=entry.ends_at,
            parent=meeting.parent,
            remote=meeting.mode == "eta",
            office=meeting.office,
            link=meeting.link,
            cancelled=entry.cancelled_at is not None,
            reminded=meeting.reminded_at is not None,
        )
        for meeting, entry in rows
    ]


def meeting_facts(uow: UnitOfWork, instance_id: int) -> dict[str, Any]:
    """The live meetings as the process sees them: the next one's time and a readable list."""
    live = [m for m in meetings_of(uow, instance_id) if not m.cancelled]
    texts = [f"{_when(m.starts_at, m.ends_at)} · {WHO[m.parent]} · {_how(m)}" for m in live]
    return {
        "meeting_at": live[0].starts_at.isoformat() if live else None,
        "meeting_time_text": "; ".join(texts),
        "meetings_booked": len(live),
    }


def _moment(data: Mapping[str, Any], day_field: str, time_field: str) -> datetime:
    errors = []
    try:
        day = date.fromisoformat(str(data.get(day_field) or ""))
    except ValueError:
        errors.append(FieldError(day_field, t("Anna päivä muodossa VVVV-KK-PP.")))
    match = TIME_OF_DAY.match(str(data.get(time_field) or "").strip())
    if match is None:
        errors.append(FieldError(time_field, t("Anna kellonaika muodossa 9.30.")))
    if errors or match is None:
        raise InvalidInput(errors)
    return finnish_datetime(day, time(int(match.group(1)), int(match.group(2))))


def _overlap(one: MeetingPlan, other: MeetingPlan) -> bool:
    return one.starts_at < other.ends_at and other.starts_at < one.ends_at


def _plan(start: datetime, minutes: int, parent: int, remote: bool, office: str) -> MeetingPlan:
    return MeetingPlan(start, start + timedelta(minutes=minutes), parent, remote, office)


def _refuse_overlaps(uow: UnitOfWork, worker_id: int, plans: Sequence[MeetingPlan]) -> None:
    errors = []
    for plan, field in zip(plans, ("meeting_time", "second_time"), strict=False):
        if uow.calendar.busy_times([worker_id], plan.starts_at, plan.ends_at):
            errors.append(
                FieldError(
                    field, t("Kalenterissasi on jo merkintä tähän aikaan. Valitse toinen aika.")
                )
            )
    if errors:
        raise InvalidInput(errors)


def _reference(uow: UnitOfWork, instance_id: int) -> str:
    case = uow.cases.get(instance_id)
    return case.case_number if case is not None and case.case_number else f"#{instance_id}"


def _when(start: datetime, end: datetime) -> str:
    local, until = start.astimezone(FINNISH_TIME), end.astimezone(FINNISH_TIME)
    days = ("ma", "ti", "ke", "to", "pe", "la", "su")
    return (
        f"{days[local.weekday()]} {local.day}.{local.month}.{local.year} "
        f"klo {local.hour}.{local:%M}–{until.hour}.{until:%M}"
    )


def _how(meeting: MeetingView) -> str:
    return "etätapaaminen" if meeting.remote else f"lähitapaaminen, {meeting.office}"


def unreminded_due(uow: UnitOfWork, now: datetime, limit: int) -> Sequence[int]:
    """Return the meetings whose reminder is due and not yet sent (live, still ahead)."""
    query = (
        select(Meeting.id)
        .join(CalendarEntry, CalendarEntry.id == Meeting.entry_id)
        .where(
            Meeting.reminded_at.is_(None),
            Meeting.reminder_due_at <= now,
            CalendarEntry.cancelled_at.is_(None),
            CalendarEntry.starts_at > now,
        )
        .order_by(Meeting.reminder_due_at, Meeting.id)
        .limit(limit)
    )
    return uow.session.scalars(query).all()
