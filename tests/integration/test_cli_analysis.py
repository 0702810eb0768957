"""igov overlap / tco / score / check: JSON shapes, exit codes, and the CI gate."""

from __future__ import annotations

import json

import pytest

from core.cli import EXIT_BLOCKED, main
from tests.conftest import DATA_DIR

SAMPLE = str(DATA_DIR / "sample_registry.csv")
RANGE_KEYS = {"low", "likely", "high"}


def run_json(capsys, *argv):
    code = main([*argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_overlap_json_has_clusters_with_members_survivor_and_duplicated_range(capsys):
    code, payload = run_json(capsys, "overlap", "--csv", SAMPLE)

    assert code == 0
    crm = next(c for c in payload["clusters"] if c["id"] == "CL-INT-015")
    assert set(crm["members"]) == {"INT-015", "INT-019", "INT-027", "INT-063"}
    assert crm["survivor"] == "INT-015"
    assert set(crm["duplicated_monthly_run_rate"]) == RANGE_KEYS
    assert any("from Salesforce to Stripe" in sentence for sentence in crm["evidence"])
    assert ({"kind": "system", "name": "Zendesk Support", "similar_to": "Zendesk"}.items()
            <= payload["suggestions"][0].items())


def test_overlap_json_adds_each_clusters_recommendation_and_its_priced_scenarios(capsys):
    code, payload = run_json(capsys, "overlap", "--csv", SAMPLE)

    assert code == 0
    for cluster in payload["clusters"]:
        recommendation = cluster["recommendation"]
        assert set(recommendation) == {"verdict", "scenario", "reasons"}
        assert recommendation["reasons"][0].lower().startswith(recommendation["verdict"])
        assert [s["name"] for s in cluster["scenarios"]] == ["keep_all", "merge", "centralise"]
        for scenario in cluster["scenarios"]:
            assert set(scenario["horizon_cost"]) == set(scenario["monthly_saving"]) == RANGE_KEYS
        chosen = next(s for s in cluster["scenarios"] if s["name"] == recommendation["scenario"])
        cheapest = min(cluster["scenarios"], key=lambda s: s["horizon_cost"]["likely"])
        assert chosen is cheapest or any("more than" in reason for reason in recommendation["reasons"])
    crm = next(c for c in payload["clusters"] if c["id"] == "CL-INT-015")
    assert (crm["recommendation"]["verdict"], crm["recommendation"]["scenario"]) == ("centralize", "centralise")
    assert {m["id"]: m["verdict"] for m in crm["members_recommended"]} == {
        "INT-015": "proceed", "INT-019": "centralize", "INT-027": "retire", "INT-063": "merge"}
    assert any("INT-015" in sentence and "INT-019" in sentence for sentence in crm["evidence"])


def test_tco_json_has_portfolio_ranges_and_rows(capsys):
    code, payload = run_json(capsys, "tco", "--csv", SAMPLE, "--horizon", "6")

    assert code == 0
    assert payload["horizon_months"] == 6
    for key in ("build_cost", "monthly_run_rate", "tco", "duplicated_monthly_run_rate"):
        assert set(payload[key]) == RANGE_KEYS
        assert payload[key]["low"] <= payload[key]["likely"] <= payload[key]["high"]
    assert payload["tco"]["likely"] == pytest.approx(
        payload["build_cost"]["likely"] + 6 * payload["monthly_run_rate"]["likely"])
    assert len(payload["integrations"]) == 66  # the retired row costs nothing and is left out


def test_tco_text_counts_the_integrations_it_prices_and_says_the_retired_one_is_left_out(capsys):
    code = main(["tco", "--csv", SAMPLE])

    assert code == 0
    assert capsys.readouterr().out.splitlines()[0] == "Portfolio over 12 months (66 integrations; 1 retired left out):"


def test_tco_json_gives_hours_fte_and_each_integrations_category_with_its_reasons(capsys):
    code, payload = run_json(capsys, "tco", "--csv", SAMPLE)

    assert code == 0
    for key in ("monthly_hours", "duplicated_monthly_hours", "monthly_fte", "duplicated_monthly_fte"):
        assert set(payload[key]) == RANGE_KEYS
        assert payload[key]["low"] <= payload[key]["likely"] <= payload[key]["high"]
    per_fte = payload["hours_per_fte"]
    assert per_fte == 140
    assert payload["duplicated_monthly_fte"]["likely"] == pytest.approx(
        payload["duplicated_monthly_hours"]["likely"] / per_fte, abs=0.001)
    assert payload["duplicated_monthly_hours"]["likely"] < payload["monthly_hours"]["likely"]
    assert payload["team_capacity_hours"] is None and payload["duplicated_share_of_capacity"] is None
    rows = {row["id"]: row for row in payload["integrations"]}
    for row in rows.values():
        assert row["category_factors"], row["id"]  # every category says why
        assert any(row["category"] in reason for reason in row["category_factors"])  # and names the category
    # A quota upload into Salesforce is moderate because Salesforce is a system of record, and says so.
    assert "writes into a system of record (Salesforce): +2" in rows["INT-002"]["category_factors"]
    assert sum(row["monthly_hours"]["likely"] for row in rows.values()) == pytest.approx(
        payload["monthly_hours"]["likely"])


def test_score_json_has_verdict_criteria_reasons_and_sensitivity(capsys):
    code, payload = run_json(capsys, "score", "INT-027", "--csv", SAMPLE)

    assert code == 0
    assert payload["verdict"] == "retire"
    assert {c["name"] for c in payload["criteria"]} >= {"overlap", "ownership", "controls"}
    assert payload["reasons"][0].startswith("Retire")
    assert "stable_within_25_percent" in payload["sensitivity"]


def test_score_with_a_weights_file(tmp_path, capsys):
    weights = tmp_path / "weights.toml"
    weights.write_text((DATA_DIR / "rubric.toml").read_text().replace("overlap = 3.0", "overlap = 0.0"))

    code, payload = run_json(capsys, "score", "INT-027", "--csv", SAMPLE, "--weights", str(weights))

    assert code == 0
    assert next(c for c in payload["criteria"] if c["name"] == "overlap")["weight"] == 0.0


@pytest.mark.parametrize("argv", [
    ["score", "INT-999"], ["memo", "--integration", "INT-999", "--out", "-"],
])
def test_an_unknown_id_is_a_usage_error_in_every_command(capsys, argv):
    code = main([*argv, "--csv", SAMPLE])

    assert code == 2
    assert capsys.readouterr().err.strip() == "igov: No integration with id INT-999 in the registry."


def test_check_exits_3_and_names_the_proposal_what_it_overlaps_and_the_owner(capsys):
    code = main(["check", "--csv", SAMPLE])

    out = capsys.readouterr().out
    assert code == EXIT_BLOCKED == 3
    assert "INT-063 Partner deal sync to Stripe" in out
    assert "INT-015" in out and "owned by Marcus Chen" in out


def test_check_passes_when_no_proposal_overlaps(tmp_path, capsys):
    clean = tmp_path / "clean.csv"
    clean.write_text("id,name,source_system,target_system,data_objects,owner_team,status\n"
                     "INT-1,A,Salesforce,Stripe,Opportunity,Sales Ops,live\n"
                     "INT-2,B,Zendesk,Jira,Ticket,Support,proposed\n", encoding="utf-8")

    code = main(["check", "--csv", str(clean)])

    assert code == 0
    assert capsys.readouterr().out.startswith(
        "OK: none of the 1 proposal (proposed or building) overlaps a live integration")


def _sample_with(tmp_path, change) -> str:
    """The sample registry with INT-063 (the proposal that copies INT-015) changed by ``change``."""
    lines = (DATA_DIR / "sample_registry.csv").read_text(encoding="utf-8").splitlines()
    lines = [change(line) if line.startswith("INT-063,") else line for line in lines]
    path = tmp_path / "registry.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("change", [
    pytest.param(lambda line: line.replace(",proposed,", ",propsed,"), id="a-typo-in-its-status"),
    pytest.param(lambda line: line.replace("INT-063,", "INT-015,", 1), id="an-id-copied-from-the-live-one"),
])
def test_check_refuses_a_registry_whose_duplicating_proposal_is_an_invalid_row(tmp_path, capsys, change):
    path = _sample_with(tmp_path, change)

    code = main(["check", "--csv", path])

    assert code == 1  # not 0: the row left out is the very copy the gate is there to stop
    assert "1 row is invalid, so the check cannot vouch for it" in capsys.readouterr().err


