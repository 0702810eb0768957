"""Figures for the dashboard's charts and tables, derived from one registry analysis."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from typing import Iterable, Sequence

from core.domain.analysis import RegistryAnalysis
from core.domain.names import (
    Aliases,
    AliasPairs,
    canonical_object,
    canonical_system,
    normalize_key,
)
from core.domain.overlap import Cluster
from core.domain.ranges import Range, total
from core.domain.registry import CONTROL_FIELDS, Integration, Status
from core.domain.tco import TeamCost
from core.wording import format_money_range, shorten

# Lifecycle order for status counts, as people read them.
_STATUS_ORDER = (Status.LIVE, Status.BUILDING, Status.PROPOSED, Status.DEPRECATED, Status.RETIRED)
# A survivor must be something that runs, unless nothing in the cluster runs (see core.domain.overlap).
_RUNS = frozenset({Status.LIVE, Status.BUILDING, Status.DEPRECATED})
_SHORT_NAME = 30  # characters of an integration name shown in a chart label


# --- Headline figures --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Headline:
    """The numbers at the top of the Overview page."""

    integrations: int  # every registry row
    by_status: tuple[tuple[str, int], ...]  # ("live", 56), ... in lifecycle order, zero counts left out
    live: int
    proposed: int
    teams: int
    systems: int  # distinct systems once aliases are applied (SFDC and Salesforce count once)
    system_spellings: int  # distinct system names as typed
    unowned: int  # running or planned integrations without a named owner
    clusters: int
    integrations_in_clusters: int
    monthly_run_rate: Range
    duplicated_monthly_run_rate: Range
    annualised_waste: Range
    duplicated_share: float  # likely duplicated run-rate / likely run-rate, 0..1


def headline_figures(analysis: RegistryAnalysis) -> Headline:
    """Counts and money for the headline cards.

    >>> h = headline_figures(_example_analysis())
    >>> h.integrations, h.live, h.proposed, h.systems, h.system_spellings, h.clusters
    (3, 2, 1, 3, 4, 1)

    Args:
        analysis: the registry analysis.

    Returns:
        The headline figures.
    """
    statuses = Counter(i.status for i in analysis.integrations)
    costs = analysis.costs
    run_rate = costs.monthly_run_rate.likely
    return Headline(
        integrations=len(analysis.integrations),
        by_status=tuple((s.value, statuses[s]) for s in _STATUS_ORDER if statuses[s]),
        live=statuses[Status.LIVE],
        proposed=statuses[Status.PROPOSED],
        teams=len(analysis.teams),
        systems=len({normalize_key(canonical_system(s, analysis.aliases)) for s in analysis.systems} - {""}),
        system_spellings=len(analysis.systems),
        unowned=len(analysis.unowned),
        clusters=len(analysis.clusters),
        integrations_in_clusters=len(analysis.cluster_by_member),
        monthly_run_rate=costs.monthly_run_rate,
        duplicated_monthly_run_rate=costs.duplicated_monthly_run_rate,
        annualised_waste=costs.annualised_waste,
        duplicated_share=costs.duplicated_monthly_run_rate.likely / run_rate if run_rate else 0.0,
    )


# --- Clusters ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClusterRow:
    """One overlap cluster as a chart bar or a list entry."""

    cluster_id: str
    route: str  # "Salesforce → Stripe", from the survivor, canonical names
    members: tuple[str, ...]
    member_names: tuple[str, ...]
    member_summary: str  # shortened names, e.g. "Closed-won opportunities to S…, Upsell sync… +2 more"
    objects: tuple[str, ...]
    teams: tuple[str, ...]
    survivor: str
    total: Range
    duplicated: Range


def route_text(integration: Integration, aliases: Aliases) -> str:
    """An integration's route with canonical system names: ``→`` one way, ``↔`` both ways.

    >>> row = _example_analysis().integration("INT-2")
    >>> route_text(row, Aliases.from_pairs(systems=[("SFDC", "Salesforce")]))
    'Salesforce → Stripe'

    Args:
        integration: the registry row.
        aliases: the alias tables.

    Returns:
        "Source → Target" or "Source ↔ Target".
    """
    arrow = "↔" if integration.is_bidirectional else "→"
    return f"{canonical_system(integration.source_system, aliases)} {arrow} {canonical_system(integration.target_system, aliases)}"


def _cluster_route(analysis: RegistryAnalysis, cluster: Cluster) -> str:
    survivor = analysis.integration(cluster.survivor)
    route = route_text(survivor, analysis.aliases)
    ends = {normalize_key(canonical_system(s, analysis.aliases)) for s in (survivor.source_system, survivor.target_system)}
    others = [s for s in cluster.systems if normalize_key(s) not in ends]
    if others:
        route += f" (+ {', '.join(others)})"
    return route


def _cluster_row(analysis: RegistryAnalysis, cluster: Cluster) -> ClusterRow:
    names = tuple(analysis.integration(m).name for m in cluster.members)
    shown = [shorten(n, 32) for n in names[:2]]
    summary = ", ".join(shown) + (f" +{len(names) - 2} more" if len(names) > 2 else "")
    return ClusterRow(
        cluster_id=cluster.id,
        route=_cluster_route(analysis, cluster),
        members=cluster.members,
        member_names=names,
        member_summary=summary,
        objects=cluster.shared_objects,
        teams=cluster.teams,
        survivor=cluster.survivor,
        total=cluster.total_monthly_run_rate,
        duplicated=cluster.duplicated_monthly_run_rate,
    )


def duplicated_by_cluster(analysis: RegistryAnalysis, clusters: Iterable[Cluster] | None = None) -> list[ClusterRow]:
    """Clusters as chart rows, largest likely duplicated run-rate first.

    >>> [(r.cluster_id, r.route, r.duplicated.likely) for r in duplicated_by_cluster(_example_analysis())]
    [('CL-INT-1', 'Salesforce → Stripe', 600.0)]

    Args:
        analysis: the registry analysis.
        clusters: a subset (e.g. from :func:`filter_clusters`); ``None`` means every cluster.

    Returns:
        One row per cluster, sorted by likely duplicated run-rate, highest first, then by id.
    """
    chosen = analysis.clusters if clusters is None else tuple(clusters)
    rows = [_cluster_row(analysis, c) for c in chosen]
    rows.sort(key=lambda r: (-r.duplicated.likely, r.cluster_id))
    return rows


CHART_CLUSTERS = 15  # bars a projector can show legibly


def chart_rows(rows: Sequence[ClusterRow], limit: int = CHART_CLUSTERS) -> tuple[list[ClusterRow], ClusterRow | None]:
    """The largest ``limit`` cluster rows to draw, and the rest summed into one row to state in words.

    A chart of hundreds of bars is thousands of pixels tall; one bar summing hundreds of clusters would
    dwarf the ones drawn. So the tail is summed and said under the chart, and no money disappears.

    >>> rows = duplicated_by_cluster(_example_analysis())
    >>> drawn, rest = chart_rows(rows * 3, limit=1)
    >>> [r.cluster_id for r in drawn], rest.route, rest.duplicated.likely
    (['CL-INT-1'], '2 smaller clusters', 1200.0)

    Args:
        rows: cluster rows, largest first (as :func:`duplicated_by_cluster` returns them).
        limit: how many clusters get a bar.

    Returns:
        The rows to draw, and the sum of the others (``None`` when every cluster is drawn).
    """
    if len(rows) <= limit + 1:  # folding a single cluster into "1 smaller cluster" would hide its name for nothing
        return list(rows), None
    rest = rows[limit:]
    members = tuple(m for r in rest for m in r.members)
    return list(rows[:limit]), ClusterRow(
        cluster_id="",
        route=f"{len(rest):,} smaller clusters",
        members=members,
        member_names=tuple(n for r in rest for n in r.member_names),
        member_summary=f"{len(members):,} integrations",
        objects=tuple(sorted({o for r in rest for o in r.objects})),
        teams=tuple(sorted({t for r in rest for t in r.teams})),
        survivor="",
        total=total(r.total for r in rest),
        duplicated=total(r.duplicated for r in rest),
    )


def undrawn_clusters_text(rest: ClusterRow, currency: str) -> str:
    """The sentence under a cluster chart for the clusters :func:`chart_rows` summed instead of drawing.

    >>> rows = duplicated_by_cluster(_example_analysis())
    >>> undrawn_clusters_text(chart_rows(rows * 3, limit=1)[1], "$")
    'Not drawn: 2 smaller clusters (4 integrations) duplicating $900 – $1,500 / month (likely $1,200) together.'

    Args:
        rest: the summed row.
        currency: the currency symbol.

    Returns:
        One plain sentence.
    """
    return (f"Not drawn: {rest.route} ({rest.member_summary}) duplicating "
            f"{format_money_range(rest.duplicated, currency, '/ month')} together.")


def cluster_title(analysis: RegistryAnalysis, cluster: Cluster) -> str:
    """The one-line heading of a cluster: id, route, shared objects, duplicated money.

    >>> a = _example_analysis()
    >>> cluster_title(a, a.clusters[0])
    'CL-INT-1 · Salesforce → Stripe · Opportunity · duplicated $450 – $750 / month (likely $600)'

    Args:
        analysis: the registry analysis (for the currency and canonical names).
        cluster: the cluster.

    Returns:
        The heading text (plain text: escape it before using it as markdown).
    """
    parts = [cluster.id, _cluster_route(analysis, cluster)]
    if cluster.shared_objects:
        parts.append(", ".join(cluster.shared_objects))
    money = format_money_range(cluster.duplicated_monthly_run_rate, analysis.settings.currency, "/ month")
    parts.append(f"duplicated {money}")
    return " · ".join(parts)


def filter_clusters(
    analysis: RegistryAnalysis, teams: Iterable[str] = (), min_duplicated: float = 0.0
) -> tuple[Cluster, ...]:
    """The clusters a facilitator asked for: involving any of ``teams``, duplicating at least ``min_duplicated``.

    >>> a = _example_analysis()
    >>> len(filter_clusters(a, ["Finance"])), len(filter_clusters(a, ["Sales Ops"])), len(filter_clusters(a, min_duplicated=1e6))
    (0, 1, 0)

    Args:
        analysis: the registry analysis.
        teams: owner teams; empty means every team.
        min_duplicated: the smallest likely duplicated monthly run-rate to keep.

    Returns:
        Matching clusters, in the analysis's order (largest duplication first).
    """
    wanted = set(teams)
    return tuple(
        c for c in analysis.clusters
        if (not wanted or wanted & set(c.teams)) and c.duplicated_monthly_run_rate.likely >= min_duplicated
    )


def duplication_slider_max(analysis: RegistryAnalysis, step: float = 500.0) -> float:
    """The top of a "minimum duplicated run-rate" slider: the largest cluster's likely figure, rounded up.

    >>> duplication_slider_max(_example_analysis())
    1000.0

    Args:
        analysis: the registry analysis.
        step: round up to a multiple of this.

    Returns:
        The slider maximum, at least ``step``.
    """
    largest = max((c.duplicated_monthly_run_rate.likely for c in analysis.clusters), default=0.0)
    return max(step, math.ceil(largest / step) * step)


def cluster_members_table(analysis: RegistryAnalysis, cluster_id: str) -> list[dict]:
    """A cluster's members side by side, the survivor first, ready for a table.

    >>> rows = cluster_members_table(_example_analysis(), "CL-INT-1")
    >>> [(r["ID"], r["Keep"], r["Owner"], r["Route"]) for r in rows]
    [('INT-1', 'Keep', 'Ana Silva', 'Salesforce → Stripe'), ('INT-2', 'Merge', 'unowned', 'Salesforce → Stripe')]

    Args:
        analysis: the registry analysis.
        cluster_id: the cluster's id, e.g. ``CL-INT-015``.

    Returns:
        One dict per member, most telling columns first: Keep, ID, Name, Monthly run-rate (text with
        units), Team, Owner, Status, Controls, Route, Data objects, Consumers.

    Raises:
        ClusterNotFound: when the analysis has no such cluster.
    """
    cluster = analysis.cluster(cluster_id)
    currency = analysis.settings.currency
    ordered = sorted(cluster.members, key=lambda m: (m != cluster.survivor, m))
    rows = []
    for member in ordered:
        i = analysis.integration(member)
        controls = sum(1 for value in i.controls.values() if value is True)
        rows.append({
            "Keep": "Keep" if member == cluster.survivor else "Merge",
            "ID": i.id,
            "Name": i.name,
            "Monthly run-rate": format_money_range(analysis.run_rates.get(i.id, Range.zero()), currency, "/ month"),
            "Team": i.owner_team,
            "Owner": i.owner.strip() if i.is_owned else "unowned",
            "Status": i.status.value,
            "Controls": f"{controls} of {len(CONTROL_FIELDS)}",
            "Route": route_text(i, analysis.aliases),
            "Data objects": ", ".join(canonical_object(o, analysis.aliases) for o in i.data_objects),
            "Consumers": ", ".join(i.consumers) or "none listed",
        })
    return rows


def survivor_candidates(analysis: RegistryAnalysis, cluster_id: str) -> tuple[str, ...]:
    """The members a group may choose to keep: those that run (a proposal cannot replace them).

    When no member runs, every member is a candidate.

    >>> survivor_candidates(_example_analysis(), "CL-INT-1")
    ('INT-1', 'INT-2')

    Args:
        analysis: the registry analysis.
        cluster_id: the cluster's id.

    Returns:
        Member ids, in id order.

    Raises:
        ClusterNotFound: when the analysis has no such cluster.
    """
    cluster = analysis.cluster(cluster_id)
    members = [analysis.integration(m) for m in cluster.members]
    running = tuple(m.id for m in members if m.status in _RUNS)
    return running or tuple(m.id for m in members)


# --- Money over time and by team ---------------------------------------------------------------------


def cumulative_waste(analysis: RegistryAnalysis, months: int) -> list[Range]:
    """What the duplication costs in total after each month: entry ``m`` is ``m`` × the duplicated run-rate.

    >>> [r.likely for r in cumulative_waste(_example_analysis(), 3)]
    [0.0, 600.0, 1200.0, 1800.0]

    Args:
        analysis: the registry analysis.
        months: how many months ahead (0 or more).

    Returns:
        ``months + 1`` ranges, month 0 (nothing spent yet) to ``months``.

    Raises:
        ValueError: when ``months`` is negative.
    """
    if months < 0:
        raise ValueError(f"months must be 0 or more (got {months})")
    duplicated = analysis.costs.duplicated_monthly_run_rate
    return [duplicated * month for month in range(months + 1)]


def duplicated_by_team(analysis: RegistryAnalysis) -> list[TeamCost]:
    """The owner teams that pay for duplicates, most duplication first.

    >>> [(t.team, t.duplicated_monthly_run_rate.likely) for t in duplicated_by_team(_example_analysis())]
    [('Sales Ops', 600.0)]

    Args:
        analysis: the registry analysis.

    Returns:
        Team costs with a duplicated run-rate above zero.
    """
    return [t for t in analysis.costs.by_team if t.duplicated_monthly_run_rate.high > 0]


def error_bars(ranges: Sequence[Range]) -> tuple[list[float], list[float]]:
    """Distances from each likely value up to its high and down to its low, for chart error bars.

    >>> error_bars([Range(80, 100, 150), Range.exact(5)])
    ([50.0, 0.0], [20.0, 0.0])

    Args:
        ranges: the plotted ranges.

    Returns:
        ``(above, below)``: lists of non-negative distances.
    """
    return [r.high - r.likely for r in ranges], [r.likely - r.low for r in ranges]


# --- The system map ----------------------------------------------------------------------------------


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
    worth_a_label.sort(key=lambda e: (not highlighted(e), cluster_rank.get(e.in_cluster, 0), -e.count, e.source, e.target))
    labelled = {(e.source, e.target) for e in worth_a_label[:max_labels]}
    return [replace(e, highlighted=highlighted(e), labelled=(e.source, e.target) in labelled) for e in edges]


def system_map(analysis: RegistryAnalysis, max_systems: int = MAX_MAP_SYSTEMS,
               max_highlighted: int = MAX_MAP_HIGHLIGHTED_CLUSTERS, max_labels: int = MAX_MAP_LABELS) -> SystemMap:
    """Systems as nodes on a circle and integrations as edges, one edge per pair of systems.

    System names go through the alias table, so "SFDC" and "Salesforce.com" join "Salesforce".
    Retired integrations are left out unless the settings include them. The layout is fixed (no
    randomness): the busiest system at the top, then clockwise, each system next to the one it
    shares most integrations with.

    >>> m = system_map(_example_analysis())
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
    kept = set(sorted(degree, key=lambda key: (key not in largest, key not in clustered, -degree[key], key))[:max_systems])
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
    for pair, rows in groups.items():
        rows = sorted(rows, key=lambda i: i.id)
        directions = Counter(ends[i.id] for i in rows)
        (source, target), _ = min(directions.items(), key=lambda item: (-item[1], display[item[0][0]], display[item[0][1]]))
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


