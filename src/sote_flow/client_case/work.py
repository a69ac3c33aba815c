"""Performed work (tehty työ): client work recorded on a case, employee work without one, and
the worker's past calendar appointments offered as client work to confirm or dismiss.

An event copies the case's client number, municipality of residence and service when it is
recorded, so reports per purchasing municipality read the events alone, as they were then.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.exc import IntegrityError

from sote_flow.client_case.events import CLIENT_WORK, EMPLOYEE_WORK, EVENT_TYPES, FROM_CALENDAR
from sote_flow.client_case.facts import PROCESS_KEY
from sote_flow.client_case.models import CaseFacts, WorkEvent
from sote_flow.client_case.products import DAY_MESSAGE, read_day
from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import Conflict, FieldError, InvalidInput, NotFound, PermissionDenied
from sote_flow.domain.privacy import find_personal_identity_codes
from sote_flow.domain.text import t
from sote_flow.domain.weekdays import FINNISH_TIME
from sote_flow.persistence.calendar_models import CalendarEntry
from sote_flow.persistence.models import Case, HumanTask, ProcessInstance
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor, require_writer
from sote_flow.services.instances import log_read, may_read_instance

MAX_MINUTES = 24 * 60
MAX_PARTICIPANTS = 200
MAX_DAYS_BACK = 365
SUGGESTION_DAYS = 30
YES, NO = "yes", "no"
TAKEN = t("Kalenterimerkintä on jo vahvistettu tai ohitettu.")
TYPE_MESSAGE = t("Valitse tehdyn työn laji luettelosta.")
MINUTES_MESSAGE = t("Kirjoita kesto minuutteina, kokonaislukuna 1–{limit}.", limit=MAX_MINUTES)
LONG_MESSAGE = t("Kirjoita enintään {limit} merkkiä.", limit=MAX_PARTICIPANTS)
HETU_MESSAGE = t("Älä kirjoita henkilötunnusta; kirjoita osallistujien roolit, kuten äiti.")
# A shown row with a client number, for the access log: (object type, id, client number, case).
Shown = tuple[str, int, str | None, int | None]
# What the history tells of an event: no free text (participants), kept as long as the case.
HISTORY_FIELDS = ("id", "event_type", "occurred_on", "minutes", "client_met", "entry_id", "worker")


@dataclass(frozen=True)
class WorkInput:
    """What a worker records of performed work: form text or typed values."""

    event_type: str
    day: date | str
    minutes: int | str
    participants: str = ""
    client_met: bool | str | None = None  # client work only: True/"yes" or False/"no"


@dataclass(frozen=True)
class EventView:
    """One confirmed event of performed work as a page shows it."""

    id: int
    instance_id: int | None
    client_number: str | None
    municipality: str | None
    worker: str
    event_type: str
    type_label: str
    occurred_on: date
    minutes: int
    participants: str | None
    client_met: bool | None
    from_calendar: bool


@dataclass(frozen=True)
class Suggestion:
    """A past calendar appointment offered to its worker as client work to confirm."""

    entry_id: int
    day: date
    starts_at: datetime
    minutes: int
    event_type: str
    type_label: str
    entry_type: str
    instance_id: int | None  # the client case, when the appointment was made on one
    case_number: str | None
    client_number: str | None


@dataclass(frozen=True)
class MyWork:
    """A worker's confirmed work of the last days and the appointments waiting to confirm."""

    since: date
    until: date
    events: Sequence[EventView]
    suggestions: Sequence[Suggestion]


@dataclass(frozen=True)
class CaseView:
    """A client case's page: its facts, open tasks and the work done on it."""

    instance_id: int
    reference: str
    facts: CaseFacts | None
    open: bool
    open_tasks: Sequence[HumanTask]
    events: Sequence[EventView]


def record_case_work(
    actor: Actor, uow: UnitOfWork, clock: Clock, instance_id: int, data: WorkInput
) -> int:
    """Record client work on a case the actor may read; returns the event's id."""
    require_writer(actor)
    _readable(actor, uow, instance_id)
    event = _checked_event(actor, clock, data, CLIENT_WORK)
    _copy_case(event, uow.session.get(CaseFacts, instance_id))
    event.instance_id = instance_id
    return _record(uow, clock, actor, event, "work_recorded")


