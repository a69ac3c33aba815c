"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from sote_flow.persistence.database import make_engine
from sote_flow.persistence.models import Base
from sote_flow.registry import load_packages


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    load_packages()  # the process packages' own tables join Base.metadata
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert differences == []
