"""The system map: systems on a circle, integrations as lines, overlap clusters in colour; a fixed layout."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from core.domain.analysis import RegistryAnalysis
from core.domain.names import canonical_object, canonical_system, normalize_key
from core.domain.registry import Integration, Status
from core.reports.figures import route_text
from core.wording import shorten

# Lifecycle order for status counts, as people read them.

@dataclass(frozen=True, slots=True)
class SystemNode:
    """One system on the map (canonical name), placed on a circle."""

    name: str
    integration_count: int  # integrations that start or end here
    spellings: tuple[str, ...]  # the names as typed that mean this system
    x: float
    y: float
    label_side: str  # where its label goes: "right", "left", "top" or "bottom" (away from the circle)


@dataclass(frozen=True, slots=True)
class SystemEdge:
    """All integrations between two systems, drawn as one line."""

    source: str  # the direction most of them run; alphabetical when tied
    target: str
    integration_ids: tuple[str, ...]
    objects: tuple[str, ...]  # canonical data objects they move
    in_cluster: str | None  # the overlap cluster most of them belong to, if any
    clusters: tuple[str, ...]  # every cluster with a member on this edge
    both_ways: bool  # some run the other way or sync both ways
    descriptions: tuple[str, ...]  # "INT-015 · Closed-won… · Salesforce → Stripe · CL-INT-015", one per integration
    x0: float  # the line from the source node ...
    y0: float
    x1: float  # ... to the target node
    y1: float
    label_x: float  # the middle of the line, where its count and hover point go
    label_y: float
    highlighted: bool = False  # drawn in its cluster's colour: one of the largest clusters
    labelled: bool = False  # its count is written on the line

    @property
    def count(self) -> int:
        return len(self.integration_ids)


@dataclass(frozen=True, slots=True)
class SystemMap:
    """Systems and the integrations between them, with a fixed layout."""

    nodes: tuple[SystemNode, ...]
    edges: tuple[SystemEdge, ...]  # clustered edges last, so they are drawn on top
    hidden_systems: int = 0  # systems left off a big registry's map (the least connected ones)

    @property
    def uncoloured_clusters(self) -> int:
        """Clusters on the map drawn as ordinary lines: beyond the largest ones, which get a colour each."""
        return len({c for e in self.edges if e.in_cluster and not e.highlighted for c in [e.in_cluster]})

    def node(self, name: str) -> SystemNode:
        """The node called ``name`` (canonical spelling); KeyError otherwise."""
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(name)


def _circle_order(names: Sequence[str], degree: Counter, weight: dict[frozenset, int]) -> list[str]:
    """Systems in circle order, the busiest first: the chain grows at both ends, each time by the
    unplaced system most strongly linked to an end, so linked systems sit side by side."""
    remaining = sorted(names, key=lambda n: (-degree[n], n))
    if not remaining:
        return []
    chain = [remaining.pop(0)]
    start = 0  # where the busiest system sits in the chain
    while remaining:
        best, best_end, best_rank = None, "right", None
        for end, anchor in (("right", chain[-1]), ("left", chain[0])):
            for name in remaining:
                linked = weight.get(frozenset((anchor, name)), 0)
                rank = (linked, degree[name])
                if linked and (best_rank is None or rank > best_rank):
                    best, best_end, best_rank = name, end, rank
        if best is None:
            best, best_end = remaining[0], "right"  # nothing links to either end: the busiest left over
        remaining.remove(best)
        if best_end == "right":
            chain.append(best)
        else:
            chain.insert(0, best)
            start += 1
    return chain[start:] + chain[:start]


def _label_side(x: float, y: float) -> str:
    if abs(x) < 0.15:
        return "top" if y > 0 else "bottom"
    return "right" if x > 0 else "left"


# A map a facilitator can read on a projector, and a figure the browser can draw quickly at 10k rows.
MAX_MAP_SYSTEMS = 40


# A projector shows eight cluster colours and about a dozen numbers on one map legibly; past that every line
# and label is drawn on top of another. The clusters beyond are still on the map, as ordinary lines.
MAX_MAP_HIGHLIGHTED_CLUSTERS = 8


MAX_MAP_LABELS = 12


def _mark_highlights_and_labels(edges: list[SystemEdge], cluster_rank: dict[str, int], max_highlighted: int,
                                max_labels: int) -> list[SystemEdge]:
    """The edges with ``highlighted`` and ``labelled`` set (see :func:`system_map`)."""
    def highlighted(edge: SystemEdge) -> bool:
        return edge.in_cluster is not None and cluster_rank[edge.in_cluster] < max_highlighted

    worth_a_label = [e for e in edges if highlighted(e) or e.count > 1]
    worth_a_label.sort(key=lambda e: (not highlighted(e), cluster_rank.get(e.in_cluster, 0), -e.count,
                                      e.source, e.target))
    labelled = {(e.source, e.target) for e in worth_a_label[:max_labels]}
    return [replace(e, highlighted=highlighted(e), labelled=(e.source, e.target) in labelled) for e in edges]


def system_map(analysis: RegistryAnalysis, max_systems: int = MAX_MAP_SYSTEMS,
               max_highlighted: int = MAX_MAP_HIGHLIGHTED_CLUSTERS, max_labels: int = MAX_MAP_LABELS) -> SystemMap:
    """Systems as nodes on a circle and integrations as edges, one edge per pair of systems.

    System names go through the alias table, so "SFDC" and "Salesforce.com" join "Salesforce".
    Retired integrations are left out unless the settings include them. The layout is fixed (no
    randomness): the busiest system at the top, then clockwise, each system next to the one it
    shares most integrations with.

    >>> m = system_map(example_analysis)
    >>> [(n.name, n.integration_count) for n in m.nodes]
    [('Salesforce', 3), ('Stripe', 2), ('Snowflake', 1)]
    >>> [(e.source, e.target, e.count, e.in_cluster) for e in m.edges]
    [('Salesforce', 'Snowflake', 1, None), ('Salesforce', 'Stripe', 2, 'CL-INT-1')]

    Args:
        analysis: the registry analysis.
        max_systems: at most this many systems are drawn: those on overlap clusters first, then
            the most connected; the rest are counted in ``hidden_systems``.
        max_highlighted: the lines of the largest this many clusters are ``highlighted``.
        max_labels: at most this many lines are ``labelled`` with their count: highlighted lines first
            (largest cluster first), then the lines carrying the most integrations.

    Returns:
        The nodes (circle order) and edges (unclustered first, then clustered).
    """
    aliases = analysis.aliases
    shown = [i for i in analysis.integrations if analysis.settings.include_retired or i.status is not Status.RETIRED]
    spellings: dict[str, set[str]] = defaultdict(set)
    degree: Counter = Counter()
    groups: dict[frozenset, list[Integration]] = defaultdict(list)
    display: dict[str, str] = {}

    def name_of(typed: str) -> str:
        canonical = canonical_system(typed, aliases)
        key = normalize_key(canonical)
        # One display per key, the first alphabetically, so row order never changes the map.
        if key not in display or canonical < display[key]:
            display[key] = canonical
        spellings[key].add(typed.strip())
        return key

    ends: dict[str, tuple[str, str]] = {}
    for i in shown:
        source, target = name_of(i.source_system), name_of(i.target_system)
        if not source or not target:
            continue
        ends[i.id] = (source, target)
        degree[source] += 1
        if target != source:
            degree[target] += 1
        groups[frozenset((source, target))].append(i)

    clustered = {key for pair, rows in groups.items() if any(i.id in analysis.cluster_by_member for i in rows)
                 for key in pair}
    # The systems of the largest clusters first, so the lines drawn in colour are on the map at all.
    largest = {key for c in analysis.clusters[:max_highlighted] for member in c.members if member in ends
               for key in ends[member]}
    kept = set(sorted(degree,
                      key=lambda key: (key not in largest, key not in clustered, -degree[key], key))[:max_systems])
    hidden = len(degree) - len(kept)
    if hidden:
        groups = {pair: rows for pair, rows in groups.items() if pair <= kept}
        degree = Counter({key: count for key, count in degree.items() if key in kept})

    # Lines that belong to a cluster count extra, so the overlaps are drawn short and side by side.
    weight = {
        pair: len(rows) + (10 if any(i.id in analysis.cluster_by_member for i in rows) else 0)
        for pair, rows in groups.items()
    }
    order = _circle_order(list(degree), degree, weight)
    nodes = []
    for position, key in enumerate(order):
        angle = math.pi / 2 - 2 * math.pi * position / len(order)
        x, y = round(math.cos(angle), 6), round(math.sin(angle), 6)
        nodes.append(SystemNode(
            name=display[key], integration_count=degree[key], spellings=tuple(sorted(spellings[key], key=str.casefold)),
            x=x, y=y, label_side=_label_side(x, y),
        ))

    cluster_rank = {c.id: n for n, c in enumerate(analysis.clusters)}
    at = {node.name: node for node in nodes}
    edges = []
    for rows in groups.values():
        rows = sorted(rows, key=lambda i: i.id)
        directions = Counter(ends[i.id] for i in rows)
        (source, target), _ = min(directions.items(),
                                  key=lambda item: (-item[1], display[item[0][0]], display[item[0][1]]))
        in_clusters = Counter(analysis.cluster_by_member[i.id].id for i in rows if i.id in analysis.cluster_by_member)
        main = min(in_clusters, key=lambda c: (-in_clusters[c], cluster_rank[c])) if in_clusters else None
        objects = sorted({canonical_object(o, aliases) for i in rows for o in i.data_objects} - {""}, key=str.casefold)
        descriptions = []
        for i in rows:
            cluster = analysis.cluster_by_member.get(i.id)
            text = f"{i.id} · {shorten(i.name, 48)} · {route_text(i, aliases)}"
            descriptions.append(text + (f" · {cluster.id}" if cluster else ""))
        start, end = at[display[source]], at[display[target]]
        edges.append(SystemEdge(
            source=display[source], target=display[target],
            integration_ids=tuple(i.id for i in rows),
            objects=tuple(objects),
            in_cluster=main,
            clusters=tuple(sorted(in_clusters, key=lambda c: cluster_rank[c])),
            both_ways=len(directions) > 1 or any(i.is_bidirectional for i in rows),
            descriptions=tuple(descriptions),
            x0=start.x, y0=start.y, x1=end.x, y1=end.y,
            label_x=round((start.x + end.x) / 2, 6), label_y=round((start.y + end.y) / 2, 6),
        ))
    edges = _mark_highlights_and_labels(edges, cluster_rank, max_highlighted, max_labels)
    edges.sort(key=lambda e: (e.in_cluster is not None, e.source, e.target))
    return SystemMap(nodes=tuple(nodes), edges=tuple(edges), hidden_systems=hidden)
