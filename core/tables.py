"""Database tables (SQLModel): how registry values and settings are stored, one row per record."""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

# Named constraints, so migrations can alter them on SQLite (batch mode) and PostgreSQL alike.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class IntegrationRecord(SQLModel, table=True):
    """One integration. Ranges are three columns each so they can be summed in SQL."""

    __tablename__ = "integrations"

    id: str = Field(primary_key=True, max_length=64)
    name: str
    source_system: str = Field(index=True)
    target_system: str = Field(index=True)
    data_objects: list[str] = Field(sa_column=Column(JSON, nullable=False))
    owner_team: str = Field(index=True)
    owner: str | None = None
    consumers: list[str] = Field(sa_column=Column(JSON, nullable=False))
    direction: str = "one-way"
    approach: str | None = None
    tier: str | None = None
    timeliness: str | None = None
    status: str = Field(default="live", index=True)
    complexity: str | None = None
    build_hours_low: float | None = None
    build_hours_likely: float | None = None
    build_hours_high: float | None = None
    monthly_maintenance_hours_low: float | None = None
    monthly_maintenance_hours_likely: float | None = None
    monthly_maintenance_hours_high: float | None = None
    hourly_rate_low: float | None = None
    hourly_rate_likely: float | None = None
    hourly_rate_high: float | None = None
    monthly_tool_cost_low: float | None = None
    monthly_tool_cost_likely: float | None = None
    monthly_tool_cost_high: float | None = None
    reconciliations_per_month_low: float | None = None
    reconciliations_per_month_likely: float | None = None
    reconciliations_per_month_high: float | None = None
    reconciliation_hours_low: float | None = None
    reconciliation_hours_likely: float | None = None
    reconciliation_hours_high: float | None = None
    people_touching_low: float | None = None
    people_touching_likely: float | None = None
    people_touching_high: float | None = None
    has_monitoring: bool | None = None
    has_retry: bool | None = None
    has_audit_trail: bool | None = None
    source_of_truth_defined: bool | None = None
    documented: bool | None = None
    launched_on: date | None = None
    notes: str = ""
    extra: dict[str, str] = Field(sa_column=Column(JSON, nullable=False))
    # Optimistic concurrency: a save names the version it read; a changed version means a conflict.
    version: int = 1
    updated_at: datetime = Field(default_factory=utc_now)
    updated_by: str = ""


class AppSetting(SQLModel, table=True):
    """A named setting or piece of app state (settings, registry version, seeded flag) as JSON."""

    __tablename__ = "app_settings"

    key: str = Field(primary_key=True, max_length=100)
    value: dict = Field(sa_column=Column(JSON, nullable=False))
    version: int = 1
    updated_at: datetime = Field(default_factory=utc_now)
    updated_by: str = ""
