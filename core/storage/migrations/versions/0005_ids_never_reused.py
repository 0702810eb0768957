"""ids never reused: SQLite tables with integer ids get AUTOINCREMENT (PostgreSQL's sequences already never go back).

SQLite cannot add AUTOINCREMENT to a table in place, so each table is rebuilt (batch mode) with its rows, ids,
indexes and foreign keys; core/storage/db.py turns foreign keys off while migrating, so rebuilding
diagnostic_sessions does not cascade into the rows that point at it. The new counter starts after the highest id
each table holds.
"""
from alembic import op

revision = '0005'
down_revision = '0004'

TABLES = ('diagnostic_sessions', 'session_participants', 'session_items', 'session_decisions', 'scorings',
          'audit_log')


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != 'sqlite':
        return
    for table in TABLES:
        with op.batch_alter_table(table, recreate='always',
                                  table_kwargs={'sqlite_autoincrement': autoincrement}):
            pass


def upgrade() -> None:
    _rebuild(True)


def downgrade() -> None:
    _rebuild(False)
