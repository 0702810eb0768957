"""The one-page TCO snapshot: one page whatever the registry's size, core's figures, Unicode intact, renders."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from core.domain.analysis import analyse_registry
from core.domain.ranges import Range, total
from core.domain.registry import Integration
from core.domain.registry_csv import read_registry_csv
from core.domain.settings import Settings
from core.domain.tco import compare_scenarios
from core.domain.tco_simulation import simulate_portfolio
from core.reports.pdf_layout import shorten, text_width
from core.reports.snapshot_pdf import build_snapshot_pdf, snapshot_figures
from core.reports.tco_figures import capacity_share, top_waste_clusters
from core.storage.defaults import (
    SAMPLE_REGISTRY,
    default_complexity_rules,
    load_aliases,
    load_default_settings,
    load_rubric,
)
from core.wording import format_fte, format_money, format_money_range

GENERATED_AT = datetime(2026, 5, 4, 10, 22, tzinfo=UTC)
MM_PER_POINT = 25.4 / 72

# --- Helpers shared with test_memo.py and test_pdf_cli.py ---------------------------------------------

_SYSTEMS = ("Salesforce", "HubSpot", "Stripe", "NetSuite", "Snowflake", "Zendesk", "Marketo", "Gainsight",
            "Chargebee", "QuickBooks", "Workday", "Jira", "Intercom", "Segment", "Amplitude", "Outreach", "Gong",
            "Pendo", "Looker", "Xero", "Okta", "Slack", "Asana", "Braze", "Mixpanel", "Airtable", "Coupa",
            "Avalara", "Anaplan", "Greenhouse", "Freshdesk", "Shopify", "Magento", "Klaviyo", "Tableau",
            "Databricks", "BigQuery", "Redshift", "Pipedrive", "Dynamics", "SAP", "Oracle", "Zuora", "Recurly",
            "Adyen", "Brex", "Ramp", "Gusto", "Rippling", "Notion")
_OBJECTS = ("Account", "Invoice")
_OWNERS = ("Zoë Müller", "José Álvarez", "Siobhán O'Neill", "Björn Andersson", None)
_TEAMS = ("Finance", "Sales Ops", "Data Engineering", "Customer Success", "Marketing Ops", "Product Analytics")


def generated_registry(pairs: int = 2500) -> list[Integration]:
    """``2 × pairs`` integrations in ``pairs`` clusters of two: each pair moves one object on its own route.

    Deterministic (no randomness) and fast: 5,000 rows are built in about 50 ms.
    """
    routes = [(s, t, o) for o in _OBJECTS for s in _SYSTEMS for t in _SYSTEMS if s != t]
    assert pairs <= len(routes), "every pair needs a route of its own"
    rows = []
    for k in range(pairs):
        source, target, obj = routes[k]
        for copy in range(2):
            number = 2 * k + copy + 1
            rows.append(Integration(
                id=f"GEN-{number:05d}",
                name=f"{obj} sync from {source} to {target} for the regional operations team {k % 97}"
                     + (" (copy)" if copy else ""),
                source_system=source, target_system=target, data_objects=(obj,),
                owner_team=_TEAMS[(k + copy) % len(_TEAMS)], owner=_OWNERS[(k + copy) % len(_OWNERS)],
                monthly_maintenance_hours=Range.between(2 + k % 7, 10 + k % 11),
                monthly_tool_cost=Range.exact(50 * (k % 13)),
            ))
    return rows


def pdf_pages(data: bytes) -> list[str]:
    """The text of each page, as a PDF reader extracts it."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def pdftoppm_or_skip() -> str:
    """The pdftoppm program; skip without it, except in CI (REQUIRE_BROWSER set), where that is a failure."""
    path = shutil.which("pdftoppm")
    if path:
        return path
    if os.environ.get("REQUIRE_BROWSER"):
        pytest.fail("pdftoppm (poppler-utils) is required when REQUIRE_BROWSER is set")
    pytest.skip("pdftoppm not installed (apt-get install poppler-utils) to render PDF pages")


