"""Municipality report of client work: what each purchasing municipality bought, per service
and per worker, and how the legal clocks of client cases were kept, over Finnish days.

How it counts (both ends of the period in; confirmed events whose day is in the period only):
- The purchasing municipality is the event's own (the client's municipality of residence);
  work without one (employee work) is a row of its own (municipality None).
- Units by the product of the event type: kaynti one per event; tunti the minutes / 60; paiva
  one per distinct day of a case with events of that type (an event without a case: per day
  of its worker). A day with several municipalities, services or workers goes to the first of
  each in alphabetical order, so the service and worker tables add up to the total.
- Cost: units × the unit price valid on the event's day (valid_from ≤ day ≤ valid_until, no
  end: until further notice; prices never overlap, see products.py). Hours are priced by the
  minute; each figure shown is rounded to the cent (half up) from the exact sum. An event whose
  type has no product or whose day has no price is unpriced: counted apart, never as 0 €.
- Legal clocks of client cases, as THL collects them twice a year: per clock, those stopped in
  the period, and those due in it but not stopped by its end (late; not counted until their
  last day has passed). Within the limit: stopped on or before the last day allowed. The late
  ones are listed with their case number, oldest deadline first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sote_flow.client_case.events import EVENT_TYPES
from sote_flow.client_case.facts import PROCESS_KEY
from sote_flow.client_case.models import CaseFacts, Product, ProductPrice, WorkEvent
from sote_flow.domain.clock import Clock
from sote_flow.domain.report_period import check_period
from sote_flow.domain.roles import Role
from sote_flow.domain.weekdays import FINNISH_TIME
from sote_flow.persistence.models import Case, CaseClock
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor, require_role
from sote_flow.services.instances import log_read

# About two years: a leap year and the next one (the period's days less one).
MAX_LATE_LISTED = 500
REPORT_ROLES = (Role.SERVICE_MANAGER, Role.TEAM_LEAD, Role.AUDITOR, Role.ADMINISTRATOR)
CONFIRMED = "confirmed"
KAYNTI, TUNTI, PAIVA = "kaynti", "tunti", "paiva"
TYPE_ORDER = {event_type: n for n, event_type in enumerate(EVENT_TYPES)}
# The client case's legal clocks as its diagram declares them (key: name, limit, law).
CLOCKS: dict[str, tuple[str, str, str]] = {
    "arvio_alkaa": ("Palvelutarpeen arviointi alkaa", "7 arkipäivää", "SHL 36 §"),
    "arvio_valmis": ("Lapsen palvelutarpeen arviointi valmis", "3 kuukautta", "SHL 36 §"),
    "toimeenpano": ("Päätös pannaan täytäntöön", "3 kuukautta", "SHL 45 §"),
    "kiireellinen": ("Kiireellinen päätös pannaan täytäntöön heti", "0 arkipäivää", "SHL 45 §"),
}


@dataclass(frozen=True)
class Figures:
    """Events, minutes and cost of one row; cost kept exact in 1/60 cents."""

    events: int = 0
    minutes: int = 0
    cost_sixtieths: int = 0  # cents × 60: hour prices times minutes stay whole
    unpriced: int = 0  # events without a product or without a price on their day

    def __add__(self, other: Figures) -> Figures:
        return Figures(self.events + other.events, self.minutes + other.minutes,
                       self.cost_sixtieths + other.cost_sixtieths,
                       self.unpriced + other.unpriced)  # fmt: skip

    @property
    def hours(self) -> float:
        """Minutes as hours, two decimals."""
        return round(self.minutes / 60, 2)

    @property
    def cost_cents(self) -> int | None:
        """Cost of the priced events in cents (half up); None when none of them is priced."""
        if self.events and self.unpriced == self.events:
            return None
        return (self.cost_sixtieths + 30) // 60


@dataclass(frozen=True)
class ProductLine:
    """One product bought by one municipality (event type without a product: name None)."""

    event_type: str
    name: str | None
    unit: str | None
    units: float | None  # events, hours or case days by the unit (None: no product)
    figures: Figures


@dataclass(frozen=True)
class MunicipalityRow:
    """One purchasing municipality (None: not known) with its products and total."""

    municipality: str | None
    products: Sequence[ProductLine]
    total: Figures


@dataclass(frozen=True)
class KeyRow:
    """One service or worker (None: not recorded) and its figures."""

    key: str | None
    figures: Figures


@dataclass(frozen=True)
class ClockCompliance:
    """One legal clock: those ended or due in the period, and how many within the limit."""

    key: str
    name: str
    limit: str
    law: str
    counted: int
    within: int

    @property
    def late(self) -> int:
        """Clocks that ran out."""
        return self.counted - self.within

    @property
    def share_within(self) -> float | None:
        """Within the limit as a percentage, one decimal (None: none counted)."""
        return round(100 * self.within / self.counted, 1) if self.counted else None


@dataclass(frozen=True)
class LateClock:
    """A clock that ran out: its case, last day allowed and stop day (None: still running)."""

    instance_id: int
    case_number: str | None
    key: str
    due_on: date
    stopped_on: date | None


@dataclass(frozen=True)
class MunicipalityReport:
    """Every figure of the report for one period (and municipality, if one was asked)."""

    since: date
    until: date
    municipality: str | None
    municipalities: Sequence[MunicipalityRow]
    total: Figures
    services: Sequence[KeyRow]
    workers: Sequence[KeyRow]
    clocks: Sequence[ClockCompliance]
    late: Sequence[LateClock]  # the first MAX_LATE_LISTED, oldest deadline first

    @property
    def late_count(self) -> int:
        """Every late clock, listed or not."""
        return sum(c.late for c in self.clocks)


def municipality_report(
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    since: date,
    until: date,
    municipality: str | None = None,
) -> MunicipalityReport:
    """Compute the report for the days since..until (both in); the read is logged."""
    require_role(actor, *REPORT_ROLES)
    check_period(since, until)
    municipality = (municipality or "").strip() or None
    session = uow.session
    catalogue = _Catalogue.load(session)
    events = _Events(since, until, municipality, catalogue.cuts(since, until))
    days: list[Counts] = [{}, {}, {}]  # per table: (key, event type, segment) -> paiva days
    if paiva := catalogue.of_unit(PAIVA):
        for table, key, event_type, *flags, count in session.execute(events.days(paiva)):
            days[int(table)][(key, event_type, sum(flags))] = int(count)
    # Municipalities and services come from one scan of the events, workers from another.
    both = [
        (m, s, t, sum(f), n, mins) for m, s, t, *f, n, mins in session.execute(events.totals(2))
    ]
    workers = [(w, t, sum(f), n, mins) for w, t, *f, n, mins in session.execute(events.totals(1))]
    starts = (since, *events.cuts)  # the first day of each price segment
    by_municipality = _lines([(r[0], *r[2:]) for r in both], days[0], catalogue, starts)
    municipalities = [
        MunicipalityRow(m, ls, sum((line.figures for line in ls), Figures()))
        for m, ls in sorted(by_municipality.items(), key=lambda item: _order(item[0]))
    ]
    today = clock().astimezone(FINNISH_TIME).date()
    counted, ran_out = _clock_conditions(since, until, today, municipality)
    report = MunicipalityReport(
        since=since,
        until=until,
        municipality=municipality,
        municipalities=municipalities,
        total=sum((row.total for row in municipalities), Figures()),
        services=_key_rows(_lines([r[1:] for r in both], days[1], catalogue, starts)),
        workers=_key_rows(_lines(workers, days[2], catalogue, starts)),
        clocks=_compliance(session, counted, ran_out),
        late=_late(session, counted, ran_out),
    )
    object_id = f"{since}/{until}" + (f"/{municipality}" if municipality else "")
    log_read(uow, clock, actor, "client_case_report", object_id[:64], None, actor.purpose)
    uow.commit()
    return report


Counts = dict[tuple[Any, str, int], int]
Lines = dict[Any, list[ProductLine]]
Rows = Iterable[tuple[Any, str, int, int, int]]  # key, event type, segment, events, minutes
Condition = sa.ColumnElement[bool]


@dataclass(frozen=True)
class _Catalogue:
    """The products (event type -> name, unit) and their price periods: a few dozen rows."""

    products: dict[str, tuple[str, str]]
    prices: dict[str, list[tuple[date, date | None, int]]]

    @classmethod
    def load(cls, session: Session) -> _Catalogue:
        query = sa.select(
            Product.event_type, Product.name, Product.unit, ProductPrice.valid_from,
            ProductPrice.valid_until, ProductPrice.price_cents,
        ).outerjoin(ProductPrice, ProductPrice.product_id == Product.id)  # fmt: skip
        catalogue = cls({}, {})
        for event_type, name, unit, start, end, cents in session.execute(query):
            catalogue.products[event_type] = (name, unit)
            if start is not None:
                catalogue.prices.setdefault(event_type, []).append((start, end, cents))
        return catalogue

    def of_unit(self, unit: str) -> list[str]:
        return sorted(t for t, (_, u) in self.products.items() if u == unit)

    def cuts(self, since: date, until: date) -> tuple[date, ...]:
        """The days after `since` up to `until` on which some price starts or ends."""
        periods = [period for periods in self.prices.values() for period in periods]
        days = {start for start, _, _ in periods}
        days |= {end + timedelta(days=1) for _, end, _ in periods if end and end < date.max}
        return tuple(sorted(day for day in days if since < day <= until))

    def price(self, event_type: str, day: date) -> int | None:
        periods = self.prices.get(event_type, ())
        return next((c for start, end, c in periods if start <= day <= (end or date.max)), None)


@dataclass(frozen=True)
class _Events:
    """The confirmed events of the period, grouped in SQL by keys, type and price segment.

    No price is joined per event: the period is cut at every day a price starts or ends, so
    within a segment each product has one price (or none), applied to the grouped rows. The
    segment is a flag `occurred_on >= cut` per cut; PostgreSQL estimates each flag as two
    values, so it aggregates in a small hash table instead of sorting a million events.
    """

    since: date
    until: date
    municipality: str | None
    cuts: tuple[date, ...]

    def totals(self, keys: int) -> sa.Select[Any]:
        """Select (municipality, service | worker, event type, flags…, events, minutes)."""
        rows = self._rows().subquery()
        grouped = [*([rows.c.k0, rows.c.k1] if keys == 2 else [rows.c.k2]), rows.c.event_type]
        grouped += self._flags(rows)
        return sa.select(*grouped, sa.func.count(), sa.func.sum(rows.c.minutes)).group_by(*grouped)

    def days(self, event_types: list[str]) -> sa.CompoundSelect[*tuple[Any, ...]]:
        """Select (table, key, event type, flags…, days) of the paiva products' case days."""
        rows = self._rows().where(WorkEvent.event_type.in_(event_types)).subquery()
        day = [rows.c.event_type, rows.c.instance_id, rows.c.lone, rows.c.occurred_on]
        keys = [sa.func.min(rows.c[f"k{i}"]).label(f"k{i}") for i in range(3)]
        day += self._flags(rows)
        once = sa.select(*keys, *day).group_by(*day).cte("paiva_days")
        parts = []
        for table in range(3):
            grouped = [once.c[f"k{table}"], once.c.event_type, *self._flags(once)]
            number: Any = sa.literal_column(str(table))
            parts.append(sa.select(number, *grouped, sa.func.count()).group_by(*grouped))
        return sa.union_all(*parts)

    def _rows(self) -> sa.Select[Any]:
        lone = sa.case((WorkEvent.instance_id.is_(None), WorkEvent.worker))  # no case: by worker
        flags = [(WorkEvent.occurred_on >= cut).label(f"s{i}") for i, cut in enumerate(self.cuts)]
        where: list[Condition] = [WorkEvent.occurred_on.between(self.since, self.until)]
        where.append(WorkEvent.status == CONFIRMED)
        if self.municipality is not None:
            where.append(WorkEvent.municipality == self.municipality)
        return sa.select(
            WorkEvent.municipality.label("k0"), WorkEvent.service_key.label("k1"),
            WorkEvent.worker.label("k2"), WorkEvent.event_type, WorkEvent.instance_id,
            lone.label("lone"), WorkEvent.occurred_on, WorkEvent.minutes, *flags,
        ).where(*where)  # fmt: skip

    def _flags(self, rows: Any) -> list[Any]:
        return [rows.c[f"s{i}"] for i in range(len(self.cuts))]


