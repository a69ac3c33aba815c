"""Backups of the whole database into one file, their restore, and reading the chain's position.

SQLite (the embedded default) is copied with SQLite's online backup API, which gives a
consistent copy while the application runs. PostgreSQL is dumped with `pg_dump --format=custom`
and restored with `pg_restore --clean --if-exists` in one transaction; the client programs are
looked up on PATH, then under /usr/lib/postgresql/*/bin (newest first).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from sote_flow.domain.errors import DomainError
from sote_flow.persistence.models import HistoryEntry

POSTGRES_BINARIES = Path("/usr/lib/postgresql")
# The table every sote-flow database has; a file without it is not a sote-flow backup.
MARKER_TABLE = "history_entries"


class BackupFailed(DomainError):
    """A backup or a restore could not be made; the message says why (in Finnish)."""

    code = "backup_failed"


def backup_database(url: str, target: Path) -> None:
    """Write a consistent copy of the database at `url` to `target` (replaced atomically)."""
    target = target.resolve()
    if not target.parent.is_dir():
        raise BackupFailed(f"Kansiota ei ole: {target.parent}")
    with _temporary_beside(target) as partial:
        if _is_sqlite(url):
            _sqlite_backup(_sqlite_path(url), partial)
        else:
            _run_pg(
                "pg_dump",
                url,
                ["--format=custom", "--no-owner", f"--file={partial}"],
                "Varmuuskopiointi epäonnistui",
            )
        partial.chmod(0o600)  # a backup holds clients' data: readable by its owner only
        os.replace(partial, target)


def restore_database(url: str, source: Path) -> None:
    """Replace the contents of the database at `url` with the backup in `source`."""
    if not source.is_file():
        raise BackupFailed(f"Varmuuskopiotiedostoa ei löydy: {source}")
    if _is_sqlite(url):
        _sqlite_restore(source, _sqlite_path(url))
        return
    _run_pg(
        "pg_restore",
        url,
        ["--clean", "--if-exists", "--no-owner", "--single-transaction", str(source)],
        "Palautus epäonnistui (tietokantaa ei muutettu)",
    )


def find_postgres_program(name: str) -> Path:
    """Return the PostgreSQL client program `name` from PATH or /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return Path(found)
    versions = sorted(
        (p for p in POSTGRES_BINARIES.glob(f"*/bin/{name}") if p.parent.parent.name.isdigit()),
        key=lambda p: int(p.parent.parent.name),
        reverse=True,
    )
    if versions:
        return versions[0]
    raise BackupFailed(
        f"Ohjelmaa {name} ei löydy (PATH tai {POSTGRES_BINARIES}/*/bin). "
        "Asenna PostgreSQL:n asiakasohjelmat, esim. apt-get install postgresql-client."
    )


def entry_hash_at(session: Session, position: int) -> str | None:
    """Return the hash of the chain's `position`th entry (1 = the first), or None if fewer."""
    if position < 1:
        return None
    query = select(HistoryEntry.hash).order_by(HistoryEntry.id).offset(position - 1).limit(1)
    return session.scalar(query)


def read_consistently(session: Session) -> None:
    """Make the session's reads one snapshot (PostgreSQL; SQLite's transactions already are).

    Call before the session's first query, so a chain walk and the head it ends with agree
    even while other processes append to the history.
    """
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def _is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupFailed(f"SQLite-tietokannan tiedostoa ei voi päätellä osoitteesta {url}")
    return Path(database)


def _sqlite_backup(database: Path, target: Path) -> None:
    if not database.is_file():
        raise BackupFailed(f"Tietokantatiedostoa ei löydy: {database}")
    with _sqlite(database) as source, _sqlite(target) as copy:
        source.backup(copy)
        # One self-contained file: no -wal/-shm companions beside the backup.
        copy.execute("PRAGMA journal_mode=DELETE")


def _sqlite_restore(source: Path, database: Path) -> None:
    try:
        with _sqlite(source) as backup:
            if backup.execute("PRAGMA quick_check").fetchone() != ("ok",):
                raise BackupFailed(f"Varmuuskopio on vioittunut: {source}")
            found = backup.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (MARKER_TABLE,)
            ).fetchone()
            if found is None:
                raise BackupFailed(f"Tiedosto ei ole sote-flow'n varmuuskopio: {source}")
            with _sqlite(database) as live:
                live.execute("PRAGMA busy_timeout=10000")
                backup.backup(live)
    except sqlite3.DatabaseError as exc:
        raise BackupFailed(f"Palautus epäonnistui: {exc}") from None


@contextlib.contextmanager
def _sqlite(path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(path)
    try:
        yield connection
    finally:
        connection.close()


def _run_pg(program: str, url: str, arguments: list[str], failure: str) -> None:
    parsed = make_url(url)
    # libpq's own URL form; the password goes through the environment, not the command line.
    dsn = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    environment = dict(os.environ)
    if parsed.password:
        environment["PGPASSWORD"] = str(parsed.password)
    command = [str(find_postgres_program(program)), f"--dbname={dsn}", *arguments]
    result = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()
        raise BackupFailed(f"{failure} ({program}, paluuarvo {result.returncode}): {detail}")


@contextlib.contextmanager
def _temporary_beside(target: Path) -> Iterator[Path]:
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)
    partial = Path(name)
    partial.unlink()  # the tools create the file themselves
    try:
        yield partial
    finally:
        partial.unlink(missing_ok=True)
