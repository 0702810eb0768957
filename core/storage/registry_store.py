"""The registry in the database: load, write (replace or merge, all-or-nothing), edit, and the registry version."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Literal

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.domain.access import Actor, require_editor, system_actor
from core.domain.ranges import Range
from core.domain.registry import FIELD_NAMES, Approach, Complexity, Direction, Integration, Status, Tier, Timeliness
from core.domain.registry_csv import read_registry_csv
from core.domain.registry_edit import RegistryChanges
from core.domain.registry_export import integration_cells
from core.errors import EditConflict, GovernanceError
from core.storage.audit import audit_row, only_changes, record_changes
from core.storage.defaults import SAMPLE_REGISTRY
from core.storage.settings_store import ALIASES_KEY, RUBRIC_KEY, SETTINGS_KEY
from core.storage.tables import AppSetting, IntegrationRecord, SurvivorChoice, utc_now
from core.storage.transactions import REGISTRY_LOCK, run_write
from core.wording import format_time

ImportMode = Literal["replace", "merge"]


IMPORT_MODES: tuple[str, ...] = ("replace", "merge")


_RANGE_FIELDS = tuple(name for name in FIELD_NAMES if name in {
    "build_hours", "monthly_maintenance_hours", "hourly_rate", "monthly_tool_cost",
    "reconciliations_per_month", "reconciliation_hours", "people_touching",
})


_ENUM_FIELDS: dict[str, type[StrEnum]] = {
    "direction": Direction, "approach": Approach, "tier": Tier, "timeliness": Timeliness,
    "status": Status, "complexity": Complexity,
}


_PLAIN_FIELDS = ("id", "name", "source_system", "target_system", "owner_team", "owner", "has_monitoring",
                 "has_retry", "has_audit_trail", "source_of_truth_defined", "documented", "launched_on", "notes")


REGISTRY_VERSION_KEY = "registry_version"


SEEDED_KEY = "sample_seeded"


_IN_CHUNK = 500  # SQLite caps the number of bound parameters in one statement


# NOT NULL columns with a plain default (direction, status, notes, ...): what an INSERT that names
# every column sends in place of a None, the value the column default gave when None keys were left out.
_INSERT_DEFAULTS: dict[str, object] = {
    column.name: column.default.arg for column in IntegrationRecord.__table__.columns
    if not column.nullable and column.default is not None and column.default.is_scalar
}


def integration_to_row(integration: Integration, *, updated_by: str = "") -> dict:
    """The column values that store one integration (ranges split into low/likely/high columns)."""
    row: dict = {name: getattr(integration, name) for name in _PLAIN_FIELDS}
    row["data_objects"] = list(integration.data_objects)
    row["consumers"] = list(integration.consumers)
    row["extra"] = dict(integration.extra)
    for name in _ENUM_FIELDS:
        value = getattr(integration, name)
        row[name] = value.value if value is not None else None
    for name in _RANGE_FIELDS:
        value: Range | None = getattr(integration, name)
        for part in ("low", "likely", "high"):
            row[f"{name}_{part}"] = getattr(value, part) if value is not None else None
    row["updated_at"] = utc_now()
    row["updated_by"] = updated_by
    return row


def row_to_integration(record, ranges: dict[tuple, Range] | None = None) -> Integration:
    """Rebuild the typed value from a stored row (a record object or a mapping).

    Args:
        record: an ``IntegrationRecord`` or a mapping of its columns.
        ranges: a memo shared across the rows of one load: equal ranges become one (immutable) value,
            so a 100,000-row registry does not build the same "2-4 hours" range thousands of times.
    """
    get = record.__getitem__ if isinstance(record, Mapping) else lambda name: getattr(record, name)
    values: dict = {name: get(name) for name in _PLAIN_FIELDS}
    values["data_objects"] = tuple(get("data_objects"))
    values["consumers"] = tuple(get("consumers"))
    values["extra"] = dict(get("extra") or {})
    for name, enum_type in _ENUM_FIELDS.items():
        raw = get(name)
        values[name] = enum_type(raw) if raw is not None else None
    for name in _RANGE_FIELDS:
        low = get(f"{name}_low")
        if low is None:
            values[name] = None
            continue
        parts = (low, get(f"{name}_likely"), get(f"{name}_high"))
        if ranges is None:
            values[name] = Range(*parts)
            continue
        if parts not in ranges:
            ranges[parts] = Range(*parts)
        values[name] = ranges[parts]
    return Integration(**values)


def load_integrations(engine: Engine) -> list[Integration]:
    """Every integration in the registry, ordered by id."""
    table = IntegrationRecord.__table__
    # Plain rows, not ORM objects: nothing is written back, and building 100,000 tracked objects
    # took longer than reading the rows.
    with engine.connect() as connection:
        rows = connection.execute(select(table).order_by(table.c.id)).mappings().all()
    ranges: dict[tuple, Range] = {}
    return [row_to_integration(row, ranges) for row in rows]


def count_integrations(engine: Engine) -> int:
    with Session(engine) as session:
        return session.execute(select(func.count()).select_from(IntegrationRecord)).scalar_one()


def registry_version(engine: Engine) -> int:
    """A number that grows with every registry write: caches and exported files refer to it."""
    with Session(engine) as session:
        record = session.get(AppSetting, REGISTRY_VERSION_KEY)
        return int(record.value["version"]) if record else 0


def bump_registry_version(session: Session, updated_by: str) -> int:
    """Count one more registry write, inside the caller's transaction (caches and exports refer to the number)."""
    return _bump_registry_version(session, updated_by)


