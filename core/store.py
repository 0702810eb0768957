"""Registry persistence: load, import (replace or merge, all-or-nothing), settings and the registry version."""

from __future__ import annotations

from dataclasses import fields
from enum import StrEnum
from pathlib import Path
from typing import Iterable, Literal

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.ranges import Range
from core.registry import Approach, Complexity, Direction, Integration, Status, Tier, Timeliness
from core.registry_csv import ImportReport, read_registry_csv
from core.settings import DATA_DIR, Settings, load_default_settings
from core.tables import AppSetting, IntegrationRecord, utc_now

SAMPLE_REGISTRY = DATA_DIR / "sample_registry.csv"
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
