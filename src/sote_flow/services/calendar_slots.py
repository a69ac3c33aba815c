"""First-visit slots: offering them (single or repeating), finding free ones, booking one."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sote_flow.domain.calendar import (
    FIRST_VISIT_TYPE,
    MAX_PATTERN_DAYS,
    REMOTE_VISIT_TYPE,
    SERVICES,
    SLOT_MINUTES,
    WeeklyPattern,
    pattern_slots,
)
from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import Conflict, FieldError, InvalidInput, NotFound
from sote_flow.domain.privacy import find_personal_identity_codes
from sote_flow.domain.text import t
from sote_flow.persistence.calendar_models import CalendarEntry, FirstVisitSlot, SlotPattern
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor, require_writer
from sote_flow.services.calendar_common import (
    appointment_lines,
    notify_client,
    record_change,
    require_calendar_keeper,
    worker_by_username,
)
from sote_flow.services.platform import Platform

NEXT_SLOTS = 10
_BATCH = 50  # candidate slots read per round while skipping ones the worker cannot keep
_MAX_ROUNDS = 20
_AFTER_EVERY_ID = 2**31 - 1  # above every id an INTEGER column holds
PHONE_NUMBER = re.compile(r"^\+?[0-9][0-9 ()-]{5,24}$")


@dataclass(frozen=True)
class FreeSlot:
    """A free first-visit time of one worker."""

    id: int
    worker: str
    worker_name: str
    service_key: str
    starts_at: datetime
    ends_at: datetime
    place: str | None
    remote: bool


@dataclass(frozen=True)
class SlotOffer:
    """Where a slot is and how long: what a worker fills in to offer slots."""

    service_key: str
    slot_minutes: int
    place: str = ""
    remote: bool = False


@dataclass(frozen=True)
class Booking:
    """Who the appointment is for: a client number, the case, and where to confirm it.

    The confirmation goes by e-mail when an address is given, otherwise by SMS to the phone.
    """

    client_number: str
    case_instance_id: int | None = None
    client_email: str = ""
    client_phone: str = ""


class SlotTaken(Conflict):
    """Someone booked the slot first; `next_slots` are the service's next free ones."""

    code = "slot_taken"

    def __init__(self, next_slots: Sequence[FreeSlot]) -> None:
        super().__init__("Aika ehdittiin juuri varata. Valitse toinen aika.")
        self.next_slots = next_slots


def add_slot(
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    username: str,
    offer: SlotOffer,
    starts_at: datetime,
) -> int:
    """Offer one first-visit slot in the worker's calendar."""
    require_writer(actor)
    worker = worker_by_username(uow, username)
    require_calendar_keeper(actor, worker)
    _validate_offer(offer)
    if starts_at <= clock():
        raise InvalidInput([FieldError("starts_at", t("Aika on jo mennyt."))])
    row = _slot_row(worker.id, offer, starts_at, None)
    if uow.calendar.slot_times(
        worker.id, starts_at, starts_at + timedelta(minutes=offer.slot_minutes)
    ):
        raise InvalidInput([FieldError("starts_at", t("Samaan aikaan on jo vapaa aika."))])
    slot = FirstVisitSlot(**row)
    uow.calendar.add_slot(slot)
    uow.history.append(
        at=clock(),
        actor=actor.username,
        action="slot_offered",
        data={**row, "slot": slot.id, "worker": username},
    )
    uow.commit()
    return slot.id


def add_slot_pattern(
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    username: str,
    offer: SlotOffer,
    pattern: WeeklyPattern,
) -> tuple[int, int]:
    """Offer repeating slots (e.g. Tuesdays 9–12 in 45 min); returns (pattern id, slot count)."""
    require_writer(actor)
    worker = worker_by_username(uow, username)
    require_calendar_keeper(actor, worker)
    _validate_offer(offer)
    _validate_pattern(pattern, clock)
    now = clock()
    record = SlotPattern(
        worker_id=worker.id,
        service_key=offer.service_key,
        weekday=pattern.weekday,
        day_start=f"{pattern.day_start:%H:%M}",
        day_end=f"{pattern.day_end:%H:%M}",
        slot_minutes=pattern.slot_minutes,
        valid_from=pattern.valid_from,
        valid_until=pattern.valid_until,
        on_holidays=pattern.on_holidays,
        place=offer.place.strip() or None,
        remote=offer.remote,
        created_by=actor.username,
        created_at=now,
    )
    uow.calendar.add_pattern(record)
    slots = [s for s in pattern_slots(pattern) if s[0] > now]
    # Slots the worker already offers then (another pattern, a single slot) are kept as they are.
    taken = uow.calendar.slot_times(worker.id, slots[0][0], slots[-1][1]) if slots else []
    rows = [
        _slot_row(worker.id, offer, begins, record.id)
        for begins, ends in slots
        if not any(start < ends and end > begins for start, end in taken)
    ]
    uow.calendar.add_slots(rows)
    uow.history.append(
        at=now,
        actor=actor.username,
        action="slot_pattern_added",
        data={"pattern": record.id, "worker": username, "slots": len(rows)},
    )
    uow.commit()
    return record.id, len(rows)


