"""Database setup: URLs, migrations, and several processes starting on the same fresh database."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import inspect

from core.storage.db import create_db_engine, database_url


def test_database_url_prefers_explicit_then_environment_then_embedded_default(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db")

    assert database_url("sqlite:///x.db") == "sqlite:///x.db"
    assert database_url() == "postgresql+psycopg://u@h/db"
    monkeypatch.delenv("DATABASE_URL")
    assert database_url().startswith("sqlite:///") and database_url().endswith(".data/igov.sqlite3")


def test_the_migrations_build_exactly_the_tables_the_code_declares(engine):
    # A table or column added in core/storage/tables.py without its migration (or the other way round) shows here.
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)

    assert differences == []


def test_migrating_twice_changes_nothing(database_url):
    first = create_db_engine(database_url)
    tables = sorted(inspect(first).get_table_names())

    second = create_db_engine(database_url)

    assert sorted(inspect(second).get_table_names()) == tables
    assert {"integrations", "app_settings", "survivor_choices", "scorings", "diagnostic_sessions"} <= set(tables)


def test_processes_starting_together_on_a_fresh_database_all_succeed(database_url):
    code = f"from core.storage.db import create_db_engine; create_db_engine({database_url!r}); print('ok')"

    processes = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True)
                 for _ in range(4)]
    results = [p.communicate(timeout=120) for p in processes]

    assert [p.returncode for p in processes] == [0, 0, 0, 0], [err[-500:] for _, err in results]


def test_unreachable_database_is_one_plain_message():
    from core.errors import DatabaseError

    with pytest.raises(DatabaseError) as raised:
        create_db_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")

    assert str(raised.value).startswith(
        "The database at postgresql+psycopg://nobody@127.0.0.1:1/none could not be prepared:")
