"""The one recommendation per cluster: properties over random registries, and how it reads."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.domain.analysis import analyse_registry, score_registry_integration
from core.domain.ranges import Range
from core.domain.recommendation import SCENARIOS
from core.domain.registry import Integration, Status, Tier
from core.domain.rubric import CRITERIA, FAVOURABILITY, Verdict
from core.domain.settings import Settings
from core.storage.defaults import default_complexity_rules, load_aliases, load_rubric
from core.wording import format_money

RUBRIC = load_rubric()
RULES = default_complexity_rules()
ALIASES = load_aliases()
GERUND = {"keep_all": "keeping all", "merge": "merging", "centralise": "centralizing"}
SYSTEMS = ("Salesforce", "Stripe", "NetSuite")
STATUSES = (Status.LIVE, Status.LIVE, Status.BUILDING, Status.PROPOSED, Status.DEPRECATED)


@st.composite
def integrations(draw, id_: str, route: tuple[str, str] | None = None) -> Integration:
    """One registry row with random facts; ``route`` pins its systems (so it clusters with others on it)."""
    source, target = route or draw(st.sampled_from([(a, b) for a in SYSTEMS for b in SYSTEMS if a != b]))
    low = draw(st.floats(0.5, 40))
    return Integration(
        id=id_, name=f"Sync {id_}", source_system=source, target_system=target,
        data_objects=tuple(draw(st.sets(st.sampled_from(["Opportunity", "Invoice", "Account"]), min_size=1))),
        owner_team=draw(st.sampled_from(["Sales Ops", "Finance", "Data Engineering", "Customer Success"])),
        owner=draw(st.sampled_from(["Ana Silva", "Bo Berg", None])),
        status=draw(st.sampled_from(STATUSES)), tier=draw(st.sampled_from([*Tier, None])),
        has_monitoring=draw(st.sampled_from([True, False, None])), has_retry=draw(st.sampled_from([True, None])),
        monthly_maintenance_hours=Range.between(low, low * draw(st.floats(1, 3))),
        monthly_tool_cost=draw(st.sampled_from([None, Range.exact(0), Range.between(100, 900)])),
        build_hours=draw(st.sampled_from([None, Range.between(20, 60), Range.between(300, 900)])),
    )


@st.composite
def clustered_registries(draw) -> list[Integration]:
    """Two to five integrations on one route, sharing an object: one cluster, every fact random."""
    count = draw(st.integers(2, 5))
    rows = [draw(integrations(f"INT-{n}", route=("Salesforce", "Stripe"))) for n in range(1, count + 1)]
    return [r.with_changes(data_objects=("Opportunity", *r.data_objects)) for r in rows]


def analyse(rows, **changes):
    return analyse_registry(rows, Settings(**changes), aliases=ALIASES, rules=RULES)


@settings(max_examples=120, deadline=None)
@given(rows=clustered_registries(), horizon=st.integers(3, 36), min_teams=st.integers(2, 4))
def test_the_recommended_scenario_is_the_cheapest_or_its_reasons_carry_the_cost_difference(rows, horizon, min_teams):
    analysis = analyse_registry(rows, Settings(horizon_months=horizon), aliases=ALIASES, rules=RULES,
                                centralize_min_teams=min_teams)

    for cluster in analysis.clusters:
        recommendation = analysis.recommendation(cluster.id)
        costs = {s.name: round(s.horizon_cost.likely, 2) for s in recommendation.scenarios}
        cheapest = min(SCENARIOS, key=lambda name: (costs[name], SCENARIOS.index(name)))
        assert recommendation.cheapest == cheapest
        if recommendation.scenario == cheapest:
            assert recommendation.rule == ""
            continue
        difference = recommendation.horizon_cost.likely - recommendation.scenario_cost(cheapest).horizon_cost.likely
        stated = (f"costs {format_money(difference)} more than {GERUND[cheapest]} over {horizon} months")
        assert any(stated in reason for reason in recommendation.reasons), (stated, recommendation.reasons)


@settings(max_examples=120, deadline=None)
@given(rows=clustered_registries())
def test_the_one_a_cluster_of_running_integrations_keeps_is_never_held_and_copies_never_proceed(rows):
    analysis = analyse(rows)

    for cluster in analysis.clusters:
        recommendation = analysis.recommendation(cluster.id)
        keeper = analysis.integration(cluster.survivor)
        verdicts = {i: score_registry_integration(analysis, i, RUBRIC).verdict for i in cluster.members}
        assert verdicts == {m.integration_id: m.verdict for m in recommendation.members}
        if keeper.status in (Status.LIVE, Status.BUILDING, Status.DEPRECATED):
            assert verdicts[keeper.id] is Verdict.PROCEED
        assert all(v is not Verdict.PROCEED for i, v in verdicts.items() if i != keeper.id)


@st.composite
def registries_and_a_copy(draw):
    """A random registry of one to four rows, random weights, and a proposal copying one of the rows."""
    rows = [draw(integrations(f"INT-{n}")) for n in range(1, draw(st.integers(1, 4)) + 1)]
    original = draw(st.sampled_from(rows))
    proposal = draw(integrations("INT-9", route=(original.source_system, original.target_system))).with_changes(
        data_objects=original.data_objects, status=Status.PROPOSED)
    weights = draw(st.lists(st.floats(0.1, 10), min_size=len(CRITERIA), max_size=len(CRITERIA)))
    return rows, proposal, RUBRIC.with_weights(**{c.name: w for c, w in zip(CRITERIA, weights)})


@settings(max_examples=150, deadline=None)
@given(case=registries_and_a_copy())
def test_adding_overlap_never_makes_a_verdict_more_favourable_to_building(case):
    rows, proposal, rubric = case
    before, after = analyse(rows), analyse([*rows, proposal])

    for row in rows:
        cluster = after.cluster_by_member.get(row.id)
        if cluster is not None and cluster.survivor == row.id and row.status is not Status.PROPOSED:
            continue  # the one a cluster of running integrations keeps is kept: the method's one exception
        old = score_registry_integration(before, row.id, rubric).verdict
        new = score_registry_integration(after, row.id, rubric).verdict
        assert FAVOURABILITY[new] <= FAVOURABILITY[old], (row.id, old, new)
    copied = [r for r in rows if r.status in (Status.LIVE, Status.BUILDING, Status.DEPRECATED)
              and r.id in after.cluster_by_member and proposal.id in after.cluster_by_member
              and after.cluster_by_member[r.id] is after.cluster_by_member[proposal.id]]
    if copied:
        assert score_registry_integration(after, proposal.id, rubric).verdict is Verdict.MERGE


# --- How it reads ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample():
    from core.domain.registry_csv import read_registry_csv
    from core.storage.defaults import SAMPLE_REGISTRY, load_default_settings

    return analyse_registry(read_registry_csv(SAMPLE_REGISTRY.read_bytes()).accepted, load_default_settings(),
                            aliases=ALIASES, rules=RULES)


def test_the_crm_to_billing_cluster_is_centralised_by_the_stated_rule_with_its_price(sample):
    recommendation = sample.recommendation("CL-INT-015")

    assert (recommendation.verdict, recommendation.scenario, recommendation.cheapest) == (
        Verdict.CENTRALIZE, "centralise", "merge")
    assert recommendation.reasons[0] == ("Centralize: keep INT-015 under one owner for all 4 teams, move INT-019 onto "
                                         "it, retire INT-027 and extend INT-015 instead of building INT-063.")
    extra = recommendation.horizon_cost.likely - recommendation.scenario_cost("merge").horizon_cost.likely
    assert f"4 teams depend on it; costs {format_money(extra)} more than merging over 12 months" in recommendation.rule
    assert {m.integration_id: m.verdict.value for m in recommendation.members} == {
        "INT-015": "proceed", "INT-019": "centralize", "INT-027": "retire", "INT-063": "merge"}


def test_a_cluster_that_is_cheapest_kept_as_it_is_says_so_and_holds_its_copies():
    cheap = {"monthly_maintenance_hours": Range.exact(0.5), "build_hours": Range.exact(400)}
    rows = [Integration(id="INT-1", name="A", source_system="Salesforce", target_system="Stripe",
                        data_objects=("Opportunity",), owner_team="Sales Ops", owner="Ana", has_monitoring=True,
                        **cheap),
            Integration(id="INT-2", name="B", source_system="Salesforce", target_system="Stripe",
                        data_objects=("Opportunity",), owner_team="Finance", owner="Bo", has_monitoring=True,
                        **cheap)]

    recommendation = analyse(rows).recommendation("CL-INT-1")

    assert recommendation.scenario == recommendation.cheapest == "keep_all"
    assert recommendation.verdict is Verdict.HOLD
    assert recommendation.reasons[0] == "Hold: keep INT-1 and INT-2 as they are for now."
    assert recommendation.reasons[1].startswith("Keeping all costs $")
    assert [m.verdict for m in recommendation.members] == [Verdict.PROCEED, Verdict.HOLD]


def test_unknown_monitoring_is_called_unknown_and_no_means_no(sample):
    kept_unknown = Integration(id="INT-1", name="A", source_system="Salesforce", target_system="Stripe",
                               data_objects=("Opportunity",), owner_team="Sales Ops", owner="Ana",
                               monthly_maintenance_hours=Range.exact(8))
    copy = kept_unknown.with_changes(id="INT-2", owner=None, owner_team="Finance", has_monitoring=False)

    analysis = analyse([kept_unknown, copy])
    recommendation = analysis.recommendation("CL-INT-1")
    result = score_registry_integration(analysis, "INT-2", RUBRIC)

    assert any("Find out whether INT-1 is monitored (the registry does not say)" in r for r in recommendation.reasons)
    assert "Unowned, unmonitored copy of INT-1, which the cluster keeps." in result.guards
    unknown = analyse([kept_unknown, copy.with_changes(has_monitoring=None)])
    assert any("whether it is monitored is unknown" in g
               for g in score_registry_integration(unknown, "INT-2", RUBRIC).guards)


def test_proceed_never_says_low_concern_beside_a_strong_criterion(sample):
    for integration in sample.integrations:
        result = score_registry_integration(sample, integration.id, RUBRIC)
        strong = [c for c in result.criteria if c.score >= 4]
        if strong and result.verdict is Verdict.PROCEED and result.cluster_id is None:
            assert "low concern on every" not in result.reasons[0]
            assert all(c.label in result.reasons[0] for c in strong), result.reasons[0]


def test_sensitivity_states_only_flips_the_weight_controls_can_reach(sample):
    for integration in sample.integrations:
        result = score_registry_integration(sample, integration.id, RUBRIC)
        for item in result.sensitivity:
            if item.flip_change is not None:
                assert 0 <= item.weight * (1 + item.flip_change) <= 10
                assert 0 <= item.flip_weight <= 10
            else:
                assert "within 0–10" in item.statement(result.verdict)


def test_a_typed_proposal_is_told_to_extend_what_runs_never_another_proposal(sample):
    typed = Integration(id="PROPOSAL", name="Partner deals", source_system="Salesforce", target_system="Stripe",
                        data_objects=("Account", "Opportunity", "Subscription"), owner_team="Marketing Ops",
                        owner="Dee", status=Status.PROPOSED)
    from core.reports.score_figures import score_subject

    result = score_subject(sample, typed, RUBRIC)

    assert result.verdict is Verdict.MERGE
    assert result.reasons[0] == "Merge: extend INT-015 instead of building another."


@pytest.mark.parametrize(("copy_changes", "said"), [
    ({"owner": None, "has_monitoring": False}, "INT-2 has no owner and no monitoring"),
    ({"owner": None, "has_monitoring": None}, "INT-2 has no owner and monitoring unknown"),
    ({"status": Status.PROPOSED}, "INT-2 would copy INT-1, which runs"),
])
def test_a_copy_that_must_go_is_merged_even_when_keeping_all_is_cheaper_and_the_price_is_said(copy_changes, said):
    cheap = {"monthly_maintenance_hours": Range.exact(0.5), "build_hours": Range.exact(2)}
    kept = Integration(id="INT-1", name="A", source_system="Salesforce", target_system="Stripe",
                       data_objects=("Opportunity",), owner_team="Sales Ops", owner="Ana", has_monitoring=True,
                       **cheap)
    copy = kept.with_changes(id="INT-2", owner_team="Finance", **copy_changes)

    recommendation = analyse([kept, copy]).recommendation("CL-INT-1")

    assert (recommendation.cheapest, recommendation.scenario, recommendation.verdict) == (
        "keep_all", "merge", Verdict.MERGE)
    extra = recommendation.horizon_cost.likely - recommendation.scenario_cost("keep_all").horizon_cost.likely
    assert recommendation.rule == (f"Merge: {said}; costs {format_money(extra)} more than keeping all over 12 months "
                                   "(likely).")
