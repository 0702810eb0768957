"""Overlap pairs, clusters and survivors: the guarantees, the wording, and that it scales."""

from __future__ import annotations

import gc
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import core.domain.overlap.index as overlap_index
import core.domain.overlap.pairs as overlap_pairs
from core.domain.gc_pause import without_gc_pauses
from core.domain.names import Aliases
from core.domain.overlap import (
    OverlapPair,
    build_overlap_index,
    choose_survivor,
    cluster_overlaps,
)
from core.domain.ranges import Range
from core.domain.registry import Direction, Integration, Status
from core.errors import ConfigError

NO_ALIASES = Aliases()
ALIASES = Aliases.from_pairs(
    systems=[("SFDC", "Salesforce"), ("Salesforce.com", "Salesforce")], objects=[("Opp", "Opportunity")]
)
TWO_WAY = Direction.BIDIRECTIONAL


def make(id: str, source: str = "Salesforce", target: str = "Stripe", objects=("Opportunity",),
         **changes) -> Integration:
    """An integration with just the facts a test cares about."""
    changes.setdefault("owner_team", "Sales Ops")
    return Integration(
        id=id, name=f"{id} sync", source_system=source, target_system=target, data_objects=tuple(objects), **changes
    )


def pair_of(a: Integration, b: Integration, aliases: Aliases = ALIASES) -> OverlapPair | None:
    pairs = build_overlap_index([a, b], aliases).list_pairs()
    assert len(pairs) <= 1
    return pairs[0] if pairs else None


def flat_rates(integrations, likely: float = 100.0) -> dict[str, Range]:
    return {i.id: Range(likely * 0.8, likely, likely * 1.5) for i in integrations}


# --- Guarantee (a): same route + shared object always clusters -----------------------------------


def test_same_route_and_shared_object_is_a_strong_pair_scoring_one():
    a = make("INT-1", objects=("Opportunity", "Account"))
    b = make("INT-2", objects=("Opportunities",))

    pair = pair_of(a, b)

    assert pair.score == 1.0
    assert pair.is_strong
    assert pair.evidence == ("both move Opportunity from Salesforce to Stripe",)


@pytest.mark.parametrize("threshold", [0.01, 0.5, 0.99, 1.0])
def test_same_route_pair_clusters_at_any_threshold(threshold):
    a = make("INT-1", objects=("Opportunity", "Account", "Contact", "Lead"))
    b = make("INT-2", objects=("Opportunity", "Quote", "Product", "Invoice"))
    pairs = build_overlap_index([a, b], ALIASES).list_pairs()

    clusters = cluster_overlaps([a, b], pairs, flat_rates([a, b]), threshold=threshold)

    assert [c.members for c in clusters] == [("INT-1", "INT-2")]


def test_clusterer_honours_strong_pairs_even_with_a_lower_score():
    pair = OverlapPair("INT-1", "INT-2", 0.2, ("Opportunity",), (), True, True, False, ("both move ...",))
    rows = [make("INT-1"), make("INT-2")]

    clusters = cluster_overlaps(rows, [pair], flat_rates(rows), threshold=0.9)

    assert len(clusters) == 1


def test_reversed_route_with_a_bidirectional_member_is_strong():
    one_way = make("INT-007", source="Gainsight", target="NetSuite", objects=("Renewals",))
    two_way = make("INT-012", source="NetSuite", target="Gainsight", objects=("Renewal",), direction=TWO_WAY)

    pair = pair_of(one_way, two_way)

    assert pair.is_strong and pair.reversed_direction and pair.score == 1.0
    assert pair.evidence == ("INT-007 moves Renewal from Gainsight to NetSuite and INT-012 syncs it back both ways",)


def test_two_one_way_flows_in_opposite_directions_are_a_weak_loop_not_a_strong_pair():
    there = make("INT-1", source="Gainsight", target="NetSuite", objects=("Renewal",))
    back = make("INT-2", source="NetSuite", target="Gainsight", objects=("Renewal",))

    pair = pair_of(there, back)

    assert not pair.is_strong and not pair.reversed_direction
    assert pair.score == pytest.approx(0.1)
    assert pair.evidence == ("INT-1 moves Renewal from Gainsight to NetSuite and INT-2 moves it back",)


def test_aliases_and_plurals_make_a_route_match():
    a = make("INT-1", source="SFDC", objects=("Opps",))
    b = make("INT-2", source="salesforce.com", objects=("Opportunities",))

    pair = pair_of(a, b)

    assert pair.is_strong
    assert pair.shared_objects == ("Opportunity",)


