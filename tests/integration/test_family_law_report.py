"""The family-law report against hand-counted figures, on SQLite and PostgreSQL.

The period is 1.–30.4.2026 in Finnish time (summer time, UTC+3); Good Friday 3.4. and Easter
Monday 6.4. are public holidays. Matters (contact → first meeting, weekdays):
  A digital Rovaniemi huolto+elatus: 2.4. → 7.4. (1: the two holidays skipped), agreement 20.4.,
    closed 22.4. sopimus, feedback 4/5; joint remote meeting at the Rovaniemi office.
  B digital Inari tapaamisoikeus: 31.3. 23.30 (before the period) → 1.4. (1), closed 30.4.
    23.00 sovittelu, feedback 2/3; separate remote meetings with each parent, Rovaniemi office.
  C phone Kemi asuminen+huolto: 9.4. → 17.4. (6), agreement 1.5. 00.30 (after the period);
    an in-person meeting at Kemi, a joint remote one at Tornio (no distance row).
  D phone Utsjoki elatus: 10.4. → 1.5. (after), agreement 15.4., closed 16.4. ohjaus, no
    feedback; a remote meeting on 1.5. (after).
  E digital Sodankylä huolto: March, closed 29.4. olosuhdeselvitys, feedback 3/4.
  F digital, municipality unknown: 28.4. → 30.4. (2); joint remote meeting at Rovaniemi.
  G digital Kittilä huolto: Saturday 11.4. → Monday 13.4. (0), agreement 24.4., closed 27.4.
    sopimus, feedback 1/2; a remote meeting cancelled, an in-person one at Kittilä held.
Distances: Rovaniemi–Rovaniemi 12 km 15 min, Inari–Rovaniemi 330 km 245 min (and an unused one).
Travel avoided: A 2 parents × 2 × 12 = 48 km, 60 min; B 2 × (1 × 2 × 330) = 1320 km, 980 min:
1368 km, 1040 min = 17.3 h; C's Tornio meeting and F's meeting have no distance.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from sote_flow.domain.errors import InvalidInput, PermissionDenied
from sote_flow.family_law.models import TravelDistance
from sote_flow.family_law.report import (
    Feedback,
    MissingDistance,
    family_law_report,
)
from sote_flow.persistence.models import AccessLogEntry
from tests.support.factories import make_actor
from tests.support.family_law_rows import FamilyLawRows, helsinki, without_seeded_distances

SINCE, UNTIL = date(2026, 4, 1), date(2026, 4, 30)


@pytest.fixture
def people(uow, clock, database_url):
    without_seeded_distances(database_url)
    return {
        "valvoja": make_actor(uow, clock, "valvoja", ["child_welfare_officer"]),
        "paallikko": make_actor(uow, clock, "paallikko", ["service_manager"]),
        "tarja": make_actor(uow, clock, "tarja", ["auditor"]),
        "liisa": make_actor(uow, clock, "liisa", ["team_lead"]),
        "perhe": make_actor(uow, clock, "perhe", ["family_worker"]),
    }


@pytest.fixture
def matters(uow, people):
    with uow() as unit:
        rows = FamilyLawRows(unit, people["valvoja"].user_id)
        a = rows.matter(
            "digital",
            "Rovaniemi",
            "huolto,elatus",
            helsinki(4, 2),
            first_meeting_at=helsinki(4, 7),
            agreement_confirmed_at=helsinki(4, 20),
            outcome="sopimus",
            closed_at=helsinki(4, 22),
            workload=4,
            smoothness=5,
        )
        b = rows.matter(
            "digital",
            "Inari",
            "tapaamisoikeus",
            helsinki(3, 31, 23, 30),
            first_meeting_at=helsinki(4, 1),
            outcome="sovittelu",
            closed_at=helsinki(4, 30, 23),
            workload=2,
            smoothness=3,
        )
        c = rows.matter(
            "phone",
            "Kemi",
            "asuminen,huolto",
            helsinki(4, 9),
            first_meeting_at=helsinki(4, 17),
            agreement_confirmed_at=helsinki(5, 1, 0, 30),
        )
        d = rows.matter(
            "phone",
            "Utsjoki",
            "elatus",
            helsinki(4, 10),
            first_meeting_at=helsinki(5, 1, 0, 30),
            agreement_confirmed_at=helsinki(4, 15),
            outcome="ohjaus",
            closed_at=helsinki(4, 16),
        )
        rows.matter(
            "digital",
            "Sodankylä",
            "huolto",
            helsinki(3, 2),
            first_meeting_at=helsinki(3, 10),
            outcome="olosuhdeselvitys",
            closed_at=helsinki(4, 29),
            workload=3,
            smoothness=4,
        )
        f = rows.matter("digital", None, "", helsinki(4, 28), first_meeting_at=helsinki(4, 30))
        g = rows.matter(
            "digital",
            "Kittilä",
            "huolto",
            helsinki(4, 11),
            first_meeting_at=helsinki(4, 13),
            agreement_confirmed_at=helsinki(4, 24),
            outcome="sopimus",
            closed_at=helsinki(4, 27),
            workload=1,
            smoothness=2,
        )
        rows.meeting(a, helsinki(4, 7), 0, "eta", "Rovaniemi")
        rows.meeting(b, helsinki(4, 1, 9), 1, "eta", "Rovaniemi")
        rows.meeting(b, helsinki(4, 2, 9), 2, "eta", "Rovaniemi")
        rows.meeting(c, helsinki(4, 17), 0, "lahi", "Kemi")
        rows.meeting(c, helsinki(4, 20), 0, "eta", "Tornio")
        rows.meeting(d, helsinki(5, 1, 0, 30), 0, "eta", "Rovaniemi")
        rows.meeting(f, helsinki(4, 30), 0, "eta", "Rovaniemi")
        rows.meeting(g, helsinki(4, 13, 9), 0, "eta", "Kittilä", cancelled=True)
        rows.meeting(g, helsinki(4, 13, 13), 0, "lahi", "Kittilä")
        rows.distance("Rovaniemi", "Rovaniemi", 12, 15)
        rows.distance("Inari", "Rovaniemi", 330, 245)
        rows.distance("Kemi", "Kemi", 8, 12)
        unit.commit()


def report(uow, clock, actor, since=SINCE, until=UNTIL):
    with uow() as unit:
        return family_law_report(actor, unit, clock, since, until)


def test_every_measure_counts_as_hand_counted(uow, clock, people, matters):
    view = report(uow, clock, people["paallikko"])
    assert (view.since, view.until) == (SINCE, UNTIL)
    assert view.channels == {"digital": 3, "phone": 2}
    assert view.digital_share == 60.0
    assert view.meetings == {"eta": 5, "lahi": 2}
    assert view.remote_share == 71.4
    first = view.first_meeting
    assert (first.count, first.median, first.p90) == (5, 1.0, 4.4)
    assert view.agreements == {"huolto": 2, "asuminen": 0, "tapaamisoikeus": 0, "elatus": 2}
    assert view.agreements_total == 3
    assert view.outcomes == {"sopimus": 2, "sovittelu": 1, "ohjaus": 1, "olosuhdeselvitys": 1}
    assert view.feedback == Feedback(count=4, workload=2.5, smoothness=3.5)


def test_travel_avoided_counts_parents_and_shows_missing_distances(uow, clock, people, matters):
    travel = report(uow, clock, people["tarja"]).travel
    assert (travel.km, travel.minutes, travel.hours) == (1368, 1040, 17.3)
    assert travel.missing == [
        MissingDistance("Kemi", "Tornio", 1),
        MissingDistance(None, "Rovaniemi", 1),
    ]
    assert travel.missing_meetings == 2


def test_a_distance_added_later_counts_at_once(uow, clock, people, matters):
    with uow() as unit:
        unit.session.add(TravelDistance(municipality="Kemi", office="Tornio", km=25, minutes=20))
        unit.commit()
    travel = report(uow, clock, people["liisa"]).travel
    assert (travel.km, travel.minutes, travel.missing_meetings) == (1368 + 100, 1040 + 80, 1)


def test_an_empty_period_has_zeros_and_no_averages(uow, clock, people, matters):
    view = report(uow, clock, people["paallikko"], date(2025, 1, 1), date(2025, 1, 31))
    assert view.channels == {"digital": 0, "phone": 0}
    assert view.digital_share is None and view.remote_share is None
    assert (view.first_meeting.count, view.first_meeting.median) == (0, None)
    assert view.agreements_total == 0
    assert view.feedback == Feedback(0, None, None)
    assert (view.travel.km, view.travel.hours, view.travel.missing) == (0, 0.0, [])


def test_the_read_is_logged_without_client_data(uow, clock, people, matters):
    report(uow, clock, people["paallikko"])
    with uow() as unit:
        entries = unit.session.scalars(
            select(AccessLogEntry).where(AccessLogEntry.object_type == "family_law_report")
        ).all()
    assert [(e.username, e.object_id, e.instance_id) for e in entries] == [
        ("paallikko", "2026-04-01/2026-04-30", None)
    ]


def test_a_family_worker_and_an_officer_are_refused(uow, clock, people):
    for name in ("perhe", "valvoja"):
        with pytest.raises(PermissionDenied):
            report(uow, clock, people[name])


@pytest.mark.parametrize(
    ("since", "until", "words"),
    [
        (date(2026, 4, 30), date(2026, 4, 1), "ennen Alkaen"),
        (date(2024, 4, 29), date(2026, 4, 30), "enintään 731 päivää"),
    ],
)
def test_a_backwards_or_too_long_period_is_refused_by_field(
    uow, clock, people, since, until, words
):
    with pytest.raises(InvalidInput) as refused:
        report(uow, clock, people["paallikko"], since, until)
    assert [e.field for e in refused.value.errors] == ["until"]
    assert words in refused.value.errors[0].message


def test_two_years_is_allowed(uow, clock, people):
    view = report(uow, clock, people["paallikko"], date(2024, 4, 30), date(2026, 4, 30))
    assert view.channels == {"digital": 0, "phone": 0}
