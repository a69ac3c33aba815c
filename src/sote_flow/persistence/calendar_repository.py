"""Calendar queries: entries by worker and time, free first-visit slots, bookings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import exists, func, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, lazyload

from sote_flow.domain.calendar import ABSENCE_TYPE, LONGEST_SLOT, MAX_ENTRY
from sote_flow.persistence.calendar_models import (
    CalendarEntry,
    CalendarEntryType,
    CalendarFeed,
    FirstVisitSlot,
    SlotPattern,
)
from sote_flow.persistence.models import Group, User, UserGroup


class CalendarRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- entry types -------------------------------------------------------------------------
    def entry_type(self, key: str) -> CalendarEntryType | None:
        """Return one entry type by key."""
        return self.session.get(CalendarEntryType, key)

    def entry_types(self, include_retired: bool = False) -> Sequence[CalendarEntryType]:
        """Return the entry types in their order."""
        query = select(CalendarEntryType).order_by(CalendarEntryType.position)
        if not include_retired:
            query = query.where(CalendarEntryType.retired.is_(False))
        return self.session.scalars(query).all()

    def add_entry_type(self, entry_type: CalendarEntryType) -> None:
        """Stage a new entry type last in the order."""
        last = self.session.scalar(select(func.max(CalendarEntryType.position)))
        entry_type.position = (last if last is not None else -1) + 1
        self.session.add(entry_type)
        self.session.flush()

    # -- entries ---------------------------------------------------------------------------
    def add_entry(self, entry: CalendarEntry) -> None:
        """Stage a new entry and give it an id."""
        self.session.add(entry)
        self.session.flush()

    def entry(self, entry_id: int, for_update: bool = False) -> CalendarEntry | None:
        """Return one entry (row-locked when it is to be changed)."""
        query = select(CalendarEntry).where(CalendarEntry.id == entry_id)
        if for_update:
            query = query.with_for_update(of=CalendarEntry)
        return self.session.scalars(query).first()

    def entries_between(
        self, worker_ids: Iterable[int], start: datetime, end: datetime
    ) -> Sequence[CalendarEntry]:
        """Return the workers' live entries that overlap [start, end), earliest first.

        Entries other than absences last at most MAX_ENTRY, which bounds how far back the
        (worker, start) index is read: a week's page does not walk the worker's whole year.
        """
        query = (
            select(CalendarEntry)
            .where(
                CalendarEntry.worker_id.in_(list(worker_ids)),
                CalendarEntry.cancelled_at.is_(None),
                CalendarEntry.starts_at < end,
                CalendarEntry.ends_at > start,
                or_(
                    CalendarEntry.type_key == ABSENCE_TYPE,
                    CalendarEntry.starts_at > start - MAX_ENTRY,
                ),
            )
            .order_by(CalendarEntry.starts_at, CalendarEntry.id)
        )
        return self.session.scalars(query).all()

    def displaced_by(self, absence_id: int) -> Sequence[CalendarEntry]:
        """Return the appointments an absence has flagged for reassignment."""
        query = select(CalendarEntry).where(
            CalendarEntry.displaced_by_id == absence_id, CalendarEntry.cancelled_at.is_(None)
        )
        return self.session.scalars(query.order_by(CalendarEntry.starts_at)).all()

    def displaced_of_workers(self, worker_ids: Iterable[int]) -> Sequence[CalendarEntry]:
        """Return the flagged appointments of the workers, earliest first."""
        query = (
            select(CalendarEntry)
            .where(
                CalendarEntry.worker_id.in_(list(worker_ids)),
                CalendarEntry.displaced_by_id.is_not(None),
                CalendarEntry.cancelled_at.is_(None),
            )
            .order_by(CalendarEntry.starts_at, CalendarEntry.id)
        )
        return self.session.scalars(query).all()

    def client_entry_counts(
        self, worker_ids: Iterable[int], start: datetime, end: datetime
    ) -> dict[int, int]:
        """Count each worker's live entries with a client number in [start, end)."""
        query = (
            select(CalendarEntry.worker_id, func.count())
            .where(
                CalendarEntry.worker_id.in_(list(worker_ids)),
                CalendarEntry.cancelled_at.is_(None),
                CalendarEntry.client_number.is_not(None),
                CalendarEntry.starts_at >= start,
                CalendarEntry.starts_at < end,
            )
            .group_by(CalendarEntry.worker_id)
        )
        return {worker_id: count for worker_id, count in self.session.execute(query).all()}

    def insert_booking(self, entry: CalendarEntry) -> bool:
        """Write an appointment into its slot; False when another booking got the slot first.

        The unique `slot_id` decides: of two bookings racing for one slot, the database lets
        exactly one insert through. A savepoint keeps the rest of the transaction usable.
        """
        try:
            with self.session.begin_nested():
                self.session.add(entry)
                self.session.flush()
        except IntegrityError:
            return False
        return True

    # -- slots -----------------------------------------------------------------------------
    def slot(self, slot_id: int) -> FirstVisitSlot | None:
        """Return one slot with its worker (not the worker's roles or groups: not needed)."""
        query = (
            select(FirstVisitSlot)
            .where(FirstVisitSlot.id == slot_id)
            .options(
                joinedload(FirstVisitSlot.worker).options(
                    lazyload(User.roles), lazyload(User.groups)
                )
            )
        )
        return self.session.scalars(query).first()

    def add_pattern(self, pattern: SlotPattern) -> None:
        """Stage a slot pattern and give it an id."""
        self.session.add(pattern)
        self.session.flush()

    def pattern(self, pattern_id: int) -> SlotPattern | None:
        """Return one slot pattern."""
        return self.session.get(SlotPattern, pattern_id)

    def add_slot(self, slot: FirstVisitSlot) -> None:
        """Stage one slot and give it an id."""
        self.session.add(slot)
        self.session.flush()

    def add_slots(self, rows: list[dict[str, object]]) -> None:
        """Write many slots in one statement."""
        if rows:
            self.session.execute(insert(FirstVisitSlot), rows)

    def unbooked_slots(
        self,
        service_key: str,
        after: tuple[datetime, int],
        limit: int,
        worker_id: int | None = None,
    ) -> Sequence[FirstVisitSlot]:
        """Return the service's slots after (start, id) that no appointment holds, in order.

        Walks the (service, start) index and checks each slot against the unique slot_id
        index, so it reads about as many rows as it returns. Paging on (start, id) keeps the
        slots of many workers starting at the same moment from being skipped between pages.
        """
        start, slot_id = after
        booked = exists().where(CalendarEntry.slot_id == FirstVisitSlot.id)
        query = (
            select(FirstVisitSlot)
            .where(
                FirstVisitSlot.service_key == service_key,
                FirstVisitSlot.starts_at >= start,
                or_(FirstVisitSlot.starts_at > start, FirstVisitSlot.id > slot_id),
                FirstVisitSlot.withdrawn_at.is_(None),
                ~booked,
            )
            .order_by(FirstVisitSlot.starts_at, FirstVisitSlot.id)
            .limit(limit)
        )
        if worker_id is not None:
            query = query.where(FirstVisitSlot.worker_id == worker_id)
        return self.session.scalars(query).all()

    def busy_times(
        self, worker_ids: Iterable[int], start: datetime, end: datetime
    ) -> list[tuple[int, datetime, datetime]]:
        """Return (worker, start, end) of the workers' live entries overlapping [start, end).

        Entries other than absences last at most MAX_ENTRY, which bounds how far back the
        (worker, start) index is read; absences come from their own partial index.
        """
        columns = select(CalendarEntry.worker_id, CalendarEntry.starts_at, CalendarEntry.ends_at)
        live = columns.where(
            CalendarEntry.worker_id.in_(list(worker_ids)),
            CalendarEntry.cancelled_at.is_(None),
            CalendarEntry.starts_at < end,
            CalendarEntry.ends_at > start,
        )
        short = live.where(
            CalendarEntry.type_key != ABSENCE_TYPE, CalendarEntry.starts_at > start - MAX_ENTRY
        )
        absences = live.where(CalendarEntry.type_key == ABSENCE_TYPE)
        rows = [*self.session.execute(short), *self.session.execute(absences)]
        return [(worker, begins, ends) for worker, begins, ends in rows]

    def slot_times(
        self, worker_id: int, start: datetime, end: datetime
    ) -> list[tuple[datetime, datetime]]:
        """Return (start, end) of the worker's live slots that overlap [start, end)."""
        query = select(FirstVisitSlot.starts_at, FirstVisitSlot.ends_at).where(
            FirstVisitSlot.worker_id == worker_id,
            FirstVisitSlot.withdrawn_at.is_(None),
            FirstVisitSlot.starts_at > start - LONGEST_SLOT,
            FirstVisitSlot.starts_at < end,
            FirstVisitSlot.ends_at > start,
        )
        return [(begins, ends) for begins, ends in self.session.execute(query)]

    def slot_is_booked(self, slot_id: int) -> bool:
        """Whether a live appointment holds the slot."""
        return bool(self.session.scalar(select(exists().where(CalendarEntry.slot_id == slot_id))))

    def open_slots_of_pattern(self, pattern_id: int, after: datetime) -> Sequence[FirstVisitSlot]:
        """Return a pattern's live slots from `after` on that no appointment holds."""
        booked = exists().where(CalendarEntry.slot_id == FirstVisitSlot.id)
        query = select(FirstVisitSlot).where(
            FirstVisitSlot.pattern_id == pattern_id,
            FirstVisitSlot.starts_at >= after,
            FirstVisitSlot.withdrawn_at.is_(None),
            ~booked,
        )
        return self.session.scalars(query).all()

    def patterns_of(self, worker_id: int) -> Sequence[SlotPattern]:
        """Return a worker's live slot patterns."""
        query = select(SlotPattern).where(
            SlotPattern.worker_id == worker_id, SlotPattern.withdrawn_at.is_(None)
        )
        return self.session.scalars(query.order_by(SlotPattern.weekday, SlotPattern.id)).all()

    def workers_offering(self, service_key: str, since: datetime) -> set[int]:
        """Return the workers who offer slots of the service from `since` on."""
        query = (
            select(FirstVisitSlot.worker_id)
            .where(FirstVisitSlot.service_key == service_key, FirstVisitSlot.ends_at >= since)
            .distinct()
        )
        return set(self.session.scalars(query).all())

    # -- teams -----------------------------------------------------------------------------
    def members(self, group_names: Iterable[str]) -> Sequence[User]:
        """Return the active users in the groups, by name."""
        query = (
            select(User)
            .join(UserGroup, UserGroup.user_id == User.id)
            .join(Group, Group.id == UserGroup.group_id)
            .where(Group.name.in_(list(group_names)), User.active.is_(True))
            .order_by(User.display_name)
            .distinct()
        )
        return self.session.scalars(query).all()


class CalendarFeeds:
    """Workers' secret iCalendar addresses, found by the hash of their token."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, feed: CalendarFeed) -> None:
        """Stage a new feed and give it an id."""
        self.session.add(feed)
        self.session.flush()

    def live_of(self, user_id: int) -> Sequence[CalendarFeed]:
        """Return the user's feeds that are not revoked, newest first."""
        query = (
            select(CalendarFeed)
            .where(CalendarFeed.user_id == user_id, CalendarFeed.revoked_at.is_(None))
            .order_by(CalendarFeed.created_at.desc(), CalendarFeed.id.desc())
        )
        return self.session.scalars(query).all()

    def live_by_token_hash(self, token_hash: str) -> CalendarFeed | None:
        """Return the feed with this token hash unless it is revoked."""
        query = select(CalendarFeed).where(
            CalendarFeed.token_hash == token_hash, CalendarFeed.revoked_at.is_(None)
        )
        return self.session.scalar(query)
