"""The method's calibration table (docs/method.md, Part 3b): each canonical situation gets the verdicts it defends."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from core.domain.analysis import analyse_registry, score_registry_integration
from core.domain.ranges import Range
from core.domain.registry import Integration, Status, Tier
from core.domain.settings import Settings
from core.storage.defaults import default_complexity_rules, load_aliases, load_rubric
from tests.conftest import PROJECT_DIR

RUBRIC = load_rubric()
METHOD = PROJECT_DIR / "docs" / "method.md"


def row(id_: str, **changes) -> Integration:
    """A live, owned, fully controlled Salesforce → Stripe sync with a few hours of upkeep a month."""
    values = dict(id=id_, name=f"Opportunities to Stripe ({id_})", source_system="Salesforce",
                  target_system="Stripe", data_objects=("Opportunity",), owner_team="Sales Ops", owner="Ana Silva",
                  tier=Tier.OPERATIONAL, has_monitoring=True, has_retry=True, has_audit_trail=True,
                  source_of_truth_defined=True, documented=True, monthly_maintenance_hours=Range.between(6, 10),
                  build_hours=Range.between(60, 120))
    return Integration(**(values | changes))


def two_team_duplicate() -> list[Integration]:
    return [row("INT-1"), row("INT-2", owner_team="Finance", owner="Bo Berg", has_retry=False, has_audit_trail=False,
                              documented=False)]


def three_teams_on_one_route() -> list[Integration]:
    heavy = {"monthly_maintenance_hours": Range.between(25, 35)}
    return [row("INT-1", **heavy), row("INT-2", owner_team="Finance", owner="Bo Berg", **heavy),
            row("INT-3", owner_team="Customer Success", owner="Cy Diaz", **heavy)]


def pause_before_build() -> list[Integration]:
    return [row("INT-1"), row("INT-9", owner_team="Marketing Ops", owner="Dee Evans", status=Status.PROPOSED,
                              has_retry=None, has_audit_trail=None, documented=None)]


def an_unowned_copy() -> list[Integration]:
    return [row("INT-1"), row("INT-2", owner_team="Customer Success", owner=None, has_monitoring=None)]


def a_unique_critical_flow() -> list[Integration]:
    return [row("INT-1", tier=Tier.REVENUE_CRITICAL)]


def a_proposal_against_a_proposal() -> list[Integration]:
    return [row("INT-8", status=Status.PROPOSED), row("INT-9", owner_team="Finance", owner="Bo Berg",
                                                       status=Status.PROPOSED)]


def consumer_only_overlap() -> list[Integration]:
    return [row("INT-1", consumers=("Revenue dashboard",)),
            row("INT-2", source_system="HubSpot", target_system="Snowflake", data_objects=("Contact",),
                owner_team="Marketing Ops", owner="Dee Evans", consumers=("Revenue dashboard",))]


# situation (as the table in docs/method.md names it) -> registry, each member's verdict, the cluster's verdict
CASES: dict[str, tuple[Callable[[], list[Integration]], dict[str, str], str | None]] = {
    "the two-team duplicate": (two_team_duplicate, {"INT-1": "proceed", "INT-2": "merge"}, "merge"),
    "three teams on one route": (three_teams_on_one_route,
                                 {"INT-1": "proceed", "INT-2": "centralize", "INT-3": "centralize"}, "centralize"),
    "pause before build": (pause_before_build, {"INT-1": "proceed", "INT-9": "merge"}, "merge"),
    "an unowned copy": (an_unowned_copy, {"INT-1": "proceed", "INT-2": "retire"}, "merge"),
    "a unique critical flow": (a_unique_critical_flow, {"INT-1": "proceed"}, None),
    "a proposal against a proposal": (a_proposal_against_a_proposal, {"INT-8": "hold", "INT-9": "hold"}, "hold"),
    "consumer-only overlap": (consumer_only_overlap, {"INT-1": "proceed", "INT-2": "proceed"}, None),
}


def method_table() -> dict[str, str]:
    """The calibration table as docs/method.md prints it: situation -> the verdicts the method defends."""
    text = METHOD.read_text(encoding="utf-8")
    table = text[text.index('<a id="calibration"></a>'):]
    rows = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] not in ("situation", "---"):
            rows[cells[0]] = cells[2]
    return rows


def test_the_method_documents_every_situation_the_test_checks_and_no_other():
    assert list(method_table()) == list(CASES)


@pytest.mark.parametrize("situation", list(CASES))
def test_each_canonical_situation_gets_the_verdicts_the_method_defends(situation):
    build, expected, cluster_verdict = CASES[situation]
    analysis = analyse_registry(build(), Settings(), aliases=load_aliases(), rules=default_complexity_rules())

    verdicts = {i: score_registry_integration(analysis, i, RUBRIC).verdict.value for i in expected}

    assert verdicts == expected
    clusters = [analysis.recommendation(c.id) for c in analysis.clusters]
    assert [c.verdict.value for c in clusters] == ([cluster_verdict] if cluster_verdict else [])
    for cluster in clusters:  # the rubric and the recommendation agree member by member
        assert {m.integration_id: m.verdict.value for m in cluster.members} == expected
    documented = method_table()[situation]
    assert re.findall(r"\*\*(\w+)\*\*", documented) and all(
        word in {"proceed", "hold", "merge", "centralize", "retire"} for word in re.findall(r"\*\*(\w+)\*\*",
                                                                                             documented))
    assert set(re.findall(r"\*\*(\w+)\*\*", documented)) == set(expected.values()) | (
        {cluster_verdict} if cluster_verdict else set())


def test_a_reason_only_names_a_running_integration_to_extend_or_keep():
    for build, _, _ in CASES.values():
        analysis = analyse_registry(build(), Settings(), aliases=load_aliases(), rules=default_complexity_rules())
        for integration in analysis.integrations:
            result = score_registry_integration(analysis, integration.id, RUBRIC)
            for named in re.findall(r"(?:extend|keep|keeps) (INT-\d+)", " ".join(result.reasons)):
                assert analysis.integration(named).status in (Status.LIVE, Status.BUILDING, Status.DEPRECATED), (
                    integration.id, result.reasons)