def withdraw_pattern(actor: Actor, uow: UnitOfWork, clock: Clock, pattern_id: int) -> int:
    """Stop offering a pattern's future slots that nobody has booked; returns how many."""
    require_writer(actor)
    pattern = uow.calendar.pattern(pattern_id)
    if pattern is None or pattern.withdrawn_at is not None:
        raise NotFound(t("Toistuvaa vapaata aikaa ei löydy."))
    worker = uow.users.get(pattern.worker_id)
    assert worker is not None
    require_calendar_keeper(actor, worker)
    now = clock()
    pattern.withdrawn_at = now
    open_slots = uow.calendar.open_slots_of_pattern(pattern_id, now)
    for slot in open_slots:
        slot.withdrawn_at = now
    withdrawn = len(open_slots)
    uow.history.append(
        at=now,
        actor=actor.username,
        action="slot_pattern_withdrawn",
        data={"pattern": pattern_id, "worker": worker.username, "slots": withdrawn},
    )
    uow.commit()
    return withdrawn


def next_free_slots(
    uow: UnitOfWork,
    clock: Clock,
    service_key: str,
    limit: int = NEXT_SLOTS,
    worker_id: int | None = None,
) -> list[FreeSlot]:
    """Return the service's next free slots across its workers, earliest first.

    A slot is free when no appointment holds it and its worker has nothing else then (an
    absence, a meeting written over it).
    """
    if service_key not in SERVICES:
        raise InvalidInput([FieldError("service", t("Valitse palvelu."))])
    found: list[FreeSlot] = []
    after = (clock(), _AFTER_EVERY_ID)  # strictly later than now: a slot starting now is gone
    for _ in range(_MAX_ROUNDS):
        batch = uow.calendar.unbooked_slots(service_key, after, _BATCH, worker_id)
        if not batch:
            break
        busy = _busy_times(uow, batch)
        found.extend(_free_view(s) for s in batch if not _overlaps(busy.get(s.worker_id, ()), s))
        if len(found) >= limit or len(batch) < _BATCH:
            break
        after = (batch[-1].starts_at, batch[-1].id)
    return found[:limit]


def book_slot(
    platform: Platform,
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    slot_id: int,
    booking: Booking,
) -> int:
    """Book a free slot for a client: an appointment entry, atomically; returns its id.

    Raises SlotTaken (with the next free slots) when another booking got the slot first.
    """
    entry = reserve_slot(platform, actor, uow, clock, slot_id, booking)
    uow.commit()
    return entry.id


def reserve_slot(
    platform: Platform,
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    slot_id: int,
    booking: Booking,
) -> CalendarEntry:
    """Book a slot inside the caller's unit of work (e.g. with the task it completes).

    Raises SlotTaken when the slot was booked first; the caller commits.
    """
    require_writer(actor)
    _validate_booking(platform, uow, booking)
    slot = uow.calendar.slot(slot_id)
    if slot is None or slot.withdrawn_at is not None:
        raise NotFound(t("Vapaata aikaa ei löydy."))
    if slot.starts_at <= clock():
        raise InvalidInput([FieldError("slot", t("Aika on jo mennyt."))])
    if _overlaps(_busy_times(uow, [slot]).get(slot.worker_id, ()), slot):
        raise SlotTaken(next_free_slots(uow, clock, slot.service_key))
    entry = CalendarEntry(
        worker_id=slot.worker_id,
        worker=slot.worker,
        type_key=REMOTE_VISIT_TYPE if slot.remote else FIRST_VISIT_TYPE,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        place=slot.place,
        remote=slot.remote,
        client_number=booking.client_number.strip(),
        case_instance_id=booking.case_instance_id,
        service_key=slot.service_key,
        slot_id=slot.id,
        client_email=booking.client_email.strip() or None,
        client_phone=booking.client_phone.strip() or None,
        created_by=actor.username,
        created_at=clock(),
    )
    if not uow.calendar.insert_booking(entry):
        raise SlotTaken(next_free_slots(uow, clock, slot.service_key))
    notified = notify_client(
        uow,
        clock,
        entry,
        "Vahvistus tapaamisajasta",
        ["Teille on varattu tapaamisaika:", *appointment_lines(entry, slot.worker)],
    )
    record_change(uow, clock, actor, "slot_booked", entry, slot=slot.id, notified=notified)
    return entry


