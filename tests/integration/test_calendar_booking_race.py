"""Twenty advisors booking at the same moment on PostgreSQL: a slot goes to exactly one of them.

Each booker has its own engine (its own connection, as separate web processes would) and all
are released together by a barrier; the unique `slot_id` of the appointment decides.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date, time

import pytest
from sqlalchemy import func, select

from sote_flow.domain.calendar import WeeklyPattern
from sote_flow.domain.clock import FrozenClock
from sote_flow.persistence.calendar_models import CalendarEntry
from sote_flow.persistence.database import make_engine, make_session_factory
from sote_flow.persistence.models import HistoryEntry
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.calendar_slots import (
    Booking,
    SlotOffer,
    SlotTaken,
    add_slot_pattern,
    book_slot,
    next_free_slots,
)
from sote_flow.services.platform import Platform
from tests.support.factories import UnitOfWorkFactory, make_actor, make_groups

pytestmark = pytest.mark.postgres

BOOKERS = 20
TIMEOUT = 60  # seconds for the whole race; a hung booker fails the test instead of the run


@pytest.fixture
def database_url(postgres_databases) -> str:
    # PostgreSQL only: SQLite takes its write lock up front, so its bookers never overlap.
    return str(postgres_databases.new_url())


@pytest.fixture
def setting(platform: Platform, uow: UnitOfWorkFactory, clock: FrozenClock):
    make_groups(uow, "perhetyo", "neuvonta")
    workers = [make_actor(uow, clock, f"perhe{i}", ["family_worker"], ["perhetyo"]) for i in (1, 2)]
    advisors = [
        make_actor(uow, clock, f"neuvoja{i}", ["client_advisor"], ["neuvonta"])
        for i in range(BOOKERS)
    ]
    # Tuesdays (perhe1) and Thursdays (perhe2) 24 November – 17 December 2026, 9–12 in 45
    # minutes: 2 workers x 4 days x 4 slots.
    for worker, weekday in zip(workers, (1, 3), strict=True):
        pattern = WeeklyPattern(
            weekday, time(9), time(12), 45, date(2026, 11, 24), date(2026, 12, 17)
        )
        with uow() as unit:
            add_slot_pattern(
                worker,
                unit,
                clock,
                worker.username,
                SlotOffer("family_work", 45, "Perhekeskus"),
                pattern,
            )
    with uow() as unit:
        slots = next_free_slots(unit, clock, "family_work", limit=BOOKERS)
    assert len(slots) == BOOKERS
    return advisors, [s.id for s in slots]


@pytest.fixture
def engines(database_url: str) -> Iterator[list[UnitOfWorkFactory]]:
    """One engine per booker, as if each were its own web process."""
    made = [make_engine(database_url) for _ in range(BOOKERS)]
    factories = [_factory(engine) for engine in made]
    yield factories
    for engine in made:
        engine.dispose()


def _factory(engine) -> UnitOfWorkFactory:  # type: ignore[no-untyped-def]
    sessions = make_session_factory(engine)
    return lambda: UnitOfWork(sessions)


def _race(action: Callable[[int], int]) -> list[object]:
    """Run action(i) on BOOKERS threads released together; each outcome is an id or an error."""
    barrier = threading.Barrier(BOOKERS, timeout=TIMEOUT)
    outcomes: list[object] = [None] * BOOKERS

    def run(i: int) -> None:
        try:
            barrier.wait()
            outcomes[i] = action(i)
        except Exception as exc:  # kept for the assertions; anything unexpected shows there
            outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(BOOKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a booker did not finish in time"
    return outcomes


def _appointments(uow: UnitOfWorkFactory) -> list[tuple[int | None, str | None]]:
    with uow() as unit:
        query = select(CalendarEntry.slot_id, CalendarEntry.client_number).order_by(
            CalendarEntry.id
        )
        return [(slot_id, number) for slot_id, number in unit.session.execute(query).all()]


def test_twenty_bookers_of_one_slot_exactly_one_wins(platform, uow, clock, setting, engines):
    advisors, slot_ids = setting
    slot_id = slot_ids[0]

    def book(i: int) -> int:
        with engines[i]() as unit:
            booking = Booking(f"{1000000 + i}")
            return book_slot(platform, advisors[i], unit, clock, slot_id, booking)

    outcomes = _race(book)
    winners = [i for i, o in enumerate(outcomes) if isinstance(o, int)]
    losers = [o for o in outcomes if isinstance(o, SlotTaken)]
    unexpected = [o for o in outcomes if not isinstance(o, (int, SlotTaken))]
    assert unexpected == []
    assert len(winners) == 1 and len(losers) == BOOKERS - 1
    for taken in losers:
        assert slot_id not in {s.id for s in taken.next_slots}
        assert taken.next_slots, "the loser is offered other times"
    assert _appointments(uow) == [(slot_id, f"{1000000 + winners[0]}")]
    with uow() as unit:
        booked = unit.session.scalar(
            select(func.count()).where(HistoryEntry.action == "slot_booked")
        )
        assert booked == 1
        assert unit.history.verify().ok
        assert slot_id not in {s.id for s in next_free_slots(unit, clock, "family_work", 50)}


def test_twenty_bookers_of_distinct_slots_all_succeed(platform, uow, clock, setting, engines):
    advisors, slot_ids = setting

    def book(i: int) -> int:
        with engines[i]() as unit:
            booking = Booking(f"{1000000 + i}")
            return book_slot(platform, advisors[i], unit, clock, slot_ids[i], booking)

    outcomes = _race(book)
    assert all(isinstance(o, int) for o in outcomes), outcomes
    assert len(set(outcomes)) == BOOKERS
    assert sorted(_appointments(uow)) == sorted(
        (slot_ids[i], f"{1000000 + i}") for i in range(BOOKERS)
    )
    with uow() as unit:
        booked = unit.session.scalar(
            select(func.count()).where(HistoryEntry.action == "slot_booked")
        )
        assert booked == BOOKERS
        assert unit.history.verify().ok
        left = {s.id for s in next_free_slots(unit, clock, "family_work", 100)}
    assert left.isdisjoint(slot_ids)
    assert len(left) == 2 * 4 * 4 - BOOKERS