# --- Alias pairs -------------------------------------------------------------------------------------

def add_alias_pair(current: AliasPairs, kind: str, alias: str, canonical: str) -> AliasPairs:
    """The alias rows with one more: ``alias`` means ``canonical``.

    If ``canonical`` is itself an alias, the new row points at its final name. Rows that used
    ``alias`` as their canonical name are pointed at the new final name too, so the table never
    chains. Adding a row that is already there changes nothing.

    >>> pairs = AliasPairs(systems=(("SFDC", "Salesforce"),), objects=())
    >>> add_alias_pair(pairs, "system", "Zendesk Support", "Zendesk").systems
    (('SFDC', 'Salesforce'), ('Zendesk Support', 'Zendesk'))
    >>> add_alias_pair(pairs, "system", "SF", "SFDC").systems
    (('SFDC', 'Salesforce'), ('SF', 'Salesforce'))

    Args:
        current: the rows in force (from :func:`load_alias_pairs`).
        kind: ``"system"`` or ``"object"``.
        alias: the spelling to merge away, e.g. "Zendesk Support".
        canonical: the name it means, e.g. "Zendesk".

    Returns:
        The new rows, checked like a file.

    Raises:
        ValueError: when ``kind`` is neither "system" nor "object".
        ConfigError: when the result is not a valid alias table (the message names the row).
    """
    if kind not in ("system", "object"):
        raise ValueError(f"kind must be 'system' or 'object', not {kind!r}")
    alias, canonical = alias.strip(), canonical.strip()
    rows = list(current.systems if kind == "system" else current.objects)
    table = (Aliases.from_pairs(systems=rows) if kind == "system" else Aliases.from_pairs(objects=rows))
    lookup = table.systems if kind == "system" else table.objects
    key_of = normalize_key if kind == "system" else (lambda name: normalize_key(canonical_object(name, Aliases())))
    final = lookup.get(key_of(canonical), canonical)
    if key_of(alias) == key_of(final):
        return current
    rows = [(a, final if key_of(c) == key_of(alias) else c) for a, c in rows]
    if (alias, final) not in rows:
        rows.append((alias, final))
    rows = [(a, c) for a, c in rows if key_of(a) != key_of(c) or a == c]
    new = AliasPairs(systems=tuple(rows), objects=current.objects) if kind == "system" else AliasPairs(
        systems=current.systems, objects=tuple(rows))
    Aliases.from_pairs(systems=new.systems, objects=new.objects)  # raises ConfigError naming the bad row
    return new


# --- Doctest example -----------------------------------------------------------------------------------


def _example_analysis() -> RegistryAnalysis:
    """A three-row registry: two Salesforce → Stripe syncs (one typed "SFDC") and a Snowflake load."""
    from core.domain.analysis import analyse_registry
    from core.domain.settings import Settings

    first = Integration(
        id="INT-1", name="Closed-won deals to Stripe", source_system="Salesforce", target_system="Stripe",
        data_objects=("Opportunity",), owner_team="Sales Ops", owner="Ana Silva", has_monitoring=True,
        monthly_maintenance_hours=Range.between(3, 5), hourly_rate=Range.exact(150),
    )
    second = first.with_changes(
        id="INT-2", name="Stripe provisioning", source_system="SFDC", owner=None, has_monitoring=None,
    )
    third = first.with_changes(
        id="INT-3", name="CRM to warehouse", target_system="Snowflake", data_objects=("Account",),
        owner_team="Data Engineering", status=Status.PROPOSED,
    )
    aliases = Aliases.from_pairs(systems=[("SFDC", "Salesforce")])
    return analyse_registry([first, second, third], Settings(), aliases=aliases)
