"""Administrators keep the calendar entry types; a retired type is not offered for new entries."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from sote_flow.domain.errors import InvalidInput, PermissionDenied
from sote_flow.persistence.models import HistoryEntry
from sote_flow.services.calendar_entries import EntryInput, add_entry
from sote_flow.services.calendar_types import list_entry_types, save_entry_type
from tests.support.factories import make_actor, make_groups

NAMES = ("Perhekuntoutus", "Familjerehabilitering", "Family rehabilitation")


@pytest.fixture
def people(uow, clock):
    make_groups(uow, "perhetyo")
    return {
        "admin": make_actor(uow, clock, "paakayttaja", ["administrator"]),
        "auditor": make_actor(uow, clock, "tarja", ["auditor"]),
        "manager": make_actor(uow, clock, "paavo", ["service_manager"]),
        "worker": make_actor(uow, clock, "maija", ["family_worker"], ["perhetyo"]),
    }


def save(uow, clock, actor, key, names=NAMES, client_work="yes", retired=False):
    with uow() as unit:
        return save_entry_type(actor, unit, clock, key, *names, client_work, retired)


def types(uow, actor):
    with uow() as unit:
        return {t.key: t for t in list_entry_types(actor, unit)}


def test_add_rename_retire_and_bring_back(platform, uow, clock, people):
    admin = people["admin"]
    before = types(uow, admin)
    assert len(before) == 16 and before["absence"].system and not before["travel"].system

    assert save(uow, clock, admin, "family_rehab", client_work="indirect") is True
    added = types(uow, admin)["family_rehab"]
    assert (added.name_fi, added.name_sv, added.name_en) == NAMES
    assert added.client_work == "indirect" and not added.retired
    assert list(types(uow, admin))[-1] == "family_rehab"  # last in the order

    renamed = ("Kuntouttava perhetyö", "Rehabiliterande familjearbete", "Rehabilitative work")
    assert save(uow, clock, admin, "family_rehab", renamed, "yes", retired=True) is False
    changed = types(uow, admin)["family_rehab"]
    assert (changed.name_fi, changed.client_work, changed.retired) == (renamed[0], "yes", True)
    with uow() as unit:
        assert "family_rehab" not in {t.key for t in unit.calendar.entry_types()}

    worker = people["worker"]
    entry = EntryInput(
        "family_rehab",
        datetime(2026, 11, 24, 8, tzinfo=UTC),
        datetime(2026, 11, 24, 9, tzinfo=UTC),
    )
    with uow() as unit, pytest.raises(InvalidInput) as refused:
        add_entry(platform, worker, unit, clock, "maija", entry)
    assert refused.value.errors[0].field == "type_key"

    save(uow, clock, admin, "family_rehab", renamed, "yes", retired=False)
    with uow() as unit:
        assert add_entry(platform, worker, unit, clock, "maija", entry) > 0

    with uow() as unit:
        history = unit.session.scalars(
            select(HistoryEntry).where(HistoryEntry.action == "calendar_type_saved")
        ).all()
    assert [(h.data["key"], h.data["added"], h.data["retired"]) for h in history] == [
        ("family_rehab", True, False),
        ("family_rehab", False, True),
        ("family_rehab", False, False),
    ]
    assert history[1].data["before"]["name_fi"] == "Perhekuntoutus"
    assert history[1].actor == "paakayttaja"


@pytest.mark.parametrize(
    ("key", "names", "client_work", "fields"),
    [
        ("Iso_Kirjain", NAMES, "yes", ["key"]),
        ("a", NAMES, "yes", ["key"]),
        ("1alku", NAMES, "yes", ["key"]),
        ("x" * 41, NAMES, "yes", ["key"]),
        ("uusi_tyyppi", ("", " ", "x" * 201), "maybe", ["name_fi", "name_sv", "name_en",
                                                         "client_work"]),
    ],
)  # fmt: skip
def test_invalid_types_are_refused_field_by_field(uow, clock, people, key, names, client_work,
                                                  fields):  # fmt: skip
    with pytest.raises(InvalidInput) as refused:
        save(uow, clock, people["admin"], key, names, client_work)
    assert [e.field for e in refused.value.errors] == fields
    assert all(e.message for e in refused.value.errors)
    assert len(types(uow, people["admin"])) == 16


def test_types_the_calendar_writes_cannot_be_retired(uow, clock, people):
    names = ("Poissaolo", "Frånvaro", "Absence")
    with pytest.raises(InvalidInput) as refused:
        save(uow, clock, people["admin"], "absence", names, "no", retired=True)
    assert [e.field for e in refused.value.errors] == ["retired"]
    save(uow, clock, people["admin"], "absence", names, "no", retired=False)
    assert types(uow, people["admin"])["absence"].name_fi == "Poissaolo"


def test_only_administrators_change_and_auditors_read(uow, clock, people):
    for role in ("auditor", "manager", "worker"):
        with pytest.raises(PermissionDenied):
            save(uow, clock, people[role], "family_rehab")
    assert len(types(uow, people["auditor"])) == 16
    for role in ("manager", "worker"):
        with pytest.raises(PermissionDenied):
            types(uow, people[role])
