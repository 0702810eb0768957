"""Write transactions: each change reads what it changes under a lock, and a database refusal comes back in words.

Every write in ``core/storage`` runs in :func:`write_session` (or :func:`run_write`, which retries it). On SQLite
the transaction starts with ``BEGIN IMMEDIATE``: it takes the database's write lock before the first read, so what
a change reads cannot be changed by anyone else before it writes (a plain ``BEGIN`` reads first and can only find
out at its first write that someone else got in between). On PostgreSQL each change names the locks it needs
(:data:`REGISTRY_LOCK`, ...), taken as transaction-level advisory locks before the first read; rows read for a
change are read after that. Both databases wait at most :data:`LOCK_WAIT_SECONDS` for a lock, then refuse in
plain words (:class:`~core.errors.DatabaseBusy`).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from core.errors import DatabaseBusy, DatabaseError, EditConflict, GovernanceError

# How long a change waits for another one to finish before it is refused. A 100,000-row import takes about 15 s
# on SQLite and PostgreSQL on a quiet machine (bench/results.md), several times that on a busy one.
LOCK_WAIT_SECONDS = 60
# A deadlock, a serialisation failure or an id taken at the same moment: the whole change is tried again (it reads
# everything it needs inside the transaction), this many times, before the person is told.
RETRIES = 3

# Advisory lock names (PostgreSQL; SQLite's BEGIN IMMEDIATE already lets one writer in at a time).
REGISTRY_LOCK = "registry"  # integrations, the registry version, the sample seed, restore
SURVIVOR_LOCK = "survivor choices"
SETTINGS_LOCK = "settings"  # read-modify-write of a saved setting (adding one alias)

T = TypeVar("T")

_BUSY_STATES = {"55P03", "57014"}  # lock_not_available (lock_timeout), query_canceled (statement_timeout)
_SQLITE_BUSY_CODES = {5, 6}  # SQLITE_BUSY, SQLITE_LOCKED (extended codes keep these in their low byte)
_SQLITE_UNIQUE_CODES = {1555, 2067}  # SQLITE_CONSTRAINT_PRIMARYKEY, SQLITE_CONSTRAINT_UNIQUE


def lock_key(name: str) -> int:
    """The 64-bit PostgreSQL advisory lock id of a lock name (stable across processes and versions).

    >>> lock_key("registry") == lock_key("registry") != lock_key("settings")
    True
    """
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


def _begin(session: Session, locks: Iterable[str]) -> None:
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        # pysqlite has not begun a transaction yet (it does so only before the first INSERT/UPDATE/DELETE),
        # so this is the first statement of the transaction; SQLAlchemy's commit then commits it.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        return
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_WAIT_SECONDS}s'")
        for name in sorted(set(locks)):  # always in the same order: two changes never wait for each other
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(name)})


@contextmanager
def write_session(engine: Engine, *, locks: Iterable[str] = (), what: str = "this change") -> Iterator[Session]:
    """A session in one write transaction, committed when the block ends, rolled back on any error.

    >>> from core.storage.db import create_db_engine
    >>> from core.storage.tables import AppSetting
    >>> engine = create_db_engine("sqlite://")
    >>> with write_session(engine, what="the example") as session:
    ...     session.add(AppSetting(key="example", value={"n": 1}))
    >>> with Session(engine) as session:
    ...     session.get(AppSetting, "example").value
    {'n': 1}

    Args:
        engine: the database.
        locks: advisory locks to hold until the commit (PostgreSQL), e.g. :data:`REGISTRY_LOCK`.
        what: what is being saved, in words, for a refusal ("the registry", "this decision").

    Raises:
        DatabaseBusy: when someone else held the lock longer than :data:`LOCK_WAIT_SECONDS`.
        EditConflict: when someone else saved the same record at the same moment.
        DatabaseError: for any other refusal, in one line without SQL.
    """
    session = Session(engine)
    try:
        with session.begin():
            _begin(session, locks)
            yield session
    except GovernanceError:
        raise
    except (DBAPIError, StaleDataError) as error:
        raise plain_database_error(error, what) from None
    finally:
        session.close()


def run_write(engine: Engine, work: Callable[[Session], T], *, locks: Iterable[str] = (),
              what: str = "this change", retries: int = RETRIES) -> T:
    """Run ``work(session)`` in :func:`write_session`, again (up to ``retries`` times) after a deadlock,
    a serialisation failure or an id taken at the same moment.

    Only for work that reads everything it depends on inside the transaction, so running it again is the same
    as running it once, later.

    >>> from core.storage.db import create_db_engine
    >>> run_write(create_db_engine("sqlite://"), lambda session: 42)
    42
    """
    locks = tuple(locks)
    for attempt in range(retries + 1):
        try:
            with write_session(engine, locks=locks, what=what) as session:
                return work(session)
        except GovernanceError as error:
            if not getattr(error, "retryable", False) or attempt == retries:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")  # pragma: no cover


def _retryable(error: GovernanceError) -> GovernanceError:
    error.retryable = True
    return error


def _first_line(error: BaseException) -> str:
    # The driver's own message, never SQLAlchemy's (which appends the statement and its parameters).
    original = getattr(error, "orig", None) or error
    return (str(original).strip().splitlines() or [type(original).__name__])[0]


def plain_database_error(error: BaseException, what: str = "this change") -> GovernanceError:
    """A database error as the person reads it: busy, a conflict, or a one-line refusal without SQL.

    Deadlocks, serialisation failures and unique violations are marked ``retryable`` (see :func:`run_write`).
    """
    original = getattr(error, "orig", None)
    state = getattr(original, "sqlstate", None)
    sqlite_code = getattr(original, "sqlite_errorcode", None)
    busy = DatabaseBusy(
        f"Someone else is saving {what} right now (a large import can take a minute), so this change was not "
        "saved. Try again in a moment.")
    conflict = EditConflict(
        f"Someone else saved {what} at the same moment, so this change was not saved. "
        "Reload to see their change, then try again.")
    if state in _BUSY_STATES or (sqlite_code is not None and sqlite_code & 0xFF in _SQLITE_BUSY_CODES):
        return busy
    if state in {"40P01", "40001"}:
        return _retryable(busy)
    if state == "23505" or sqlite_code in _SQLITE_UNIQUE_CODES or isinstance(error, StaleDataError):
        return _retryable(conflict)
    if sqlite_code is None and state is None and "database is locked" in _first_line(error):
        return busy
    return DatabaseError(f"The database refused {what}, so nothing was saved: {_first_line(error)}")
