"""Figures for the dashboard's charts and tables, derived from one registry analysis."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from core.domain.analysis import RegistryAnalysis
from core.domain.names import Aliases, canonical_object, canonical_system, normalize_key
from core.domain.overlap import Cluster
from core.domain.ranges import Range, total
from core.domain.recommendation import ClusterRecommendation
from core.domain.registry import CONTROL_FIELDS, RUNNING, Integration, Status
from core.domain.tco import TeamCost
from core.wording import format_money_range, shorten

# Lifecycle order for status counts, as people read them.
_STATUS_ORDER = (Status.LIVE, Status.BUILDING, Status.PROPOSED, Status.DEPRECATED, Status.RETIRED)

_SHORT_NAME = 30  # characters of an integration name shown in a chart label


@dataclass(frozen=True, slots=True)
class Headline:
    """The numbers at the top of the Overview page."""

    integrations: int  # every registry row
    by_status: tuple[tuple[str, int], ...]  # ("live", 56), ... in lifecycle order, zero counts left out
    live: int
    proposed: int
    planned: int  # proposed or building: what the Overview and the snapshot both call "proposed or building"
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

    >>> h = headline_figures(example_analysis)
    >>> h.integrations, h.live, h.proposed, h.planned, h.systems, h.system_spellings, h.clusters
    (3, 2, 1, 1, 3, 4, 1)

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
        planned=statuses[Status.PROPOSED] + statuses[Status.BUILDING],
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

    >>> row = example_analysis.integration("INT-2")
    >>> route_text(row, Aliases.from_pairs(systems=[("SFDC", "Salesforce")]))
    'Salesforce → Stripe'

    Args:
        integration: the registry row.
        aliases: the alias tables.

    Returns:
        "Source → Target" or "Source ↔ Target".
    """
    arrow = "↔" if integration.is_bidirectional else "→"
    return (f"{canonical_system(integration.source_system, aliases)} {arrow} "
            f"{canonical_system(integration.target_system, aliases)}")


def registry_reading_rows(integrations: Iterable[Integration]) -> list[dict[str, str]]:
    """The registry as a shared screen reads it: id, name, route and data objects as typed, who owns it, status.

    >>> row = registry_reading_rows([example_analysis.integration("INT-2")])[0]
    >>> row["Route"], row["Owner"]
    ('SFDC → Stripe', 'Sales Ops (no person named)')

    Six columns, where the registry has over twenty: at 18 px on a 1280 px screen they fit without scrolling.
    """
    return [{"Id": i.id, "Name": i.name,
             "Route": route_text(i, Aliases()),  # no aliases: the systems as typed in the registry
             "Data objects": "; ".join(i.data_objects),
             "Owner": f"{i.owner_team}: {i.owner}" if i.owner else f"{i.owner_team} (no person named)",
             "Status": i.status.value} for i in integrations]


def cluster_members_reading_rows(rows: Iterable[Mapping[str, str]]) -> list[dict[str, str]]:
    """A cluster's members table (:func:`cluster_members_table`) as a shared screen reads it: six columns of two facts
    each where the full table has eleven, so that at 18 px on a 1280 px screen it fits without scrolling.

    >>> row = cluster_members_reading_rows(cluster_members_table(example_analysis, "CL-INT-1"))[1]
    >>> row["Integration"], row["Owner"], row["Runs"]
    ('INT-2 · Stripe provisioning', 'unowned · Sales Ops', 'live · 0 of 5 controls')
    """
    return [{"Recommended": r["Recommended"], "Integration": f"{r['ID']} · {r['Name']}",
             "Monthly run-rate": r["Monthly run-rate"], "Owner": f"{r['Owner']} · {r['Team']}",
             "Runs": f"{r['Status']} · {r['Controls']} controls", "Moves": f"{r['Route']}: {r['Data objects']}"}
            for r in rows]


def _cluster_route(analysis: RegistryAnalysis, cluster: Cluster) -> str:
    survivor = analysis.integration(cluster.survivor)
    route = route_text(survivor, analysis.aliases)
    ends = {normalize_key(canonical_system(s, analysis.aliases))
            for s in (survivor.source_system, survivor.target_system)}
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

    >>> [(r.cluster_id, r.route, r.duplicated.likely) for r in duplicated_by_cluster(example_analysis)]
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

    >>> rows = duplicated_by_cluster(example_analysis)
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

    >>> rows = duplicated_by_cluster(example_analysis)
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


