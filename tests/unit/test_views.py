"""The dashboard's figures, checked on the sample registry (core/reports/figures.py)."""

from __future__ import annotations

import dataclasses
import math

import pytest

from core.domain.analysis import analyse_registry
from core.domain.names import Aliases, AliasPairs, add_alias_pair
from core.domain.ranges import Range, total
from core.domain.registry import Status
from core.domain.registry_csv import read_registry_csv
from core.errors import ConfigError
from core.reports import figures as views
from core.reports.figures import (
    cluster_members_table,
    cluster_title,
    cumulative_waste,
    duplicated_by_cluster,
    duplicated_by_team,
    duplication_slider_max,
    error_bars,
    filter_clusters,
    headline_figures,
    survivor_candidates,
)
from core.reports.paging import Page, page_count, page_label, page_of, paginate
from core.reports.system_map import system_map
from core.storage.defaults import (
    SAMPLE_REGISTRY,
    default_alias_pairs,
    default_complexity_rules,
    load_aliases,
    load_default_settings,
)
from core.storage.settings_store import load_alias_pairs, save_alias_tables
from tests.actors import admin
from tests.examples import example_analysis


@pytest.fixture(scope="module")
def sample():
    return read_registry_csv(SAMPLE_REGISTRY.read_bytes()).accepted


@pytest.fixture(scope="module")
def analysis(sample):
    return analyse_registry(sample, load_default_settings(), aliases=load_aliases(), rules=default_complexity_rules())


def edge_between(layout, a: str, b: str):
    (edge,) = [e for e in layout.edges if {e.source, e.target} == {a, b}]
    return edge


# --- System map ------------------------------------------------------------------------------------

def test_salesforce_to_stripe_is_one_edge_with_every_copy_and_its_cluster(analysis):
    edge = edge_between(system_map(analysis), "Salesforce", "Stripe")

    assert (edge.source, edge.target) == ("Salesforce", "Stripe")
    assert edge.count >= 3
    assert {"INT-015", "INT-019", "INT-027", "INT-063"} <= set(edge.integration_ids)
    assert edge.in_cluster == "CL-INT-015"
    assert {"Opportunity", "Account"} <= set(edge.objects)


def test_aliased_spellings_of_a_system_are_one_node(analysis):
    layout = system_map(analysis)
    names = [n.name for n in layout.nodes]

    assert "SFDC" not in names and "Salesforce.com" not in names
    assert names.count("Salesforce") == 1
    assert {"SFDC", "Salesforce.com"} <= set(layout.node("Salesforce").spellings)


def test_every_running_or_planned_integration_is_on_exactly_one_edge(analysis):
    on_edges = [i for e in system_map(analysis).edges for i in e.integration_ids]
    expected = sorted(i.id for i in analysis.integrations if i.status is not Status.RETIRED)

    assert sorted(on_edges) == expected


def test_nodes_sit_on_a_circle_with_the_busiest_system_at_the_top(analysis):
    nodes = system_map(analysis).nodes

    assert all(math.isclose(n.x ** 2 + n.y ** 2, 1, abs_tol=1e-5) for n in nodes)
    assert (nodes[0].x, nodes[0].y) == (0.0, 1.0)
    assert nodes[0].integration_count == max(n.integration_count for n in nodes)


def test_clustered_systems_are_placed_side_by_side(analysis):
    layout = system_map(analysis)
    order = [n.name for n in layout.nodes]

    for edge in layout.edges:
        if edge.in_cluster:
            gap = abs(order.index(edge.source) - order.index(edge.target))
            assert gap in (1, len(order) - 1), edge


def test_the_map_does_not_depend_on_row_order(sample):
    settings = load_default_settings()
    forward = system_map(analyse_registry(sample, settings, aliases=load_aliases(), rules=default_complexity_rules()))
    backward = system_map(analyse_registry(list(reversed(sample)), settings, aliases=load_aliases(),
                                           rules=default_complexity_rules()))

    assert forward == backward


def test_edges_in_a_cluster_are_drawn_last_so_they_stay_on_top(analysis):
    flags = [e.in_cluster is not None for e in system_map(analysis).edges]

    assert flags == sorted(flags)


# --- Money -----------------------------------------------------------------------------------------

