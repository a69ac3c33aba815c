"""Schema migrations with Alembic, driven from code (`sote-flow db upgrade`, tests, the demo)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    """Return an Alembic config pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    """Bring the schema of the database behind `engine` up to `revision`."""
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def make_revision(engine: Engine, message: str) -> None:
    """Autogenerate a new migration from the models (a developer tool)."""
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)


@dataclass(frozen=True)
class SchemaStatus:
    """Whether the database answers, and whether its schema is the code's."""

    reachable: bool
    revision: str | None
    head: str | None

    @property
    def ready(self) -> bool:
        """True when the database answers and is migrated to the newest revision."""
        return self.reachable and self.revision is not None and self.revision == self.head


def schema_status(engine: Engine) -> SchemaStatus:
    """Ask the database for its schema revision (a quick read; never raises)."""
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    try:
        with engine.connect() as connection:
            revision = MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError:
        return SchemaStatus(False, None, head)
    return SchemaStatus(True, revision, head)