# --- Guarantees (b), (c), (d): what is never a pair ----------------------------------------------


def test_no_shared_object_and_no_shared_consumer_is_never_paired():
    a = make("INT-1", objects=("Account",))
    b = make("INT-2", objects=("Invoice",))

    pair = pair_of(a, b)

    assert pair is None


def test_shared_object_without_common_system_is_not_overlap():
    a = make("INT-1", source="Salesforce", target="Stripe", objects=("Account",))
    b = make("INT-2", source="HubSpot", target="NetSuite", objects=("Account",))

    pair = pair_of(a, b)

    assert pair is None


def test_shared_object_without_common_system_but_a_common_consumer_pairs_on_the_consumer_only():
    a = make("INT-1", source="Salesforce", target="Stripe", objects=("Account",), consumers=("Finance",))
    b = make("INT-2", source="HubSpot", target="NetSuite", objects=("Account",), consumers=("Finance",))

    pair = pair_of(a, b)

    assert pair.score == pytest.approx(0.3)  # the consumer weight alone: the object earns nothing
    assert pair.evidence == ("both move Account, between different systems", "both feed Finance")


@pytest.mark.parametrize(("include_retired", "expected"), [(False, 0), (True, 1)])
def test_retired_integrations_are_ignored_unless_included(include_retired, expected):
    live = make("INT-1")
    retired = make("INT-2", status=Status.RETIRED)

    pairs = build_overlap_index([live, retired], ALIASES, include_retired=include_retired).list_pairs()

    assert len(pairs) == expected


def test_unrelated_integrations_are_never_compared():
    rows = [make(f"INT-{k}", source=f"S{k}", target=f"T{k}", objects=(f"O{k}",), consumers=(f"C{k}",))
            for k in range(2000)]

    with mock.patch.object(overlap_pairs._Comparer, "compare", side_effect=AssertionError("compared")) as compare:
        pairs = build_overlap_index(rows, NO_ALIASES).list_pairs()

    assert pairs == [] and compare.call_count == 0


# --- The score and its words ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("b_changes", "score", "evidence"),
    [
        # same source, different target, same objects: one end, full object overlap
        (dict(target="NetSuite"), 0.3, ("both move Opportunity out of Salesforce",)),
        (dict(source="HubSpot"), 0.3, ("both move Opportunity into Stripe",)),
        # hand-off: b reads what a writes
        (dict(source="Stripe", target="NetSuite"), 0.1,
         ("INT-1 moves Opportunity into Stripe and INT-2 moves it on from there",)),
        # same route, different data, common consumer
        (
            dict(objects=("Invoice",), consumers=("Revenue dashboard",)),
            0.6,
            ("both connect Salesforce and Stripe, moving different data", "both feed the Revenue dashboard"),
        ),
        # consumer only
        (dict(source="HubSpot", target="Slack", objects=("Ticket",), consumers=("revenue dashboard",)), 0.3,
         ("both feed the Revenue dashboard",)),
    ],
)
def test_score_and_evidence_by_kind_of_overlap(b_changes, score, evidence):
    a = make("INT-1", consumers=("Revenue dashboard",) if "consumers" in b_changes else ())
    b = make("INT-2", **b_changes)

    pair = pair_of(a, b)

    assert pair.score == pytest.approx(score)
    assert pair.evidence == evidence


def test_worked_example_from_the_method_document():
    a = make("INT-1", source="Salesforce", target="Stripe", objects=("Account", "Opportunity"),
             consumers=("Revenue dashboard",))
    b = make("INT-2", source="Salesforce", target="NetSuite", objects=("Opportunity",),
             consumers=("Revenue dashboard", "Finance close"))

    pair = pair_of(a, b)

    # objects 0.3 x 1/2 = 0.15, consumers 0.3 x 1/2 = 0.15
    assert pair.score == pytest.approx(0.3)
    assert pair.same_source and not pair.same_target
    assert pair.evidence == ("both move Opportunity out of Salesforce", "both feed the Revenue dashboard")


def test_fan_out_from_one_source_does_not_cluster_at_the_default_threshold():
    to_warehouse = make("INT-1", source="Segment", target="Snowflake", objects=("Event", "User"),
                        consumers=("Product usage dashboard", "Activation funnel"))
    to_analytics = make("INT-2", source="Segment", target="Amplitude", objects=("Event", "User"),
                        consumers=("Product usage dashboard", "Experiment reviews"))
    pairs = build_overlap_index([to_warehouse, to_analytics], NO_ALIASES).list_pairs()

    clusters = cluster_overlaps([to_warehouse, to_analytics], pairs, {}, threshold=0.5)

    assert pairs[0].score < 0.5 and clusters == []


