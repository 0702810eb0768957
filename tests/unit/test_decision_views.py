"""What the Score and TCO pages show: sorted rows, sentences and figures worked out in core."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from core.domain.analysis import analyse_registry, score_registry_integration
from core.domain.ranges import Range
from core.domain.registry import Direction, Integration, Status, Tier
from core.domain.registry_csv import read_registry_csv
from core.domain.rubric import (
    RubricResult,
    ScoringContext,
    Verdict,
    WeightSensitivity,
    score_integration,
)
from core.domain.tco import Scenario, ScenarioComparison, compare_scenarios
from core.domain.tco_simulation import Percentiles, simulate_portfolio, simulate_scenarios
from core.errors import ProposalError
from core.reports.score_figures import (
    PROPOSAL_ID,
    contribution_rows,
    describe_subject,
    flip_statements,
    format_score,
    history_rows,
    overrides_from_inputs,
    proposal_from_answers,
    score_subject,
    stability_statement,
)
from core.reports.tco_figures import (
    break_even_sentences,
    cluster_choice_label,
    cluster_table_rows,
    headline_figures,
    scenario_series,
    scenario_table_rows,
    tco_assumptions,
    top_waste_clusters,
)
from core.storage.defaults import (
    SAMPLE_REGISTRY,
    default_complexity_rules,
    load_aliases,
    load_default_settings,
    load_rubric,
)


@pytest.fixture(scope="module")
def analysis():
    return analyse_registry(read_registry_csv(SAMPLE_REGISTRY.read_bytes()).accepted, load_default_settings(),
                            aliases=load_aliases(), rules=default_complexity_rules())


@pytest.fixture(scope="module")
def rubric():
    return load_rubric()


ROW = Integration(id="INT-1", name="Deals", source_system="HubSpot", target_system="Stripe",
                  data_objects=("Deal",), owner_team="Sales Ops")


# --- Score page --------------------------------------------------------------------------------------

def test_contributions_are_sorted_largest_first_and_their_shares_add_up_to_the_whole(analysis, rubric):
    result = score_registry_integration(analysis, "INT-027", rubric)

    rows = contribution_rows(result)

    assert [r.contribution for r in rows] == sorted((r.contribution for r in rows), reverse=True)
    assert {r.name for r in rows} == {c.name for c in result.criteria}
    assert sum(r.contribution for r in rows) == pytest.approx(result.score)
    assert sum(r.share for r in rows) == pytest.approx(1.0)


def test_a_zero_score_has_zero_shares_not_a_division_error(rubric):
    owned = ROW.with_changes(owner="Ana", has_monitoring=True, has_retry=True, has_audit_trail=True,
                             source_of_truth_defined=True, documented=True)
    result = score_integration(owned, ScoringContext(), rubric.with_weights(complexity=0))

    rows = contribution_rows(result)

    assert result.score == 0
    assert all(r.share == 0 for r in rows)
    assert [r.name for r in rows][:2] == ["overlap", "consumer_overlap"]  # ties keep rubric order


def test_overridden_criteria_are_marked(analysis, rubric):
    result = score_registry_integration(analysis, "INT-027", rubric, {"ownership": 1})

    assert [r.name for r in contribution_rows(result) if r.overridden] == ["ownership"]


def _result_with(sensitivity, stable=False, verdict=Verdict.MERGE) -> RubricResult:
    return RubricResult("INT-1", verdict, 2.5, (), (), (), tuple(sensitivity), stable)


def test_flip_statements_give_the_smallest_changes_first_and_skip_weights_that_never_flip():
    sensitivity = [
        WeightSensitivity("overlap", "Overlap", 3, -0.34, Verdict.HOLD),
        WeightSensitivity("controls", "Operational controls", 1.5, None, None),
        WeightSensitivity("ownership", "Ownership clarity", 2, 0.12, Verdict.HOLD),
        WeightSensitivity("complexity", "Complexity", 1, 2.5, Verdict.HOLD),
        WeightSensitivity("business_tier", "Business tier / risk", 1.5, -0.9, Verdict.HOLD),
    ]

    statements = flip_statements(_result_with(sensitivity), 3)

    assert statements == (
        "The verdict flips from merge to hold if the weight of Ownership clarity rises by 12%.",
        "The verdict flips from merge to hold if the weight of Overlap falls by 34%.",
        "The verdict flips from merge to hold if the weight of Business tier / risk falls by 90%.",
    )
    assert flip_statements(_result_with(sensitivity[1:2])) == ()


def test_stability_names_the_weight_that_flips_the_verdict_when_it_is_sensitive():
    sensitivity = [WeightSensitivity("overlap", "Overlap", 3, -0.2, Verdict.HOLD),
                   WeightSensitivity("ownership", "Ownership clarity", 2, 0.12, Verdict.PROCEED)]

    assert stability_statement(_result_with(sensitivity)) == (
        "Sensitive: a 12% change in the weight of Ownership clarity turns merge into proceed. "
        "Agree the weights before relying on it.")
    assert stability_statement(_result_with([], stable=True)).startswith("Stable: changing any single weight")


def test_score_subject_matches_scoring_a_registry_row_by_id(analysis, rubric):
    for integration_id in ("INT-027", "INT-009", "INT-062"):
        by_id = score_registry_integration(analysis, integration_id, rubric)
        assert score_subject(analysis, analysis.integration(integration_id), rubric) == by_id


def test_format_score_and_describe_subject():
    assert format_score(2.449) == "2.4 / 5"
    both_ways = ROW.with_changes(direction=Direction.BIDIRECTIONAL, owner=" Ana ", tier=None, status=Status.PROPOSED)
    assert describe_subject(both_ways) == "HubSpot ↔ Stripe · Deal · Sales Ops, Ana · proposed"


def test_empty_override_inputs_mean_automatic():
    assert overrides_from_inputs({"overlap": None, "controls": 0.0}) == {"controls": 0.0}
    assert overrides_from_inputs({}) == {}


# --- Proposals --------------------------------------------------------------------------------------

FULL_ANSWERS = {
    "name": " Quotes to Stripe ", "source_system": "Salesforce", "target_system": "Stripe",
    "data_objects": "Quote; Quote line, Quote", "owner_team": "Finance", "owner": "Ana Silva",
    "consumers": "Board pack\nRevOps", "direction": "bidirectional", "tier": "revenue-critical",
    "approach": "ipaas", "timeliness": "batch", "build_hours": "30-50", "monthly_maintenance_hours": "2/3/5",
    "monthly_tool_cost": "$1,200", "people_touching": "2", "controls": ["has_monitoring", "documented"],
    "notes": "from the Q3 plan",
}


def test_a_complete_proposal_becomes_a_proposed_integration():
    proposal = proposal_from_answers(FULL_ANSWERS)

    assert (proposal.id, proposal.status, proposal.name) == (PROPOSAL_ID, Status.PROPOSED, "Quotes to Stripe")
    assert proposal.data_objects == ("Quote", "Quote line")
    assert proposal.consumers == ("Board pack", "RevOps")
    assert proposal.direction is Direction.BIDIRECTIONAL and proposal.tier is Tier.REVENUE_CRITICAL
    assert proposal.build_hours == Range(30, 40, 50)
    assert proposal.monthly_maintenance_hours == Range(2, 3, 5)
    assert proposal.monthly_tool_cost == Range.exact(1200)
    assert proposal.people_touching == Range.exact(2)
    assert (proposal.has_monitoring, proposal.documented, proposal.has_retry) == (True, True, None)
    assert proposal.notes == "from the Q3 plan"


def test_a_proposal_with_only_the_essentials_leaves_the_rest_unknown():
    proposal = proposal_from_answers({k: FULL_ANSWERS[k] for k in
                                      ("name", "source_system", "target_system", "data_objects", "owner_team")}
                                     | {"tier": None, "owner": "  "})

    assert proposal.owner is None and not proposal.is_owned
    assert proposal.tier is None and proposal.build_hours is None and proposal.direction is Direction.ONE_WAY


def test_every_problem_in_a_proposal_is_listed_at_once():
    with pytest.raises(ProposalError) as error:
        proposal_from_answers(FULL_ANSWERS | {"target_system": " ", "tier": "vital", "build_hours": "50-30",
                                              "controls": ["has_magic"]})

    message = str(error.value)
    assert "name the target system" in message
    assert "Business tier must be one of revenue-critical, operational, informational (got 'vital')" in message
    assert "Estimated build hours: '50-30' is out of order" in message
    assert "unknown controls: has_magic" in message


def test_a_proposal_duplicating_a_live_flow_is_paused(analysis, rubric):
    proposal = proposal_from_answers({"name": "Opps to Stripe", "source_system": "Salesforce",
                                      "target_system": "Stripe", "data_objects": "Opportunity",
                                      "owner_team": "Finance", "owner": "Ana"})

    result = score_subject(analysis, proposal, rubric)

    assert result.verdict is not Verdict.PROCEED
    assert any(reason.startswith("Pause before build") for reason in result.reasons)


# --- History ----------------------------------------------------------------------------------------

class _Saved:
    def __init__(self, **values):
        self.__dict__.update(values)


def test_history_rows_say_which_weights_changed_and_which_scores_the_group_set(rubric):
    saved = _Saved(scored_at=datetime(2026, 3, 2, 23, 30, tzinfo=UTC), scored_by="Ana",
                   verdict=Verdict.HOLD, score=1.5, weights={**rubric.weights, "overlap": 0.0, "controls": 4.5},
                   overrides={}, integration_name="Deals", registry_version=2)

    [row] = history_rows([saved], rubric.weights, timezone(timedelta(hours=2)))

    assert row["Scored at"] == "2026-03-03 01:30 UTC+02:00"  # the time zone is said
    assert row["Weights changed"] == "Overlap with existing integrations 3 → 0; Operational controls 1.5 → 4.5"
    assert row["Scores set by the group"] == "none"
    assert history_rows([], rubric.weights) == []


# --- TCO page ---------------------------------------------------------------------------------------

def test_headline_figures_carry_the_portfolio_ranges_and_simulated_percentiles(analysis):
    simulation = simulate_portfolio(analysis.integrations, analysis.clusters, analysis.settings, analysis.rules,
                                    draws=2000, seed=1)

    run, duplicated, waste = headline_figures(analysis.costs, simulation)

    assert run.value == analysis.costs.monthly_run_rate and run.percentiles == simulation.monthly_run_rate
    assert duplicated.value == analysis.costs.duplicated_monthly_run_rate
    assert waste.value == analysis.costs.annualised_waste and waste.unit == "/ year"
    assert run.range_text("$").endswith(f"(likely ${analysis.costs.monthly_run_rate.likely:,.0f})")
    assert waste.percentile_text("$").startswith("P10 $") and "P50" in waste.percentile_text("$")
    assert headline_figures(analysis.costs)[0].percentile_text("$") == ""


def test_top_clusters_are_the_most_wasteful_with_their_clusters_recommendation(analysis):
    top = top_waste_clusters(analysis, limit=3)

    wastes = [c.duplicated_monthly_run_rate.likely for c in top]
    assert wastes == sorted(wastes, reverse=True) and len(top) == 3
    assert wastes[0] == max(c.duplicated_monthly_run_rate.likely for c in analysis.clusters)
    for row in top:
        recommendation = analysis.recommendation(row.cluster_id)
        assert (row.verdict, row.reason) == (recommendation.verdict, recommendation.reasons[0])
    assert top_waste_clusters(analysis, limit=0) == ()


def test_int_027s_cluster_leads_and_its_table_row_reads_in_words(analysis):
    [row] = top_waste_clusters(analysis, limit=1)

    [table] = cluster_table_rows([row])

    assert table["Cluster"] == "CL-INT-015"
    assert table["Integrations"] == "INT-015, INT-019, INT-027, INT-063"
    assert table["Duplicated run-rate"].endswith("/ month (likely $14,179)")
    assert table["Suggested verdict"] == "centralize" and table["Why"].startswith("Centralize:")
    assert cluster_choice_label(analysis.cluster("CL-INT-015"), analysis).startswith(
        "CL-INT-015 · 4 integrations around Closed-won opportunities to Stripe subscriptions")


def test_scenario_series_follow_the_cumulative_costs_month_by_month(analysis):
    comparison = compare_scenarios(analysis.cluster("CL-INT-004"), analysis.by_id, analysis.settings,
                                   analysis.rules, horizon_months=6)

    keep, merge, centralise = scenario_series(comparison)

    assert (keep.name, merge.name, centralise.name) == ("keep_all", "merge", "centralise")
    assert merge.months == tuple(range(7))
    assert merge.likely == tuple(r.likely for r in comparison.merge.cumulative)
    assert all(lo <= li <= hi for lo, li, hi in zip(merge.low, merge.likely, merge.high))


def _comparison(merge_month, central_month, horizon=12) -> ScenarioComparison:
    keep = Scenario("keep_all", "Keep all", Range(900, 1000, 1100), Range.zero(), (), "")
    merge = Scenario("merge", "Merge into A (INT-1)", Range(300, 400, 500), Range(1500, 2000, 2500), (), "")
    central = Scenario("centralise", "Centralize under one owner", Range(200, 300, 400), Range.exact(6000), (), "")
    return ScenarioComparison("CL-INT-1", keep, merge, central, merge_month, central_month, horizon)


def test_break_even_is_said_in_words():
    assert break_even_sentences(_comparison(4, 0)) == (
        "Merging pays back in month 4.", "Centralizing costs no more than keeping all from the start.")
    assert break_even_sentences(_comparison(None, 9, horizon=6))[0] == (
        "Merging does not pay back within 6 months: over this horizon it costs more than keeping all.")


def test_scenario_table_gives_savings_and_totals_with_ranges():
    comparison = _comparison(4, 10)
    simulation = simulate_scenarios(comparison, draws=500, seed=2)

    keep, merge, central = scenario_table_rows(comparison, simulation)

    assert keep["Saving vs keep all"] == "—"
    assert merge["Saving vs keep all"] == "$600 / month"
    assert merge["One-time cost"] == "$1,500 – $2,500 (likely $2,000)"
    assert merge["Total over 12 months"] == "$5,100 – $8,500 (likely $6,800)"
    assert central["Simulated total (P10 · P50 · P90)"].startswith("P10 $")
    assert "Simulated total (P10 · P50 · P90)" not in scenario_table_rows(comparison)[0]


def test_assumptions_state_rate_horizon_threshold_currency_and_estimates(analysis):
    lines = tco_assumptions(analysis, 24, draws=10_000, seed=0)
    estimated = [r for r in analysis.costs.rows if r.estimated_from_category]

    text = "\n".join(lines)
    assert "Hourly rate $150 – $200 / hour (likely $175)" in text
    assert "Horizon: 24 months" in text and "saved default: 12 months" in text
    assert "Overlap threshold 0.5" in text and "Currency: $" in text
    assert (f"for {len(estimated)} of {len(analysis.costs.rows)} integrations are estimated from their complexity"
            in text)
    assert "10,000 simulated outcomes (seed 0" in text
    assert not any("simulated" in line for line in tco_assumptions(analysis, 12))


def test_percentiles_are_formatted_with_units():
    from core.reports.tco_figures import format_percentiles

    assert format_percentiles(Percentiles(1, 2.4, 3.6), "€", "/ year") == "P10 €1 · P50 €2 · P90 €4 / year"
