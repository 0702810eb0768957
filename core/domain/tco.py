"""What integrations cost, low / likely / high: run-rate, build, TCO, duplication and consolidation scenarios."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from core.domain.complexity import ComplexityRules, Effort, estimate_effort
from core.domain.gc_pause import without_gc_pauses
from core.domain.overlap import Cluster
from core.domain.ranges import Range, total
from core.domain.registry import NOT_YET_BUILT, Complexity, Integration, Status
from core.domain.settings import Settings
from core.errors import IntegrationNotFound


@dataclass(frozen=True, slots=True)
class RunRate:
    """What one integration costs per month, by part; every part low / likely / high."""

    maintenance: Range  # maintenance hours x hourly rate
    tools: Range  # monthly tool cost, 0 when unknown
    reconciliation: Range  # reconciliations x hours each x people x hourly rate, 0 when unknown
    total: Range
    estimated_from_category: frozenset[str]  # {"monthly_maintenance_hours"} when the category filled it in
    hours: Range = Range.zero()  # engineering and ops hours a month: maintenance + reconciliation (tools are money)


@dataclass(frozen=True, slots=True)
class IntegrationCost:
    """One integration's run-rate, build cost and costs over the horizon."""

    id: str
    name: str
    owner_team: str
    run_rate: RunRate
    build_cost: Range
    tco: Range  # build cost + horizon x run-rate
    forward_cost: Range  # horizon x run-rate, + build cost only while proposed or building
    category: Complexity
    estimated_from_category: frozenset[str]  # registry fields filled in from the category
    build_hours: Range = Range.zero()  # the hours the build takes (the row's, else its category's)
    monthly_hours: Range = Range.zero()  # maintenance + reconciliation hours a month
    forward_hours: Range = Range.zero()  # horizon x monthly hours, + build hours while proposed or building


@dataclass(frozen=True, slots=True)
class TeamCost:
    """One owner team's share: its run-rate and the duplication it pays for."""

    team: str
    integrations: int  # how many (non-retired) integrations the team owns
    monthly_run_rate: Range
    duplicated_monthly_run_rate: Range  # run-rate of the team's integrations that are not a cluster's survivor


@dataclass(frozen=True, slots=True)
class PortfolioCost:
    """The whole registry's cost; retired integrations are left out."""

    build_cost: Range
    monthly_run_rate: Range
    tco: Range
    forward_cost: Range
    duplicated_monthly_run_rate: Range
    annualised_waste: Range  # 12 x duplicated monthly run-rate
    by_team: tuple[TeamCost, ...]  # most duplication first
    rows: tuple[IntegrationCost, ...]  # registry order
    horizon_months: int
    # The same figures in engineering and ops hours (tool costs have no hours).
    build_hours: Range = Range.zero()
    monthly_hours: Range = Range.zero()
    duplicated_monthly_hours: Range = Range.zero()
    tco_hours: Range = Range.zero()  # build hours + horizon x monthly hours
    forward_hours: Range = Range.zero()  # horizon x monthly hours, + build hours while proposed or building
    annualised_waste_hours: Range = Range.zero()  # 12 x duplicated monthly hours


@dataclass(frozen=True, slots=True)
class Scenario:
    """One way of running a cluster: its run-rate, its one-time cost and its cumulative cost month by month."""

    name: str  # "keep_all" / "merge" / "centralise"
    label: str  # for people, e.g. "Merge into CRM sync (INT-7)"
    monthly_run_rate: Range
    one_time_cost: Range
    cumulative: tuple[Range, ...]  # month 0 .. horizon: one-time cost + month x run-rate
    description: str


@dataclass(frozen=True, slots=True)
class ScenarioComparison:
    """Keep all, merge into the survivor, or centralise under one owner, for one cluster."""

    cluster_id: str
    keep_all: Scenario
    merge: Scenario
    centralise: Scenario
    break_even_month_merge: int | None  # first month merging costs no more than keeping all (likely)
    break_even_month_centralise: int | None
    horizon_months: int


# --- One integration ----------------------------------------------------------------------------------


def hourly_rate_for(integration: Integration, settings: Settings) -> Range:
    """The row's own hourly rate, else the portfolio's.

    >>> row = Integration(id="INT-1", name="x", source_system="A", target_system="B", data_objects=("O",),
    ...                   owner_team="T")
    >>> own_rate = row.with_changes(hourly_rate=Range.exact(90))
    >>> hourly_rate_for(row, Settings()), hourly_rate_for(own_rate, Settings()).likely
    (Range(low=150.0, likely=175.0, high=200.0), 90.0)

    Args:
        integration: the registry row.
        settings: portfolio assumptions.

    Returns:
        The rate in currency per hour.
    """
    return integration.hourly_rate if integration.hourly_rate is not None else settings.hourly_rate


