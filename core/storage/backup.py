"""Whole-database backup and restore: every table as versioned, gzipped JSON, restored in one transaction."""

from __future__ import annotations

import base64
import binascii
import gzip
import io
import json
import zlib
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Table, create_engine, delete, func, insert, inspect, select, text, types, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import SQLModel

import core.storage.tables  # noqa: F401  (registers every table on SQLModel.metadata)
from core.domain.access import Actor, require_admin, system_actor
from core.domain.limits import MB, RESTORE_ENV, restore_limit_mb
from core.errors import BackupError, DatabaseError
from core.storage.audit import audit_row
from core.storage.db import MIGRATIONS_DIR, upgrade_database
from core.storage.registry_store import REGISTRY_VERSION_KEY
from core.storage.tables import AppSetting, AuditEntry, utc_now
from core.storage.transactions import REGISTRY_LOCK, SETTINGS_LOCK, SURVIVOR_LOCK, write_session

BACKUP_FORMAT = "igov-backup"
BACKUP_FORMAT_VERSION = 1
_INSERT_CHUNK = 1000
_GZIP_MAGIC = b"\x1f\x8b"


def _tables() -> list[Table]:
    # Parents before children: the order to insert in (delete in reverse).
    return list(SQLModel.metadata.sorted_tables)


def _base_type(column_type: types.TypeEngine) -> types.TypeEngine:
    while isinstance(column_type, types.TypeDecorator):
        column_type = column_type.impl_instance
    return column_type


def _dump_value(value: Any) -> Any:
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _loader(column_type: types.TypeEngine) -> Callable[[Any], Any]:
    base = _base_type(column_type)
    if isinstance(base, types.DateTime):
        return datetime.fromisoformat
    if isinstance(base, types.Date):
        return date.fromisoformat
    if isinstance(base, types.Time):
        return time.fromisoformat
    if isinstance(base, types.LargeBinary):
        return base64.b64decode
    if isinstance(base, types.Numeric) and not isinstance(base, types.Float) and base.asdecimal:
        return Decimal
    if isinstance(base, types.Boolean):
        return _load_bool
    return lambda value: value


def _load_bool(value: Any) -> bool:
    if not isinstance(value, (bool, int)):
        raise TypeError(value)
    return bool(value)


def _migration_scripts() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config)


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _read_snapshot(connection: Connection) -> dict[str, dict]:
    tables = {}
    for table in _tables():
        order = list(table.primary_key.columns) or list(table.columns)
        rows = connection.execute(select(table).order_by(*order)).all()
        tables[table.name] = {
            "columns": [c.name for c in table.columns],
            "rows": [[_dump_value(v) for v in row] for row in rows],
        }
    return tables


def backup_database(engine: Engine) -> bytes:
    """Every table of the database, with its schema revision, as one gzipped JSON document.

    >>> from core.storage.db import create_db_engine
    >>> backup = backup_database(create_db_engine("sqlite://"))
    >>> document = json.loads(gzip.decompress(backup))
    >>> document["format"], "integrations" in document["tables"]
    ('igov-backup', True)

    Args:
        engine: a migrated database (``create_db_engine`` migrates). Tables are read in one
            snapshot, so saves made meanwhile are either wholly in the backup or not at all.

    Returns:
        The backup file's bytes; :func:`restore_database` reads them back.

    Raises:
        DatabaseError: when the database cannot be read.
    """
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                if connection.dialect.name == "sqlite":
                    connection.exec_driver_sql("BEGIN")  # one read snapshot for every table
                revision = _current_revision(connection)
                tables = _read_snapshot(connection)
    except SQLAlchemyError as error:
        raise DatabaseError(f"The database could not be read for a backup: {type(error).__name__}: "
                            f"{str(error).splitlines()[0]}") from error
    document = {
        "format": BACKUP_FORMAT,
        "format_version": BACKUP_FORMAT_VERSION,
        "schema_revision": revision,
        "created_at": utc_now().isoformat(),
        "tables": tables,
    }
    payload = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return gzip.compress(payload, mtime=0)


def _decompress(data: bytes, limit_mb: int) -> bytes:
    """The backup's JSON, decompressed a piece at a time and never past ``limit_mb``: a small file that would
    expand to gigabytes (by accident or on purpose) is refused before it fills the memory."""
    limit = limit_mb * MB
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            payload = stream.read(limit + 1)
    except (EOFError, OSError, zlib.error):
        raise BackupError("The backup file is damaged or incomplete (it could not be decompressed). "
                          "Nothing was changed; use a complete copy of the backup.") from None
    if len(payload) > limit:
        raise BackupError(f"The backup expands to more than {limit_mb:,} MB, the most this igov restores. "
                          f"Nothing was changed. If it is a real backup of a large database, raise {RESTORE_ENV}.")
    return payload


