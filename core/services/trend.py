"""The registry as a time series: a dated snapshot of the portfolio figures after every import and edit."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from core.domain.analysis import RegistryAnalysis
from core.errors import GovernanceError
from core.services.analysis import load_analysis
from core.storage.decision_store import PortfolioSnapshot, load_snapshots, record_snapshot
from core.storage.registry_store import registry_version
from core.storage.tables import utc_now

__all__ = ["PortfolioSnapshot", "portfolio_snapshot", "snapshot_portfolio", "trend_points", "load_trend"]


def portfolio_snapshot(analysis: RegistryAnalysis, *, version: int, cause: str) -> PortfolioSnapshot:
    """The figures a trend point keeps, from an analysis: run-rate, duplicated run-rate, counts."""
    costs = analysis.costs
    live = [i for i in analysis.integrations if i.status.value != "retired"]
    return PortfolioSnapshot(taken_at=utc_now(), registry_version=version, cause=cause,
                             run_rate=costs.monthly_run_rate, duplicated=costs.duplicated_monthly_run_rate,
                             integration_count=len(live), unowned_count=len(analysis.unowned),
                             cluster_count=len(analysis.clusters))


def snapshot_portfolio(engine: Engine, *, cause: str, analysis: RegistryAnalysis | None = None) -> bool:
    """Leave a dated snapshot of the portfolio figures, right after a change (import, edit, a decision done).

    Runs after the change's own transaction: one analysis of the registry (what the pages read next anyway). A
    snapshot that cannot be written is skipped (the change itself is saved; the next one leaves a point).

    Returns:
        Whether a new point was written (the same figures as the last point are not written twice).
    """
    try:
        analysis = analysis or load_analysis(engine)
        return record_snapshot(engine, portfolio_snapshot(analysis, version=registry_version(engine), cause=cause))
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
