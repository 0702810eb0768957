"""The decision rubric: sanity cases, guards, overrides, sensitivity and monotonicity."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.domain.overlap import Cluster, OverlapPair
from core.domain.ranges import Range
from core.domain.recommendation import recommend_cluster
from core.domain.registry import Complexity, Integration, Status, Tier
from core.domain.rubric import (
    CRITERIA,
    FAVOURABILITY,
    ScoringContext,
    Verdict,
    score_integration,
)
from core.domain.settings import Settings
from core.errors import ConfigError
from core.storage.defaults import default_complexity_rules, load_rubric

RUBRIC = load_rubric()


def integration(id_="INT-1", **changes) -> Integration:
    values = dict(id=id_, name=f"Sync {id_}", source_system="Salesforce", target_system="Stripe",
                  data_objects=("Opportunity",), owner_team="Sales Ops", owner="Ana Silva",
                  has_monitoring=True, has_retry=True, has_audit_trail=True, source_of_truth_defined=True,
                  documented=True, tier=Tier.OPERATIONAL)
    return Integration(**(values | changes))


def pair(a: str, b: str, score: float = 1.0, consumers: tuple[str, ...] = ()) -> OverlapPair:
    a, b = sorted((a, b))
    return OverlapPair(a=a, b=b, score=score, shared_objects=("Opportunity",), shared_consumers=consumers,
                       same_source=True, same_target=True, reversed_direction=False,
                       evidence=("both move Opportunity from Salesforce to Stripe",))


def cluster(members: list[Integration], survivor: str, duplicated: float = 450.0) -> Cluster:
    ids = tuple(sorted(m.id for m in members))
    return Cluster(
        id=f"CL-{ids[0]}", members=ids, pairs=(pair(ids[0], ids[1]),), shared_objects=("Opportunity",),
        systems=("Salesforce", "Stripe"), teams=tuple(sorted({m.owner_team for m in members})),
        owners=tuple(sorted(m.owner for m in members if m.is_owned)),
        unowned=tuple(m.id for m in members if not m.is_owned), evidence=("both move Opportunity",),
        total_monthly_run_rate=Range.exact(2 * duplicated), survivor=survivor, survivor_reason="owned",
        survivor_is_explicit=False, duplicated_monthly_run_rate=Range.exact(duplicated),
    )


def context_for(subject: Integration, *others: Integration, score: float = 1.0, in_cluster: Cluster | None = None,
                complexity: Complexity = Complexity.MODERATE) -> ScoringContext:
    """The context the analysis would give: with a cluster, its recommendation priced from the members' rows."""
    recommendation = None
    if in_cluster is not None:
        rows = {i.id: i for i in (subject, *others)}
        recommendation = recommend_cluster(in_cluster, rows, Settings(), default_complexity_rules())
    return ScoringContext(
        overlaps=tuple(pair(subject.id, o.id, score) for o in others),
        others={o.id: o for o in others}, cluster=in_cluster, monthly_run_rate=Range(300, 375, 450),
        complexity=complexity, recommendation=recommendation,
    )


def test_proposal_fully_overlapping_a_live_owned_monitored_integration_is_not_proceed():
    live = integration("INT-1")
    proposal = integration("INT-9", status=Status.PROPOSED, has_monitoring=None, has_retry=None)

    result = score_integration(proposal, context_for(proposal, live), RUBRIC)

    assert result.verdict is not Verdict.PROCEED
    assert any("Pause before build" in g for g in result.guards)


def test_unique_revenue_critical_proposal_with_an_owner_is_proceed():
    proposal = integration("INT-9", status=Status.PROPOSED, tier=Tier.REVENUE_CRITICAL,
                           has_monitoring=None, has_retry=None, has_audit_trail=None, documented=None)

    result = score_integration(proposal, context_for(proposal, complexity=Complexity.COMPLEX), RUBRIC)

    assert result.verdict is Verdict.PROCEED


def test_unique_revenue_critical_live_integration_with_an_owner_is_proceed():
    live = integration("INT-1", tier=Tier.REVENUE_CRITICAL)

    result = score_integration(live, context_for(live, complexity=Complexity.CRITICAL), RUBRIC)

    assert result.verdict is Verdict.PROCEED


