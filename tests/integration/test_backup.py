"""Backup and restore on SQLite and PostgreSQL: the whole database comes back, a bad file changes nothing."""

from __future__ import annotations

import functools
import gzip
import json
from datetime import UTC, date, datetime

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from core.domain.access import Actor, Role, system_actor
from core.errors import BackupError, DatabaseError, PermissionDenied
from core.services.analysis import load_analysis
from core.services.backup import restore_database as restore_database_checked
from core.services.registry import import_registry_file
from core.storage.audit import list_history
from core.storage.backup import backup_database, restore_database
from core.storage.db import MIGRATIONS_DIR, create_db_engine
from core.storage.defaults import load_default_settings
from core.storage.registry_store import (
    REGISTRY_VERSION_KEY,
    analysis_inputs_token,
    seed_sample_registry,
)
from core.storage.settings_store import load_settings
from core.storage.survivor_store import load_survivor_choices
from core.storage.tables import (
    AppSetting,
    DiagnosticSessionRecord,
    IntegrationRecord,
    ScoringRecord,
    SessionDecisionRecord,
    SessionItemRecord,
    SessionParticipantRecord,
    SurvivorChoice,
)
from tests.actors import ADMIN
from tests.conftest import DATA_DIR


def _head_revision() -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_current_head()


HEAD = _head_revision()


def snapshot(engine: Engine) -> dict[str, list[dict]]:
    """Every row of every table, ordered by primary key: what "the whole database" means here.

    Setting versions and the registry version number are left out: a restore deliberately moves
    them past every number seen before (see test_restored_versions_are_newer_than_any_before).
    """
    with engine.connect() as connection:
        tables = {
            table.name: [dict(row._mapping)
                         for row in connection.execute(select(table).order_by(*table.primary_key.columns))]
            for table in SQLModel.metadata.sorted_tables
        }
    # The restore records itself in the history (see test_a_restore_is_recorded_in_the_history).
    tables["audit_log"] = [row for row in tables["audit_log"] if row["entity"] != "database"]
    tables["app_settings"] = [
        {k: v for k, v in row.items() if k != "version" and not (k == "value" and row["key"] == REGISTRY_VERSION_KEY)}
        for row in tables["app_settings"]
    ]
    return tables


def fill(engine: Engine) -> None:
    """Registry, settings, a survivor choice, a scoring and a diagnostic session with everyone and everything in it.

    Written as table records: this test is about tables coming back, whichever code path fills them.
    """
    seed_sample_registry(engine)
    settings = load_default_settings()
    with Session(engine) as session, session.begin():
        record = session.get(IntegrationRecord, "INT-001")
        record.notes, record.version = "Zoë's =note", record.version + 1
        session.merge(AppSetting(key="settings", value=settings.as_dict() | {"horizon_months": 24}, updated_by="Ana"))
        session.add(AppSetting(key="aliases",
                               value={"systems": [["SFDC", "Salesforce"]], "objects": [["Opp", "Opportunity"]]}))
        session.add(SurvivorChoice(integration_id="INT-002", note="the group chose it", updated_by="Ana"))
        session.add(ScoringRecord(integration_id="INT-001", integration_name="Opp sync", verdict="merge", score=2.5,
                                  weights={"cost": 0.4}, overrides={}, result={"reasons": ["duplicated"]}))
        meeting = DiagnosticSessionRecord(title="Quote-to-cash duplicates", facilitator="Ana Silva",
                                          started_at=datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
                                          agenda=[{"title": "Context", "minutes": 10, "guidance": ""}],
                                          notes="Zoë joins late")
        session.add(meeting)
        session.flush()
        session.add_all([
            SessionParticipantRecord(session_id=meeting.id, name="Ana Silva", role="revops", position=0),
            SessionParticipantRecord(session_id=meeting.id, name="Bo Berg", role="finance", position=1),
            SessionItemRecord(session_id=meeting.id, kind="assumption", text="Stripe is the billing source of truth"),
            SessionItemRecord(session_id=meeting.id, kind="question", text="Who owns the NetSuite sync?", position=1),
            SessionDecisionRecord(session_id=meeting.id, subject_kind="integration", subject_id="INT-001",
                                  verdict="merge", rationale="Both copies move Opportunity to Stripe.",
                                  raci=[{"person": "Bo Berg", "responsibility": "R"},
                                        {"person": "Ana Silva", "responsibility": "A"}],
                                  due_date=date(2026, 3, 15), next_step="Draft the merge plan"),
        ])


