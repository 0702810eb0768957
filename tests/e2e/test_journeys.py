"""The journeys a facilitator and a RevOps lead make, in Chromium: score and save, record a decision, export PDFs."""

from __future__ import annotations

import io
import time
from datetime import date
from urllib.parse import quote_plus

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from pypdf import PdfReader

from core.domain.access import system_actor
from core.domain.diagnostic import Decision, Participant, RaciEntry, Role
from core.domain.rubric import Verdict
from core.storage.db import create_db_engine
from core.storage.registry_store import seed_sample_registry
from core.storage.scoring_store import list_scorings
from core.storage.session_store import (
    create_session,
    list_decisions,
    save_decision,
    set_participants,
)
from tests.e2e.conftest import screenshot, wait_for_app

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser-journeys")]
PATIENCE_MS = 60_000


def poll(check, seconds: float = 30):
    """Wait for the database to show what the page did (bounded; the page answers asynchronously)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.25)
    return check()


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def sign_in_locally(page, name: str) -> None:
    # The sidebar's box: a page may also ask "Who is at the keyboard?" with a box of the same name.
    box = page.locator("[data-testid='stSidebar']").get_by_role("textbox", name="Your name")
    box.fill(name)
    box.press("Enter")
    # The run the name starts puts it in the address; wait for that run, not a moment before it begins (a click
    # then lands on a button that run redraws: a download button's old link, and no download).
    page.wait_for_url(lambda url: f"who={quote_plus(name)}" in url, timeout=60_000)
    wait_for_app(page)


def test_scoring_an_integration_shows_its_verdict_and_saves_it(server, page):
    page.goto(f"{server['url']}/score?integration=INT-027")
    wait_for_app(page)
    sign_in_locally(page, "Ana Lima")

    verdict = page.locator(".igov-verdict").first
    verdict.wait_for(timeout=PATIENCE_MS)
    assert verdict.get_attribute("data-verdict") == "retire"
    page.get_by_role("button", name="Save scoring").click()
    engine = create_db_engine(server["database_url"])
    saved = poll(lambda: [s for s in list_scorings(engine, "INT-027") if s.scored_by == "Ana Lima"])

    assert saved and saved[0].verdict == "retire"
    screenshot(page, "journey-score")


@pytest.fixture(scope="module")
def decided_session(server):
    """A session with Zoë and Ana and one recorded decision, prepared the way the page would save it."""
    engine = create_db_engine(server["database_url"])
    # The server seeds the sample on its first page run; this fixture may come first (tests run in any order).
    seed_sample_registry(engine)
    actor = system_actor("Ana Lima")
    session_id = create_session(engine, "Billing sync duplicates — Q3", "Ana Lima", actor=actor)
    set_participants(engine, session_id,
                     [Participant("Ana Lima", Role.REVOPS), Participant("Zoë Müller", Role.FINANCE)], actor=actor)
    save_decision(engine, session_id, Decision(
        subject_kind="integration", subject_id="INT-027", verdict=Verdict.RETIRE,
        rationale="Unowned copy of INT-015; nobody would miss it.",
        raci=(RaciEntry("Zoë Müller", "A"), RaciEntry("Ana Lima", "R")),
        due_date=date(2026, 12, 15), next_step="Switch off the Zapier flow"), actor=actor)
    return session_id


def test_the_session_page_shows_the_recorded_decision_after_a_refresh(server, page, decided_session):
    page.goto(f"{server['url']}/session?session={decided_session}")
    wait_for_app(page)
    page.get_by_text("Unowned copy of INT-015; nobody would miss it.").first.wait_for(timeout=PATIENCE_MS)

    page.reload()
    wait_for_app(page)

    page.get_by_text("Unowned copy of INT-015; nobody would miss it.").first.wait_for(timeout=PATIENCE_MS)
    screenshot(page, "journey-session")


def download_pdf(page, url: str, button_name: str, path, prepare: str | None = None) -> tuple[int, str]:
    """Open ``url`` (click ``prepare`` first, if given), click the download button, save the file to ``path``: its
    page count and text."""
    page.goto(url)
    wait_for_app(page)
    if prepare:
        page.get_by_role("button", name=prepare).click()
    button = page.get_by_role("button", name=button_name)
    button.wait_for(timeout=PATIENCE_MS)
    with page.expect_download(timeout=PATIENCE_MS) as download:
        button.click()
    download.value.save_as(path)
    return pdf_text(path.read_bytes())


def test_exporting_the_memo_downloads_a_real_pdf(server, page, decided_session, tmp_path):
    pages, text = download_pdf(page, f"{server['url']}/session?session={decided_session}", "Export memo (PDF)",
                               tmp_path / "memo.pdf", prepare="Prepare the memo (PDF and Markdown)")

    assert pages >= 1
    assert "Billing sync duplicates" in text
    assert "Zoë Müller" in text and "Ana Lima" in text
    assert "INT-027" in text


def test_the_tco_page_downloads_the_one_page_snapshot(server, page, tmp_path):
    pages, text = download_pdf(page, f"{server['url']}/tco", "Download PDF", tmp_path / "snapshot.pdf")

    assert pages == 1
    assert "What our integrations cost" in text


def choose(page, select, text: str) -> None:
    """Pick the option starting with ``text`` in a Streamlit selectbox.

    Types into the select's own input, so the keys cannot land elsewhere while a previous menu is still
    closing; on a loaded machine the menu can miss the first focus, so it is tried again (bounded).
    """
    box = select.get_by_role("combobox")
    option = page.get_by_role("option", name=text).first
    for _attempt in range(3):
        box.click()
        box.press_sequentially(text)
        try:
            option.click(timeout=15_000)
            break
        except PlaywrightTimeout:
            box.press("Escape")
            box.fill("")
    else:
        screenshot(page, f"choose-{text}-failed")
        raise AssertionError(f"The option {text!r} did not appear in 3 attempts (see test-artifacts)")
    page.wait_for_function(
        "([el, text]) => el.textContent.includes(text)"
        " || [...el.querySelectorAll('input')].some(i => i.value.includes(text))",
        arg=[select.element_handle(), text], timeout=PATIENCE_MS)


def add_to_multiselect(page, select, names: list[str]) -> None:
    """Type each name into a Streamlit multiselect and take it with Enter (a typed name is added as new)."""
    for name in names:
        select.click()
        page.keyboard.type(name)
        page.keyboard.press("Enter")
        select.get_by_text(name).first.wait_for(timeout=PATIENCE_MS)
    page.keyboard.press("Escape")


def start_merge_decision(page, server, session_id: int, rationale: str):
    """Open a session's page as Ana and fill its decision form up to the RACI: merge INT-019, with this rationale."""
    page.goto(f"{server['url']}/session?session={session_id}&who=Ana+Lima")
    wait_for_app(page)
    form = page.locator("[data-testid='stForm']").first
    form.locator("[data-testid='stSelectbox']").first.wait_for(timeout=PATIENCE_MS)
    selects = form.locator("[data-testid='stSelectbox']")
    choose(page, selects.filter(has_text="Integration"), "INT-019")
    choose(page, selects.filter(has_text="Verdict"), "Merge")
    form.get_by_role("textbox", name="Rationale").fill(rationale)
    return form


