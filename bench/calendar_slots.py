"""Benchmark: the next free first-visit slots, and booking one, with 200 workers' full year.

200 workers of one service (family work), each with a year (2027) of calendar entries, about
2,500 apiece and 500,000 in all: client meetings, home visits, calls, documentation, travel,
internal meetings, a summer leave, sick and training days, a few cancelled entries; and the
first-visit slots of two weekly patterns each (public holidays skipped), written straight into
the tables. Slots are booked (an appointment entry holding the slot) the more often the nearer
they are: most of the next two weeks, half of the next six, few after that. The clock stands
at Wednesday 2 June 2027, 10:55 Finnish time. Times `next_free_slots` of the service and
`book_slot` of distinct free slots. Targets: next free slots median <= 30 ms on PostgreSQL,
booking median <= 10 ms.

On PostgreSQL, when a target is missed, the slowest statements of the slow call are shown with
EXPLAIN ANALYZE. `--explain` shows them anyway; `--only=SQLite` or `--only=PostgreSQL` runs one.
"""

from __future__ import annotations

import random
import sys
import time as timer
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, insert, select, text
from sqlalchemy.orm import Session

from _common import databases, median_ms, p90_ms, timed
from sote_flow.domain.calendar import WeeklyPattern, pattern_slots
from sote_flow.domain.clock import FrozenClock
from sote_flow.domain.weekdays import FINNISH_TIME, is_weekday
from sote_flow.persistence.calendar_models import CalendarEntry, FirstVisitSlot, SlotPattern
from sote_flow.persistence.models import User
from sote_flow.services.calendar_slots import Booking, book_slot, next_free_slots
from tests.support.factories import make_actor, make_groups, make_platform, make_uow_factory

WORKERS = 200
SERVICE = "family_work"
YEAR = 2027
NOW = datetime(2027, 6, 2, 10, 55, tzinfo=FINNISH_TIME).astimezone(UTC)
RUNS = 50
BOOKINGS = 50
NEXT_TARGET_MS = 30.0
BOOK_TARGET_MS = 10.0
TIME_LIMIT = 600.0  # seconds for the whole bench; measuring stops early past it
CHUNK = 20_000
CLIENT_TYPES = ("office_visit", "home_visit", "phone_call", "remote_meeting", "network_meeting",
                "child_hearing", "group_session")  # fmt: skip
OTHER_TYPES = ("documentation", "documentation", "preparation", "travel", "consultation",
               "internal_meeting")  # fmt: skip
DURATIONS = (15, 15, 30, 30, 30, 45, 60, 90)
STARTED = timer.monotonic()


@dataclass
class Seed:
    """The rows to write, the same for every database."""

    users: list[dict[str, Any]]
    patterns: list[dict[str, Any]]
    slots: list[dict[str, Any]]
    entries: list[dict[str, Any]]


