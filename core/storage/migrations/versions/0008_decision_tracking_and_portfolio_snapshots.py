"""decision tracking and portfolio snapshots: what happened after each decision, and the registry over time.

Two new tables only: decisions, sessions and integrations are not touched. A decision without a tracking row is open.
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0008'
down_revision = '0007'


def upgrade() -> None:
    op.create_table('decision_tracking',
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('expected_saving', sa.Float(), nullable=True),
    sa.Column('done_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('baseline_run_rate', sa.Float(), nullable=True),
    sa.Column('affected_ids', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['decision_id'], ['session_decisions.id'],
                            name=op.f('fk_decision_tracking_decision_id_session_decisions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('decision_id', name=op.f('pk_decision_tracking'))
    )
    with op.batch_alter_table('decision_tracking', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_tracking_status'), ['status'], unique=False)

    op.create_table('portfolio_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('taken_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('registry_version', sa.Integer(), nullable=False),
    sa.Column('cause', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('run_rate_low', sa.Float(), nullable=False),
    sa.Column('run_rate_likely', sa.Float(), nullable=False),
    sa.Column('run_rate_high', sa.Float(), nullable=False),
    sa.Column('duplicated_low', sa.Float(), nullable=False),
    sa.Column('duplicated_likely', sa.Float(), nullable=False),
    sa.Column('duplicated_high', sa.Float(), nullable=False),
    sa.Column('integration_count', sa.Integer(), nullable=False),
    sa.Column('unowned_count', sa.Integer(), nullable=False),
    sa.Column('cluster_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_portfolio_snapshots')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('portfolio_snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_portfolio_snapshots_taken_at'), ['taken_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('portfolio_snapshots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_portfolio_snapshots_taken_at'))
    op.drop_table('portfolio_snapshots')
    with op.batch_alter_table('decision_tracking', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_tracking_status'))
    op.drop_table('decision_tracking')
