"""One cluster's recommendation reads the same everywhere; memos and the snapshot show what the room saved and noted.

The pages run through the app's router with AppTest on a fresh database (the first run loads the sample registry);
the snapshot and the memo are made by the same services the pages and `igov` use, and read back with pypdf.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.cli import main
from core.domain.diagnostic import Decision, RaciEntry
from core.domain.rubric import Verdict
from core.services.analysis import load_analysis, registry_version
from core.services.exports import memo_document, snapshot_pdf
from core.services.scoring import save_scoring, saved_rubric, score_subject
from core.services.sessions import create_session, save_decision, save_notes
from core.storage.registry_store import seed_sample_registry
from tests.actors import editor
from tests.unit.test_snapshot_pdf import pdf_pages

APP = str(Path(__file__).resolve().parents[2] / "app.py")
CLUSTER = "CL-INT-015"  # Salesforce → Stripe: four teams, centralised by the stated rule, at a stated price

pytestmark = pytest.mark.usefixtures("app_database")


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown(at: AppTest) -> str:
    """Every Markdown text on the page, without the backslashes that make user text literal."""
    return "\n".join(m.value.replace("\\", "") for m in at.markdown)


def flat(text: str) -> str:
    """Text with every run of white space made one space: PDF lines break wherever the page width says."""
    return " ".join(text.split())


def test_one_clusters_recommendation_is_the_same_on_the_pages_in_the_pdfs_and_in_the_cli(engine, database_url,
                                                                                       capsys):
    overview, overlaps, tco = (open_page(f"pages/{name}.py") for name in ("overview", "overlaps", "tco"))
    score = open_page("pages/score.py")
    score.selectbox(key="score_integration").select("INT-019").run()
    analysis = load_analysis(engine)
    recommendation = analysis.recommendation(CLUSTER)
    reasons = recommendation.reasons
    assert recommendation.rule and len(reasons) >= 3  # the rule, with the difference in money, is one of them

    for at in (overview, overlaps, tco):
        page = shown(at)
        assert all(reason in page for reason in reasons), at
    assert f"The recommendation for {CLUSTER}: {reasons[0]}" in shown(score)
    assert reasons[1] in shown(score) and reasons[2] in shown(score)

    rubric, version = saved_rubric(engine), registry_version(engine)
    snapshot = flat(pdf_pages(snapshot_pdf(analysis, rubric=rubric, registry_version=version, engine=engine))[0])
    assert reasons[0] in snapshot and reasons[1] in snapshot and recommendation.rule in snapshot
    memo = flat(" ".join(pdf_pages(memo_document(analysis, rubric=rubric, registry_version=version,
                                                 cluster_id=CLUSTER, engine=engine))))
    assert " ".join(reasons) in memo
    assert f"1. {recommendation.verdict.value.upper()} {CLUSTER}" in memo  # the recommended decision
    markdown = memo_document(analysis, rubric=rubric, registry_version=version, cluster_id=CLUSTER, engine=engine,
                             markdown=True)
    assert " ".join(reasons) in flat(markdown.replace("\\", ""))

    assert main(["overlap", "--db", database_url, "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    listed = next(c for c in payload["clusters"] if c["id"] == CLUSTER)
    assert listed["recommendation"] == {"verdict": "centralize", "scenario": "centralise", "reasons": list(reasons)}
    assert [s["name"] for s in listed["scenarios"]] == ["keep_all", "merge", "centralise"]
    merge = next(s for s in listed["scenarios"] if s["name"] == "merge")
    assert merge["horizon_cost"] == recommendation.scenario_cost("merge").horizon_cost.as_dict()
    assert set(merge["monthly_saving"]) == {"low", "likely", "high"} and merge["break_even_month"] == 1
    assert main(["overlap", "--db", database_url]) == 0
    assert all(f"  > {reason}" in capsys.readouterr().out.splitlines() for reason in [reasons[0]])


def test_memos_and_the_snapshot_show_the_groups_scoring_and_the_session_notes(engine):
    seed_sample_registry(engine)
    analysis, rubric = load_analysis(engine), saved_rubric(engine)
    ana = editor("Ana Lima")
    # The group scores INT-033 (near a retired copy) with no weight on overlap: proceed, where Settings say hold.
    own = rubric.with_weights(overlap=0.0)
    integration = analysis.integration("INT-033")
    result = score_subject(analysis, integration, own, {"controls": 1.0})
    save_scoring(engine, integration, result, own.weights, {"controls": 1.0}, actor=ana)
    kept = analysis.integration("INT-019")
    save_scoring(engine, kept, score_subject(analysis, kept, rubric), rubric.weights, actor=editor("Bo Berg"))
    session_id = create_session(engine, "Q3 review", "Ana Lima", actor=ana)
    save_decision(engine, session_id, Decision("integration", "INT-033", Verdict.HOLD, "Wait for the ledger audit.",
                                               (RaciEntry("Ana Lima", "A"),), date(2026, 9, 30)), actor=ana)
    save_notes(engine, session_id, "Finance keeps the ledger.\nRevisit the dashboards in Q4.", actor=ana)
    version = registry_version(engine)
    default = score_subject(analysis, integration, rubric)
    assert (result.verdict, default.verdict) == (Verdict.PROCEED, Verdict.HOLD)

    memo = flat(" ".join(pdf_pages(memo_document(analysis, rubric=rubric, registry_version=version,
                                                 integration_id="INT-033", engine=engine))))
    session = flat(" ".join(pdf_pages(memo_document(analysis, rubric=rubric, registry_version=version,
                                                    session_id=session_id, engine=engine))))
    snapshot = flat(pdf_pages(snapshot_pdf(analysis, rubric=rubric, registry_version=version, engine=engine))[0])

    group = (f"The group's scoring of INT-033 {integration.name}: PROCEED, score {result.score:.1f} / 5, saved by "
             "Ana Lima on ")
    settings = f"With the weights in Settings it is HOLD, score {default.score:.1f} / 5."
    for text in (memo, session):
        assert group in text and settings in text
        assert "Weights changed: Overlap with existing integrations 3 → 0. Scores set by the group: " \
               "Operational controls 1." in text
    assert f"Session {session_id} · Q3 review" in memo and "HOLD INT-033: Wait for the ledger audit." in memo
    assert "Finance keeps the ledger. Revisit the dashboards in Q4." in memo
    assert "Session notes" in session and "Finance keeps the ledger. Revisit the dashboards in Q4." in session
    assert "From the room" in snapshot and "The group's scoring of INT-019" in snapshot
    assert "saved by Bo Berg" in snapshot and "With the weights in Settings" not in snapshot.split("INT-019")[-1][:200]
    assert f"Notes of session {session_id} (Q3 review" in snapshot and "Finance keeps the ledger." in snapshot
    assert len(pdf_pages(snapshot_pdf(analysis, rubric=rubric, registry_version=version, engine=engine))) == 1
