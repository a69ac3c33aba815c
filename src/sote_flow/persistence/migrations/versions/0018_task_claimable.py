"""task claimable: whether an open task offers a separate claim ("ui:claim": false says no)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('human_tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimable', sa.Boolean(), nullable=False, server_default='1'))


def downgrade() -> None:
    with op.batch_alter_table('human_tasks', schema=None) as batch_op:
        batch_op.drop_column('claimable')
