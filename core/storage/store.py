"""Registry persistence: load, import (replace or merge, all-or-nothing), settings and the registry version."""

from __future__ import annotations

import csv
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import Callable, Iterable, Literal, Mapping

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from core.domain.access import (
    Actor,
    RoleMapping,
    require_admin,
    require_editor,
    system_actor,
)
from core.domain.names import Aliases, AliasPairs, load_aliases
from core.domain.ranges import Range
from core.domain.registry import (
    FIELD_NAMES,
    Approach,
    Complexity,
    Direction,
    Integration,
    Status,
    Tier,
    Timeliness,
)
from core.domain.registry_csv import ImportReport, integration_cells, read_registry_csv
from core.domain.registry_edit import RegistryChanges
from core.domain.rubric import RubricConfig, load_rubric
from core.domain.settings import DATA_DIR, Settings, load_default_settings
from core.errors import EditConflict, GovernanceError
from core.storage.audit import (
    audit_row,
    changed_fields,
    jsonable,
    only_changes,
    record_change,
    record_changes,
)
from core.storage.tables import AppSetting, IntegrationRecord, SurvivorChoice, utc_now

SAMPLE_REGISTRY = DATA_DIR / "sample_registry.csv"
SYSTEM_ALIASES_FILE = DATA_DIR / "system_aliases.csv"
OBJECT_ALIASES_FILE = DATA_DIR / "object_aliases.csv"
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
SETTINGS_KEY = "settings"
SEEDED_KEY = "sample_seeded"
ALIASES_KEY = "aliases"
RUBRIC_KEY = "rubric"
ROLES_KEY = "roles"
# How history entries and conflict messages name each saved setting.
SETTING_LABELS = {
    SETTINGS_KEY: "the cost and analysis settings",
    RUBRIC_KEY: "the decision rubric",
    ALIASES_KEY: "the name aliases",
    ROLES_KEY: "the role mapping",
}
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


def _bump_registry_version(session: Session, updated_by: str) -> int:
    record = session.get(AppSetting, REGISTRY_VERSION_KEY)
    if record is None:
        record = AppSetting(key=REGISTRY_VERSION_KEY, value={"version": 1}, updated_by=updated_by)
        session.add(record)
        return 1
    new_version = int(record.value["version"]) + 1
    record.value = {"version": new_version}
    record.version += 1
    record.updated_at = utc_now()
    record.updated_by = updated_by
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
    """One history entry per added, changed and removed integration; a change keeps only the fields that moved."""
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
        if old == integration:  # re-imported as it was: skip building two snapshots to compare
            old_cells, new_cells = {}, {}
        else:
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
) -> dict[str, int]:
    """Write integrations in ONE transaction: any failure leaves the registry (and its history) exactly as it was.

    Args:
        engine: the database.
        integrations: validated values (from :func:`core.domain.registry_csv.read_registry_csv`).
        mode: ``replace`` makes the registry equal to these rows; ``merge`` inserts new ids and
            updates existing ones, leaving other rows alone.
        actor: who makes the change (an editor or admin); recorded in history, one entry per row.
        progress: called with (fraction done 0..1, what is happening) while writing, so a page
            can show a progress bar for a big import instead of a frozen screen.

    Returns:
        Counts: ``{"inserted": n, "updated": n, "deleted": n}``.

    Raises:
        PermissionDenied: when the actor is a viewer; nothing is written.
    """
    require_editor(actor)
    if mode not in IMPORT_MODES:
        raise ValueError(f"unknown import mode {mode!r}; use replace or merge")
    integrations = list(integrations)
    rows = [integration_to_row(i, updated_by=actor.name) for i in integrations]
    incoming = {r["id"] for r in rows}
    with Session(engine) as session, session.begin():
        # One read of every affected row gives both the versions and the values before (for history).
        stored = _load_records(session, None if mode == "replace" else incoming)
        before = {integration_id: value for integration_id, (value, _) in stored.items()}
        existing = set(stored) if mode == "replace" else set(stored) & incoming
        removed = sorted(set(stored) - incoming) if mode == "replace" else []
        counts = {"inserted": len(incoming - existing), "updated": len(incoming & existing), "deleted": len(removed)}
        for start in range(0, len(removed), _IN_CHUNK):
            session.execute(delete(IntegrationRecord).where(IntegrationRecord.id.in_(removed[start:start + _IN_CHUNK])))
        new_rows = [_with_insert_defaults(r) for r in rows if r["id"] not in existing]
        changed_rows = [r | {"version": stored[r["id"]][1] + 1} for r in rows if r["id"] in existing]
        # Bulk statements: executemany in large chunks instead of an ORM object per row (100k-row imports);
        # chunks only to report progress, all inside the one transaction.
        report = progress or (lambda fraction, what: None)
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
        report(0.92, "Recording the history")
        record_changes(session, _integration_audit_rows(actor, before, integrations, removed, f" by a {mode} import"))
        _bump_registry_version(session, actor.name)
        report(0.98, "Saving")
    report(1.0, "Done")
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


