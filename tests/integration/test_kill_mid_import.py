"""A process killed (SIGKILL) inside an import's or a save's write transaction leaves the database exactly as it was.

The kill lands at a known point every time: the writer is a child process that runs the real core
function with a hook on its database connection. Just before the COMMIT is sent (every row, history
entry and the version bump already written inside the transaction), the hook reports what the
transaction holds through a pipe and blocks; the parent checks from outside that the transaction is
open, then kills the child. No polling for a moment that may already have passed.
"""

from __future__ import annotations

import json
import os
import select
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
from core.storage.audit import list_history
from core.storage.db import create_db_engine
from core.storage.registry_store import (
    load_integrations,
    registry_version,
    seed_sample_registry,
)
from tests.conftest import POSTGRES_URL, PROJECT_DIR

ROWS = 20_000
SAVE_ROWS = 3_000  # enough edited pages to overflow SQLite's page cache: about 2 MB uncommitted in the WAL
SAMPLE_ROWS = 67
WAIT_SECONDS = 120
WAL_EVIDENCE_BYTES = 1024 * 1024

POSIX_ONLY = pytest.mark.skipif(os.name != "posix", reason="SIGKILL, signal.pause and pass_fds are POSIX")


def write_large_registry(path: Path, rows: int = ROWS) -> None:
    """A valid registry big enough that its pages overflow SQLite's page cache into the WAL (about 13 MB)."""
    notes = "Nightly sync with retries and a reconciliation report. " * 6
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("id,name,source_system,target_system,data_objects,owner_team,build_hours,notes\n")
        for n in range(rows):
            handle.write(f"GEN-{n:06d},Generated sync {n},System {n % 97},System {n % 89},"
                         f"Object {n % 13}; Object {n % 7},Team {n % 11},{n % 40}-{n % 40 + 5},{notes}\n")


# The writer process. It opens the database and prepares its input first (the migration check commits
# too), then arms the hook: SQLAlchemy's "commit" connection event runs inside Connection.commit()
# before the DBAPI COMMIT, after the session flushed everything. The hook reads, on the writer's own
# connection (so inside its transaction), what the transaction wrote; sends it to the parent on the
# pipe; and blocks until the parent's SIGKILL. A writer that commits without passing the hook says so.
WRITER = """
import json, os, signal, sys
from sqlalchemy import event
from core.storage.db import create_db_engine

url, writer, argument, ready_fd = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
engine = create_db_engine(url)

if writer == "import":  # what `igov import FILE --mode replace` does once it has the file's bytes
    from core.services.identity import system_actor
    from core.services.registry import import_registry_file
    with open(argument, "rb") as handle:
        data = handle.read()

    def write():
        import_registry_file(engine, data, "replace", actor=system_actor("igov import"))
else:  # a save from the Registry page: every row edited at once, one conditional UPDATE per row
    from core.domain.access import system_actor
    from core.domain.registry_edit import RegistryChanges
    from core.storage.registry_store import apply_registry_changes, load_integration_versions, load_integrations
    edited = tuple(i.with_changes(notes="edited " + i.id) for i in load_integrations(engine))
    seen_versions = load_integration_versions(engine)

    def write():
        apply_registry_changes(engine, RegistryChanges(changed=edited), seen_versions, actor=system_actor("kill test"))

INSIDE = {
    "integrations": "SELECT count(*) FROM integrations",
    "edited": "SELECT count(*) FROM integrations WHERE notes LIKE 'edited %'",
    "history": "SELECT count(*) FROM audit_log",
    "version": "SELECT value FROM app_settings WHERE key = 'registry_version'",
}


def pause_before_commit(connection):
    cursor = connection.connection.dbapi_connection.cursor()
    seen = {}
    for name, query in INSIDE.items():
        cursor.execute(query)
        seen[name] = cursor.fetchone()[0]
    cursor.close()
    version = seen["version"]
    seen["version"] = (json.loads(version) if isinstance(version, str) else version)["version"]
    os.write(ready_fd, (json.dumps({"paused_before_commit": seen}) + "\\n").encode())
    while True:
        signal.pause()


event.listen(engine, "commit", pause_before_commit)
write()
os.write(ready_fd, b'{"committed_without_pausing": true}\\n')
"""


def all_history(engine) -> list:
    return list_history(engine, limit=None)


def postgres_backend(application_name: str) -> list[tuple]:
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        return connection.execute(
            "SELECT state, backend_xid IS NOT NULL FROM pg_stat_activity WHERE application_name = %s",
            (application_name,),
        ).fetchall()


def wait_for_backend_to_end(application_name: str) -> None:
    """The server notices the dead client and rolls its transaction back; wait until it has (at most 20 s)."""
    deadline = time.monotonic() + 20
    while postgres_backend(application_name) and time.monotonic() < deadline:
        time.sleep(0.05)


