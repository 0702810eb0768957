"""End to end in Chromium: every page renders without an exception, and the main journeys work."""

from __future__ import annotations

import pytest

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
    page.goto(f"{server['url']}/registry")
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


def test_deep_link_on_a_freshly_started_server_gets_the_router(tmp_path, page):
    with running_server(tmp_path) as fresh:
        page.goto(f"{fresh['url']}/tco")
        wait_for_app(page)

        links = [t.strip().splitlines()[-1] for t in page.locator("[data-testid='stSidebarNavLink']").all_inner_texts()]
        assert "TCO snapshot" in links
        assert "ui" not in links and "app" not in links
        assert page.locator("h1").first.inner_text().strip().startswith("TCO")
