"""Engine and session set-up for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

# A statement or a lock wait longer than this is a fault, not work: it ends with an error the
# use case reports, instead of holding a connection and the locks behind it.
STATEMENT_TIMEOUT_MS = 30_000
_HOLDS_WRITER = "sote_flow.holds_writer_lock"
LOCK_TIMEOUT_MS = 10_000


def engine_options(url: str) -> dict[str, Any]:
    """Return create_engine keyword arguments suited to the database in `url`."""
    if url.startswith("sqlite"):
        # Autocommit at the driver level; `configure_engine` issues BEGIN IMMEDIATE itself.
        return {"connect_args": {"check_same_thread": False, "isolation_level": None}}
    timeouts = f"-c statement_timeout={STATEMENT_TIMEOUT_MS} -c lock_timeout={LOCK_TIMEOUT_MS}"
    return {
        "pool_pre_ping": True,
        "pool_size": 10,
        "max_overflow": 20,
        "connect_args": {"options": timeouts, "connect_timeout": 5},
    }


def configure_engine(engine: Engine) -> None:
    """Install per-connection settings: WAL, foreign keys and write-locking transactions."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    # The writers of this process queue on a lock of their own, each going the moment the one
    # before commits. Left to SQLite's busy handler, a waiting writer sleeps in growing steps (up
    # to 100 ms) whatever the wait, which made the tail of every request under load.
    writer = threading.Lock()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
            return  # a single read (UnitOfWork(single_read=True)): no transaction at all
        # Past the timeout, go on to SQLite's own waiting (and its busy error) as before.
        if writer.acquire(timeout=LOCK_TIMEOUT_MS / 1000):
            connection.info[_HOLDS_WRITER] = True
        try:
            # A deferred transaction that reads and then writes fails at once when another
            # writer got in between; taking the write lock up front makes use cases queue.
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(connection)
            raise

    def _release(connection: Any) -> None:
        if connection.info.pop(_HOLDS_WRITER, False):
            writer.release()

    event.listen(engine, "commit", _release)
    event.listen(engine, "rollback", _release)


def make_engine(url: str) -> Engine:
    """Create and configure an engine for `url`."""
    engine = create_engine(url, **engine_options(url))
    configure_engine(engine)
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return a session factory whose objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)