def test_check_refuses_a_registry_emptied_to_its_header(tmp_path, capsys):
    empty = tmp_path / "registry.csv"
    empty.write_text((DATA_DIR / "sample_registry.csv").read_text(encoding="utf-8").splitlines()[0] + "\n",
                     encoding="utf-8")

    assert main(["check", "--csv", str(empty)]) == 1
    assert "has no rows to check" in capsys.readouterr().err


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_check_reads_an_alias_file_saved_by_any_excel_locale(tmp_path, capsys, delimiter):
    registry = tmp_path / "registry.csv"
    registry.write_text("id,name,source_system,target_system,data_objects,owner_team,status\n"
                        "INT-1,Deals,Salesforce,Stripe,Opportunity,Sales Ops,live\n"
                        "NEW-1,Deal sync,SFDC CRM,Stripe Billing,Opportunity,Partners,proposed\n", encoding="utf-8")
    aliases = tmp_path / "aliases.csv"
    aliases.write_text(f"alias{delimiter}canonical\nSFDC CRM{delimiter}Salesforce\nStripe Billing{delimiter}Stripe\n",
                       encoding="utf-8-sig")

    code = main(["check", "--csv", str(registry), "--aliases", str(aliases)])

    assert code == EXIT_BLOCKED, capsys.readouterr()
    assert "NEW-1 Deal sync" in capsys.readouterr().out


