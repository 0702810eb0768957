"""What the Overview page shows: headline counts and money, the costliest clusters, the system map."""

from __future__ import annotations

from core.reports.figures import (ClusterRow, Headline, chart_rows, duplicated_by_cluster, error_bars,
    headline_figures, recommended_moves, undrawn_clusters_text)
from core.reports.system_map import SystemMap, system_map

__all__ = [
    "ClusterRow", "Headline", "SystemMap", "chart_rows", "duplicated_by_cluster", "error_bars", "headline_figures",
    "recommended_moves", "system_map", "undrawn_clusters_text",
]
