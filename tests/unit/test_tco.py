"""Run-rate, build cost, TCO, duplication, consolidation scenarios and the Monte Carlo."""

from __future__ import annotations

import gc

import numpy as np
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

import core.domain.tco as tco
import core.domain.tco_simulation as tco_simulation
from core.domain.overlap import Cluster
from core.domain.ranges import Range, total
from core.domain.registry import Complexity, Integration, Status
from core.domain.settings import Settings
from core.domain.tco import (
    break_even_month,
    build_cost,
    compare_scenarios,
    integration_tco,
    monthly_run_rate,
    portfolio_tco,
)
from core.domain.tco_simulation import Percentiles, simulate_portfolio, simulate_scenarios
from core.errors import IntegrationNotFound
from core.storage.defaults import load_complexity_rules

RULES = load_complexity_rules()
SETTINGS = Settings()  # $150 / $175 / $200 an hour, 12 months


def make_row(id: str = "INT-1", **changes) -> Integration:
    """A row whose category (simple, 0 points) and figures are fully known unless changed."""
    base = Integration(
        id=id,
        name=f"Integration {id}",
        source_system="Zendesk",
        target_system="Slack",
        data_objects=("Ticket",),
        owner_team="Support",
        owner="Ana",
    )
    return base.with_changes(**changes)


def worked_example_pair() -> tuple[Integration, Integration]:
    """Two teams each built a 15-hour integration needing 2-3 hours a month, at exactly $150/h."""
    figures = dict(
        build_hours=Range.exact(15),
        monthly_maintenance_hours=Range.between(2, 3),
        hourly_rate=Range.exact(150),
    )
    return (
        make_row("INT-1", owner_team="Sales Ops", **figures),
        make_row("INT-2", owner_team="Finance", **figures),
    )


def make_cluster(rows: list[Integration], survivor: str | None = None) -> Cluster:
    """A cluster of ``rows`` with every field filled in, run-rates computed as the overlap module does."""
    survivor = survivor or rows[0].id
    runs = {row.id: monthly_run_rate(row, SETTINGS, RULES).total for row in rows}
    cluster_total = total(runs.values())
    return Cluster(
        id=f"CL-{min(runs)}",
        members=tuple(sorted(runs)),
        pairs=(),
        shared_objects=("Ticket",),
        systems=("Slack", "Zendesk"),
        teams=tuple(sorted({row.owner_team for row in rows})),
        owners=tuple(sorted({row.owner for row in rows if row.owner})),
        unowned=tuple(sorted(row.id for row in rows if not row.owner)),
        evidence=("both move Ticket from Zendesk to Slack",),
        total_monthly_run_rate=cluster_total,
        survivor=survivor,
        survivor_reason="chosen by the group",
        survivor_is_explicit=True,
        duplicated_monthly_run_rate=cluster_total - runs[survivor],
    )


def assert_range(actual: Range, low: float, likely: float, high: float) -> None:
    assert (actual.low, actual.likely, actual.high) == pytest.approx((low, likely, high))


# --- Worked checks (docs/method.md quotes these numbers) -------------------------------------------


def test_worked_example_each_run_rate_is_300_375_450():
    first, second = worked_example_pair()

    runs = [monthly_run_rate(row, SETTINGS, RULES) for row in (first, second)]

    for run in runs:
        assert_range(run.total, 300, 375, 450)
        assert run.estimated_from_category == frozenset()


def test_worked_example_cluster_duplicates_300_375_450():
    pair = list(worked_example_pair())
    cluster = make_cluster(pair)

    cost = portfolio_tco(pair, [cluster], SETTINGS, RULES, horizon_months=6)

    assert_range(cost.duplicated_monthly_run_rate, 300, 375, 450)
    assert_range(cluster.duplicated_monthly_run_rate, 300, 375, 450)


def test_worked_example_six_month_tco_of_the_pair_is_8100_9000_9900():
    pair = list(worked_example_pair())

    cost = portfolio_tco(pair, [make_cluster(pair)], SETTINGS, RULES, horizon_months=6)

    assert_range(cost.tco, 8100, 9000, 9900)


def test_complex_integration_without_build_estimate_costs_30k_to_100k():
    row = make_row(complexity=Complexity.COMPLEX)

    cost = build_cost(row, SETTINGS, RULES)

    assert_range(cost, 30_000, 61_250, 100_000)


