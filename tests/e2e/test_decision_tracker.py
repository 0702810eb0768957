"""The decisions tracker in Chromium: an overdue merge followed to done, the registry updated, the owner named."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.domain.access import system_actor
from core.domain.diagnostic import Decision, RaciEntry
from core.domain.registry import Status
from core.domain.rubric import Verdict
from core.services.analysis import load_analysis
from core.services.decisions import tracked_decisions
from core.storage.db import create_db_engine
from core.storage.registry_store import seed_sample_registry
from core.storage.session_store import create_session, save_decision
from tests.e2e.conftest import screenshot, wait_for_app
from tests.e2e.test_journeys import PATIENCE_MS, choose, poll, sign_in_locally

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser-decision_tracker")]


@pytest.fixture
def wide_page(browser):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


def test_an_overdue_merge_is_followed_to_done_in_the_tracker_and_the_registry_follows(server, wide_page, tmp_path):
    page = wide_page
    engine = create_db_engine(server["database_url"])
    seed_sample_registry(engine)
    actor = system_actor("Ana Lima")
    session_id = create_session(engine, "EU finance close duplicates", "Ana Lima", actor=actor)
    decision_id = save_decision(engine, session_id, Decision(
        "cluster", "CL-INT-012", Verdict.MERGE, "Two syncs post the same EU invoices to QuickBooks.",
        (RaciEntry("Zoë Müller", "A"), RaciEntry("Ana Lima", "R")), date.today() - timedelta(days=2),
        "Switch off the Chargebee to QBO zap"), actor=actor)

    page.goto(f"{server['url']}/decisions")
    wait_for_app(page)
    sign_in_locally(page, "Ana Lima")
    overdue = page.locator("[data-testid='stMetric']").filter(has_text="Overdue")
    overdue.get_by_text("1", exact=True).wait_for(timeout=PATIENCE_MS)
    with page.expect_download(timeout=PATIENCE_MS) as download:
        page.get_by_role("button", name="Due dates for your calendar (.ics)").click()
    download.value.save_as(tmp_path / "due.ics")
    assert "SUMMARY:Merge CL-INT-012 due (Zoë Müller)" in (tmp_path / "due.ics").read_text(encoding="utf-8")

    choose(page, page.locator("[data-testid='stSelectbox']").filter(has_text="Follow up a decision"),
           f"#{decision_id}")
    detail = page.locator(".st-key-decision_detail")
    detail.get_by_text("overdue").first.wait_for(timeout=PATIENCE_MS)
    detail.locator("[data-testid='stButtonGroup']").get_by_text("In progress", exact=True).click()
    assert poll(lambda: tracked_decisions(engine, date.today())[0].status.value == "in-progress")
    wait_for_app(page)
    screenshot(page, "journey-decisions-proposal")

    detail.get_by_role("button", name="Confirm: mark done and update the registry").click()
    page.get_by_text("is done and the registry is updated").wait_for(timeout=PATIENCE_MS)
    (done,) = tracked_decisions(engine, date.today())
    assert (done.status.value, done.updated_by) == ("done", "Ana Lima")
    assert load_analysis(engine).integration("INT-012").status is Status.RETIRED

    choose(page, detail.locator("[data-testid='stSelectbox']").filter(has_text="Make Zoë Müller the owner of"),
           "INT-052")
    detail.get_by_role("button", name="Make owner").click()
    assert poll(lambda: load_analysis(engine).integration("INT-052").owner == "Zoë Müller")
    wait_for_app(page)
    # Nothing left to hand over: INT-052 is hers now and INT-012 is retired.
    assert poll(lambda: detail.get_by_role("button", name="Make owner").count() == 0)
    screenshot(page, "journey-decisions-done")

    page.goto(server["url"])
    wait_for_app(page)
    page.locator(".js-plotly-plot").filter(has_text="The portfolio over time").wait_for(timeout=PATIENCE_MS)
    page.locator(".js-plotly-plot").filter(has_text="The portfolio over time").scroll_into_view_if_needed()
    screenshot(page, "journey-overview-trend")
