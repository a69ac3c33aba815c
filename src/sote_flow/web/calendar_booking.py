"""Free first-visit slots and booking them; offering slots; absences and reassignment."""

from __future__ import annotations

from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from sote_flow.domain.calendar import (
    ABSENCE_REASONS,
    SERVICES,
    SLOT_MINUTES,
    WeeklyPattern,
    finnish_datetime,
)
from sote_flow.domain.calendar import parse_clock_time as clock_time
from sote_flow.domain.errors import FieldError, InvalidInput
from sote_flow.domain.weekdays import FINNISH_TIME
from sote_flow.services import calendar_absence as absences
from sote_flow.services import calendar_offers as offers
from sote_flow.services import calendar_slots as slots
from sote_flow.services.actors import require_writer
from sote_flow.web.args import optional_id
from sote_flow.web.blueprints import protected_blueprint
from sote_flow.web.calendar_forms import errors_by_field, parse_absence, parse_day
from sote_flow.web.deps import actor, clock, platform, unit_of_work

booking_blueprint = protected_blueprint("calendar_booking", __name__, url_prefix="/calendar")
WEEKDAYS = (
    _l("maanantai"), _l("tiistai"), _l("keskiviikko"), _l("torstai"), _l("perjantai"),
    _l("lauantai"), _l("sunnuntai"),
)  # fmt: skip
SINGLE_SLOT_FIELDS = {
    "service_key": "slot_service",
    "slot_minutes": "slot_length",
    "place": "slot_place",
    "starts_at": "slot_start",
}
REASON_LABELS = {"sick": _l("Sairaus"), "leave": _l("Loma"), "training": _l("Koulutus")}


@booking_blueprint.get("/slots")
def free_slots() -> str:
    """Show the next free first-visit slots of a service across its workers."""
    return _slots_page(request.args.get("service", ""), None, 200)[0]


@booking_blueprint.post("/slots/<int:slot_id>/book")
def book(slot_id: int) -> Response | tuple[str, int]:
    """Book a slot for a client; if someone was first, say so and offer the next free ones."""
    service = request.form.get("service", "")
    booking = slots.Booking(
        client_number=request.form.get("client_number", ""),
        case_instance_id=optional_id(request.form.get("case")),
        client_email=request.form.get("client_email", ""),
        client_phone=request.form.get("client_phone", ""),
    )
    try:
        with unit_of_work() as uow:
            slots.book_slot(platform(), actor(), uow, clock(), slot_id, booking)
    except slots.SlotTaken as taken:
        return _slots_page(service, None, 409, taken=taken)
    except InvalidInput as error:
        return _slots_page(service, error, 422, slot_id=slot_id)
    flash(_("Aika varattu asiakkaalle %(number)s.", number=booking.client_number), "success")
    return redirect(url_for("calendar_booking.free_slots", service=service))


@booking_blueprint.get("/offer")
def offer() -> str:
    """Show a worker's repeating first-visit slots, with forms to add and withdraw them."""
    return _offer_page(None, 200)[0]


@booking_blueprint.post("/offer/pattern")
def add_pattern() -> Response | tuple[str, int]:
    """Offer repeating slots (weekday, hours, length, first and last day)."""
    username = request.form.get("worker") or actor().username
    require_writer(actor())  # a read-only user hears "no" before anything about the form
    try:
        offer_input, pattern = _pattern_form()
        with unit_of_work() as uow:
            added = slots.add_slot_pattern(actor(), uow, clock(), username, offer_input, pattern)
        count = added[1]
    except InvalidInput as error:
        return _offer_page(error, 422)
    flash(_("Vapaita aikoja lisätty: %(count)s.", count=count), "success")
    return redirect(url_for("calendar_booking.offer", worker=username))


@booking_blueprint.post("/offer/slot")
def add_single_slot() -> Response | tuple[str, int]:
    """Offer one first-visit slot (a day, a start time and a length)."""
    username = request.form.get("worker") or actor().username
    require_writer(actor())
    try:
        offer_input, starts_at = _slot_form()
        with unit_of_work() as uow:
            slots.add_slot(actor(), uow, clock(), username, offer_input, starts_at)
    except InvalidInput as error:
        # The page has two forms: the single slot's fields carry a prefix of their own.
        fields = [
            FieldError(SINGLE_SLOT_FIELDS.get(e.field, e.field), e.message) for e in error.errors
        ]
        return _offer_page(InvalidInput(fields), 422)
    flash(_("Vapaita aikoja lisätty: %(count)s.", count=1), "success")
    return redirect(url_for("calendar_booking.offer", worker=username))


@booking_blueprint.post("/offer/pattern/<int:pattern_id>/withdraw")
def withdraw(pattern_id: int) -> Response:
    """Stop offering a pattern's future free slots."""
    with unit_of_work() as uow:
        count = slots.withdraw_pattern(actor(), uow, clock(), pattern_id)
    flash(_("Vapaita aikoja poistettu: %(count)s.", count=count), "success")
    return redirect(url_for("calendar_booking.offer", worker=request.form.get("worker", "")))


@booking_blueprint.get("/absence")
def absence() -> str:
    """Show the absence form."""
    return _absence_page(None, 200)[0]


