"""Calendar statistics against hand-computed figures, on SQLite and PostgreSQL.

The period is Mon 2.–Sun 8.11.2026 in Finnish time (UTC+2): 1.11. 22.00 – 8.11. 22.00 UTC.
anna (tiimi_a): office 1.5 h, home visit 2 h, documentation 0.75 h, internal 1 h
  (a cancelled office visit does not count): 5.25 h, client 3.5, indirect 0.75.
bertta (tiimi_a and tiimi_b): phone 0.5 h, travel 1 h, documentation 1 h of 2 (it began before
  the period), absence 24 h of 48 (it runs past the period): 26.5 h, client 0.5, indirect 2,
  absence 24.
cecilia (tiimi_b): group session 2 h, internal 1 h, office 1 h on Sunday 23–24 Finnish time (one
  at Monday 0.00 and one the week after do not count): 4 h, client 3.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from sote_flow.domain.errors import InvalidInput, PermissionDenied
from sote_flow.persistence.calendar_models import CalendarEntry
from sote_flow.services.calendar_statistics import StatisticsQuery, calendar_statistics
from tests.support.factories import make_actor, make_groups

SINCE, UNTIL = date(2026, 11, 2), date(2026, 11, 8)


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def people(uow, clock):
    make_groups(uow, "tiimi_a", "tiimi_b")
    people = {
        "anna": make_actor(uow, clock, "anna", ["family_worker"], ["tiimi_a"]),
        "bertta": make_actor(uow, clock, "bertta", ["family_worker"], ["tiimi_a", "tiimi_b"]),
        "cecilia": make_actor(uow, clock, "cecilia", ["family_worker"], ["tiimi_b"]),
        "liisa": make_actor(uow, clock, "liisa", ["team_lead"], ["tiimi_a"]),
        "paavo": make_actor(uow, clock, "paavo", ["service_manager"]),
        "tarja": make_actor(uow, clock, "tarja", ["auditor"]),
        "admin": make_actor(uow, clock, "admin", ["administrator"]),
    }
    rows = [
        ("anna", "office_visit", utc(3, 8), utc(3, 9, 30), False),
        ("anna", "home_visit", utc(4, 10), utc(4, 12), False),
        ("anna", "documentation", utc(4, 12), utc(4, 12, 45), False),
        ("anna", "internal_meeting", utc(5, 7), utc(5, 8), False),
        ("anna", "office_visit", utc(6, 8), utc(6, 9), True),
        ("bertta", "phone_call", utc(3, 9), utc(3, 9, 30), False),
        ("bertta", "travel", utc(3, 9, 30), utc(3, 10, 30), False),
        ("bertta", "documentation", utc(1, 21), utc(1, 23), False),
        ("bertta", "absence", utc(7, 22), utc(9, 22), False),
        ("cecilia", "group_session", utc(4, 8), utc(4, 10), False),
        ("cecilia", "internal_meeting", utc(4, 10), utc(4, 11), False),
        ("cecilia", "office_visit", utc(8, 21), utc(8, 22), False),
        ("cecilia", "office_visit", utc(8, 22), utc(8, 23), False),
        ("cecilia", "office_visit", utc(10, 8), utc(10, 9), False),
    ]
    with uow() as unit:
        for worker, type_key, start, end, cancelled in rows:
            unit.calendar.add_entry(
                CalendarEntry(
                    worker_id=people[worker].user_id,
                    type_key=type_key,
                    starts_at=start,
                    ends_at=end,
                    remote=False,
                    created_by=worker,
                    created_at=utc(1, 0),
                    cancelled_at=utc(2, 0) if cancelled else None,
                    cancelled_by=worker if cancelled else None,
                )
            )
        unit.commit()
    return people


def stats(uow, actor, dimension="type", group=None, since=SINCE, until=UNTIL):
    with uow() as unit:
        return calendar_statistics(actor, unit, StatisticsQuery(since, until, dimension, group))


def figures(f):
    return (f.count, f.hours, f.client_hours, f.indirect_hours, f.absence_hours,
            f.client_share, f.indirect_share)  # fmt: skip


def test_by_type_with_total_and_shares(uow, people):
    view = stats(uow, people["paavo"])
    assert figures(view.total) == (11, 35.75, 7.0, 2.75, 24.0, 59.6, 23.4)
    assert [(r.key, r.title, r.figures.count, r.figures.hours) for r in view.rows] == [
        ("office_visit", "Asiakastapaaminen toimipisteessä", 2, 2.5),
        ("home_visit", "Kotikäynti", 1, 2.0),
        ("phone_call", "Puhelu / puhelinasiointi", 1, 0.5),
        ("group_session", "Ryhmätapaaminen", 1, 2.0),
        ("documentation", "Kirjaaminen", 2, 1.75),
        ("travel", "Matka-aika", 1, 1.0),
        ("internal_meeting", "Sisäinen palaveri", 2, 2.0),
        ("absence", "Poissaolo / loma", 1, 24.0),
    ]
    assert view.types["travel"].client_work == "indirect"
    assert [name for name, _ in view.groups] == ["tiimi_a", "tiimi_b"]


def test_by_worker(uow, people):
    view = stats(uow, people["tarja"], "worker")
    assert [(r.key, figures(r.figures)) for r in view.rows] == [
        ("anna", (4, 5.25, 3.5, 0.75, 0.0, 66.7, 14.3)),
        ("bertta", (4, 26.5, 0.5, 2.0, 24.0, 20.0, 80.0)),
        ("cecilia", (3, 4.0, 3.0, 0.0, 0.0, 75.0, 0.0)),
    ]


def test_by_team_counts_a_member_of_two_teams_in_both(uow, people):
    view = stats(uow, people["admin"], "team")
    assert [(r.key, figures(r.figures)) for r in view.rows] == [
        ("tiimi_a", (8, 31.75, 4.0, 2.75, 24.0, 51.6, 35.5)),
        ("tiimi_b", (7, 30.5, 3.5, 2.0, 24.0, 53.8, 30.8)),
    ]
    assert view.total.count == 11


def test_one_team_only(uow, people):
    view = stats(uow, people["paavo"], "worker", group="tiimi_b")
    assert [r.key for r in view.rows] == ["bertta", "cecilia"]
    assert figures(view.total) == (7, 30.5, 3.5, 2.0, 24.0, 53.8, 30.8)


def test_a_team_lead_sees_only_their_teams(uow, people):
    lead = people["liisa"]
    view = stats(uow, lead, "worker")
    assert [r.key for r in view.rows] == ["anna", "bertta"]
    assert view.total.count == 8
    assert view.groups == [("tiimi_a", "tiimi_a")]
    assert [r.key for r in stats(uow, lead, "team").rows] == ["tiimi_a"]
    with pytest.raises(PermissionDenied):
        stats(uow, lead, group="tiimi_b")


def test_others_may_not_and_periods_are_checked(uow, people):
    with pytest.raises(PermissionDenied):
        stats(uow, people["anna"])
    with pytest.raises(InvalidInput) as refused:
        stats(uow, people["paavo"], since=UNTIL, until=SINCE)
    assert refused.value.errors[0].field == "until"
    with pytest.raises(InvalidInput):
        stats(uow, people["paavo"], since=date(2025, 11, 7), until=UNTIL)  # 367 days
    assert stats(uow, people["paavo"], since=date(2025, 11, 8), until=UNTIL).total.count == 11
    with pytest.raises(InvalidInput) as refused:
        stats(uow, people["paavo"], dimension="client")
    assert refused.value.errors[0].field == "dimension"


def test_an_empty_period_has_no_shares(uow, people):
    view = stats(uow, people["paavo"], since=date(2026, 1, 1), until=date(2026, 1, 31))
    assert view.rows == []
    assert figures(view.total) == (0, 0.0, 0.0, 0.0, 0.0, None, None)