def _bump_registry_version(session: Session, updated_by: str) -> int:
    """Add one to the registry version, inside the caller's transaction (which holds the registry lock).

    The row is read ``FOR UPDATE`` and written with a plain UPDATE: two writers can never both read n and
    both write n + 1 (on PostgreSQL the second waits for the first's commit, then reads n + 1).
    """
    table = AppSetting.__table__
    stored = session.execute(select(table.c.value).where(table.c.key == REGISTRY_VERSION_KEY)
                             .with_for_update()).scalar_one_or_none()
    if stored is None:
        session.execute(insert(table).values(key=REGISTRY_VERSION_KEY, value={"version": 1}, version=1,
                                             updated_at=utc_now(), updated_by=updated_by))
        return 1
    new_version = int(stored["version"]) + 1
    session.execute(update(table).where(table.c.key == REGISTRY_VERSION_KEY).values(
        value={"version": new_version}, version=table.c.version + 1, updated_at=utc_now(), updated_by=updated_by))
    return new_version


def integration_snapshot(integration: Integration) -> dict:
    """An integration as its history entries store it: the canonical CSV text of each column, plus extra columns.

    >>> i = Integration(id="INT-1", name="A", source_system="X", target_system="Y", data_objects=("Lead",),
    ...                 owner_team="Ops", extra={"Slack": "#ops"})
    >>> snapshot = integration_snapshot(i)
    >>> snapshot["data_objects"], snapshot["extra"]
    ('Lead', {'Slack': '#ops'})
    """
    cells = integration_cells(integration)
    if integration.extra:
        cells["extra"] = dict(integration.extra)
    return cells


def _label(integration: Integration) -> str:
    return f"{integration.id} ({integration.name})" if integration.name else integration.id


def _integration_audit_rows(actor: Actor, before: dict[str, Integration], after: Iterable[Integration],
                            removed: Iterable[str], how: str) -> list[dict]:
    """One history entry per added, changed and removed integration; a change keeps only the fields that moved.

    An integration in ``after`` equal to its ``before`` changed nothing and gets no entry.
    """
    rows = []
    for integration_id in removed:
        old = before[integration_id]
        rows.append(audit_row(actor, "delete", "integration", integration_id, integration_snapshot(old), None,
                              f"Removed {_label(old)}{how}."))
    for integration in after:
        old = before.get(integration.id)
        if old is None:
            rows.append(audit_row(actor, "create", "integration", integration.id, None,
                                  integration_snapshot(integration), f"Added {_label(integration)}{how}."))
            continue
        if old == integration:
            continue  # written as it was: nothing happened, so nothing is recorded
        old_cells, new_cells = only_changes(integration_snapshot(old), integration_snapshot(integration))
        what = ", ".join(old_cells) if old_cells else "no field changed"
        rows.append(audit_row(actor, "update", "integration", integration.id, old_cells, new_cells,
                              f"Changed {_label(integration)}{how}: {what}."))
    return rows


