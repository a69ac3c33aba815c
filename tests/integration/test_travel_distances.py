"""Travel distances kept by the administrator: add, change (the pair is the key), remove."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sote_flow.domain.errors import InvalidInput, NotFound, PermissionDenied
from sote_flow.family_law.distances import (
    DistanceRow,
    delete_distance,
    save_distance,
    travel_distances,
)
from sote_flow.family_law.municipalities import LAPLAND_MUNICIPALITIES
from sote_flow.persistence.models import HistoryEntry
from tests.support.factories import make_actor
from tests.support.family_law_rows import without_seeded_distances


@pytest.fixture
def people(uow, clock, database_url):
    without_seeded_distances(database_url)
    return {
        "paavo": make_actor(uow, clock, "paavo", ["administrator"]),
        "tarja": make_actor(uow, clock, "tarja", ["auditor"]),
        "paallikko": make_actor(uow, clock, "paallikko", ["service_manager"]),
        "perhe": make_actor(uow, clock, "perhe", ["family_worker"]),
    }


def save(uow, clock, actor, municipality, office, km, minutes):
    with uow() as unit:
        return save_distance(actor, unit, clock, municipality, office, km, minutes)


def listed(uow, actor):
    with uow() as unit:
        return travel_distances(actor, unit)


def history(uow, action):
    with uow() as unit:
        entries = unit.session.scalars(
            select(HistoryEntry).where(HistoryEntry.action == action).order_by(HistoryEntry.id)
        ).all()
        return [(e.actor, e.data) for e in entries]


def test_the_lapland_list_keeps_the_reference_order():
    assert len(LAPLAND_MUNICIPALITIES) == 21
    assert LAPLAND_MUNICIPALITIES[:3] == ("Enontekiö", "Inari", "Kemi")
    assert LAPLAND_MUNICIPALITIES[-3:] == ("Tornio", "Utsjoki", "Ylitornio")


def test_save_adds_then_changes_the_same_pair(uow, clock, people):
    admin = people["paavo"]
    assert save(uow, clock, admin, "Utsjoki", "Rovaniemi", "450", "330") is True
    assert save(uow, clock, admin, " Inari ", "Rovaniemi", 330, 245) is True
    assert save(uow, clock, admin, "Utsjoki", "Rovaniemi", 445, "325") is False
    rows = listed(uow, admin)
    assert [(r.municipality, r.office, r.km, r.minutes) for r in rows] == [
        ("Inari", "Rovaniemi", 330, 245),
        ("Utsjoki", "Rovaniemi", 445, 325),
    ]
    assert all(isinstance(r, DistanceRow) for r in rows)
    saved = history(uow, "travel_distance_saved")
    assert saved[0] == (
        "paavo",
        {"municipality": "Utsjoki", "office": "Rovaniemi", "km": 450, "minutes": 330,
         "added": True, "before": None},
    )  # fmt: skip
    assert saved[2][1]["added"] is False
    assert saved[2][1]["before"] == {"km": 450, "minutes": 330}


def test_the_bounds_are_allowed(uow, clock, people):
    save(uow, clock, people["paavo"], "Kemi", "Kemi", "0", 0)
    save(uow, clock, people["paavo"], "Enontekiö", "Tornio", 2000, "2000")
    assert [(r.km, r.minutes) for r in listed(uow, people["tarja"])] == [(2000, 2000), (0, 0)]


def test_delete_removes_the_row_and_is_recorded(uow, clock, people):
    admin = people["paavo"]
    save(uow, clock, admin, "Salla", "Kemijärvi", 60, 50)
    (row,) = listed(uow, admin)
    with uow() as unit:
        delete_distance(admin, unit, clock, row.id)
    assert listed(uow, admin) == []
    assert history(uow, "travel_distance_deleted") == [
        ("paavo", {"municipality": "Salla", "office": "Kemijärvi", "km": 60, "minutes": 50})
    ]
    with uow() as unit, pytest.raises(NotFound):
        delete_distance(admin, unit, clock, row.id)


@pytest.mark.parametrize(
    ("municipality", "office", "km", "minutes", "fields"),
    [
        ("Oulu", "Rovaniemi", 10, 10, ["municipality"]),
        ("Inari", "", 10, 10, ["office"]),
        ("Inari", "Helsinki", 10, 10, ["office"]),
        ("Inari", "Rovaniemi", "abc", 10, ["km"]),
        ("Inari", "Rovaniemi", "-1", 10, ["km"]),
        ("Inari", "Rovaniemi", "1,5", 10, ["km"]),
        ("Inari", "Rovaniemi", 2001, 10, ["km"]),
        ("Inari", "Rovaniemi", "²", 10, ["km"]),
        ("Inari", "Rovaniemi", 10, "", ["minutes"]),
        ("Inari", "Rovaniemi", 10, 2001, ["minutes"]),
        ("", "", "", "", ["municipality", "office", "km", "minutes"]),
    ],
)
def test_refusals_name_the_field(uow, clock, people, municipality, office, km, minutes, fields):
    with pytest.raises(InvalidInput) as refused:
        save(uow, clock, people["paavo"], municipality, office, km, minutes)
    assert [e.field for e in refused.value.errors] == fields
    assert listed(uow, people["paavo"]) == []
    assert history(uow, "travel_distance_saved") == []


def test_the_messages_are_finnish(uow, clock, people):
    with pytest.raises(InvalidInput) as refused:
        save(uow, clock, people["paavo"], "Oulu", "Rovaniemi", "x", 2001)
    messages = {e.field: e.message for e in refused.value.errors}
    assert messages == {
        "municipality": "Valitse kunta Lapin kunnista.",
        "km": "Kilometrit: kirjoita kokonaisluku 0–2000.",
        "minutes": "Ajoaika: kirjoita minuutit kokonaislukuna 0–2000.",
    }


@pytest.mark.parametrize("name", ["tarja", "paallikko", "perhe"])
def test_only_the_administrator_changes_distances(uow, clock, people, name):
    save(uow, clock, people["paavo"], "Pello", "Tornio", 75, 60)
    (row,) = listed(uow, people["paavo"])
    with pytest.raises(PermissionDenied):
        save(uow, clock, people[name], "Pello", "Tornio", 1, 1)
    with uow() as unit, pytest.raises(PermissionDenied):
        delete_distance(people[name], unit, clock, row.id)
    assert [(r.km, r.minutes) for r in listed(uow, people["paavo"])] == [(75, 60)]


def test_the_auditor_reads_and_others_may_not(uow, clock, people):
    assert listed(uow, people["tarja"]) == []
    for name in ("paallikko", "perhe"):
        with pytest.raises(PermissionDenied):
            listed(uow, people[name])