def import_registry_file(
    engine: Engine, data: bytes, mode: ImportMode = "merge", *, strict: bool = False, actor: Actor,
) -> tuple[ImportReport, dict[str, int] | None]:
    """Validate a CSV file and write its valid rows (all rows or none with ``strict``).

    Returns:
        The import report and the write counts, or ``None`` counts when nothing was written
        (strict mode with errors, or no valid row).

    Raises:
        PermissionDenied: when the actor is a viewer (checked before the file is read).
    """
    require_editor(actor)
    report = read_registry_csv(data)
    if (strict and report.errors) or not report.accepted:
        return report, None
    return report, write_integrations(engine, report.accepted, mode, actor=actor)


def seed_sample_registry(engine: Engine, sample: Path = SAMPLE_REGISTRY) -> bool:
    """Load the sample registry into a brand-new database, once; a registry emptied later stays empty.

    Returns:
        ``True`` when the sample was loaded now.
    """
    with Session(engine) as session:
        if session.get(AppSetting, SEEDED_KEY) is not None:
            return False
    if count_integrations(engine) == 0:
        report = read_registry_csv(sample.read_bytes())
        write_integrations(engine, report.accepted, "replace", actor=system_actor("sample data"))
    with Session(engine) as session, session.begin():
        if session.get(AppSetting, SEEDED_KEY) is None:
            session.add(AppSetting(key=SEEDED_KEY, value={"seeded": True}, updated_by="sample data"))
    return True


def load_settings(engine: Engine) -> Settings:
    """The saved settings, or the shipped defaults when none were saved."""
    defaults = load_default_settings()
    with Session(engine) as session:
        record = session.get(AppSetting, SETTINGS_KEY)
        if record is None:
            return defaults
        known = {k: v for k, v in record.value.items() if k in Settings.__dataclass_fields__}
        return Settings(**(defaults.as_dict() | known))


def load_survivor_choices(engine: Engine) -> set[str]:
    """Ids the group explicitly chose to keep in their clusters."""
    with Session(engine) as session:
        return set(session.execute(select(SurvivorChoice.integration_id)).scalars().all())


def save_survivor_choice(engine: Engine, cluster_members: Iterable[str], chosen_id: str, *, actor: Actor) -> None:
    """Record which member a cluster keeps; any earlier choice within the same cluster is replaced.

    Raises:
        PermissionDenied: when the actor is a viewer.
        ValueError: when the chosen id is not a member of the cluster.
    """
    require_editor(actor)
    members = set(cluster_members)
    if chosen_id not in members:
        raise ValueError(f"{chosen_id} is not a member of this cluster")
    with Session(engine) as session, session.begin():
        previous = sorted(session.execute(select(SurvivorChoice.integration_id).where(
            SurvivorChoice.integration_id.in_(sorted(members)))).scalars().all())
        session.execute(delete(SurvivorChoice).where(SurvivorChoice.integration_id.in_(sorted(members))))
        session.add(SurvivorChoice(integration_id=chosen_id, updated_by=actor.name))
        after = {"kept": chosen_id, "cluster": sorted(members)}
        if previous:
            record_change(session, actor, "update", "survivor_choice", chosen_id,
                          {"kept": previous[0] if len(previous) == 1 else previous, "cluster": sorted(members)}, after,
                          f"Chose {chosen_id} to keep in its cluster instead of {', '.join(previous)}.")
        else:
            record_change(session, actor, "create", "survivor_choice", chosen_id, None, after,
                          f"Chose {chosen_id} to keep in its cluster ({', '.join(sorted(members))}).")


