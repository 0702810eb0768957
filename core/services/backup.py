"""Backup and restore of the whole database (registry, settings, sessions, decisions, history)."""

from __future__ import annotations

from core.storage.backup import backup_database, restore_database

__all__ = ["backup_database", "restore_database"]
