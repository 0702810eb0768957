"""The history: who changed what and when, filtered, and as a spreadsheet-safe CSV."""

from __future__ import annotations

from core.storage.audit import (ACTIONS, DEFAULT_LIMIT, ENTITIES, HistoryEntry, change_rows, history_csv, history_rows,
    list_history)

__all__ = ["ACTIONS", "DEFAULT_LIMIT", "ENTITIES", "HistoryEntry", "change_rows", "history_csv", "history_rows",
           "list_history"]