def load_alias_tables(engine: Engine) -> Aliases:
    """The alias tables saved from the Settings page, or the shipped CSV files when none were saved."""
    with Session(engine) as session:
        record = session.get(AppSetting, ALIASES_KEY)
    if record is None:
        return load_aliases()
    return Aliases.from_pairs(systems=record.value.get("systems", []), objects=record.value.get("objects", []))


def setting_version(engine: Engine, key: str) -> int:
    """The version of a saved setting (``settings``, ``rubric``, ``aliases``, ``roles``); 0 while never saved.

    A page keeps the version it showed and passes it back as ``expected_version`` when saving.
    """
    with Session(engine) as session:
        version = session.execute(select(AppSetting.version).where(AppSetting.key == key)).scalar_one_or_none()
    return int(version or 0)


def _setting_defaults(key: str) -> dict:
    # What was in force before a setting was first saved: the history's "before" of the first save.
    if key == SETTINGS_KEY:
        return load_default_settings().as_dict()
    if key == RUBRIC_KEY:
        return _rubric_value(load_rubric())
    if key == ALIASES_KEY:
        return _alias_value(default_alias_pairs())
    return RoleMapping().as_value()


def _setting_conflict(record: AppSetting | None, key: str) -> EditConflict:
    label = SETTING_LABELS.get(key, key)
    if record is None:
        return EditConflict(f"{label.capitalize()} changed after you opened this page, so your change was not saved: "
                            "reload to see the current values, or overwrite them with yours.")
    when = record.updated_at.strftime("%Y-%m-%d %H:%M") if record.updated_at else "recently"
    who = record.updated_by or "someone else"
    return EditConflict(f"{label.capitalize()} were changed by {who} at {when} (UTC) after you opened this page, "
                        "so your change was not saved: reload to see theirs, or overwrite them with yours.")


def _put_setting(session: Session, key: str, value: dict, actor: Actor, expected_version: int | None) -> int:
    """Save one setting if it is still at ``expected_version`` (``None``: whatever it is), with its history entry.

    Returns:
        The setting's new version.

    Raises:
        EditConflict: when someone else saved it since (naming who and when); nothing is written.
    """
    value = jsonable(value)
    record = session.execute(select(AppSetting).where(AppSetting.key == key)
                             .execution_options(populate_existing=True)).scalar_one_or_none()
    label = SETTING_LABELS.get(key, key)
    if record is None:
        if expected_version not in (None, 0):
            raise _setting_conflict(None, key)
        before = _setting_defaults(key)
        session.add(AppSetting(key=key, value=value, updated_by=actor.name))
        try:
            session.flush()
        except IntegrityError:
            # Someone else saved this setting for the first time at the same moment.
            raise _setting_conflict(None, key) from None
        new_version = 1
    else:
        if expected_version is not None and record.version != expected_version:
            raise _setting_conflict(record, key)
        before = record.value
        # Conditional update: the version the user saw came from an earlier page run (see tech notes).
        result = session.execute(
            update(AppSetting).where(AppSetting.key == key, AppSetting.version == record.version)
            .values(value=value, version=record.version + 1, updated_at=utc_now(), updated_by=actor.name)
            .execution_options(synchronize_session=False))
        if result.rowcount != 1:
            raise _setting_conflict(session.execute(select(AppSetting).where(AppSetting.key == key)
                                                    .execution_options(populate_existing=True)).scalar_one_or_none(), key)
        new_version = record.version + 1
    fields = changed_fields(before, value)
    what = ", ".join(fields) if fields else "nothing changed"
    record_change(session, actor, "update", "setting", key, before, value, f"Changed {label}: {what}.")
    return new_version


def save_settings(engine: Engine, settings: Settings, *, actor: Actor, expected_version: int | None) -> int:
    """Save validated settings (a :class:`Settings` value cannot hold an invalid one).

    Args:
        engine: the database.
        settings: the new values.
        actor: who saves them (an admin).
        expected_version: the version the user loaded (:func:`setting_version`); ``None`` overwrites
            whatever is saved (the page's "overwrite" after a conflict, scripts).

    Returns:
        The settings' new version.

    Raises:
        PermissionDenied: unless the actor is an admin.
        EditConflict: when someone saved the settings after ``expected_version``, naming who and when.
    """
    require_admin(actor)
    with Session(engine) as session, session.begin():
        return _put_setting(session, SETTINGS_KEY, settings.as_dict(), actor, expected_version)