def test_worked_example_scenarios_match_the_documented_table():
    pair = list(worked_example_pair())  # both simple: 4-12 migration hours each

    result = compare_scenarios(make_cluster(pair), {r.id: r for r in pair}, SETTINGS, RULES, horizon_months=12)

    assert result.keep_all.monthly_run_rate.likely == pytest.approx(750)
    assert_range(result.merge.monthly_run_rate, 360, 450, 540)
    assert result.merge.one_time_cost.likely == pytest.approx(1200)
    assert result.break_even_month_merge == 4
    assert_range(result.centralise.monthly_run_rate, 360, 450, 540)
    assert result.centralise.one_time_cost.likely == pytest.approx(12_900)
    assert result.break_even_month_centralise is None


# --- Run-rate parts --------------------------------------------------------------------------------------


def test_tools_and_reconciliation_add_to_maintenance():
    row = make_row(
        monthly_maintenance_hours=Range.exact(2),
        hourly_rate=Range.exact(100),
        monthly_tool_cost=Range.between(50, 150),
        reconciliations_per_month=Range.exact(4),
        reconciliation_hours=Range.between(1, 2),
        people_touching=Range.exact(2),
    )

    run = monthly_run_rate(row, SETTINGS, RULES)

    assert_range(run.maintenance, 200, 200, 200)
    assert_range(run.tools, 50, 100, 150)
    assert_range(run.reconciliation, 800, 1200, 1600)  # 4 x 1-2 h x 2 people x $100
    assert_range(run.total, 1050, 1500, 1950)


@pytest.mark.parametrize(
    ("reconciliation", "expected"),
    [
        ({}, 0),
        ({"reconciliations_per_month": Range.exact(4)}, 0),  # hours unknown: nothing to price
        ({"reconciliation_hours": Range.exact(2)}, 0),  # count unknown
        ({"reconciliations_per_month": Range.exact(4), "reconciliation_hours": Range.exact(2)}, 800),  # 1 person
        ({"reconciliations_per_month": Range.exact(4), "reconciliation_hours": Range.exact(2),
          "people_touching": Range.exact(3)}, 2400),
    ],
)
def test_missing_reconciliation_facts_count_as_zero_and_missing_people_as_one(reconciliation, expected):
    row = make_row(monthly_maintenance_hours=Range.exact(0), hourly_rate=Range.exact(100), **reconciliation)

    run = monthly_run_rate(row, SETTINGS, RULES)

    assert_range(run.reconciliation, expected, expected, expected)


def test_missing_tool_cost_is_zero():
    row = make_row()

    run = monthly_run_rate(row, SETTINGS, RULES)

    assert_range(run.tools, 0, 0, 0)


def test_settings_rate_applies_when_the_row_has_none():
    row = make_row(monthly_maintenance_hours=Range.exact(10))

    run = monthly_run_rate(row, SETTINGS, RULES)

    assert_range(run.total, 1500, 1750, 2000)


def test_missing_maintenance_is_estimated_from_category_and_says_so():
    row = make_row(hourly_rate=Range.exact(100))  # simple: 2-3 h a month

    run = monthly_run_rate(row, SETTINGS, RULES)

    assert_range(run.total, 200, 250, 300)
    assert run.estimated_from_category == frozenset({"monthly_maintenance_hours"})


def test_retired_integration_costs_nothing():
    row = make_row(status=Status.RETIRED, monthly_tool_cost=Range.exact(500))

    cost = integration_tco(row, SETTINGS, RULES)

    assert cost.run_rate.total == Range.zero()
    assert (cost.build_cost, cost.tco, cost.forward_cost) == (Range.zero(),) * 3


# --- TCO and forward cost ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "forward_includes_build"),
    [
        (Status.PROPOSED, True),
        (Status.BUILDING, True),
        (Status.LIVE, False),
        (Status.DEPRECATED, False),
    ],
)
def test_forward_cost_includes_build_only_before_it_is_built(status, forward_includes_build):
    row = make_row(status=status, build_hours=Range.exact(10), monthly_maintenance_hours=Range.exact(1),
                   hourly_rate=Range.exact(100))

    cost = integration_tco(row, SETTINGS, RULES, horizon_months=12)

    assert_range(cost.tco, 2200, 2200, 2200)
    expected = 2200 if forward_includes_build else 1200
    assert_range(cost.forward_cost, expected, expected, expected)


