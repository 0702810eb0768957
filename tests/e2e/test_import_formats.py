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
BACKSTAGE = SOURCES / "backstage"
BACKSTAGE_IDS = {"BS-invoice-service-accounts-api", "BS-portal-web-invoices-api", "BS-portal-web-accounts-api"}


def open_upload(server, page) -> None:
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{server['url']}/registry?who=Ana+Lima")
    wait_for_app(page)
    page.get_by_text("Upload a registry file").click()


def confirm_import(page, engine, rows: int, imported: str) -> set[str]:
    """Press "Import N valid row(s)" and wait for the import's message; returns the ids stored just before."""
    stored = {i.id for i in load_integrations(engine)}
    page.get_by_role("button", name=f"Import {rows} valid row(s)").click()
    page.get_by_text(imported).first.wait_for()
    return stored


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
    written_before_confirm = confirm_import(page, engine, 2, "Imported: 2 added")

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
    confirm_import(page, engine, 2, "Imported: 2 added")

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


def open_catalog_upload(server, page) -> None:
    """The Registry upload switched to a Backstage catalog folder, by a named person (writes record who)."""
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{server['url']}/registry?who=Ana+Lima")
    wait_for_app(page)
    page.get_by_text("Upload a registry file").click()
    page.get_by_text("A Backstage catalog folder (several YAML files)").click()
    # The rerun swaps the one-file uploader for the folder one: wait for it, not only for the script to be idle
    # (it is idle too in the moment before the rerun starts).
    page.locator("[data-testid='stFileUploaderDropzoneInput'][webkitdirectory]").wait_for(state="attached")
    wait_for_app(page)


def test_a_backstage_catalog_folder_is_detected_previewed_and_imported_as_the_folder(server, page):
    engine = create_db_engine(server["database_url"])
    open_catalog_upload(server, page)
    before = {i.id for i in load_integrations(engine)}

    # The folder itself, as a person picks it: the browser names each file by its path under the folder.
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(BACKSTAGE))
    wait_for_app(page)
    page.get_by_text("3 YAML file(s) from the folder 'backstage': apis.yaml, components.yaml, systems.yaml.").wait_for()
    page.get_by_text("Backstage catalog").first.wait_for()
    page.get_by_text("Preview: the first 3 of 3 valid row(s).").wait_for()
    screenshot(page, "registry-upload-backstage-folder")
    written_before_confirm = confirm_import(page, engine, 3, "Imported: 3 added")

    assert written_before_confirm == before
    assert {i.id for i in load_integrations(engine)} - before == BACKSTAGE_IDS
    # The folder's name, as `igov import data/examples/sources/backstage` records it.
    assert {r.integration_id for r in load_sources(engine) if r.source == "backstage:backstage"} == BACKSTAGE_IDS
    assert page.get_by_text("apis.yaml").count() == 0  # the uploader was cleared


def test_several_catalog_files_dropped_together_are_read_as_one_catalog(server, page):
    engine = create_db_engine(server["database_url"])
    open_catalog_upload(server, page)

    # Dropped on the uploader, as files dragged from a file manager: Playwright's set_input_files takes only a folder
    # for a directory input, so the drop event carries the files, built in the page.
    files = [[p.name, p.read_text(encoding="utf-8")] for p in sorted(BACKSTAGE.glob("*.yaml"))]
    dropped = page.evaluate_handle("""files => {
        const transfer = new DataTransfer();
        for (const [name, text] of files) transfer.items.add(new File([text], name, {type: "application/x-yaml"}));
        return transfer;
    }""", files)
    page.locator("[data-testid='stFileUploaderDropzone']").dispatch_event("drop", {"dataTransfer": dropped})
    wait_for_app(page)
    page.get_by_text("3 YAML file(s): apis.yaml, components.yaml, systems.yaml.").wait_for()
    confirm_import(page, engine, 3, "Imported: ")

    assert {i.id for i in load_integrations(engine)} >= BACKSTAGE_IDS
    assert "backstage:catalog files" in {r.source for r in load_sources(engine)}