def _alias_value(pairs: AliasPairs) -> dict:
    return {"systems": [list(p) for p in pairs.systems], "objects": [list(p) for p in pairs.objects]}


def save_alias_tables(
    engine: Engine, systems: Iterable[tuple[str, str]], objects: Iterable[tuple[str, str]], *,
    actor: Actor, expected_version: int | None,
) -> int:
    """Validate and save both alias tables; an invalid pair raises ConfigError and nothing is saved.

    Returns:
        The alias tables' new version.

    Raises:
        PermissionDenied: unless the actor is an admin.
        ConfigError: naming the invalid pair.
        EditConflict: when someone saved the aliases after ``expected_version``.
    """
    require_admin(actor)
    systems, objects = [tuple(p) for p in systems], [tuple(p) for p in objects]
    Aliases.from_pairs(systems=systems, objects=objects)  # validates
    with Session(engine) as session, session.begin():
        return _put_setting(session, ALIASES_KEY, _alias_value(AliasPairs(systems=tuple(systems), objects=tuple(objects))),
                            actor, expected_version)


def default_alias_pairs() -> AliasPairs:
    """The shipped alias tables as (alias, canonical) rows, for the Settings editor and reset."""
    rows = {}
    for kind, path in (("systems", SYSTEM_ALIASES_FILE), ("objects", OBJECT_ALIASES_FILE)):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows[kind] = tuple((row["alias"].strip(), row["canonical"].strip()) for row in csv.DictReader(handle)
                               if (row.get("alias") or "").strip())
    return AliasPairs(**rows)


def load_alias_pairs(engine: Engine) -> AliasPairs:
    """The alias rows in force: saved ones, else the shipped files."""
    with Session(engine) as session:
        record = session.get(AppSetting, ALIASES_KEY)
    if record is None:
        return default_alias_pairs()
    return AliasPairs(**{kind: tuple(tuple(p) for p in record.value.get(kind, [])) for kind in ("systems", "objects")})


def reset_settings(engine: Engine, *, actor: Actor) -> None:
    """Put the shipped defaults back for settings, rubric and aliases (one history entry each).

    Defaults are written (not just deleted) so each setting's version keeps growing and no cached
    analysis of an earlier state can be mistaken for the current one. A reset is deliberate and
    confirmed on the page, so it overwrites whatever is saved.

    Raises:
        PermissionDenied: unless the actor is an admin.
    """
    require_admin(actor)
    with Session(engine) as session, session.begin():
        for key in (SETTINGS_KEY, ALIASES_KEY, RUBRIC_KEY):
            _put_setting(session, key, _setting_defaults(key), actor, None)


def load_role_mapping(engine: Engine) -> RoleMapping:
    """Which e-mails are admins and editors in team mode (empty until an admin saves it)."""
    with Session(engine) as session:
        record = session.get(AppSetting, ROLES_KEY)
    return RoleMapping.from_value(record.value if record else None)


def save_role_mapping(engine: Engine, mapping: RoleMapping, *, actor: Actor, expected_version: int | None) -> int:
    """Save who is admin and editor (validated by :class:`RoleMapping`).

    Returns:
        The mapping's new version.

    Raises:
        PermissionDenied: unless the actor is an admin.
        EditConflict: when someone saved the mapping after ``expected_version``.
    """
    require_admin(actor)
    with Session(engine) as session, session.begin():
        return _put_setting(session, ROLES_KEY, mapping.as_value(), actor, expected_version)


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
    record = session.get(IntegrationRecord, integration_id)
    if record is None:
        return f"{integration_id} was deleted by someone else after you opened it, so your {action} was not saved. Reload to see the current registry."
    when = record.updated_at.strftime("%Y-%m-%d %H:%M") if record.updated_at else "recently"
    who = record.updated_by or "someone else"
    return (f"{integration_id} was changed by {who} at {when} (UTC) after you opened it, so your {action} was not saved. "
            "Reload to see their change, then edit again.")