def _parse_document(data: bytes, limit_mb: int | None = None) -> dict:
    if not data.startswith(_GZIP_MAGIC):
        raise BackupError("This is not an igov backup file (it is not a gzip file). Choose a file made by igov backup.")
    payload = _decompress(data, restore_limit_mb() if limit_mb is None else limit_mb)
    try:
        document = json.loads(payload)
    except (UnicodeDecodeError, ValueError):
        raise BackupError("The backup file is damaged (its content is not valid JSON). "
                          "Nothing was changed; use a complete copy of the backup.") from None
    if not isinstance(document, dict) or document.get("format") != BACKUP_FORMAT:
        raise BackupError("This is not an igov backup file. Choose a file made by igov backup.")
    version = document.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        found = "none" if version is None else repr(version)
        raise BackupError(f"The backup file is damaged (its format version is {found}, where igov writes a whole "
                          "number from 1). Nothing was changed; use a complete copy of the backup.")
    if version > BACKUP_FORMAT_VERSION:
        raise BackupError(f"This backup was written by a newer igov (backup format {version}; this igov reads up to "
                          f"{BACKUP_FORMAT_VERSION}). Upgrade igov, then restore it.")
    if not isinstance(document.get("tables"), dict) or not isinstance(document.get("schema_revision"), str):
        raise BackupError("The backup file is damaged (its tables or schema revision are missing). "
                          "Nothing was changed.")
    return document


def _check_revision(revision: str) -> None:
    scripts = _migration_scripts()
    known = [script.revision for script in scripts.walk_revisions()]
    if revision not in known:
        raise BackupError(
            f"This backup comes from a newer igov (database revision {revision}); this igov knows revisions up to "
            f"{scripts.get_current_head()}. Upgrade igov, then restore it. Nothing was changed."
        )


