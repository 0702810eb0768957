"""A process killed (SIGKILL) inside an import's or a save's write transaction leaves the database exactly as it was."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from core.domain.registry_csv import read_registry_csv
from core.storage.db import create_db_engine
from core.storage.registry_store import (
    load_integrations,
    registry_version,
    seed_sample_registry,
)
from tests.conftest import POSTGRES_URL, PROJECT_DIR

ROWS = 20_000
SAMPLE_ROWS = 67
WAIT_SECONDS = 60
WAL_EVIDENCE_BYTES = 1024 * 1024


def write_large_registry(path: Path, rows: int = ROWS) -> None:
    """A valid registry big enough that writing it takes a while: about 13 MB of SQLite pages go to the WAL before the commit lands."""
    notes = "Nightly sync with retries and a reconciliation report. " * 6
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("id,name,source_system,target_system,data_objects,owner_team,build_hours,notes\n")
        for n in range(rows):
            handle.write(f"GEN-{n:06d},Generated sync {n},System {n % 97},System {n % 89},"
                         f"Object {n % 13}; Object {n % 7},Team {n % 11},{n % 40}-{n % 40 + 5},{notes}\n")


def start_import(csv_path: Path, url: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "core", "import", str(csv_path), "--db", url, "--mode", "replace"],
        cwd=PROJECT_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def sqlite_writer_holds_the_lock(probe: sqlite3.Connection) -> bool:
    """True while another connection has an open write transaction (BEGIN IMMEDIATE cannot get the lock)."""
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        if "locked" in str(error) or "busy" in str(error):
            return True
        raise
    probe.execute("ROLLBACK")
    return False


def kill_inside_sqlite_transaction(process: subprocess.Popen, db_path: Path) -> str:
    """Kill once the writer holds the lock AND has put over 1 MB of new pages in the WAL: mid-transaction, data on disk.

    The sample's own pages are far below 1 MB, so an import that committed its delete apart from its
    inserts would be caught here with an empty registry.
    """
    wal = Path(f"{db_path}-wal")
    probe = sqlite3.connect(db_path, timeout=0, isolation_level=None)
    deadline = time.monotonic() + WAIT_SECONDS
    try:
        while time.monotonic() < deadline and process.poll() is None:
            wal_size = wal.stat().st_size if wal.exists() else 0
            if wal_size > WAL_EVIDENCE_BYTES and sqlite_writer_holds_the_lock(probe):
                process.send_signal(signal.SIGKILL)
                return f"write lock held, WAL at {wal_size} bytes"
            time.sleep(0.002)
    finally:
        probe.close()
    return ""


def postgres_backend(application_name: str) -> list[tuple]:
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        return connection.execute(
            "SELECT state, backend_xid IS NOT NULL, query FROM pg_stat_activity WHERE application_name = %s",
            (application_name,),
        ).fetchall()


def kill_inside_postgres_transaction(process: subprocess.Popen, application_name: str, statement: str) -> str:
    """Kill once the writer's backend has a transaction id (it wrote) and is running ``statement``."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        for state, wrote, query in postgres_backend(application_name):
            if wrote and state in ("active", "idle in transaction") and query.startswith(statement):
                process.send_signal(signal.SIGKILL)
                return f"backend {state}, transaction open, running {query[:40]}..."
        time.sleep(0.005)
    return ""


def wait_for_backend_to_end(application_name: str) -> None:
    deadline = time.monotonic() + 20
    while postgres_backend(application_name) and time.monotonic() < deadline:
        time.sleep(0.05)


@dataclass(frozen=True)
class KilledWriter:
    """What a writer killed inside its transaction left: the evidence of the kill and the database after it."""

    evidence: str  # empty when no open write transaction was ever seen
    returncode: int
    stderr: str
    after: list
    version_after: int


