"""Audit trail: every change to integrations, settings, sessions, scorings and decisions, with who, when and what.

Write functions in ``core`` call :func:`record_change` (or :func:`record_changes` for bulk imports)
inside the transaction that makes the change, so the history and the data can never disagree: a
change that is rolled back leaves no entry, and an entry cannot be lost while its change is kept.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import Any, Literal

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.domain.access import Actor
from core.domain.registry_export import neutralise_cell
from core.storage.tables import AuditEntry, utc_now
from core.wording import field_label

Action = Literal["create", "update", "delete"]
ACTIONS: tuple[str, ...] = ("create", "update", "delete")
# What a history entry can be about; the labels are what the History page shows.
ENTITIES: dict[str, str] = {
    "integration": "Integration",
    "setting": "Setting",
    "session": "Diagnostic session",
    "session_item": "Assumption or question",
    "decision": "Decision",
    "participant": "Participants",
    "agenda": "Agenda",
    "scoring": "Scoring",
    "survivor_choice": "Survivor choice",
    "database": "Whole database (restore)",
}
DEFAULT_LIMIT = 500
CSV_COLUMNS = ("when_utc", "who", "role", "action", "entity", "entity_id", "summary", "before", "after")


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One recorded change, as the History page and the CSV export show it."""

    id: int
    at: datetime  # aware, UTC
    actor: str
    actor_role: str
    action: str
    entity: str
    entity_id: str
    summary: str
    before: Any
    after: Any


_SCALARS = (str, int, float, bool)  # stored by the JSON column as they are