@lru_cache(maxsize=8)
def tables_at_revision(revision: str) -> frozenset[str]:
    """The tables a database has at a schema revision: the migrations up to it, run on an empty in-memory database.

    >>> "audit_log" in tables_at_revision("0004"), "audit_log" in tables_at_revision("0003")
    (True, False)
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    engine = create_engine("sqlite://")
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            return frozenset(set(inspect(connection).get_table_names()) - {"alembic_version", "sqlite_sequence"})
    finally:
        engine.dispose()


def _check_tables(document: dict) -> None:
    # A backup without one of its tables would restore as an empty table: {"tables": {}} would empty the database.
    missing = sorted(tables_at_revision(document["schema_revision"]) - set(document["tables"]))
    if missing:
        raise BackupError(f"The backup file is damaged or incomplete: it has no {', '.join(missing)} "
                          f"table{'s' if len(missing) > 1 else ''}, which every backup of its version holds. "
                          "Nothing was changed; use a complete copy of the backup.")


def _rows_to_insert(document: dict) -> dict[str, list[dict]]:
    known_tables = {table.name: table for table in _tables()}
    prepared: dict[str, list[dict]] = {}
    for name, content in document["tables"].items():
        table = known_tables.get(name)
        if table is None:
            raise BackupError(f"The backup holds a table this igov does not know ({name}). "
                              "Upgrade igov, then restore it. Nothing was changed.")
        if not isinstance(content, dict) or not isinstance(content.get("columns"), list) \
                or not isinstance(content.get("rows"), list):
            raise BackupError(f"The backup file is damaged (table {name} is malformed). Nothing was changed.")
        columns = content["columns"]
        unknown = [c for c in columns if not isinstance(c, str) or c not in table.columns]
        if unknown or len(set(columns)) != len(columns):
            raise BackupError(f"The backup's table {name} has columns this igov does not know "
                              f"({', '.join(map(str, unknown)) or 'repeated names'}). Nothing was changed.")
        loaders = [_loader(table.columns[c].type) for c in columns]
        rows = []
        for number, values in enumerate(content["rows"], start=1):
            if not isinstance(values, list) or len(values) != len(columns):
                raise BackupError(f"The backup file is damaged (table {name}, row {number} has the wrong shape). "
                                  "Nothing was changed.")
            row = {}
            for column, value, load in zip(columns, values, loaders):
                try:
                    row[column] = None if value is None else load(value)
                except (TypeError, ValueError, ArithmeticError, binascii.Error):
                    raise BackupError(f"The backup file is damaged (table {name}, row {number}, {column} = "
                                      f"{str(value)[:40]!r} cannot be read). Nothing was changed.") from None
            rows.append(row)
        prepared[name] = rows
    return prepared


def _reset_sequences(connection: Connection, tables: list[Table]) -> None:
    # Rows came back with their ids; PostgreSQL's id counters must continue after the highest one.
    if connection.dialect.name != "postgresql":
        return
    # Never back, though: an id handed out before the restore is not handed out again (a page still showing it
    # must not save over someone else's new row).
    for table in tables:
        column = table.autoincrement_column
        if column is None:
            continue
        sequence = connection.execute(text("SELECT pg_get_serial_sequence(:table, :column)"),
                                      {"table": table.name, "column": column.name}).scalar_one()
        issued = connection.execute(text(f"SELECT CASE WHEN is_called THEN last_value END FROM {sequence}")).scalar()
        highest = max(connection.execute(select(func.max(column))).scalar() or 0, issued or 0)
        connection.execute(
            text("SELECT setval(:sequence, :value, :called)"),
            {"sequence": sequence, "value": highest or 1, "called": bool(highest)},
        )


def _highest_versions(connection) -> tuple[int, int]:
    """The highest setting version and registry version in the database before a restore."""
    settings = AppSetting.__table__
    highest = connection.execute(select(func.max(settings.c.version))).scalar() or 0
    record = connection.execute(select(settings.c.value).where(settings.c.key == REGISTRY_VERSION_KEY)).scalar()
    return highest, int(record["version"]) if record else 0


def _move_versions_past(connection, before: tuple[int, int]) -> None:
    """Make every restored version newer than anything seen before the restore.

    Running apps cache analyses by these versions; a restore that brought back an old number
    could otherwise be served a cached analysis of a different registry.
    """
    highest_setting, highest_registry = before
    settings = AppSetting.__table__
    connection.execute(update(settings).values(version=settings.c.version + highest_setting + 1))
    record = connection.execute(select(settings.c.value).where(settings.c.key == REGISTRY_VERSION_KEY)).scalar()
    restored = int(record["version"]) if record else 0
    value = {"version": restored + highest_registry + 1}
    if record is None:
        connection.execute(insert(settings).values(key=REGISTRY_VERSION_KEY, value=value, version=1,
                                                   updated_at=utc_now(), updated_by="restore"))
    else:
        connection.execute(update(settings).where(settings.c.key == REGISTRY_VERSION_KEY).values(value=value))


def restore_database(engine: Engine, data: bytes, *, actor: Actor | None = None) -> dict[str, int]:
    """Replace everything in the database with a backup, in one transaction: all of it or nothing.

    >>> from core.storage.db import create_db_engine
    >>> source, target = create_db_engine("sqlite://"), create_db_engine("sqlite://")
    >>> restore_database(target, backup_database(source))["integrations"]
    0

    Args:
        engine: the database to overwrite; it is migrated to this igov's newest schema first.
        data: bytes made by :func:`backup_database` (on SQLite or PostgreSQL, by this or an older igov).

    Returns:
        Rows restored per table, by table name (every table, 0 for an empty one).

    Raises:
        BackupError: for a foreign, damaged or truncated file, or one from a newer igov; the
            database is left untouched.
        DatabaseError: when the database refuses the rows; the transaction is rolled back.
    """
    actor = actor or system_actor("igov restore")
    require_admin(actor)
    document = _parse_document(data)
    _check_revision(document["schema_revision"])
    _check_tables(document)
    rows_by_table = _rows_to_insert(document)
    upgrade_database(engine)
    tables = _tables()
    # Every lock a write takes: no import, edit or choice runs half before and half after the restore.
    with write_session(engine, locks=(REGISTRY_LOCK, SURVIVOR_LOCK, SETTINGS_LOCK), what="the restore") as session:
        _replace_everything(session.connection(), tables, rows_by_table, document, actor)
    return {table.name: len(rows_by_table.get(table.name, [])) for table in tables}


def _replace_everything(connection: Connection, tables: list[Table], rows_by_table: dict[str, list[dict]],
                        document: dict, actor: Actor) -> None:
    try:
        before = _highest_versions(connection)
        for table in reversed(tables):
            connection.execute(delete(table))
        for table in tables:
            rows = rows_by_table.get(table.name, [])
            for start in range(0, len(rows), _INSERT_CHUNK):
                connection.execute(insert(table), rows[start:start + _INSERT_CHUNK])
        _reset_sequences(connection, tables)
        _move_versions_past(connection, before)
        # The restored history ends with the restore itself, so nobody wonders where a day went.
        connection.execute(insert(AuditEntry.__table__), [audit_row(
            actor, "update", "database", "restore", None,
            {"tables": {t.name: len(rows_by_table.get(t.name, [])) for t in tables}},
            f"Restored the whole database from a backup made at {document.get('created_at', 'an unknown time')}.",
        )])
    except SQLAlchemyError as error:
        raise DatabaseError(f"The backup could not be restored, so nothing was changed: {type(error).__name__}: "
                            f"{str(getattr(error, 'orig', None) or error).splitlines()[0]}") from error
