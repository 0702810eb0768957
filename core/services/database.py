"""Opening the database: the URL in force, the schema brought up to date, the sample registry on a first start."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from core.storage.db import create_db_engine
from core.storage.db import database_url as _database_url
from core.storage.registry_store import seed_sample_registry

__all__ = ["Engine", "database_url", "open_database"]


def database_url(override: str | None = None) -> str:
    """The database to use: ``override``, else ``DATABASE_URL``, else the embedded SQLite file.

    >>> database_url("postgres://u@h/db")
    'postgresql+psycopg://u@h/db'
    """
    return _database_url(override)


def open_database(url: str | None = None, *, seed_sample: bool = False) -> Engine:
    """Connect, bring the schema to the newest migration, and (for the app) seed the sample registry once.

    Args:
        url: the database URL; ``None`` means ``DATABASE_URL`` or the embedded SQLite default.
        seed_sample: load the sample registry into a brand-new database (the app's first start); the command
            line never does, so a script's empty database stays empty.

    Raises:
        DatabaseError: when the database cannot be reached or migrated, in words.
    """
    engine = create_db_engine(url)
    if seed_sample and seed_sample_registry(engine):
        from core.services.trend import snapshot_portfolio  # the trend reads the analysis, which reads this module's

        snapshot_portfolio(engine, cause="sample registry loaded")
    return engine
