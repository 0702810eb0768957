"""Database connection: which database, how to connect, and bringing its schema up to date."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool
from sqlmodel import create_engine

from core.errors import DatabaseError

PROJECT_DIR = Path(__file__).resolve().parents[2]
# Gitignored: the embedded default database lives beside the code, created on first run.
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_DIR / '.data' / 'igov.sqlite3'}"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK_KEY = 7_301_442  # any constant: PostgreSQL advisory lock id for schema migrations
# How long a SQLite write waits for another writer before "database is locked" (docs/deploy.md): as long as a
# 100,000-row import takes on a busy machine. PostgreSQL writes wait as long (core/storage/transactions.py).
SQLITE_BUSY_TIMEOUT_MS = 60_000


def normalise_database_url(url: str) -> str:
    """Accept the URL spellings hosting providers hand out and pick the psycopg 3 driver.

    >>> normalise_database_url("postgres://u@h/db")
    'postgresql+psycopg://u@h/db'
    >>> normalise_database_url("sqlite:///x.db")
    'sqlite:///x.db'
    """
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def database_url(override: str | None = None) -> str:
    """The database to use: an explicit URL, else ``DATABASE_URL``, else the embedded SQLite file.

    >>> database_url("sqlite://")
    'sqlite://'
    """
    return normalise_database_url(override or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)


def _configure_sqlite(dbapi_connection, _record) -> None:
    # WAL lets readers (the dashboard) work while a writer imports; busy_timeout waits for a lock
    # instead of failing at once when two people save together. Set first: switching to WAL needs a lock too.
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_MS)}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # SQLite's own lower() only folds ASCII: "ZOË" would not find "Zoë" in a case-insensitive search
    # (the history's "who" filter) as it does on PostgreSQL.
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


def create_db_engine(url: str | None = None, *, migrate: bool = True) -> Engine:
    """Connect to the database and bring its schema to the newest migration.

    >>> engine = create_db_engine("sqlite://")
    >>> {"integrations", "app_settings"} <= set(__import__("sqlalchemy").inspect(engine).get_table_names())
    True

    Args:
        url: database URL; ``None`` means ``DATABASE_URL`` or the embedded SQLite default.
        migrate: run pending migrations (the app and CLI always do).

    Returns:
        A SQLAlchemy engine (one per process; sessions are opened per operation).

    Raises:
        DatabaseError: when the database cannot be reached or migrated.
    """
    resolved = database_url(url)
    kwargs: dict = {}
    if resolved.startswith("sqlite"):
        path = resolved.removeprefix("sqlite:///")
        if resolved in ("sqlite://", "sqlite:///:memory:"):
            # One shared connection, or each session would see its own empty in-memory database.
            kwargs = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
        else:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            kwargs = {"connect_args": {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}}
    else:
        kwargs = {"pool_pre_ping": True}
    engine = create_engine(resolved, **kwargs)
    if resolved.startswith("sqlite"):
        event.listen(engine, "connect", _configure_sqlite)
    if migrate:
        upgrade_database(engine)
    return engine


def upgrade_database(engine: Engine) -> None:
    """Apply every pending Alembic migration; an up-to-date database is left untouched."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    try:
        with engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                # A migration that rebuilds a table (SQLite's only way to change one) drops the old copy; with
                # foreign keys on, that would delete every row pointing at it (ON DELETE CASCADE). Off for the
                # migration only, and checked before the commit. The pragma has no effect inside a transaction.
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                connection.commit()
            try:
                with connection.begin():
                    # Two processes starting on a fresh database (the app and a CLI, two app servers) must not
                    # both create the tables: take the database's write lock first, so the second waits and
                    # then finds the schema already at head.
                    if sqlite:
                        connection.exec_driver_sql("BEGIN IMMEDIATE")
                    elif connection.dialect.name == "postgresql":
                        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
                    config.attributes["connection"] = connection
                    command.upgrade(config, "head")
                    if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                        raise RuntimeError("a migration left rows pointing at rows that do not exist")
            finally:
                if sqlite:
                    connection.rollback()
                    connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                    connection.commit()
    except Exception as error:  # noqa: BLE001 - any driver error becomes one plain message
        # The driver's message, not SQLAlchemy's (which goes on with the statement and its parameters).
        reason = (str(getattr(error, "orig", None) or error).splitlines() or [""])[0]
        raise DatabaseError(
            f"The database at {engine.url.render_as_string(hide_password=True)} could not be prepared: "
            f"{type(error).__name__}: {reason}"
        ) from error