def test_weak_pairs_never_reach_a_strong_score():
    a = make("INT-1", target="NetSuite", consumers=("Finance",))
    b = make("INT-2", target="Stripe", consumers=("Finance",))

    pair = pair_of(a, b)

    assert pair.score <= 0.6 and not pair.is_strong


def test_pairs_for_lists_one_integrations_pairs_strongest_first():
    rows = [make("INT-1"), make("INT-2"), make("INT-3", target="NetSuite"), make("INT-4", source="X", target="Y")]
    index = build_overlap_index(rows, NO_ALIASES)

    mine = index.pairs_for(rows[0])

    assert [(p.other("INT-1"), p.score) for p in mine] == [("INT-2", 1.0), ("INT-3", 0.3)]


# --- Scoring one proposal against the registry ---------------------------------------------------


def test_a_proposal_not_in_the_registry_is_scored_against_it():
    registry = [make("INT-1"), make("INT-2", source="HubSpot", target="Slack", objects=("Ticket",))]
    proposal = make("NEW-1", source="SFDC", objects=("Opps",), status=Status.PROPOSED)

    pairs = build_overlap_index(registry, ALIASES).pairs_for(proposal)

    assert [(p.a, p.b, p.score) for p in pairs] == [("INT-1", "NEW-1", 1.0)]


def scored_one_by_one(integration: Integration, registry, aliases: Aliases) -> list[OverlapPair]:
    """Reference for a look-up: ``integration`` scored against each registry row on its own, strongest first."""
    pairs = [p for row in registry for p in build_overlap_index([row], aliases).pairs_for(integration)]
    return sorted(pairs, key=lambda p: (-p.score, p.other(integration.id)))


def test_a_look_up_in_the_index_gives_the_pairs_scored_one_by_one_and_skips_the_same_id():
    registry = [make("INT-1"), make("INT-2")]
    index = build_overlap_index(registry, ALIASES)

    from_index = index.pairs_for(registry[0])
    from_list = scored_one_by_one(registry[0], registry, ALIASES)

    assert from_index == from_list
    assert [p.other("INT-1") for p in from_index] == ["INT-2"]


def test_scoring_a_proposal_does_not_change_how_the_registry_names_things():
    registry = [make("INT-1", consumers=("Revenue dashboard",)), make("INT-2", consumers=("Revenue dashboard",))]
    index = build_overlap_index(registry, NO_ALIASES)

    index.pairs_for(make("NEW", consumers=("REVENUE DASHBOARD",)))
    pairs = index.pairs_for(registry[0])

    assert pairs[0].shared_consumers == ("Revenue dashboard",)


# --- Clusters ------------------------------------------------------------------------------------


def test_cluster_fields_are_filled():
    a = make("INT-2", source="SFDC", owner="Ana Silva", owner_team="Sales Ops", consumers=("Revenue dashboard",),
             has_monitoring=True, has_retry=True)
    b = make("INT-1", source="Salesforce.com", owner=None, owner_team="Finance", consumers=("Revenue dashboard",))
    lone = make("INT-3", source="Zendesk", target="Jira", objects=("Ticket",))
    rows = [a, b, lone]
    rates = {"INT-1": Range(100, 200, 300), "INT-2": Range(50, 60, 70), "INT-3": Range(1, 1, 1)}

    pairs = build_overlap_index(rows, ALIASES).list_pairs()

    cluster, = cluster_overlaps(rows, pairs, rates, threshold=0.5, aliases=ALIASES)

    assert cluster.id == "CL-INT-1"
    assert cluster.members == ("INT-1", "INT-2")
    assert [(p.a, p.b) for p in cluster.pairs] == [("INT-1", "INT-2")]
    assert cluster.shared_objects == ("Opportunity",)
    assert cluster.systems == ("Salesforce", "Stripe")
    assert cluster.teams == ("Finance", "Sales Ops")
    assert cluster.owners == ("Ana Silva",)
    assert cluster.unowned == ("INT-1",)
    assert cluster.evidence == ("INT-1 and INT-2 both move Opportunity from Salesforce to Stripe",
                                "INT-1 and INT-2 both feed the Revenue dashboard")
    assert cluster.total_monthly_run_rate == Range(150, 260, 370)
    assert (cluster.survivor, cluster.survivor_is_explicit) == ("INT-2", False)
    assert cluster.survivor_reason == "owned by Ana Silva, 2 of 5 controls, 1 consumer"
    assert cluster.duplicated_monthly_run_rate == Range(100, 200, 300)


