"""Retention (issue #17): closed cases and the access log are kept for the county's time, then
written to an archive file with their chain proof and purged.

One run writes one JSON Lines file: a header (format, time, rules, the chain head), one line per
purged instance (its rows in every table that references it, and its history entries with every
hashed field and both hashes, so anyone can recompute each hash), one line per purged
access-log entry, and a footer (counts and the SHA-256 of the lines before it). The file is
fsynced before the purge commits, and the purge is in the history (counts and the file's
SHA-256, no client data). History entries are not deleted: they become tombstones that keep
their place and hashes, so the chain still verifies and `verify_archive` can prove that the
archive holds exactly what was purged.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import DomainError
from sote_flow.domain.roles import Role
from sote_flow.persistence.history import GENESIS_HASH, archived_entry_hash
from sote_flow.persistence.retention_repository import (
    ROOT_TABLE,
    Collected,
    RetentionRefused,
    RetentionRepository,
)
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.registry import load_packages
from sote_flow.services.actors import Actor, require_role

__all__ = ["RetentionRefused"]

FORMAT = "sote-flow-retention-archive/1"
PURGE_ACTION = "retention_purge"
BATCH = 100  # instances collected and purged at a time (bounded memory, short statements)
HASH_RECIPE = (
    "hash = sha256(UTF-8 JSON of {instance_id, at, actor, action, task_id, task_name, "
    "process_version_id, data, prev: prev_hash}, keys sorted, separators ',' and ':', "
    "non-ASCII unescaped)"
)


class RetentionNotConfigured(DomainError):
    """No retention time for closed cases is set: nothing may be purged."""

    code = "retention_not_configured"


@dataclass(frozen=True)
class RetentionRules:
    """The county's archive rules: days a closed case and an access-log entry are kept."""

    case_days: int
    access_log_days: int


@dataclass(frozen=True)
class ArchiveRun:
    """What a run archived and purged (or, with dry_run, would have)."""

    path: Path | None
    instances: int
    history_entries: int
    access_log_entries: int
    rows: Mapping[str, int] = field(default_factory=dict)
    sha256: str | None = None
    dry_run: bool = False


@dataclass(frozen=True)
class ArchiveCheck:
    """The outcome of checking an archive file against itself and the database."""

    problems: Sequence[str]
    instances: int = 0
    history_entries: int = 0
    access_log_entries: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def archive_and_purge(
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    rules: RetentionRules,
    out_dir: Path,
    dry_run: bool = False,
) -> ArchiveRun:
    """Archive the closed instances and access-log entries past retention, then purge them."""
    require_role(actor, Role.ADMINISTRATOR)
    if rules.case_days <= 0:
        raise RetentionNotConfigured(
            "Säilytysaikaa ei ole asetettu (SOTE_FLOW_RETENTION_CASE_DAYS): mitään ei poisteta."
        )
    load_packages()  # the process packages' own tables join the metadata the purge walks
    now = clock()
    closed_before = now - timedelta(days=rules.case_days)
    log_before = now - timedelta(days=rules.access_log_days)
    repo = RetentionRepository(uow.session)
    chain = uow.history.verify()
    if not chain.ok:  # tombstoning a broken chain would hide where it broke
        raise RetentionRefused(
            f"Historiaketju on rikki kohdassa {chain.first_bad_entry_id}: selvitä se ennen "
            "säilytysajan poistoa."
        )
    instance_ids = repo.due_instance_ids(closed_before)
    log_count = repo.count_access_log_before(log_before)
    if dry_run or not (instance_ids or log_count):
        return ArchiveRun(
            None, len(instance_ids), repo.count_history(instance_ids), log_count, dry_run=dry_run
        )
    head_count, head_hash = repo.chain_head()
    header = {
        "kind": "header",
        "format": FORMAT,
        "run_at": now.isoformat(),
        "case_retention_days": rules.case_days,
        "access_log_retention_days": rules.access_log_days,
        "closed_before": closed_before.isoformat(),
        "access_log_before": log_before.isoformat(),
        "chain_head": {"entries": head_count, "last_hash": head_hash},
        "hash_recipe": HASH_RECIPE,
        "genesis_hash": GENESIS_HASH,
    }
    path = out_dir / f"sote-flow-archive-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}.jsonl"
    try:
        writer = _ArchiveWriter(path)
    except FileExistsError:
        raise RetentionRefused(f"Arkistotiedosto on jo olemassa: {path}") from None
    committing = False
    try:
        writer.write(header)
        rows: dict[str, int] = {}
        history_entries = log_entries = 0
        for batch in _batches(instance_ids, BATCH):
            collected = repo.collect(batch)
            history_entries += _archive_instances(repo, writer, batch, collected)
            for table, count in repo.purge(collected, now).items():
                rows[table] = rows.get(table, 0) + count
        for entries in repo.access_log_batches(log_before):
            for entry in entries:
                writer.write({"kind": "access_log", "row": _plain(entry)})
            repo.delete_access_log([entry["id"] for entry in entries])
            log_entries += len(entries)
        rows.pop("history_entries", None)
        counts = {
            "instances": len(instance_ids),
            "history_entries": history_entries,
            "access_log_entries": log_entries,
        }
        sha256 = writer.finish({"kind": "footer", **counts, "rows": rows})
        uow.history.append(
            at=now,
            actor=actor.username,
            action=PURGE_ACTION,
            data={**counts, "rows": rows, "archive_file": path.name, "archive_sha256": sha256},
        )
        committing = True
        uow.commit()
    except BaseException:
        # Before the commit nothing was purged, and an archive of it would mislead. A commit
        # that failed may still have happened in the database: that file is kept, and
        # `verify_archive` tells (the purge entry in the history names its SHA-256).
        if not committing:
            writer.discard()
        raise
    return ArchiveRun(path, len(instance_ids), history_entries, log_entries, rows, sha256)


