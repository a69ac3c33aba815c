"""The retention archive's chain proof can be recomputed from the archive alone."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

from sote_flow.persistence.history import (
    GENESIS_HASH,
    HASHED_FIELDS,
    archived_entry_hash,
    archived_fields,
    entry_hash,
)
from sote_flow.persistence.models import HistoryEntry
from sote_flow.services.retention import _plain


def _entry() -> HistoryEntry:
    fields = {
        "instance_id": 7,
        "at": datetime(2026, 11, 23, 8, 0, 1, 123456, tzinfo=UTC),
        "actor": "sofia",
        "action": "task_completed",
        "task_id": "3f1c",
        "task_name": "Käsittele tilaus",
        "process_version_id": 2,
        "data": {"perustelu": "Äiti pyysi — kiireellinen", "määrä": [1, 2.5, None]},
    }
    return HistoryEntry(
        id=41, prev_hash=GENESIS_HASH, hash=entry_hash(GENESIS_HASH, fields), **fields
    )


def test_an_archived_entry_gives_back_its_hash_after_a_json_round_trip():
    archived = archived_fields(_entry())
    assert set(HASHED_FIELDS) | {"id", "prev_hash", "hash"} == set(archived)
    read_back = json.loads(json.dumps(archived, ensure_ascii=False, sort_keys=True))
    assert archived_entry_hash(read_back) == read_back["hash"]


def test_any_change_to_an_archived_entry_changes_its_hash():
    archived = archived_fields(_entry())
    for name, value in (("actor", "joku"), ("data", {}), ("at", "2026-11-23T08:00:02+00:00")):
        assert archived_entry_hash({**archived, name: value}) != archived["hash"], name
    assert archived_entry_hash({**archived, "prev_hash": "1" * 64}) != archived["hash"]


def test_column_values_become_plain_json():
    row = {
        "at": datetime(2026, 11, 23, 8, 0, tzinfo=UTC),
        "on_day": date(2026, 11, 23),
        "state": b"\x00\x01",
        "price": Decimal("12.50"),
        "columns": {"kunta": "Kotka", "tarpeet": ("a", "b")},
    }
    assert _plain(row) == {
        "at": "2026-11-23T08:00:00+00:00",
        "on_day": "2026-11-23",
        "state": {"base64": "AAE="},
        "price": "12.50",
        "columns": {"kunta": "Kotka", "tarpeet": ["a", "b"]},
    }