def test_single_integrations_are_not_clusters():
    rows = [make("INT-1"), make("INT-2", source="X", target="Y", objects=("Z",))]
    pairs = build_overlap_index(rows, NO_ALIASES).list_pairs()

    clusters = cluster_overlaps(rows, pairs, flat_rates(rows), threshold=0.5)

    assert clusters == []


def test_pairs_below_the_threshold_do_not_link():
    rows = [make("INT-1", target="NetSuite"), make("INT-2")]  # same source only: 0.3
    pairs = build_overlap_index(rows, NO_ALIASES).list_pairs()

    low = cluster_overlaps(rows, pairs, flat_rates(rows), threshold=0.3)
    high = cluster_overlaps(rows, pairs, flat_rates(rows), threshold=0.31)

    assert len(low) == 1 and high == []


def test_clusters_are_sorted_by_duplicated_run_rate_then_id():
    rows = [make("INT-1"), make("INT-2"), make("INT-3", target="NetSuite"), make("INT-4", target="NetSuite"),
            make("INT-5", target="Xero"), make("INT-6", target="Xero")]
    rates = {"INT-1": Range.exact(10), "INT-2": Range.exact(10), "INT-3": Range.exact(500),
             "INT-4": Range.exact(500), "INT-5": Range.exact(10), "INT-6": Range.exact(10)}
    pairs = build_overlap_index(rows, NO_ALIASES).list_pairs()

    clusters = cluster_overlaps(rows, pairs, rates, threshold=0.9)

    assert [c.id for c in clusters] == ["CL-INT-3", "CL-INT-1", "CL-INT-5"]


def test_a_missing_run_rate_counts_as_zero():
    rows = [make("INT-1"), make("INT-2")]
    pairs = build_overlap_index(rows, NO_ALIASES).list_pairs()

    cluster, = cluster_overlaps(rows, pairs, {"INT-1": Range.exact(40)}, threshold=0.5)

    assert cluster.total_monthly_run_rate == Range.exact(40)
    assert cluster.survivor == "INT-1"  # a known cost beats an unknown one on cheapness


@pytest.mark.parametrize("threshold", [0, -0.1, 1.5, "0.5"])
def test_a_threshold_outside_zero_to_one_is_refused(threshold):
    with pytest.raises(ConfigError, match="overlap threshold must be a number above 0 and at most 1"):
        cluster_overlaps([], [], {}, threshold=threshold)


def test_crowded_route_still_clusters_every_member_with_a_linear_number_of_pairs():
    rows = [make(f"INT-{k:03d}", consumers=(f"C{k % 3}",)) for k in range(60)]

    with mock.patch.object(overlap_index, "CROWDED_BUCKET", 4):
        pairs = build_overlap_index(rows, NO_ALIASES).list_pairs()
    clusters = cluster_overlaps(rows, pairs, flat_rates(rows), threshold=1.0)

    assert len(pairs) < 4 * len(rows)  # 1,770 with every pair listed
    assert [len(c.members) for c in clusters] == [60]


# --- Survivor ------------------------------------------------------------------------------------

CONTROLS = dict(has_monitoring=True, has_retry=True, has_audit_trail=True, source_of_truth_defined=True)


@pytest.mark.parametrize(
    ("winner", "loser", "rates", "reason"),
    [
        (dict(owner="Ana Silva"), dict(owner=None, **CONTROLS), {}, "owned by Ana Silva, 0 of 5 controls, 0 consumers"),
        (dict(**CONTROLS), dict(has_monitoring=True), {}, "unowned, 4 of 5 controls, 0 consumers"),
        (dict(consumers=("A", "B", "C")), dict(consumers=("A",)), {}, "unowned, 0 of 5 controls, 3 consumers"),
        (dict(), dict(), {"W": Range.exact(10), "L": Range.exact(20)},
         "unowned, 0 of 5 controls, 0 consumers, lowest run-rate"),
    ],
)
def test_survivor_ranking(winner, loser, rates, reason):
    members = [make("L", **loser), make("W", **winner)]
    rates = {"W": rates.get("W", Range.exact(5)), "L": rates.get("L", Range.exact(5))} if rates else {}

    survivor, why, explicit = choose_survivor(members, rates)

    assert (survivor, why, explicit) == ("W", reason, False)


def test_survivor_ties_go_to_the_smallest_id():
    members = [make("INT-2"), make("INT-1")]

    survivor, why, _ = choose_survivor(members, {})

    assert survivor == "INT-1" and why.endswith("first by id")