def record_employee_work(actor: Actor, uow: UnitOfWork, clock: Clock, data: WorkInput) -> int:
    """Record the actor's own work without a client; returns the event's id."""
    require_writer(actor)
    event = _checked_event(actor, clock, data, EMPLOYEE_WORK)
    return _record(uow, clock, actor, event, "work_recorded")


def calendar_suggestions(actor: Actor, uow: UnitOfWork, clock: Clock) -> list[Suggestion]:
    """Return the actor's past appointments of the last 30 days not yet confirmed or dismissed."""
    suggestions = _suggestions(actor, uow, clock)
    uow.commit()
    return suggestions


def confirm_suggestion(
    actor: Actor, uow: UnitOfWork, clock: Clock, entry_id: int, event_type: str | None = None
) -> int:
    """Record one of the actor's past appointments as client work; returns the event's id."""
    require_writer(actor)
    event = _entry_event(actor, uow, clock, entry_id, event_type, "confirmed")
    return _record(uow, clock, actor, event, "work_confirmed")


def dismiss_suggestion(actor: Actor, uow: UnitOfWork, clock: Clock, entry_id: int) -> None:
    """Mark one of the actor's past appointments as no work to record: not suggested again."""
    require_writer(actor)
    event = _entry_event(actor, uow, clock, entry_id, None, "dismissed")
    _record(uow, clock, actor, event, "work_suggestion_dismissed")


def case_view(actor: Actor, uow: UnitOfWork, clock: Clock, instance_id: int) -> CaseView:
    """Return a client case's facts, open tasks and performed work; logs the read."""
    instance, open_tasks = _readable(actor, uow, instance_id)
    case = uow.cases.get(instance_id)
    view = CaseView(
        instance_id=instance_id,
        reference=case.case_number if case is not None and case.case_number else f"#{instance_id}",
        facts=uow.session.get(CaseFacts, instance_id),
        open=instance.status == "running",
        open_tasks=open_tasks,
        events=_events(uow, WorkEvent.instance_id == instance_id),
    )
    log_read(uow, clock, actor, "client_case_work", str(instance_id), instance_id, actor.purpose)
    uow.commit()
    return view


def case_work(actor: Actor, uow: UnitOfWork, clock: Clock, instance_id: int) -> list[EventView]:
    """Return the confirmed work on a case the actor may read, newest first; logs the read."""
    return list(case_view(actor, uow, clock, instance_id).events)


def my_work(actor: Actor, uow: UnitOfWork, since: date, until: date) -> list[EventView]:
    """Return the actor's own confirmed work between two days (both included), newest first."""
    mine = WorkEvent.worker == actor.username
    return _events(uow, mine, WorkEvent.occurred_on.between(since, until))


def my_work_page(actor: Actor, uow: UnitOfWork, clock: Clock) -> MyWork:
    """Return the actor's work of the last 30 days and the appointments waiting to confirm."""
    until = _today(clock)
    since = until - timedelta(days=SUGGESTION_DAYS)
    events = my_work(actor, uow, since, until)
    suggestions = _suggestions(actor, uow, clock)
    kind = "client_work_event"
    _log_shown(uow, clock, actor, [(kind, e.id, e.client_number, e.instance_id) for e in events])
    uow.commit()
    return MyWork(since, until, events, suggestions)


def _readable(
    actor: Actor, uow: UnitOfWork, instance_id: int
) -> tuple[ProcessInstance, Sequence[HumanTask]]:
    instance = uow.instances.get(instance_id)
    if instance is None or instance.process_key != PROCESS_KEY:
        raise NotFound(t("Asiakkuutta ei löydy."))
    open_tasks = uow.tasks.for_instance(instance_id)
    case = uow.cases.get(instance_id)
    in_case_group = case is not None and case.group_name in actor.groups
    # Whether the actor worked on it is asked of the index, not by reading the whole history.
    readable = in_case_group or may_read_instance(actor, instance, open_tasks, ())
    if not readable and not uow.history.actor_took_part(instance_id, actor.username):
        raise PermissionDenied(t("Sinulla ei ole oikeutta tähän asiakkuuteen."))
    return instance, open_tasks


