"""PostgreSQL sessions carry statement and lock timeouts: a stuck query ends as an error."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from sote_flow.persistence.database import make_engine

pytestmark = pytest.mark.postgres


@pytest.fixture
def database_url(postgres_databases) -> str:
    return str(postgres_databases.new_url())


def test_every_connection_has_statement_and_lock_timeouts(database_url):
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SHOW statement_timeout")).scalar() == "30s"
            assert connection.execute(text("SHOW lock_timeout")).scalar() == "10s"
            connection.execute(text("SET statement_timeout = 200"))
            with pytest.raises(OperationalError):
                connection.execute(text("SELECT pg_sleep(2)"))
    finally:
        engine.dispose()
