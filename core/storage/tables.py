"""Database tables (SQLModel): how registry values and settings are stored, one row per record."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import JSON, Column, Index
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
    return datetime.now(UTC)


# Integer ids are never handed out twice, even after the row holding the highest one is deleted: a page still
# showing deleted decision 7 must not save over a new decision 7. SQLite needs AUTOINCREMENT for that;
# PostgreSQL's sequences never go back.
NEVER_REUSE_IDS = {"sqlite_autoincrement": True}


class Edited(SQLModel):
    """Who last saved a record and when, and its version: a save names the version it read (optimistic concurrency)."""

    version: int = 1
    updated_at: datetime = Field(default_factory=utc_now)
    updated_by: str = ""


class IntegrationRecord(Edited, table=True):
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


class AppSetting(Edited, table=True):
    """A named setting or piece of app state (settings, registry version, seeded flag) as JSON."""

    __tablename__ = "app_settings"

    key: str = Field(primary_key=True, max_length=100)
    value: dict = Field(sa_column=Column(JSON, nullable=False))


class SurvivorChoice(Edited, table=True):
    """The group's explicit choice of which integration a cluster keeps (overrides the suggestion)."""

    __tablename__ = "survivor_choices"

    integration_id: str = Field(primary_key=True, max_length=64)
    note: str = ""


class ScoringRecord(SQLModel, table=True):
    """A saved rubric scoring of one integration or proposal: weights, overrides, verdict, who and when."""

    __tablename__ = "scorings"
    __table_args__ = NEVER_REUSE_IDS

    id: int | None = Field(default=None, primary_key=True)
    integration_id: str = Field(index=True, max_length=64)
    integration_name: str
    verdict: str
    score: float
    weights: dict = Field(sa_column=Column(JSON, nullable=False))
    overrides: dict = Field(sa_column=Column(JSON, nullable=False))
    result: dict = Field(sa_column=Column(JSON, nullable=False))
    registry_version: int = 0
    scored_by: str = ""
    scored_at: datetime = Field(default_factory=utc_now)


class DiagnosticSessionRecord(Edited, table=True):
    """One facilitated diagnostic session: its set-up (agenda as JSON steps), notes and clock start."""

    __tablename__ = "diagnostic_sessions"
    __table_args__ = NEVER_REUSE_IDS

    id: int | None = Field(default=None, primary_key=True)
    title: str
    facilitator: str
    created_at: datetime = Field(default_factory=utc_now)
    started_at: datetime | None = None
    # The meeting clock (core.domain.diagnostic.Clock): pauses, and the agenda step on since which meeting second.
    paused_at: datetime | None = None
    paused_seconds: int = 0
    step_index: int = 0
    step_started_second: int = 0
    # [{"title": ..., "minutes": ..., "guidance": ...}, ...] in agenda order.
    agenda: list = Field(sa_column=Column(JSON, nullable=False))
    notes: str = ""


class PartOfSession(SQLModel):
    """A row that belongs to one diagnostic session and goes when the session is deleted."""

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="diagnostic_sessions.id", ondelete="CASCADE", index=True)


class SessionParticipantRecord(PartOfSession, table=True):
    """A person in a diagnostic session and their role; ``position`` keeps the order they were listed in."""

    __tablename__ = "session_participants"
    __table_args__ = NEVER_REUSE_IDS

    name: str
    role: str
    position: int = 0


class SessionItemRecord(PartOfSession, Edited, table=True):
    """An assumption or open question captured during a session, saved as it is typed."""

    __tablename__ = "session_items"
    __table_args__ = NEVER_REUSE_IDS

    kind: str  # "assumption" or "question"
    text: str
    position: int = 0


class SessionDecisionRecord(PartOfSession, Edited, table=True):
    """A verdict on one integration or cluster, with rationale, RACI, next step and due date."""

    __tablename__ = "session_decisions"
    __table_args__ = NEVER_REUSE_IDS

    subject_kind: str  # "integration" or "cluster"
    subject_id: str
    verdict: str
    rationale: str
    # [{"person": ..., "responsibility": "R" | "A" | "C" | "I"}, ...]
    raci: list = Field(sa_column=Column(JSON, nullable=False))
    due_date: date | None = None
    next_step: str = ""


