"""Registry persistence: load, import (replace or merge, all-or-nothing), settings and the registry version."""

from __future__ import annotations

import csv
from dataclasses import fields, replace
from enum import StrEnum
from pathlib import Path
from typing import Iterable, Literal

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.normalize import Aliases, AliasPairs, load_aliases
from core.errors import GovernanceError
from core.ranges import Range
from core.registry import Approach, Complexity, Direction, Integration, Status, Tier, Timeliness
from core.registry_csv import ImportReport, read_registry_csv
from core.registry_edit import RegistryChanges
from core.rubric import RubricConfig, load_rubric
from core.settings import DATA_DIR, Settings, load_default_settings
from core.tables import AppSetting, IntegrationRecord, SurvivorChoice, utc_now

SAMPLE_REGISTRY = DATA_DIR / "sample_registry.csv"
SYSTEM_ALIASES_FILE = DATA_DIR / "system_aliases.csv"
OBJECT_ALIASES_FILE = DATA_DIR / "object_aliases.csv"
ImportMode = Literal["replace", "merge"]
IMPORT_MODES: tuple[str, ...] = ("replace", "merge")

_RANGE_FIELDS = tuple(f.name for f in fields(Integration) if f.name in {
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


def row_to_integration(record) -> Integration:
    """Rebuild the typed value from a stored row (a record object or a mapping)."""
    get = record.__getitem__ if isinstance(record, dict) else lambda name: getattr(record, name)
    values: dict = {name: get(name) for name in _PLAIN_FIELDS}
    values["data_objects"] = tuple(get("data_objects"))
    values["consumers"] = tuple(get("consumers"))
    values["extra"] = dict(get("extra") or {})
    for name, enum_type in _ENUM_FIELDS.items():
        raw = get(name)
        values[name] = enum_type(raw) if raw is not None else None
    for name in _RANGE_FIELDS:
        low = get(f"{name}_low")
        values[name] = None if low is None else Range(low, get(f"{name}_likely"), get(f"{name}_high"))
    return Integration(**values)


def load_integrations(engine: Engine) -> list[Integration]:
    """Every integration in the registry, ordered by id."""
    with Session(engine) as session:
        records = session.execute(select(IntegrationRecord).order_by(IntegrationRecord.id)).scalars().all()
        return [row_to_integration(r) for r in records]


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


def write_integrations(
    engine: Engine, integrations: Iterable[Integration], mode: ImportMode = "merge", *, updated_by: str = ""
) -> dict[str, int]:
    """Write integrations in ONE transaction: any failure leaves the registry exactly as it was.

    Args:
        engine: the database.
        integrations: validated values (from :func:`core.registry_csv.read_registry_csv`).
        mode: ``replace`` makes the registry equal to these rows; ``merge`` inserts new ids and
            updates existing ones, leaving other rows alone.
        updated_by: who made the change (shown in history).

    Returns:
        Counts: ``{"inserted": n, "updated": n, "deleted": n}``.
    """
    if mode not in IMPORT_MODES:
        raise ValueError(f"unknown import mode {mode!r}; use replace or merge")
    rows = [integration_to_row(i, updated_by=updated_by) for i in integrations]
    incoming = {r["id"] for r in rows}
    with Session(engine) as session, session.begin():
        versions = dict(session.execute(select(IntegrationRecord.id, IntegrationRecord.version)).all())
        existing = set(versions)
        removed = sorted(existing - incoming) if mode == "replace" else []
        counts = {"inserted": len(incoming - existing), "updated": len(incoming & existing), "deleted": len(removed)}
        # Chunked: SQLite caps the number of bound parameters in one statement.
        for start in range(0, len(removed), 500):
            session.execute(delete(IntegrationRecord).where(IntegrationRecord.id.in_(removed[start:start + 500])))
        new_rows = [r for r in rows if r["id"] not in existing]
        changed_rows = [r | {"version": versions[r["id"]] + 1} for r in rows if r["id"] in existing]
        # Bulk statements: one executemany each instead of an ORM object per row (100k-row imports).
        if new_rows:
            session.execute(insert(IntegrationRecord), new_rows)
        if changed_rows:
            session.execute(update(IntegrationRecord), changed_rows)
        _bump_registry_version(session, updated_by)
    return counts


def import_registry_file(
    engine: Engine, data: bytes, mode: ImportMode = "merge", *, strict: bool = False, updated_by: str = ""
) -> tuple[ImportReport, dict[str, int] | None]:
    """Validate a CSV file and write its valid rows (all rows or none with ``strict``).

    Returns:
        The import report and the write counts, or ``None`` counts when nothing was written
        (strict mode with errors, or no valid row).
    """
    report = read_registry_csv(data)
    if (strict and report.errors) or not report.accepted:
        return report, None
    return report, write_integrations(engine, report.accepted, mode, updated_by=updated_by)


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
        write_integrations(engine, report.accepted, "replace", updated_by="sample data")
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


def save_survivor_choice(engine: Engine, cluster_members: Iterable[str], chosen_id: str, *, updated_by: str = "") -> None:
    """Record which member a cluster keeps; any earlier choice within the same cluster is replaced."""
    members = set(cluster_members)
    if chosen_id not in members:
        raise ValueError(f"{chosen_id} is not a member of this cluster")
    with Session(engine) as session, session.begin():
        session.execute(delete(SurvivorChoice).where(SurvivorChoice.integration_id.in_(sorted(members))))
        session.add(SurvivorChoice(integration_id=chosen_id, updated_by=updated_by))


def load_alias_tables(engine: Engine) -> Aliases:
    """The alias tables saved from the Settings page, or the shipped CSV files when none were saved."""
    with Session(engine) as session:
        record = session.get(AppSetting, ALIASES_KEY)
    if record is None:
        return load_aliases()
    return Aliases.from_pairs(systems=record.value.get("systems", []), objects=record.value.get("objects", []))


def _put_setting(session: Session, key: str, value: dict, updated_by: str) -> None:
    record = session.get(AppSetting, key)
    if record is None:
        session.add(AppSetting(key=key, value=value, updated_by=updated_by))
        return
    record.value = value
    record.version += 1
    record.updated_at = utc_now()
    record.updated_by = updated_by


def save_settings(engine: Engine, settings: Settings, *, updated_by: str = "") -> None:
    """Save validated settings (a :class:`Settings` value cannot hold an invalid one)."""
    with Session(engine) as session, session.begin():
        _put_setting(session, SETTINGS_KEY, settings.as_dict(), updated_by)


def save_alias_tables(
    engine: Engine, systems: Iterable[tuple[str, str]], objects: Iterable[tuple[str, str]], *, updated_by: str = ""
) -> Aliases:
    """Validate and save both alias tables; an invalid pair raises ConfigError and nothing is saved."""
    systems, objects = [tuple(p) for p in systems], [tuple(p) for p in objects]
    aliases = Aliases.from_pairs(systems=systems, objects=objects)
    with Session(engine) as session, session.begin():
        _put_setting(session, ALIASES_KEY, {"systems": systems, "objects": objects}, updated_by)
    return aliases


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


def reset_settings(engine: Engine, *, updated_by: str = "") -> None:
    """Put the shipped defaults back for settings, rubric and aliases.

    Defaults are written (not just deleted) so each setting's version keeps growing and no cached
    analysis of an earlier state can be mistaken for the current one.
    """
    aliases = default_alias_pairs()
    rubric = load_rubric()
    alias_value = {"systems": [list(p) for p in aliases.systems], "objects": [list(p) for p in aliases.objects]}
    with Session(engine) as session, session.begin():
        _put_setting(session, SETTINGS_KEY, load_default_settings().as_dict(), updated_by)
        _put_setting(session, ALIASES_KEY, alias_value, updated_by)
        _put_setting(session, RUBRIC_KEY, _rubric_value(rubric), updated_by)


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


class EditConflict(GovernanceError):
    """Someone else saved the same record after this user loaded it: nothing was written."""


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
    engine: Engine, changes: RegistryChanges, seen_versions: dict[str, int], *, updated_by: str = ""
) -> None:
    """Write edits, additions and deletions in one transaction, refusing any that would overwrite a newer save.

    Each change names the version the user saw; a record whose version moved on since is a
    conflict and nothing at all is written (optimistic concurrency).

    Raises:
        EditConflict: naming the integration, who changed it and when.
        GovernanceError: when an added id already exists.
    """
    with Session(engine) as session, session.begin():
        for integration in changes.changed:
            seen = seen_versions.get(integration.id)
            row = integration_to_row(integration, updated_by=updated_by)
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
            session.execute(insert(IntegrationRecord), [integration_to_row(integration, updated_by=updated_by)])
        _bump_registry_version(session, updated_by)


def preview_import(engine: Engine, integrations: Iterable[Integration], mode: ImportMode) -> dict[str, int]:
    """What an import would do, before it is confirmed: ``{"inserted", "updated", "deleted"}`` counts."""
    existing = set(load_integration_versions(engine))
    incoming = {i.id for i in integrations}
    return {
        "inserted": len(incoming - existing),
        "updated": len(incoming & existing),
        "deleted": len(existing - incoming) if mode == "replace" else 0,
    }


def load_sample_registry(engine: Engine, *, updated_by: str = "") -> dict[str, int]:
    """Replace the registry with the shipped sample (the empty-state button)."""
    return write_integrations(engine, read_registry_csv(SAMPLE_REGISTRY.read_bytes()).accepted, "replace",
                              updated_by=updated_by)


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


def save_rubric(engine: Engine, config: RubricConfig, *, updated_by: str = "") -> None:
    """Save weights and thresholds (a RubricConfig value is already validated)."""
    with Session(engine) as session, session.begin():
        _put_setting(session, RUBRIC_KEY, _rubric_value(config), updated_by)


def _rubric_value(config: RubricConfig) -> dict:
    return {"weights": dict(config.weights),
            **{k: getattr(config, k) for k in RubricConfig.__dataclass_fields__ if k != "weights"}}
