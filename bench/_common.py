"""Shared set-up for benchmarks: databases on SQLite and on a throw-away PostgreSQL server."""

from __future__ import annotations

import statistics
import sys
import tempfile
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
