"""The append-only, hash-chained history of everything that changed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.orm import Session

from sote_flow.persistence.models import ChainHead, HistoryEntry

_HEAD = cast(Table, ChainHead.__table__)

GENESIS_HASH = "0" * 64


def to_plain_json(value: Any) -> Any:
    """Return `value` as it will read back from a JSON column (dates become strings)."""
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


HASHED_FIELDS = (
    "instance_id",
    "at",
    "actor",
    "action",
    "task_id",
    "task_name",
    "process_version_id",
    "data",
)


def entry_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    """Return the SHA-256 over an entry's content and its predecessor's hash."""
    content = {name: fields[name] for name in HASHED_FIELDS}
    content["at"] = content["at"].isoformat()
    content["prev"] = prev_hash
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _fields_of(entry: HistoryEntry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in HASHED_FIELDS}


# What a tombstone keeps of a purged entry: its id (its place in the chain), `at`, `action`,
# `prev_hash` and `hash`. Everything that could name a person or a matter is emptied; the
# columns that may not be NULL get an empty value. `purged_at` marks it.
TOMBSTONE_VALUES: dict[str, Any] = {
    "instance_id": None,
    "actor": "",
    "task_id": None,
    "task_name": None,
    "process_version_id": None,
    "data": {},
}


def _content_problem(entry: HistoryEntry) -> str | None:
    if entry.purged_at is None:
        if entry_hash(entry.prev_hash, _fields_of(entry)) != entry.hash:
            return "entry content changed"
        return None
    # A tombstone's content is in a retention archive, not here: its hash is proven by the
    # next entry linking to it (and by `retention verify-archive`). One that still holds
    # content was not made by a purge: marking an edited entry purged must not hide the edit.
    if any(getattr(entry, name) != value for name, value in TOMBSTONE_VALUES.items()):
        return "tombstone keeps content"
    return None


def archived_fields(entry: HistoryEntry) -> dict[str, Any]:
    """Return an entry as archived: id, both hashes and every hashed field (time as ISO 8601)."""
    fields = _fields_of(entry)
    fields["at"] = entry.at.isoformat()
    return {"id": entry.id, "prev_hash": entry.prev_hash, "hash": entry.hash, **fields}


def archived_entry_hash(archived: Mapping[str, Any]) -> str:
    """Recompute an archived entry's hash from the archive alone (the chain proof)."""
    fields = {name: archived[name] for name in HASHED_FIELDS}
    fields["at"] = datetime.fromisoformat(str(archived["at"]))
    return entry_hash(str(archived["prev_hash"]), fields)


@dataclass(frozen=True)
class ChainReport:
    """Result of walking the chain: ok, how many entries, and the first bad entry if any."""

    ok: bool
    entries: int
    first_bad_entry_id: int | None = None
    problem: str | None = None