def _reconciliation_hours(integration: Integration) -> Range:
    if integration.reconciliations_per_month is None or integration.reconciliation_hours is None:
        return Range.zero()
    # Somebody does each reconciliation, so an unknown head-count means one person, not none.
    people = integration.people_touching if integration.people_touching is not None else Range.exact(1)
    return integration.reconciliations_per_month * integration.reconciliation_hours * people


def _run_rate(integration: Integration, effort: Effort, rate: Range) -> RunRate:
    if integration.status is Status.RETIRED:
        zero = Range.zero()
        return RunRate(zero, zero, zero, zero, frozenset())
    maintenance = effort.monthly_maintenance_hours * rate
    tools = integration.monthly_tool_cost if integration.monthly_tool_cost is not None else Range.zero()
    reconciliation_hours = _reconciliation_hours(integration)
    reconciliation = reconciliation_hours * rate
    return RunRate(
        maintenance=maintenance,
        tools=tools,
        reconciliation=reconciliation,
        total=maintenance + tools + reconciliation,
        estimated_from_category=effort.estimated_from_category & {"monthly_maintenance_hours"},
        hours=effort.monthly_maintenance_hours + reconciliation_hours,
    )


def monthly_run_rate(integration: Integration, settings: Settings, rules: ComplexityRules) -> RunRate:
    """What an integration costs per month: maintenance + tools + reconciliation.

    Retired integrations cost nothing. Maintenance hours come from the category where the row has
    none (and ``estimated_from_category`` says so).

    >>> row = Integration(id="INT-1", name="Deals to billing", source_system="HubSpot", target_system="Stripe",
    ...                   data_objects=("Deal",), owner_team="Sales Ops", build_hours=Range.exact(15),
    ...                   monthly_maintenance_hours=Range.between(2, 3), hourly_rate=Range.exact(150))
    >>> monthly_run_rate(row, Settings(), rules).total
    Range(low=300.0, likely=375.0, high=450.0)

    Args:
        integration: the registry row.
        settings: portfolio assumptions (the hourly rate where the row has none).
        rules: complexity rules; ``None`` reads ``data/complexity.toml``.

    Returns:
        The run-rate by part and in total.
    """
    return _run_rate(integration, estimate_effort(integration, rules), hourly_rate_for(integration, settings))


def build_cost(integration: Integration, settings: Settings, rules: ComplexityRules) -> Range:
    """Build hours (the row's, else its category's) times the hourly rate.

    >>> from core.domain.registry import Complexity
    >>> row = Integration(id="INT-9", name="ERP sync", source_system="Salesforce", target_system="NetSuite",
    ...                   data_objects=("Order",), owner_team="Finance", complexity=Complexity.COMPLEX)
    >>> build_cost(row, Settings(), rules)
    Range(low=30000.0, likely=61250.0, high=100000.0)

    Args:
        integration: the registry row.
        settings: portfolio assumptions.
        rules: complexity rules; ``None`` reads ``data/complexity.toml``.

    Returns:
        The one-time build cost.
    """
    return estimate_effort(integration, rules).build_hours * hourly_rate_for(integration, settings)


def integration_tco(
    integration: Integration,
    settings: Settings,
    rules: ComplexityRules,
    horizon_months: int | None = None,
) -> IntegrationCost:
    """One integration's run-rate, build cost, TCO and forward cost over a horizon.

    TCO = build cost + horizon x run-rate. Forward cost is what is still to be spent: horizon x
    run-rate, plus the build cost only while the integration is proposed or being built. A retired
    integration costs nothing.

    >>> row = Integration(id="INT-1", name="Deals to billing", source_system="HubSpot", target_system="Stripe",
    ...                   data_objects=("Deal",), owner_team="Sales Ops", build_hours=Range.exact(15),
    ...                   monthly_maintenance_hours=Range.between(2, 3), hourly_rate=Range.exact(150))
    >>> cost = integration_tco(row, Settings(), rules, horizon_months=6)
    >>> cost.tco, cost.forward_cost.likely
    (Range(low=4050.0, likely=4500.0, high=4950.0), 2250.0)

    Args:
        integration: the registry row.
        settings: portfolio assumptions.
        rules: complexity rules; ``None`` reads ``data/complexity.toml``.
        horizon_months: months ahead; ``None`` uses ``settings.horizon_months``.

    Returns:
        The integration's costs.
    """
    horizon = settings.horizon_months if horizon_months is None else horizon_months
    effort = estimate_effort(integration, rules)
    rate = hourly_rate_for(integration, settings)
    run = _run_rate(integration, effort, rate)
    if integration.status is Status.RETIRED:
        build, estimated, hours = Range.zero(), frozenset(), Range.zero()
    else:
        build, estimated, hours = effort.build_hours * rate, effort.estimated_from_category, effort.build_hours
    running = run.total * horizon
    return IntegrationCost(
        id=integration.id,
        name=integration.name,
        owner_team=integration.owner_team,
        run_rate=run,
        build_cost=build,
        tco=build + running,
        forward_cost=running + build if integration.status in NOT_YET_BUILT else running,
        category=effort.category,
        estimated_from_category=estimated,
        build_hours=hours,
        monthly_hours=run.hours,
        forward_hours=run.hours * horizon + (hours if integration.status in NOT_YET_BUILT else Range.zero()),
    )