@booking_blueprint.post("/absence")
def mark_absence() -> Response | tuple[str, int]:
    """Mark an absence; appointments inside it go to the team lead to reassign."""
    username = request.form.get("worker") or actor().username
    require_writer(actor())
    try:
        start, end = parse_absence(request.form)
        with unit_of_work() as uow:
            _absence_id, flagged = absences.mark_absence(
                platform(), actor(), uow, clock(), username, start, end,
                request.form.get("reason", ""),
            )  # fmt: skip
    except InvalidInput as error:
        return _absence_page(error, 422)
    flash(_("Poissaolo merkitty. Siirrettäviä tapaamisia: %(count)s.", count=flagged), "success")
    day = start.astimezone(FINNISH_TIME).date().isoformat()
    return redirect(url_for("calendar.week", worker=username, day=day))


@booking_blueprint.get("/reassign")
def reassign_tasks() -> str:
    """List the appointments absences cover in the lead's teams, with suggestions."""
    with unit_of_work() as uow:
        tasks = absences.reassignment_tasks(actor(), uow, clock())
    return render_template("calendar_reassign.html", tasks=tasks)


@booking_blueprint.post("/reassign/<int:entry_id>")
def reassign(entry_id: int) -> Response:
    """Give a displaced appointment to a colleague; the client is told."""
    with unit_of_work() as uow:
        absences.reassign_appointment(
            platform(), actor(), uow, clock(), entry_id, request.form.get("worker", "")
        )
    flash(_("Tapaaminen siirretty."), "success")
    return redirect(url_for("calendar_booking.reassign_tasks"))


@booking_blueprint.post("/reassign/<int:entry_id>/cancel")
def cancel_displaced(entry_id: int) -> Response:
    """Cancel a displaced appointment; the client is told."""
    with unit_of_work() as uow:
        absences.cancel_displaced(platform(), actor(), uow, clock(), entry_id)
    flash(_("Tapaaminen peruttu."), "success")
    return redirect(url_for("calendar_booking.reassign_tasks"))


def _slots_page(
    service: str,
    error: InvalidInput | None,
    status: int,
    taken: slots.SlotTaken | None = None,
    slot_id: int | None = None,
) -> tuple[str, int]:
    free: list[slots.FreeSlot] = []
    if taken is not None:
        free = list(taken.next_slots)
    elif service in SERVICES:
        with unit_of_work() as uow:
            free = slots.next_free_slots(uow, clock(), service)
    return render_template(
        "calendar_slots.html",
        service=service,
        services=SERVICES,
        free=free,
        taken=taken,
        error=error,
        errors=errors_by_field(error),
        failed_slot=slot_id,
        form=request.form,
    ), status


def _pattern_form() -> tuple[slots.SlotOffer, WeeklyPattern]:
    form = request.form
    errors: list[FieldError] = []
    since = parse_day(form.get("valid_from"), "valid_from", errors)
    until = parse_day(form.get("valid_until"), "valid_until", errors)
    day_start, day_end = clock_time(form.get("start", "")), clock_time(form.get("end", ""))
    if day_start is None:
        errors.append(FieldError("start", _("Anna alkamisaika muodossa tt:mm.")))
    if day_end is None:
        errors.append(FieldError("end", _("Anna päättymisaika muodossa tt:mm.")))
    weekday_text = form.get("weekday", "").strip()
    weekday = int(weekday_text) if weekday_text in ("0", "1", "2", "3", "4", "5", "6") else -1
    minutes = optional_id(form.get("slot_minutes")) or 0
    if errors or since is None or until is None or day_start is None or day_end is None:
        raise InvalidInput(errors)
    offer_input = slots.SlotOffer(
        service_key=form.get("service_key", ""),
        slot_minutes=minutes,
        place=form.get("place", ""),
        remote=form.get("remote") == "on",
    )
    pattern = WeeklyPattern(
        weekday=weekday,
        day_start=day_start,
        day_end=day_end,
        slot_minutes=minutes,
        valid_from=since,
        valid_until=until,
        on_holidays=form.get("on_holidays") == "on",
    )
    return offer_input, pattern


def _slot_form() -> tuple[slots.SlotOffer, datetime]:
    form = request.form
    errors: list[FieldError] = []
    day = parse_day(form.get("slot_day"), "slot_day", errors)
    begins = clock_time(form.get("slot_start", ""))
    if begins is None:
        errors.append(FieldError("slot_start", _("Anna alkamisaika muodossa tt:mm.")))
    if errors or day is None or begins is None:
        raise InvalidInput(errors)
    offer_input = slots.SlotOffer(
        service_key=form.get("slot_service", ""),
        slot_minutes=optional_id(form.get("slot_length")) or 0,
        place=form.get("slot_place", ""),
        remote=form.get("slot_remote") == "on",
    )
    return offer_input, finnish_datetime(day, begins)


def _offer_page(error: InvalidInput | None, status: int) -> tuple[str, int]:
    username = request.values.get("worker") or actor().username
    with unit_of_work() as uow:
        view = offers.slot_offers(actor(), uow, clock(), username)
    return render_template(
        "calendar_offer.html",
        view=view,
        services=SERVICES,
        weekdays=WEEKDAYS,
        lengths=SLOT_MINUTES,
        form=request.form if error else {},
        errors=errors_by_field(error),
        error=error,
    ), status


def _absence_page(error: InvalidInput | None, status: int) -> tuple[str, int]:
    username = request.values.get("worker") or actor().username
    return render_template(
        "calendar_absence.html",
        worker=username,
        reasons={key: REASON_LABELS.get(key, label) for key, label in ABSENCE_REASONS.items()},
        form=request.form if error else {"start": "08:00", "end": "16:00"},
        errors=errors_by_field(error),
        error=error,
    ), status
