"""Backup and restore of the whole database (registry, settings, sessions, decisions, history)."""

from __future__ import annotations

from core.domain.limits import MB, RESTORE_ENV, restore_limit_mb
from core.storage.backup import backup_database, restore_database

__all__ = ["MB", "RESTORE_ENV", "backup_database", "restore_database", "restore_limit_mb"]