def kill_writer_mid_transaction(start, database_url: str, statement: str, tag: str) -> KilledWriter:
    """Start a writer (``start(url)`` returns the process), SIGKILL it inside its write transaction, reopen the database.

    Args:
        start: makes the writer process for a database URL.
        database_url: the test database.
        statement: on PostgreSQL, kill while the writer's backend runs a statement starting with this.
        tag: part of the PostgreSQL application name, to find the writer's backend.
    """
    postgres = not database_url.startswith("sqlite")
    application_name = f"igov-kill-{tag}-{uuid.uuid4().hex[:8]}"
    url = f"{database_url}&application_name={application_name}" if postgres else database_url
    process = start(url)
    if postgres:
        evidence = kill_inside_postgres_transaction(process, application_name, statement)
    else:
        evidence = kill_inside_sqlite_transaction(process, Path(database_url.removeprefix("sqlite:///")))
    process.wait(timeout=30)
    stderr = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    if postgres:
        wait_for_backend_to_end(application_name)
    fresh = create_db_engine(database_url)
    after, version_after = load_integrations(fresh), registry_version(fresh)
    fresh.dispose()
    return KilledWriter(evidence, process.returncode, stderr, after, version_after)


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_a_killed_import_leaves_the_registry_and_its_version_as_they_were(database_url, tmp_path):
    engine = create_db_engine(database_url)
    seed_sample_registry(engine)
    before = load_integrations(engine)
    version_before = registry_version(engine)
    engine.dispose()
    csv_path = tmp_path / "large.csv"
    write_large_registry(csv_path)

    killed = kill_writer_mid_transaction(lambda url: start_import(csv_path, url), database_url,
                                         "INSERT INTO integrations", "test")

    assert killed.evidence, (f"the import never showed an open write transaction (exit {killed.returncode}): "
                             f"{killed.stderr[-500:]}")
    assert killed.returncode == -signal.SIGKILL
    assert len(before) == SAMPLE_ROWS
    assert killed.after == before
    assert killed.version_after == version_before


# A save from the Registry page: every row edited at once, one conditional UPDATE per row, one transaction.
SAVE_SCRIPT = """
import sys
from core.domain.access import system_actor
from core.storage.db import create_db_engine
from core.domain.registry_edit import RegistryChanges
from core.storage.registry_store import apply_registry_changes, load_integration_versions, load_integrations
engine = create_db_engine(sys.argv[1])
edited = tuple(i.with_changes(notes="edited " + i.id) for i in load_integrations(engine))
apply_registry_changes(engine, RegistryChanges(changed=edited), load_integration_versions(engine),
                       actor=system_actor("kill test"))
"""


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_a_killed_save_leaves_every_row_as_it_was(database_url, tmp_path):
    from core.domain.access import system_actor
    from core.storage.registry_store import write_integrations

    csv_path = tmp_path / "large.csv"
    write_large_registry(csv_path, rows=8_000)
    engine = create_db_engine(database_url)
    write_integrations(engine, read_registry_csv(csv_path.read_bytes()).accepted, "replace", actor=system_actor("setup"))
    before = load_integrations(engine)
    version_before = registry_version(engine)
    engine.dispose()

    killed = kill_writer_mid_transaction(
        lambda url: subprocess.Popen([sys.executable, "-c", SAVE_SCRIPT, url], cwd=PROJECT_DIR,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE),
        database_url, "UPDATE integrations", "save")

    assert killed.evidence, (f"the save never showed an open write transaction (exit {killed.returncode}): "
                             f"{killed.stderr[-500:]}")
    assert killed.returncode == -signal.SIGKILL
    assert killed.after == before
    assert not any(i.notes.startswith("edited ") for i in killed.after)
    assert killed.version_after == version_before


def test_the_generated_registry_is_valid_so_the_import_would_write_every_row(tmp_path):
    path = tmp_path / "large.csv"
    write_large_registry(path, rows=500)

    report = read_registry_csv(path.read_bytes())

    assert (len(report.accepted), report.errors) == (500, [])