def cluster_name(analysis: RegistryAnalysis, cluster: Cluster, shown_members: int = 3) -> str:
    """A cluster by name, for pickers and decision cards: its route, shared objects and first members.

    >>> a = example_analysis
    >>> cluster_name(a, a.clusters[0])
    'Salesforce → Stripe · Opportunity (INT-1, INT-2)'

    Args:
        analysis: the registry analysis (for canonical system names).
        cluster: the cluster.
        shown_members: members named before the rest are left as "…".

    Returns:
        Plain text (escape it before using it as markdown).
    """
    name = _cluster_route(analysis, cluster)
    if cluster.shared_objects:
        name += " · " + ", ".join(cluster.shared_objects)
    members = ", ".join(cluster.members[:shown_members]) + (", …" if len(cluster.members) > shown_members else "")
    return f"{name} ({members})"


def cluster_title(analysis: RegistryAnalysis, cluster: Cluster) -> str:
    """The one-line heading of a cluster: id, route, shared objects, duplicated money.

    >>> a = example_analysis
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

    >>> a = example_analysis
    >>> (len(filter_clusters(a, ["Finance"])), len(filter_clusters(a, ["Sales Ops"])),
    ...  len(filter_clusters(a, min_duplicated=1e6)))
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

    >>> duplication_slider_max(example_analysis)
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

    >>> rows = cluster_members_table(example_analysis, "CL-INT-1")
    >>> [(r["ID"], r["Recommended"], r["Owner"], r["Route"]) for r in rows]
    [('INT-1', 'Keep', 'Ana Silva', 'Salesforce → Stripe'), ('INT-2', 'Retire', 'unowned', 'Salesforce → Stripe')]

    Args:
        analysis: the registry analysis.
        cluster_id: the cluster's id, e.g. ``CL-INT-015``.

    Returns:
        One dict per member, most telling columns first: Recommended (what the cluster's recommendation
        does with it), ID, Name, Monthly run-rate (text with units), Team, Owner, Status, Controls, Route,
        Data objects, Consumers.

    Raises:
        ClusterNotFound: when the analysis has no such cluster.
    """
    cluster = analysis.cluster(cluster_id)
    recommendation = analysis.recommendation(cluster.id)
    currency = analysis.settings.currency
    ordered = sorted(cluster.members, key=lambda m: (m != cluster.survivor, m))
    rows = []
    for member in ordered:
        i = analysis.integration(member)
        controls = sum(1 for value in i.controls.values() if value is True)
        rows.append({
            "Recommended": recommendation.member(member).action,
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


def recommended_moves(analysis: RegistryAnalysis, limit: int = 3) -> list[tuple[ClusterRow, ClusterRecommendation]]:
    """The clusters that duplicate the most, each with its recommendation: what to do first.

    >>> [(row.cluster_id, move.summary) for row, move in recommended_moves(example_analysis)]
    [('CL-INT-1', 'Merge: keep INT-1 and retire INT-2.')]

    Args:
        analysis: the registry analysis.
        limit: how many clusters.

    Returns:
        ``(cluster row, recommendation)`` pairs, largest likely duplicated run-rate first.
    """
    rows = duplicated_by_cluster(analysis, sorted(analysis.clusters,
                                                  key=lambda c: (-c.duplicated_monthly_run_rate.likely, c.id))[:limit])
    return [(row, analysis.recommendation(row.cluster_id)) for row in rows]


def survivor_candidates(analysis: RegistryAnalysis, cluster_id: str) -> tuple[str, ...]:
    """The members a group may choose to keep: those that run (a proposal cannot replace them).

    When no member runs, every member is a candidate.

    >>> survivor_candidates(example_analysis, "CL-INT-1")
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
    running = tuple(m.id for m in members if m.status in RUNNING)
    return running or tuple(m.id for m in members)


def cumulative_waste(analysis: RegistryAnalysis, months: int) -> list[Range]:
    """What the duplication costs in total after each month: entry ``m`` is ``m`` × the duplicated run-rate.

    >>> [r.likely for r in cumulative_waste(example_analysis, 3)]
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

    >>> [(t.team, t.duplicated_monthly_run_rate.likely) for t in duplicated_by_team(example_analysis)]
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