def apply_registry_changes(
    engine: Engine, changes: RegistryChanges, seen_versions: dict[str, int], *, actor: Actor
) -> None:
    """Write edits, additions and deletions in one transaction, refusing any that would overwrite a newer save.

    Each change names the version the user saw; a record whose version moved on since is a
    conflict and nothing at all is written (optimistic concurrency). Each change gets a history entry.

    Raises:
        PermissionDenied: when the actor is a viewer.
        EditConflict: naming the integration, who changed it and when.
        GovernanceError: when an added id already exists.
    """
    require_editor(actor)
    with Session(engine) as session, session.begin():
        touched = [i.id for i in changes.changed] + list(changes.deleted_ids)
        before = {integration_id: value for integration_id, (value, _) in _load_records(session, touched).items()}
        for integration in changes.changed:
            seen = seen_versions.get(integration.id)
            row = integration_to_row(integration, updated_by=actor.name)
            result = session.execute(
                update(IntegrationRecord)
                .where(IntegrationRecord.id == integration.id, IntegrationRecord.version == seen)
                .values(**{k: v for k, v in row.items() if k != "id"}, version=(seen or 0) + 1)
            )
            if result.rowcount != 1:
                raise EditConflict(_conflict_message(session, integration.id, "edit"))
        for integration_id in changes.deleted_ids:
            result = session.execute(delete(IntegrationRecord).where(
                IntegrationRecord.id == integration_id, IntegrationRecord.version == seen_versions.get(integration_id)))
            if result.rowcount != 1:
                raise EditConflict(_conflict_message(session, integration_id, "deletion"))
        for integration in changes.added:
            if session.get(IntegrationRecord, integration.id) is not None:
                raise GovernanceError(f"An integration with id {integration.id} already exists. Choose another id.")
            session.execute(insert(IntegrationRecord), [integration_to_row(integration, updated_by=actor.name)])
        record_changes(session, _integration_audit_rows(
            actor, before, [*changes.changed, *changes.added], changes.deleted_ids, ""))
        _bump_registry_version(session, actor.name)


def preview_import(engine: Engine, integrations: Iterable[Integration], mode: ImportMode) -> dict[str, int]:
    """What an import would do, before it is confirmed: ``{"inserted", "updated", "deleted"}`` counts."""
    existing = set(load_integration_versions(engine))
    incoming = {i.id for i in integrations}
    return {
        "inserted": len(incoming - existing),
        "updated": len(incoming & existing),
        "deleted": len(existing - incoming) if mode == "replace" else 0,
    }


def load_sample_registry(engine: Engine, *, actor: Actor) -> dict[str, int]:
    """Replace the registry with the shipped sample (the empty-state button).

    Raises:
        PermissionDenied: when the actor is a viewer.
    """
    require_editor(actor)
    return write_integrations(engine, read_registry_csv(SAMPLE_REGISTRY.read_bytes()).accepted, "replace",
                              actor=actor)


def load_saved_rubric(engine: Engine) -> RubricConfig:
    """The rubric weights and thresholds saved from Settings, or ``data/rubric.toml``'s."""
    defaults = load_rubric()
    with Session(engine) as session:
        record = session.get(AppSetting, RUBRIC_KEY)
    if record is None:
        return defaults
    saved = record.value
    return replace(defaults, weights={**defaults.weights, **saved.get("weights", {})},
                   **{k: v for k, v in saved.items() if k != "weights" and k in RubricConfig.__dataclass_fields__})


def save_rubric(engine: Engine, config: RubricConfig, *, actor: Actor, expected_version: int | None) -> int:
    """Save weights and thresholds (a RubricConfig value is already validated).

    Returns:
        The rubric's new version.

    Raises:
        PermissionDenied: unless the actor is an admin.
        EditConflict: when someone saved the rubric after ``expected_version``.
    """
    require_admin(actor)
    with Session(engine) as session, session.begin():
        return _put_setting(session, RUBRIC_KEY, _rubric_value(config), actor, expected_version)


def _rubric_value(config: RubricConfig) -> dict:
    return {"weights": dict(config.weights),
            **{k: getattr(config, k) for k in RubricConfig.__dataclass_fields__ if k != "weights"}}
