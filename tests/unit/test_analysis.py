"""The analysis service on the sample registry: planted clusters found, the gate, scoring by id."""

from __future__ import annotations

import csv

import msgspec

import pytest

from core.domain.analysis import (
    analyse_registry,
    score_registry_integration,
    scoring_context_for,
)
from core.domain.check import find_blocked_proposals
from core.domain.overlap import build_overlap_index, cluster_overlaps
from core.domain.registry import Status
from core.domain.registry_csv import read_registry_csv
from core.domain.rubric import Verdict
from core.domain.settings import Settings
from core.errors import ClusterNotFound, IntegrationNotFound
from core.storage.defaults import (
    default_complexity_rules,
    load_aliases,
    load_default_settings,
    load_rubric,
)
from tests.conftest import DATA_DIR


@pytest.fixture(scope="module")
def sample():
    return read_registry_csv((DATA_DIR / "sample_registry.csv").read_bytes()).accepted


@pytest.fixture(scope="module")
def analysis(sample):
    return analyse_registry(sample, load_default_settings(), aliases=load_aliases(), rules=default_complexity_rules())


def planted_clusters() -> list[set[str]]:
    with (DATA_DIR / "sample_planted_clusters.csv").open(encoding="utf-8") as handle:
        return [set(row["member_ids"].split(";")) for row in csv.DictReader(handle)]


def test_every_planted_cluster_of_the_sample_is_found(analysis):
    found = [set(c.members) for c in analysis.clusters]

    for planted in planted_clusters():
        assert any(planted <= cluster for cluster in found), f"planted cluster {sorted(planted)} not found"


def test_retired_integrations_are_left_out_of_clusters_by_default(analysis, sample):
    retired = {i.id for i in sample if i.status is Status.RETIRED}

    assert retired
    assert not retired & set(analysis.cluster_by_member)


def test_including_retired_integrations_adds_their_duplicates(sample):
    settings = Settings(**(load_default_settings().as_dict() | {"include_retired": True}))

    with_retired = analyse_registry(sample, settings, aliases=load_aliases(), rules=default_complexity_rules())

    assert "INT-062" in with_retired.cluster_by_member


def test_duplicated_run_rate_of_the_portfolio_is_the_sum_over_clusters(analysis):
    total = sum(c.duplicated_monthly_run_rate.likely for c in analysis.clusters)

    assert analysis.costs.duplicated_monthly_run_rate.likely == pytest.approx(total)


def test_pause_before_build_flags_the_proposal_that_copies_a_live_sync(analysis):
    blocked = find_blocked_proposals(analysis)

    assert [b.proposal.id for b in blocked] == ["INT-063"]
    assert "INT-015" in blocked[0].describe()
    assert "owned by" in blocked[0].describe()


def test_unowned_unmonitored_copy_in_the_sample_is_retired(analysis):
    result = score_registry_integration(analysis, "INT-027", load_rubric())

    assert result.verdict is Verdict.RETIRE


def test_proposal_copying_a_live_sync_is_not_proceed(analysis):
    result = score_registry_integration(analysis, "INT-063", load_rubric())

    assert result.verdict is not Verdict.PROCEED


def test_unique_revenue_critical_owned_proposal_in_the_sample_is_proceed(analysis):
    result = score_registry_integration(analysis, "INT-064", load_rubric())

    assert result.verdict is Verdict.PROCEED


def test_a_new_proposal_is_compared_with_the_whole_registry(analysis):
    proposal = analysis.integration("INT-015").with_changes(id="PROPOSAL", status=Status.PROPOSED, owner="Kim")

    context = scoring_context_for(analysis, proposal)

    assert {p.other("PROPOSAL") for p in context.overlaps} >= {"INT-015", "INT-019"}
    assert context.cluster is None


@pytest.mark.parametrize(("lookup", "error", "message"), [
    (lambda a: a.integration("INT-999"), IntegrationNotFound, "No integration with id INT-999 in the registry."),
    (lambda a: a.cluster("CL-NOPE"), ClusterNotFound, "No overlap cluster CL-NOPE."),
])
def test_unknown_ids_raise_named_errors_with_plain_messages(analysis, lookup, error, message):
    with pytest.raises(error) as raised:
        lookup(analysis)

    assert str(raised.value).startswith(message)


# --- Only the linking pairs are kept (a speedup that must not change any answer) -----------------


@pytest.mark.parametrize("threshold", [0.3, 0.5, 1.0])
def test_the_analysis_keeps_exactly_the_pairs_that_link_and_the_same_clusters(sample, threshold):
    settings = Settings(**(load_default_settings().as_dict() | {"overlap_threshold": threshold}))
    every_pair = build_overlap_index(sample, load_aliases()).list_pairs()

    analysis = analyse_registry(sample, settings, aliases=load_aliases(), rules=default_complexity_rules())

    assert list(analysis.pairs) == [p for p in every_pair if p.score >= threshold or p.is_strong]
    assert list(analysis.clusters) == cluster_overlaps(
        sample, every_pair, analysis.run_rates, threshold=threshold, aliases=analysis.aliases)


def test_pairs_below_the_threshold_still_reach_the_score_page(analysis):
    threshold = analysis.settings.overlap_threshold
    every_pair = build_overlap_index(analysis.integrations, analysis.aliases).list_pairs()
    weak = [p for p in every_pair if p.score < threshold and not p.is_strong]
    assert weak, "the sample should have pairs below the threshold"
    pair = weak[0]

    context = scoring_context_for(analysis, analysis.integration(pair.a))

    assert pair in context.overlaps
    assert pair not in analysis.pairs


@pytest.mark.parametrize("status, gated", [
    (Status.PROPOSED, True), (Status.BUILDING, True), (Status.LIVE, False), (Status.RETIRED, False),
])
def test_pause_before_build_gates_proposed_and_building_alike(sample, status, gated):
    registry = [msgspec.structs.replace(i, status=status) if i.id == "INT-063" else i for i in sample]
    analysis = analyse_registry(registry, load_default_settings(), aliases=load_aliases(),
                                rules=default_complexity_rules())

    blocked = [b.proposal.id for b in find_blocked_proposals(analysis)]

    assert ("INT-063" in blocked) is gated
    if gated:
        assert ("being built by" in find_blocked_proposals(analysis)[0].describe()) is (status is Status.BUILDING)