def _load_records(session: Session, ids: Iterable[str] | None) -> dict[str, Integration]:
    """Stored integrations by id: all of them (``ids=None``) or just these, in one SELECT per chunk of ids."""
    table = IntegrationRecord.__table__
    if ids is None:
        rows = session.execute(select(table)).mappings().all()
    else:
        wanted, rows = sorted(set(ids)), []
        for start in range(0, len(wanted), _IN_CHUNK):
            rows.extend(session.execute(select(table).where(table.c.id.in_(wanted[start:start + _IN_CHUNK])))
                        .mappings().all())
    return {row["id"]: (row_to_integration(row), row["version"]) for row in rows}


def write_integrations(
    engine: Engine, integrations: Iterable[Integration], mode: ImportMode = "merge", *,
    actor: Actor, progress: Callable[[float, str], None] | None = None,
    also: Callable[[Session], bool] | None = None,
) -> dict[str, int]:
    """Write integrations in ONE transaction: any failure leaves the registry (and its history) exactly as it was.

    The stored rows are read under the registry lock (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: an advisory
    lock every registry write takes), so two imports, or an import and an edit, never both build on the same
    stored version: the second waits for the first and then reads what it wrote.

    Args:
        engine: the database.
        integrations: validated values (from :func:`core.domain.registry_csv.read_registry_csv`).
        mode: ``replace`` makes the registry equal to these rows; ``merge`` inserts new ids and
            updates existing ones, leaving other rows alone.
        actor: who makes the change (an editor or admin); recorded in history, one entry per row.
        progress: called with (fraction done 0..1, what is happening) while writing, so a page
            can show a progress bar for a big import instead of a frozen screen.
        also: more writes that belong to the same import (where the rows came from), run in its transaction;
            it returns whether it changed anything.

    Returns:
        Counts: ``{"inserted": n, "updated": n, "unchanged": n, "deleted": n}``. A row equal to the stored one
        is ``unchanged``: not written, not in the history; when nothing at all changed, the registry version
        stays as it was.

    Raises:
        PermissionDenied: when the actor is a viewer; nothing is written.
        DatabaseBusy: when another write held the registry longer than the wait allows.
    """
    require_editor(actor)
    if mode not in IMPORT_MODES:
        raise ValueError(f"unknown import mode {mode!r}; use replace or merge")
    integrations = list(integrations)
    report = progress or (lambda fraction, what: None)
    counts = run_write(engine, lambda session: _write_integrations(session, integrations, mode, actor, report, also),
                       locks=(REGISTRY_LOCK,), what="the registry")
    report(1.0, "Done")
    return counts


def _write_integrations(session: Session, integrations: list[Integration], mode: ImportMode, actor: Actor,
                        report: Callable[[float, str], None],
                        also: Callable[[Session], bool] | None = None) -> dict[str, int]:
    """:func:`write_integrations` inside its locked transaction."""
    incoming = {i.id for i in integrations}
    # One read of every affected row gives both the versions and the values before (for history).
    stored = _load_records(session, None if mode == "replace" else incoming)
    before = {integration_id: value for integration_id, (value, _) in stored.items()}
    removed = sorted(set(stored) - incoming) if mode == "replace" else []
    changed = [i for i in integrations if i.id in stored and before[i.id] != i]
    added = [i for i in integrations if i.id not in stored]
    counts = {"inserted": len(added), "updated": len(changed),
              "unchanged": len(incoming & set(stored)) - len(changed), "deleted": len(removed)}
    for start in range(0, len(removed), _IN_CHUNK):
        session.execute(delete(IntegrationRecord).where(IntegrationRecord.id.in_(removed[start:start + _IN_CHUNK])))
    new_rows = [_with_insert_defaults(integration_to_row(i, updated_by=actor.name)) for i in added]
    changed_rows = [integration_to_row(i, updated_by=actor.name) | {"version": stored[i.id][1] + 1} for i in changed]
    # Bulk statements: executemany in large chunks instead of an ORM object per row (100k-row imports);
    # chunks only to report progress, all inside the one transaction.
    written, total = 0, max(len(new_rows) + len(changed_rows), 1)
    # render_nulls: the ORM's bulk INSERT otherwise leaves out None-valued keys, so rows with
    # different empty cells need different statements (nearly one compiled INSERT per row); with
    # every row naming every column, each chunk is one executemany.
    adding = insert(IntegrationRecord).execution_options(render_nulls=True)
    for statement, batch_rows, verb in ((adding, new_rows, "Adding"),
                                         (update(IntegrationRecord), changed_rows, "Updating")):
        for start in range(0, len(batch_rows), _WRITE_CHUNK):
            chunk = batch_rows[start:start + _WRITE_CHUNK]
            session.execute(statement, chunk)
            written += len(chunk)
            report(0.9 * written / total, f"{verb} integrations: {written:,} of {total:,}")
    if added or changed or removed:
        report(0.92, "Recording the history")
        record_changes(session, _integration_audit_rows(actor, before, [*changed, *added], removed,
                                                        f" by a {mode} import"))
    # Where rows came from is part of what the analysis shows (evidence naming two tools): a change there is a new
    # registry version too, even when no row changed.
    sources_changed = bool(also(session)) if also is not None else False
    if added or changed or removed or sources_changed:
        _bump_registry_version(session, actor.name)
    report(0.98, "Saving")
    return counts