def test_cumulative_waste_in_month_12_is_12_times_the_duplicated_run_rate(analysis):
    waste = cumulative_waste(analysis, 12)

    assert len(waste) == 13
    assert waste[0] == Range.zero()
    assert waste[12] == analysis.costs.duplicated_monthly_run_rate * 12


def test_cumulative_waste_refuses_a_negative_horizon(analysis):
    with pytest.raises(ValueError, match="0 or more"):
        cumulative_waste(analysis, -1)


def test_duplicated_by_cluster_is_sorted_by_likely_figure_descending(analysis):
    rows = duplicated_by_cluster(analysis)
    likely = [r.duplicated.likely for r in rows]

    assert likely == sorted(likely, reverse=True)
    assert {r.cluster_id for r in rows} == {c.id for c in analysis.clusters}
    assert rows[0].cluster_id == "CL-INT-015"
    assert rows[0].route == "Salesforce → Stripe"
    assert "+2 more" in rows[0].member_summary


def test_teams_paying_for_duplicates_add_up_to_the_portfolio_duplication(analysis):
    teams = duplicated_by_team(analysis)

    assert "Product Analytics" not in {t.team for t in teams}  # it keeps every one of its integrations
    assert total(t.duplicated_monthly_run_rate for t in teams) == analysis.costs.duplicated_monthly_run_rate


def test_error_bars_measure_from_the_likely_value():
    assert error_bars([Range(10, 12, 20)]) == ([8.0], [2.0])


# --- Headline and cluster detail -------------------------------------------------------------------

def test_headline_counts_systems_once_aliases_are_merged(analysis):
    h = headline_figures(analysis)

    assert (h.integrations, h.live, h.proposed) == (67, 56, 5)
    assert h.systems < h.system_spellings
    assert h.clusters == len(analysis.clusters)
    assert h.unowned == len(analysis.unowned)
    assert h.duplicated_monthly_run_rate == analysis.costs.duplicated_monthly_run_rate
    assert 0 < h.duplicated_share < 1


def test_cluster_title_names_route_objects_and_money(analysis):
    title = cluster_title(analysis, analysis.cluster("CL-INT-015"))

    assert title.startswith("CL-INT-015 · Salesforce → Stripe · ")
    assert "Opportunity" in title and "$12,814 – $15,694 / month" in title


def test_members_table_puts_the_survivor_first_and_says_who_owns_nothing(analysis):
    rows = cluster_members_table(analysis, "CL-INT-015")

    assert rows[0]["ID"] == "INT-015" and rows[0]["Recommended"] == "Keep"
    assert [r["Recommended"] for r in rows[1:]] == ["Move onto INT-015", "Retire", "Extend INT-015 instead"]
    unowned = next(r for r in rows if r["ID"] == "INT-027")
    assert unowned["Owner"] == "unowned"
    assert all(r["Route"] == "Salesforce → Stripe" for r in rows)  # SFDC and Salesforce.com shown canonically
    assert all("/ month" in r["Monthly run-rate"] for r in rows)


def test_a_proposal_is_not_offered_as_the_survivor(analysis):
    assert survivor_candidates(analysis, "CL-INT-015") == ("INT-015", "INT-019", "INT-027")


def test_filter_clusters_by_team_and_minimum_duplication(analysis):
    assert [c.id for c in filter_clusters(analysis, ["Product Analytics"])] == ["CL-INT-008"]
    assert [c.id for c in filter_clusters(analysis, min_duplicated=10_000)] == ["CL-INT-015", "CL-INT-004"]
    assert filter_clusters(analysis) == analysis.clusters


def test_slider_maximum_covers_the_largest_cluster(analysis):
    top = duplication_slider_max(analysis)

    assert top >= analysis.clusters[0].duplicated_monthly_run_rate.likely
    assert top % 500 == 0


# --- Aliases ---------------------------------------------------------------------------------------

def test_adding_the_zendesk_alias_reveals_the_ticket_overlap(sample):
    pairs = add_alias_pair(default_alias_pairs(), "system", "Zendesk Support", "Zendesk")
    aliases = Aliases.from_pairs(systems=pairs.systems, objects=pairs.objects)

    analysis = analyse_registry(sample, load_default_settings(), aliases=aliases, rules=default_complexity_rules())

    assert {"INT-017", "INT-050"} <= set(analysis.cluster_by_member["INT-017"].members)
    assert not [s for s in analysis.suggestions if s.name == "Zendesk Support"]