def test_horizon_defaults_to_settings():
    row = make_row(monthly_maintenance_hours=Range.exact(1), build_hours=Range.exact(0), hourly_rate=Range.exact(100))

    cost = integration_tco(row, Settings(horizon_months=24), RULES)

    assert_range(cost.tco, 2400, 2400, 2400)


def test_integration_cost_lists_every_field_estimated_from_category():
    row = make_row(complexity=Complexity.MODERATE)

    cost = integration_tco(row, SETTINGS, RULES)

    assert cost.category is Complexity.MODERATE
    assert cost.estimated_from_category == frozenset({"build_hours", "monthly_maintenance_hours"})


# --- Portfolio ---------------------------------------------------------------------------------------------


def test_retired_rows_are_excluded_and_deprecated_rows_still_cost():
    live = make_row("INT-1", monthly_maintenance_hours=Range.exact(1), hourly_rate=Range.exact(100))
    deprecated = live.with_changes(id="INT-2", status=Status.DEPRECATED)
    retired = live.with_changes(id="INT-3", status=Status.RETIRED)

    cost = portfolio_tco([live, deprecated, retired], [], SETTINGS, RULES)

    assert [row.id for row in cost.rows] == ["INT-1", "INT-2"]
    assert_range(cost.monthly_run_rate, 200, 200, 200)


def test_annualised_waste_is_twelve_months_of_duplication():
    pair = list(worked_example_pair())

    cost = portfolio_tco(pair, [make_cluster(pair)], SETTINGS, RULES)

    assert_range(cost.annualised_waste, 3600, 4500, 5400)


def test_duplication_is_charged_to_the_teams_of_non_survivors():
    survivor = make_row("INT-1", owner_team="Data", monthly_maintenance_hours=Range.exact(1),
                        hourly_rate=Range.exact(100))
    sales_copy = survivor.with_changes(id="INT-2", owner_team="Sales Ops", monthly_maintenance_hours=Range.exact(3))
    finance_copy = survivor.with_changes(id="INT-3", owner_team="Finance", monthly_maintenance_hours=Range.exact(2))
    unrelated = survivor.with_changes(id="INT-4", owner_team="Finance")
    rows = [survivor, sales_copy, finance_copy, unrelated]

    cost = portfolio_tco(rows, [make_cluster(rows[:3], survivor="INT-1")], SETTINGS, RULES)

    teams = {team.team: team for team in cost.by_team}
    assert [team.team for team in cost.by_team] == ["Sales Ops", "Finance", "Data"]  # most duplication first
    assert teams["Sales Ops"].duplicated_monthly_run_rate.likely == 300
    assert teams["Finance"].duplicated_monthly_run_rate.likely == 200
    assert teams["Finance"].monthly_run_rate.likely == 300
    assert teams["Finance"].integrations == 2
    assert teams["Data"].duplicated_monthly_run_rate.likely == 0
    assert sum(t.duplicated_monthly_run_rate.likely for t in cost.by_team) == cost.duplicated_monthly_run_rate.likely


def test_cluster_members_outside_the_portfolio_are_ignored():
    pair = list(worked_example_pair())
    cluster = make_cluster(pair)

    cost = portfolio_tco(pair[:1], [cluster], SETTINGS, RULES)

    assert cost.duplicated_monthly_run_rate == Range.zero()


# --- Scenarios ----------------------------------------------------------------------------------------------


def scenario_rows() -> list[Integration]:
    """A survivor and two copies, all simple (migration 4-12 h), $100/h, no build pending."""
    survivor = make_row("INT-1", monthly_maintenance_hours=Range.exact(4), monthly_tool_cost=Range.exact(100),
                        hourly_rate=Range.exact(100), build_hours=Range.exact(20))
    copy_a = survivor.with_changes(id="INT-2", monthly_maintenance_hours=Range.exact(2),
                                   reconciliations_per_month=Range.exact(2), reconciliation_hours=Range.exact(1))
    copy_b = survivor.with_changes(id="INT-3", monthly_maintenance_hours=Range.exact(3))
    return [survivor, copy_a, copy_b]


