"""Session-wide real parts: a PostgreSQL server, migrated template databases, an SMTP server.

Integration and web tests take `database_url`, which runs each of them on SQLite and on
PostgreSQL (a fresh database per test, copied from a migrated template).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.databases import PostgresDatabases, SqliteDatabases
from tests.support.postgres import PostgresServer
from tests.support.smtp import CapturingSmtpServer


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def sqlite_databases(tmp_path_factory: pytest.TempPathFactory) -> SqliteDatabases:
    return SqliteDatabases(tmp_path_factory.mktemp("sqlite"))


@pytest.fixture(scope="session")
def postgres_databases(postgres_server: PostgresServer) -> PostgresDatabases:
    return PostgresDatabases(postgres_server)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_databases").new_url())
    return str(request.getfixturevalue("postgres_databases").new_url())


@pytest.fixture
def smtp_server() -> Iterator[CapturingSmtpServer]:
    with CapturingSmtpServer() as server:
        yield server