def test_an_alias_of_an_alias_points_at_the_final_name():
    pairs = AliasPairs(systems=(("SFDC", "Salesforce"),), objects=())

    assert add_alias_pair(pairs, "system", "SF", "sfdc").systems[-1] == ("SF", "Salesforce")


def test_renaming_a_canonical_name_repoints_its_aliases():
    pairs = AliasPairs(systems=(("SFDC", "Salesforce"),), objects=())

    new = add_alias_pair(pairs, "system", "Salesforce", "Salesforce CRM")

    assert dict(new.systems) == {"SFDC": "Salesforce CRM", "Salesforce": "Salesforce CRM"}
    Aliases.from_pairs(systems=new.systems)  # still a valid table


def test_adding_an_existing_alias_changes_nothing():
    pairs = AliasPairs(systems=(("SFDC", "Salesforce"),), objects=(("Opps", "Opportunity"),))

    assert add_alias_pair(pairs, "system", "SFDC", "Salesforce") == pairs
    assert add_alias_pair(pairs, "object", "Opportunities", "Opportunity") == pairs


def test_object_aliases_go_to_the_object_table():
    new = add_alias_pair(AliasPairs((), ()), "object", "Deals", "Opportunity")

    assert new.objects == (("Deals", "Opportunity"),) and new.systems == ()


def test_add_alias_refuses_an_unknown_kind_and_an_empty_name():
    with pytest.raises(ValueError, match="kind"):
        add_alias_pair(AliasPairs((), ()), "team", "A", "B")
    with pytest.raises(ConfigError, match="empty"):
        add_alias_pair(AliasPairs((), ()), "system", "", "Zendesk")


def test_alias_pairs_come_from_the_shipped_files_until_some_are_saved(engine):
    assert load_alias_pairs(engine) == default_alias_pairs()

    save_alias_tables(engine, [("Zendesk Support", "Zendesk")], [], actor=admin("test"), expected_version=None)

    assert load_alias_pairs(engine) == AliasPairs(systems=(("Zendesk Support", "Zendesk"),), objects=())


def test_a_big_registry_map_keeps_clustered_systems_and_counts_the_hidden_ones():
    from bench.generate import generate_registry
    from core.domain.registry_csv import read_registry_csv

    text, _ = generate_registry(2_000, 3)
    analysis = analyse_registry(read_registry_csv(text.encode()).accepted, load_default_settings(),
                                aliases=load_aliases(), rules=default_complexity_rules())

    layout = system_map(analysis, max_systems=25)

    assert len(layout.nodes) == 25
    assert (layout.hidden_systems == len({s for i in analysis.integrations
                                          for s in (i.source_system, i.target_system)}) - 25
            or layout.hidden_systems > 0)
    shown = {n.name for n in layout.nodes}
    assert all(e.source in shown and e.target in shown for e in layout.edges)
    assert any(e.in_cluster for e in layout.edges)


# --- Paging the cluster list (core/reports/paging.py) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "number", "size", "expected"),
    [
        (301, 0, 20, Page(number=0, count=16, start=0, stop=20, total=301, size=20)),
        (301, 1, 20, Page(number=1, count=16, start=20, stop=40, total=301, size=20)),
        (301, 15, 20, Page(number=15, count=16, start=300, stop=301, total=301, size=20)),
        (301, 16, 20, Page(number=15, count=16, start=300, stop=301, total=301, size=20)),  # past the end: last page
        (301, -3, 20, Page(number=0, count=16, start=0, stop=20, total=301, size=20)),
        (40, 1, 20, Page(number=1, count=2, start=20, stop=40, total=40, size=20)),  # exactly full pages
        (20, 1, 20, Page(number=0, count=1, start=0, stop=20, total=20, size=20)),  # a filter shortened the list
        (7, 0, 20, Page(number=0, count=1, start=0, stop=7, total=7, size=20)),
        (0, 2, 20, Page(number=0, count=1, start=0, stop=0, total=0, size=20)),  # nothing to show: one empty page
        (5, 4, 1, Page(number=4, count=5, start=4, stop=5, total=5, size=1)),
    ],
)
def test_paginate_gives_the_slice_of_the_page_clamped_to_pages_that_exist(total, number, size, expected):
    page = paginate(total, number, size)
    assert page == expected
    assert page.count == page_count(total, size)
    assert page.has_previous == (page.number > 0)
    assert page.has_next == (page.number < page.count - 1)