def test_survivor_reason_reads_like_the_example():
    best = make("INT-1", owner="Ana Silva", consumers=("A", "B", "C"), **CONTROLS)

    _, why, _ = choose_survivor([best, make("INT-2")], {})

    assert why == "owned by Ana Silva, 4 of 5 controls, 3 consumers"


def test_the_group_choice_wins():
    members = [make("INT-1", owner="Ana Silva", **CONTROLS), make("INT-2")]

    result = choose_survivor(members, {}, survivor_choices={"INT-2", "INT-99"})

    assert result == ("INT-2", "chosen by the group; the facts favour INT-1 (owned by Ana Silva, 4 of 5 controls, "
                                 "0 consumers)", True)


def test_a_group_choice_the_facts_agree_with_says_so():
    members = [make("INT-1", owner="Ana Silva", **CONTROLS), make("INT-2")]

    assert choose_survivor(members, {}, survivor_choices={"INT-1"}) == (
        "INT-1", "chosen by the group; as the facts suggest", True)


def test_a_proposal_never_replaces_a_live_integration():
    proposal = make("INT-1", owner="Ana Silva", status=Status.PROPOSED, **CONTROLS)
    live = make("INT-2", status=Status.LIVE)

    survivor, why, explicit = choose_survivor([proposal, live], {})

    assert (survivor, explicit) == ("INT-2", False)
    assert "a proposal cannot replace an integration that runs" in why


@pytest.mark.parametrize(("leaving", "words"), [
    ([("INT-1", Status.DEPRECATED)], "INT-1 is deprecated"),
    ([("INT-1", Status.DEPRECATED), ("INT-3", Status.DEPRECATED)], "INT-1 and INT-3 are deprecated"),
    ([("INT-1", Status.DEPRECATED), ("INT-3", Status.RETIRED)], "INT-1 is deprecated; INT-3 is retired"),
])
def test_a_weaker_survivor_says_the_stronger_member_is_on_its_way_out(leaving, words):
    outgoing = [make(member_id, owner="Ana Silva", status=status, **CONTROLS) for member_id, status in leaving]
    running = make("INT-2", status=Status.LIVE)

    survivor, why, _ = choose_survivor([*outgoing, running], {})

    assert survivor == "INT-2"
    assert why == f"unowned, 0 of 5 controls, 0 consumers; {words}"


def test_a_deprecated_member_is_not_named_when_the_survivor_is_deprecated_too():
    members = [make("INT-1", owner="Ana Silva", status=Status.DEPRECATED), make("INT-2", status=Status.DEPRECATED)]

    _, why, _ = choose_survivor(members, {})

    assert why == "owned by Ana Silva, 0 of 5 controls, 0 consumers"


def test_a_group_choice_of_a_proposal_is_refused_while_something_runs():
    proposal = make("INT-1", status=Status.PROPOSED)
    building = make("INT-2", status=Status.BUILDING)

    survivor, why, explicit = choose_survivor([proposal, building], {}, survivor_choices={"INT-1"})

    assert (survivor, explicit) == ("INT-2", False)
    assert "the group chose INT-1 (proposed), but it cannot replace an integration that runs" in why


def test_among_proposals_only_a_proposal_can_survive():
    members = [make("INT-2", status=Status.PROPOSED, owner="Bo"), make("INT-1", status=Status.PROPOSED)]

    survivor, _, _ = choose_survivor(members, {})

    assert survivor == "INT-2"


def test_choose_survivor_needs_members():
    with pytest.raises(ValueError, match="at least one member"):
        choose_survivor([], {})


# --- Properties ----------------------------------------------------------------------------------

SYSTEM_NAMES = ["Salesforce", "salesforce.com", "SFDC", "Stripe", "NetSuite", "HubSpot"]
OBJECT_NAMES = ["Account", "Accounts", "Opportunity", "Opps", "Invoice", "Contact"]
CONSUMER_NAMES = ["Revenue dashboard", "revenue dashboard", "Finance", "Board pack"]


@st.composite
def integrations(draw, id: str, statuses=tuple(Status)) -> Integration:
    return make(
        id,
        source=draw(st.sampled_from(SYSTEM_NAMES)),
        target=draw(st.sampled_from(SYSTEM_NAMES)),
        objects=draw(st.lists(st.sampled_from(OBJECT_NAMES), max_size=3)),
        consumers=tuple(draw(st.lists(st.sampled_from(CONSUMER_NAMES), max_size=2))),
        direction=draw(st.sampled_from(list(Direction))),
        status=draw(st.sampled_from(statuses)),
        owner=draw(st.sampled_from([None, "Ana Silva", "Bo Chen"])),
        has_monitoring=draw(st.sampled_from([None, True, False])),
        has_retry=draw(st.booleans()),
    )