def test_recording_a_decision_with_its_raci_saves_it(server, page):
    engine = create_db_engine(server["database_url"])
    seed_sample_registry(engine)  # this test may run before any page visit seeded the sample
    actor = system_actor("Ana Lima")
    session_id = create_session(engine, "Quote sync duplicates", "Ana Lima", actor=actor)
    set_participants(engine, session_id,
                     [Participant("Zoë Müller", Role.FINANCE), Participant("Ana Lima", Role.REVOPS)], actor=actor)

    form = start_merge_decision(page, server, session_id, "Same Opportunity sync as INT-015; keep the owned one.")
    choose(page, form.locator("[data-testid='stSelectbox']").filter(has_text="Accountable"), "Zoë Müller")
    multiselects = form.locator("[data-testid='stMultiSelect']")
    add_to_multiselect(page, multiselects.filter(has_text="Responsible"), ["Ana Lima"])
    add_to_multiselect(page, multiselects.filter(has_text="Informed"), ["Sam Ortiz"])  # not in the room: typed
    screenshot(page, "journey-decision-form")
    form.get_by_role("button", name="Record decision").click()

    recorded = poll(lambda: list_decisions(engine, session_id))
    assert len(recorded) == 1
    decision = recorded[0].decision
    assert (decision.subject_id, decision.verdict) == ("INT-019", Verdict.MERGE)
    assert decision.raci == (RaciEntry("Zoë Müller", "A"), RaciEntry("Ana Lima", "R"), RaciEntry("Sam Ortiz", "I"))
    page.get_by_text("Decisions · 1").wait_for(timeout=PATIENCE_MS)
    # The recorded decision lists its RACI letter by letter ("**R** Ana Lima · **A** Zoë Müller · ...").
    page.locator("[data-testid='stMarkdownContainer']").filter(
        has_text="R Ana Lima · A Zoë Müller · I Sam Ortiz").first.wait_for(timeout=PATIENCE_MS)
    assert form.get_by_role("textbox", name="Rationale").input_value() == ""  # the form is ready for the next one
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "journey-decision")


def test_recording_a_decision_without_an_accountable_shows_a_plain_error_and_writes_nothing(
        server, page, decided_session):
    # No Accountable is chosen here; recording a decision WITH its RACI is the test above.
    engine = create_db_engine(server["database_url"])
    before = list_decisions(engine, decided_session)

    form = start_merge_decision(page, server, decided_session, "Same Opportunity sync as INT-015.")
    screenshot(page, "journey-decision-refused-form")
    form.get_by_role("button", name="Record decision").click()

    page.get_by_text("Each decision needs exactly one Accountable (A); none is set.").first.wait_for(
        timeout=PATIENCE_MS)
    assert page.locator("[data-testid='stException']").count() == 0
    assert list_decisions(engine, decided_session) == before
    screenshot(page, "journey-decision-refused")


def recommendation_shown(page, url: str, where: str, cluster_id: str) -> str:
    """The text of a cluster's recommendation block on one page, as the browser renders it."""
    page.goto(url)
    wait_for_app(page)
    block = page.locator(f".st-key-recommendation_{where}_{cluster_id}")
    block.wait_for(timeout=PATIENCE_MS)
    return block.inner_text()


def test_the_recommendation_reads_the_same_on_the_overlaps_and_tco_pages(server, page):
    from core.services.analysis import load_analysis

    on_overlaps = recommendation_shown(page, f"{server['url']}/overlaps", "overlaps", "CL-INT-015")
    on_tco = recommendation_shown(page, f"{server['url']}/tco", "tco", "CL-INT-015")

    assert on_overlaps == on_tco
    recommendation = load_analysis(create_db_engine(server["database_url"])).recommendation("CL-INT-015")
    words = " ".join(on_tco.split())
    assert words.startswith("Recommended: Centralize")
    assert all(reason in words for reason in recommendation.reasons)
    screenshot(page, "journey-recommendation-tco")