class HistoryLog:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._pending: list[dict[str, Any]] = []

    def mentions_task(self, task_id: str) -> bool:
        """Whether any history entry concerns the task (it existed at some point)."""
        query = select(HistoryEntry.id).where(HistoryEntry.task_id == task_id).limit(1)
        return self.session.scalar(query) is not None

    def append(
        self,
        *,
        at: datetime,
        actor: str,
        action: str,
        instance_id: int | None = None,
        task_id: str | None = None,
        task_name: str | None = None,
        process_version_id: int | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        """Stage one entry; it is chained and written when the unit of work commits."""
        self._pending.append(
            {
                "instance_id": instance_id,
                "at": at,
                "actor": actor,
                "action": action,
                "task_id": task_id,
                "task_name": task_name,
                "process_version_id": process_version_id,
                "data": to_plain_json(data or {}),
            }
        )

    def write_pending(self) -> None:
        """Chain the staged entries to the newest one and write them in one statement.

        Called just before commit, so the chain head's row lock, which serialises every writer
        of the history, is held for as short a time as possible.
        """
        if not self._pending:
            return
        # Core statements: on every write of every use case, the ORM's bookkeeping of the head
        # row cost more than the statements themselves.
        count, last_hash = self._locked_head()
        for row in self._pending:
            row["prev_hash"] = last_hash
            row["hash"] = last_hash = entry_hash(last_hash, row)
        # render_nulls: rows with a NULL where others have a value stay in the one INSERT.
        self.session.execute(
            insert(HistoryEntry).execution_options(render_nulls=True), self._pending
        )
        self.session.execute(
            update(_HEAD)
            .where(_HEAD.c.id == 1)
            .values(entry_count=count + len(self._pending), last_hash=last_hash)
        )
        self._pending.clear()

    def for_instance(self, instance_id: int) -> Sequence[HistoryEntry]:
        """Return an instance's entries in the order they happened."""
        query = (
            select(HistoryEntry)
            .where(HistoryEntry.instance_id == instance_id)
            .order_by(HistoryEntry.id)
        )
        return self.session.scalars(query).all()

    def count_for_instance(self, instance_id: int) -> int:
        """Return how many entries an instance has (read from the instance_id index)."""
        query = select(func.count()).select_from(HistoryEntry)
        return self.session.scalar(query.where(HistoryEntry.instance_id == instance_id)) or 0

    def page_for_instance(
        self, instance_id: int, limit: int, offset: int = 0
    ) -> Sequence[HistoryEntry]:
        """Return `limit` of an instance's entries after skipping `offset`, oldest first."""
        query = (
            select(HistoryEntry)
            .where(HistoryEntry.instance_id == instance_id)
            .order_by(HistoryEntry.id)
            .limit(limit)
            .offset(offset)
        )
        return self.session.scalars(query).all()

    def newest_for_instance(self, instance_id: int, limit: int) -> list[HistoryEntry]:
        """Return an instance's newest `limit` entries, oldest of them first."""
        query = (
            select(HistoryEntry)
            .where(HistoryEntry.instance_id == instance_id)
            .order_by(HistoryEntry.id.desc())
            .limit(limit)
        )
        return list(reversed(self.session.scalars(query).all()))

    def actor_took_part(self, instance_id: int, username: str) -> bool:
        """Whether `username` appears as the actor of any entry of the instance."""
        query = (
            select(HistoryEntry.id)
            .where(HistoryEntry.instance_id == instance_id, HistoryEntry.actor == username)
            .order_by(HistoryEntry.id.desc())
            .limit(1)
        )
        return self.session.scalar(query) is not None

    def tombstone_for_instances(self, instance_ids: Sequence[int], purged_at: datetime) -> int:
        """Empty the instances' entries into tombstones (archive them first); return how many."""
        if not instance_ids:
            return 0
        statement = (
            update(HistoryEntry)
            .where(HistoryEntry.instance_id.in_(instance_ids), HistoryEntry.purged_at.is_(None))
            .values(**TOMBSTONE_VALUES, purged_at=purged_at)
            .execution_options(synchronize_session=False)
        )
        result = self.session.execute(statement)
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def get(self, entry_id: int) -> HistoryEntry | None:
        """Return the entry with `entry_id`, or None."""
        return self.session.get(HistoryEntry, entry_id)

    def last_before(self, entry_id: int) -> HistoryEntry | None:
        """Return the newest entry with an id below `entry_id`, or None."""
        query = (
            select(HistoryEntry)
            .where(HistoryEntry.id < entry_id)
            .order_by(HistoryEntry.id.desc())
            .limit(1)
        )
        return self.session.scalar(query)

    def verify(self, batch_size: int = 2000) -> ChainReport:
        """Walk the whole chain and report the first entry that does not match."""
        expected_prev = GENESIS_HASH
        count = 0
        last_id = 0
        while True:
            query = (
                select(HistoryEntry)
                .where(HistoryEntry.id > last_id)
                .order_by(HistoryEntry.id)
                .limit(batch_size)
            )
            batch = self.session.scalars(query).all()
            if not batch:
                break
            for entry in batch:
                if entry.prev_hash != expected_prev:
                    return ChainReport(False, count, entry.id, "previous entry missing or changed")
                problem = _content_problem(entry)
                if problem:
                    return ChainReport(False, count, entry.id, problem)
                expected_prev = entry.hash
                last_id = entry.id
                count += 1
            self.session.expunge_all()
        head = self.session.get(ChainHead, 1)
        head_hash, head_count = (head.last_hash, head.entry_count) if head else (GENESIS_HASH, 0)
        if head_hash != expected_prev or head_count != count:
            return ChainReport(False, count, last_id + 1, "newest entries missing")
        return ChainReport(True, count)

    def _locked_head(self) -> tuple[int, str]:
        query = select(_HEAD.c.entry_count, _HEAD.c.last_hash).where(_HEAD.c.id == 1)
        head = self.session.execute(query.with_for_update()).one_or_none()
        if head is None:
            self.session.execute(insert(_HEAD).values(id=1, entry_count=0, last_hash=GENESIS_HASH))
            return 0, GENESIS_HASH
        return int(head.entry_count), str(head.last_hash)