@st.composite
def registries(draw, max_size: int = 12) -> list[Integration]:
    size = draw(st.integers(0, max_size))
    return [draw(integrations(f"INT-{k:02d}")) for k in range(size)]


@st.composite
def run_rates(draw, rows) -> dict[str, Range]:
    rates = {}
    for row in rows:
        low = draw(st.floats(0, 1000, allow_nan=False))
        rates[row.id] = Range(low, low + draw(st.floats(0, 100)), low + 100 + draw(st.floats(0, 100)))
    return rates


STILL_COUNTED = tuple(s for s in Status if s is not Status.RETIRED)  # the registry side drops retired rows


@given(integrations("INT-A", STILL_COUNTED), integrations("INT-B", STILL_COUNTED))
def test_overlap_is_symmetric(a, b):
    forward = build_overlap_index([b], ALIASES).pairs_for(a)

    backward = build_overlap_index([a], ALIASES).pairs_for(b)

    assert forward == backward


@given(registries(), st.randoms(use_true_random=False), st.booleans())
def test_pairs_do_not_depend_on_row_order(rows, rnd, include_retired):
    shuffled = rows[:]
    rnd.shuffle(shuffled)

    pairs = build_overlap_index(rows, ALIASES, include_retired=include_retired).list_pairs()
    again = build_overlap_index(shuffled, ALIASES, include_retired=include_retired).list_pairs()

    assert pairs == again


@given(registries())
def test_listing_every_pair_agrees_with_looking_up_each_integration_alone(rows):
    index = build_overlap_index(rows, ALIASES)

    pairs = set(index.list_pairs())
    one_by_one = {p for row in rows if row.status is not Status.RETIRED for p in index.pairs_for(row)}

    assert pairs == one_by_one


@given(registries())
def test_every_pair_has_evidence_and_a_score_in_range(rows):
    pairs = build_overlap_index(rows, ALIASES, include_retired=True).list_pairs()

    assert all(0 < p.score <= 1 and p.evidence and p.a < p.b for p in pairs)
    assert all(p.shared_objects or p.shared_consumers for p in pairs)
    assert all(p.score == 1.0 for p in pairs if p.is_strong)
    assert all(p.score <= 0.6 for p in pairs if not p.is_strong)


@given(st.data(), registries(), st.floats(0.05, 1.0), st.randoms(use_true_random=False))
def test_clustering_does_not_depend_on_row_order(data, rows, threshold, rnd):
    rates = data.draw(run_rates(rows))
    chosen = data.draw(st.sets(st.sampled_from([r.id for r in rows]))) if rows else set()
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    pairs = build_overlap_index(rows, ALIASES).list_pairs()
    shuffled_pairs = build_overlap_index(shuffled, ALIASES).list_pairs()
    rnd.shuffle(shuffled_pairs)

    clusters = cluster_overlaps(rows, pairs, rates, threshold=threshold, survivor_choices=chosen, aliases=ALIASES)
    again = cluster_overlaps(shuffled, shuffled_pairs, rates, threshold=threshold, survivor_choices=chosen,
                             aliases=ALIASES)

    assert clusters == again


@given(st.data(), registries(), st.floats(0.05, 1.0))
def test_every_cluster_is_well_formed(data, rows, threshold):
    rates = data.draw(run_rates(rows))
    chosen = data.draw(st.sets(st.sampled_from([r.id for r in rows]))) if rows else set()
    pairs = build_overlap_index(rows, ALIASES).list_pairs()
    status = {r.id: r.status for r in rows}

    clusters = cluster_overlaps(rows, pairs, rates, threshold=threshold, survivor_choices=chosen)

    for cluster in clusters:
        assert len(cluster.members) >= 2
        assert cluster.survivor in cluster.members
        assert cluster.id == "CL-" + min(cluster.members)
        duplicated, total = cluster.duplicated_monthly_run_rate, cluster.total_monthly_run_rate
        assert duplicated.low <= total.low + 1e-9 and duplicated.likely <= total.likely + 1e-9
        assert duplicated.high <= total.high + 1e-9
        runs = {Status.LIVE, Status.BUILDING, Status.DEPRECATED}
        if any(status[m] in runs for m in cluster.members):
            assert status[cluster.survivor] in runs
    clustered = [m for c in clusters for m in c.members]
    assert len(clustered) == len(set(clustered))  # each integration in one cluster at most


