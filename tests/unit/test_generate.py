"""The benchmark's synthetic registries: valid files, and every planted overlap cluster is found."""

from __future__ import annotations

import csv
import io

import pytest

from bench.generate import (
    generate_registry,
    main,
    planted_path_for,
    read_planted_clusters,
)
from core.domain.analysis import analyse_registry
from core.domain.registry import Status
from core.domain.registry_csv import read_registry_csv
from core.storage.defaults import (
    default_complexity_rules,
    load_aliases,
    load_default_settings,
)


@pytest.fixture(scope="module", params=[300, 2_000], ids=lambda rows: f"{rows}-rows")
def generated(request):
    text, planted = generate_registry(request.param, seed=11)
    report = read_registry_csv(text.encode("utf-8"))
    analysis = analyse_registry(report.accepted, load_default_settings(), aliases=load_aliases(),
                                rules=default_complexity_rules())
    return request.param, text, planted, report, analysis


def test_the_file_validates_with_zero_errors_and_unique_ids(generated):
    rows, _, _, report, _ = generated

    assert report.errors == []
    assert report.rows_read == len(report.accepted) == rows
    assert len({i.id for i in report.accepted}) == rows
    assert report.unknown_columns == ["Jira epic"]


def test_every_planted_cluster_is_found_by_the_analysis(generated):
    _, _, planted, _, analysis = generated
    home = {member: cluster.id for cluster in analysis.clusters for member in cluster.members}

    found = [{home.get(member) for member in members} for members in planted]

    assert all(len(ids) == 1 and None not in ids for ids in found), "a planted cluster was split or missed"
    assert len({ids.pop() for ids in found}) == len(planted), "two planted clusters were merged into one"


def test_planted_clusters_are_exactly_the_analysis_clusters_and_nothing_else_is_strong(generated):
    # The ground truth is exact: no background row joins a planted cluster, and the only same-route
    # shared-object pairs are inside planted clusters.
    _, _, planted, _, analysis = generated
    clusters = {frozenset(c.members) for c in analysis.clusters}
    planted_members = {member for members in planted for member in members}
    same_cluster = {(a, b) for members in planted for a in members for b in members}

    assert all(frozenset(members) in clusters for members in planted)
    assert all((p.a, p.b) in same_cluster for p in analysis.pairs if p.is_strong)
    assert planted_members <= {m for c in analysis.clusters for m in c.members}


def test_planted_clusters_are_realistic_duplicates(generated):
    _, _, planted, report, analysis = generated
    by_id = {i.id: i for i in report.accepted}
    members = [[by_id[m] for m in ids] for ids in planted]
    spellings = {i.source_system for ms in members for i in ms} | {i.target_system for ms in members for i in ms}

    assert len(planted) >= 5 and all(2 <= len(ms) <= 6 for ms in members)
    assert all(i.status is not Status.RETIRED for ms in members for i in ms)
    assert spellings & {"SFDC", "Salesforce.com", "SF CRM", "Salesforce Sales Cloud", "Oracle NetSuite", "QBO",
                        "QuickBooks Online", "D365", "Dynamics", "GSheets", "HubSpot CRM", "Google BigQuery"}
    # Somewhere a bidirectional member is written the other way round from its cluster.
    assert any(
        i.is_bidirectional and p.reversed_direction
        for p in analysis.pairs if p.is_strong for i in (by_id[p.a], by_id[p.b])
    )
    assert any(not i.is_owned for i in report.accepted) and any(i.status is Status.PROPOSED for i in report.accepted)


def test_same_seed_same_bytes_and_another_seed_another_file():
    first, planted = generate_registry(400, seed=3)

    assert generate_registry(400, seed=3) == (first, planted)
    assert generate_registry(400, seed=4)[0] != first


def test_costs_are_ranges_and_some_facts_are_unknown():
    text, _ = generate_registry(500, seed=2)
    rows = list(csv.DictReader(io.StringIO(text)))

    assert any("-" in r["build_hours"] for r in rows) and any("/" in r["monthly_maintenance_hours"] for r in rows)
    assert any(r["hourly_rate"].startswith("$") and "-" in r["hourly_rate"] for r in rows)
    assert any(r["build_hours"] == "" for r in rows) and any(r["owner"] == "" for r in rows)


def test_the_command_writes_the_registry_and_its_ground_truth_beside_it(tmp_path, capsys):
    out = tmp_path / "big" / "registry.csv"

    assert main(["--rows", "120", "--seed", "5", "--out", str(out)]) == 0

    truth = planted_path_for(out)
    assert truth == tmp_path / "big" / "registry_planted_clusters.csv"
    text, planted = generate_registry(120, seed=5)
    assert out.read_text(encoding="utf-8") == text
    assert truth.read_text(encoding="utf-8").splitlines()[0] == "cluster,member_ids"
    assert read_planted_clusters(truth) == [set(ids) for ids in planted]
    assert "120 integrations" in capsys.readouterr().out


def test_too_few_rows_is_refused():
    with pytest.raises(ValueError, match="at least 10"):
        generate_registry(5, seed=1)