def wipe_and_alter(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        session.execute(delete(IntegrationRecord).where(IntegrationRecord.id == "INT-003"))
        session.execute(delete(SurvivorChoice))
        session.get(AppSetting, "settings").value = load_default_settings().as_dict()
        later = DiagnosticSessionRecord(title="Later session", facilitator="Bo Berg", agenda=[])
        session.add(later)
        session.flush()
        session.add(SessionItemRecord(session_id=later.id, kind="question", text="Added after the backup"))


def add_item(engine: Engine, session_id: int, text: str) -> int:
    with Session(engine) as session, session.begin():
        item = SessionItemRecord(session_id=session_id, kind="assumption", text=text, position=9)
        session.add(item)
        session.flush()
        return item.id


@pytest.fixture
def filled(engine) -> Engine:
    fill(engine)
    return engine


def test_restore_brings_back_every_table_exactly(filled):
    before = snapshot(filled)
    backup = backup_database(filled)
    wipe_and_alter(filled)

    counts = restore_database(filled, backup)

    assert snapshot(filled) == before
    assert counts["integrations"] == len(before["integrations"]) and counts["session_decisions"] == 1
    assert load_settings(filled).horizon_months == 24
    assert load_survivor_choices(filled) == {"INT-002"}


def test_the_backup_names_its_format_and_schema_revision(filled):
    document = json.loads(gzip.decompress(backup_database(filled)))

    assert (document["format"], document["format_version"], document["schema_revision"]) == ("igov-backup", 1, HEAD)
    assert set(document["tables"]) == {t.name for t in SQLModel.metadata.sorted_tables}


def test_new_rows_after_a_restore_get_fresh_ids(filled, tmp_path):
    backup = backup_database(filled)
    empty = create_db_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    restore_database(filled, backup_database(empty))  # everything gone: PostgreSQL's id counters start again
    restore_database(filled, backup)
    empty.dispose()
    session_id = max(r["id"] for r in snapshot(filled)["diagnostic_sessions"])

    item_id = add_item(filled, session_id, "Typed after the restore")

    assert item_id == max(r["id"] for r in snapshot(filled)["session_items"])
    assert [r["text"] for r in snapshot(filled)["session_items"]][-1] == "Typed after the restore"


def test_a_backup_restores_across_sqlite_and_postgresql(filled, tmp_path):
    sqlite = create_db_engine(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    before = snapshot(filled)

    restore_database(sqlite, backup_database(filled))
    restored_in_sqlite = snapshot(sqlite)
    wipe_and_alter(filled)
    restore_database(filled, backup_database(sqlite))

    assert restored_in_sqlite == before
    assert snapshot(filled) == before
    sqlite.dispose()


def test_restored_versions_are_newer_than_any_before(filled):
    backup = backup_database(filled)
    for _ in range(3):
        import_registry_file(filled, (DATA_DIR / "sample_registry.csv").read_bytes(), "merge",
                             actor=system_actor("test"))
    token_before = analysis_inputs_token(filled)

    restore_database(filled, backup)

    token_after = analysis_inputs_token(filled)
    assert token_after[0] > token_before[0]  # registry version
    assert all(after > before for after, before in zip(token_after[1:4], token_before[1:4]) if before)


def test_restoring_into_an_empty_database_migrates_it_first(filled, tmp_path):
    target = create_db_engine(f"sqlite:///{tmp_path / 'new.sqlite3'}", migrate=False)

    restore_database(target, backup_database(filled))

    assert snapshot(target) == snapshot(filled)
    target.dispose()


def rewritten(backup: bytes, change) -> bytes:
    document = json.loads(gzip.decompress(backup))
    change(document)
    return gzip.compress(json.dumps(document).encode("utf-8"))


def set_revision(document):
    document["schema_revision"] = "9999"


def break_a_date(document):
    table = document["tables"]["session_decisions"]
    table["rows"][0][table["columns"].index("due_date")] = "next spring"


@pytest.mark.parametrize(
    ("make_bad_file", "message"),
    [
        (lambda backup: backup[: len(backup) // 2],
         "The backup file is damaged or incomplete (it could not be decompressed). Nothing was changed; "
         "use a complete copy of the backup."),
        (lambda backup: b"name,source_system\nA,B\n",
         "This is not an igov backup file (it is not a gzip file). Choose a file made by igov backup."),
        (lambda backup: gzip.compress(b"{not json"),
         "The backup file is damaged (its content is not valid JSON). "
         "Nothing was changed; use a complete copy of the backup."),
        (lambda backup: gzip.compress(b'{"format": "something-else"}'),
         "This is not an igov backup file. Choose a file made by igov backup."),
        (lambda backup: rewritten(backup, set_revision),
         f"This backup comes from a newer igov (database revision 9999); this igov knows revisions up to {HEAD}. "
         "Upgrade igov, then restore it. Nothing was changed."),
        (lambda backup: rewritten(backup, lambda d: d.update(format_version=2)),
         "This backup was written by a newer igov (backup format 2; this igov reads up to 1). "
         "Upgrade igov, then restore it."),
        (lambda backup: rewritten(backup,
                                  lambda d: d["tables"].update(table_from_the_future={"columns": [], "rows": []})),
         "The backup holds a table this igov does not know (table_from_the_future). "
         "Upgrade igov, then restore it. Nothing was changed."),
        (lambda backup: rewritten(backup, break_a_date),
         "The backup file is damaged (table session_decisions, row 1, due_date = 'next spring' cannot be read). "
         "Nothing was changed."),
        (lambda backup: rewritten(backup, lambda d: d.update(tables={})),
         "The backup file is damaged or incomplete: it has no app_settings, audit_log, decision_tracking, "
         "diagnostic_sessions, integration_sources, integrations, portfolio_snapshots, scorings, session_decisions, "
         "session_items, session_participants, survivor_choices tables, "
         "which every backup of its version holds. Nothing was changed; use a complete copy of the backup."),
        (lambda backup: rewritten(backup, lambda d: d.update(format_version="1")),
         "The backup file is damaged (its format version is '1', where igov writes a whole number from 1). Nothing "
         "was changed; use a complete copy of the backup."),
        (lambda backup: rewritten(backup, lambda d: d.update(format_version=0)),
         "The backup file is damaged (its format version is 0, where igov writes a whole number from 1). Nothing "
         "was changed; use a complete copy of the backup."),
        (lambda backup: rewritten(backup, lambda d: d["tables"].pop("integrations")),
         "The backup file is damaged or incomplete: it has no integrations table, which every backup of its version "
         "holds. Nothing was changed; use a complete copy of the backup."),
    ],
    ids=["truncated", "a csv file", "not json", "foreign json", "newer schema", "newer format", "unknown table",
         "bad value", "no tables", "version as text", "version zero", "no integrations table"],
)
def test_a_bad_backup_is_refused_with_a_plain_message_and_nothing_changes(filled, make_bad_file, message):
    bad_file = make_bad_file(backup_database(filled))
    wipe_and_alter(filled)
    before = snapshot(filled)

    with pytest.raises(BackupError) as raised:
        restore_database(filled, bad_file)

    assert str(raised.value) == message
    assert snapshot(filled) == before


def a_status_nobody_knows(document):
    table = document["tables"]["integrations"]
    table["rows"][0][table["columns"].index("status")] = "bogus"


def a_horizon_in_words(document):
    table = document["tables"]["app_settings"]
    key, value = table["columns"].index("key"), table["columns"].index("value")
    row = next(r for r in table["rows"] if r[key] == "settings")
    row[value] = {**row[value], "horizon_months": "twelve"}


@pytest.mark.parametrize(("change", "cannot_read"), [
    (a_status_nobody_knows, "'bogus' is not a valid Status"),
    (a_horizon_in_words, "horizon_months must be a whole number of months from 1 to 120 (got twelve)"),
])
def test_a_backup_holding_a_value_igov_cannot_read_is_refused_before_anything_changes(filled, change, cannot_read):
    bad_file = rewritten(backup_database(filled), change)
    before = snapshot(filled)

    with pytest.raises(BackupError) as raised:
        restore_database_checked(filled, bad_file, actor=ADMIN)

    assert str(raised.value) == (f"The backup holds a value this igov cannot read ({cannot_read}), so nothing was "
                                 "changed. Restore another backup, or correct that value in the file.")
    assert snapshot(filled) == before
    load_analysis(filled)  # every page still reads the database


def test_a_backup_of_an_older_version_needs_only_the_tables_that_version_had(filled):
    def as_revision_0003(document):
        document["schema_revision"] = "0003"
        del document["tables"]["audit_log"]  # added by 0004

    restore_database(filled, rewritten(backup_database(filled), as_revision_0003))

    assert [e.entity for e in list_history(filled)] == ["database"]  # only the restore itself


@functools.cache
def gzip_bomb(megabytes: int) -> bytes:
    """A gzip file of a JSON list of zeros that expands to ``megabytes`` MB, made without holding them in memory."""
    import zlib

    packer = zlib.compressobj(1, zlib.DEFLATED, 31)  # 31: the gzip format
    chunk = b"0," * (512 * 1024)
    parts = [packer.compress(b"[")] + [packer.compress(chunk) for _ in range(megabytes)]
    return b"".join(parts) + packer.compress(b"0]") + packer.flush()


def test_a_decompression_bomb_is_refused_before_it_fills_the_memory(filled, monkeypatch):
    import tracemalloc

    monkeypatch.setenv("IGOV_MAX_RESTORE_MB", "8")
    bomb = gzip_bomb(128)
    before = snapshot(filled)
    tracemalloc.start()

    with pytest.raises(BackupError) as raised:
        restore_database(filled, bomb)

    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert str(raised.value) == ("The backup expands to more than 8 MB, the most this igov restores. Nothing was "
                                 "changed. If it is a real backup of a large database, raise IGOV_MAX_RESTORE_MB.")
    assert len(bomb) < 1024 * 1024 and peak < 32 * 1024 * 1024  # a few times the limit, not the 128 MB
    assert snapshot(filled) == before


def test_rows_the_database_refuses_roll_the_whole_restore_back(filled):
    def drop_a_required_name(document):
        table = document["tables"]["integrations"]
        table["rows"][-1][table["columns"].index("name")] = None

    bad_file = rewritten(backup_database(filled), drop_a_required_name)
    wipe_and_alter(filled)
    before = snapshot(filled)

    with pytest.raises(DatabaseError) as raised:
        restore_database(filled, bad_file)

    assert str(raised.value).startswith("The backup could not be restored, so nothing was changed: IntegrityError")
    assert snapshot(filled) == before


def test_a_restore_is_recorded_in_the_history(filled):
    backup = backup_database(filled)

    restore_database(filled, backup, actor=system_actor("Ana"))

    [entry] = list_history(filled, entity="database")
    assert (entry.actor, entry.action, entry.entity_id) == ("Ana", "update", "restore")
    assert entry.summary.startswith("Restored the whole database from a backup made at ")


def test_only_an_admin_may_restore(filled):
    backup = backup_database(filled)
    before = snapshot(filled)

    with pytest.raises(PermissionDenied):
        restore_database(filled, backup, actor=Actor("Vic", Role.VIEWER))

    assert snapshot(filled) == before
