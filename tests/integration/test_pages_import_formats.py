"""The Registry upload with other formats, through AppTest: detected format, preview, mapping step, not-seen review."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.services.registry import import_registry_file, read_registry_source
from core.storage.audit import list_history
from core.storage.registry_store import load_integrations
from core.storage.source_store import load_sources
from tests.actors import EDITOR
from tests.conftest import EXAMPLES_DIR

APP = str(Path(__file__).resolve().parents[2] / "app.py")
SOURCES = EXAMPLES_DIR / "sources"
LEANIX_HEADERS = SOURCES / "leanix_style_headers.csv"
BACKSTAGE = SOURCES / "backstage"
BACKSTAGE_IDS = {"BS-invoice-service-accounts-api", "BS-portal-web-invoices-api", "BS-portal-web-accounts-api"}
# A component without spec.owner, in a sub-folder: its row's problem must name the file inside the catalog.
UNOWNED = b"""apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: revenue-report}
spec: {type: service, lifecycle: production, system: reporting, consumesApis: [invoices-api]}
"""

pytestmark = pytest.mark.usefixtures("app_database")


def open_registry() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user_name"] = "Ana"
    at.switch_page("pages/registry.py")
    return at.run()


def upload(at: AppTest, path: Path) -> AppTest:
    at.file_uploader(key="registry_upload").set_value((path.name, path.read_bytes(), "application/octet-stream"))
    return at.run()


def preview(at: AppTest):
    """The preview table: the one with a "Data objects" column."""
    return next(d.value for d in at.dataframe if "Data objects" in d.value.columns)


def ids(engine) -> set[str]:
    return {i.id for i in load_integrations(engine)}


def test_a_fivetran_export_shows_its_format_and_preview_and_writes_only_on_confirm(engine):
    at = open_registry()
    before = ids(engine)

    upload(at, SOURCES / "fivetran_connections.json")

    assert not at.exception
    assert "Read as: **Fivetran connections** (detected)" in [i.value for i in at.info]
    shown = preview(at)
    assert list(shown["Id"]) == ["FT-lifting-palace", "FT-serene-quarter"]
    problems = at.dataframe[0].value
    assert list(problems["Where"]) == ["connections[2]"]
    assert ids(engine) == before
    at.button(key="import_confirm").click().run()
    assert ids(engine) - before == {"FT-lifting-palace", "FT-serene-quarter"}
    assert {(s.integration_id, s.source) for s in load_sources(engine)} == {
        ("FT-lifting-palace", "fivetran:fivetran_connections.json"),
        ("FT-serene-quarter", "fivetran:fivetran_connections.json")}


def test_a_workbook_error_names_the_sheet_and_cell(engine):
    at = open_registry()

    upload(at, SOURCES / "registry.xlsx")

    assert "Read as: **Excel workbook, sheet 'Registry'** (detected)" in [i.value for i in at.info]
    problems = at.dataframe[0].value
    assert list(problems["Where"]) == ["sheet 'Registry', cell H7"]
    assert list(problems["Column"]) == ["Maintenance hours / month"]  # the header in words


def test_unfamiliar_headers_get_a_mapping_step_with_suggestions_that_is_remembered(engine):
    at = open_registry()

    upload(at, LEANIX_HEADERS)

    assert "'Source Application' looks like source_system" in at.warning[0].value.replace("\\", "")
    assert {s.label: s.value for s in at.selectbox if s.key.startswith("map_")} == {
        "name": "Interface Name", "source_system": "Source Application", "target_system": "Target Application",
        "data_objects": "Data Object", "owner_team": "Owning Group"}
    assert "import_confirm" not in [b.key for b in at.button]
    at.button(key="apply_column_map").click().run()
    assert len(preview(at)) == 2
    at.button(key="import_confirm").click().run()
    assert {"INT-opportunity-sync-to-snowflake", "INT-invoice-export"} <= ids(engine)

    again = upload(open_registry(), LEANIX_HEADERS)  # a later visit: the mapping of this file is remembered
    assert not [s for s in again.selectbox if s.key.startswith("map_")]
    assert len(preview(again)) == 2


def test_a_field_nothing_looks_like_is_picked_from_the_columns_not_used_in_the_mapping_step(engine, tmp_path):
    path = tmp_path / "interfaces.csv"
    path.write_text("Ref,Interface,Sending App,Receiving App,Business Object,Responsible Dept,Contact\n"
                    "INT-1,Order sync,Salesforce,SAP,Order,Sales Ops,Ana\n", encoding="utf-8")
    at = upload(open_registry(), path)

    assert "Nothing looks like name; columns not used: Ref, Interface, Contact." in \
        at.warning[0].value.replace("\\", "")
    assert at.selectbox(key="map_name").value == "(no column)"
    at.selectbox(key="map_name").set_value("Interface").run()
    at.button(key="apply_column_map").click().run()

    assert list(preview(at)["Name"]) == ["Order sync"]


def test_a_corrected_mapping_step_choice_is_used(engine):
    at = open_registry()
    upload(at, LEANIX_HEADERS)

    at.selectbox(key="map_owner_team").set_value("Accountable").run()
    at.button(key="apply_column_map").click().run()

    shown = preview(at)
    assert list(shown["Team"]) == ["Marcus Chen", "Rafael Ortega"]


def _reimport_without_last_connection(engine) -> None:
    path = SOURCES / "fivetran_connections.json"
    import_registry_file(engine, path.read_bytes(), actor=EDITOR, filename=path.name, source_name=path.name)
    document = json.loads(path.read_bytes())
    document["connections"] = document["connections"][:1]
    import_registry_file(engine, json.dumps(document).encode(), actor=EDITOR, filename=path.name,
                         source_name=path.name)


def tick_first_unseen(at: AppTest) -> AppTest:
    at.session_state["unseen_table"] = {"edited_rows": {0: {"Remove or keep": True}}, "added_rows": [],
                                        "deleted_rows": []}
    return at.run()


def test_rows_a_reimport_no_longer_has_are_reviewed_then_removed_with_history(engine):
    _reimport_without_last_connection(engine)
    at = open_registry()

    table = at.data_editor(key="unseen_table")
    assert list(table.value["Id"]) == ["FT-serene-quarter"]
    assert "FT-serene-quarter" in ids(engine)
    tick_first_unseen(at)
    at.button(key="unseen_remove").click().run()

    assert "FT-serene-quarter" not in ids(engine)
    assert [e.action for e in list_history(engine, entity="integration", entity_id="FT-serene-quarter")][0] == \
        "delete"
    assert not [s for s in load_sources(engine) if s.integration_id == "FT-serene-quarter"]


def test_keeping_a_row_its_source_no_longer_has_stops_tracking_it_there(engine):
    _reimport_without_last_connection(engine)
    at = open_registry()

    tick_first_unseen(at)
    at.button(key="unseen_keep").click().run()

    assert "FT-serene-quarter" in ids(engine)
    assert [s.integration_id for s in load_sources(engine)] == ["FT-lifting-palace"]
    assert not [e for e in at.expander if "not seen" in e.label]


def test_a_workbook_sheet_can_be_chosen_and_defaults_to_the_first_with_the_header(engine):
    at = open_registry()
    upload(at, SOURCES / "registry.xlsx")
    assert at.selectbox(key="import_sheet").options == ["The first visible sheet with the registry's header", "Read me",
                                                       "Registry"]

    at.selectbox(key="import_sheet").set_value("Read me").run()

    assert any("No recognisable header" in e.value for e in at.error)


def test_the_history_of_an_integration_says_where_it_was_read_from(engine):
    path = SOURCES / "fivetran_connections.json"
    import_registry_file(engine, path.read_bytes(), actor=EDITOR, filename=path.name, source_name=path.name)
    at = open_registry()

    at.selectbox(key="registry_history_id").set_value("FT-lifting-palace").run()

    captions = [c.value.replace("\\", "") for c in at.caption]
    assert any(c.startswith("Read from Fivetran (fivetran_connections.json): id lifting_palace at connections[0], "
                            "last seen ") for c in captions)


# ------------------------------------------------------------------ a Backstage catalog folder
def folder_files(**changed: bytes) -> list[tuple[str, bytes, str]]:
    """The example catalog as the browser uploads a chosen folder: each file named by its path under the folder."""
    files = {p.name: p.read_bytes() for p in sorted(BACKSTAGE.glob("*.yaml"))} | changed
    return [(f"backstage/{name}", data, "application/x-yaml") for name, data in files.items()]


def upload_folder(at: AppTest, files: list[tuple[str, bytes, str]]) -> AppTest:
    at.radio(key="registry_upload_kind").set_value("catalog").run()
    uploader = next(u for u in at.file_uploader if u.key.startswith("registry_catalog_upload"))
    assert uploader.accept_directory
    uploader.set_value(files)
    return at.run()


def test_a_backstage_catalog_folder_is_detected_previewed_and_imported_as_one_source_on_confirm(engine):
    at = open_registry()
    before = ids(engine)

    upload_folder(at, folder_files())

    assert not at.exception
    assert "Read as: **Backstage catalog** (detected)" in [i.value for i in at.info]
    assert "3 YAML file(s) from the folder 'backstage': apis.yaml, components.yaml, systems.yaml." in [
        c.value.replace("\\", "") for c in at.caption]
    assert set(preview(at)["Id"]) == BACKSTAGE_IDS
    assert at.button(key="import_confirm").label == "Import 3 valid row(s)"
    assert ids(engine) == before  # nothing written before the confirmation
    at.button(key="import_confirm").click().run()

    assert ids(engine) - before == BACKSTAGE_IDS
    # The folder's name, as `igov import data/examples/sources/backstage` records it; places inside the folder.
    assert {(s.source, s.location) for s in load_sources(engine)} == {
        ("backstage:backstage", "components.yaml, document 1 (Component invoice-service)"),
        ("backstage:backstage", "components.yaml, document 3 (Component portal-web)")}
    assert not next(u for u in at.file_uploader if u.key.startswith("registry_catalog_upload")).value  # cleared


def test_a_reupload_of_the_folder_the_cli_imported_updates_its_rows_and_flags_those_it_no_longer_has(engine):
    import_registry_file(engine, read_registry_source(BACKSTAGE), actor=EDITOR, source_name=BACKSTAGE.name)
    components = (BACKSTAGE / "components.yaml").read_bytes().replace(
        b"consumesApis: [invoices-api, accounts-api]", b"consumesApis: [invoices-api]")
    at = open_registry()

    upload_folder(at, folder_files(**{"components.yaml": components}))
    at.button(key="import_confirm").click().run()

    assert "BS-portal-web-accounts-api" in ids(engine)  # flagged, never deleted
    assert list(at.data_editor(key="unseen_table").value["Id"]) == ["BS-portal-web-accounts-api"]
    assert {s.source for s in load_sources(engine)} == {"backstage:backstage"}


def test_a_problem_in_a_catalog_folder_names_the_file_inside_the_folder(engine):
    at = open_registry()

    upload_folder(at, [*folder_files(), ("backstage/reporting/revenue.yaml", UNOWNED, "application/x-yaml")])

    problems = at.dataframe[0].value
    assert list(problems["Where"]) == ["reporting/revenue.yaml, document 1 (Component revenue-report)"]
    assert list(problems["How to fix"]) == ["Give the component revenue-report a spec.owner."]
    assert at.button(key="import_confirm").label == "Import 3 valid row(s)"


def test_a_catalog_file_that_is_not_valid_yaml_is_named_in_plain_words(engine):
    at = open_registry()

    upload_folder(at, [*folder_files(), ("backstage/reporting/broken.yaml", b"kind: [API\n", "application/x-yaml")])

    assert not at.exception
    (message,) = [e.value.replace("\\", "") for e in at.error]
    assert message.startswith("backstage: The Backstage catalog reporting/broken.yaml file is not valid YAML "
                              "(line 2, column 1): ")  # then the YAML reader's reason: "did not find expected ','"
    assert "import_confirm" not in [b.key for b in at.button]


def test_a_catalog_over_the_upload_limit_together_is_refused_in_plain_words(engine, monkeypatch):
    monkeypatch.setenv("IGOV_MAX_UPLOAD_MB", "1")
    at = open_registry()
    big = b"# padding\n" * 60_000  # 600,000 bytes: each file is under the limit, the two together are not

    upload_folder(at, [(f"backstage/{name}", big, "application/x-yaml") for name in ("a.yaml", "b.yaml")])

    assert [e.value.replace("\\", "") for e in at.error] == [
        "The catalog's 2 files are 1.2 MB together; the limit is 1 MB. Upload the catalog's own folder, or raise "
        "IGOV_MAX_UPLOAD_MB."]