def test_unowned_unmonitored_duplicate_is_not_proceed_and_is_retired():
    survivor = integration("INT-1")
    copy = integration("INT-2", owner=None, owner_team="Finance", has_monitoring=False)
    group = cluster([survivor, copy], survivor="INT-1")

    result = score_integration(copy, context_for(copy, survivor, in_cluster=group), RUBRIC)

    assert result.verdict is Verdict.RETIRE
    assert any("Unowned, unmonitored copy of INT-1" in g for g in result.guards)


def _three_teams(hours: float) -> list[Integration]:
    """Three owned copies of one flow, in three teams, each needing ``hours`` of upkeep a month."""
    upkeep = {"monthly_maintenance_hours": Range.exact(hours), "build_hours": Range.exact(40)}
    return [integration("INT-1", **upkeep), integration("INT-2", owner_team="Finance", owner="Bo", **upkeep),
            integration("INT-3", owner_team="Customer Success", owner="Cy", **upkeep)]


def test_three_team_cluster_is_a_case_for_centralize():
    # Heavy upkeep: centralising pays back within the horizon, though merging would be cheaper still.
    members = _three_teams(hours=30)
    group = cluster(members, survivor="INT-1", duplicated=3000)

    context = context_for(members[1], members[0], members[2], in_cluster=group)
    result = score_integration(members[1], context, RUBRIC)

    assert result.verdict is Verdict.CENTRALIZE
    assert context.recommendation.cheapest == "merge"
    assert any("3 teams depend on it; costs" in reason and "more than merging over 12 months" in reason
               for reason in result.reasons)


def test_three_teams_are_not_centralised_when_that_costs_more_than_keeping_all():
    # Light upkeep: a central platform would cost more than the three copies; the cheapest (merge) stands.
    members = _three_teams(hours=1)
    group = cluster(members, survivor="INT-1", duplicated=300)

    context = context_for(members[1], members[0], members[2], in_cluster=group)
    result = score_integration(members[1], context, RUBRIC)

    assert context.recommendation.scenario_cost("centralise").horizon_cost.likely > (
        context.recommendation.scenario_cost("keep_all").horizon_cost.likely)
    assert result.verdict is not Verdict.CENTRALIZE


def test_raising_the_overlap_weight_moves_a_borderline_duplicate_away_from_proceed():
    # Just below the overlap threshold: not clustered, so the weights decide.
    survivor = integration("INT-1")
    copy = integration("INT-2", owner_team="Finance", owner="Bo")
    context = context_for(copy, survivor, score=0.49)
    light = RUBRIC.with_weights(overlap=0.5)

    before = score_integration(copy, context, light)
    after = score_integration(copy, context, RUBRIC.with_weights(overlap=10))

    assert before.verdict is Verdict.PROCEED
    assert FAVOURABILITY[after.verdict] < FAVOURABILITY[before.verdict]


def test_override_replaces_the_automatic_score_and_is_said_in_the_explanation():
    subject = integration("INT-1")

    result = score_integration(subject, context_for(subject), RUBRIC, overrides={"overlap": 5})

    overlap = next(c for c in result.criteria if c.name == "overlap")
    assert (overlap.auto_score, overlap.score, overlap.overridden) == (0.0, 5.0, True)
    assert overlap.explanation.endswith("(score set by the group)")


@pytest.mark.parametrize(("overrides", "message"), [
    ({"vibes": 3}, "override for unknown criterion 'vibes'"),
    ({"overlap": 7}, "override for Overlap with existing integrations must be from 0 to 5 (got 7)"),
])
def test_bad_override_is_refused_with_a_message(overrides, message):
    subject = integration()

    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        score_integration(subject, context_for(subject), RUBRIC, overrides=overrides)


def test_contributions_add_up_to_the_score_and_reasons_lead_with_the_verdict():
    subject = integration("INT-2", owner=None)

    result = score_integration(subject, context_for(subject, integration("INT-1")), RUBRIC)

    assert sum(c.contribution for c in result.criteria) == pytest.approx(result.score)
    assert result.reasons[0].lower().startswith(result.verdict.value)