def render_first_page(data: bytes, tmp_path: Path, dpi: int = 60) -> Path:
    """Page 1 as a PNG rendered by poppler, the way a PDF viewer would draw it."""
    program = pdftoppm_or_skip()
    pdf = tmp_path / "document.pdf"
    pdf.write_bytes(data)
    subprocess.run([program, "-png", "-r", str(dpi), "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True, capture_output=True, timeout=60)
    pngs = sorted(tmp_path.glob("page*.png"))
    assert len(pngs) == 1
    return pngs[0]


# --- Fixtures --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample():
    return analyse_registry(read_registry_csv(SAMPLE_REGISTRY.read_bytes()).accepted, load_default_settings(),
                            aliases=load_aliases(), rules=default_complexity_rules())


@pytest.fixture(scope="module")
def sample_simulation(sample):
    return simulate_portfolio(sample.integrations, sample.clusters, sample.settings, sample.rules, draws=2000, seed=0)


@pytest.fixture(scope="module")
def big():
    return analyse_registry(generated_registry(2500), Settings(currency="€"), aliases=load_aliases(),
                            rules=default_complexity_rules())


# --- Tests -----------------------------------------------------------------------------------------


def test_sample_snapshot_is_exactly_one_page_with_title_name_date_and_assumptions(sample, sample_simulation):
    data = build_snapshot_pdf(sample, registry_name="Acme GmbH", registry_version=7, simulation=sample_simulation,
                              generated_at=GENERATED_AT, rubric=load_rubric())

    pages = pdf_pages(data)
    text = pages[0]
    assert data.startswith(b"%PDF-")
    assert len(pages) == 1
    assert "What our integrations cost" in text
    assert "Acme GmbH · 4 May 2026 · registry version 7" in text
    assert "12 months" in text
    assert format_money_range(sample.settings.hourly_rate, "$", "/ hour") in text
    assert "Generated 2026-05-04 10:22 UTC from registry version 7" in text
    assert "Page 1 of 1" in text


def test_headline_figures_are_the_ones_core_computed(sample, sample_simulation):
    text = pdf_pages(build_snapshot_pdf(sample, registry_name="Acme", registry_version=7,
                                        simulation=sample_simulation, rubric=load_rubric()))[0]

    costs = sample.costs
    flat = " ".join(text.split())
    assert f"COUNTED {len(sample.integrations)} integrations" in flat
    for label, value, hours, people in (
        ("PORTFOLIO RUN-RATE", costs.monthly_run_rate, costs.monthly_hours,
         format_fte(costs.monthly_hours.likely, 140)),
        ("SPENT ON DUPLICATES", costs.duplicated_monthly_run_rate, costs.duplicated_monthly_hours,
         format_fte(costs.duplicated_monthly_hours.likely, 140)),
        ("ANNUALISED WASTE", costs.annualised_waste, costs.annualised_waste_hours,
         format_fte(costs.annualised_waste_hours.likely / 12, 140) + " all year"),
        ("BUILD COST", costs.build_cost, costs.build_hours,
         format_fte(costs.build_hours.likely, 140).replace("FTE", "FTE-months")),
        ("TCO OVER 12 MONTHS", costs.tco, costs.tco_hours,
         format_fte(costs.tco_hours.likely, 140).replace("FTE", "FTE-months")),
        ("FORWARD COST, NEXT 12 MONTHS", costs.forward_cost, costs.forward_hours,
         format_fte(costs.forward_hours.likely, 140).replace("FTE", "FTE-months")),
    ):
        card = re.search(re.escape(label) + r" (\S+) .*? Range (\S+) – (\S+) Hours ([\d,.]+) h .*?People (.+? FTE\S*)",
                         flat)
        assert card, label
        likely, low, high, likely_hours, printed_people = card.groups()
        assert (likely, low, high) == (format_money(value.likely), format_money(value.low), format_money(value.high))
        assert float(likely_hours.replace(",", "")) == pytest.approx(hours.likely, abs=0.5)
        assert people.startswith(printed_people.split(" all")[0])
    # One band on every card; the simulated percentiles only in the footnote, once each.
    assert "P50" not in text and flat.count("P10 – P90") == 1
    sim = sample_simulation
    for percentiles in (sim.monthly_run_rate, sim.duplicated_monthly_run_rate, sim.annualised_waste, sim.build_cost,
                        sim.tco, sim.forward_cost):
        assert f"{format_money(percentiles.p10)} – {format_money(percentiles.p90)}" in flat


def test_the_share_of_capacity_spent_on_duplicates_is_drawn_beside_the_guideline_only_when_capacity_is_set(sample):
    without = pdf_pages(build_snapshot_pdf(sample, registry_name="Acme", registry_version=7, rubric=load_rubric()))[0]
    team = analyse_registry(sample.integrations, replace(sample.settings, team_capacity_hours=1000),
                            aliases=load_aliases(), rules=default_complexity_rules())

    text = " ".join(pdf_pages(build_snapshot_pdf(team, registry_name="Acme", registry_version=7,
                                                 rubric=load_rubric()))[0].split())

    share = team.costs.duplicated_monthly_hours.likely / 1000
    assert "engineering capacity" not in without
    assert f"{share * 100:.0f}% of the team's engineering capacity (1,000 h a month, 7.1 FTE)" in text
    assert "Guideline: keep it under 20% (guidance, not a rule)" in text


def test_the_capacity_sentence_is_printed_whole_with_its_range(sample):
    team = analyse_registry(sample.integrations, replace(sample.settings, team_capacity_hours=280),
                            aliases=load_aliases(), rules=default_complexity_rules())

    text = " ".join(pdf_pages(build_snapshot_pdf(team, registry_name="Acme", registry_version=7,
                                                 rubric=load_rubric()))[0].split())

    share = capacity_share(team.costs, 280, 0.2)
    assert share.sentence(team.settings.hours_per_fte) in text  # not cut to "… (range…"


def test_top_clusters_show_the_dashboards_verdicts_and_the_recommendations_are_priced_by_core(sample):
    text = pdf_pages(build_snapshot_pdf(sample, registry_name="Acme", registry_version=7, rubric=load_rubric()))[0]

    for row in top_waste_clusters(sample, len(sample.clusters)):
        line = next(line for line in text.splitlines() if line.startswith(row.cluster_id))
        assert f"keeps {row.survivor}" in line
        assert format_money(row.duplicated_monthly_run_rate.likely, "$") in text
    merge = compare_scenarios(sample.cluster("CL-INT-004"), sample.by_id, sample.settings, sample.rules)
    saving = merge.keep_all.monthly_run_rate - merge.merge.monthly_run_rate
    flat = " ".join(text.split())
    assert (f"Stripe → NetSuite · Merge: keep INT-004 and merge INT-031 into it. Merging saves "
            f"{format_money_range(saving, '$', '/ month')} and pays back in month {merge.break_even_month_merge}"
            ) in flat
    # Verdicts are the clusters' recommendations: no cluster is "retired" as a whole; its copy is.
    assert "CENTRALIZE" in text and "MERGE" in text and "RETIRE" not in text
    assert "retire INT-027" in flat


def test_a_5000_integration_registry_still_fits_one_page_with_the_rest_summed(big):
    assert len(big.integrations) == 5000 and len(big.clusters) == 2500

    data = build_snapshot_pdf(big, registry_name="Generated", registry_version=12, generated_at=GENERATED_AT,
                              rubric=load_rubric())

    pages = pdf_pages(data)
    assert len(pages) == 1
    more = re.search(r"\+ ([\d,]+) more clusters: (€[\d,]+) – (€[\d,]+) / month \(likely (€[\d,]+)\)", pages[0])
    assert more, pages[0]
    hidden = int(more.group(1).replace(",", ""))
    ranked = sorted(big.clusters, key=lambda c: (-c.duplicated_monthly_run_rate.likely, c.id))
    rest = total(c.duplicated_monthly_run_rate for c in ranked[len(ranked) - hidden:])
    assert 0 < len(ranked) - hidden <= 12
    assert more.groups()[1:] == (format_money(rest.low, "€"), format_money(rest.high, "€"),
                                 format_money(rest.likely, "€"))
    assert f"{format_money(big.costs.annualised_waste.likely, '€')}\nper year" in pages[0]


@pytest.mark.parametrize("page_size", ["A4", "Letter"])
def test_5000_integrations_with_the_capacity_share_and_a_long_name_still_fit_one_page(big, page_size):
    team = analyse_registry(big.integrations, replace(big.settings, team_capacity_hours=4000),
                            aliases=load_aliases(), rules=default_complexity_rules())
    simulation = simulate_portfolio(team.integrations, team.clusters, team.settings, team.rules, draws=200)

    pages = pdf_pages(build_snapshot_pdf(team, registry_name="Zoë Müller Finanz- und Revenue-Operations GmbH & Co. KG",
                                         registry_version=12, page_size=page_size, simulation=simulation,
                                         rubric=load_rubric()))

    assert len(pages) == 1
    assert "Guideline: keep it under 20% (guidance, not a rule)" in pages[0]
    assert "P10 – P90" in pages[0]


def test_letter_paper_is_one_page_of_us_letter_size(big):
    data = build_snapshot_pdf(big, registry_name="Generated", registry_version=12, page_size="Letter",
                              rubric=load_rubric())

    reader = PdfReader(io.BytesIO(data))
    box = reader.pages[0].mediabox
    assert len(reader.pages) == 1
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


def test_unicode_names_and_the_euro_sign_come_back_intact(sample):
    euro = analyse_registry(sample.integrations, Settings(currency="€"), aliases=load_aliases(),
                            rules=default_complexity_rules())

    text = pdf_pages(build_snapshot_pdf(euro, registry_name="Zoë Müller — Finanz-Register", registry_version=3,
                                        rubric=load_rubric()))[0]

    assert "Zoë Müller — Finanz-Register" in text
    assert f"{format_money(euro.costs.monthly_run_rate.likely, '€')}\nper month" in text
    assert "$" not in text
    assert "Salesforce → Stripe" in text and "Gainsight ↔ Chargebee" in text


def test_long_names_are_shortened_and_nothing_is_printed_outside_the_margins(tmp_path):
    long = "Extraordinarily Long Enterprise Resource Planning System Name Used By Regional Subsidiaries"
    rows = [Integration(id=f"INT-{i}", name="x" * 300, source_system=long + str(i % 3), target_system=long + "Target",
                        data_objects=("Quarterly Consolidated Revenue Recognition Schedule",),
                        owner_team=f"Team {i} " + "Very Long Department Name " * 4, owner="Zoë Müller",
                        monthly_maintenance_hours=Range.exact(10 + i))
            for i in range(6)]
    analysis = analyse_registry(rows, Settings(), aliases=load_aliases(), rules=default_complexity_rules())
    data = build_snapshot_pdf(analysis, registry_name="Registry " + "with an absurdly long company name " * 6,
                              registry_version="a-file-name-that-goes-on-and-on-and-on-and-on-and-on.csv #12345678",
                              rubric=load_rubric())

    text = pdf_pages(data)[0]
    assert len(pdf_pages(data)) == 1
    assert "…" in text
    png = render_first_page(data, tmp_path, dpi=50)
    from PIL import Image

    image = Image.open(png).convert("L")
    width, height = image.size
    margin_px = int(14 / 25.4 * 50) - 2  # the page's 14 mm side margins, less antialiasing
    for box in ((0, 0, margin_px, height), (width - margin_px, 0, width, height)):
        assert image.crop(box).getextrema()[0] >= 250, f"ink in the margin {box}"


def test_an_empty_registry_and_one_without_clusters_still_print_one_calm_page(sample):
    lonely = [i for i in sample.integrations if i.id not in sample.cluster_by_member][:3]

    for analysis in (analyse_registry([], Settings(), aliases=load_aliases(), rules=default_complexity_rules()),
                     analyse_registry(lonely, Settings(), aliases=load_aliases(), rules=default_complexity_rules())):
        pages = pdf_pages(build_snapshot_pdf(analysis, registry_name="Acme", registry_version=1, rubric=load_rubric()))
        assert len(pages) == 1
        assert "No integrations duplicate one another" in pages[0]


def test_page_one_renders_to_a_png(sample, tmp_path):
    png = render_first_page(build_snapshot_pdf(sample, registry_name="Acme", registry_version=7, rubric=load_rubric()),
                            tmp_path)

    assert png.stat().st_size > 5000
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_snapshot_figures_sum_everything_beyond_the_limit(big):
    figures = snapshot_figures(big, limit=5, rubric=load_rubric())

    assert len(figures.clusters) == 5 and figures.rest_count == 2495
    shown = total(c.duplicated for c in figures.clusters)
    assert (shown + figures.rest_duplicated).likely == pytest.approx(
        total(c.duplicated_monthly_run_rate for c in big.clusters).likely)


def test_shorten_uses_real_widths_and_never_exceeds_the_box():
    assert shorten("Zoë Müller", 50) == "Zoë Müller"
    for text in ("W" * 80, "i" * 80, "Salesforce → Stripe " * 10):
        for width in (5, 12.5, 40):
            cut = shorten(text, width, size=9)
            assert text_width(cut, 9) <= width
            assert cut.endswith("…")
    assert len(shorten("i" * 80, 20)) > len(shorten("W" * 80, 20))


def test_unknown_page_size_is_refused(sample):
    with pytest.raises(ValueError, match="A4, Letter"):
        build_snapshot_pdf(sample, registry_name="Acme", registry_version=1, page_size="A5", rubric=load_rubric())