def _busy_times(
    uow: UnitOfWork, slots: Sequence[FirstVisitSlot]
) -> dict[int, list[tuple[datetime, datetime]]]:
    # One query for the batch: every live entry of the slots' workers in the batch's span.
    start = min(s.starts_at for s in slots)
    end = max(s.ends_at for s in slots)
    busy: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for worker_id, begins, ends in uow.calendar.busy_times(
        {s.worker_id for s in slots}, start, end
    ):
        busy[worker_id].append((begins, ends))
    return busy


def _overlaps(busy: Sequence[tuple[datetime, datetime]], slot: FirstVisitSlot) -> bool:
    return any(start < slot.ends_at and end > slot.starts_at for start, end in busy)


def _free_view(slot: FirstVisitSlot) -> FreeSlot:
    return FreeSlot(
        id=slot.id,
        worker=slot.worker.username,
        worker_name=slot.worker.display_name,
        service_key=slot.service_key,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        place=slot.place,
        remote=slot.remote,
    )


def _slot_row(
    worker_id: int, offer: SlotOffer, starts_at: datetime, pattern_id: int | None
) -> dict[str, object]:
    return {
        "worker_id": worker_id,
        "service_key": offer.service_key,
        "starts_at": starts_at.astimezone(UTC),
        "ends_at": (starts_at + timedelta(minutes=offer.slot_minutes)).astimezone(UTC),
        "place": offer.place.strip() or None,
        "remote": offer.remote,
        "pattern_id": pattern_id,
    }


def _validate_offer(offer: SlotOffer) -> None:
    errors = []
    if offer.service_key not in SERVICES:
        errors.append(FieldError("service_key", t("Valitse palvelu.")))
    if offer.slot_minutes not in SLOT_MINUTES:
        errors.append(FieldError("slot_minutes", t("Valitse ajan pituus listasta.")))
    if not offer.remote and not offer.place.strip():
        errors.append(FieldError("place", t("Kirjoita paikka tai valitse etätapaaminen.")))
    elif len(offer.place) > 200 or find_personal_identity_codes(offer.place):
        errors.append(
            FieldError("place", t("Paikka on liian pitkä tai sisältää henkilötunnuksen."))
        )
    if errors:
        raise InvalidInput(errors)


def _validate_pattern(pattern: WeeklyPattern, clock: Clock) -> None:
    errors = []
    if not 0 <= pattern.weekday <= 6:
        errors.append(FieldError("weekday", t("Valitse viikonpäivä.")))
    if pattern.day_end <= pattern.day_start:
        errors.append(FieldError("day_end", t("Päättymisajan on oltava alkamisajan jälkeen.")))
    if pattern.valid_until < pattern.valid_from:
        errors.append(
            FieldError("valid_until", t("Viimeisen päivän on oltava ensimmäisen jälkeen."))
        )
    elif (pattern.valid_until - pattern.valid_from).days > MAX_PATTERN_DAYS:
        errors.append(FieldError("valid_until", t("Toisto voi kestää enintään vuoden.")))
    if pattern.valid_until < clock().date():
        errors.append(FieldError("valid_until", t("Aikaväli on jo mennyt.")))
    if errors:
        raise InvalidInput(errors)


def _validate_booking(platform: Platform, uow: UnitOfWork, booking: Booking) -> None:
    errors = []
    if not platform.client_numbers.is_valid(booking.client_number.strip()):
        errors.append(
            FieldError("client_number", t("Asiakasnumero puuttuu tai on väärän muotoinen."))
        )
    email = booking.client_email.strip()
    if email and ("@" not in email or len(email) > 254 or any(c.isspace() for c in email)):
        errors.append(FieldError("client_email", t("Sähköpostiosoite on virheellinen.")))
    phone = booking.client_phone.strip()
    if phone and not PHONE_NUMBER.match(phone):
        errors.append(
            FieldError("client_phone", t("Anna puhelinnumero numeroina, esim. 040 123 4567."))
        )
    if booking.case_instance_id is not None and uow.instances.get(booking.case_instance_id) is None:
        errors.append(FieldError("case", t("Asiaa ei löydy.")))
    if errors:
        raise InvalidInput(errors)
