"""The Analyse pages (Overview, Overlaps) driven through the app's router with AppTest, each on a fresh database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.domain.analysis import analyse_registry
from core.domain.ranges import Range, total
from core.domain.registry import Integration
from core.domain.registry_csv import read_registry_csv
from core.reports.figures import duplication_slider_max
from core.storage.defaults import (
    SAMPLE_REGISTRY,
    default_complexity_rules,
    load_aliases,
    load_default_settings,
)
from core.storage.registry_store import seed_sample_registry, write_integrations
from core.storage.settings_store import load_alias_tables
from core.storage.survivor_store import load_survivor_choices
from core.wording import format_money
from tests.actors import editor

APP = str(Path(__file__).resolve().parents[2] / "app.py")


# Every test drives the app on its own fresh database (the first page run loads the sample registry).
pytestmark = pytest.mark.usefixtures("routed_by_app_py", "app_database")


@pytest.fixture(scope="module")
def expected():
    """The analysis of the sample registry, computed without the app."""
    sample = read_registry_csv(SAMPLE_REGISTRY.read_bytes()).accepted
    return analyse_registry(sample, load_default_settings(), aliases=load_aliases(), rules=default_complexity_rules())


def open_page(page: str) -> AppTest:
    """Through app.py, with a name typed under "Your name" (changes are refused until someone has one)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user_name"] = "Ana"
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, label: str) -> str:
    (found,) = [m for m in at.metric if m.label == label]
    return found.value