def test_keep_all_runs_every_member_with_no_one_time_cost():
    rows = scenario_rows()

    result = compare_scenarios(make_cluster(rows), {r.id: r for r in rows}, SETTINGS, RULES, horizon_months=12)

    # 400+100, 200+100+200 (reconciliation), 300+100
    assert_range(result.keep_all.monthly_run_rate, 1400, 1400, 1400)
    assert result.keep_all.one_time_cost == Range.zero()
    assert len(result.keep_all.cumulative) == 13
    assert_range(result.keep_all.cumulative[12], 16800, 16800, 16800)


def test_merge_keeps_survivor_plus_share_of_others_maintenance_and_pays_migration():
    rows = scenario_rows()

    result = compare_scenarios(make_cluster(rows), {r.id: r for r in rows}, SETTINGS, RULES, horizon_months=12)

    # survivor 500 + 20% x (200 + 300) maintenance; others' tools and reconciliation stop
    assert_range(result.merge.monthly_run_rate, 600, 600, 600)
    # two simple members x 4-12 h x $100
    assert_range(result.merge.one_time_cost, 800, 1600, 2400)
    assert result.merge.label == "Merge into Integration INT-1 (INT-1)"


def test_centralise_scales_survivor_and_pays_migration_of_all_plus_setup():
    rows = scenario_rows()

    result = compare_scenarios(make_cluster(rows), {r.id: r for r in rows}, SETTINGS, RULES, horizon_months=12)

    # 1.1 x 500 + 10% x 500
    assert_range(result.centralise.monthly_run_rate, 600, 600, 600)
    # three members x 4-12 h x $100 + 40-80 setup hours x $150-200
    assert_range(result.centralise.one_time_cost, 1200 + 6000, 2400 + 10500, 3600 + 16000)


def test_break_even_is_the_first_month_scenario_costs_no_more_than_keep_all():
    rows = scenario_rows()

    result = compare_scenarios(make_cluster(rows), {r.id: r for r in rows}, SETTINGS, RULES, horizon_months=12)

    # merge: 1600 + 600 m <= 1400 m from m = 2; centralise: 12900 + 600 m <= 1400 m needs m = 17
    assert result.break_even_month_merge == 2
    assert result.break_even_month_centralise is None


def test_not_yet_built_copy_counts_its_build_in_keep_all_only():
    survivor, copy_a, copy_b = scenario_rows()
    proposed = copy_b.with_changes(status=Status.PROPOSED)
    rows = [survivor, copy_a, proposed]

    result = compare_scenarios(make_cluster(rows), {r.id: r for r in rows}, SETTINGS, RULES, horizon_months=12)

    assert_range(result.keep_all.one_time_cost, 2000, 2000, 2000)  # 20 h x $100 still to spend
    assert_range(result.merge.one_time_cost, 800, 1600, 2400)  # migrating its scope, never building it


def test_cluster_naming_an_unknown_integration_is_refused():
    rows = scenario_rows()
    cluster = make_cluster(rows)

    with pytest.raises(IntegrationNotFound, match="INT-3"):
        compare_scenarios(cluster, {r.id: r for r in rows[:2]}, SETTINGS, RULES)


@pytest.mark.parametrize(
    ("scenario", "baseline", "month"),
    [
        ([5, 6, 7], [0, 3, 6], None),
        ([5, 6, 7], [0, 3, 7], 2),
        ([0, 1, 2], [0, 1, 2], 0),
        ([0.1 + 0.2], [0.3], 0),  # float noise does not delay break-even
        ([], [], None),
    ],
)
def test_break_even_month_table(scenario, baseline, month):
    mine, theirs = [Range.exact(v) for v in scenario], [Range.exact(v) for v in baseline]

    result = break_even_month(mine, theirs)

    assert result == month


# --- Monte Carlo ---------------------------------------------------------------------------------------------


def test_same_seed_gives_the_same_numbers_and_another_seed_does_not():
    pair = list(worked_example_pair()) + [make_row("INT-3")]
    clusters = [make_cluster(pair[:2])]

    first = simulate_portfolio(pair, clusters, SETTINGS, RULES, draws=500, seed=7)
    again = simulate_portfolio(pair, clusters, SETTINGS, RULES, draws=500, seed=7)
    other = simulate_portfolio(pair, clusters, SETTINGS, RULES, draws=500, seed=8)

    assert first == again
    assert first != other


