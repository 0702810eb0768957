"""In Chromium: the Registry upload of a tool's export and of a file with unfamiliar headers (the mapping step)."""

from __future__ import annotations

import json

import pytest

from core.services.registry import import_registry_file
from core.storage.db import create_db_engine
from core.storage.registry_store import load_integrations
from core.storage.source_store import load_sources
from tests.actors import EDITOR
from tests.conftest import EXAMPLES_DIR
from tests.e2e.conftest import screenshot, wait_for_app

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser-import_formats")]
SOURCES = EXAMPLES_DIR / "sources"


def open_upload(server, page) -> None:
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{server['url']}/registry?who=Ana+Lima")
    wait_for_app(page)
    page.get_by_text("Upload a registry file").click()


def choose_file(page, path) -> None:
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
    wait_for_app(page)


def test_a_fivetran_export_is_detected_previewed_and_imported_on_confirm(server, page):
    engine = create_db_engine(server["database_url"])
    open_upload(server, page)  # the first page run loads the sample registry
    before = {i.id for i in load_integrations(engine)}

    choose_file(page, SOURCES / "fivetran_connections.json")
    page.get_by_text("Fivetran connections").first.wait_for()
    page.get_by_text("Preview: the first 2 of 2 valid row(s).").wait_for()
    screenshot(page, "registry-upload-fivetran")
    written_before_confirm = {i.id for i in load_integrations(engine)}
    page.get_by_role("button", name="Import 2 valid row(s)").click()
    page.get_by_text("Imported: 2 added").first.wait_for()

    assert written_before_confirm == before
    assert {i.id for i in load_integrations(engine)} - before == {"FT-lifting-palace", "FT-serene-quarter"}
    assert {r.source for r in load_sources(engine)} == {"fivetran:fivetran_connections.json"}


def test_unfamiliar_headers_are_mapped_in_the_browser_with_the_suggestions_filled_in(server, page):
    engine = create_db_engine(server["database_url"])
    open_upload(server, page)

    choose_file(page, SOURCES / "leanix_style_headers.csv")
    page.get_by_text("Map the file's columns", exact=True).wait_for()
    screenshot(page, "registry-upload-mapping-step")
    page.get_by_role("button", name="Read the file with this mapping").click()
    wait_for_app(page)
    page.get_by_role("button", name="Import 2 valid row(s)").click()
    page.get_by_text("Imported: 2 added").first.wait_for()

    names = {i.name for i in load_integrations(engine)}
    assert {"Opportunity sync to Snowflake", "Invoice export"} <= names


def test_integrations_a_reimport_no_longer_has_are_reviewed_in_the_browser(server, page):
    engine = create_db_engine(server["database_url"])
    path = SOURCES / "fivetran_connections.json"
    document = json.loads(path.read_bytes())
    import_registry_file(engine, path.read_bytes(), actor=EDITOR, filename=path.name, source_name=path.name)
    document["connections"] = document["connections"][:1]
    import_registry_file(engine, json.dumps(document).encode(), actor=EDITOR, filename=path.name,
                         source_name=path.name)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{server['url']}/registry?who=Ana+Lima")
    wait_for_app(page)

    page.get_by_text("not seen in their source since the last import").click()
    page.get_by_text("A re-import of the file or tool they came from no longer has them.").wait_for()
    screenshot(page, "registry-not-seen-review")
    assert "FT-serene-quarter" in {i.id for i in load_integrations(engine)}

    # The review table is the first grid on the page, a canvas: tick its first row's box by position (the box sits
    # in the middle of the first column, the row under the 35-pixel header).
    grid = page.locator("[data-testid='stDataFrame']").first
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 112, box["y"] + 52)
    page.wait_for_function("() => [...document.querySelectorAll('button')].some("
                           "b => b.innerText.includes('Remove the ticked ones') && !b.disabled)", timeout=15_000)
    page.get_by_role("button", name="Remove the ticked ones").click()
    page.get_by_text("Removed 1 integration(s)").first.wait_for()

    assert "FT-serene-quarter" not in {i.id for i in load_integrations(engine)}
