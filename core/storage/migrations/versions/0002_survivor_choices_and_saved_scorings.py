"""survivor choices and saved scorings."""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0002'
down_revision = '0001'


def upgrade() -> None:
    op.create_table('scorings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('integration_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('integration_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('verdict', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('weights', sa.JSON(), nullable=False),
    sa.Column('overrides', sa.JSON(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('registry_version', sa.Integer(), nullable=False),
    sa.Column('scored_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('scored_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scorings'))
    )
    with op.batch_alter_table('scorings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scorings_integration_id'), ['integration_id'], unique=False)

    op.create_table('survivor_choices',
    sa.Column('integration_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('integration_id', name=op.f('pk_survivor_choices'))
    )


def downgrade() -> None:
    op.drop_table('survivor_choices')
    with op.batch_alter_table('scorings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scorings_integration_id'))

    op.drop_table('scorings')
