"""Registry and Settings pages through AppTest: upload report before writing, filters, edits, conflicts."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.storage.audit import list_history
from core.storage.registry_store import load_integrations
from core.storage.settings_store import (
    load_alias_tables,
    load_saved_rubric,
    load_settings,
)
from pages._style import PROJECTOR_STORE
from tests.conftest import EXAMPLES_DIR
from tests.shown import shown

APP = str(Path(__file__).resolve().parents[2] / "app.py")


# Every test drives the app on its own fresh database (the first page run loads the sample registry);
# ``engine`` opens the same database the way the CLI would.
pytestmark = pytest.mark.usefixtures("app_database")


def open_page(page: str, user: str = "Ana") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user_name"] = user
    at.switch_page(f"pages/{page}.py")
    return at.run()


def names(engine) -> dict[str, str]:
    return {i.id: i.name for i in load_integrations(engine)}


def test_registry_page_shows_the_seeded_sample(engine):
    at = open_page("registry")

    assert not at.exception
    assert at.subheader[0].value == "67 of 67 integrations"


def test_upload_shows_the_report_and_writes_nothing_until_confirmed(engine):
    at = open_page("registry")
    before = names(engine)

    at.file_uploader(key="registry_upload").set_value(
        ("mixed.csv", (EXAMPLES_DIR / "mixed_errors.csv").read_bytes(), "text/csv"))
    at.run()

    problems = at.dataframe[0].value
    assert "'lots' is not a number" in set(problems["Problem"])
    assert list(problems.columns[:4]) == ["Row", "Id", "Name", "Column"]  # the row as people know it
    assert all(problems["Id"].astype(str).str.len() + problems["Name"].astype(str).str.len() > 0)
    assert names(engine) == before
    at.button(key="import_confirm").click().run()
    assert "INT-701" in names(engine)
    assert len(names(engine)) == len(before) + 4
    # The imported file is gone from the page: no second "Import" of the same rows.
    assert not at.exception
    assert [u.value for u in at.file_uploader] == [None]
    assert not [b for b in at.button if b.key == "import_confirm"]


def test_strict_upload_with_problems_cannot_be_imported(engine):
    at = open_page("registry")
    at.file_uploader(key="registry_upload").set_value(
        ("mixed.csv", (EXAMPLES_DIR / "mixed_errors.csv").read_bytes(), "text/csv"))
    at.run()

    at.checkbox(key="import_strict").check().run()

    assert at.button(key="import_confirm").disabled


def test_unusable_upload_is_one_plain_error(engine):
    at = open_page("registry")

    at.file_uploader(key="registry_upload").set_value(("empty.csv", b"", "text/csv"))
    at.run()

    assert [e.value for e in at.error] == [
        "empty.csv: The file is empty. Export the registry sheet as CSV and upload that file."]


def test_a_header_only_upload_says_there_is_nothing_to_import_not_that_every_row_is_valid(engine):
    at = open_page("registry")

    at.file_uploader(key="registry_upload").set_value(
        ("header_only.csv", (EXAMPLES_DIR / "header_only.csv").read_bytes(), "text/csv"))
    at.run()

    assert [shown(w.value) for w in at.warning] == [
        "The file has a header but no data rows: there is nothing to import. Add one row per integration, then "
        "run again."]
    assert [s.value for s in at.success] == [] and at.button(key="import_confirm").disabled


def test_filters_narrow_the_table(engine):
    at = open_page("registry")

    at.radio(key="registry_ownership").set_value("unowned").run()

    unowned = sum(1 for i in load_integrations(engine) if not i.is_owned)
    assert at.subheader[0].value == f"{unowned} of 67 integrations"


def open_on_projector(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user_name"] = "Ana"
    at.session_state[PROJECTOR_STORE] = True  # the sidebar's projector toggle, switched on
    at.switch_page(f"pages/{page}.py")
    return at.run()


def test_on_a_projector_the_registry_reads_as_six_full_columns_a_page_at_a_time(engine):
    at = open_on_projector("registry")

    assert not at.exception
    table = at.table[0].value
    assert list(table.columns) == ["Id", "Name", "Route", "Data objects", "Owner", "Status"]
    assert list(table["Id"]) == [f"INT-{n:03d}" for n in range(1, 26)]
    assert at.selectbox(key="registry_readable_page").options == ["Rows 1–25 of 67", "Rows 26–50 of 67",
                                                                   "Rows 51–67 of 67"]
    assert not at.dataframe  # no grid: its small type scrolls sideways on a shared screen

    at.selectbox(key="registry_readable_page").set_value(2).run()
    assert list(at.table[0].value["Id"])[-1] == "INT-067"


def test_on_a_projector_the_grid_comes_back_to_edit_and_stays_while_edits_are_unsaved(engine):
    at = open_on_projector("registry")

    at.toggle(key="registry_edit_in_grid").set_value(True).run()
    assert at.dataframe and not at.table
    at.toggle(key="registry_edit_in_grid").set_value(False)
    seed_edit(at, {0: {"name": "Renamed on the projector"}})
    assert at.dataframe  # unsaved edits keep the grid, whatever the toggle says
    at.button(key="registry_save").click().run()

    assert names(engine)["INT-001"] == "Renamed on the projector"
    assert at.table and not at.dataframe  # saved: back to the readable table


def seed_edit(at: AppTest, edited_rows: dict) -> AppTest:
    at.session_state["registry_editor"] = {"edited_rows": edited_rows, "added_rows": [], "deleted_rows": []}
    return at.run()


def test_valid_edit_is_saved_with_who_changed_it(engine):
    at = open_page("registry")

    seed_edit(at, {0: {"name": "Renamed by the group"}})
    at.button(key="registry_save").click().run()

    assert not at.error
    assert names(engine)["INT-001"] == "Renamed by the group"


def test_invalid_edit_names_row_and_column_and_saves_nothing(engine):
    at = open_page("registry")
    before = load_integrations(engine)

    seed_edit(at, {1: {"build_hours": "lots"}})
    at.button(key="registry_save").click().run()

    assert at.error[0].value == "Nothing was saved. Fix these cells first:"
    problems = at.dataframe[-1].value
    assert (problems.iloc[0]["Row"], problems.iloc[0]["Column"], problems.iloc[0]["Value"]) == (
        2, "Build hours", "lots")  # the header's words, not the field name
    assert load_integrations(engine) == before


def test_second_editor_of_the_same_row_is_refused_not_overwritten(engine):
    ana, bo = open_page("registry", user="Ana"), open_page("registry", user="Bo")
    seed_edit(ana, {0: {"name": "Ana's name"}})
    seed_edit(bo, {0: {"name": "Bo's name"}})

    ana.button(key="registry_save").click().run()
    bo.button(key="registry_save").click().run()

    assert names(engine)["INT-001"] == "Ana's name"
    assert "INT-001 was changed by Ana" in bo.error[0].value
    assert "Reload" in bo.error[0].value


def edit_conflict(bo_edits: dict):
    """Ana and Bo both edit the first row; Ana saves first, so Bo's save is refused. Returns Bo's page."""
    ana, bo = open_page("registry", user="Ana"), open_page("registry", user="Bo")
    seed_edit(ana, {0: {"name": "Ana's name"}})
    seed_edit(bo, bo_edits)
    ana.button(key="registry_save").click().run()
    bo.button(key="registry_save").click().run()
    assert bo.error, "Bo's save should have been refused"
    return bo


def test_the_second_editor_can_overwrite_after_seeing_the_conflict(engine):
    bo = edit_conflict({0: {"name": "Bo's name"}, 2: {"owner": "Bo Berg"}})

    bo.button(key="registry_overwrite").click().run()

    assert not bo.error
    current = {i.id: i for i in load_integrations(engine)}
    assert (current["INT-001"].name, current["INT-003"].owner) == ("Bo's name", "Bo Berg")
    assert [e.actor for e in list_history(engine, entity="integration", entity_id="INT-001", limit=2)] == ["Bo", "Ana"]
    assert bo.button(key="registry_save").disabled  # saved: nothing is pending any more


def test_discarding_after_a_conflict_shows_the_other_persons_change(engine):
    bo = edit_conflict({0: {"name": "Bo's name"}})

    bo.button(key="registry_reload").click().run()

    assert names(engine)["INT-001"] == "Ana's name"
    assert bo.session_state["registry_editor"]["edited_rows"] == {}
    assert bo.session_state["registry_snapshot"]["rows"][0].name == "Ana's name"


def add_quote_sync(at: AppTest) -> None:
    """Type the required fields of "Quote sync" into the Add form and press Add to registry."""
    at.text_input(key="add_name").input("Quote sync")
    at.text_input(key="add_team").input("Sales Ops")
    at.text_input(key="add_source").input("Salesforce")
    at.text_input(key="add_target").input("Stripe")
    at.text_input(key="add_objects").input("Quote")
    next(b for b in at.button if b.label == "Add to registry").click().run()


def test_add_form_adds_a_row(engine):
    at = open_page("registry")

    add_quote_sync(at)

    assert names(engine)["INT-quote-sync"] == "Quote sync"


def test_add_form_refuses_a_row_without_required_fields(engine):
    at = open_page("registry")
    before = names(engine)

    at.text_input(key="add_name").input("Half a row")
    next(b for b in at.button if b.label == "Add to registry").click().run()

    assert shown(at.error[0].value).startswith("Not added. source_system: source_system is required but empty.")
    assert names(engine) == before


def test_settings_are_validated_saved_and_reset(engine):
    at = open_page("settings")

    at.number_input(key="set_horizon").set_value(24)
    next(b for b in at.button if b.label == "Save costs and analysis").click().run()
    assert load_settings(engine).horizon_months == 24

    at.number_input(key="set_rate_low").set_value(500.0)
    next(b for b in at.button if b.label == "Save costs and analysis").click().run()
    assert shown(at.error[0].value).startswith("Not saved: hourly rate must be positive with low <= likely <= high")
    assert load_settings(engine).hourly_rate_low == 150

    at.slider(key="set_weight_overlap").set_value(6.0)
    next(b for b in at.button if b.label == "Save rubric").click().run()
    assert load_saved_rubric(engine).weights["overlap"] == 6.0

    at.checkbox(key="set_reset_confirm").check().run()
    at.button(key="set_reset").click().run()
    assert load_settings(engine).horizon_months == 12
    assert load_saved_rubric(engine).weights["overlap"] == 3.0
    assert load_alias_tables(engine).systems["sfdc"] == "Salesforce"


def test_a_european_excel_upload_says_decimal_comma_and_stores_what_was_typed(engine):
    at = open_page("registry")
    at.file_uploader(key="registry_upload").set_value(
        ("european.csv", (EXAMPLES_DIR / "european_excel_numbers.csv").read_bytes(), "text/csv"))
    at.run()

    assert any(c.value.replace("\\", "").startswith("Numbers read with decimal comma (as in '12,5'), but the file also "
                                                   "writes decimal points") for c in at.caption)
    assert any("could mean 2.5 or 25" in p for p in at.dataframe[0].value["Problem"])
    at.button(key="import_confirm").click().run()
    stored = {i.name: i for i in load_integrations(engine)}
    invoices = stored["Rechnungen Stripe to NetSuite (clôture)"]
    assert (invoices.build_hours.likely, invoices.hourly_rate.likely, invoices.monthly_tool_cost.likely) == (
        12.5, 95.5, 1200)