def _lines(rows: Rows, days: Counts, catalogue: _Catalogue, starts: Sequence[date]) -> Lines:
    """Return key -> product lines from (key, event type, segment, events, minutes) rows."""
    counts: dict[tuple[Any, str, int], tuple[int, int]] = {}
    for key, event_type, segment, events, minutes in rows:
        before = counts.get((key, event_type, segment), (0, 0))
        counts[(key, event_type, segment)] = (before[0] + events, before[1] + (minutes or 0))
    # Each segment is priced at its own price, then a product's segments merge into one line.
    merged: dict[tuple[Any, str], tuple[Figures, int]] = {}
    for (key, event_type, segment), (events, minutes) in counts.items():
        unit = catalogue.products.get(event_type, (None, None))[1]
        price = catalogue.price(event_type, starts[segment])
        counted = days.get((key, event_type, segment), 0)
        sixtieths = {KAYNTI: events * 60, TUNTI: minutes, PAIVA: counted * 60}.get(unit or "")
        # No product, no price that day, or a unit this report does not know: unpriced, not 0 €.
        if sixtieths is None or price is None:
            figures = Figures(events, minutes, 0, events)
        else:
            figures = Figures(events, minutes, sixtieths * price, 0)
        before_figures, before_days = merged.get((key, event_type), (Figures(), 0))
        merged[(key, event_type)] = (before_figures + figures, before_days + counted)
    lines: Lines = {}
    for (key, event_type), (figures, counted) in sorted(merged.items(), key=_type_order):
        name, unit = catalogue.products.get(event_type, (None, None))
        units = {KAYNTI: figures.events, TUNTI: figures.hours, PAIVA: counted}.get(unit or "")
        lines.setdefault(key, []).append(ProductLine(event_type, name, unit, units, figures))
    return lines