def test_analysis_commands_read_the_database_by_default(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    main(["import", SAMPLE, "--db", db])
    capsys.readouterr()

    code = main(["check", "--db", db])

    assert code == 3


ROUND_TRIP = """id,name,source_system,target_system,data_objects,owner_team,owner,status,tier,has_monitoring
INT-1,Sales orders to CRM,SAP S/4HANA,Salesforce,Sales Order; Customer,Sales Ops,Ana,live,revenue-critical,yes
INT-2,Order sync for the new CRM,SAP,Salesforce,Sales Orders; Customers,Commerce,Bo,building,operational,no
"""


def test_an_alias_added_from_the_cli_lets_check_catch_the_copy_it_reveals(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'igov.sqlite3'}"
    registry = tmp_path / "registry.csv"
    registry.write_text(ROUND_TRIP, encoding="utf-8")
    assert main(["--db", db, "import", str(registry)]) == 0
    assert main(["--db", db, "check"]) == 0  # "SAP" is not yet "SAP S/4HANA"
    capsys.readouterr()

    assert main(["--db", db, "alias", "add", "system", "SAP", "SAP S/4HANA"]) == 0
    assert capsys.readouterr().out == "Added: the system 'SAP' now counts as 'SAP S/4HANA'.\n"
    assert main(["--db", db, "alias", "add", "system", "SAP", "SAP S/4HANA"]) == 0
    assert capsys.readouterr().out.startswith("Unchanged:")
    assert main(["--db", db, "alias", "list", "--json"]) == 0
    assert {"alias": "SAP", "canonical": "SAP S/4HANA"} in json.loads(capsys.readouterr().out)["systems"]

    assert main(["--db", db, "check"]) == EXIT_BLOCKED
    out = capsys.readouterr().out
    assert "INT-2 Order sync for the new CRM (being built by Commerce) overlaps:" in out and "INT-1" in out
    # --csv reads the same database's aliases; --aliases FILE brings a CI run's own.
    assert main(["--db", db, "check", "--csv", str(registry)]) == EXIT_BLOCKED
    capsys.readouterr()
    aliases = tmp_path / "aliases.csv"
    aliases.write_text("alias,canonical\nSFDC,Salesforce\n", encoding="utf-8")
    assert main(["--db", db, "check", "--csv", str(registry), "--aliases", str(aliases)]) == 0
    aliases.write_text("alias,canonical\nSAP,SAP S/4HANA\n", encoding="utf-8")
    assert main(["check", "--csv", str(registry), "--aliases", str(aliases)]) == EXIT_BLOCKED
    capsys.readouterr()

    assert main(["--db", db, "alias", "remove", "system", "SAP"]) == 0
    assert main(["--db", db, "check"]) == 0
    assert main(["--db", db, "alias", "remove", "system", "SAP"]) == 1
    assert "No system alias 'SAP' to remove." in capsys.readouterr().err


@pytest.mark.parametrize(("argv", "message"), [
    (["alias", "add", "thing", "A", "B"], "say system or object, not 'thing'"),
    (["alias", "add", "system", "A"], "give the name the alias means"),
    (["alias", "remove", "object"], "give the alias"),
])
def test_alias_usage_errors_exit_two(tmp_path, capsys, argv, message):
    assert main(["--db", f"sqlite:///{tmp_path / 'x.sqlite3'}", *argv]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("option", ["--csv", "--aliases"])
def test_a_missing_file_is_the_same_usage_error_for_every_option(tmp_path, capsys, option):
    argv = ["check", "--csv", SAMPLE, "--aliases", str(DATA_DIR / "system_aliases.csv")]
    argv[argv.index(option) + 1] = str(tmp_path / "missing.csv")

    assert main(argv) == 2
    assert capsys.readouterr().err.strip() == f"igov: File not found: {tmp_path / 'missing.csv'}"