def test_exact_figures_simulate_to_exact_numbers():
    rows = [make_row(monthly_maintenance_hours=Range.exact(2), build_hours=Range.exact(10),
                     hourly_rate=Range.exact(100))]

    result = simulate_portfolio(rows, [], SETTINGS, RULES, horizon_months=12, draws=100)

    assert result.monthly_run_rate == Percentiles(200, 200, 200)
    assert result.tco == Percentiles(3400, 3400, 3400)
    assert result.duplicated_monthly_run_rate == Percentiles(0, 0, 0)


def test_simulated_median_matches_the_triangular_median():
    row = make_row(monthly_maintenance_hours=Range(1, 2, 9), hourly_rate=Range.exact(1))

    result = simulate_portfolio([row], [], SETTINGS, RULES, draws=40_000, seed=1)

    # Triangular(1, 2, 9): median = 9 - sqrt(0.5 x 8 x 7) = 3.708
    assert result.monthly_run_rate.p50 == pytest.approx(9 - (0.5 * 8 * 7) ** 0.5, rel=0.02)


def test_duplication_and_waste_follow_the_clusters():
    pair = list(worked_example_pair())

    result = simulate_portfolio(pair, [make_cluster(pair)], SETTINGS, RULES, draws=2000, seed=3)

    assert 300 <= result.duplicated_monthly_run_rate.p10 <= result.duplicated_monthly_run_rate.p90 <= 450
    assert result.annualised_waste.p50 == pytest.approx(12 * result.duplicated_monthly_run_rate.p50)


def test_small_blocks_give_the_same_distribution(monkeypatch):
    rows = [make_row(f"INT-{n}", monthly_maintenance_hours=Range(1, 2 + n % 3, 6)) for n in range(40)]
    big = simulate_portfolio(rows, [], SETTINGS, RULES, draws=4000, seed=5)

    monkeypatch.setattr(tco_simulation, "_BLOCK_ELEMENTS", 1)  # one integration per block
    small = simulate_portfolio(rows, [], SETTINGS, RULES, draws=4000, seed=5)

    assert small.monthly_run_rate.p50 == pytest.approx(big.monthly_run_rate.p50, rel=0.02)
    assert small.tco.p90 == pytest.approx(big.tco.p90, rel=0.02)


def test_draws_must_be_positive():
    with pytest.raises(ValueError, match="draws"):
        simulate_portfolio([], [], SETTINGS, RULES, draws=0)


def test_scenario_simulation_stays_within_each_scenarios_range():
    rows = scenario_rows()
    comparison = compare_scenarios(make_cluster(rows), {r.id: r for r in rows}, SETTINGS, RULES, horizon_months=12)

    result = simulate_scenarios(comparison, draws=3000, seed=2)

    for name in ("keep_all", "merge", "centralise"):
        spread, percentiles = getattr(comparison, name).cumulative[-1], getattr(result, name)
        assert spread.low <= percentiles.p10 <= percentiles.p50 <= percentiles.p90 <= spread.high
    assert result == simulate_scenarios(comparison, draws=3000, seed=2)


# --- Properties ------------------------------------------------------------------------------------------------


@st.composite
def ranges(draw, max_value: float = 1000.0) -> Range:
    points = sorted(draw(st.lists(st.floats(0, max_value, allow_nan=False), min_size=3, max_size=3)))
    return Range(*points)


@st.composite
def integrations(draw, id: str = "INT-1") -> Integration:
    optional = lambda strategy: st.none() | strategy  # noqa: E731 - a one-line strategy helper
    return make_row(
        id,
        owner_team=draw(st.sampled_from(["Sales Ops", "Finance", "Data"])),
        status=draw(st.sampled_from(Status)),
        complexity=draw(optional(st.sampled_from(Complexity))),
        build_hours=draw(optional(ranges())),
        monthly_maintenance_hours=draw(optional(ranges(100))),
        hourly_rate=draw(optional(ranges(300))),
        monthly_tool_cost=draw(optional(ranges())),
        reconciliations_per_month=draw(optional(ranges(30))),
        reconciliation_hours=draw(optional(ranges(10))),
        people_touching=draw(optional(ranges(5))),
    )