# --- The portfolio ------------------------------------------------------------------------------------


def _duplicate_ids(clusters: Iterable[Cluster], present: Mapping[str, object]) -> list[str]:
    """Non-survivor members of every cluster that are in the portfolio, each once, in cluster order."""
    seen: dict[str, None] = {}
    for cluster in clusters:
        for member in cluster.members:
            if member != cluster.survivor and member in present:
                seen.setdefault(member, None)
    return list(seen)


def portfolio_tco(
    integrations: Iterable[Integration],
    clusters: Iterable[Cluster],
    settings: Settings,
    rules: ComplexityRules,
    horizon_months: int | None = None,
) -> PortfolioCost:
    """The portfolio's build cost, run-rate, TCO, duplication and who pays for it.

    Retired integrations are left out everywhere; deprecated ones still cost. The duplicated run-rate
    is, per cluster, the run-rate of every member except the survivor (the cluster's total minus
    the survivor's); each of those members' run-rate is charged to its owner team.

    >>> a = Integration(id="INT-1", name="A", source_system="HubSpot", target_system="Stripe",
    ...                 data_objects=("Deal",), owner_team="Sales Ops", build_hours=Range.exact(15),
    ...                 monthly_maintenance_hours=Range.between(2, 3), hourly_rate=Range.exact(150))
    >>> b = a.with_changes(id="INT-2", name="B", owner_team="Finance")
    >>> cost = portfolio_tco([a, b], [], Settings(), rules, horizon_months=6)
    >>> cost.tco, cost.duplicated_monthly_run_rate.likely
    (Range(low=8100.0, likely=9000.0, high=9900.0), 0.0)

    Args:
        integrations: the registry rows (retired ones are skipped).
        clusters: overlap clusters; members not among ``integrations`` are ignored.
        settings: portfolio assumptions.
        rules: complexity rules; ``None`` reads ``data/complexity.toml``.
        horizon_months: months ahead; ``None`` uses ``settings.horizon_months``.

    Returns:
        Portfolio totals, team shares (most duplication first) and one row per integration.
    """
    horizon = settings.horizon_months if horizon_months is None else horizon_months
    # Several small frozen values per row (efforts, ranges, costs), none in a cycle: with the
    # collector on, its passes over them took two thirds of the time at 100,000 rows.
    with without_gc_pauses():
        rows = tuple(
            integration_tco(i, settings, rules, horizon) for i in integrations if i.status is not Status.RETIRED
        )
    by_id = {row.id: row for row in rows}
    duplicate_rows = [by_id[member] for member in _duplicate_ids(clusters, by_id)]
    duplicated = total(row.run_rate.total for row in duplicate_rows)
    duplicated_hours = total(row.monthly_hours for row in duplicate_rows)
    build_hours = total(row.build_hours for row in rows)
    monthly_hours = total(row.monthly_hours for row in rows)

    team_rows: dict[str, list[IntegrationCost]] = defaultdict(list)
    for row in rows:
        team_rows[row.owner_team].append(row)
    team_duplicated: dict[str, Range] = defaultdict(Range.zero)
    for row in duplicate_rows:
        team_duplicated[row.owner_team] = team_duplicated[row.owner_team] + row.run_rate.total
    teams = [
        TeamCost(
            team=team,
            integrations=len(owned),
            monthly_run_rate=total(row.run_rate.total for row in owned),
            duplicated_monthly_run_rate=team_duplicated.get(team, Range.zero()),
        )
        for team, owned in team_rows.items()
    ]
    teams.sort(key=lambda t: (-t.duplicated_monthly_run_rate.likely, -t.monthly_run_rate.likely, t.team))

    return PortfolioCost(
        build_cost=total(row.build_cost for row in rows),
        monthly_run_rate=total(row.run_rate.total for row in rows),
        tco=total(row.tco for row in rows),
        forward_cost=total(row.forward_cost for row in rows),
        duplicated_monthly_run_rate=duplicated,
        annualised_waste=duplicated * 12,
        by_team=tuple(teams),
        rows=rows,
        horizon_months=horizon,
        build_hours=build_hours,
        monthly_hours=monthly_hours,
        duplicated_monthly_hours=duplicated_hours,
        tco_hours=build_hours + monthly_hours * horizon,
        forward_hours=total(row.forward_hours for row in rows),
        annualised_waste_hours=duplicated_hours * 12,
    )


