"""Session-wide real parts: a PostgreSQL server, migrated template databases, an SMTP server.

Integration and web tests take `database_url`, which runs each of them on SQLite and on
PostgreSQL (a fresh database per test, copied from a migrated template).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher, profiles

from sote_flow.engine.engine_clock import require_engine_clock
from sote_flow.services.accounts import use_password_hasher
from tests.support.databases import PostgresDatabases, SqliteDatabases
from tests.support.postgres import PostgresServer
from tests.support.smtp import CapturingSmtpServer


def pytest_configure(config: pytest.Config) -> None:
    # Every test injects its clock: an engine call that reads the time outside engine_clock
    # would silently use today's date instead, so make it fail.
    require_engine_clock()
    # Hundreds of test users: argon2's own profile for tests instead of ~0.1 s per hash and login.
    use_password_hasher(PasswordHasher.from_parameters(profiles.CHEAPEST))


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