def _checked_event(actor: Actor, clock: Clock, data: WorkInput, kinds: dict[str, str]) -> WorkEvent:
    """Check what was written and build its confirmed event; client work tells if met."""
    errors = []
    if data.event_type not in kinds:
        errors.append(FieldError("event_type", TYPE_MESSAGE))
    day = read_day(data.day)
    today = _today(clock)
    if day is None:
        errors.append(FieldError("day", DAY_MESSAGE))
    elif day > today:
        errors.append(FieldError("day", t("Päivä ei voi olla tulevaisuudessa.")))
    elif day < today - timedelta(days=MAX_DAYS_BACK):
        errors.append(FieldError("day", t("Työn voi kirjata enintään vuoden taaksepäin.")))
    minutes = _minutes(data.minutes)
    if minutes is None:
        errors.append(FieldError("minutes", MINUTES_MESSAGE))
    participants = data.participants.strip()
    if len(participants) > MAX_PARTICIPANTS:
        errors.append(FieldError("participants", LONG_MESSAGE))
    elif find_personal_identity_codes(participants):
        errors.append(FieldError("participants", HETU_MESSAGE))
    client_work = kinds is CLIENT_WORK
    client_met = _yes_no(data.client_met) if client_work else None
    if client_work and client_met is None:
        errors.append(FieldError("client_met", t("Valitse, tavattiinko asiakas.")))
    if errors or day is None or minutes is None:
        raise InvalidInput(errors)
    return _event(actor, clock, data.event_type, day, minutes, "confirmed",
                  participants=participants or None, client_met=client_met)  # fmt: skip


def _minutes(value: int | str) -> int | None:
    # Form text or a number; bool is an int in Python but never a duration.
    text = value.strip() if isinstance(value, str) else str(value)
    if isinstance(value, bool) or not (text.isascii() and text.isdigit()) or len(text) > 4:
        return None
    return int(text) if 1 <= int(text) <= MAX_MINUTES else None


def _yes_no(value: bool | str | None) -> bool | None:
    if isinstance(value, bool):
        return value
    return {YES: True, NO: False}.get((value or "").strip())


def _event(
    actor: Actor, clock: Clock, kind: str, day: date, minutes: int, status: str, **more: Any
) -> WorkEvent:
    return WorkEvent(
        worker=actor.username,
        event_type=kind,
        occurred_on=day,
        minutes=minutes,
        status=status,
        recorded_at=clock(),
        recorded_by=actor.username,
        **more,
    )


def _copy_case(event: WorkEvent, facts: CaseFacts | None) -> None:
    # What the case is now is what the work was bought as (a later move changes no event).
    if facts is not None:
        event.instance_id = facts.instance_id
        event.client_number = facts.client_number or event.client_number
        event.municipality, event.service_key = facts.municipality, facts.service_key


def _record(uow: UnitOfWork, clock: Clock, actor: Actor, event: WorkEvent, action: str) -> int:
    uow.session.add(event)
    # One event per calendar entry: the same appointment confirmed twice at once fails here.
    try:
        uow.session.flush()  # for the event's id in the history
        uow.history.append(
            at=clock(),
            actor=actor.username,
            action=action,
            instance_id=event.instance_id,
            data={name: getattr(event, name) for name in HISTORY_FIELDS},
        )
        uow.commit()
    except IntegrityError:
        raise Conflict(TAKEN) from None
    return event.id


