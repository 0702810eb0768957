"""Where integrations came from: record each import's sources, flag what a re-import no longer has, review it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.domain.registry_cells import RowOrigin
from core.storage.registry_store import bump_registry_version
from core.storage.tables import AppSetting, IntegrationRecord, IntegrationSource, utc_now

_CHUNK = 500  # SQLite caps the bound parameters of one statement


@dataclass(frozen=True, slots=True)
class SourceSeen:
    """One integration's record in one source, as stored."""

    integration_id: str
    source: str  # "<format>:<file or tool name>"
    format: str
    source_name: str
    external_id: str
    location: str
    first_seen: datetime
    last_seen: datetime
    missing_since: datetime | None


def source_key(fmt: str, name: str) -> str:
    """The key of one source: its format and the name of the file, folder or tool it was read from.

    >>> source_key("fivetran", "connections.json")
    'fivetran:connections.json'
    """
    return f"{fmt}:{name.strip()}"[:300]


def record_sources(session: Session, *, fmt: str, name: str, origins: Mapping[str, RowOrigin],
                   seen_at: datetime | None = None, rejected: Collection[str] = ()) -> dict[str, int]:
    """Record, inside the caller's transaction, the integrations one import read from one source.

    Rows of this source seen again are updated (``last_seen``, and any "not seen" flag cleared); new ones are added;
    rows of this source the import no longer has are flagged ``missing_since`` (once: the first date stays). Rows of
    integrations that no longer exist (a replace import removed them) are dropped. Ids in ``rejected`` are in the
    file with a problem (a typo in one cell): they are left as they are, neither seen again nor flagged.

    Returns:
        ``{"seen", "new", "unseen", "flagged"}``: rows seen again, rows new to this source, rows flagged now or
        before, and rows flagged by this import.
    """
    seen_at = seen_at or utc_now()
    key = source_key(fmt, name)
    table = IntegrationSource.__table__
    stored = {row.integration_id: row for row in session.execute(select(table).where(table.c.source == key))}
    new_rows = [{"integration_id": i, "source": key, "format": fmt, "source_name": name.strip()[:255],
                 "external_id": origin.external_id, "location": origin.where, "first_seen": seen_at,
                 "last_seen": seen_at, "missing_since": None}
                for i, origin in origins.items() if i not in stored]
    again = [{"b_id": i, "b_source": key, "external_id": origin.external_id, "location": origin.where,
              "last_seen": seen_at, "missing_since": None} for i, origin in origins.items() if i in stored]
    rejected = set(rejected)
    gone = [i for i, row in stored.items() if i not in origins and i not in rejected and row.missing_since is None]
    if new_rows:
        session.execute(insert(IntegrationSource), new_rows)
    if again:
        session.execute(update(table).where(table.c.integration_id == bindparam("b_id"),
                                            table.c.source == bindparam("b_source")), again)
    for start in range(0, len(gone), _CHUNK):
        session.execute(update(table).where(table.c.source == key,
                                            table.c.integration_id.in_(gone[start:start + _CHUNK]))
                        .values(missing_since=seen_at))
    drop_orphans(session)
    unseen = sum(1 for i, row in stored.items() if i not in origins and (i not in rejected or row.missing_since))
    return {"seen": len(again), "new": len(new_rows), "unseen": unseen, "flagged": len(gone)}


def drop_orphans(session: Session) -> None:
    """Drop the source rows of integrations that no longer exist."""
    table = IntegrationSource.__table__
    existing = select(IntegrationRecord.__table__.c.id)
    session.execute(delete(table).where(table.c.integration_id.not_in(existing)))


def drop_orphan_sources(engine: Engine) -> None:
    """:func:`drop_orphans` in a transaction of its own (after integrations were deleted by an edit)."""
    with Session(engine) as session, session.begin():
        drop_orphans(session)


def _rows(engine: Engine, *conditions) -> list[SourceSeen]:
    table = IntegrationSource.__table__
    existing = select(IntegrationRecord.__table__.c.id)
    with engine.connect() as connection:
        rows = connection.execute(select(table).where(table.c.integration_id.in_(existing), *conditions)
                                  .order_by(table.c.source, table.c.integration_id)).mappings().all()
    return [SourceSeen(**row) for row in rows]


def load_sources(engine: Engine) -> list[SourceSeen]:
    """Every source record of an integration that still exists, by source then id."""
    return _rows(engine)


def load_unseen(engine: Engine) -> list[SourceSeen]:
    """The records a re-import of their source no longer had: "not seen since" their ``missing_since``."""
    return _rows(engine, IntegrationSource.__table__.c.missing_since.is_not(None))


def sources_by_integration(engine: Engine) -> dict[str, list[SourceSeen]]:
    """Integration id -> its records that the last import of their source still had."""
    found: dict[str, list[SourceSeen]] = defaultdict(list)
    for row in _rows(engine, IntegrationSource.__table__.c.missing_since.is_(None)):
        found[row.integration_id].append(row)
    return dict(found)


def forget_sources(engine: Engine, pairs: Iterable[tuple[str, str]], updated_by: str = "") -> int:
    """Stop tracking integrations in sources (the "keep it" answer to "not seen since"): the integration stays.

    Args:
        pairs: (integration id, source key) pairs.

    Returns:
        Rows removed.
    """
    table = IntegrationSource.__table__
    removed = 0
    with Session(engine) as session, session.begin():
        for integration_id, key in pairs:
            removed += session.execute(delete(table).where(table.c.integration_id == integration_id,
                                                           table.c.source == key)).rowcount
        if removed:
            # The analysis names the tools rows came from: a new registry version, so no cached analysis is stale.
            bump_registry_version(session, updated_by)
    return removed


COLUMN_MAPS_KEY = "import_column_maps"  # app setting: source name -> {file column: field}
MAX_REMEMBERED_MAPS = 200


def load_column_map(engine: Engine, source_name: str) -> dict[str, str]:
    """The column mapping last used to import this source (file column -> field), or an empty one."""
    with Session(engine) as session:
        record = session.get(AppSetting, COLUMN_MAPS_KEY)
        maps = record.value if record is not None else {}
    found = maps.get(source_name.strip())
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


def save_column_map(session: Session, source_name: str, column_map: Mapping[str, str], updated_by: str) -> None:
    """Remember, inside the caller's transaction, the mapping an import of this source used."""
    record = session.get(AppSetting, COLUMN_MAPS_KEY)
    maps = dict(record.value) if record is not None else {}
    maps.pop(source_name.strip(), None)
    maps[source_name.strip()] = dict(column_map)
    maps = dict(list(maps.items())[-MAX_REMEMBERED_MAPS:])  # the most recently used sources
    if record is None:
        session.add(AppSetting(key=COLUMN_MAPS_KEY, value=maps, updated_by=updated_by))
    else:
        record.value = maps
        record.version += 1
        record.updated_at = utc_now()
        record.updated_by = updated_by