def sqlite_transaction_evidence(db_path: Path) -> str:
    """From another connection: the write lock is taken and the WAL holds the writer's uncommitted pages."""
    wal = Path(f"{db_path}-wal")
    wal_size = wal.stat().st_size if wal.exists() else 0
    probe = sqlite3.connect(db_path, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        if "locked" not in str(error) and "busy" not in str(error):
            raise
        # The sample's own pages are far below 1 MB: a writer that committed part of its work apart
        # would not have this much uncommitted data on disk.
        return f"write lock held, WAL at {wal_size} bytes" if wal_size > WAL_EVIDENCE_BYTES else ""
    else:
        probe.execute("ROLLBACK")
        return ""
    finally:
        probe.close()


def postgres_transaction_evidence(application_name: str) -> str:
    """From another connection: the writer's backend is idle inside a transaction that has written."""
    for state, wrote in postgres_backend(application_name):
        if state == "idle in transaction" and wrote:
            return "backend idle in transaction, transaction id assigned (it wrote)"
    return ""


@dataclass(frozen=True)
class KilledWriter:
    """What a writer killed inside its transaction left: the evidence of the kill and the database after it."""

    evidence: str  # empty when no open write transaction was seen from outside
    inside: dict  # what the writer's transaction held just before its COMMIT
    returncode: int
    stderr: str
    after: list
    version_after: int
    history_after: list


def kill_writer_mid_transaction(database_url: str, writer: str, argument: str, tmp_path: Path) -> KilledWriter:
    """Run WRITER until it pauses just before its COMMIT, check the open transaction from outside, SIGKILL it.

    Fails the test at once when the writer never reached the pause (it crashed, hung, or committed).

    Args:
        database_url: the test database.
        writer: ``import`` (a replace import of the CSV file ``argument``) or ``save`` (every row edited).
        argument: the writer's input file, or anything for ``save``.
        tmp_path: where the writer's stderr goes.
    """
    postgres = not database_url.startswith("sqlite")
    application_name = f"igov-kill-{writer}-{uuid.uuid4().hex[:8]}"
    url = f"{database_url}&application_name={application_name}" if postgres else database_url
    stderr_path = tmp_path / f"{writer}.stderr"
    read_fd, write_fd = os.pipe()
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen([sys.executable, "-c", WRITER, url, writer, argument, str(write_fd)],
                                   cwd=PROJECT_DIR, pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=stderr)
    os.close(write_fd)  # the child holds the only write end: its exit ends the pipe
    try:
        with os.fdopen(read_fd, "rb") as pipe:
            readable, _, _ = select.select([pipe], [], [], WAIT_SECONDS)
            message = json.loads(pipe.readline() or b"{}") if readable else {"timed_out": WAIT_SECONDS}
        if "paused_before_commit" not in message:
            process.kill()
            process.wait(timeout=30)
            pytest.fail(f"the {writer} never paused inside its transaction ({message or 'it exited'}, "
                        f"exit {process.returncode}): {stderr_path.read_text(errors='replace')[-2000:]}")
        if postgres:
            evidence = postgres_transaction_evidence(application_name)
        else:
            evidence = sqlite_transaction_evidence(Path(database_url.removeprefix("sqlite:///")))
        process.send_signal(signal.SIGKILL)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
    if postgres:
        wait_for_backend_to_end(application_name)
    fresh = create_db_engine(database_url)
    after, version_after, history_after = load_integrations(fresh), registry_version(fresh), all_history(fresh)
    fresh.dispose()
    return KilledWriter(evidence, message["paused_before_commit"], process.returncode,
                        stderr_path.read_text(errors="replace"), after, version_after, history_after)


@POSIX_ONLY
def test_a_killed_import_leaves_the_registry_and_its_version_as_they_were(database_url, tmp_path):
    engine = create_db_engine(database_url)
    seed_sample_registry(engine)
    before = load_integrations(engine)
    version_before = registry_version(engine)
    history_before = all_history(engine)
    engine.dispose()
    csv_path = tmp_path / "large.csv"
    write_large_registry(csv_path)

    killed = kill_writer_mid_transaction(database_url, "import", str(csv_path), tmp_path)

    assert killed.evidence, (f"the import never showed an open write transaction (exit {killed.returncode}): "
                             f"{killed.stderr[-500:]}")
    # Killed with the whole import written but not committed: the sample replaced, history, new version.
    assert killed.inside == {"integrations": ROWS, "edited": 0, "history": len(history_before) + SAMPLE_ROWS + ROWS,
                             "version": version_before + 1}
    assert killed.returncode == -signal.SIGKILL
    assert len(before) == SAMPLE_ROWS
    assert killed.after == before
    assert killed.version_after == version_before
    assert killed.history_after == history_before


@POSIX_ONLY
def test_a_killed_save_leaves_every_row_as_it_was(database_url, tmp_path):
    from core.domain.access import system_actor
    from core.storage.registry_store import write_integrations

    csv_path = tmp_path / "large.csv"
    write_large_registry(csv_path, rows=SAVE_ROWS)
    engine = create_db_engine(database_url)
    write_integrations(engine, read_registry_csv(csv_path.read_bytes()).accepted, "replace",
                       actor=system_actor("setup"))
    before = load_integrations(engine)
    version_before = registry_version(engine)
    history_before = all_history(engine)
    engine.dispose()

    killed = kill_writer_mid_transaction(database_url, "save", "-", tmp_path)

    assert killed.evidence, (f"the save never showed an open write transaction (exit {killed.returncode}): "
                             f"{killed.stderr[-500:]}")
    # Killed with every row edited but not committed, each edit in the history, the version bumped.
    assert killed.inside == {"integrations": SAVE_ROWS, "edited": SAVE_ROWS,
                             "history": len(history_before) + SAVE_ROWS, "version": version_before + 1}
    assert killed.returncode == -signal.SIGKILL
    assert killed.after == before
    assert not any(i.notes.startswith("edited ") for i in killed.after)
    assert killed.version_after == version_before
    assert killed.history_after == history_before


def test_the_generated_registry_is_valid_so_the_import_would_write_every_row(tmp_path):
    path = tmp_path / "large.csv"
    write_large_registry(path, rows=500)

    report = read_registry_csv(path.read_bytes())

    assert (len(report.accepted), report.errors) == (500, [])
