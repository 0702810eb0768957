"""End to end in Chromium: every page renders without an exception, and the main journeys work."""

from __future__ import annotations

import pytest

from core.storage.audit import list_history
from core.storage.db import create_db_engine
from core.storage.registry_store import load_integrations
from tests.conftest import EXAMPLES_DIR
from tests.e2e.conftest import running_server, screenshot, wait_for_app

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser-browser")]

PAGES = ["", "overlaps", "tco", "registry", "history", "score", "session", "decisions", "settings"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_without_an_exception(server, page, path):
    page.goto(f"{server['url']}/{path}")

    wait_for_app(page)

    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("h1").first.inner_text().strip()
    screenshot(page, f"page-{path or 'overview'}")


def test_sidebar_lists_each_page_once(server, page):
    page.goto(server["url"])
    wait_for_app(page)

    # Link text is "<icon ligature>\n\n<title>": the title is the last line.
    links = [t.strip().splitlines()[-1] for t in page.locator("[data-testid='stSidebarNavLink']").all_inner_texts()]

    assert sorted(links) == sorted(["Overview", "Overlaps", "TCO snapshot", "Registry", "History", "Score",
                                    "Diagnostic session", "Decisions", "Settings"])


def test_uploading_a_csv_shows_the_report_before_writing_and_imports_on_confirm(server, page):
    page.goto(f"{server['url']}/registry?who=Ana+Lima")
    wait_for_app(page)
    engine = create_db_engine(server["database_url"])
    before = {i.id for i in load_integrations(engine)}

    page.get_by_text("Upload a registry file").click()
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(EXAMPLES_DIR / "mixed_errors.csv"))
    wait_for_app(page)
    # The problem table is a canvas grid; its summary line is text.
    page.get_by_text("7 problem(s) found.").first.wait_for()
    screenshot(page, "registry-upload-report")
    written_before_confirm = {i.id for i in load_integrations(engine)}
    page.get_by_role("button", name="Import 4 valid row(s)").click()
    page.get_by_text(f"{len(before) + 4} of {len(before) + 4} integrations").first.wait_for()

    assert written_before_confirm == before
    after = {i.id for i in load_integrations(engine)}
    assert {"INT-701"} <= after - before


def test_a_change_waits_for_a_name_and_is_recorded_under_it(server, page):
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{server['url']}/registry")
    wait_for_app(page)
    engine = create_db_engine(server["database_url"])
    prompt = page.locator(".st-key-name_prompt_box")
    prompt.get_by_text("Who is at the keyboard?").wait_for()
    page.get_by_text("Add an integration").click()
    for label, value in [("Name *", "Quote sync"), ("Team that runs it *", "Sales Ops"),
                         ("Source system *", "Salesforce"), ("Target system *", "Stripe"),
                         ("Data objects * (separate with ;)", "Quote")]:
        page.get_by_label(label, exact=True).fill(value)

    page.get_by_role("button", name="Add to registry").click()
    page.get_by_text("Type your name under Your name first").wait_for()
    assert "INT-quote-sync" not in {i.id for i in load_integrations(engine)}
    screenshot(page, "name-asked-before-a-change")

    box = prompt.get_by_role("textbox", name="Your name")
    box.fill("Zoë Müller")
    box.press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Add to registry").click()  # what was typed in the form is still there
    page.get_by_text("Added INT-quote-sync.").wait_for()
    wait_for_app(page)  # the run that shows "Added" clears the answered question when it ends, not before

    assert list_history(engine, entity_id="INT-quote-sync")[0].actor == "Zoë Müller"
    assert prompt.get_by_role("textbox").count() == 0  # answered: the question is gone
    assert "who=Zo%C3%AB+M%C3%BCller" in page.url  # a refresh or a shared link keeps the name


def test_deep_link_on_a_freshly_started_server_gets_the_router(tmp_path, page):
    with running_server(tmp_path) as fresh:
        page.goto(f"{fresh['url']}/tco")
        wait_for_app(page)

        links = [t.strip().splitlines()[-1] for t in page.locator("[data-testid='stSidebarNavLink']").all_inner_texts()]
        assert "TCO snapshot" in links
        assert "ui" not in links and "app" not in links
        assert page.locator("h1").first.inner_text().strip().startswith("TCO")


def test_a_cluster_is_drawn_when_opened_and_dropped_when_closed(server, page):
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{server['url']}/overlaps")
    wait_for_app(page)
    titles = page.locator("[data-testid='stExpander'] summary")
    first, second = (titles.nth(i).inner_text().split(" · ")[0].split()[-1] for i in (0, 1))
    page.locator(f".st-key-recommendation_overlaps_{first}").wait_for()
    assert page.locator(f".st-key-recommendation_overlaps_{second}").count() == 0  # closed: not drawn

    titles.nth(1).click()
    page.locator(f".st-key-recommendation_overlaps_{second}").wait_for()
    wait_for_app(page)
    # Every cluster open on screen shows its body: never an open, empty one (the first stays as it was).
    open_count = page.locator("[data-testid='stExpander'] details[open]").count()
    assert open_count == 2
    assert page.locator("[data-testid='stExpander'] details[open] [class*='st-key-recommendation_overlaps_']").count() \
        == open_count
    screenshot(page, "overlaps-second-cluster-open")

    titles.nth(0).click()  # the person closes the first: it stays closed and its body goes
    page.locator(f".st-key-recommendation_overlaps_{first}").wait_for(state="detached")
    wait_for_app(page)
    page.wait_for_function(  # the closing animation is over: only the second is still open
        "ids => { const open = [...document.querySelectorAll(\"[data-testid='stExpander'] details[open] summary\")]"
        ".map(s => s.innerText); return open.length === 1 && open[0].includes(ids[1]) }", arg=[first, second])
    assert page.locator(f".st-key-recommendation_overlaps_{second}").count() == 1
    assert page.locator("[data-testid='stException']").count() == 0


def test_keeping_another_member_updates_the_charts_around_the_list(tmp_path, page):
    from core.storage.survivor_store import load_survivor_choices
    from pages._links import cluster_block_key
    from tests.e2e.test_journeys import PATIENCE_MS, choose, poll

    page.set_viewport_size({"width": 1920, "height": 1080})
    with running_server(tmp_path) as fresh:  # its own database: the choice changes the ranking
        page.goto(f"{fresh['url']}/overlaps?who=Ana+Lima")
        wait_for_app(page)
        who_pays = page.locator(".js-plotly-plot").filter(has_text="Who pays for the duplicates")
        who_pays.wait_for(timeout=PATIENCE_MS)
        before = who_pays.inner_text()
        block = page.locator(f".st-key-{cluster_block_key('CL-INT-015')}")

        choose(page, block.locator("[data-testid='stSelectbox']").filter(has_text="Keep a different one"), "INT-019")

        block.get_by_text("(chosen by the group)").wait_for(timeout=PATIENCE_MS)
        engine = create_db_engine(fresh["database_url"])
        assert poll(lambda: load_survivor_choices(engine) == {"INT-019"})
        # The list is a fragment; the choice reruns the whole page, so the chart outside it follows.
        assert poll(lambda: who_pays.inner_text() != before, seconds=30)
        assert page.locator("[data-testid='stException']").count() == 0
        screenshot(page, "overlaps-survivor-kept")
