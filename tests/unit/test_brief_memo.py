"""The brief ownership memo: at most two pages, core's numbers, the recommendation's words, the people involved."""

from __future__ import annotations

import re

import pytest

from core.domain.analysis import analyse_registry
from core.domain.complexity import category_factors
from core.domain.ranges import Range
from core.domain.registry import Integration
from core.domain.registry_csv import read_registry_csv
from core.reports.brief_memo import brief_memo, render_brief_markdown
from core.reports.brief_memo_pdf import render_brief_pdf
from core.services.exports import brief_memo_document
from core.storage.defaults import (
    SAMPLE_REGISTRY,
    default_complexity_rules,
    load_aliases,
    load_default_settings,
    load_rubric,
)
from core.storage.registry_store import registry_version
from core.storage.settings_store import load_saved_rubric
from core.wording import format_hours_range, format_money_range, verdict_banner
from tests.unit.test_memo import analysis_of, seed_session
from tests.unit.test_snapshot_pdf import pdf_pages

RUBRIC = load_rubric()


@pytest.fixture(scope="module")
def sample():
    return analyse_registry(read_registry_csv(SAMPLE_REGISTRY.read_bytes()).accepted, load_default_settings(),
                            aliases=load_aliases(), rules=default_complexity_rules())


def flat(data: bytes) -> tuple[int, str]:
    pages = pdf_pages(data)
    return len(pages), " ".join(" ".join(pages).split())


@pytest.mark.parametrize("subject", [{"cluster_id": "CL-INT-015"}, {"cluster_id": "CL-INT-004"},
                                     {"integration_id": "INT-027"}, {"integration_id": "INT-001"}],
                         ids=lambda s: next(iter(s.values())))
def test_the_ownership_memo_is_at_most_two_pages_with_every_section(sample, subject):
    count, text = flat(render_brief_pdf(brief_memo(sample, RUBRIC, registry_version=3, **subject)))

    assert 1 <= count <= 2
    for heading in ("What it is and what it overlaps", "Complexity, in words", "Recommendation", "Owner and RACI",
                    "Costs in money and hours", "Next steps", "Sign-off"):
        assert heading in text


def test_the_cluster_memo_prints_core_numbers_and_the_recommendations_own_words(sample):
    memo = brief_memo(sample, RUBRIC, cluster_id="CL-INT-015", registry_version=3)
    _, text = flat(render_brief_pdf(memo))

    cluster = sample.cluster("CL-INT-015")
    recommendation = sample.recommendation("CL-INT-015")
    rows = {r.id: r for r in sample.costs.rows}
    assert verdict_banner(recommendation.verdict) in text
    assert " ".join(recommendation.reasons[0].split()) in text
    duplicated_hours = sum((rows[m].monthly_hours for m in cluster.members if m != cluster.survivor), Range.zero())
    assert format_money_range(cluster.duplicated_monthly_run_rate, "$", "/ month") in text
    assert format_hours_range(duplicated_hours, "/ month") in text
    total_hours = sum((rows[m].monthly_hours for m in cluster.members), Range.zero())
    assert format_hours_range(total_hours, "/ month") in text
    # Who signs: the owners of the members, as the registry names them; no fixed roles.
    for name in ("Marcus Chen", "Rafael Ortega", "Owen Gallagher"):
        assert name in text
    assert "Team lead, Customer Success (no owner named for INT-027)" in text
    assert "RevOps" not in text and "Product owner" not in text
    assert "INT-027: retire" in text


def test_the_memo_lists_the_complexity_factors_and_what_was_estimated_from_the_category(sample):
    memo = brief_memo(sample, RUBRIC, integration_id="INT-027", registry_version=3)
    _, text = flat(render_brief_pdf(memo))

    reasons = category_factors(sample.integration("INT-027"), sample.rules)
    assert reasons.estimated  # INT-027 gives no hours of its own
    assert f"INT-027 is {reasons.category.value}" in text
    assert "writes into a system of record (Stripe): +2" in text
    assert "Estimated from the category, not typed" in text


def test_a_session_decision_names_the_owner_raci_and_the_people_who_sign(engine):
    seed_session(engine)
    analysis = analysis_of(engine)

    data = brief_memo_document(analysis, rubric=load_saved_rubric(engine), registry_version=registry_version(engine),
                               integration_id="INT-019", engine=engine)
    _, text = flat(data)

    assert "Accountable Zoë Müller" in text and "Responsible José Álvarez" in text
    assert re.search(r"Agreed in session \d+ “Billing sync duplicates — Q3 review”", text)
    assert "Migrate INT-019 and INT-027 onto INT-015 (Zoë Müller by 30 June 2026)" in text
    signing = text[text.index("Sign-off"):]
    assert "Zoë Müller Accountable" in signing and "José Álvarez Responsible" in signing
    assert "Priya Nair" not in signing  # informed people do not sign


def test_a_cluster_of_forty_integrations_still_fits_two_pages():
    rows = [Integration(id=f"INT-{n:03d}", name=f"Invoice sync copy {n} for the regional finance team",
                        source_system="Stripe", target_system="NetSuite", data_objects=("Invoice",),
                        owner_team=f"Team {n % 12}", owner=f"Person {n}" if n % 3 else None,
                        monthly_maintenance_hours=Range.between(2, 5)) for n in range(1, 41)]
    analysis = analyse_registry(rows, load_default_settings(), aliases=load_aliases(),
                                rules=default_complexity_rules())
    [cluster] = analysis.clusters

    count, text = flat(render_brief_pdf(brief_memo(analysis, RUBRIC, cluster_id=cluster.id)))

    assert count <= 2
    assert "and 32 more integrations" in text


def test_the_markdown_has_the_same_sections_with_user_text_escaped(sample):
    text = render_brief_markdown(brief_memo(sample, RUBRIC, cluster_id="CL-INT-004", registry_version=3))

    assert text.startswith("# Ownership memo: Cluster CL-INT-004 · Stripe → NetSuite")
    assert "## Recommendation: Merge" in text
    assert "\\$" in text  # money escaped: a $ would start LaTeX in Streamlit and some wikis
