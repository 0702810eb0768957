"""Complexity factors and the brief ownership memo on Score, Registry and Overlaps, through AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.services.analysis import load_analysis
from core.services.exports import brief_memo_for
from core.storage.registry_store import load_integrations
from tests.unit.test_snapshot_pdf import pdf_pages

APP = str(Path(__file__).resolve().parents[2] / "app.py")

pytestmark = pytest.mark.usefixtures("app_database")


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    return at.switch_page(page).run()


def texts(at: AppTest) -> list[str]:
    return [m.value.replace("\\", "") for m in at.markdown]


def download_labels(at: AppTest) -> list[str]:
    return [d.proto.label for d in at.get("download_button")]


def test_score_shows_the_category_with_its_factors_and_offers_the_ownership_memo():
    at = open_page("pages/score.py")
    at.selectbox(key="score_integration").select("INT-027").run()

    assert not at.exception
    shown = texts(at)
    assert "**Complexity: moderate**, because:" in shown
    assert any("writes into a system of record (Stripe): +2" in t for t in shown)
    assert any("Estimated from the category, not typed: build hours" in c.value.replace("\\", "") for c in at.caption)
    assert download_labels(at)[-2:] == ["Ownership memo (PDF)", "Ownership memo (Markdown)"]


def test_registry_detail_shows_the_complexity_and_the_memo_of_the_chosen_integration():
    at = open_page("pages/registry.py")
    at.selectbox(key="registry_history_id").select("INT-002").run()

    assert not at.exception
    assert any("writes into a system of record (Salesforce): +2" in t for t in texts(at))
    assert any("typed in the registry" in c.value for c in at.caption)
    assert "Ownership memo (PDF)" in download_labels(at)


def test_every_cluster_on_overlaps_offers_its_ownership_memo():
    at = open_page("pages/overlaps.py")
    clusters = [e.label.replace("\\", "").split(" · ")[0] for e in at.expander]
    assert len(clusters) == 6

    for opened, cluster_id in enumerate(clusters, start=1):  # opened one after another, as a person clicks titles
        at.session_state["_overlaps_open"] = cluster_id
        at.run()
        assert not at.exception
        keys = [d.proto.id for d in at.get("download_button")]
        assert download_labels(at).count("Ownership memo (PDF)") == opened
        assert any(f"brief_pdf_overlaps_{cluster_id}" in key for key in keys)


def test_the_downloaded_memo_is_built_from_the_apps_database(engine):
    open_page("pages/overlaps.py")  # loads the sample into the app's database

    data = brief_memo_for(engine, load_analysis(engine), cluster_id="CL-INT-015")

    pages = pdf_pages(data)
    assert len(pages) <= 2
    assert len(load_integrations(engine)) == 67
    assert "Ownership memo".upper() in pages[0]
