"""Backup and restore of the whole database (registry, settings, sessions, decisions, history)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine

from core.domain.access import Actor
from core.domain.limits import MB, RESTORE_ENV, restore_limit_mb
from core.errors import BackupError, GovernanceError
from core.services.analysis import load_analysis
from core.services.decisions import tracked_decisions
from core.services.scoring import list_scorings, saved_rubric
from core.services.sessions import list_decisions, list_items, list_sessions, load_session
from core.services.trend import load_trend, snapshot_portfolio
from core.storage import backup
from core.storage.backup import backup_database
from core.storage.db import create_db_engine
from core.storage.settings_store import load_role_mapping

__all__ = ["MB", "RESTORE_ENV", "backup_database", "restore_database", "restore_limit_mb"]


def _read_everything(engine: Engine) -> None:
    """Read the whole database the way the pages and commands do: any value they cannot read raises here."""
    load_analysis(engine)
    saved_rubric(engine)
    load_role_mapping(engine)
    for summary in list_sessions(engine):
        load_session(engine, summary.id)
        list_decisions(engine, summary.id)
        list_items(engine, summary.id)
    tracked_decisions(engine, date.today())
    load_trend(engine)
    list_scorings(engine)


def check_restorable(data: bytes, *, actor: Actor | None = None) -> None:
    """Restore a backup into a scratch in-memory database and read everything back, before the real one is touched.

    The backup's structure is checked on the way in; this also catches values this igov cannot read (a status
    'bogus', a horizon of 'twelve'), which were written and then broke every page and command.

    Raises:
        BackupError: for a damaged or foreign backup, or one holding a value that cannot be read.
    """
    scratch = create_db_engine("sqlite://")
    try:
        backup.restore_database(scratch, data, actor=actor)
        try:
            _read_everything(scratch)
        except (GovernanceError, ValueError, TypeError, KeyError, AttributeError) as problem:
            raise BackupError(f"The backup holds a value this igov cannot read ({problem}), so nothing was "
                              "changed. Restore another backup, or correct that value in the file.") from problem
    finally:
        scratch.dispose()


def restore_database(engine: Engine, data: bytes, *, actor: Actor | None = None) -> dict[str, int]:
    """Replace the whole database with a backup's content; returns the rows restored per table.

    The backup is first restored into a scratch database and read back (:func:`check_restorable`), so a backup
    that cannot be read leaves this one untouched. The backup brings its own trend; a point is added for the
    restored registry, dated now.
    """
    check_restorable(data, actor=actor)
    counts = backup.restore_database(engine, data, actor=actor)
    snapshot_portfolio(engine, cause="backup restored")
    return counts
