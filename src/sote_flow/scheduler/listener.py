"""LISTEN for timer changes that other processes commit to PostgreSQL."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

import psycopg
from sqlalchemy import Engine

from sote_flow.services.workflow_state import TIMER_CHANNEL

log = logging.getLogger(__name__)


class TimerNotificationListener:
    """A thread that calls `on_due(datetime)` for every timer change notified on TIMER_CHANNEL."""

    def __init__(self, engine: Engine, on_due: Callable[[datetime | None], None]) -> None:
        url = engine.url.set(drivername="postgresql")
        self._dsn = url.render_as_string(hide_password=False)
        self._on_due = on_due
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="timer-listener", daemon=True)

    def start(self) -> None:
        """Start listening in the background."""
        self._thread.start()

    def stop(self) -> None:
        """Stop listening (within about a second)."""
        self._stopping.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                with psycopg.connect(self._dsn, autocommit=True) as connection:
                    connection.execute(f"LISTEN {TIMER_CHANNEL}")
                    while not self._stopping.is_set():
                        for note in connection.notifies(timeout=1.0):
                            self._on_due(datetime.fromisoformat(note.payload))
            except psycopg.Error:
                log.exception("timer listener lost its connection; reconnecting")
                self._stopping.wait(1.0)
