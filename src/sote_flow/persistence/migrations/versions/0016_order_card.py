"""service order card: needs, end of service, every round's milestones

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sote_flow.persistence.models import UtcDateTime

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('service_orders', schema=None) as batch_op:
        # The change needs' codes, comma-separated: the family worker's list shows them.
        batch_op.add_column(sa.Column('needs', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('ended_on', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('end_reason', sa.String(length=80), nullable=True))
    op.create_table(
        'order_rounds',
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('round', sa.Integer(), nullable=False),
        sa.Column('queued_at', UtcDateTime(timezone=True), nullable=False),
        sa.Column('taken_at', UtcDateTime(timezone=True), nullable=True),
        sa.Column('planned_start', sa.String(length=10), nullable=True),
        sa.Column('started_on', sa.String(length=10), nullable=True),
        sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id']),
        sa.PrimaryKeyConstraint('instance_id', 'round'),
    )
    op.create_index('ix_order_rounds_queued_at', 'order_rounds', ['queued_at'])
    # The orders there are: their current round as the projection knows it (earlier rounds of
    # returned orders are in the history only; their take-up time was the first round's).
    op.execute(
        "INSERT INTO order_rounds (instance_id, round, queued_at, taken_at, planned_start, "
        "started_on) SELECT instance_id, return_count + 1, queued_at, "
        "CASE WHEN return_count = 0 THEN taken_at END, planned_start, started_on "
        "FROM service_orders"
    )


def downgrade() -> None:
    op.drop_index('ix_order_rounds_queued_at', table_name='order_rounds')
    op.drop_table('order_rounds')
    with op.batch_alter_table('service_orders', schema=None) as batch_op:
        batch_op.drop_column('end_reason')
        batch_op.drop_column('ended_on')
        batch_op.drop_column('needs')