@pytest.mark.parametrize(
    ("number", "total", "size", "label"),
    [
        (0, 301, 20, "1–20 of 301"),
        (1, 301, 20, "21–40 of 301"),
        (15, 301, 20, "301 of 301"),  # a last page of one
        (99, 301, 20, "301 of 301"),
        (0, 25, 20, "1–20 of 25"),
        (1, 25, 20, "21–25 of 25"),
        (0, 1, 20, "1 of 1"),
        (0, 0, 20, "0 of 0"),
    ],
)
def test_page_label_counts_from_one(number, total, size, label):
    assert page_label(number, total, size) == label
    assert paginate(total, number, size).label == label


IDS = [f"CL-INT-{n:03d}" for n in range(301)]


@pytest.mark.parametrize(
    ("items", "item", "size", "page"),
    [
        (IDS, "CL-INT-000", 20, 0),
        (IDS, "CL-INT-019", 20, 0),
        (IDS, "CL-INT-020", 20, 1),
        (IDS, "CL-INT-300", 20, 15),
        (IDS, "CL-INT-999", 20, None),  # not in the list (e.g. hidden by a filter)
        ((), "CL-INT-000", 20, None),
        (("a", "b", "c"), "c", 2, 1),
    ],
)
def test_page_of_finds_the_page_holding_an_item(items, item, size, page):
    assert page_of(items, item, size) == page
    if page is not None:
        shown = paginate(len(items), page, size)
        assert item in list(items)[shown.start:shown.stop]


@pytest.mark.parametrize("call",
                         [lambda: paginate(10, 0, 0), lambda: page_label(0, 10, -1), lambda: page_of([1], 1, 0)])
def test_paging_refuses_a_page_size_below_one(call):
    with pytest.raises(ValueError, match="page size"):
        call()


def _rows(count: int) -> list:
    analysis = example_analysis()
    [row] = views.duplicated_by_cluster(analysis)
    return [dataclasses.replace(row, cluster_id=f"CL-{n}", duplicated=Range(n, 2 * n, 3 * n),
                                members=(f"A{n}", f"B{n}"))
            for n in range(count, 0, -1)]


@pytest.mark.parametrize("count, limit, expected_bars", [(3, 5, 3), (6, 5, 6), (7, 5, 5), (301, 15, 15)])
def test_chart_rows_draw_the_largest_and_sum_the_rest_without_losing_money(count, limit, expected_bars):
    rows = _rows(count)

    drawn, rest = views.chart_rows(rows, limit=limit)

    assert len(drawn) == expected_bars
    assert drawn == rows[:expected_bars]
    summed = [*drawn, rest] if rest else drawn
    assert total(r.duplicated for r in summed) == total(r.duplicated for r in rows)
    assert sum(len(r.members) for r in summed) == sum(len(r.members) for r in rows)


def test_the_summed_rest_says_how_many_clusters_it_holds():
    drawn, rest = views.chart_rows(_rows(40), limit=15)

    assert [r.cluster_id for r in drawn] == [f"CL-{n}" for n in range(40, 25, -1)]
    assert (rest.route, rest.member_summary) == ("25 smaller clusters", "50 integrations")


def test_a_big_map_colours_the_largest_clusters_and_labels_the_busiest_lines(analysis):
    layout = system_map(analysis, max_highlighted=2, max_labels=3)

    coloured = {e.in_cluster for e in layout.edges if e.highlighted}
    assert coloured == {c.id for c in analysis.clusters[:2]}
    assert sum(e.labelled for e in layout.edges) == 3
    coloured_lines = [e for e in layout.edges if e.highlighted]
    assert len(coloured_lines) <= 3 and all(e.labelled for e in coloured_lines)  # coloured lines are labelled first
    assert layout.uncoloured_clusters == len({e.in_cluster for e in layout.edges if e.in_cluster}) - 2


def test_a_small_map_colours_and_labels_every_cluster(analysis):
    layout = system_map(analysis)

    assert all(e.highlighted and e.labelled for e in layout.edges if e.in_cluster)
    assert layout.uncoloured_clusters == 0