# --- Scenarios for one cluster -------------------------------------------------------------------------


def _scenario(name: str, label: str, run_rate: Range, one_time: Range, horizon: int, description: str) -> Scenario:
    """A scenario with its cumulative cost month by month: the one-time cost, then the run-rate every month."""
    cumulative = tuple(one_time + run_rate * month for month in range(horizon + 1))
    return Scenario(name=name, label=label, monthly_run_rate=run_rate, one_time_cost=one_time, cumulative=cumulative,
                    description=description)


def horizon_cost(scenario: Scenario, horizon_months: int) -> Range:
    """What a scenario costs over the horizon: its one-time cost plus the horizon times its run-rate.

    >>> horizon_cost(Scenario("merge", "Merge", Range.exact(400), Range.exact(2000), (), ""), 12).likely
    6800.0
    """
    return scenario.one_time_cost + scenario.monthly_run_rate * horizon_months


def break_even_month(scenario: Scenario | Sequence[Range], baseline: Scenario | Sequence[Range]) -> int | None:
    """The first month whose likely cumulative cost of ``scenario`` is at most the baseline's.

    >>> up_front = [Range.exact(c) for c in (900, 1000, 1100, 1200)]
    >>> keep = [Range.exact(c) for c in (0, 400, 800, 1200)]
    >>> break_even_month(up_front, keep), break_even_month(keep, keep), break_even_month(up_front, keep[:3])
    (3, 0, None)

    Args:
        scenario: a :class:`Scenario` or its cumulative costs, month 0 first.
        baseline: the same for the scenario compared against (usually keep-all).

    Returns:
        The month number, or ``None`` when it does not happen within the months given.
    """
    mine = getattr(scenario, "cumulative", scenario)
    theirs = getattr(baseline, "cumulative", baseline)
    for month, (a, b) in enumerate(zip(mine, theirs)):
        # Tolerance: sums of the same money in a different order differ in the last bits.
        if a.likely <= b.likely + 1e-9 * max(1.0, abs(b.likely)):
            return month
    return None


def _member_rows(cluster: Cluster, integrations_by_id: Mapping[str, Integration]) -> list[Integration]:
    missing = [m for m in (*cluster.members, cluster.survivor) if m not in integrations_by_id]
    if missing:
        raise IntegrationNotFound(
            f"cluster {cluster.id} names {', '.join(sorted(set(missing)))}, which the registry does not hold; "
            "run the overlap analysis again on the current registry"
        )
    return [integrations_by_id[m] for m in cluster.members]


def _percent(share: float) -> str:
    return f"{share * 100:g}%"