_WRITE_CHUNK = 5_000


def _with_insert_defaults(row: dict) -> dict:
    """The row with a None in a NOT NULL defaulted column replaced by that default.

    An INSERT that names every column sends None as NULL; when None-valued keys were left out, the
    column default filled them in. This keeps what is stored the same either way.

    Args:
        row: column values from :func:`integration_to_row` (changed in place).

    Returns:
        The same row.
    """
    for name, default in _INSERT_DEFAULTS.items():
        if name in row and row[name] is None:
            row[name] = default
    return row


def seed_sample_registry(engine: Engine, sample: Path = SAMPLE_REGISTRY) -> bool:
    """Load the sample registry into a brand-new database, once; a registry emptied later stays empty.

    Two processes starting together on a new database (two app servers, the app and a CLI) load it once:
    the check and the load are one transaction under the registry lock.

    Returns:
        ``True`` when the sample was loaded now.
    """
    with Session(engine) as session:
        if session.get(AppSetting, SEEDED_KEY) is not None:
            return False
    accepted = read_registry_csv(sample.read_bytes()).accepted
    actor = system_actor("sample data")

    def seed(session: Session) -> bool:
        table = AppSetting.__table__
        if session.execute(select(table.c.key).where(table.c.key == SEEDED_KEY)).first() is not None:
            return False
        loaded = session.execute(select(func.count()).select_from(IntegrationRecord)).scalar_one() == 0
        if loaded:
            _write_integrations(session, accepted, "replace", actor, lambda fraction, what: None)
        session.execute(insert(table).values(key=SEEDED_KEY, value={"seeded": True}, version=1,
                                             updated_at=utc_now(), updated_by="sample data"))
        return True

    return run_write(engine, seed, locks=(REGISTRY_LOCK,), what="the sample registry")


def analysis_inputs_token(engine: Engine) -> tuple:
    """A cheap fingerprint of everything the analysis depends on: a cache key that changes on any edit."""
    with Session(engine) as session:
        versions = dict(session.execute(
            select(AppSetting.key, AppSetting.version).where(
                AppSetting.key.in_([REGISTRY_VERSION_KEY, SETTINGS_KEY, ALIASES_KEY, RUBRIC_KEY]))
        ).all())
        # Plain tuples: the token is a cache key and must be hashable.
        choices = tuple(sorted(tuple(row) for row in session.execute(
            select(SurvivorChoice.integration_id, SurvivorChoice.version)).all()))
    return (
        registry_version(engine), versions.get(SETTINGS_KEY, 0), versions.get(ALIASES_KEY, 0),
        versions.get(RUBRIC_KEY, 0), choices,
    )


def load_integration_versions(engine: Engine) -> dict[str, int]:
    """The stored version of every integration: what an editor saw when it opened the table."""
    with Session(engine) as session:
        return dict(session.execute(select(IntegrationRecord.id, IntegrationRecord.version)).all())


