"""Calendar entries: a worker's week, the team's week, and adding, moving and cancelling."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sote_flow.domain.calendar import ABSENCE_TYPE, MAX_ENTRY, SERVICES
from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import FieldError, InvalidInput, NotFound, PermissionDenied
from sote_flow.domain.privacy import find_personal_identity_codes
from sote_flow.domain.text import t
from sote_flow.persistence.calendar_models import CalendarEntry
from sote_flow.persistence.models import User
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor, require_writer
from sote_flow.services.calendar_common import (
    EntryView,
    appointment_lines,
    entry_view,
    leads_team_of,
    log_client_reads,
    may_read_details,
    notify_client,
    record_change,
    require_calendar_keeper,
    tell_package,
    worker_by_username,
)
from sote_flow.services.platform import Platform

MAX_RANGE_DAYS = 62  # a page asks for a week or a month, never more


@dataclass(frozen=True)
class EntryInput:
    """What a worker writes into an entry."""

    type_key: str
    starts_at: datetime
    ends_at: datetime
    place: str = ""
    remote: bool = False
    client_number: str = ""
    service_key: str = ""
    case_instance_id: int | None = None


@dataclass(frozen=True)
class CalendarWeek:
    """A worker's entries in a period, and whether the viewer may change them."""

    worker: str
    worker_name: str
    entries: Sequence[EntryView]
    editable: bool
    entry_types: Sequence[tuple[str, str]]  # what can be written (not absences: own form)


@dataclass(frozen=True)
class TeamWeek:
    """The team's entries in a period: in full for its lead, home visits only for the rest."""

    group: str
    members: Sequence[tuple[str, str]]
    entries: Sequence[EntryView]
    lead: bool


def worker_calendar(
    actor: Actor, uow: UnitOfWork, clock: Clock, username: str, start: datetime, end: datetime
) -> CalendarWeek:
    """Return one worker's entries between two instants; reading client numbers is logged."""
    _check_range(start, end)
    worker = worker_by_username(uow, username)
    detail = may_read_details(actor, worker)
    if not detail and not actor.groups & {g.name for g in worker.groups}:
        raise PermissionDenied(t("Voit katsoa vain oman tiimisi kalentereita."))
    entries = uow.calendar.entries_between([worker.id], start, end)
    views = [entry_view(actor, e, detail) for e in entries]
    log_client_reads(uow, clock, actor, views, "calendar")
    uow.commit()
    types = [(t.key, t.name_fi) for t in uow.calendar.entry_types() if t.key != ABSENCE_TYPE]
    editable = _may_keep(actor, worker)
    return CalendarWeek(worker.username, worker.display_name, views, editable, types)


def calendar_entry(actor: Actor, uow: UnitOfWork, clock: Clock, entry_id: int) -> EntryView:
    """Return one entry for its page; reading its client number is logged."""
    entry = uow.calendar.entry(entry_id)
    if entry is None:
        raise NotFound(t("Kalenterimerkintää ei löydy."))
    detail = may_read_details(actor, entry.worker)
    if not detail and not actor.groups & {g.name for g in entry.worker.groups}:
        raise PermissionDenied(t("Voit katsoa vain oman tiimisi kalentereita."))
    view = entry_view(actor, entry, detail)
    log_client_reads(uow, clock, actor, [view], "read")
    uow.commit()
    return view


def team_calendar(
    actor: Actor, uow: UnitOfWork, clock: Clock, group: str, start: datetime, end: datetime
) -> TeamWeek:
    """Return a team's entries: all of them to its lead, colleagues' home visits to others."""
    _check_range(start, end)
    if group not in actor.groups and not actor.oversees:
        raise PermissionDenied(t("Voit katsoa vain oman tiimisi kalenteria."))
    members = uow.calendar.members([group])
    entries = uow.calendar.entries_between([m.id for m in members], start, end)
    views = [entry_view(actor, e, may_read_details(actor, e.worker)) for e in entries]
    log_client_reads(uow, clock, actor, views, "team_calendar")
    uow.commit()
    lead = any(leads_team_of(actor, m) for m in members)
    return TeamWeek(group, [(m.username, m.display_name) for m in members], views, lead)


def add_entry(
    platform: Platform,
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    username: str,
    data: EntryInput,
) -> int:
    """Write a new entry into the worker's calendar; the change is in the history."""
    require_writer(actor)
    worker = worker_by_username(uow, username)
    require_calendar_keeper(actor, worker)
    _validate(platform, uow, data)
    entry = CalendarEntry(
        worker_id=worker.id,
        worker=worker,
        type_key=data.type_key,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        place=data.place.strip() or None,
        remote=data.remote,
        client_number=data.client_number.strip() or None,
        service_key=data.service_key or None,
        case_instance_id=data.case_instance_id,
        created_by=actor.username,
        created_at=clock(),
    )
    uow.calendar.add_entry(entry)
    record_change(uow, clock, actor, "calendar_entry_added", entry, place=entry.place)
    uow.commit()
    return entry.id


