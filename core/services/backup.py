"""Backup and restore of the whole database (registry, settings, sessions, decisions, history)."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from core.domain.access import Actor
from core.domain.limits import MB, RESTORE_ENV, restore_limit_mb
from core.services.trend import snapshot_portfolio
from core.storage import backup
from core.storage.backup import backup_database

__all__ = ["MB", "RESTORE_ENV", "backup_database", "restore_database", "restore_limit_mb"]


def restore_database(engine: Engine, data: bytes, *, actor: Actor | None = None) -> dict[str, int]:
    """Replace the whole database with a backup's content; returns the rows restored per table.

    The backup brings its own trend; a point is added for the restored registry, dated now.
    """
    counts = backup.restore_database(engine, data, actor=actor)
    snapshot_portfolio(engine, cause="backup restored")
    return counts