def jsonable(value: Any) -> Any:
    """A value the JSON column can store: dates become ISO text, tuples and sets lists, enums their value.

    >>> jsonable({"due": date(2026, 3, 1), "people": ("Ana", "Bo")})
    {'due': '2026-03-01', 'people': ['Ana', 'Bo']}
    """
    # Plain scalars first: a 100,000-row import snapshots millions of text cells, and each would
    # otherwise go through every test below (including a failing hasattr) to be returned as is.
    # Their subclasses (StrEnum, IntEnum members) stay as they are, as they always did.
    if value is None or isinstance(value, _SCALARS):
        return value
    if isinstance(value, dict):
        # The same test inline: a history snapshot is a dict of ~30 text cells per integration.
        return {str(k): v if v is None or isinstance(v, _SCALARS) else jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(jsonable(v) for v in value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if hasattr(value, "value"):
        return jsonable(value.value)  # an enum that is not also a str or int
    return value


def changed_fields(before: dict, after: dict) -> list[str]:
    """The keys whose values differ, in the order of ``after`` then ``before``.

    >>> changed_fields({"name": "A", "owner": "Ana"}, {"name": "B", "owner": "Ana", "tier": "gold"})
    ['name', 'tier']
    """
    keys = list(dict.fromkeys([*after, *before]))
    return [k for k in keys if before.get(k) != after.get(k)]


def only_changes(before: dict, after: dict) -> tuple[dict, dict]:
    """Keep just the fields that changed on both sides: what an update's history entry shows.

    >>> only_changes({"name": "A", "owner": "Ana"}, {"name": "B", "owner": "Ana"})
    ({'name': 'A'}, {'name': 'B'})
    """
    keys = changed_fields(before, after)
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def audit_row(actor: Actor, action: Action, entity: str, entity_id: str | int, before: Any, after: Any,
              summary: str, *, at: datetime | None = None) -> dict:
    """The column values of one history entry (for :func:`record_changes`)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if entity not in ENTITIES:
        raise ValueError(f"unknown audit entity {entity!r}")
    return {
        "at": at or utc_now(),
        "actor": (actor.name or "unknown")[:200],
        "actor_role": actor.role.value,
        "action": action,
        "entity": entity,
        "entity_id": str(entity_id)[:200],
        "summary": summary,
        "before": None if before is None else jsonable(before),
        "after": None if after is None else jsonable(after),
    }


def record_change(session: Session, actor: Actor, action: Action, entity: str, entity_id: str | int,
                  before: Any, after: Any, summary: str) -> None:
    """Add one history entry inside the caller's transaction.

    ``before`` is ``None`` for a create, ``after`` for a delete.
    """
    record_changes(session, [audit_row(actor, action, entity, entity_id, before, after, summary)])


def record_changes(session: Session, rows: list[dict]) -> None:
    """Add many history entries in one executemany (bulk imports write one per integration)."""
    if rows:
        # The table's own INSERT (not the ORM's bulk path): one executemany, no per-row ORM bookkeeping.
        session.execute(insert(AuditEntry.__table__), rows)


def _entry(record: AuditEntry) -> HistoryEntry:
    at = record.at if record.at.tzinfo is not None else record.at.replace(tzinfo=UTC)
    return HistoryEntry(id=record.id, at=at, actor=record.actor, actor_role=record.actor_role, action=record.action,
                        entity=record.entity, entity_id=record.entity_id, summary=record.summary,
                        before=record.before, after=record.after)


def list_history(
    engine: Engine,
    *,
    entity: str | None = None,
    entity_id: str | int | None = None,
    actor: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = DEFAULT_LIMIT,
) -> list[HistoryEntry]:
    """Recorded changes, newest first, narrowed by any of the filters.

    >>> from core.storage.db import create_db_engine
    >>> from core.domain.access import Actor, Role
    >>> engine = create_db_engine("sqlite://")
    >>> with Session(engine) as s, s.begin():
    ...     record_change(s, Actor("Ana", Role.ADMIN), "update", "setting", "settings",
    ...                   {"horizon_months": 12}, {"horizon_months": 24}, "Changed the settings: horizon_months.")
    >>> [(e.actor, e.action, e.entity_id, e.after) for e in list_history(engine, entity="setting")]
    [('Ana', 'update', 'settings', {'horizon_months': 24})]

    Args:
        engine: the database.
        entity: only entries about this kind of record (see :data:`ENTITIES`).
        entity_id: only entries about this record (an integration id, a session id, a setting key).
        actor: only changes by people whose name contains this text (any case).
        action: ``create``, ``update`` or ``delete``.
        since: only changes at or after this moment (aware; naive means UTC).
        until: only changes before this moment.
        limit: at most this many (the newest); ``None`` for all.

    Returns:
        The matching entries, newest first.
    """
    statement = select(AuditEntry)
    if entity:
        statement = statement.where(AuditEntry.entity == entity)
    if entity_id is not None and str(entity_id) != "":
        statement = statement.where(AuditEntry.entity_id == str(entity_id))
    if actor and actor.strip():
        statement = statement.where(AuditEntry.actor.icontains(actor.strip(), autoescape=True))
    if action:
        statement = statement.where(AuditEntry.action == action)
    if since is not None:
        statement = statement.where(AuditEntry.at >= _utc(since))
    if until is not None:
        statement = statement.where(AuditEntry.at < _utc(until))
    statement = statement.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if limit is not None:
        statement = statement.limit(limit)
    with Session(engine) as session:
        return [_entry(record) for record in session.execute(statement).scalars().all()]


def history_rows(entries: Iterable[HistoryEntry], tz: tzinfo = UTC) -> list[dict]:
    """Rows of the history table: when (in the viewer's time zone), who, what happened and to what.

    >>> entry = HistoryEntry(7, datetime(2026, 3, 2, 14, 2, tzinfo=UTC), "Ana", "editor", "update",
    ...                      "integration", "INT-1", "Changed INT-1 (Deals): name.", {"name": "A"}, {"name": "B"})
    >>> history_rows([entry])[0]  # doctest: +NORMALIZE_WHITESPACE
    {'#': 7, 'When': '2026-03-02 14:02 UTC', 'Who': 'Ana', 'Role': 'editor', 'Action': 'update',
     'What': 'Integration', 'Id': 'INT-1', 'Summary': 'Changed INT-1 (Deals): name.'}
    """
    return [{
        "#": e.id,
        "When": e.at.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z"),
        "Who": e.actor,
        "Role": e.actor_role,
        "Action": e.action,
        "What": ENTITIES.get(e.entity, e.entity),
        "Id": e.entity_id,
        "Summary": e.summary,
    } for e in entries]


def _plain(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{field_label(str(k))}: {_plain(v)}" for k, v in value.items())
    return str(value)


def change_rows(before: dict | None, after: dict | None) -> list[dict]:
    """One change, field by field, in words: each field that differs, its value before and after.

    A creation lists what was set and a deletion what was removed ("—" for nothing).

    >>> change_rows({"name": "A", "tier": "core", "has_retry": False}, {"name": "B", "tier": "core", "has_retry": True})
    [{'Field': 'Name', 'Before': 'A', 'After': 'B'}, {'Field': 'Retries on failure', 'Before': 'no', 'After': 'yes'}]
    >>> change_rows(None, {"data_objects": ["Deal", "Invoice"]})
    [{'Field': 'Data objects', 'Before': '—', 'After': 'Deal, Invoice'}]
    """
    before, after = before or {}, after or {}
    fields = [*before, *(k for k in after if k not in before)]
    return [{"Field": field_label(str(k)), "Before": _plain(before.get(k)), "After": _plain(after.get(k))}
            for k in fields if before.get(k) != after.get(k)]


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _json_cell(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def history_csv(entries: Iterable[HistoryEntry]) -> str:
    """The entries as CSV for a spreadsheet, with formula-like text made inert (a leading ``'``).

    >>> entry = HistoryEntry(1, datetime(2026, 3, 2, 14, 2, tzinfo=UTC), "=Ana", "admin", "update",
    ...                      "integration", "INT-1", "Notes edited.", {"notes": "-5"}, {"notes": "+cmd"})
    >>> print(history_csv([entry]), end="")
    when_utc,who,role,action,entity,entity_id,summary,before,after
    2026-03-02 14:02:00,'=Ana,admin,update,integration,INT-1,Notes edited.,"{""notes"": ""-5""}","{""notes"": ""+cmd""}"

    Args:
        entries: what the History page shows (already filtered).

    Returns:
        CSV text (write it as UTF-8); ``before`` and ``after`` are JSON.
    """  # noqa: E501 (the expected CSV line of the example cannot be wrapped)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        cells = [e.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"), e.actor, e.actor_role, e.action,
                 e.entity, e.entity_id, e.summary, _json_cell(e.before), _json_cell(e.after)]
        writer.writerow([neutralise_cell(c) if isinstance(c, str) else c for c in cells])
    return buffer.getvalue()
