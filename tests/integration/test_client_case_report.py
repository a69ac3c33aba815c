"""The client-case municipality report against hand-counted figures, on SQLite and PostgreSQL.

The period is 1.4.–30.6.2026; the clock stands at 23.11.2026. Prices (cents): asiakastapaaminen
per event 8000 until 30.4., 9000 from 1.5.; neuvottelu 7000 per hour; kotikaynti per case day
15000 until 30.4., 16000 from 1.5.; puhelu per event 1200 from 1.5. only; koulutus 4000 per
hour; lausunto has no product. Cases: c1 Rovaniemi perhetyo, c2 Rovaniemi kotipalvelu, c3 Kemi
perhetyo. Confirmed events in the period (worker, minutes → cost in cents):
  Rovaniemi asiakastapaaminen: c1 anna 10.4. 60 → 8000, c1 anna 4.5. 45 → 9000,
    c2 ben 20.5. 30 → 9000: 3 events, 135 min, 26000.
  Rovaniemi neuvottelu: c1 anna 90 → 10500, c2 ben 25 → 2916.67: 115 min → 13416.67 → 13417.
  Rovaniemi kotikaynti: c1 anna and ben both on 20.4. (one day, 15000, to anna: first
    alphabetically), c1 anna 5.5. (16000): 3 events, 135 min, 2 days, 31000.
  Rovaniemi: 8 events, 385 min, 70416.67 → 70417.
  Kemi puhelu: c3 ben 22.4. 15 (no price yet: unpriced), 12.5. 10 → 1200.
  Kemi lausunto: c3 ben 10.6. 120 min (no product: unpriced, no cost at all).
  Kemi: 3 events, 145 min, 1200, 2 unpriced.
  No municipality: anna koulutus 15.6. 240 min → 16000.
  Total: 12 events, 770 min (12.83 h), 87616.67 → 87617, 2 unpriced.
Left out: a suggested and a dismissed event in May, confirmed ones on 31.3. and 1.7.
Services: kotipalvelu 2 events, 55 min, 11916.67 → 11917; perhetyo 9 events, 475 min, 59700,
2 unpriced; none 1 event, 16000. Workers: anna 6 events, 540 min, 74500; ben 6 events, 230 min,
13116.67 → 13117 (the shared kotikaynti day is anna's), 2 unpriced.
Clocks (last day allowed → stopped): arvio_alkaa c1 10.4. → 8.4. (within), c2 29.4. → 4.5.
(late), c3 31.3. → 2.4. (late: stopped in the period); arvio_valmis c1 due 1.7. (not counted);
toimeenpano c2 1.6. → running (late, kesken), c3 15.6. → 10.7. (late: open at the period's
end), c1 1.4. → 25.3. (stopped before the period: not counted); kiireellinen c1 11.5. → 11.5.
(within); a service-order clock stopped in the period is not counted.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from sote_flow.client_case.report import CLOCKS, Figures, LateClock, municipality_report
from sote_flow.domain.errors import InvalidInput, PermissionDenied
from sote_flow.persistence.models import AccessLogEntry
from tests.support.client_case_rows import ClientCaseRows, spring_quarter
from tests.support.factories import make_actor
from tests.support.paths import PROCESSES

SINCE, UNTIL = date(2026, 4, 1), date(2026, 6, 30)


@pytest.fixture
def people(uow, clock):
    return {
        "paallikko": make_actor(uow, clock, "paallikko", ["service_manager"]),
        "liisa": make_actor(uow, clock, "liisa", ["team_lead"]),
        "tarja": make_actor(uow, clock, "tarja", ["auditor"]),
        "paavo": make_actor(uow, clock, "paavo", ["administrator"]),
        "sanna": make_actor(uow, clock, "sanna", ["social_worker"]),
        "perhe": make_actor(uow, clock, "perhe", ["family_worker"]),
    }


@pytest.fixture
def cases(uow):
    with uow() as unit:
        ids = spring_quarter(unit).ids
        unit.commit()
    return ids


def report(uow, clock, actor, since=SINCE, until=UNTIL, municipality=None):
    with uow() as unit:
        return municipality_report(actor, unit, clock, since, until, municipality)


def seen(f: Figures):
    return f.events, f.minutes, f.cost_cents, f.unpriced


def test_products_per_municipality_are_counted_and_priced_by_day(uow, clock, people, cases):
    view = report(uow, clock, people["paallikko"])
    assert [row.municipality for row in view.municipalities] == ["Kemi", "Rovaniemi", None]
    kemi, rovaniemi, nobody = view.municipalities
    lines = {line.event_type: line for line in rovaniemi.products}
    assert list(lines) == ["asiakastapaaminen", "kotikaynti", "neuvottelu"]  # as in events.py
    visit, home, meeting = lines.values()
    assert (visit.unit, visit.units, seen(visit.figures)) == ("kaynti", 3, (3, 135, 26000, 0))
    assert visit.figures.hours == 2.25
    assert (meeting.unit, meeting.units, seen(meeting.figures)) == (
        "tunti",
        1.92,
        (2, 115, 13417, 0),
    )
    assert (home.unit, home.units, seen(home.figures)) == ("paiva", 2, (3, 135, 31000, 0))
    assert seen(rovaniemi.total) == (8, 385, 70417, 0)
    calls, statement = kemi.products
    assert (calls.name, calls.units, seen(calls.figures)) == ("Puhelu", 2, (2, 25, 1200, 1))
    assert (statement.event_type, statement.name, statement.unit) == ("lausunto", None, None)
    assert (statement.units, seen(statement.figures)) == (None, (1, 120, None, 1))
    assert statement.figures.hours == 2.0
    assert seen(kemi.total) == (3, 145, 1200, 2)
    assert [(p.event_type, p.units, seen(p.figures)) for p in nobody.products] == [
        ("koulutus", 4.0, (1, 240, 16000, 0))
    ]
    assert seen(view.total) == (12, 770, 87617, 2)
    assert view.total.hours == 12.83


def test_services_and_workers_add_up_to_the_total(uow, clock, people, cases):
    view = report(uow, clock, people["tarja"])
    assert [(row.key, seen(row.figures)) for row in view.services] == [
        ("kotipalvelu", (2, 55, 11917, 0)),
        ("perhetyo", (9, 475, 59700, 2)),
        (None, (1, 240, 16000, 0)),
    ]
    assert [(row.key, seen(row.figures)) for row in view.workers] == [
        ("anna", (6, 540, 74500, 0)),
        ("ben", (6, 230, 13117, 2)),
    ]
    for rows in (view.services, view.workers):
        assert sum((row.figures for row in rows), Figures()) == view.total


def test_legal_clocks_ended_or_due_in_the_period(uow, clock, people, cases):
    view = report(uow, clock, people["liisa"])
    assert [(c.key, c.counted, c.within, c.late, c.share_within) for c in view.clocks] == [
        ("arvio_alkaa", 3, 1, 2, 33.3),
        ("arvio_valmis", 0, 0, 0, None),
        ("toimeenpano", 2, 0, 2, 0.0),
        ("kiireellinen", 1, 1, 0, 100.0),
    ]
    assert view.clocks[0].law == "SHL 36 §" and view.clocks[0].limit == "7 arkipäivää"
    c1, c2, c3 = cases["c1"], cases["c2"], cases["c3"]
    assert view.late == [
        LateClock(c3, "AS-2026-0003", "arvio_alkaa", date(2026, 3, 31), date(2026, 4, 2)),
        LateClock(c2, "AS-2026-0002", "arvio_alkaa", date(2026, 4, 29), date(2026, 5, 4)),
        LateClock(c2, "AS-2026-0002", "toimeenpano", date(2026, 6, 1), None),
        LateClock(c3, "AS-2026-0003", "toimeenpano", date(2026, 6, 15), date(2026, 7, 10)),
    ]
    assert view.late_count == 4 and c1 not in {late.instance_id for late in view.late}


def test_a_running_clock_is_late_only_after_its_last_day(uow, clock, people):
    # The clock stands at Monday 23.11.2026.
    with uow() as unit:
        rows = ClientCaseRows(unit)
        case = rows.case("AS-2026-0009", "Kemi", "perhetyo")
        other = rows.case("AS-2026-0010", "Kemi", "perhetyo")
        rows.clock(case, "arvio_alkaa", date(2026, 11, 10), date(2026, 11, 20), None)
        rows.clock(other, "arvio_alkaa", date(2026, 11, 13), date(2026, 11, 23), None)
        unit.commit()
    view = report(uow, clock, people["paallikko"], date(2026, 11, 1), date(2026, 11, 30))
    assert (view.clocks[0].counted, view.clocks[0].within) == (1, 0)
    assert [late.case_number for late in view.late] == ["AS-2026-0009"]


def test_one_municipality_narrows_every_table(uow, clock, people, cases):
    view = report(uow, clock, people["paallikko"], municipality=" Kemi ")
    assert view.municipality == "Kemi"
    assert [row.municipality for row in view.municipalities] == ["Kemi"]
    assert seen(view.total) == (3, 145, 1200, 2)
    assert [(row.key, seen(row.figures)) for row in view.services] == [
        ("perhetyo", (3, 145, 1200, 2))
    ]
    assert [row.key for row in view.workers] == ["ben"]
    assert [(c.key, c.counted, c.within) for c in view.clocks if c.counted] == [
        ("arvio_alkaa", 1, 0),
        ("toimeenpano", 1, 0),
    ]
    assert [late.case_number for late in view.late] == ["AS-2026-0003", "AS-2026-0003"]


def test_an_empty_period_has_no_rows_and_zero_totals(uow, clock, people, cases):
    view = report(uow, clock, people["paavo"], date(2025, 1, 1), date(2025, 1, 31))
    assert (view.municipalities, view.services, view.workers, view.late) == ([], [], [], [])
    assert seen(view.total) == (0, 0, 0, 0)
    assert [c.counted for c in view.clocks] == [0, 0, 0, 0]


def test_the_read_is_logged_without_client_data(uow, clock, people, cases):
    report(uow, clock, people["paallikko"])
    report(uow, clock, people["tarja"], municipality="Kemi")
    with uow() as unit:
        entries = unit.session.scalars(
            select(AccessLogEntry)
            .where(AccessLogEntry.object_type == "client_case_report")
            .order_by(AccessLogEntry.id)
        ).all()
    assert [(e.username, e.object_id, e.instance_id, e.purpose) for e in entries] == [
        ("paallikko", "2026-04-01/2026-06-30", None, "asiakasasian käsittely"),
        ("tarja", "2026-04-01/2026-06-30/Kemi", None, "valvonta"),
    ]


def test_workers_are_refused(uow, clock, people, cases):
    for name in ("sanna", "perhe"):
        with pytest.raises(PermissionDenied):
            report(uow, clock, people[name])


@pytest.mark.parametrize(
    ("since", "until", "words"),
    [
        (date(2026, 6, 30), date(2026, 4, 1), "ennen Alkaen"),
        (date(2024, 6, 29), date(2026, 6, 30), "enintään 731 päivää"),
    ],
)
def test_a_backwards_or_too_long_period_is_refused_by_field(
    uow, clock, people, since, until, words
):
    with pytest.raises(InvalidInput) as refused:
        report(uow, clock, people["paallikko"], since, until)
    assert [e.field for e in refused.value.errors] == ["until"]
    assert words in refused.value.errors[0].message


def test_the_clocks_named_are_the_diagrams():
    declared = re.search(
        r'name="caseClocks" value=\'([^\']*)\'', (PROCESSES / "client_case.bpmn").read_text()
    )
    assert declared is not None
    clocks = [part.strip().split("|") for part in declared.group(1).split(";")]
    assert [(c[0].split("=")[0], c[0].split("=")[1], c[2]) for c in clocks] == [
        (key, name, law) for key, (name, _, law) in CLOCKS.items()
    ]
