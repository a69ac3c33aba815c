"""Form fields that book a first-visit slot: `format: first-visit-slot` in a task's form.

The field names the data field holding the service (`x-service-field`) and, optionally, how
many Finnish weekdays ahead to offer (`x-within-weekdays`). When the task page is shown the
field becomes a choice of the service's next free slots (and "no suitable time"); when the task
is completed the chosen slot is booked in the same transaction, for the case's client, and the
appointment's facts join the task data (`appointment_entry` None when no slot was chosen).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta
from typing import Any

from sote_flow.domain.calendar import SERVICES, finnish_datetime
from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import FieldError, InvalidInput, NotFound
from sote_flow.domain.text import t
from sote_flow.domain.weekdays import FINNISH_TIME, add_weekdays_to_date
from sote_flow.persistence.calendar_models import CalendarEntry
from sote_flow.persistence.models import ProcessInstance
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor
from sote_flow.services.calendar_slots import (
    Booking,
    FreeSlot,
    SlotTaken,
    next_free_slots,
    reserve_slot,
)
from sote_flow.services.platform import Platform

SLOT_FORMAT = "first-visit-slot"
NO_SLOT_TITLE = "Ei sopivaa aikaa – yhteydenotto palvelun jonoon"
TAKEN_MESSAGE = t("Aika ehdittiin juuri varata. Valitse toinen aika.")
CHOICES = 10
WEEKDAY_NAMES = ("ma", "ti", "ke", "to", "pe", "la", "su")


def slot_fields(schema: Mapping[str, Any] | None) -> dict[str, Mapping[str, Any]]:
    """Return the form's slot fields by name."""
    properties = (schema or {}).get("properties") or {}
    return {
        name: prop
        for name, prop in properties.items()
        if isinstance(prop, Mapping) and prop.get("format") == SLOT_FORMAT
    }


def with_slot_choices(
    schema: dict[str, Any] | None, uow: UnitOfWork, clock: Clock, data: Mapping[str, Any]
) -> dict[str, Any] | None:
    """Return the form with each slot field made a choice of the service's free slots."""
    fields = slot_fields(schema)
    if schema is None or not fields:
        return schema
    properties = dict(schema["properties"])
    for name, prop in fields.items():
        slots = _offered(uow, clock, prop, data)
        options = [{"const": str(s.id), "title": slot_title(s)} for s in slots]
        options.append({"const": "", "title": NO_SLOT_TITLE})
        plain = {k: v for k, v in prop.items() if k != "format"}
        properties[name] = {**plain, "oneOf": options}
    return {**schema, "properties": properties}


def book_chosen_slots(
    platform: Platform,
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    instance: ProcessInstance,
    schema: Mapping[str, Any] | None,
    data: Mapping[str, Any],
) -> dict[str, Any]:
    """Book the slot chosen in each slot field; return the appointment facts for the data."""
    facts: dict[str, Any] = {}
    for name in slot_fields(schema):
        chosen = str(data.get(name) or "").strip()
        if not chosen:
            facts["appointment_entry"] = None
            continue
        entry = _book(platform, actor, uow, clock, instance, name, chosen, data)
        facts.update(appointment_facts(entry))
    return facts


def appointment_facts(entry: CalendarEntry) -> dict[str, Any]:
    """The appointment as the process sees it: when, where, with whom, for which service."""
    local = entry.starts_at.astimezone(FINNISH_TIME)
    end = entry.ends_at.astimezone(FINNISH_TIME)
    day = f"{WEEKDAY_NAMES[local.weekday()]} {local.day}.{local.month}.{local.year}"
    return {
        "appointment_entry": entry.id,
        "appointment_at": entry.starts_at.isoformat(),
        "appointment_time": f"{day} klo {local.hour}.{local:%M}–{end.hour}.{end:%M}",
        "appointment_worker": entry.worker.username,
        "appointment_place": "Etätapaaminen" if entry.remote else (entry.place or ""),
        "appointment_service": entry.service_key,
    }


def slot_title(slot: FreeSlot) -> str:
    """A slot as a choice reads: weekday, day, time, worker and place."""
    local = slot.starts_at.astimezone(FINNISH_TIME)
    end = slot.ends_at.astimezone(FINNISH_TIME)
    where = "etätapaaminen" if slot.remote else (slot.place or "")
    return (
        f"{WEEKDAY_NAMES[local.weekday()]} {local.day}.{local.month}. klo {local.hour}.{local:%M}"
        f"–{end.hour}.{end:%M} · {slot.worker_name} · {where}"
    )


def _offered(
    uow: UnitOfWork, clock: Clock, prop: Mapping[str, Any], data: Mapping[str, Any]
) -> list[FreeSlot]:
    service = str(data.get(str(prop.get("x-service-field") or "")) or "")
    if service not in SERVICES:
        return []
    slots = next_free_slots(uow, clock, service, CHOICES)
    within = prop.get("x-within-weekdays")
    if isinstance(within, int):
        return [s for s in slots if s.starts_at < _horizon(clock(), within)]
    return slots


def _horizon(now: datetime, weekdays: int) -> datetime:
    # The end of the last weekday offered, Finnish time.
    last = add_weekdays_to_date(now.astimezone(FINNISH_TIME).date(), weekdays)
    return finnish_datetime(last + timedelta(days=1), time(0))


def _book(
    platform: Platform,
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    instance: ProcessInstance,
    field: str,
    chosen: str,
    data: Mapping[str, Any],
) -> CalendarEntry:
    if not chosen.isdigit():
        raise InvalidInput([FieldError(field, t("Valitse aika listasta."))])
    package = platform.package(instance.process_key)
    finder = package.client_contact if package is not None else None
    contact = finder(uow, instance.id) if finder is not None else None
    booking = Booking(
        client_number=str(data.get("client_number") or instance.client_number or ""),
        case_instance_id=instance.id,
        client_email=(contact.email or "") if contact else "",
        client_phone=(contact.phone or "") if contact else "",
    )
    try:
        return reserve_slot(platform, actor, uow, clock, int(chosen), booking)
    except (SlotTaken, NotFound):
        raise InvalidInput([FieldError(field, TAKEN_MESSAGE)]) from None
    except InvalidInput as refused:
        fields = [
            FieldError(field if e.field == "slot" else e.field, e.message) for e in refused.errors
        ]
        raise InvalidInput(fields) from None