def figures(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def figure_titled(at: AppTest, start: str) -> dict:
    (figure,) = [f for f in figures(at) if f["layout"]["title"]["text"].startswith(start)]
    return figure


def unescape(markdown: str) -> str:
    """Page text as people read it: the pages escape markdown characters in names with a backslash."""
    return markdown.replace("\\", "")


def expander_titles(at: AppTest) -> list[str]:
    return [unescape(e.label) for e in at.expander]


def cluster_ids_shown(at: AppTest) -> list[str]:
    return [label.split(" · ")[0] for label in expander_titles(at)]


def open_cluster(at: AppTest, cluster_id: str) -> AppTest:
    """Open one more cluster, as a link to it does (AppTest cannot click an expander's title)."""
    at.session_state["_overlaps_open"] = cluster_id
    return at.run()


def opened_clusters(at: AppTest) -> list[str]:
    return [unescape(e.label).split(" · ")[0] for e in at.expander if e.proto.expanded]


def members_table(at: AppTest, cluster_id: str):
    """The members grid of an open cluster (each open cluster draws one, in list order)."""
    return at.dataframe[opened_clusters(at).index(cluster_id)].value


# --- Overview --------------------------------------------------------------------------------------

def test_overview_shows_the_sample_headline_figures(expected):
    at = open_page("pages/overview.py")

    assert metric(at, "Integrations") == "67"
    assert metric(at, "Overlap clusters") == str(len(expected.clusters))
    assert metric(at, "Unowned") == str(len(expected.unowned))
    assert metric(at, "Teams") == str(len(expected.teams))
    assert metric(at, "Duplicated run-rate per month (likely)") == format_money(
        expected.costs.duplicated_monthly_run_rate.likely)
    assert metric(at, "Total run-rate per month (likely)") == format_money(expected.costs.monthly_run_rate.likely)
    captions = " ".join(c.value for c in at.caption)
    assert "34,773" in captions and "47,903" in captions  # the duplicated range, not just its likely value


def test_overview_and_snapshot_count_live_and_planned_integrations_alike(expected):
    from core.reports.snapshot_pdf import snapshot_figures
    from core.storage.defaults import load_rubric

    at = open_page("pages/overview.py")
    snapshot = snapshot_figures(expected, rubric=load_rubric())
    statuses = [i.status.value for i in expected.integrations]
    planned = statuses.count("proposed") + statuses.count("building")

    assert f"{statuses.count('live')} live · {planned} proposed or building" in [c.value for c in at.caption]
    assert (snapshot.live, snapshot.planned) == (statuses.count("live"), planned)
    assert planned > statuses.count("proposed")  # the sample has integrations being built: the words matter


def test_overview_charts_the_clusters_and_the_system_map(expected):
    at = open_page("pages/overview.py")

    bars = figure_titled(at, "Duplicated run-rate by overlap cluster")
    assert len(bars["data"][0]["x"]) == len(expected.clusters)
    assert bars["data"][0]["x"][0] == expected.clusters[0].duplicated_monthly_run_rate.likely
    assert "error_x" in bars["data"][0]
    assert bars["layout"]["xaxis"]["tickprefix"] == "$"

    system_map = figure_titled(at, "System map")
    legend = {t["name"] for t in system_map["data"] if t.get("showlegend")}
    assert "CL-INT-015 · Salesforce → Stripe" in legend
    labels = {a["text"] for a in system_map["layout"]["annotations"]}
    assert "<b>×4</b>" in labels  # four integrations between Salesforce and Stripe, drawn as one line
    node_labels = next(t for t in system_map["data"] if t.get("mode") == "markers+text")["text"]
    assert not [label for label in node_labels if label.startswith(("<b>SFDC", "<b>Salesforce.com"))]


def test_an_emptied_registry_offers_to_load_the_sample(engine):
    seed_sample_registry(engine)  # seeded once, then emptied: the app does not seed it again
    write_integrations(engine, [], "replace", actor=editor("test"))

    at = open_page("pages/overview.py")
    assert "registry is empty" in at.info[0].value
    assert not at.metric

    at.button(key="load_sample").click().run()

    assert not at.exception
    assert metric(at, "Integrations") == "67"


# --- Overlaps --------------------------------------------------------------------------------------

def test_overlaps_ranks_clusters_by_duplicated_run_rate(expected):
    at = open_page("pages/overlaps.py")

    assert cluster_ids_shown(at) == [c.id for c in expected.clusters]
    assert expander_titles(at)[0].startswith("CL-INT-015 · Salesforce → Stripe")
    table = at.dataframe[0].value
    assert list(table["ID"]) == ["INT-015", "INT-019", "INT-027", "INT-063"]
    titles = [f["layout"]["title"]["text"] for f in figures(at)]
    assert any(t.startswith("Who pays") for t in titles)
    assert any(t.startswith("Cost of keeping every duplicate") for t in titles)


def test_choosing_another_survivor_saves_it_for_everyone(engine):
    at = open_page("pages/overlaps.py")
    assert at.selectbox(key="survivor_CL-INT-015").value == "INT-015"
    assert not [o for o in at.selectbox(key="survivor_CL-INT-015").options if "INT-063" in o]  # a proposal

    at.selectbox(key="survivor_CL-INT-015").select("INT-019").run()

    assert not at.exception
    assert load_survivor_choices(engine) == {"INT-019"}
    assert at.selectbox(key="survivor_CL-INT-015").value == "INT-019"
    assert any("Keep INT-019" in unescape(m.value) and "chosen by the group" in m.value for m in at.markdown)
    # Keeping the dearer INT-019 shrinks what the cluster duplicates, so it may move down the ranking; the page
    # follows it and keeps it open (the only members table drawn is an open cluster's).
    assert "CL-INT-015" in opened_clusters(at)
    table = members_table(at, "CL-INT-015")
    assert table.iloc[0]["ID"] == "INT-019" and table.iloc[0]["Recommended"] == "Keep"


def test_adding_the_suggested_alias_reveals_a_new_cluster(engine):
    at = open_page("pages/overlaps.py")
    assert "CL-INT-017" not in cluster_ids_shown(at)

    at.button(key="add_alias_system_zendesksupport_zendesk").click().run()

    assert not at.exception
    assert load_alias_tables(engine).systems["zendesksupport"] == "Zendesk"
    assert "CL-INT-017" in cluster_ids_shown(at)
    open_cluster(at, "CL-INT-017")
    assert {"INT-017", "INT-050"} <= set(members_table(at, "CL-INT-017")["ID"])
    assert not [b for b in at.button if b.key == "add_alias_system_zendesksupport_zendesk"]


def test_only_open_clusters_are_drawn():
    at = open_page("pages/overlaps.py")
    first, second = cluster_ids_shown(at)[:2]
    assert opened_clusters(at) == [first]  # the list opens on the most duplicated cluster
    assert [s.key for s in at.selectbox if str(s.key).startswith("survivor_")] == [f"survivor_{first}"]
    assert len(at.dataframe) == 1

    open_cluster(at, second)

    assert not at.exception
    assert opened_clusters(at) == [first, second]  # the first stays as the person left it
    assert [s.key for s in at.selectbox if str(s.key).startswith("survivor_")] == [f"survivor_{first}",
                                                                                   f"survivor_{second}"]
    assert len(at.dataframe) == 2


def test_filters_narrow_the_cluster_list(expected):
    at = open_page("pages/overlaps.py")

    at.multiselect(key="overlaps_teams").select("Product Analytics").run()
    assert cluster_ids_shown(at) == ["CL-INT-008"]

    at.multiselect(key="overlaps_teams").unselect("Product Analytics").run()
    at.slider(key="overlaps_min_duplicated").set_value(10_000.0).run()
    assert cluster_ids_shown(at) == ["CL-INT-015", "CL-INT-004"]

    at.slider(key="overlaps_min_duplicated").set_value(duplication_slider_max(expected)).run()
    assert cluster_ids_shown(at) == []
    assert any("No cluster matches" in i.value for i in at.info)


# --- Overlaps, a page of clusters at a time ------------------------------------------------------------

SOURCES = ("Shopify", "Magento", "Salesforce", "HubSpot", "Zendesk", "Stripe", "Netsuite", "Workday", "Jira", "Okta",
           "Snowflake", "Marketo", "Intercom", "Twilio", "Segment", "Asana", "Slack", "Xero", "Gusto", "Braze",
           "Airtable", "Mailchimp", "Pipedrive", "Freshdesk", "Contentful")


def _many_clusters() -> list[Integration]:
    """25 two-member clusters (one per source system, all into the ledger), each duplicating a different amount."""
    rows = []
    for k, source in enumerate(SOURCES):
        first = Integration(
            id=f"INT-{2 * k + 1:03d}", name=f"{source} orders to the ledger", source_system=source,
            target_system="Ledger", data_objects=("Order",), owner_team="Sales Ops", owner="Ana Silva",
            has_monitoring=True, monthly_maintenance_hours=Range.exact(10 + k), hourly_rate=Range.exact(100),
        )
        rows += [first, first.with_changes(id=f"INT-{2 * k + 2:03d}", name=f"{source} order copy", owner_team="Finance",
                                           monthly_maintenance_hours=Range.exact(4 + k))]
    return rows


@pytest.fixture
def many(engine):
    """The database holds the 25-cluster registry; returns its cluster ids in ranking order."""
    seed_sample_registry(engine)  # seeded once, then replaced: the app does not seed it again
    rows = _many_clusters()
    write_integrations(engine, rows, "replace", actor=editor("test"))
    analysis = analyse_registry(rows, load_default_settings(), aliases=load_aliases(), rules=default_complexity_rules())
    ranked = [c.id for c in analysis.clusters]
    assert len(ranked) == 25
    return ranked


def pager_label(at: AppTest) -> str:
    pager = at.selectbox(key="overlaps_page")
    return pager.options[pager.index]


def open_overlaps(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user_name"] = "Ana"
    at.run()
    at.switch_page("pages/overlaps.py")
    for name, value in (query or {}).items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_overlaps_lists_twenty_clusters_a_page_and_the_pager_moves_on(many):
    at = open_overlaps()

    assert cluster_ids_shown(at) == many[:20]
    assert [e.proto.expanded for e in at.expander] == [True] + [False] * 19
    assert pager_label(at) == "Clusters 1–20 of 25"
    assert at.button(key="overlaps_previous_top").disabled and not at.button(key="overlaps_next_top").disabled
    assert "25 of 25 overlap clusters" in unescape(" ".join(m.value for m in at.markdown))
    bars = figure_titled(at, "Duplicated run-rate by overlap cluster")
    # The 15 largest clusters are drawn; the other 10 are summed in words under the chart.
    clusters = analyse_registry(_many_clusters(), load_default_settings(), aliases=load_aliases(),
                                rules=default_complexity_rules()).clusters
    assert len(bars["data"][0]["x"]) == 15
    rest = total(c.duplicated_monthly_run_rate for c in clusters[15:])
    assert any(
        f"Not drawn: 10 smaller clusters (20 integrations) duplicating {format_money(rest.low)}" in unescape(c.value)
        for c in at.caption)

    at.button(key="overlaps_next_bottom").click().run()
    assert not at.exception
    assert cluster_ids_shown(at) == many[20:]
    assert pager_label(at) == "Clusters 21–25 of 25"
    assert at.button(key="overlaps_next_top").disabled
    assert any(m.value == "Clusters 21–25 of 25" for m in at.markdown)  # the bottom pager's label

    at.button(key="overlaps_previous_top").click().run()
    assert cluster_ids_shown(at) == many[:20]
    at.selectbox(key="overlaps_page").set_value(1).run()
    assert cluster_ids_shown(at) == many[20:]

    at.multiselect(key="overlaps_teams").select("Finance").run()  # a new filter starts again at page 1
    assert cluster_ids_shown(at) == many[:20]


def test_a_survivor_chosen_on_the_second_page_is_saved(engine, many):
    at = open_overlaps()
    at.selectbox(key="overlaps_page").set_value(1).run()
    cluster = many[22]
    open_cluster(at, cluster)
    members = at.selectbox(key=f"survivor_{cluster}").options
    assert len(members) == 2
    shown = at.selectbox(key=f"survivor_{cluster}").value
    other = next(m.split(" · ")[0] for m in members if m.split(" · ")[0] != shown)

    at.selectbox(key=f"survivor_{cluster}").select(other).run()

    assert not at.exception
    assert load_survivor_choices(engine) == {other}
    assert cluster in cluster_ids_shown(at)  # the page follows the cluster, wherever its new rank puts it
    assert at.selectbox(key=f"survivor_{cluster}").value == other
    assert any(f"Keep {other}" in unescape(m.value) and "chosen by the group" in m.value for m in at.markdown)
    assert cluster in opened_clusters(at)  # and keeps it open


def test_a_link_to_a_cluster_opens_the_page_holding_it(many):
    at = open_overlaps({"cluster": many[23]})

    assert cluster_ids_shown(at) == many[20:]
    (opened,) = [e for e in at.expander if e.proto.expanded]
    assert unescape(opened.label).startswith(many[23])
    assert "cluster" not in at.query_params  # followed once: the pager is the user's again

    at.button(key="overlaps_previous_top").click().run()
    assert cluster_ids_shown(at) == many[:20]


def test_a_link_to_a_filtered_out_cluster_clears_the_filters(many):
    at = open_overlaps()
    at.slider(key="overlaps_min_duplicated").set_value(3000.0).run()
    assert many[24] not in cluster_ids_shown(at)

    at.query_params["cluster"] = many[24]
    at.run()

    assert at.slider(key="overlaps_min_duplicated").value == 0.0
    assert cluster_ids_shown(at) == many[20:]


def test_a_link_to_an_unknown_cluster_says_so(many):
    at = open_overlaps({"cluster": "CL-INT-999"})

    assert any("no overlap cluster CL-INT-999" in w.value.replace("\\", "") for w in at.warning)
    assert cluster_ids_shown(at) == many[:20]


def test_the_horizon_slider_extends_the_waste_chart(expected):
    at = open_page("pages/overlaps.py")
    assert at.slider(key="overlaps_horizon").value == expected.settings.horizon_months

    at.slider(key="overlaps_horizon").set_value(24).run()

    waste = figure_titled(at, "Cost of keeping every duplicate")
    likely = next(t for t in waste["data"] if t.get("name") == "likely")
    assert likely["x"][-1] == 24
    assert likely["y"][-1] == pytest.approx(24 * expected.costs.duplicated_monthly_run_rate.likely)


def page_links(at: AppTest) -> list:
    return [link.proto for link in at.get("page_link")]


def test_a_see_cluster_link_offers_the_way_back_to_where_the_person_was(many):
    at = open_overlaps({"cluster": many[23], "back": "score", "back_integration": "INT-042"})

    [back] = [p for p in page_links(at) if p.label == "Back to Score"]
    assert "integration=INT-042" in back.query_string
    assert at.query_params["back"] == "score"  # kept: a refresh still offers the way back


def test_overlaps_opened_from_the_sidebar_offers_no_way_back(many):
    at = open_overlaps()

    assert not [p for p in page_links(at) if p.label.startswith("Back to")]


def test_overview_score_and_tco_link_to_their_cluster_on_overlaps():
    at = AppTest.from_file(APP, default_timeout=60).run()
    overview = [p for p in page_links(at) if "cluster=" in p.query_string]
    assert overview and all("back=overview" in p.query_string for p in overview)

    at.switch_page("pages/tco.py").run()
    tco = [p for p in page_links(at) if "cluster=" in p.query_string]
    assert len(tco) == 1 and "back=tco" in tco[0].query_string

    at.switch_page("pages/score.py").run()
    at.selectbox(key="score_integration").select("INT-029").run()  # a member of CL-INT-008
    [score] = [p for p in page_links(at) if "cluster=" in p.query_string]
    assert "cluster=CL-INT-008" in score.query_string and "back_integration=INT-029" in score.query_string
