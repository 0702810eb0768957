"""portfolio snapshots keep each cluster's members, so the quarterly review can tell which overlaps are new.

One nullable JSON column; points taken before it read as "members not recorded".
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'


def upgrade() -> None:
    with op.batch_alter_table('portfolio_snapshots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cluster_members', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('portfolio_snapshots', schema=None) as batch_op:
        batch_op.drop_column('cluster_members')
