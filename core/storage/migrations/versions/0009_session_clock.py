"""session clock: pause and resume, and the agenda step on (next step), kept on the session row.

Four columns on diagnostic_sessions; existing sessions read as running on their first step, never paused.
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0009'
down_revision = '0008'


def upgrade() -> None:
    with op.batch_alter_table('diagnostic_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paused_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('paused_seconds', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('step_index', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('step_started_second', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('diagnostic_sessions', schema=None) as batch_op:
        batch_op.drop_column('step_started_second')
        batch_op.drop_column('step_index')
        batch_op.drop_column('paused_seconds')
        batch_op.drop_column('paused_at')