def move_entry(
    platform: Platform,
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    entry_id: int,
    starts_at: datetime,
    ends_at: datetime,
) -> None:
    """Move an entry to another time; a booked client hears of it by mail."""
    require_writer(actor)
    entry = _live_entry(uow, entry_id)
    require_calendar_keeper(actor, entry.worker)
    if entry.type_key == ABSENCE_TYPE:
        raise InvalidInput(
            [FieldError("starts_at", t("Poissaoloa ei siirretä; peru ja merkitse uusi."))]
        )
    _check_times(starts_at, ends_at)
    before = (entry.starts_at, entry.ends_at)
    entry.starts_at, entry.ends_at = starts_at, ends_at
    # The appointment no longer fills its slot: the slot's time is free for others again.
    entry.slot_id = None
    notified = notify_client(
        uow,
        clock,
        entry,
        "Tapaamisaikanne on muuttunut",
        ["Tapaamisenne aika on muuttunut. Uusi aika:", *appointment_lines(entry, entry.worker)],
    )
    notified = tell_package(platform, uow, clock, entry, "moved") or notified
    record_change(
        uow, clock, actor, "calendar_entry_moved", entry, moved_from=before[0], notified=notified
    )
    uow.commit()


def cancel_entry(
    platform: Platform, actor: Actor, uow: UnitOfWork, clock: Clock, entry_id: int
) -> None:
    """Cancel an entry; a booked client hears of it, and their address is erased."""
    require_writer(actor)
    entry = _live_entry(uow, entry_id)
    require_calendar_keeper(actor, entry.worker)
    cancel_with_notice(platform, uow, clock, actor, entry)
    uow.commit()


def cancel_with_notice(
    platform: Platform, uow: UnitOfWork, clock: Clock, actor: Actor, entry: CalendarEntry
) -> None:
    """Mark the entry cancelled, free its slot, tell the client and forget how to reach them."""
    entry.cancelled_at = clock()
    entry.cancelled_by = actor.username
    entry.slot_id = None
    entry.displaced_by_id = None
    notified = notify_client(
        uow,
        clock,
        entry,
        "Tapaamisaikanne on peruttu",
        [
            "Tapaamisenne on peruttu. Otamme teihin yhteyttä uuden ajan sopimiseksi.",
            *appointment_lines(entry, entry.worker),
        ],
    )
    notified = tell_package(platform, uow, clock, entry, "cancelled") or notified
    entry.client_email = None
    entry.client_phone = None
    record_change(uow, clock, actor, "calendar_entry_cancelled", entry, notified=notified)


def _live_entry(uow: UnitOfWork, entry_id: int) -> CalendarEntry:
    entry = uow.calendar.entry(entry_id, for_update=True)
    if entry is None or entry.cancelled_at is not None:
        raise NotFound(t("Kalenterimerkintää ei löydy tai se on jo peruttu."))
    return entry


def _may_keep(actor: Actor, worker: User) -> bool:
    return not actor.read_only and (actor.user_id == worker.id or leads_team_of(actor, worker))


def _check_range(start: datetime, end: datetime) -> None:
    if end <= start or (end - start).days > MAX_RANGE_DAYS:
        raise InvalidInput([FieldError("start", t("Aikaväli on virheellinen."))])


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise InvalidInput(
            [FieldError("ends_at", t("Päättymisajan on oltava alkamisajan jälkeen."))]
        )
    if ends_at - starts_at > MAX_ENTRY:
        raise InvalidInput(
            [
                FieldError(
                    "ends_at",
                    t("Merkintä voi kestää enintään vuorokauden; merkitse pidempi poissaolona."),
                )
            ]
        )


def _validate(platform: Platform, uow: UnitOfWork, data: EntryInput) -> None:
    errors = []
    entry_type = uow.calendar.entry_type(data.type_key)
    if entry_type is None or entry_type.retired:
        errors.append(FieldError("type_key", t("Valitse merkinnän tyyppi.")))
    elif data.type_key == ABSENCE_TYPE:
        errors.append(FieldError("type_key", t("Merkitse poissaolo Poissaolo-lomakkeella.")))
    if len(data.place) > 200:
        errors.append(FieldError("place", t("Paikka on liian pitkä (enintään 200 merkkiä).")))
    elif find_personal_identity_codes(data.place):
        errors.append(FieldError("place", t("Älä kirjoita henkilötunnusta; käytä asiakasnumeroa.")))
    number = data.client_number.strip()
    if number and not platform.client_numbers.is_valid(number):
        errors.append(FieldError("client_number", t("Asiakasnumero on väärän muotoinen.")))
    if data.case_instance_id is not None and uow.instances.get(data.case_instance_id) is None:
        errors.append(FieldError("case", t("Asiaa ei löydy.")))
    if data.service_key and data.service_key not in SERVICES:
        errors.append(FieldError("service_key", t("Tuntematon palvelu.")))
    if errors:
        raise InvalidInput(errors)
    _check_times(data.starts_at, data.ends_at)
