"""The production web server: gunicorn, N worker processes with threads, one app per worker."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

WORKERS_ENV = "SOTE_FLOW_WORKERS"
# 2 × cores + 1 keeps every core busy while some workers wait on the database; past this many
# the connections (workers × threads) crowd PostgreSQL's default max_connections of 100.
MAX_DEFAULT_WORKERS = 16
DEFAULT_THREADS = 4


def default_workers(environ: Mapping[str, str] | None = None) -> int:
    """Return the worker count: SOTE_FLOW_WORKERS, else 2 × cores + 1 (at most 16)."""
    environ = os.environ if environ is None else environ
    configured = environ.get(WORKERS_ENV, "").strip()
    if configured:
        try:
            workers = int(configured)
        except ValueError:
            raise ValueError(f"{WORKERS_ENV} must be a whole number") from None
        if workers < 1:
            raise ValueError(f"{WORKERS_ENV} must be positive")
        return workers
    return min(2 * _cores() + 1, MAX_DEFAULT_WORKERS)


def _cores() -> int:
    # The cores this process may run on (a container's CPU set), not the machine's.
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class ProductionServer(BaseApplication):  # type: ignore[misc]  # gunicorn ships no types
    """gunicorn with gthread workers; each worker builds its own app after the fork.

    Building the app in the worker (no preloading) gives every worker its own database engine
    and connection pool: a pool inherited across fork would share sockets between processes.
    """

    def __init__(
        self,
        host: str,
        port: int,
        workers: int,
        threads: int = DEFAULT_THREADS,
        override: Mapping[str, Any] | None = None,
    ) -> None:
        self._options = {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "gthread",
            "threads": threads,
            "preload_app": False,
            # A request is bounded by the database's statement timeout (30 s); a worker silent
            # for longer than this is stuck and is replaced.
            "timeout": 60,
            "graceful_timeout": 30,
            "keepalive": 5,
            "accesslog": None,
            "errorlog": "-",
            "proc_name": "sote-flow",
            # No `gunicornc` socket in the home directory: two servers on a host would collide.
            "control_socket_disable": True,
        }
        self._override = dict(override or {})
        super().__init__()

    def load_config(self) -> None:
        """Apply the options to gunicorn's configuration (no config file, no command line)."""
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        """Build the app; gunicorn calls this in each worker process after the fork."""
        from sote_flow.web import create_app

        return create_app(self._override)


def serve_production(host: str, port: int, workers: int, threads: int = DEFAULT_THREADS) -> None:
    """Run the production server until it is stopped (SIGTERM or SIGINT: graceful)."""
    if workers < 1 or threads < 1:
        raise ValueError("--workers and --threads must be positive")
    _import_views()
    ProductionServer(host, port, workers, threads).run()


def _import_views() -> None:
    # Importing the views before the fork (about 1.5 s) lets every worker start in a fraction of
    # that; no app, engine or connection exists yet, so nothing is shared but code.
    import sote_flow.web.api  # noqa: F401
    from sote_flow.web.packages import load_web_parts

    load_web_parts()


def serve_single(host: str, port: int, override: Mapping[str, Any]) -> None:
    """Serve in this one process (waitress) with the timer scheduler beside it: the demo."""
    # create_app refuses, before anything starts, settings without a secret key.
    from waitress import serve

    from sote_flow.persistence.database import make_engine, make_session_factory
    from sote_flow.persistence.unit_of_work import UnitOfWork
    from sote_flow.scheduler.runner import TimerScheduler
    from sote_flow.web import create_app

    app = create_app(override)
    platform = app.extensions["sote_flow.platform"]
    engine = make_engine(platform.settings.database_url)
    sessions = make_session_factory(engine)
    # The web app's platform, so timers set by user actions reach the scheduler at once.
    scheduler = TimerScheduler(platform, lambda: UnitOfWork(sessions), engine)
    scheduler.start()
    print(f"sote-flow listening on http://{host}:{port}", flush=True)
    try:
        serve(app, host=host, port=port, threads=8)
    finally:
        scheduler.stop()