@given(registries(), st.floats(0.05, 1.0))
def test_strong_pairs_always_share_a_cluster(rows, threshold):
    pairs = build_overlap_index(rows, ALIASES).list_pairs()

    clusters = cluster_overlaps(rows, pairs, {}, threshold=threshold)

    cluster_of = {m: c.id for c in clusters for m in c.members}
    for pair in pairs:
        if pair.is_strong:
            assert cluster_of.get(pair.a) is not None and cluster_of.get(pair.a) == cluster_of.get(pair.b)


@settings(max_examples=50)
@given(registries(max_size=25))
def test_chaining_crowded_buckets_keeps_strong_clusters_exact(rows):
    every_pair = build_overlap_index(rows, ALIASES).list_pairs()
    with mock.patch.object(overlap_index, "CROWDED_BUCKET", 2):
        chained = build_overlap_index(rows, ALIASES).list_pairs()

    exact = cluster_overlaps(rows, every_pair, {}, threshold=1.0)
    sampled = cluster_overlaps(rows, chained, {}, threshold=1.0)

    assert [c.members for c in sampled] == [c.members for c in exact]
    assert set(chained) <= set(every_pair)  # chain pairs are real pairs, fully scored


# --- Scale ---------------------------------------------------------------------------------------


# Speed at 10k/100k rows is measured by bench/run.py, never asserted in unit tests (shared, noisy machines).


# --- Speedups that must not change answers ---------------------------------------------------------
# (their effect on time is measured by bench/run.py)

# Cut-offs that land exactly on the scores the formula gives (0.1, 0.15, 0.3, ...) as well as between them.
CUT_OFFS = st.one_of(st.floats(0.0, 1.0), st.sampled_from([0.1, 0.15, 0.2, 0.3, 0.45, 0.5, 0.6, 1.0, 1.5]))


@settings(max_examples=150, deadline=None)  # correctness only: a busy machine must not fail it
@given(registries(max_size=20), CUT_OFFS, st.booleans())
def test_list_pairs_with_a_min_score_is_the_full_list_cut_at_that_score(rows, min_score, crowded):
    with mock.patch.object(overlap_index, "CROWDED_BUCKET", 2 if crowded else overlap_index.CROWDED_BUCKET):
        index = build_overlap_index(rows, ALIASES)

        every_pair = index.list_pairs()
        kept = index.list_pairs(min_score=min_score)

    # Same pairs, same evidence, same order; strong pairs are kept even above a score of 1. With crowded buckets
    # the cut list also holds the pairs inside them that reach the score, which the chained full list leaves out.
    cut = [p for p in every_pair if p.score >= min_score or p.is_strong]
    if crowded:
        assert set(cut) <= set(kept) and all(p.score >= min_score or p.is_strong for p in kept)
        assert kept == sorted(kept, key=lambda p: -p.score)
    else:
        assert kept == cut


THRESHOLDS = st.one_of(st.floats(0.01, 1.0), st.sampled_from([0.1, 0.15, 0.2, 0.3, 0.31, 0.45, 0.5, 0.6, 1.0]))


@settings(max_examples=150, deadline=None)  # correctness only: a busy machine must not fail it
@given(registries(max_size=25), THRESHOLDS, st.sampled_from([2, 3, 5]))
def test_the_index_gives_exactly_the_clusters_of_comparing_every_pair(rows, threshold, crowded_at):
    with mock.patch.object(overlap_index, "CROWDED_BUCKET", 10**9):  # nothing crowded: every pair compared
        every_pair = build_overlap_index(rows, ALIASES).list_pairs()
    with mock.patch.object(overlap_index, "CROWDED_BUCKET", crowded_at):  # most buckets crowded
        indexed = build_overlap_index(rows, ALIASES).list_pairs(min_score=threshold)
    rates = flat_rates(rows)

    exact = cluster_overlaps(rows, every_pair, rates, threshold=threshold, aliases=ALIASES)
    fast = cluster_overlaps(rows, indexed, rates, threshold=threshold, aliases=ALIASES)

    assert [c.members for c in fast] == [c.members for c in exact]


def test_rows_on_one_route_feeding_one_consumer_are_chained_not_paired_with_each_other():
    rows = [make(f"INT-{n:04}", consumers=("Revenue dashboard",)) for n in range(400)]

    pairs = build_overlap_index(rows, NO_ALIASES).list_pairs(min_score=0.5)
    clusters = cluster_overlaps(rows, pairs, flat_rates(rows), threshold=0.5, aliases=NO_ALIASES)

    assert [len(c.members) for c in clusters] == [400]
    assert len(pairs) < 2 * len(rows)  # every two of them would be 79,800


