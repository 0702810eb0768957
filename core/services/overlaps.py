"""Overlaps actions: which integration a cluster keeps, and adding an alias a name suggestion proposes."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from core.domain.access import Actor
from core.domain.analysis import RegistryAnalysis
from core.domain.names import add_alias_pair, normalize_key
from core.reports.figures import (ClusterRow, chart_rows, cluster_members_reading_rows, cluster_members_table,
    cluster_title, cumulative_waste, duplicated_by_cluster, duplicated_by_team, duplication_slider_max, error_bars,
    filter_clusters, survivor_candidates, undrawn_clusters_text)
from core.reports.paging import Page, page_label, page_of, paginate
from core.services.trend import snapshot_portfolio
from core.storage.settings_store import change_alias_tables
from core.storage.survivor_store import save_survivor_choice

__all__ = [
    "ClusterRow", "Page", "add_alias", "chart_rows", "cluster_members_reading_rows", "cluster_members_table",
    "cluster_title", "cumulative_waste",
    "duplicated_by_cluster", "duplicated_by_team", "duplication_slider_max", "error_bars", "filter_clusters",
    "keep_in_cluster", "normalize_key", "page_label", "page_of", "paginate", "survivor_candidates",
    "undrawn_clusters_text",
]


def keep_in_cluster(engine: Engine, analysis: RegistryAnalysis, cluster_id: str, chosen_id: str, *,
                    actor: Actor) -> None:
    """Save, for everyone, which member a cluster keeps (replacing any earlier choice in that cluster).

    Raises:
        ClusterNotFound: when the analysis has no such cluster.
        InvalidChoice: when the chosen id is not one of its members.
        PermissionDenied: when the actor is a viewer.
    """
    cluster = analysis.cluster(cluster_id)
    save_survivor_choice(engine, cluster.members, chosen_id, actor=actor)
    snapshot_portfolio(engine, cause=f"{cluster_id} keeps {chosen_id}")  # what is duplicated changed


def add_alias(engine: Engine, kind: str, name: str, means: str, *, actor: Actor) -> int:
    """Save ``name`` as another spelling of ``means`` (a system or a data object), as a suggestion proposes.

    The alias rows are read and written in one locked transaction, so a save made at the same moment by someone
    else is kept: this alias is added to it.

    Returns:
        The alias tables' new version.

    Raises:
        ConfigError: when the result is not a valid alias table (the message names the row).
        PermissionDenied: unless the actor is an admin.
    """
    version = change_alias_tables(engine, lambda pairs: add_alias_pair(pairs, kind, name, means), actor=actor)
    snapshot_portfolio(engine, cause=f"alias {name.strip()} = {means.strip()}")  # clusters may have changed
    return version
