"""Absences: the appointments they cover become the team lead's tasks to reassign or cancel."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sote_flow.domain.calendar import ABSENCE_REASONS, ABSENCE_TYPE, MAX_ABSENCE, SERVICES
from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import Conflict, FieldError, InvalidInput, NotFound, PermissionDenied
from sote_flow.domain.roles import Role
from sote_flow.domain.text import t
from sote_flow.domain.weekdays import FINNISH_TIME
from sote_flow.persistence.calendar_models import CalendarEntry
from sote_flow.persistence.models import OutboxMail, User
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor, require_writer
from sote_flow.services.calendar_common import (
    EntryView,
    appointment_lines,
    entry_view,
    leads_team_of,
    log_client_reads,
    notify_client,
    record_change,
    require_calendar_keeper,
    tell_package,
    worker_by_username,
)
from sote_flow.services.calendar_entries import cancel_with_notice
from sote_flow.services.platform import Platform

MAX_SUGGESTIONS = 3
# Who meets clients and so can take over an appointment (a lead only leads, unless also one).
CLIENT_WORK_ROLES = frozenset(
    r.value
    for r in (
        Role.FAMILY_WORKER,
        Role.SOCIAL_WORKER,
        Role.CLIENT_ADVISOR,
        Role.SPECIALIST,
        Role.CHILD_WELFARE_OFFICER,
    )
)


@dataclass(frozen=True)
class Suggestion:
    """A colleague who could take the appointment, and why."""

    username: str
    name: str
    reasons: Sequence[str]


@dataclass(frozen=True)
class ReassignmentTask:
    """An appointment an absence covers, with the colleagues suggested to take it."""

    appointment: EntryView
    absence_reason: str
    suggestions: Sequence[Suggestion]


def mark_absence(
    platform: Platform,
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    username: str,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
) -> tuple[int, int]:
    """Mark a worker absent; returns (absence id, how many appointments it flagged)."""
    require_writer(actor)
    worker = worker_by_username(uow, username)
    require_calendar_keeper(actor, worker)
    _validate_absence(starts_at, ends_at, reason)
    absence = CalendarEntry(
        worker_id=worker.id,
        worker=worker,
        type_key=ABSENCE_TYPE,
        starts_at=starts_at,
        ends_at=ends_at,
        absence_reason=reason,
        created_by=actor.username,
        created_at=clock(),
    )
    uow.calendar.add_entry(absence)
    flagged = 0
    for entry in uow.calendar.entries_between([worker.id], starts_at, ends_at):
        # An appointment is with a client (a client number) or the people of a case (e.g. the
        # parents of a family-law matter, who have no client number here).
        with_someone = entry.client_number or entry.case_instance_id
        if with_someone and entry.id != absence.id:
            entry.displaced_by_id = absence.id
            flagged += 1
            record_change(uow, clock, actor, "appointment_displaced", entry, absence=absence.id)
    record_change(uow, clock, actor, "absence_marked", absence, reason=reason, flagged=flagged)
    if flagged:
        _tell_team_leads(platform, uow, clock, worker, flagged)
    uow.commit()
    return absence.id, flagged


def reassignment_tasks(actor: Actor, uow: UnitOfWork, clock: Clock) -> Sequence[ReassignmentTask]:
    """Return the displaced appointments in the lead's teams, each with suggestions."""
    if not actor.has_role(Role.TEAM_LEAD):
        raise PermissionDenied(t("Vain tiimin esihenkilö siirtää tapaamisia."))
    members = uow.calendar.members(sorted(actor.groups))
    entries = uow.calendar.displaced_of_workers([m.id for m in members])
    tasks = [
        ReassignmentTask(
            appointment=entry_view(actor, entry, detail=True),
            absence_reason=_absence_reason(uow, entry),
            suggestions=suggest_substitutes(uow, entry, members),
        )
        for entry in entries
    ]
    log_client_reads(uow, clock, actor, [t.appointment for t in tasks], "reassignment")
    uow.commit()
    return tasks


def suggest_substitutes(
    uow: UnitOfWork, entry: CalendarEntry, team: Sequence[User]
) -> list[Suggestion]:
    """Rank teammates free at the appointment's time: same service first, then fewest that week."""
    colleagues = [
        m for m in team if m.id != entry.worker_id and {r.role for r in m.roles} & CLIENT_WORK_ROLES
    ]
    if not colleagues:
        return []
    busy = {
        e.worker_id
        for e in uow.calendar.entries_between(
            [m.id for m in colleagues], entry.starts_at, entry.ends_at
        )
    }
    free = [m for m in colleagues if m.id not in busy]
    week_start, week_end = _week_of(entry.starts_at)
    load = uow.calendar.client_entry_counts([m.id for m in free], week_start, week_end)
    offering = (
        uow.calendar.workers_offering(entry.service_key, week_start) if entry.service_key else set()
    )
    ranked = sorted(free, key=lambda m: (m.id not in offering, load.get(m.id, 0), m.display_name))
    return [
        Suggestion(m.username, m.display_name, _reasons(entry, m, offering, load))
        for m in ranked[:MAX_SUGGESTIONS]
    ]