def verify_archive(actor: Actor, uow: UnitOfWork, path: Path) -> ArchiveCheck:
    """Check an archive: its footer digest, every entry's hash, and the database's tombstones."""
    require_role(actor, Role.AUDITOR, Role.ADMINISTRATOR)
    try:
        lines = [line for line in path.read_bytes().splitlines(keepends=True) if line.strip()]
        records = [json.loads(line) for line in lines]
    except (OSError, ValueError) as exc:
        return ArchiveCheck([f"archive cannot be read: {exc}"])
    if len(records) < 2 or records[0].get("format") != FORMAT:
        return ArchiveCheck([f"not a retention archive ({FORMAT})"])
    footer = records[-1]
    problems: list[str] = []
    sha256 = hashlib.sha256(b"".join(lines[:-1])).hexdigest()
    if footer.get("kind") != "footer" or footer.get("sha256") != sha256:
        problems.append("footer SHA-256 does not match the lines before it (file changed)")
    instances = [r for r in records[1:-1] if r.get("kind") == "instance"]
    entries = [entry for record in instances for entry in record.get("history", [])]
    logs = sum(1 for record in records[1:-1] if record.get("kind") == "access_log")
    counted = [footer.get(name) for name in ("instances", "history_entries", "access_log_entries")]
    if counted != [len(instances), len(entries), logs]:
        problems.append("footer counts do not match the lines")
    problems += _check_entries(RetentionRepository(uow.session), entries)
    if not any(d.get("archive_sha256") == sha256 for d in _purges(uow)):
        problems.append("no retention purge in the history names this archive's SHA-256")
    chain = uow.history.verify()
    if not chain.ok:
        problems.append(f"history chain broken at entry {chain.first_bad_entry_id}")
    return ArchiveCheck(problems, len(instances), len(entries), logs)


def _archive_instances(
    repo: RetentionRepository, writer: _ArchiveWriter, batch: Sequence[int], collected: Collected
) -> int:
    history = repo.history_of(batch)
    for instance_id in batch:
        writer.write(_instance_record(instance_id, collected, history.get(instance_id, [])))
    return sum(len(entries) for entries in history.values())


def _instance_record(
    instance_id: int, collected: Collected, history: list[dict[str, Any]]
) -> dict[str, Any]:
    tables: dict[str, list[Any]] = {}
    for table in sorted(collected.rows, key=lambda name: (name != ROOT_TABLE, name)):
        mine = [row for owner, row in collected.rows[table].values() if owner == instance_id]
        if mine:
            tables[table] = [_plain(row) for row in mine]
    unlinked = [
        {"table": table, "column": column, "key": _plain(list(key)), "value": _plain(value)}
        for (table, column), keys in sorted(collected.unlinks.items())
        for key, (owner, value) in keys.items()
        if owner == instance_id
    ]
    return {
        "kind": "instance",
        "instance_id": instance_id,
        "tables": tables,
        "unlinked": unlinked,
        "history": history,
    }


def _check_entries(repo: RetentionRepository, entries: list[dict[str, Any]]) -> list[str]:
    problems = []
    stored = repo.tombstones([int(entry["id"]) for entry in entries])
    for entry in entries:
        entry_id = entry["id"]
        try:
            recomputed = archived_entry_hash(entry)
        except (KeyError, TypeError, ValueError):
            recomputed = ""
        if recomputed != entry["hash"]:
            problems.append(f"entry {entry_id}: archived content does not give its hash")
        found = stored.get(int(entry_id))
        if found is None:
            problems.append(f"entry {entry_id}: not in the database")
        elif not found[2]:
            problems.append(f"entry {entry_id}: not purged in the database")
        elif (found[0], found[1]) != (entry["prev_hash"], entry["hash"]):
            problems.append(f"entry {entry_id}: hashes differ from the database's tombstone")
    return problems


def _purges(uow: UnitOfWork) -> list[dict[str, Any]]:
    return RetentionRepository(uow.session).data_of_entries(PURGE_ACTION)


class _ArchiveWriter:
    """Writes the lines of one archive, hashing them as they go; readable by its owner only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.digest = hashlib.sha256()
        # "x": an archive is never overwritten (two runs in the same second is a mistake).
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self.file: IO[bytes] = os.fdopen(descriptor, "wb")

    def write(self, record: Mapping[str, Any]) -> None:
        """Append one record as a JSON line."""
        line = (json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
        self.digest.update(line)
        self.file.write(line)

    def finish(self, footer: dict[str, Any]) -> str:
        """Write the footer with the digest of every line before it, fsync, return the digest."""
        sha256 = self.digest.hexdigest()
        self.write({**footer, "sha256": sha256})
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        directory = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)  # the file's name is durable too, before the purge commits
        finally:
            os.close(directory)
        return sha256

    def discard(self) -> None:
        """Close and remove an unfinished (or uncommitted) archive."""
        if not self.file.closed:
            self.file.close()
        self.path.unlink(missing_ok=True)


def _plain(value: Any) -> Any:
    """Return a column value as JSON: times ISO 8601, bytes as {"base64": …}, decimals as text."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return {"base64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, Decimal):
        return str(value)
    return value


def _batches(values: Sequence[int], size: int) -> list[Sequence[int]]:
    return [values[start : start + size] for start in range(0, len(values), size)]
