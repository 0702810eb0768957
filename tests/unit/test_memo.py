"""The decision memo: a stored session's people, decisions and RACI in the PDF, numbered pages, safe Markdown."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from core.domain.analysis import analyse_registry, score_registry_integration
from core.domain.ranges import Range
from core.domain.registry import Integration
from core.domain.diagnostic import Decision, Participant, RaciEntry, Role
from core.domain.registry_csv import read_registry_csv
from core.domain.rubric import Verdict
from core.domain.tco import compare_scenarios
from core.errors import ClusterNotFound, IntegrationNotFound
from core.reports.memo import (
    memo_for_cluster,
    memo_for_integration,
    memo_for_session,
)
from core.reports.memo_markdown import render_memo_markdown
from core.reports.memo_pdf import render_memo_pdf
from core.storage.defaults import (
    SAMPLE_REGISTRY,
    default_complexity_rules,
    load_aliases,
    load_default_settings,
    load_rubric,
)
from core.storage.registry_store import (
    load_integrations,
    registry_version,
    write_integrations,
)
from core.storage.session_store import (
    add_item,
    create_session,
    load_session,
    save_decision,
    set_participants,
)
from core.storage.settings_store import (
    load_alias_tables,
    load_saved_rubric,
    load_settings,
)
from core.storage.survivor_store import load_survivor_choices
from core.wording import escape_markdown, format_money_range
from tests.actors import EDITOR
from tests.unit.test_snapshot_pdf import pdf_pages, render_first_page

GENERATED_AT = datetime(2026, 5, 4, 10, 22, tzinfo=UTC)
PEOPLE = (Participant("Ana Lima", Role.REVOPS), Participant("Zoë Müller", Role.FINANCE),
          Participant("José Álvarez", Role.ENGINEERING), Participant("Priya Nair", Role.PRODUCT_OWNER))


def seed_session(engine, people=PEOPLE) -> int:
    """The sample registry in the database and a session with two decisions, assumptions and a question."""
    write_integrations(engine, read_registry_csv(SAMPLE_REGISTRY.read_bytes()).accepted, "replace", actor=EDITOR)
    session_id = create_session(engine, "Billing sync duplicates — Q3 review", "Ana Lima", actor=EDITOR)
    set_participants(engine, session_id, people, actor=EDITOR)
    add_item(engine, session_id, "assumption", "Finance owns the invoice numbers (€ and $ ledgers).", actor=EDITOR)
    add_item(engine, session_id, "question", "Does Marketing Ops still read the Stripe customer sync?", actor=EDITOR)
    names = [p.name for p in people]
    save_decision(engine, session_id, Decision(
        "cluster", "CL-INT-015", Verdict.CENTRALIZE, "Four teams run copies; Data Engineering takes INT-015.",
        (RaciEntry(names[2], "R"), RaciEntry(names[1], "A"), RaciEntry(names[0], "C"), RaciEntry(names[3], "I")),
        date(2026, 6, 30), "Migrate INT-019 and INT-027 onto INT-015"), actor=EDITOR)
    save_decision(engine, session_id, Decision(
        "integration", "INT-031", Verdict.MERGE, "Invoice lines duplicate the money sync.",
        (RaciEntry(names[2], "A"), RaciEntry(names[1], "C")), date(2026, 7, 15), "Map invoice lines onto Celigo"),
        actor=EDITOR)
    return session_id


def analysis_of(engine):
    return analyse_registry(load_integrations(engine), load_settings(engine), aliases=load_alias_tables(engine),
                            survivor_choices=load_survivor_choices(engine), rules=default_complexity_rules())


@pytest.fixture(scope="module")
def sample():
    return analyse_registry(read_registry_csv(SAMPLE_REGISTRY.read_bytes()).accepted, load_default_settings(),
                            aliases=load_aliases(), rules=default_complexity_rules())


def test_session_memo_holds_people_decisions_raci_and_numbered_pages(engine):
    session_id = seed_session(engine)
    analysis, version = analysis_of(engine), registry_version(engine)
    rubric = load_saved_rubric(engine)

    memo = memo_for_session(analysis, load_session(engine, session_id), rubric, version, generated_at=GENERATED_AT)
    pages = pdf_pages(render_memo_pdf(memo))
    text = "\n".join(pages)

    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert f"Generated 2026-05-04 10:22 UTC from registry version {version}" in page
    assert "Billing sync duplicates — Q3 review" in text
    for person in PEOPLE:
        assert f"{person.name} {person.role.label}" in text
    assert "1. CENTRALIZE CL-INT-015" in text and "2. MERGE INT-031" in text
    assert "Four teams run copies; Data Engineering takes INT-015." in text
    # RACI rows: responsible, then the one Accountable, consulted, informed.
    assert "1. CENTRALIZE CL-INT-015 José Álvarez Zoë Müller Ana Lima Priya Nair" in text
    assert "2. MERGE INT-031 — José Álvarez Zoë Müller —" in text
    assert "Migrate INT-019 and INT-027 onto INT-015 Zoë Müller 30 June 2026" in text
    assert "Finance owns the invoice numbers (€ and $ ledgers)." in text
    assert "Does Marketing Ops still read the Stripe customer sync?" in text
    assert "Signature" in text


def test_session_memo_shows_the_rubric_and_tco_core_computed(engine):
    session_id = seed_session(engine)
    analysis = analysis_of(engine)
    rubric = load_saved_rubric(engine)

    memo = memo_for_session(analysis, load_session(engine, session_id), rubric, registry_version(engine))
    text = "\n".join(pdf_pages(render_memo_pdf(memo)))

    result = score_registry_integration(analysis, "INT-031", rubric)
    assert f"INT-031 Invoice lines to Oracle NetSuite for rev rec: MERGE · score {result.score:.1f} / 5" in text
    for criterion in result.criteria:
        assert f"{criterion.score:.1f} {criterion.weight:g} {criterion.contribution:.2f}" in text
    assert f"Weighted score {sum(c.weight for c in result.criteria):g} {result.score:.2f} MERGE" in text
    comparison = compare_scenarios(analysis.cluster("CL-INT-004"), analysis.by_id, analysis.settings, analysis.rules)
    assert f"Merging pays back in month {comparison.break_even_month_merge}." in text
    low_high = format_money_range(comparison.keep_all.monthly_run_rate, "$").split(" (likely")[0]
    assert low_high in text
    assert [s.integration_id for s in memo.scores] == ["INT-019", "INT-027", "INT-063", "INT-031"]
    assert "Stable: changing any single weight by up to ±25%" in text or "Sensitive:" in text


def test_markdown_escapes_names_so_they_cannot_break_tables_or_add_emphasis(engine):
    people = (Participant("Ana | *Ops* [lead]", Role.REVOPS), Participant("Zoë_Müller", Role.FINANCE),
              Participant("`Bo`", Role.ENGINEERING), Participant("Priya Nair", Role.PRODUCT_OWNER))
    session_id = seed_session(engine, people)

    markdown = render_memo_markdown(memo_for_session(analysis_of(engine), load_session(engine, session_id),
                                                     load_rubric(), registry_version(engine)))

    assert r"| Ana \| \*Ops\* \[lead\] | RevOps |" in markdown
    assert r"| Zoë\_Müller | Finance |" in markdown
    assert r"\`Bo\`" in markdown
    assert "Ana | *Ops*" not in markdown
    lines = markdown.splitlines()
    # Whole table rows: the participants table has two cells, the sign-off table four.
    assert r"| Ana \| \*Ops\* \[lead\] | RevOps |" in lines
    assert r"| Ana \| \*Ops\* \[lead\] | RevOps |  |  |" in lines
    for line in lines:
        if line.startswith("| Ana"):
            assert len(re.findall(r"(?<!\\)\|", line)) in (3, 5)
    assert "## RACI" in markdown and "## Sign-off" in markdown


def test_escape_markdown_flattens_lines_and_escapes_every_special_character():
    assert escape_markdown("a|b*c_d[e]f`g\\h$i\nj") == "a\\|b\\*c\\_d\\[e\\]f\\`g\\\\h\\$i j"


def test_integration_memo_marks_the_rubric_verdict_as_a_recommendation(sample):
    memo = memo_for_integration(sample, "INT-027", load_rubric(), 5, generated_at=GENERATED_AT)
    pages = pdf_pages(render_memo_pdf(memo))
    text = "\n".join(pages)

    assert not memo.decided and memo.decisions[0].recommended
    assert "Recommendation at a glance" in text and "nobody has decided yet" in text
    assert "RETIRE" in text
    assert "Zoë Müller" in "\n".join(pages) or "Marcus Chen" in text  # owners of the cluster's members
    # Without a session the people actually involved sign: each member's owner, or the team's lead where nobody is
    # named; never a fixed list of roles.
    signing = pages[-1][pages[-1].index("Sign-off"):]
    for line in ("Marcus Chen\nOwner of INT-015", "Rafael Ortega\nOwner of INT-019",
                 "Team lead, Customer Success: no owner named for INT-027", "Owen Gallagher\nOwner of INT-063"):
        assert line in signing
    assert "RevOps" not in signing and "Product owner" not in signing
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]


def test_cluster_memo_prints_unicode_owners_intact_on_letter_paper(sample):
    memo = memo_for_cluster(sample, "cl-int-004", load_rubric(), 5)
    data = render_memo_pdf(memo, page_size="Letter")

    text = "\n".join(pdf_pages(data))
    assert memo.subjects[0].id == "CL-INT-004"
    assert "Zoë Müller" in text
    assert "Stripe → NetSuite" in text


def test_unknown_subjects_raise_the_named_errors(sample):
    with pytest.raises(ClusterNotFound, match="CL-NOPE"):
        memo_for_cluster(sample, "CL-NOPE", load_rubric(), 1)
    with pytest.raises(IntegrationNotFound, match="INT-999"):
        memo_for_integration(sample, "INT-999", load_rubric(), 1)


def test_a_session_without_decisions_and_a_removed_subject_still_give_a_memo(engine):
    session_id = seed_session(engine)
    rows = [i for i in load_integrations(engine) if i.id != "INT-031"]
    write_integrations(engine, rows, "replace", actor=EDITOR)

    memo = memo_for_session(analysis_of(engine), load_session(engine, session_id), load_rubric(),
                            registry_version(engine))
    text = "\n".join(pdf_pages(render_memo_pdf(memo)))

    assert "Integration INT-031 is not in registry version" in text
    empty = create_session(engine, "Nothing decided", "Ana Lima", actor=EDITOR)
    memo = memo_for_session(analysis_of(engine), load_session(engine, empty), load_rubric(), registry_version(engine))
    text = "\n".join(pdf_pages(render_memo_pdf(memo)))
    assert "No decisions were recorded" in text


def test_memo_page_one_renders_to_a_png(sample, tmp_path):
    png = render_first_page(render_memo_pdf(memo_for_cluster(sample, "CL-INT-015", load_rubric(), 5)), tmp_path)

    assert png.stat().st_size > 5000
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- PDF defects that made memos hard to read ----------------------------------------------------------


def test_long_ids_are_printed_whole_so_rows_can_be_told_apart():
    ids = ("TEA-if_sap_to_netsuite_orders_emea", "TEA-if_sap_to_netsuite_orders_apac")
    rows = [Integration(id=i, name=f"Orders {n}", source_system="SAP", target_system="NetSuite",
                        data_objects=("Order",), owner_team="Finance", owner="Zoë Müller",
                        monthly_maintenance_hours=Range.between(2, 4)) for n, i in enumerate(ids)]
    analysis = analyse_registry(rows, load_default_settings(), aliases=load_aliases(),
                                rules=default_complexity_rules())

    text = " ".join(pdf_pages(render_memo_pdf(memo_for_cluster(analysis, analysis.clusters[0].id, load_rubric(),
                                                               1))))

    for integration_id in ids:
        assert f"{integration_id} Orders" in text  # the whole id, then the name, in the context table


def test_no_bold_survivor_note_without_a_cluster_and_the_rubric_heading_stays_with_its_table(sample):
    assert "INT-001" not in sample.cluster_by_member
    pages = pdf_pages(render_memo_pdf(memo_for_integration(sample, "INT-001", load_rubric(), 5)))
    text = "\n".join(pages)

    assert "Bold: the integration the cluster keeps" not in text
    assert "Bold: the integration the cluster keeps" in "\n".join(
        pdf_pages(render_memo_pdf(memo_for_cluster(sample, "CL-INT-004", load_rubric(), 5))))
    [page] = [p for p in pages if "Rubric result" in p]
    assert "Weighted score" in page  # the heading never stands alone at the foot of a page


def test_memos_list_the_complexity_factors_of_every_integration_in_scope(sample):
    text = " ".join(" ".join(pdf_pages(render_memo_pdf(memo_for_integration(sample, "INT-002", load_rubric(),
                                                                               5)))).split())
    markdown = render_memo_markdown(memo_for_integration(sample, "INT-002", load_rubric(), 5))

    assert "INT-002 is moderate: writes into a system of record (Salesforce): +2" in text
    assert "Complexity, in words:" in markdown
