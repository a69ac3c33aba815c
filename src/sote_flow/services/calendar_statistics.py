"""Calendar statistics for managers: hours and counts of entries by type, worker or team.

How it counts:
- Entries that are not cancelled and overlap the period (Finnish days, both included); only the
  part of an entry inside the period counts towards its hours, the entry itself counts once.
- Share of client work: hours of types that are client work (client_work "yes") of all hours
  except absences; the share of indirect work (client_work "indirect") is shown beside it.
- A worker in two teams counts in both teams' figures; the total counts each entry once.
No client data is read (only types, times and workers), so nothing is written to the access log.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta

from sote_flow.domain.calendar import ABSENCE_TYPE, finnish_datetime
from sote_flow.domain.errors import FieldError, InvalidInput, PermissionDenied
from sote_flow.domain.roles import Role
from sote_flow.domain.text import t
from sote_flow.persistence.calendar_statistics import TypeTotal
from sote_flow.persistence.models import Group
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor

MAX_DAYS = 366
DIMENSIONS = ("type", "worker", "team")


@dataclass(frozen=True)
class StatisticsQuery:
    """The period (Finnish days, both included), the breakdown and, optionally, one team."""

    since: date
    until: date
    dimension: str = "type"
    group: str | None = None


@dataclass(frozen=True)
class EntryTypeInfo:
    """An entry type's names and whether it counts as client work."""

    key: str
    name_fi: str
    name_sv: str
    name_en: str
    client_work: str


@dataclass(frozen=True)
class Figures:
    """Entries and hours of one row, with the hours split by kind of work."""

    count: int
    seconds: int
    client_seconds: int
    indirect_seconds: int
    absence_seconds: int

    @property
    def hours(self) -> float:
        """All hours, to two decimals."""
        return _hours(self.seconds)

    @property
    def client_hours(self) -> float:
        """Hours of client work."""
        return _hours(self.client_seconds)

    @property
    def indirect_hours(self) -> float:
        """Hours of indirect client work (documentation, preparation, travel, consultation)."""
        return _hours(self.indirect_seconds)

    @property
    def absence_hours(self) -> float:
        """Hours of absences."""
        return _hours(self.absence_seconds)

    @property
    def client_share(self) -> float | None:
        """Client work as a percentage of the hours worked (absences left out), one decimal."""
        return _share(self.client_seconds, self.seconds - self.absence_seconds)

    @property
    def indirect_share(self) -> float | None:
        """Indirect work as a percentage of the hours worked (absences left out)."""
        return _share(self.indirect_seconds, self.seconds - self.absence_seconds)


@dataclass(frozen=True)
class StatisticsRow:
    """One row of the breakdown: an entry type, a worker or a team."""

    key: str
    title: str
    figures: Figures


@dataclass(frozen=True)
class CalendarStatistics:
    """Everything the statistics page and its exports show."""

    query: StatisticsQuery
    total: Figures
    rows: Sequence[StatisticsRow]
    types: Mapping[str, EntryTypeInfo]
    groups: Sequence[tuple[str, str]]  # the teams the actor may choose, (name, title)


def calendar_statistics(
    actor: Actor, uow: UnitOfWork, query: StatisticsQuery
) -> CalendarStatistics:
    """Compute the hours and counts of calendar entries in a period, broken down as asked."""
    groups = _allowed_groups(actor, uow)
    _validate(query, groups)
    scope: list[str] | None = None
    if query.group is not None:
        scope = [query.group]
    elif not actor.oversees:
        scope = sorted(actor.groups)
    start = finnish_datetime(query.since, time())
    end = finnish_datetime(query.until + timedelta(days=1), time())
    types = {
        t.key: EntryTypeInfo(t.key, t.name_fi, t.name_sv, t.name_en, t.client_work)
        for t in uow.calendar.entry_types(include_retired=True)
    }
    reads = uow.calendar_statistics
    by_worker = reads.by_worker_and_type(start, end, scope)
    if query.dimension == "team":
        rows = _rows(reads.by_group_and_type(start, end, scope), types, by="key")
    elif query.dimension == "worker":
        rows = _rows(by_worker, types, by="key")
    else:
        rows = _rows(by_worker, types, by="type")
    return CalendarStatistics(
        query=query,
        total=_figures(by_worker, types),
        rows=rows,
        types=types,
        groups=[(name, title) for name, title in groups.items()],
    )


def _allowed_groups(actor: Actor, uow: UnitOfWork) -> dict[str, str]:
    if actor.oversees:
        shown = list(uow.users.groups())
    elif actor.has_role(Role.TEAM_LEAD) and actor.groups:
        shown = [g for g in uow.users.groups() if g.name in actor.groups]
    else:
        raise PermissionDenied(t("Kalenteritilastot ovat esihenkilöille ja palvelupäälliköille."))
    return {g.name: g.display_name for g in sorted(shown, key=_title_of)}


def _title_of(group: Group) -> str:
    return group.display_name.casefold()


def _validate(query: StatisticsQuery, groups: Mapping[str, str]) -> None:
    errors = []
    if query.until < query.since or (query.until - query.since).days >= MAX_DAYS:
        errors.append(FieldError("until", t("Jakso on 1–{days} päivää.", days=MAX_DAYS)))
    if query.dimension not in DIMENSIONS:
        errors.append(FieldError("dimension", t("Valitse ryhmittely.")))
    if errors:
        raise InvalidInput(errors)
    if query.group is not None and query.group not in groups:
        raise PermissionDenied(t("Voit katsoa vain omien tiimiesi tilastoja."))


def _rows(
    totals: Iterable[TypeTotal], types: Mapping[str, EntryTypeInfo], by: str
) -> list[StatisticsRow]:
    grouped: dict[str, list[TypeTotal]] = defaultdict(list)
    titles: dict[str, str] = {}
    for total in totals:
        key = total.type_key if by == "type" else total.key
        grouped[key].append(total)
        titles[key] = types[key].name_fi if by == "type" and key in types else total.title
    if by == "type":
        order = {key: index for index, key in enumerate(types)}
        keys = sorted(grouped, key=lambda k: (order.get(k, len(order)), k))
    else:
        keys = sorted(grouped, key=lambda k: (titles[k].casefold(), k))
    return [StatisticsRow(k, titles[k], _figures(grouped[k], types)) for k in keys]


def _figures(totals: Iterable[TypeTotal], types: Mapping[str, EntryTypeInfo]) -> Figures:
    count = seconds = client = indirect = absence = 0
    for total in totals:
        kind = types[total.type_key].client_work if total.type_key in types else "no"
        count += total.count
        seconds += total.seconds
        if total.type_key == ABSENCE_TYPE:
            absence += total.seconds
        elif kind == "yes":
            client += total.seconds
        elif kind == "indirect":
            indirect += total.seconds
    return Figures(count, seconds, client, indirect, absence)


def _hours(seconds: int) -> float:
    return round(seconds / 3600, 2)


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole > 0 else None