@pytest.mark.parametrize("budget", [10**9, 0])
def test_a_group_past_the_pair_budget_is_chained_and_still_clusters_as_comparing_every_pair(budget):
    # One source, a system of its own for each target, one consumer: no two rows are strongly linked,
    # and every two of them link on the object and the consumer.
    rows = [make(f"INT-{n:03}", target=f"Warehouse {n}", consumers=("Revenue dashboard",)) for n in range(60)]
    with mock.patch.object(overlap_index, "CROWDED_BUCKET", 10**9):
        every_pair = build_overlap_index(rows, NO_ALIASES).list_pairs()
    with mock.patch.object(overlap_index, "EXACT_PAIR_BUDGET", budget):
        indexed = build_overlap_index(rows, NO_ALIASES).list_pairs(min_score=0.5)
    rates = flat_rates(rows)

    exact = cluster_overlaps(rows, every_pair, rates, threshold=0.5, aliases=NO_ALIASES)
    fast = cluster_overlaps(rows, indexed, rates, threshold=0.5, aliases=NO_ALIASES)

    assert [c.members for c in fast] == [c.members for c in exact] and len(exact) == 1
    assert len(indexed) == (len(every_pair) if budget else len(rows) - 1)


@settings(deadline=None)
@given(registries(max_size=20), st.floats(0.05, 1.0))
def test_clusters_from_the_linking_pairs_are_the_clusters_from_every_pair(rows, threshold):
    index = build_overlap_index(rows, ALIASES)
    rates = flat_rates(rows)

    from_every_pair = cluster_overlaps(rows, index.list_pairs(), rates, threshold=threshold, aliases=ALIASES)
    from_linking = cluster_overlaps(rows, index.list_pairs(min_score=threshold), rates, threshold=threshold,
                                    aliases=ALIASES)

    assert from_linking == from_every_pair


def test_a_pair_below_the_cut_is_left_out_but_still_found_by_looking_up_one_integration():
    a = make("INT-1", target="Stripe", consumers=("Finance",))
    b = make("INT-2", target="NetSuite", consumers=("Finance",))  # same source and object: 0.3 + 0.3
    index = build_overlap_index([a, b], NO_ALIASES)

    assert [p.score for p in index.list_pairs()] == [0.6]
    assert index.list_pairs(min_score=0.61) == []
    assert index.pairs_for(a) == index.list_pairs()


def test_the_index_is_built_with_the_cycle_collector_paused_and_it_is_back_on_after(monkeypatch):
    seen: list[bool] = []
    features = overlap_pairs._Namer.features

    def spy(self, integration, learn=True):
        seen.append(gc.isenabled())
        return features(self, integration, learn)

    monkeypatch.setattr(overlap_pairs._Namer, "features", spy)
    assert gc.isenabled()

    build_overlap_index([make("INT-1"), make("INT-2")], NO_ALIASES)

    assert seen == [False, False]
    assert gc.isenabled()


def test_the_cycle_collector_is_back_on_when_building_the_index_fails():
    assert gc.isenabled()

    with pytest.raises(ValueError, match="INT-1 appears twice"):
        build_overlap_index([make("INT-1"), make("INT-1")], NO_ALIASES)

    assert gc.isenabled()


def test_a_collector_paused_by_the_caller_stays_paused():
    gc.disable()
    try:
        with without_gc_pauses():
            pass
        build_overlap_index([make("INT-1"), make("INT-2")], NO_ALIASES).list_pairs()

        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_collector_pause_ends_with_an_exception_too():
    with pytest.raises(RuntimeError), without_gc_pauses():
        assert not gc.isenabled()
        raise RuntimeError("boom")

    assert gc.isenabled()


@pytest.mark.parametrize("b_changes, measured", [
    ({"target": "NetSuite"}, 0),  # one shared end, no consumers: at most 0.3, never measured
    ({"target": "NetSuite", "consumers": ("Finance",)}, 1),  # both name consumers: could reach 0.6
    ({}, 1),  # the same route: could be strong
    ({"source": "Stripe", "target": "Salesforce", "direction": Direction.BIDIRECTIONAL}, 1),  # reversed route
])
def test_only_pairs_that_could_reach_the_threshold_are_measured(b_changes, measured):
    a = make("INT-1", consumers=("Finance",))
    index = build_overlap_index([a, make("INT-2", **b_changes)], NO_ALIASES)

    with mock.patch.object(overlap_pairs._Comparer, "measure", autospec=True,
                           side_effect=overlap_pairs._Comparer.measure) as measure:
        index.list_pairs(min_score=0.5)

    assert measure.call_count == measured