def _type_order(item: tuple[tuple[Any, str], Any]) -> tuple[int, str]:
    return TYPE_ORDER.get(item[0][1], len(TYPE_ORDER)), item[0][1]


def _key_rows(lines: Lines) -> list[KeyRow]:
    rows = [KeyRow(key, sum((line.figures for line in ls), Figures())) for key, ls in lines.items()]
    return sorted(rows, key=lambda row: _order(row.key))


def _clock_conditions(
    since: date, until: date, today: date, municipality: str | None
) -> tuple[Condition, Condition]:
    """Return (counted in the period, ran out) for the client case's legal clocks."""
    stopped = CaseClock.stopped_on.between(since, until)
    # Due in the period and not stopped by its end; while its last day is today or later it
    # can still be kept, so it is not counted yet.
    open_at_end = sa.or_(CaseClock.stopped_on.is_(None), CaseClock.stopped_on > until)
    overdue = sa.and_(CaseClock.due_on.between(since, until), CaseClock.due_on < today, open_at_end)
    counted = sa.and_(CaseClock.process_key == PROCESS_KEY, sa.or_(stopped, overdue))
    if municipality is not None:
        cases = sa.select(CaseFacts.instance_id).where(CaseFacts.municipality == municipality)
        counted = sa.and_(counted, CaseClock.instance_id.in_(cases))
    # Spelled out rather than NOT within: a running clock's NULL stop day would make it NULL.
    return counted, sa.or_(open_at_end, CaseClock.stopped_on > CaseClock.due_on)