@st.composite
def portfolios(draw, min_size: int = 1, max_size: int = 6) -> list[Integration]:
    size = draw(st.integers(min_size, max_size))
    return [draw(integrations(f"INT-{n}")) for n in range(size)]


@given(integrations())
def test_run_rate_is_ordered_and_is_the_sum_of_its_parts(row):
    run = monthly_run_rate(row, SETTINGS, RULES)

    parts = run.maintenance + run.tools + run.reconciliation

    assert run.total.low <= run.total.likely <= run.total.high
    assert (run.total.low, run.total.likely, run.total.high) == pytest.approx((parts.low, parts.likely, parts.high))


@given(portfolios(min_size=2))
def test_duplicated_run_rate_never_exceeds_the_total(rows):
    cluster = make_cluster(rows)

    cost = portfolio_tco(rows, [cluster], SETTINGS, RULES)

    for part in ("low", "likely", "high"):
        assert getattr(cost.duplicated_monthly_run_rate, part) <= getattr(cost.monthly_run_rate, part) + 1e-6


@given(portfolios(min_size=1, max_size=5), integrations("INT-9"))
def test_adding_a_member_never_lowers_keep_all_cost(rows, extra):
    smaller, larger = rows, rows + [extra]
    by_id = {row.id: row for row in larger}

    before = compare_scenarios(make_cluster(smaller), by_id, SETTINGS, RULES, horizon_months=6).keep_all
    after = compare_scenarios(make_cluster(larger), by_id, SETTINGS, RULES, horizon_months=6).keep_all

    for month in (0, 6):
        for part in ("low", "likely", "high"):
            assert getattr(after.cumulative[month], part) >= getattr(before.cumulative[month], part) - 1e-6


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(portfolios(), st.integers(0, 2**32 - 1))
def test_monte_carlo_percentiles_are_ordered_within_range_and_repeatable(rows, seed):
    clusters = [make_cluster(rows)] if len(rows) > 1 else []
    deterministic = portfolio_tco(rows, clusters, SETTINGS, RULES)

    result = simulate_portfolio(rows, clusters, SETTINGS, RULES, draws=300, seed=seed)

    for name in ("monthly_run_rate", "duplicated_monthly_run_rate", "annualised_waste", "tco"):
        percentiles, spread = getattr(result, name), getattr(deterministic, name)
        tolerance = 1e-9 * max(1.0, spread.high)
        assert percentiles.p10 <= percentiles.p50 <= percentiles.p90
        assert spread.low - tolerance <= percentiles.p50 <= spread.high + tolerance
    assert result == simulate_portfolio(rows, clusters, SETTINGS, RULES, draws=300, seed=seed)


def test_block_sum_never_holds_integrations_times_draws(monkeypatch):
    allocated: list[int] = []
    real_empty = np.empty

    def recording_empty(shape, *args, **kwargs):
        allocated.append(int(np.prod(shape)))
        return real_empty(shape, *args, **kwargs)

    rows = [make_row(f"INT-{n}", monthly_maintenance_hours=Range(1, 2, 3)) for n in range(200)]
    monkeypatch.setattr(tco_simulation, "_BLOCK_ELEMENTS", 2_000)
    monkeypatch.setattr(tco_simulation.np, "empty", recording_empty)

    simulate_portfolio(rows, [], SETTINGS, RULES, draws=1_000, seed=0)

    assert allocated and max(allocated) <= 2_000


def test_portfolio_tco_pauses_the_cycle_collector_and_switches_it_back_on(monkeypatch):
    seen: list[bool] = []
    real_tco = tco.integration_tco

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return real_tco(*args, **kwargs)

    monkeypatch.setattr(tco, "integration_tco", spy)
    rows = list(worked_example_pair())
    assert gc.isenabled()

    cost = portfolio_tco(rows, [make_cluster(rows, survivor="INT-1")], SETTINGS, RULES)

    assert seen == [False, False] and gc.isenabled()
    assert cost.duplicated_monthly_run_rate == Range(300, 375, 450)


def test_portfolio_tco_switches_the_collector_back_on_when_a_row_fails(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("bad row")

    monkeypatch.setattr(tco, "integration_tco", broken)

    with pytest.raises(RuntimeError, match="bad row"):
        portfolio_tco(list(worked_example_pair()), [], SETTINGS, RULES)

    assert gc.isenabled()
