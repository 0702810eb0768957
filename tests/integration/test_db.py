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


def test_upgrading_a_database_with_data_keeps_every_row_then_never_reuses_an_id(database_url):
    # A database made by the previous release (schema 0004), with a registry, a survivor choice, a session with
    # notes and a decision, written as that release wrote them (ids from the database).
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine, text

    from core.domain.diagnostic import Decision, RaciEntry
    from core.domain.rubric import Verdict
    from core.storage.db import MIGRATIONS_DIR, normalise_database_url
    from core.storage.session_store import add_item, delete_item, list_decisions, list_items, save_decision
    from core.storage.survivor_store import load_survivor_choices
    from tests.actors import EDITOR

    old = create_engine(normalise_database_url(database_url))
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with old.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0004")
    when = "'2026-01-05 09:00:00'"
    with old.begin() as connection:
        connection.execute(text(
            "INSERT INTO integrations (id, name, source_system, target_system, data_objects, owner_team, consumers, "
            "direction, status, notes, extra, version, updated_at, updated_by) VALUES "
            f"('INT-1', 'Opp sync', 'Salesforce', 'Stripe', '[\"Opportunity\"]', 'Sales Ops', '[]', 'one-way', "
            f"'live', 'Zoë''s', '{{}}', 3, {when}, 'Ana')"))
        connection.execute(text("INSERT INTO survivor_choices (integration_id, note, version, updated_at, updated_by) "
                                f"VALUES ('INT-1', 'kept by the group', 1, {when}, 'Ana')"))
        connection.execute(text(
            "INSERT INTO diagnostic_sessions (title, facilitator, created_at, agenda, notes, version, updated_at, "
            f"updated_by) VALUES ('Duplicates', 'Ana', {when}, '[]', '', 1, {when}, 'Ana')"))
        for kind, note in (("assumption", "Finance owns invoices"), ("question", "Who owns NetSuite?")):
            connection.execute(text(
                "INSERT INTO session_items (session_id, kind, text, position, version, updated_at, updated_by) "
                f"VALUES (1, '{kind}', '{note}', 0, 1, {when}, 'Ana')"))
        connection.execute(text(
            "INSERT INTO session_decisions (session_id, subject_kind, subject_id, verdict, rationale, raci, "
            "next_step, version, updated_at, updated_by) VALUES (1, 'integration', 'INT-1', 'merge', 'Twice.', "
            f"'[{{\"person\": \"Ana\", \"responsibility\": \"A\"}}]', '', 2, {when}, 'Ana')"))
    old.dispose()

    engine = create_db_engine(database_url)  # upgrades to the newest schema

    assert [(i.id, i.text) for i in list_items(engine, 1)] == [(1, "Finance owns invoices"), (2, "Who owns NetSuite?")]
    assert [(d.id, d.version, d.decision.rationale) for d in list_decisions(engine, 1)] == [(1, 2, "Twice.")]
    assert load_survivor_choices(engine) == {"INT-1"}
    delete_item(engine, 2, actor=EDITOR)  # the highest id: SQLite without AUTOINCREMENT handed it out again
    new_item = add_item(engine, 1, "question", "Asked after the upgrade", actor=EDITOR)
    new_decision = save_decision(engine, 1, Decision("integration", "INT-1", Verdict.RETIRE, "Later.",
                                                     (RaciEntry("Bo", "A"),)), actor=EDITOR)
    assert (new_item, new_decision) == (3, 2)
    engine.dispose()


def _present(table, values: dict) -> dict:
    """The values whose columns the table has (the bookkeeping columns of an older release)."""
    return {k: v for k, v in values.items() if k in table.c}


def test_upgrading_from_0007_tracks_the_decisions_already_recorded_as_open(database_url):
    # Migration 0008 adds decision_tracking and portfolio_snapshots beside the tables 0007 had; the decisions a
    # session recorded before it are open (no tracking row yet) and can be followed to done straight away.
    from datetime import UTC, date, datetime

    from alembic import command
    from alembic.config import Config
    from sqlalchemy import MetaData, create_engine, insert

    from core.domain.rubric import Verdict
    from core.services.decisions import change_status, tracked_decisions
    from core.storage.backup import tables_at_revision
    from core.storage.db import MIGRATIONS_DIR, normalise_database_url
    from core.storage.registry_store import seed_sample_registry
    from tests.actors import EDITOR

    old = create_engine(normalise_database_url(database_url))
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with old.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0007")
    old.dispose()
    assert tables_at_revision("0008") - tables_at_revision("0007") == {"decision_tracking", "portfolio_snapshots"}
    # Rows as the 0007 release wrote them, into its own tables (today's code writes columns 0009 added).
    engine = create_db_engine(database_url, migrate=False)
    seed_sample_registry(engine)
    tables = MetaData()
    tables.reflect(bind=engine, only=["diagnostic_sessions", "session_decisions"])
    stamp = {"version": 1, "updated_at": datetime(2026, 2, 1, tzinfo=UTC), "updated_by": "Ana"}
    with engine.begin() as connection:
        session_id = connection.execute(insert(tables.tables["diagnostic_sessions"]).values(
            title="Before the upgrade", facilitator="Ana", created_at=stamp["updated_at"], agenda=[], notes="",
            **_present(tables.tables["diagnostic_sessions"], stamp))).inserted_primary_key[0]
        decision_id = connection.execute(insert(tables.tables["session_decisions"]).values(
            session_id=session_id, subject_kind="cluster", subject_id="CL-INT-004", verdict=Verdict.MERGE.value,
            rationale="Twice.", raci=[{"person": "Ana", "responsibility": "A"}], due_date=date(2026, 3, 1),
            next_step="", **_present(tables.tables["session_decisions"], {**stamp, "position": 0}))
        ).inserted_primary_key[0]
    engine.dispose()

    upgraded = create_db_engine(database_url)

    assert {"decision_tracking", "portfolio_snapshots"} <= set(inspect(upgraded).get_table_names())
    (tracked,) = tracked_decisions(upgraded, date(2026, 3, 2))
    assert (tracked.id, tracked.status.value, tracked.is_overdue(date(2026, 3, 2))) == (decision_id, "open", True)
    assert change_status(upgraded, decision_id, "done", actor=EDITOR, expected_version=0)
    upgraded.dispose()