def test_sensitivity_flip_points_really_flip_the_verdict():
    survivor = integration("INT-1")
    copy = integration("INT-2", owner_team="Finance", owner="Bo")
    context = context_for(copy, survivor, score=0.49)  # just below the threshold: the weights decide
    result = score_integration(copy, context, RUBRIC)
    flips = [s for s in result.sensitivity if s.flip_change is not None]

    assert flips, "a borderline case must have at least one weight that flips it"
    for item in flips:
        changed = RUBRIC.weights[item.criterion] * (1 + item.flip_change * 1.001)
        if changed > 10:
            continue
        assert (score_integration(copy, context, RUBRIC.with_weights(**{item.criterion: changed})).verdict
                is item.flips_to)
        nearly = RUBRIC.weights[item.criterion] * (1 + item.flip_change * 0.99)
        assert (score_integration(copy, context, RUBRIC.with_weights(**{item.criterion: nearly})).verdict
                is result.verdict)


def test_stable_flag_means_no_flip_within_25_percent():
    subject = integration("INT-1", tier=Tier.REVENUE_CRITICAL)

    result = score_integration(subject, context_for(subject), RUBRIC)

    assert result.stable_within_25_percent is all(
        s.flip_change is None or abs(s.flip_change) > 0.25 for s in result.sensitivity)
    assert ("flips" in result.sensitivity[0].statement(result.verdict)
            or "No change" in result.sensitivity[0].statement(result.verdict))


@settings(max_examples=150, deadline=None)
@given(
    low=st.floats(0, 1), extra=st.floats(0, 1),
    owned=st.booleans(), monitored=st.sampled_from([True, False, None]),
    status=st.sampled_from(list(Status)),
    weights=st.lists(st.floats(0.1, 10), min_size=len(CRITERIA), max_size=len(CRITERIA)),
)
def test_adding_overlap_never_makes_a_verdict_more_favourable_to_building(
        low, extra, owned, monitored, status, weights):
    config = RUBRIC.with_weights(**{c.name: w for c, w in zip(CRITERIA, weights)})
    other = integration("INT-1")
    subject = integration("INT-2", owner="Bo" if owned else None, has_monitoring=monitored, status=status)
    high = min(1.0, low + extra)

    weaker = score_integration(subject, context_for(subject, other, score=low), config)
    stronger = score_integration(subject, context_for(subject, other, score=high), config)

    assert FAVOURABILITY[stronger.verdict] <= FAVOURABILITY[weaker.verdict]


@pytest.mark.parametrize(("text", "message"), [
    ("[weights]\noverlap = 3\n", "rubric.toml: weights missing for"),
    ("[weights\n", "rubric.toml is not valid TOML"),
    ("[thresholds]\nproceed_below = 3\nhold_below = 2\n[weights]\n" + "".join(f"{c.name} = 1\n" for c in CRITERIA),
     "thresholds must satisfy 0 < proceed_below <= hold_below <= 5 (got 3 and 2)"),
    ("[weights]\n" + "".join(f"{c.name} = 0\n" for c in CRITERIA), "at least one weight must be above 0"),
    ("[thresholds]\nfoo = 1\n[weights]\n" + "".join(f"{c.name} = 1\n" for c in CRITERIA), "unknown settings: foo"),
])
def test_bad_rubric_file_gives_a_clear_error(tmp_path: Path, text, message):
    path = tmp_path / "rubric.toml"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(ConfigError) as raised:
        load_rubric(path)

    assert message in str(raised.value)


# --- The strongest overlap is found once per context (the sensitivity analysis asks for it per weight) ---


@given(st.lists(st.tuples(st.sampled_from(["INT-2", "INT-3", "INT-4", "INT-5"]), st.sampled_from([0.1, 0.3, 0.6, 1.0])),
                max_size=6))
def test_strongest_overlap_is_the_highest_score_then_the_largest_ids(others):
    overlaps = tuple(pair("INT-1", other, score) for other, score in others)

    context = ScoringContext(overlaps=overlaps)

    assert context.strongest_overlap() == max(overlaps, key=lambda p: (p.score, p.a, p.b), default=None)


def test_a_changed_context_has_its_own_strongest_overlap_and_equality_ignores_it():
    weak, strong = pair("INT-1", "INT-2", 0.3), pair("INT-1", "INT-3", 1.0)
    context = ScoringContext(overlaps=(weak,))

    changed = replace(context, overlaps=(weak, strong))

    assert context.strongest_overlap() == weak
    assert changed.strongest_overlap() == strong
    assert replace(changed, overlaps=(weak,)) == context
    assert "_strongest" not in repr(context)

