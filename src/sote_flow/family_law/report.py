"""Family-law report: contacts, meetings, time to the first meeting, agreements, outcomes,
staff feedback and travel avoided by remote meetings, over a period of Finnish days.

How it counts (every day a Finnish calendar day, Europe/Helsinki, both ends of the period in):
- Contacts: matters started in the period, by channel (digital form or phone).
- Meetings: meetings whose calendar entry starts in the period and is not cancelled, remote
  (eta) or in person (lahi).
- Weekdays to the first meeting, for matters whose first meeting is in the period: the weekdays
  after the contact day up to and including the meeting day, as in the service-order report
  (a contact on a weekend or public holiday counts from the next weekday); median and 90th
  percentile by `percentile_summary`.
- Agreements: matters whose agreement was confirmed in the period, once under each matter key
  they cover (custody and maintenance count in both), and once in the total.
- Outcomes and staff feedback: matters closed in the period.
- Travel avoided: for each remote meeting in the period, the round trip (2 × the distance from
  the matter's municipality to the meeting's office) for each parent invited (2 for a joint
  meeting, 1 for a separate one). Meetings whose pair has no distance row are counted apart.
Only these facts are read, never a client's details; the read is still logged like the
service-order report's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from sote_flow.domain.case_statistics import Durations, local_midnight, percentile_summary
from sote_flow.domain.clock import Clock
from sote_flow.domain.report_period import check_period
from sote_flow.domain.roles import Role
from sote_flow.domain.weekdays import FINNISH_TIME, weekday_on_or_after, weekdays_between_dates
from sote_flow.family_law.models import MatterFacts, Meeting, TravelDistance
from sote_flow.persistence.calendar_models import CalendarEntry
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor, require_role
from sote_flow.services.instances import log_read

# About two years: a leap year and the next one (the period's days less one).
REPORT_ROLES = (Role.SERVICE_MANAGER, Role.TEAM_LEAD, Role.AUDITOR, Role.ADMINISTRATOR)
CHANNELS = ("digital", "phone")
MODES = ("eta", "lahi")
REMOTE = "eta"
MATTER_KEYS = ("huolto", "asuminen", "tapaamisoikeus", "elatus")
OUTCOMES = ("sopimus", "sovittelu", "ohjaus", "olosuhdeselvitys")
JOINT = 0  # Meeting.parent of a meeting with both parents


@dataclass(frozen=True)
class Feedback:
    """Staff feedback on the matters closed in the period (averages on the 1–5 scale)."""

    count: int
    workload: float | None
    smoothness: float | None


@dataclass(frozen=True)
class MissingDistance:
    """Remote meetings whose municipality and office have no distance row (None: unknown)."""

    municipality: str | None
    office: str
    meetings: int


@dataclass(frozen=True)
class TravelAvoided:
    """Round trips the parents did not make because their meetings were remote."""

    km: int
    minutes: int
    missing: Sequence[MissingDistance]

    @property
    def hours(self) -> float:
        """Travel time avoided in hours, one decimal."""
        return round(self.minutes / 60, 1)

    @property
    def missing_meetings(self) -> int:
        """Remote meetings left out of the travel figures for want of a distance."""
        return sum(m.meetings for m in self.missing)


@dataclass(frozen=True)
class FamilyLawReport:
    """Every figure of the report for one period."""

    since: date
    until: date
    channels: Mapping[str, int]  # CHANNELS -> matters started
    meetings: Mapping[str, int]  # MODES -> meetings held
    first_meeting: Durations  # weekdays from the first contact to the first meeting
    agreements: Mapping[str, int]  # MATTER_KEYS -> matters with an agreement confirmed
    agreements_total: int
    outcomes: Mapping[str, int]  # OUTCOMES -> matters closed
    feedback: Feedback
    travel: TravelAvoided

    @property
    def digital_share(self) -> float | None:
        """Digital contacts as a percentage of all contacts, one decimal."""
        return _share(self.channels["digital"], sum(self.channels.values()))

    @property
    def remote_share(self) -> float | None:
        """Remote meetings as a percentage of all meetings, one decimal."""
        return _share(self.meetings[REMOTE], sum(self.meetings.values()))


def family_law_report(
    actor: Actor, uow: UnitOfWork, clock: Clock, since: date, until: date
) -> FamilyLawReport:
    """Compute the family-law report for the days since..until (both in); the read is logged."""
    require_role(actor, *REPORT_ROLES)
    check_period(since, until)
    period = local_midnight(since), local_midnight(until + timedelta(days=1))
    session = uow.session
    agreements, agreements_total = _agreements(session, period)
    report = FamilyLawReport(
        since=since,
        until=until,
        channels=_channels(session, period),
        meetings=_meetings(session, period),
        first_meeting=percentile_summary(_weekdays_to_first_meeting(session, period)),
        agreements=agreements,
        agreements_total=agreements_total,
        outcomes=_outcomes(session, period),
        feedback=_feedback(session, period),
        travel=_travel(session, period),
    )
    log_read(uow, clock, actor, "family_law_report", f"{since}/{until}", None, actor.purpose)
    uow.commit()
    return report


Period = tuple[datetime, datetime]


def _within(column: Any, period: Period) -> ColumnElement[bool]:
    return and_(column >= period[0], column < period[1])


def _channels(session: Session, period: Period) -> dict[str, int]:
    statement = (
        select(MatterFacts.channel, func.count())
        .where(_within(MatterFacts.started_at, period))
        .group_by(MatterFacts.channel)
    )
    return _counted(CHANNELS, session.execute(statement))


def _live_meetings(period: Period) -> tuple[ColumnElement[bool], ...]:
    # A cancelled meeting was not held, so it neither counts nor saves anyone a journey.
    return (_within(CalendarEntry.starts_at, period), CalendarEntry.cancelled_at.is_(None))


def _meetings(session: Session, period: Period) -> dict[str, int]:
    statement = (
        select(Meeting.mode, func.count())
        .join(CalendarEntry, CalendarEntry.id == Meeting.entry_id)
        .where(*_live_meetings(period))
        .group_by(Meeting.mode)
    )
    return _counted(MODES, session.execute(statement))


def _weekdays_to_first_meeting(session: Session, period: Period) -> list[int]:
    # Weekdays need the Finnish holiday calendar, so the two instants come back per matter
    # (nothing else of the matter); the period bounds how many.
    statement = select(MatterFacts.started_at, MatterFacts.first_meeting_at).where(
        _within(MatterFacts.first_meeting_at, period)
    )
    return [
        weekdays_between_dates(
            weekday_on_or_after(started.astimezone(FINNISH_TIME).date()),
            met.astimezone(FINNISH_TIME).date(),
        )
        for started, met in session.execute(statement)
        if met is not None
    ]


def _agreements(session: Session, period: Period) -> tuple[dict[str, int], int]:
    # Grouped by the stored key list, so only the few distinct combinations come back.
    statement = (
        select(MatterFacts.matters, func.count())
        .where(_within(MatterFacts.agreement_confirmed_at, period))
        .group_by(MatterFacts.matters)
    )
    counts = dict.fromkeys(MATTER_KEYS, 0)
    total = 0
    for matters, count in session.execute(statement):
        total += count
        for key in {part.strip() for part in matters.split(",")} & set(MATTER_KEYS):
            counts[key] += count
    return counts, total


def _outcomes(session: Session, period: Period) -> dict[str, int]:
    statement = (
        select(MatterFacts.outcome, func.count())
        .where(_within(MatterFacts.closed_at, period))
        .group_by(MatterFacts.outcome)
    )
    return _counted(OUTCOMES, session.execute(statement))


def _feedback(session: Session, period: Period) -> Feedback:
    given = or_(MatterFacts.workload.is_not(None), MatterFacts.smoothness.is_not(None))
    statement = select(
        func.count(case((given, 1))),
        func.avg(MatterFacts.workload),
        func.avg(MatterFacts.smoothness),
    ).where(_within(MatterFacts.closed_at, period))
    count, workload, smoothness = session.execute(statement).one()
    return Feedback(int(count), _average(workload), _average(smoothness))


def _travel(session: Session, period: Period) -> TravelAvoided:
    km = minutes = 0
    missing = []
    for municipality, office, meetings, distance, pair_km, pair_minutes in session.execute(
        _travel_by_pair(period)
    ):
        if distance is None:
            missing.append(MissingDistance(municipality, office, meetings))
        else:
            km, minutes = km + int(pair_km), minutes + int(pair_minutes)
    missing.sort(key=lambda m: (m.municipality is None, m.municipality or "", m.office))
    return TravelAvoided(km, minutes, missing)


def _travel_by_pair(period: Period) -> Select[*tuple[Any, ...]]:
    # One row per municipality and office: the pair decides the distance, so a group either
    # has one distance row or none (then its meetings are counted as missing).
    trips = 2 * case((Meeting.parent == JOINT, 2), else_=1)  # round trips × parents invited
    pair = and_(
        TravelDistance.municipality == MatterFacts.municipality,
        TravelDistance.office == Meeting.office,
    )
    return (
        select(
            MatterFacts.municipality,
            Meeting.office,
            func.count(),
            func.max(TravelDistance.id),
            func.sum(trips * TravelDistance.km),
            func.sum(trips * TravelDistance.minutes),
        )
        .join(CalendarEntry, CalendarEntry.id == Meeting.entry_id)
        .outerjoin(MatterFacts, MatterFacts.instance_id == Meeting.instance_id)
        .outerjoin(TravelDistance, pair)
        .where(*_live_meetings(period), Meeting.mode == REMOTE)
        .group_by(MatterFacts.municipality, Meeting.office)
    )


def _counted(keys: Sequence[str], rows: Any) -> dict[str, int]:
    # Every key shown, with zero when nothing of that kind; unknown values are left out.
    counts = dict.fromkeys(keys, 0)
    for key, count in rows:
        if key in counts:
            counts[key] = int(count)
    return counts


def _average(value: Any) -> float | None:
    # PostgreSQL averages come back as Decimal, SQLite's as float.
    return None if value is None else round(float(value), 2)


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None
