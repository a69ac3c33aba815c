"""Calendar rules: the services slots are offered for, absence reasons, and slot patterns.

Times of day are Finnish (Europe/Helsinki); a slot pattern keeps its local hours over the
daylight-saving changes, so 9:00 is 9:00 in March and in November (07:00 or 06:00 UTC).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from dateutil.rrule import WEEKLY, rrule

from sote_flow.domain.weekdays import FINNISH_TIME, is_public_holiday

ABSENCE_TYPE = "absence"
HOME_VISIT_TYPE = "home_visit"
# A first visit booked into a slot is an office meeting, or a remote one for a remote slot.
FIRST_VISIT_TYPE = "office_visit"
REMOTE_VISIT_TYPE = "remote_meeting"
MAX_ENTRY = timedelta(hours=24)  # longer stretches are absences
MAX_ABSENCE = timedelta(days=366)
MAX_PATTERN_DAYS = 366
SLOT_MINUTES = (15, 20, 30, 45, 60, 90)
LONGEST_SLOT = timedelta(minutes=max(SLOT_MINUTES))


@dataclass(frozen=True)
class ServiceLabel:
    """A service first-visit slots are offered for, named in Finnish, Swedish and English."""

    fi: str
    sv: str
    en: str


# The target services of first contact (design §2.2, reference/service_types.csv).
SERVICES: dict[str, ServiceLabel] = {
    "home_help": ServiceLabel(
        "Lapsiperheiden kotipalvelu", "Hemservice för barnfamiljer", "Home help for families"
    ),
    "family_work": ServiceLabel("Perhetyö", "Familjearbete", "Family work"),
    "family_guidance": ServiceLabel(
        "Kasvatus- ja perheneuvonta (perheneuvola)",
        "Uppfostrings- och familjerådgivning",
        "Child and family guidance clinic",
    ),
    "youth_services": ServiceLabel(
        "Nuorten matalan kynnyksen palvelut",
        "Lågtröskeltjänster för unga",
        "Low-threshold youth services",
    ),
    "disability_services": ServiceLabel(
        "Vammaispalvelut", "Handikappservice", "Disability services"
    ),
    "family_legal": ServiceLabel(
        "Perheoikeudelliset palvelut (lastenvalvoja)",
        "Familjerättsliga tjänster (barnatillsyningsman)",
        "Family-law services (child welfare officer)",
    ),
}

ABSENCE_REASONS: dict[str, str] = {"sick": "Sairaus", "leave": "Loma", "training": "Koulutus"}


@dataclass(frozen=True)
class WeeklyPattern:
    """Every `weekday` from `day_start` to `day_end` in `slot_minutes` slots, between two days."""

    weekday: int
    day_start: time
    day_end: time
    slot_minutes: int
    valid_from: date
    valid_until: date
    on_holidays: bool = False


def pattern_days(pattern: WeeklyPattern) -> list[date]:
    """Return the days the pattern offers slots on (public holidays left out unless asked)."""
    days = rrule(
        WEEKLY,
        byweekday=pattern.weekday,
        dtstart=datetime.combine(pattern.valid_from, time()),
        until=datetime.combine(pattern.valid_until, time()),
    )
    return [d.date() for d in days if pattern.on_holidays or not is_public_holiday(d.date())]


def pattern_slots(pattern: WeeklyPattern) -> list[tuple[datetime, datetime]]:
    """Return each slot of the pattern as (start, end) in UTC, keeping Finnish local hours."""
    length = timedelta(minutes=pattern.slot_minutes)
    slots = []
    for day in pattern_days(pattern):
        start = datetime.combine(day, pattern.day_start)
        day_end = datetime.combine(day, pattern.day_end)
        while start + length <= day_end:
            local = _existing_local_time(start)
            if local is not None:
                # Elapsed time, not wall-clock: the night the clocks go back, 45 min is 45 min.
                begins = local.astimezone(UTC)
                slots.append((begins, begins + length))
            start += length
    return slots


def finnish_datetime(day: date, at: time) -> datetime:
    """Return the aware UTC instant of a Finnish wall-clock time on `day`."""
    return datetime.combine(day, at, tzinfo=FINNISH_TIME).astimezone(UTC)


def _existing_local_time(naive: datetime) -> datetime | None:
    # The hour skipped when clocks go forward has no instant: no slot is made there.
    local = naive.replace(tzinfo=FINNISH_TIME)
    round_trip = local.astimezone(UTC).astimezone(FINNISH_TIME).replace(tzinfo=None)
    return local if round_trip == naive else None


def parse_clock_time(text: str) -> time | None:
    """Return the time written as HH:MM (or H.MM, the Finnish way), or None if it is not one."""
    text = text.strip().replace(".", ":")
    try:
        hours, minutes = text.split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        return None
