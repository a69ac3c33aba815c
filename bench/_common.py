"""Shared set-up for benchmarks: databases on SQLite and on a throw-away PostgreSQL server."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sote_flow.persistence.database import make_engine  # noqa: E402
from sote_flow.persistence.migrate import upgrade_database  # noqa: E402


@contextmanager
def databases(include_postgres: bool = True) -> Iterator[list[tuple[str, str]]]:
    """Yield [(label, url)] for a fresh SQLite file and, if asked, a fresh PostgreSQL database."""
    from tests.support.postgres import PostgresServer

    with tempfile.TemporaryDirectory() as tmp:
        urls = [("SQLite", f"sqlite:///{tmp}/bench.db")]
        server = PostgresServer() if include_postgres else None
        try:
            if server is not None:
                server.start()
                server.create_database("bench")
                urls.append(("PostgreSQL", server.url("bench")))
            for _, url in urls:
                engine = make_engine(url)
                upgrade_database(engine)
                engine.dispose()
            yield urls
        finally:
            if server is not None:
                server.stop()


def median_ms(samples: list[float]) -> float:
    """Median of samples given in seconds, in milliseconds."""
    return statistics.median(samples) * 1000


def p90_ms(samples: list[float]) -> float:
    """90th percentile of samples given in seconds, in milliseconds."""
    return statistics.quantiles(samples, n=10)[-1] * 1000


def timed(fn: Callable[[], object]) -> float:
    """Run fn once and return the seconds it took."""
    import time

    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def start_server(
    url: str, extra_env: dict[str, str] | None = None
) -> tuple[int, subprocess.Popen[bytes]]:
    """Start `sote-flow serve` on a free loopback port; return the port once it answers."""
    from tests.support.factories import TEST_SECRET

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    env = {
        **os.environ,
        "SOTE_FLOW_DATABASE_URL": url,
        "SOTE_FLOW_SECRET_KEY": TEST_SECRET,
        **(extra_env or {}),
    }
    command = [sys.executable, "-c", "import sys; from sote_flow.cli import main; "
               f"sys.exit(main(['serve', '--host', '127.0.0.1', '--port', '{port}']))"]  # fmt: skip
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return port, process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the server process did not start")
