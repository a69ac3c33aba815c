"""Retention's queries: the closed instances that are due, every row that belongs to them (found
through the schema's foreign keys, never by naming a process), and their purge.

The rows of an instance are found generically: a row references the instance directly (a foreign
key to `process_instances.id`, or to a column that itself carries the instance id, such as
`cases.instance_id`), or references such a row through a NOT NULL foreign key (it cannot exist
without it). Both kinds are archived and deleted. A row that points at a purged row only through
a nullable foreign key (another case's work event naming a purged calendar entry) is kept and
only unlinked, so a purge deletes no more of another instance's data than the schema forces.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Table, and_, delete, func, inspect, or_, select, update
from sqlalchemy.orm import Session

from sote_flow.domain.errors import DomainError
from sote_flow.persistence.history import HistoryLog, archived_fields
from sote_flow.persistence.models import Base, ChainHead, HistoryEntry, ProcessInstance

CLOSED_STATUSES = ("completed", "cancelled")
CHUNK = 500
ROOT_TABLE = "process_instances"
# Columns that hold an instance id without a foreign key (they were written for instances that
# may be deleted). The history (tombstones keep the chain) and the access log (a retention of its
# own) hold instance ids too and are left out on purpose.
LOOSE_REFERENCES = (("outbox_mails", "instance_id"), ("outgoing_messages", "source_instance_id"))
Key = tuple[Any, ...]
Row = dict[str, Any]


class RetentionRefused(DomainError):
    """Retention cannot run safely; the message says why (in Finnish)."""

    code = "retention_refused"


@dataclass(frozen=True)
class _Edge:
    child: Table
    column: Column[Any]
    parent: Table
    target: Column[Any]


@dataclass
class Collected:
    """Every row that belongs to a batch of instances, with the instance each belongs to."""

    rows: dict[str, dict[Key, tuple[int, Row]]] = field(default_factory=dict)
    # (table, column) -> key of the row to unlink -> (instance, the value the column held)
    unlinks: dict[tuple[str, str], dict[Key, tuple[int, Any]]] = field(default_factory=dict)

    def add(self, table: str, key: Key, instance_id: int, row: Row) -> bool:
        """Add a row to delete; return False when it was already there."""
        bucket = self.rows.setdefault(table, {})
        if key in bucket:
            return False
        bucket[key] = (instance_id, row)
        return True


class RetentionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.metadata = Base.metadata
        self.root = self.metadata.tables[ROOT_TABLE]

    def due_instance_ids(self, closed_before: datetime) -> list[int]:
        """Lock and return the closed instances whose end is before `closed_before`."""
        # A cancelled instance may have no end time of its own: its last change is its end.
        ended = func.coalesce(ProcessInstance.ended_at, ProcessInstance.updated_at)
        query = (
            select(ProcessInstance.id)
            .where(ProcessInstance.status.in_(CLOSED_STATUSES), ended < closed_before)
            .order_by(ProcessInstance.id)
            .with_for_update()
        )
        return list(self.session.scalars(query))

    def count_history(self, instance_ids: Sequence[int]) -> int:
        """Return how many not yet purged history entries the instances have."""
        total = 0
        for chunk in _chunks(instance_ids, CHUNK):
            query = select(func.count()).select_from(HistoryEntry)
            query = query.where(HistoryEntry.instance_id.in_(chunk))
            total += int(self.session.scalar(query.where(HistoryEntry.purged_at.is_(None))) or 0)
        return total

    def history_of(self, instance_ids: Sequence[int]) -> dict[int, list[Row]]:
        """Return each instance's history entries as archived (hashed fields and both hashes)."""
        found: dict[int, list[Row]] = {instance_id: [] for instance_id in instance_ids}
        for chunk in _chunks(instance_ids, CHUNK):
            query = (
                select(HistoryEntry)
                .where(HistoryEntry.instance_id.in_(chunk), HistoryEntry.purged_at.is_(None))
                .order_by(HistoryEntry.id)
            )
            for entry in self.session.scalars(query):
                found[int(entry.instance_id or 0)].append(archived_fields(entry))
        return found

    def collect(self, instance_ids: Sequence[int]) -> Collected:
        """Find every row that belongs to the instances (see the module's docstring)."""
        self._refuse_unknown_tables()
        collected = Collected()
        for row in self._rows_where(self.root.c.id, instance_ids):
            collected.add(ROOT_TABLE, self._key(self.root, row), int(row["id"]), row)
        edges = self._edges()
        asked: dict[int, set[Any]] = {index: set() for index in range(len(edges))}
        added = True
        while added:  # until no edge finds a new row (chains of any length)
            added = False
            for index, edge in enumerate(edges):
                parents = collected.rows.get(edge.parent.name, {})
                owner = {
                    row[edge.target.name]: instance_id
                    for instance_id, row in parents.values()
                    if row[edge.target.name] is not None
                }
                new = set(owner) - asked[index]
                if not new:
                    continue
                asked[index] |= new
                owned = self._carries_instance(edge.target) or not edge.column.nullable
                for row in self._rows_where(edge.column, sorted(new, key=repr)):
                    instance_id, key = owner[row[edge.column.name]], self._key(edge.child, row)
                    if owned:
                        added = collected.add(edge.child.name, key, instance_id, row) or added
                    else:
                        unlinks = collected.unlinks.setdefault(
                            (edge.child.name, edge.column.name), {}
                        )
                        unlinks[key] = (instance_id, row[edge.column.name])
        for (table, _column), keys in collected.unlinks.items():
            for key in [key for key in keys if key in collected.rows.get(table, {})]:
                del keys[key]  # deleted anyway
        return collected

    def purge(self, collected: Collected, purged_at: datetime) -> dict[str, int]:
        """Unlink, delete children before parents, tombstone the history; return the counts."""
        for (table_name, column), keys in collected.unlinks.items():
            table = self.metadata.tables[table_name]
            for chunk in _chunks(list(keys), CHUNK):
                statement = update(table).where(self._key_in(table, chunk)).values({column: None})
                self.session.execute(statement)
        counts: dict[str, int] = {}
        for table in reversed(self.metadata.sorted_tables):
            doomed = list(collected.rows.get(table.name, {}))
            for chunk in _chunks(doomed, CHUNK):
                self.session.execute(delete(table).where(self._key_in(table, chunk)))
            if doomed:
                counts[table.name] = len(doomed)
        instance_ids = [key[0] for key in collected.rows.get(ROOT_TABLE, {})]
        history = HistoryLog(self.session)
        counts["history_entries"] = history.tombstone_for_instances(instance_ids, purged_at)
        return counts

    def count_access_log_before(self, before: datetime) -> int:
        """Return how many access-log entries are older than `before`."""
        table = self.metadata.tables["access_log"]
        query = select(func.count()).select_from(table).where(table.c.at < before)
        return int(self.session.scalar(query) or 0)

    def access_log_batches(self, before: datetime, size: int = 1000) -> Iterator[list[Row]]:
        """Yield the access-log entries older than `before`, oldest first, `size` at a time."""
        table = self.metadata.tables["access_log"]
        last_id = 0
        while True:
            query = (
                select(table)
                .where(table.c.at < before, table.c.id > last_id)
                .order_by(table.c.id)
                .limit(size)
            )
            batch = [row._asdict() for row in self.session.execute(query)]
            if not batch:
                return
            last_id = batch[-1]["id"]
            yield batch

    def delete_access_log(self, entry_ids: Sequence[int]) -> None:
        """Delete access-log entries by id (archived first)."""
        table = self.metadata.tables["access_log"]
        for chunk in _chunks(entry_ids, CHUNK):
            self.session.execute(delete(table).where(table.c.id.in_(chunk)))

    def chain_head(self) -> tuple[int, str]:
        """Return the history chain's entry count and newest hash."""
        head = self.session.get(ChainHead, 1)
        return (head.entry_count, head.last_hash) if head else (0, "0" * 64)

    def tombstones(self, entry_ids: Sequence[int]) -> dict[int, tuple[str, str, bool]]:
        """Return, per existing entry id, its prev_hash, hash and whether it is a tombstone."""
        found: dict[int, tuple[str, str, bool]] = {}
        for chunk in _chunks(entry_ids, CHUNK):
            query = select(
                HistoryEntry.id, HistoryEntry.prev_hash, HistoryEntry.hash, HistoryEntry.purged_at
            ).where(HistoryEntry.id.in_(chunk))
            for entry_id, prev_hash, hash_, purged_at in self.session.execute(query):
                found[entry_id] = (prev_hash, hash_, purged_at is not None)
        return found

    def data_of_entries(self, action: str) -> list[dict[str, Any]]:
        """Return the data of every history entry with `action` (e.g. the purges), oldest first."""
        query = select(HistoryEntry.data).where(HistoryEntry.action == action)
        return [dict(data or {}) for data in self.session.scalars(query.order_by(HistoryEntry.id))]

    def _edges(self) -> list[_Edge]:
        edges = [
            _Edge(table, fk.parent, fk.column.table, fk.column)
            for table in self.metadata.sorted_tables
            for fk in table.foreign_keys
        ]
        for table_name, column in LOOSE_REFERENCES:
            child = self.metadata.tables[table_name]
            edges.append(_Edge(child, child.c[column], self.root, self.root.c.id))
        return edges

    def _carries_instance(self, column: Column[Any]) -> bool:
        # The instance's own id, or a column that is a foreign key to it (`cases.instance_id`).
        root_id = self.root.c.id
        return column is root_id or any(fk.column is root_id for fk in column.foreign_keys)

    def _refuse_unknown_tables(self) -> None:
        # A table the code has not loaded could hold rows that reference an instance; deleting
        # the instance would then fail (or orphan them), so refuse before anything is written.
        inspector = inspect(self.session.connection())
        unknown = [
            name
            for name in inspector.get_table_names()
            if name not in self.metadata.tables
            and name != "alembic_version"
            and inspector.get_foreign_keys(name)
        ]
        if unknown:
            raise RetentionRefused(
                "Tietokannassa on tauluja, joita ohjelma ei tunne: "
                f"{', '.join(sorted(unknown))}. Säilytysajan poistoa ei tehdä."
            )

    def _rows_where(self, column: Column[Any], values: Iterable[Any]) -> Iterator[Row]:
        table = column.table
        order = list(table.primary_key.columns)
        for chunk in _chunks(list(values), CHUNK):
            query = select(table).where(column.in_(chunk)).order_by(*order)
            for row in self.session.execute(query):
                yield row._asdict()

    @staticmethod
    def _key(table: Table, row: Row) -> Key:
        return tuple(row[column.name] for column in table.primary_key.columns)

    @staticmethod
    def _key_in(table: Table, keys: Sequence[Key]) -> Any:
        columns = list(table.primary_key.columns)
        if len(columns) == 1:
            return columns[0].in_([key[0] for key in keys])
        return or_(*(and_(*(c == v for c, v in zip(columns, key, strict=True))) for key in keys))


def _chunks(values: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
