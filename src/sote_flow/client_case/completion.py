"""What completing a client-case task does beyond the diagram: a recorded service joins the
case's list of services, and the earliest start becomes the time the case waits for."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time
from typing import Any

from sote_flow.domain.calendar import finnish_datetime
from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import FieldError, InvalidInput
from sote_flow.domain.text import t
from sote_flow.persistence.models import ProcessInstance
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor
from sote_flow.services.platform import Platform

# The diagram's element whose completion does something here (a test checks it exists).
SERVICE_TASK = "arrange_service"


def complete_task(
    platform: Platform,
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    instance: ProcessInstance,
    element_id: str,
    data: Mapping[str, Any],
) -> dict[str, Any]:
    """Add the recorded service to the case's services; return the facts for the data."""
    if element_id != SERVICE_TASK:
        return {}
    start = date.fromisoformat(str(data["service_start"]))
    end_text = str(data.get("service_end") or "")
    end = date.fromisoformat(end_text) if end_text else None
    if end is not None and end < start:
        raise InvalidInput([FieldError("service_end", t("Päättymispäivä on ennen alkamispäivää."))])
    service = {"service_key": data["service_key"], "start": start.isoformat(), "end": end_text}
    services = [*(data.get("services") or []), service]
    earliest = min(date.fromisoformat(str(s["start"])) for s in services)
    return {
        "service_end": end_text or None,  # a later round's service has no end of an earlier's
        "services": services,
        "service_starts_at": finnish_datetime(earliest, time(0)).isoformat(),
    }