class AuditEntry(SQLModel, table=True):
    """One recorded change: who made it, when, to what, and the values before and after (JSON).

    Written in the same transaction as the change itself, so a change without its entry (or an entry
    for a change that was rolled back) cannot exist.
    """

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity_entity_id", "entity", "entity_id"), NEVER_REUSE_IDS)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utc_now, index=True)
    actor: str = Field(max_length=200)
    actor_role: str = Field(max_length=16)
    action: str = Field(max_length=16)  # create | update | delete
    entity: str = Field(max_length=32)  # integration | setting | session | session_item | decision | ...
    entity_id: str = Field(max_length=200)
    summary: str
    before: dict | list | None = Field(default=None, sa_column=Column(JSON(none_as_null=True), nullable=True))
    after: dict | list | None = Field(default=None, sa_column=Column(JSON(none_as_null=True), nullable=True))


class IntegrationSource(SQLModel, table=True):
    """Where an integration was read from: one row per integration and source (a file or a tool's export).

    A re-import from the same source updates its rows (``last_seen``); a row the source no longer has gets
    ``missing_since`` and is shown as "not seen since" for a person to review, never deleted with the integration.
    Kept beside ``integrations`` rather than in it, so the registry's own columns and write path stay as they are.
    """

    __tablename__ = "integration_sources"

    integration_id: str = Field(primary_key=True, max_length=64)
    source: str = Field(primary_key=True, max_length=300)  # "<format>:<file or tool name>", e.g. "fivetran:x.json"
    format: str = Field(max_length=32)
    source_name: str = Field(max_length=255)
    external_id: str  # the record's id in its own tool (a connection id, a fact sheet id, a row id)
    location: str = ""  # where in the file: "connections[2]", "sheet 'Interfaces', row 5"
    first_seen: datetime = Field(default_factory=utc_now)
    last_seen: datetime = Field(default_factory=utc_now)
    missing_since: datetime | None = Field(default=None, index=True)


class DecisionTrackingRecord(SQLModel, table=True):
    """What happened to a decision after its session: status, expected saving, when it was done and its baseline.

    One row per decision that was followed up (a decision without one is open, its saving the recommendation's).
    Kept beside ``session_decisions`` so the session's own write path stays as it is.
    """

    __tablename__ = "decision_tracking"

    decision_id: int = Field(primary_key=True, foreign_key="session_decisions.id", ondelete="CASCADE")
    status: str = Field(default="open", max_length=16, index=True)  # open | in-progress | done | dropped
    # The expected monthly saving as a person edited it (one number); None: the recommendation's scenario.
    expected_saving: float | None = None
    done_at: datetime | None = None
    # The affected integrations' monthly run-rate (likely) when it was marked done: what "realised" is measured from.
    baseline_run_rate: float | None = None
    affected_ids: list = Field(sa_column=Column(JSON, nullable=False))
    version: int = 1
    updated_at: datetime = Field(default_factory=utc_now)
    updated_by: str = ""


class PortfolioSnapshotRecord(SQLModel, table=True):
    """The portfolio's figures at one moment, left by every import and edit: the registry as a time series."""

    __tablename__ = "portfolio_snapshots"
    __table_args__ = NEVER_REUSE_IDS

    id: int | None = Field(default=None, primary_key=True)
    taken_at: datetime = Field(default_factory=utc_now, index=True)
    registry_version: int = 0
    cause: str = Field(default="", max_length=200)  # "import", "edit", "decision 4", ...
    run_rate_low: float = 0.0
    run_rate_likely: float = 0.0
    run_rate_high: float = 0.0
    duplicated_low: float = 0.0
    duplicated_likely: float = 0.0
    duplicated_high: float = 0.0
    integration_count: int = 0
    unowned_count: int = 0
    cluster_count: int = 0
    # Each cluster's sorted member ids (a list of lists), so a review can tell new overlaps from old ones; null on
    # points taken before 0010.
    cluster_members: list | None = Field(default=None, sa_column=Column(JSON, nullable=True))
