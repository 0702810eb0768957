"""The registry as a time series: a dated snapshot of the portfolio figures after every import and edit."""

from __future__ import annotations

from datetime import UTC, datetime, time

from sqlalchemy.engine import Engine

from core.domain.follow_up import PortfolioFigures, portfolio_figures
from core.errors import GovernanceError
from core.reports.trend_figures import DecisionMark, TrendPoint, trend_figure
from core.storage.decision_store import PortfolioSnapshot, load_snapshots, record_snapshot
from core.storage.defaults import default_complexity_rules
from core.storage.registry_store import load_integrations, registry_version
from core.storage.settings_store import load_alias_tables, load_settings
from core.storage.survivor_store import load_survivor_choices
from core.storage.tables import utc_now

__all__ = ["PortfolioSnapshot", "portfolio_snapshot", "snapshot_portfolio", "trend_chart", "trend_points",
           "load_trend"]


def portfolio_snapshot(figures: PortfolioFigures, *, version: int, cause: str) -> PortfolioSnapshot:
    """A trend point of these figures, taken now."""
    return PortfolioSnapshot(taken_at=utc_now(), registry_version=version, cause=cause, run_rate=figures.run_rate,
                             duplicated=figures.duplicated, integration_count=figures.integrations,
                             unowned_count=figures.unowned, cluster_count=figures.clusters,
                             cluster_members=figures.cluster_members)


def snapshot_portfolio(engine: Engine, *, cause: str) -> bool:
    """Leave a dated snapshot of the portfolio figures, right after a change (import, edit, a decision done).

    Runs after the change's own transaction, with the lighter pass of :func:`portfolio_figures` (clusters and
    run-rates only: bench/results.md). A snapshot that cannot be written is skipped: the change itself is saved,
    and the next one leaves a point.

    Returns:
        Whether a new point was written (the same figures as the last point are not written twice).
    """
    try:
        version = registry_version(engine)  # read first: the figures are at least this recent
        figures = portfolio_figures(load_integrations(engine), load_settings(engine), aliases=load_alias_tables(engine),
                                    rules=default_complexity_rules(), survivor_choices=load_survivor_choices(engine))
        return record_snapshot(engine, portfolio_snapshot(figures, version=version, cause=cause))
    except GovernanceError:
        return False


def load_trend(engine: Engine) -> list[PortfolioSnapshot]:
    """Every snapshot, oldest first."""
    return load_snapshots(engine)


def trend_points(snapshots: list[PortfolioSnapshot]) -> list[dict]:
    """The series as ``igov trend --json`` prints it: one point per snapshot, money monthly as low/likely/high."""
    return [{"taken_at": s.taken_at.isoformat(), "registry_version": s.registry_version, "cause": s.cause,
             "monthly_run_rate": s.run_rate.as_dict(), "duplicated_monthly_run_rate": s.duplicated.as_dict(),
             "integration_count": s.integration_count, "unowned_count": s.unowned_count,
             "cluster_count": s.cluster_count} for s in snapshots]


def trend_chart(engine: Engine, decisions: list | None = None, currency: str = "$"):
    """The Overview's trend chart: every snapshot, each done decision (and each open one's due date) marked.

    Args:
        engine: the database.
        decisions: the tracked decisions to mark (``TrackedDecision``); ``None`` marks none.
        currency: the currency symbol of the money axis.

    Returns:
        A plotly figure, or ``None`` before there are two points to draw a line between.
    """
    snapshots = load_snapshots(engine)
    if len(snapshots) < 2:
        return None
    points = [TrendPoint(s.taken_at, s.run_rate.likely, s.duplicated.likely, s.integration_count, s.unowned_count,
                         s.cause) for s in snapshots]
    marks = []
    for t in decisions or ():
        what = f"#{t.id} {t.decision.verdict.value} {t.subject}"
        if t.done_at is not None:
            marks.append(DecisionMark(t.done_at, f"{what} done", True))
        elif t.status.value in ("open", "in-progress") and t.decision.due_date is not None:
            due = datetime.combine(t.decision.due_date, time(12), tzinfo=UTC)
            marks.append(DecisionMark(due, f"{what} due", False))
    return trend_figure(points, marks, currency)
