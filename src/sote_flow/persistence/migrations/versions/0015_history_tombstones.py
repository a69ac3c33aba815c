"""history tombstones

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import sote_flow.persistence.models


revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Retention empties a purged case's history entries but keeps them as tombstones (id,
    # time, action, prev_hash, hash), so the chain still links; purged_at marks them.
    with op.batch_alter_table('history_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purged_at', sote_flow.persistence.models.UtcDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('history_entries', schema=None) as batch_op:
        batch_op.drop_column('purged_at')
