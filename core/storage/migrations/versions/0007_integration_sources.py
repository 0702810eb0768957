"""integration sources: where each integration was read from (format, file or tool, external id, last seen).

One row per integration and source; a re-import of the source updates them and flags the ones it no longer has
(missing_since). A new table only: the integrations table and its data are not touched.
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0007'
down_revision = '0005'


def upgrade() -> None:
    op.create_table('integration_sources',
    sa.Column('integration_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('format', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('source_name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('location', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('first_seen', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('last_seen', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('missing_since', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('integration_id', 'source', name=op.f('pk_integration_sources'))
    )
    with op.batch_alter_table('integration_sources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_integration_sources_missing_since'), ['missing_since'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('integration_sources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_integration_sources_missing_since'))
    op.drop_table('integration_sources')