def _conflict_message(session: Session, integration_id: str, action: str) -> str:
    table = IntegrationRecord.__table__
    record = session.execute(select(table.c.updated_at, table.c.updated_by)
                             .where(table.c.id == integration_id)).first()
    if record is None:
        return (f"{integration_id} was deleted by someone else after you opened it, so your {action} was not saved. "
                "Reload to see the current registry.")
    when = format_time(record.updated_at) if record.updated_at else "recently"  # in UTC, as the message says
    who = record.updated_by or "someone else"
    return (f"{integration_id} was changed by {who} at {when} (UTC) after you opened it, "
            f"so your {action} was not saved. Reload to see their change, then edit again.")


def apply_registry_changes(
    engine: Engine, changes: RegistryChanges, seen_versions: dict[str, int], *, actor: Actor,
    also: Callable[[Session], object] | None = None, locks: Iterable[str] = (),
) -> RegistryChanges:
    """Write edits, additions and deletions in one transaction, refusing any that would overwrite a newer save.

    Each change names the version the user saw; a record whose version moved on since is a
    conflict and nothing at all is written (optimistic concurrency). Each change gets a history entry.
    An edit that leaves an integration as it is stored writes nothing (no history, no new version).

    Returns:
        What was written: the changes less the edits that changed nothing.

    Raises:
        PermissionDenied: when the actor is a viewer.
        EditConflict: naming the integration, who changed it and when.
        GovernanceError: when an added id already exists.

    ``also`` runs more writes that belong to the same change in its transaction (a decision marked done with the
    registry change it implies), holding ``locks`` too.
    """
    require_editor(actor)

    def apply(session: Session) -> RegistryChanges:
        touched = [i.id for i in changes.changed] + list(changes.deleted_ids)
        before = {integration_id: value for integration_id, (value, _) in _load_records(session, touched).items()}
        changed = tuple(i for i in changes.changed if before.get(i.id) != i)
        for integration in changed:
            seen = seen_versions.get(integration.id)
            row = integration_to_row(integration, updated_by=actor.name)
            result = session.execute(
                update(IntegrationRecord)
                .where(IntegrationRecord.id == integration.id, IntegrationRecord.version == seen)
                .values(**{k: v for k, v in row.items() if k != "id"}, version=(seen or 0) + 1)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:
                raise EditConflict(_conflict_message(session, integration.id, "edit"))
        for integration_id in changes.deleted_ids:
            result = session.execute(delete(IntegrationRecord).where(
                IntegrationRecord.id == integration_id, IntegrationRecord.version == seen_versions.get(integration_id))
                .execution_options(synchronize_session=False))
            if result.rowcount != 1:
                raise EditConflict(_conflict_message(session, integration_id, "deletion"))
        for integration in changes.added:
            if session.execute(select(IntegrationRecord.id).where(IntegrationRecord.id == integration.id)).first():
                raise GovernanceError(f"An integration with id {integration.id} already exists. Choose another id.")
            session.execute(insert(IntegrationRecord), [integration_to_row(integration, updated_by=actor.name)])
        written = RegistryChanges(changed=changed, added=changes.added, deleted_ids=changes.deleted_ids)
        if not written.is_empty:
            record_changes(session, _integration_audit_rows(
                actor, before, [*written.changed, *written.added], written.deleted_ids, ""))
            _bump_registry_version(session, actor.name)
        if also is not None:
            also(session)
        return written

    return run_write(engine, apply, locks=(REGISTRY_LOCK, *locks), what="the registry")


def preview_import(engine: Engine, integrations: Iterable[Integration], mode: ImportMode,
                   stored: Iterable[Integration] | None = None) -> dict[str, int]:
    """What an import would do, before it is confirmed: ``{"inserted", "updated", "unchanged", "deleted"}`` counts.

    Args:
        engine: the database.
        integrations: the file's valid rows.
        mode: ``replace`` or ``merge``.
        stored: the registry as already loaded (the Registry page has it); ``None`` loads it.
    """
    current = {i.id: i for i in (load_integrations(engine) if stored is None else stored)}
    incoming = {i.id: i for i in integrations}
    same = sum(1 for i in incoming.values() if current.get(i.id) == i)
    existing = len(incoming.keys() & current.keys())
    return {
        "inserted": len(incoming.keys() - current.keys()),
        "updated": existing - same,
        "unchanged": same,
        "deleted": len(current.keys() - incoming.keys()) if mode == "replace" else 0,
    }
