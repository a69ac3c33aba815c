"""What the calendar use cases share: who may change whose calendar, entry views, the logs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sote_flow.domain.calendar import ABSENCE_TYPE, HOME_VISIT_TYPE, SERVICES
from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import NotFound, PermissionDenied
from sote_flow.domain.roles import Role
from sote_flow.domain.text import t
from sote_flow.domain.weekdays import FINNISH_TIME
from sote_flow.persistence.calendar_models import CalendarEntry
from sote_flow.persistence.models import OutboxMail, User
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor
from sote_flow.services.platform import Platform

# A text message longer than this is split into too many parts to read as one.
SMS_MAX_CHARS = 480


@dataclass(frozen=True)
class EntryView:
    """One calendar entry as a page shows it; `detail` False hides all but time (and place)."""

    id: int
    worker: str
    worker_name: str
    type_key: str
    type_name: str
    starts_at: datetime
    ends_at: datetime
    place: str | None
    remote: bool
    client_number: str | None
    case_instance_id: int | None
    service_key: str | None
    absence_reason: str | None
    displaced: bool
    detail: bool
    editable: bool
    cancelled: bool


def worker_by_username(uow: UnitOfWork, username: str) -> User:
    """Return the active staff user whose calendar is meant, or refuse."""
    user = uow.users.by_username(username)
    if user is None or not user.active:
        raise NotFound(t("Työntekijää ei löydy."))
    return user


def leads_team_of(actor: Actor, worker: User) -> bool:
    """Whether the actor is a team lead in one of the worker's groups."""
    return actor.has_role(Role.TEAM_LEAD) and bool(actor.groups & {g.name for g in worker.groups})


def may_change_calendar(actor: Actor, worker: User) -> bool:
    """A worker keeps their own calendar; their team lead may keep it too."""
    return not actor.read_only and (actor.user_id == worker.id or leads_team_of(actor, worker))


def require_calendar_keeper(actor: Actor, worker: User) -> None:
    """Refuse unless the actor may change the worker's calendar."""
    if not may_change_calendar(actor, worker):
        raise PermissionDenied(t("Et voi muuttaa tämän työntekijän kalenteria."))


def may_read_details(actor: Actor, worker: User) -> bool:
    """Whether the actor sees the worker's entries in full (client numbers included)."""
    return actor.user_id == worker.id or leads_team_of(actor, worker) or actor.oversees


def entry_view(actor: Actor, entry: CalendarEntry, detail: bool) -> EntryView:
    """Build the view of one entry; without `detail` only home visits keep their place."""
    entry_type = entry.entry_type
    shown_type = detail or entry.type_key in (HOME_VISIT_TYPE, ABSENCE_TYPE)
    return EntryView(
        id=entry.id,
        worker=entry.worker.username,
        worker_name=entry.worker.display_name,
        type_key=entry.type_key if shown_type else "busy",
        type_name=entry_type.name_fi if shown_type else "Varattu",
        starts_at=entry.starts_at,
        ends_at=entry.ends_at,
        place=entry.place if detail or entry.type_key == HOME_VISIT_TYPE else None,
        remote=entry.remote,
        client_number=entry.client_number if detail else None,
        case_instance_id=entry.case_instance_id if detail else None,
        service_key=entry.service_key if detail else None,
        absence_reason=entry.absence_reason if detail else None,
        displaced=entry.displaced_by_id is not None,
        detail=detail,
        editable=detail and entry.cancelled_at is None and may_change_calendar(actor, entry.worker),
        cancelled=entry.cancelled_at is not None,
    )


def log_client_reads(
    uow: UnitOfWork, clock: Clock, actor: Actor, views: Sequence[EntryView], action: str
) -> None:
    """Log every shown entry that carries a client number (asiakastietolaki 703/2023)."""
    roles = ",".join(sorted(actor.roles))
    uow.access_log.record_many(
        [
            {
                "at": clock(),
                "username": actor.username,
                "roles": roles,
                "action": action,
                "object_type": "calendar_entry",
                "object_id": f"{view.id}:{view.client_number}",
                "instance_id": view.case_instance_id,
                "purpose": actor.purpose,
            }
            for view in views
            if view.client_number
        ]
    )


def record_change(
    uow: UnitOfWork, clock: Clock, actor: Actor, action: str, entry: CalendarEntry, **data: object
) -> None:
    """Stage the history entry of a calendar change (the case's history when it has one)."""
    uow.history.append(
        at=clock(),
        actor=actor.username,
        action=action,
        instance_id=entry.case_instance_id,
        data={
            "entry": entry.id,
            "worker": entry.worker.username if entry.worker else None,
            "type": entry.type_key,
            "starts_at": entry.starts_at,
            "ends_at": entry.ends_at,
            "client_number": entry.client_number,
            **data,
        },
    )


def notify_client(
    uow: UnitOfWork, clock: Clock, entry: CalendarEntry, subject: str, lines: Sequence[str]
) -> bool:
    """Queue the client's confirmation: a mail if an address was given, else an SMS if a number."""
    return queue_notice(
        uow, clock, entry.case_instance_id, entry.client_email, entry.client_phone, subject, lines
    )


def queue_notice(
    uow: UnitOfWork,
    clock: Clock,
    instance_id: int | None,
    email: str | None,
    phone: str | None,
    subject: str,
    lines: Sequence[str],
) -> bool:
    """Queue a notice to one person: a mail to `email` if given, else an SMS to `phone`."""
    if email:
        channel, to_address, body = "email", email, "\n".join(lines)
    elif phone:
        channel, to_address, body = "sms", phone, sms_text(subject, lines)
    else:
        return False
    uow.outbox.add(
        OutboxMail(
            created_at=clock(),
            instance_id=instance_id,
            to_address=to_address,
            channel=channel,
            subject=subject,
            body=body,
            status="pending",
            attempts=0,
            next_attempt_at=clock(),
        )
    )
    return True


def sms_text(subject: str, lines: Sequence[str]) -> str:
    """The notice as one SMS-friendly text: subject and lines, at most SMS_MAX_CHARS."""
    text = "\n".join([f"{subject}:", *(line.strip() for line in lines if line.strip())])
    if len(text) <= SMS_MAX_CHARS:
        return text
    return text[: SMS_MAX_CHARS - 1].rstrip() + "…"


def appointment_lines(entry: CalendarEntry, worker: User) -> list[str]:
    """The appointment as the client reads it: day, time, place or remote, and with whom."""
    start = entry.starts_at.astimezone(FINNISH_TIME)
    end = entry.ends_at.astimezone(FINNISH_TIME)
    where = "Etätapaaminen (linkki lähetetään erikseen)" if entry.remote else entry.place or "-"
    service = SERVICES[entry.service_key].fi if entry.service_key in SERVICES else ""
    lines = [
        f"Aika: {start.day}.{start.month}.{start.year} klo {_clock(start)}–{_clock(end)}",
        f"Paikka: {where}",
        f"Työntekijä: {worker.display_name}",
    ]
    if service:
        lines.insert(0, f"Palvelu: {service}")
    return lines


def _clock(moment: datetime) -> str:
    return f"{moment.hour}.{moment:%M}"


def tell_package(
    platform: Platform, uow: UnitOfWork, clock: Clock, entry: CalendarEntry, change: str
) -> bool:
    """Let the package of the entry's case tell its people of the change; True if it told."""
    if entry.case_instance_id is None:
        return False
    instance = uow.instances.get(entry.case_instance_id)
    package = platform.package(instance.process_key) if instance is not None else None
    if package is None or package.calendar_change is None:
        return False
    return package.calendar_change(uow, clock, entry, change)