def _compliance(session: Session, counted: Condition, ran_out: Condition) -> list[ClockCompliance]:
    late = sa.func.sum(sa.case((ran_out, 1), else_=0))
    query = sa.select(CaseClock.key, sa.func.count(), late).where(counted).group_by(CaseClock.key)
    counts = {str(k): (int(n), int(n) - int(la or 0)) for k, n, la in session.execute(query)}
    keys = [*CLOCKS, *sorted(set(counts) - set(CLOCKS))]  # every declared clock, zeros too
    return [ClockCompliance(k, *CLOCKS.get(k, (k, "", "")), *counts.get(k, (0, 0))) for k in keys]


def _late(session: Session, counted: Condition, ran_out: Condition) -> list[LateClock]:
    query = (
        sa.select(
            CaseClock.instance_id, Case.case_number, CaseClock.key, CaseClock.due_on,
            CaseClock.stopped_on,
        )
        .outerjoin(Case, Case.instance_id == CaseClock.instance_id)
        .where(counted, ran_out)
        .order_by(CaseClock.due_on, CaseClock.instance_id, CaseClock.key)
        .limit(MAX_LATE_LISTED)
    )  # fmt: skip
    return [LateClock(int(i), n, str(k), d, s) for i, n, k, d, s in session.execute(query)]


def _order(key: str | None) -> tuple[bool, str]:
    # Named rows alphabetically, the row without a name last.
    return key is None, key or ""
