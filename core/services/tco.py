"""What the TCO page shows: headline figures with simulated percentiles, the costliest clusters, scenarios."""

from __future__ import annotations

from core.domain.analysis import RegistryAnalysis
from core.domain.complexity import CategoryReasons, category_factors
from core.domain.ranges import Range
from core.domain.registry import Integration
from core.domain.settings import DUPLICATE_CAPACITY_GUIDELINE
from core.domain.tco import ScenarioComparison, compare_scenarios
from core.domain.tco_simulation import PortfolioSimulation, ScenarioSimulation, simulate_scenarios
from core.domain.tco_simulation import simulate_portfolio as _simulate_portfolio
from core.reports.tco_figures import (RANGE_NOTE, CapacityShare, ClusterWaste, HeadlineFigure, all_headline_figures,
    break_even_sentences, capacity_share, cluster_choice_label, cluster_table_rows, headline_figures, hours_line,
    percentile_footnote, scenario_series, scenario_table_rows, tco_assumptions, top_waste_clusters)

__all__ = [
    "DRAWS", "RANGE_NOTE", "SEED", "CapacityShare", "CategoryReasons", "ClusterWaste", "HeadlineFigure",
    "all_headline_figures", "break_even_sentences", "capacity_share_of", "category_reasons", "cluster_choice_label",
    "cluster_table_rows", "costliest_clusters", "fte_range", "headline_figures", "hours_line", "percentile_footnote",
    "portfolio_simulation", "scenario_series", "scenario_table_rows", "scenarios_for", "tco_assumptions",
]

# Seeded: the same registry always shows (and prints) the same P10 / P50 / P90, on the page, the PDF and the CLI.
DRAWS, SEED = 10_000, 0


def portfolio_simulation(analysis: RegistryAnalysis) -> PortfolioSimulation | None:
    """The portfolio's simulated P10 / P50 / P90 (``None`` for an empty registry)."""
    if not analysis.integrations:
        return None
    return _simulate_portfolio(analysis.integrations, analysis.clusters, analysis.settings, analysis.rules,
                               draws=DRAWS, seed=SEED)


def costliest_clusters(analysis: RegistryAnalysis, limit: int = 5) -> tuple[ClusterWaste, ...]:
    """The clusters that duplicate the most money a month, each with its recommendation."""
    return top_waste_clusters(analysis, limit)


def scenarios_for(analysis: RegistryAnalysis, cluster_id: str,
                  horizon_months: int) -> tuple[ScenarioComparison, ScenarioSimulation]:
    """Keep all, merge and centralise for one cluster over ``horizon_months``, with simulated totals.

    Raises:
        ClusterNotFound: when the analysis has no such cluster.
    """
    comparison = compare_scenarios(analysis.cluster(cluster_id), analysis.by_id, analysis.settings, analysis.rules,
                                   horizon_months)
    return comparison, simulate_scenarios(comparison, draws=DRAWS, seed=SEED)


def category_reasons(analysis: RegistryAnalysis, subject: str | Integration) -> CategoryReasons:
    """Why an integration (an id, or a proposal being scored) is in its complexity category, and which of its
    figures the category filled in.

    Raises:
        IntegrationNotFound: when the registry has no integration with that id.
    """
    row = analysis.integration(subject) if isinstance(subject, str) else subject
    return category_factors(row, analysis.rules)


def fte_range(hours: Range, analysis: RegistryAnalysis) -> Range:
    """Hours a month as full-time people, at the hours per FTE in Settings."""
    return hours * (1 / analysis.settings.hours_per_fte)


def capacity_share_of(analysis: RegistryAnalysis) -> CapacityShare | None:
    """The share of the team's engineering capacity spent maintaining duplicates; ``None`` while it is not set."""
    return capacity_share(analysis.costs, analysis.settings.team_capacity, DUPLICATE_CAPACITY_GUIDELINE)