def reassign_appointment(
    platform: Platform, actor: Actor, uow: UnitOfWork, clock: Clock, entry_id: int, username: str
) -> None:
    """Move a displaced appointment to a colleague free at that time; the client is told."""
    require_writer(actor)
    entry = _displaced(uow, actor, entry_id)
    colleague = worker_by_username(uow, username)
    if not leads_team_of(actor, colleague) or colleague.id == entry.worker_id:
        raise InvalidInput([FieldError("worker", t("Valitse tiimistä toinen työntekijä."))])
    if uow.calendar.entries_between([colleague.id], entry.starts_at, entry.ends_at):
        raise Conflict(t("Työntekijällä on jo merkintä tähän aikaan. Valitse toinen."))
    previous = entry.worker.username
    entry.worker_id, entry.worker = colleague.id, colleague
    entry.displaced_by_id = None
    entry.slot_id = None  # the absent worker's slot stays theirs
    notified = notify_client(
        uow,
        clock,
        entry,
        "Tapaamisenne työntekijä on vaihtunut",
        [
            "Tapaamisenne pidetään sovittuna aikana, mutta toinen työntekijä tapaa teidät:",
            *appointment_lines(entry, colleague),
        ],
    )
    notified = tell_package(platform, uow, clock, entry, "reassigned") or notified
    record_change(
        uow, clock, actor, "appointment_reassigned", entry, previous=previous, notified=notified
    )
    uow.commit()


def cancel_displaced(
    platform: Platform, actor: Actor, uow: UnitOfWork, clock: Clock, entry_id: int
) -> None:
    """Cancel a displaced appointment; the client is told and a new time is to be agreed."""
    require_writer(actor)
    entry = _displaced(uow, actor, entry_id)
    cancel_with_notice(platform, uow, clock, actor, entry)
    uow.commit()


def _tell_team_leads(
    platform: Platform, uow: UnitOfWork, clock: Clock, worker: User, flagged: int
) -> None:
    # No client data in the mail: the lead opens the task list to see the appointments.
    leads = {
        m.username
        for m in uow.calendar.members([g.name for g in worker.groups])
        if Role.TEAM_LEAD.value in {r.role for r in m.roles} and m.id != worker.id
    }
    link = f"{platform.settings.base_url}/calendar/reassign"
    for username in sorted(leads):
        for address in uow.users.active_emails(username=username):
            uow.outbox.add(
                OutboxMail(
                    created_at=clock(),
                    instance_id=None,
                    to_address=address,
                    subject="Poissaolo: tapaamisia odottaa siirtoa",
                    body=f"{worker.display_name} on poissa. {flagged} tapaamista odottaa "
                    f"siirtoa tai perumista.\n\n{link}",
                    status="pending",
                    attempts=0,
                    next_attempt_at=clock(),
                )
            )


def _displaced(uow: UnitOfWork, actor: Actor, entry_id: int) -> CalendarEntry:
    entry = uow.calendar.entry(entry_id, for_update=True)
    if entry is None or entry.cancelled_at is not None or entry.displaced_by_id is None:
        raise NotFound(t("Siirrettävää tapaamista ei löydy; joku on ehkä jo käsitellyt sen."))
    if not leads_team_of(actor, entry.worker):
        raise PermissionDenied(t("Vain tiimin esihenkilö siirtää tapaamisia."))
    require_calendar_keeper(actor, entry.worker)
    return entry


def _absence_reason(uow: UnitOfWork, entry: CalendarEntry) -> str:
    absence = uow.calendar.entry(entry.displaced_by_id) if entry.displaced_by_id else None
    return ABSENCE_REASONS.get(absence.absence_reason or "", "") if absence else ""


def _reasons(
    entry: CalendarEntry, member: User, offering: set[int], load: dict[int, int]
) -> list[str]:
    start = entry.starts_at.astimezone(FINNISH_TIME)
    reasons = [f"vapaa {start.day}.{start.month}. klo {start.hour}.{start:%M}"]
    if member.id in offering and entry.service_key in SERVICES:
        reasons.insert(0, f"tarjoaa palvelua {SERVICES[entry.service_key].fi}")
    count = load.get(member.id, 0)
    reasons.append(f"{count} asiakastapaamista samalla viikolla")
    return reasons


def _week_of(moment: datetime) -> tuple[datetime, datetime]:
    local = moment.astimezone(FINNISH_TIME)
    monday = (local - timedelta(days=local.weekday())).replace(hour=0, minute=0, second=0)
    monday = monday.replace(microsecond=0)
    return monday, monday + timedelta(days=7)


def _validate_absence(starts_at: datetime, ends_at: datetime, reason: str) -> None:
    errors = []
    if reason not in ABSENCE_REASONS:
        errors.append(FieldError("reason", t("Valitse poissaolon syy.")))
    if ends_at <= starts_at:
        errors.append(FieldError("ends_at", t("Päättymisajan on oltava alkamisajan jälkeen.")))
    elif ends_at - starts_at > MAX_ABSENCE:
        errors.append(FieldError("ends_at", t("Poissaolo voi olla enintään vuoden mittainen.")))
    if errors:
        raise InvalidInput(errors)
