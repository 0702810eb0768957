"""registry: integrations and app settings."""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0001'
down_revision = None


def upgrade() -> None:
    op.create_table('app_settings',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_app_settings'))
    )
    op.create_table('integrations',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('source_system', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('target_system', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('data_objects', sa.JSON(), nullable=False),
    sa.Column('owner_team', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('owner', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('consumers', sa.JSON(), nullable=False),
    sa.Column('direction', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('approach', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('tier', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('timeliness', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('complexity', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('build_hours_low', sa.Float(), nullable=True),
    sa.Column('build_hours_likely', sa.Float(), nullable=True),
    sa.Column('build_hours_high', sa.Float(), nullable=True),
    sa.Column('monthly_maintenance_hours_low', sa.Float(), nullable=True),
    sa.Column('monthly_maintenance_hours_likely', sa.Float(), nullable=True),
    sa.Column('monthly_maintenance_hours_high', sa.Float(), nullable=True),
    sa.Column('hourly_rate_low', sa.Float(), nullable=True),
    sa.Column('hourly_rate_likely', sa.Float(), nullable=True),
    sa.Column('hourly_rate_high', sa.Float(), nullable=True),
    sa.Column('monthly_tool_cost_low', sa.Float(), nullable=True),
    sa.Column('monthly_tool_cost_likely', sa.Float(), nullable=True),
    sa.Column('monthly_tool_cost_high', sa.Float(), nullable=True),
    sa.Column('reconciliations_per_month_low', sa.Float(), nullable=True),
    sa.Column('reconciliations_per_month_likely', sa.Float(), nullable=True),
    sa.Column('reconciliations_per_month_high', sa.Float(), nullable=True),
    sa.Column('reconciliation_hours_low', sa.Float(), nullable=True),
    sa.Column('reconciliation_hours_likely', sa.Float(), nullable=True),
    sa.Column('reconciliation_hours_high', sa.Float(), nullable=True),
    sa.Column('people_touching_low', sa.Float(), nullable=True),
    sa.Column('people_touching_likely', sa.Float(), nullable=True),
    sa.Column('people_touching_high', sa.Float(), nullable=True),
    sa.Column('has_monitoring', sa.Boolean(), nullable=True),
    sa.Column('has_retry', sa.Boolean(), nullable=True),
    sa.Column('has_audit_trail', sa.Boolean(), nullable=True),
    sa.Column('source_of_truth_defined', sa.Boolean(), nullable=True),
    sa.Column('documented', sa.Boolean(), nullable=True),
    sa.Column('launched_on', sa.Date(), nullable=True),
    sa.Column('notes', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_integrations'))
    )
    with op.batch_alter_table('integrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_integrations_owner_team'), ['owner_team'], unique=False)
        batch_op.create_index(batch_op.f('ix_integrations_source_system'), ['source_system'], unique=False)
        batch_op.create_index(batch_op.f('ix_integrations_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_integrations_target_system'), ['target_system'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('integrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_integrations_target_system'))
        batch_op.drop_index(batch_op.f('ix_integrations_status'))
        batch_op.drop_index(batch_op.f('ix_integrations_source_system'))
        batch_op.drop_index(batch_op.f('ix_integrations_owner_team'))

    op.drop_table('integrations')
    op.drop_table('app_settings')
