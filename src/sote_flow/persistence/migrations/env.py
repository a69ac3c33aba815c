"""Alembic environment: runs on the connection handed over by `sote_flow.persistence.migrate`."""

from __future__ import annotations

from alembic import context

from sote_flow.persistence.models import Base
from sote_flow.registry import load_packages

load_packages()  # the process packages' own tables join Base.metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
