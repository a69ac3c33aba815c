"""Fresh, migrated databases per test: a migrated template is copied (cheap) for each test."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

from sqlalchemy import create_engine, text

from sote_flow.persistence.database import make_engine
from sote_flow.persistence.migrate import upgrade_database

_counter = itertools.count(1)


class SqliteDatabases:
    """Copies a migrated SQLite file for every test."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.template = root / "template.db"
        engine = make_engine(f"sqlite:///{self.template}")
        upgrade_database(engine)
        engine.dispose()

    def new_url(self) -> str:
        """Return the URL of a fresh migrated database."""
        path = self.root / f"test-{next(_counter)}.db"
        shutil.copyfile(self.template, path)
        return f"sqlite:///{path}"


class PostgresDatabases:
    """Creates every test database from a migrated template database on the test server."""

    def __init__(self, server: object) -> None:
        self.server = server
        self.server.create_database("sote_template")  # type: ignore[attr-defined]
        engine = make_engine(self.server.url("sote_template"))  # type: ignore[attr-defined]
        upgrade_database(engine)
        engine.dispose()
        self.admin = create_engine(
            self.server.url("postgres"),
            isolation_level="AUTOCOMMIT",  # type: ignore[attr-defined]
        )

    def new_url(self) -> str:
        """Return the URL of a fresh migrated database."""
        name = f"sote_test_{next(_counter)}"
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE sote_template'))
        return str(self.server.url(name))  # type: ignore[attr-defined]