def compare_scenarios(
    cluster: Cluster,
    integrations_by_id: Mapping[str, Integration],
    settings: Settings,
    rules: ComplexityRules,
    horizon_months: int | None = None,
) -> ScenarioComparison:
    """Cost of keeping a cluster as it is, merging it into its survivor, or centralising it under one owner.

    Keep all: every live member's run-rate; the only one-time cost is building members not built yet.
    Merge: the survivor's run-rate plus ``merge_absorption`` of the other members' maintenance (their
    tools and reconciliation stop); one-time cost = migrating each other member (its category's
    migration hours x its rate), plus the survivor's build if not built yet. Centralise: the
    survivor's run-rate x ``centralise_platform_factor`` plus ``centralise_absorption`` of the others'
    maintenance; one-time cost = migrating every member, survivor included, plus the platform
    setup hours at the portfolio rate (plus the survivor's build if not built yet).

    >>> a = Integration(id="INT-1", name="A", source_system="HubSpot", target_system="Stripe",
    ...                 data_objects=("Deal",), owner_team="Sales Ops", build_hours=Range.exact(15),
    ...                 monthly_maintenance_hours=Range.between(2, 3), hourly_rate=Range.exact(150))
    >>> b = a.with_changes(id="INT-2", name="B", owner_team="Finance")
    >>> run = monthly_run_rate(a, Settings(), rules).total
    >>> cluster = Cluster(id="CL-INT-1", members=("INT-1", "INT-2"), pairs=(), shared_objects=("Deal",),
    ...     systems=("HubSpot", "Stripe"), teams=("Finance", "Sales Ops"), owners=(), unowned=("INT-1", "INT-2"),
    ...     evidence=(), total_monthly_run_rate=run + run, survivor="INT-1", survivor_reason="first",
    ...     survivor_is_explicit=False, duplicated_monthly_run_rate=run)
    >>> result = compare_scenarios(cluster, {"INT-1": a, "INT-2": b}, Settings(), rules, horizon_months=24)
    >>> result.keep_all.monthly_run_rate.likely, result.merge.monthly_run_rate.likely, result.break_even_month_merge
    (750.0, 450.0, 14)

    Args:
        cluster: the overlap cluster (members and survivor).
        integrations_by_id: the registry rows by id; must hold every member.
        settings: portfolio assumptions.
        rules: complexity rules (category migration hours, ``[scenarios]`` factors); ``None`` reads the file.
        horizon_months: months ahead; ``None`` uses ``settings.horizon_months``.

    Returns:
        The three scenarios and, for merge and centralise, the month they break even with keeping all.

    Raises:
        IntegrationNotFound: when the cluster names an id the registry does not hold.
    """
    factors = rules.scenarios
    horizon = settings.horizon_months if horizon_months is None else horizon_months
    members = [m for m in _member_rows(cluster, integrations_by_id) if m.status is not Status.RETIRED]
    survivor = integrations_by_id[cluster.survivor]
    costs = {m.id: integration_tco(m, settings, rules, horizon) for m in members}
    survivor_cost = integration_tco(survivor, settings, rules, horizon)
    others = [m for m in members if m.id != survivor.id]

    def migration(member: Integration) -> Range:
        hours = rules.defaults_for(costs[member.id].category).migration_hours
        return hours * hourly_rate_for(member, settings)

    def unbuilt(member: Integration) -> Range:
        return costs[member.id].build_cost if member.status in NOT_YET_BUILT else Range.zero()

    others_maintenance = total(costs[m.id].run_rate.maintenance for m in others)
    survivor_run = survivor_cost.run_rate.total
    survivor_unbuilt = survivor_cost.build_cost if survivor.status in NOT_YET_BUILT else Range.zero()

    keep_run = total(cost.run_rate.total for cost in costs.values())
    keep_once = total(unbuilt(m) for m in members)
    keep_all = _scenario(
        "keep_all", "Keep all", keep_run, keep_once, horizon,
        (
            f"All {len(members)} integrations keep running as they are: every one keeps its maintenance, "
            "tools and reconciliation. Nothing is spent up front except building any not built yet."
        ),
    )

    merge_run = survivor_run + others_maintenance * factors.merge_absorption
    their = "its" if len(others) == 1 else "their"
    merge_once = survivor_unbuilt + total(migration(m) for m in others)
    merge = _scenario(
        "merge", f"Merge into {survivor.name} ({survivor.id})", merge_run, merge_once, horizon,
        (
            f"Retire {len(others)} integration{'' if len(others) == 1 else 's'} and move {their} work onto "
            f"{survivor.name}, so {_percent(factors.merge_absorption)} of {their} maintenance is added to its "
            f"run-rate; {their} tools and reconciliation stop. One-time: migrating each retired integration (hours "
            "by its category)."
        ),
    )

    platform_setup = factors.centralise_setup_hours * settings.hourly_rate
    central_run = survivor_run * factors.centralise_platform_factor + others_maintenance * factors.centralise_absorption
    central_once = survivor_unbuilt + total(migration(m) for m in members) + platform_setup
    centralise = _scenario(
        "centralise", "Centralize under one owner", central_run, central_once, horizon,
        (
            f"One team (e.g. Data Engineering) runs a single platform for all {len(members)} integrations: "
            f"{factors.centralise_platform_factor:g} x {survivor.name}'s run-rate plus "
            f"{_percent(factors.centralise_absorption)} of the others' maintenance. One-time: migrating every "
            f"integration onto it plus {factors.centralise_setup_hours.low:g}–{factors.centralise_setup_hours.high:g} "
            "hours to set the platform up."
        ),
    )

    return ScenarioComparison(
        cluster_id=cluster.id,
        keep_all=keep_all,
        merge=merge,
        centralise=centralise,
        break_even_month_merge=break_even_month(merge, keep_all),
        break_even_month_centralise=break_even_month(centralise, keep_all),
        horizon_months=horizon,
    )