def _suggestions(actor: Actor, uow: UnitOfWork, clock: Clock) -> list[Suggestion]:
    """Find the suggestions and stage the access log of the client numbers they show."""
    now = clock()
    taken = select(WorkEvent.id).where(WorkEvent.entry_id == CalendarEntry.id).exists()
    has_client = CalendarEntry.client_number.is_not(None)
    # Only a client case has facts: an appointment on one is suggested even without a number.
    rows = uow.session.execute(
        select(CalendarEntry, CaseFacts.instance_id, CaseFacts.client_number, Case.case_number)
        .outerjoin(CaseFacts, CaseFacts.instance_id == CalendarEntry.case_instance_id)
        .outerjoin(Case, Case.instance_id == CalendarEntry.case_instance_id)
        .where(
            CalendarEntry.worker_id == actor.user_id,
            CalendarEntry.cancelled_at.is_(None),
            CalendarEntry.type_key.in_(FROM_CALENDAR),
            CalendarEntry.ends_at <= now,
            CalendarEntry.starts_at >= now - timedelta(days=SUGGESTION_DAYS),
            or_(CaseFacts.instance_id.is_not(None), has_client),
            ~taken,
        )
        .order_by(CalendarEntry.starts_at, CalendarEntry.id)
    ).all()
    suggestions, shown = [], []
    for entry, case_id, case_client, case_number in rows:
        kind = FROM_CALENDAR[entry.type_key]
        number = case_client or entry.client_number
        suggestions.append(
            Suggestion(entry.id, _finnish_day(entry.starts_at), entry.starts_at, _length(entry),
                       kind, EVENT_TYPES[kind], entry.entry_type.name_fi, case_id, case_number,
                       number)
        )  # fmt: skip
        shown.append(("calendar_entry", entry.id, number, case_id))
    _log_shown(uow, clock, actor, shown)
    return suggestions


def _entry_event(
    actor: Actor, uow: UnitOfWork, clock: Clock, entry_id: int, kind: str | None, status: str
) -> WorkEvent:
    """Build the event of one of the actor's own appointments that is (still) suggested."""
    entry = uow.calendar.entry(entry_id)
    if entry is None:
        raise NotFound(t("Kalenterimerkintää ei löydy."))
    if entry.worker_id != actor.user_id:
        raise PermissionDenied(t("Voit vahvistaa tai ohittaa vain omat kalenterimerkintäsi."))
    # Only a client case has facts (another process's case adds nothing to the event).
    facts = uow.session.get(CaseFacts, entry.case_instance_id) if entry.case_instance_id else None
    day = _finnish_day(entry.starts_at)
    if (
        entry.cancelled_at is not None
        or entry.type_key not in FROM_CALENDAR
        or entry.ends_at > clock()
        or day < _today(clock) - timedelta(days=MAX_DAYS_BACK)
        or not (facts or entry.client_number)
    ):
        raise NotFound(t("Kalenterimerkinnästä ei ole ehdotusta tehdyksi työksi."))
    if uow.session.scalar(select(WorkEvent.id).where(WorkEvent.entry_id == entry.id)):
        raise Conflict(TAKEN)
    kind = kind or FROM_CALENDAR[entry.type_key]
    if kind not in CLIENT_WORK:
        raise InvalidInput([FieldError("event_type", TYPE_MESSAGE)])
    # The calendar does not tell who took part or whether the client was met.
    event = _event(actor, clock, kind, day, _length(entry), status, entry_id=entry.id)
    event.client_number = entry.client_number
    _copy_case(event, facts)
    return event


def _events(uow: UnitOfWork, *where: ColumnElement[bool]) -> list[EventView]:
    rows = uow.session.scalars(
        select(WorkEvent)
        .where(WorkEvent.status == "confirmed", *where)
        .order_by(WorkEvent.occurred_on.desc(), WorkEvent.id.desc())
    ).all()
    return [
        EventView(e.id, e.instance_id, e.client_number, e.municipality, e.worker, e.event_type,
                  EVENT_TYPES.get(e.event_type, e.event_type), e.occurred_on, e.minutes,
                  e.participants, e.client_met, e.entry_id is not None)
        for e in rows
    ]  # fmt: skip


def _log_shown(uow: UnitOfWork, clock: Clock, actor: Actor, shown: Sequence[Shown]) -> None:
    """Log each shown row that carries a client number (asiakastietolaki 703/2023)."""
    for object_type, row_id, number, instance_id in shown:
        if number:
            object_id = f"{row_id}:{number}"
            log_read(uow, clock, actor, object_type, object_id, instance_id, actor.purpose)


def _length(entry: CalendarEntry) -> int:
    minutes = math.ceil((entry.ends_at - entry.starts_at).total_seconds() / 60)
    return max(1, min(MAX_MINUTES, minutes))


def _finnish_day(at: datetime) -> date:
    return at.astimezone(FINNISH_TIME).date()


def _today(clock: Clock) -> date:
    return _finnish_day(clock())