def local(day: date, minutes: int) -> datetime:
    """Finnish wall-clock `minutes` after midnight of `day`, as UTC."""
    return datetime.combine(day, time(minutes // 60, minutes % 60), FINNISH_TIME).astimezone(UTC)


def booking_chance(starts_at: datetime) -> float:
    days = (starts_at - NOW).total_seconds() / 86400
    if days < 0:
        return 0.8
    if days < 14:
        return 0.9
    if days < 42:
        return 0.5
    if days < 90:
        return 0.15
    return 0.03


def generate() -> Seed:
    """Build every row: 200 workers, their patterns, slots and a year of entries."""
    rng = random.Random(2027)
    first, last = date(YEAR, 1, 1), date(YEAR, 12, 31)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    users, patterns, slots, entries = [], [], [], []
    slot_id = 0
    client = 1_000_000
    for w in range(WORKERS):
        user_id = 1000 + w
        users.append({"id": user_id, "username": f"tt{w:03d}", "display_name": f"Työntekijä {w}",
                      "email": None, "password_hash": "-", "active": True,
                      "created_at": NOW - timedelta(days=400)})  # fmt: skip
        # Absences: four weeks of summer leave, a few sick days (some of them this week), training.
        leave = date(YEAR, 6, 14) + timedelta(days=7 * rng.randint(0, 7))
        absent: dict[date, str] = {leave + timedelta(days=i): "leave" for i in range(28)}
        for _ in range(rng.randint(2, 5)):
            sick = rng.choice(days)
            absent.update({sick + timedelta(days=i): "sick" for i in range(rng.randint(1, 3))})
        if w % 20 == 0:  # 5 % of the workers are off sick this week
            absent.update({date(YEAR, 6, 1) + timedelta(days=i): "sick" for i in range(4)})
        for _ in range(2):
            absent[rng.choice(days)] = "training"
        for reason, span in _spans(absent):
            until = local(span[-1] + timedelta(days=1), 0)
            entries.append(
                _entry(user_id, "absence", local(span[0], 0), until, absence_reason=reason)
            )
        # Two weekly patterns: a morning of 45-minute and an afternoon of 60-minute slots.
        morning = 8 * 60 + 30 + 15 * (w % 3)
        offers = [
            WeeklyPattern(w % 5, time(morning // 60, morning % 60),
                          time(morning // 60 + 3, morning % 60), 45, first, last),
            WeeklyPattern((w + 2) % 5, time(13), time(15), 60, first, last),
        ]  # fmt: skip
        windows: dict[date, list[tuple[int, int]]] = {}
        for pattern in offers:
            pattern_id = len(patterns) + 1
            patterns.append({"id": pattern_id, "worker_id": user_id, "service_key": SERVICE,
                             "weekday": pattern.weekday, "day_start": f"{pattern.day_start:%H:%M}",
                             "day_end": f"{pattern.day_end:%H:%M}",
                             "slot_minutes": pattern.slot_minutes, "valid_from": first,
                             "valid_until": last, "on_holidays": False, "place": "Perhekeskus",
                             "remote": False, "created_by": f"tt{w:03d}",
                             "created_at": NOW - timedelta(days=200)})  # fmt: skip
            for starts_at, ends_at in pattern_slots(pattern):
                slot_id += 1
                remote = rng.random() < 0.2
                slots.append({"id": slot_id, "worker_id": user_id, "service_key": SERVICE,
                              "starts_at": starts_at, "ends_at": ends_at,
                              "place": None if remote else "Perhekeskus", "remote": remote,
                              "pattern_id": pattern_id, "withdrawn_at": None})  # fmt: skip
                day = starts_at.astimezone(FINNISH_TIME).date()
                start_minute = _minute(starts_at)
                windows.setdefault(day, []).append((start_minute, _minute(ends_at)))
                if day in absent or rng.random() >= booking_chance(starts_at):
                    continue
                client += 1
                entries.append(_entry(
                    user_id, "remote_meeting" if remote else "office_visit", starts_at, ends_at,
                    place=None if remote else "Perhekeskus", remote=remote,
                    client_number=str(client), service_key=SERVICE, slot_id=slot_id,
                    client_email=f"asiakas{client}@example.fi" if starts_at > NOW else None,
                ))  # fmt: skip
        # The rest of each working day, 8:00–16:30, around the slot times.
        for day in days:
            if not is_weekday(day) or day in absent:
                continue
            blocked = sorted(windows.get(day, []))
            minute = 8 * 60 + rng.choice((0, 0, 15, 30))
            while True:
                length = rng.choice(DURATIONS)
                clash = next((b for b in blocked if minute < b[1] and minute + length > b[0]), None)
                if clash is not None:
                    minute = clash[1]
                    continue
                if minute + length > 16 * 60 + 30:
                    break
                if rng.random() < 0.55:
                    client += 1
                    kind, number = rng.choice(CLIENT_TYPES), str(client - rng.randint(0, 5000))
                else:
                    kind, number = rng.choice(OTHER_TYPES), None
                entries.append(_entry(
                    user_id, kind, local(day, minute), local(day, minute + length),
                    client_number=number, cancelled=rng.random() < 0.03,
                    place="Kotikatu 1" if kind == "home_visit" else None,
                    remote=kind == "remote_meeting",
                ))  # fmt: skip
                minute += length + rng.choice((0, 0, 0, 0, 0, 15))
    return Seed(users, patterns, slots, entries)


def _spans(absent: dict[date, str]) -> Iterator[tuple[str, list[date]]]:
    # Consecutive days of one reason make one absence entry.
    span: list[date] = []
    reason = ""
    for day in sorted(absent):
        if span and (day - span[-1] != timedelta(days=1) or absent[day] != reason):
            yield reason, span
            span = []
        reason = absent[day]
        span.append(day)
    if span:
        yield reason, span


def _minute(at: datetime) -> int:
    finnish = at.astimezone(FINNISH_TIME)
    return finnish.hour * 60 + finnish.minute


def _entry(
    worker_id: int,
    type_key: str,
    starts_at: datetime,
    ends_at: datetime,
    *,
    place: str | None = None,
    remote: bool = False,
    client_number: str | None = None,
    service_key: str | None = None,
    slot_id: int | None = None,
    client_email: str | None = None,
    absence_reason: str | None = None,
    cancelled: bool = False,
) -> dict[str, Any]:
    created = min(starts_at, NOW) - timedelta(days=10)
    return {
        "worker_id": worker_id, "type_key": type_key, "starts_at": starts_at,
        "ends_at": ends_at, "place": place, "remote": remote, "client_number": client_number,
        "case_instance_id": None, "service_key": service_key, "slot_id": slot_id,
        "client_email": client_email, "absence_reason": absence_reason, "displaced_by_id": None,
        "created_by": "bench", "created_at": created,
        "cancelled_at": created + timedelta(days=1) if cancelled else None,
        "cancelled_by": "bench" if cancelled else None,
    }  # fmt: skip


def _copy(session: Session, rows: Seed) -> None:
    # PostgreSQL: COPY is many times faster than INSERT for half a million rows.
    connection = session.connection().connection.dbapi_connection
    assert connection is not None
    with connection.cursor() as cursor:  # type: ignore[attr-defined]
        for table, data in (("first_visit_slots", rows.slots), ("calendar_entries", rows.entries)):
            columns = list(data[0])
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in data:
                    copy.write_row([row[c] for c in columns])
        # The rows came with their ids: move the sequences past them for the bookings.
        for name in ("users", "slot_patterns", "first_visit_slots", "calendar_entries"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), max(id)) FROM {name}"
            )


def seed(url: str, rows: Seed):  # type: ignore[no-untyped-def]
    platform, uow = make_platform(url), make_uow_factory(url)
    clock = FrozenClock(NOW)
    make_groups(uow, "neuvonta")
    advisor = make_actor(uow, clock, "neuvoja", ["client_advisor"], ["neuvonta"])
    with uow() as unit:
        session = unit.session
        session.execute(insert(User), rows.users)
        session.execute(insert(SlotPattern), rows.patterns)
        if url.startswith("postgresql"):
            session.flush()
            _copy(session, rows)
        else:
            for model, table in ((FirstVisitSlot, rows.slots), (CalendarEntry, rows.entries)):
                for start in range(0, len(table), CHUNK):
                    session.execute(insert(model), table[start : start + CHUNK])
        unit.commit()
    if url.startswith("postgresql"):
        # As autovacuum would have by then on a live server: statistics and the visibility map.
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("VACUUM ANALYZE"))
        engine.dispose()
    else:
        engine = create_engine(url)
        with engine.connect() as connection:
            connection.execute(text("ANALYZE"))
        engine.dispose()
    return platform, uow, clock, advisor


@contextmanager
def captured(engine: Engine) -> Iterator[list[tuple[str, Any, float]]]:
    """Record (statement, parameters, seconds) of every statement run on the engine."""
    statements: list[tuple[str, Any, float]] = []

    def before(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        conn.info["bench_started"] = timer.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        took = timer.perf_counter() - conn.info.pop("bench_started", timer.perf_counter())
        statements.append((statement, parameters, took))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def explain(url: str, statements: list[tuple[str, Any, float]], top: int = 3) -> None:
    """Print EXPLAIN ANALYZE of the slowest selects (PostgreSQL)."""
    engine = create_engine(url)
    with engine.connect() as connection:
        selects = [s for s in statements if s[0].lstrip().upper().startswith("SELECT")]
        for statement, parameters, took in sorted(selects, key=lambda s: -s[2])[:top]:
            print(f"    --- {took * 1000:.2f} ms: {' '.join(statement.split())[:160]}")
            plan = connection.exec_driver_sql(
                "EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters
            ).all()
            for (line,) in plan:
                print(f"      {line}")
        connection.rollback()
    engine.dispose()


def over_time() -> bool:
    return timer.monotonic() - STARTED > TIME_LIMIT


def measure(label: str, url: str, rows: Seed, show_plans: bool) -> None:
    started = timer.perf_counter()
    platform, uow, clock, advisor = seed(url, rows)
    print(f"  {label:<11} seeded in {timer.perf_counter() - started:5.1f} s")
    with uow() as unit:
        counted = {
            "calendar_entries": unit.session.scalar(select(func.count(CalendarEntry.id))),
            "first_visit_slots": unit.session.scalar(select(func.count(FirstVisitSlot.id))),
            "booked slots": unit.session.scalar(
                select(func.count(CalendarEntry.id)).where(CalendarEntry.slot_id.is_not(None))
            ),
        }
    print("  " + " " * 12 + ", ".join(f"{name} {count:,}" for name, count in counted.items()))

    def next_slots() -> None:
        with uow() as unit:
            found = next_free_slots(unit, clock, SERVICE)
        assert len(found) == 10 and found[0].starts_at > NOW

    next_slots()  # warm the connection pool and caches
    samples: list[float] = []
    while len(samples) < RUNS and not over_time():
        samples.append(timed(next_slots))
    _report(label, "next free slots", samples, NEXT_TARGET_MS if label == "PostgreSQL" else None)
    with uow() as unit:
        engine = unit.session.get_bind()
        assert isinstance(engine, Engine)
        with captured(engine) as statements:
            free = next_free_slots(unit, clock, SERVICE, limit=BOOKINGS)
    rounds = sum("first_visit_slots" in s[0] and "NOT (EXISTS" in s[0] for s in statements)
    print(
        f"  {label:<11} {len(statements)} statements, {rounds} rounds of candidate slots for "
        f"{len(free)} free ones; first {free[0].starts_at.astimezone(FINNISH_TIME):%d.%m. %H:%M}"
    )
    if url.startswith("postgresql") and (show_plans or median_ms(samples) > NEXT_TARGET_MS):
        with uow() as unit, captured(engine) as statements:
            next_free_slots(unit, clock, SERVICE)
        explain(url, statements)

    booking_samples: list[float] = []
    book_statements: list[tuple[str, Any, float]] = []
    for i, slot in enumerate(free[:BOOKINGS]):
        if over_time():
            break
        booking = Booking(f"{9_000_000 + i}", client_email="asiakas@example.fi" if i % 2 else "")

        def book(slot_id: int = slot.id, booking: Booking = booking) -> None:
            with uow() as unit:
                book_slot(platform, advisor, unit, clock, slot_id, booking)

        if i == 0:
            with captured(engine) as book_statements:
                booking_samples.append(timed(book))
        else:
            booking_samples.append(timed(book))
    _report(label, "book a slot", booking_samples, BOOK_TARGET_MS)
    if url.startswith("postgresql") and (show_plans or median_ms(booking_samples) > BOOK_TARGET_MS):
        explain(url, book_statements)


def _report(label: str, name: str, samples: list[float], target: float | None) -> None:
    if len(samples) < 2:
        print(f"  {label:<11} {name}: too few runs before the time limit")
        return
    median = median_ms(samples)
    versus = f", {median / target:4.2f} x the target {target:.0f} ms" if target else ""
    print(
        f"  {label:<11} {name:<16}: median {median:6.2f} ms, p90 {p90_ms(samples):6.2f} ms "
        f"over {len(samples)} runs{versus}"
    )


def main() -> None:
    show_plans = "--explain" in sys.argv[1:]
    only = [a.removeprefix("--only=") for a in sys.argv[1:] if a.startswith("--only=")]
    started = timer.perf_counter()
    rows = generate()
    print(
        f"calendar slots, {WORKERS} workers of one service, {len(rows.entries):,} entries and "
        f"{len(rows.slots):,} first-visit slots in {YEAR} (generated in "
        f"{timer.perf_counter() - started:.1f} s); clock {NOW:%Y-%m-%d %H:%M} UTC"
    )
    with databases() as urls:
        for label, url in urls:
            if not only or label in only:
                measure(label, url, rows, show_plans)


if __name__ == "__main__":
    main()
