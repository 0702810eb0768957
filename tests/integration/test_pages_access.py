"""Pages through AppTest: local and team mode, what a viewer sees, the History page, settings saved by two people."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.domain.access import RoleMapping
from core.domain.diagnostic import Decision, RaciEntry
from core.domain.registry_edit import RegistryChanges
from core.domain.rubric import Verdict
from core.storage.audit import list_history
from core.storage.registry_store import (
    apply_registry_changes,
    load_integration_versions,
    load_integrations,
)
from core.storage.settings_store import load_settings, save_role_mapping
from pages._style import PROJECTOR_STORE
from tests.actors import ADMIN, editor
from tests.shown import shown

APP = str(Path(__file__).resolve().parents[2] / "app.py")
VIEWER_USER = {"is_logged_in": True, "email": "vic@example.com", "name": "Vic"}


# Every test drives the app on its own fresh database, the sample registry loaded before the first page
# run; ``engine`` opens the same database the way the CLI would.
pytestmark = pytest.mark.usefixtures("routed_by_app_py", "app_database", "sample_registry")


def open_page(page: str, *, name: str | None = "Ana", user: dict | None = None) -> AppTest:
    """Local mode with a name typed in the sidebar, or team mode when ``user`` (st.user) is given."""
    at = AppTest.from_file(APP, default_timeout=60)
    if user is not None:
        at.user = user
    elif name is not None:
        at.session_state["user_name"] = name
    at.switch_page(f"pages/{page}.py")
    return at.run()


def sidebar_captions(at: AppTest) -> list[str]:
    return [shown(c.value) for c in at.sidebar.caption]


# ---------------------------------------------------------------- local and team mode

def test_local_mode_asks_a_name_and_says_it_is_single_user(engine):
    at = open_page("registry")

    assert not at.exception
    assert at.sidebar.text_input(key="user_name").value == "Ana"
    assert "Local mode: single user" in sidebar_captions(at)
    assert at.button(key="registry_save")  # the local user edits everything


def test_team_mode_without_sign_in_shows_only_the_sign_in_screen(engine):
    at = open_page("registry", user={"is_logged_in": False})

    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.subheader and not at.dataframe


def test_on_a_projector_a_viewer_is_offered_every_column_not_editing(engine):
    at = AppTest.from_file(APP, default_timeout=60)
    at.user = VIEWER_USER
    at.session_state[PROJECTOR_STORE] = True
    at.switch_page("pages/registry.py")
    at.run()

    assert at.toggle(key="registry_edit_in_grid").label == "Show every column"
    assert at.table and not at.dataframe
    at.toggle(key="registry_edit_in_grid").set_value(True).run()
    assert at.dataframe and "registry_editor" not in at.session_state  # every column, still read-only


def test_a_viewer_sees_the_registry_without_any_edit_control(engine):
    at = open_page("registry", user=VIEWER_USER)

    assert not at.exception
    assert at.subheader[0].value == "67 of 67 integrations"
    assert "Signed in as **vic@example.com** · viewer" in sidebar_captions(at)
    assert not at.sidebar.text_input  # no "Your name" in team mode
    assert [b.label for b in at.sidebar.button] == ["Log out"]
    assert "you can look but not upload, add, edit or delete integrations" in at.info[0].value
    assert not at.file_uploader
    labels = {b.label for b in at.button}
    assert not labels & {"Save changes", "Discard edits", "Add to registry", "Load the sample registry"}
    assert "registry_editor" not in at.session_state  # a read-only table, not the editor
    assert at.get("download_button")  # exporting is reading


def test_an_editor_from_the_role_mapping_gets_the_edit_controls(engine):
    save_role_mapping(engine, RoleMapping.from_lists([], ["vic@example.com"]), actor=ADMIN, expected_version=None)

    at = open_page("registry", user=VIEWER_USER)

    assert "Signed in as **vic@example.com** · editor" in sidebar_captions(at)
    assert at.button(key="registry_save")
    assert not at.info


def test_an_email_the_provider_has_not_verified_gets_no_role_whatever_the_mapping_says(engine, monkeypatch):
    save_role_mapping(engine, RoleMapping.from_lists([], ["vic@example.com"]), actor=ADMIN, expected_version=None)
    monkeypatch.setenv("IGOV_ADMINS", "vic@example.com")

    at = open_page("registry", user={**VIEWER_USER, "email_verified": False})

    assert "Signed in as **vic@example.com** · viewer" in sidebar_captions(at)
    assert ("Your sign-in provider has not verified this e-mail address, so it is given no role: verify it with the "
            "provider, then sign in again.") in sidebar_captions(at)
    assert not {b.label for b in at.button} & {"Save changes", "Add to registry"}


@pytest.mark.parametrize("page", ["overview", "overlaps", "tco", "registry", "history", "score", "session", "settings"])
def test_a_viewer_can_open_every_page(engine, page):
    at = open_page(page, user=VIEWER_USER)

    assert not at.exception
    assert not at.error


def test_a_viewer_sees_a_session_without_edit_controls(engine):
    from core.storage.session_store import add_item, create_session, save_decision

    session_id = create_session(engine, "Billing duplicates", "Ana", actor=ADMIN)
    add_item(engine, session_id, "question", "Who owns it?", actor=ADMIN)
    save_decision(engine, session_id, Decision("integration", "INT-001", Verdict.MERGE, "Same data twice.",
                                               (RaciEntry("Ana", "A"),)), actor=ADMIN)
    at = AppTest.from_file(APP, default_timeout=60)
    at.user = VIEWER_USER
    at.query_params["session"] = str(session_id)
    at.switch_page("pages/session.py").run()

    assert not at.exception
    assert "you can look but not create sessions" in at.info[0].value
    labels = {b.label for b in at.button}
    assert not labels & {"Start session", "Save participants", "Save agenda", "Record decision"}
    assert at.button(key="create_session").disabled
    assert at.text_input(key=next(k for k in at.session_state if str(k).startswith("item_"))).disabled
    assert not any(str(b.key).startswith(("edit_decision_", "delete_item_")) for b in at.button)


def test_a_viewer_cannot_save_settings_and_sees_why(engine):
    at = open_page("settings", user=VIEWER_USER)

    assert not at.exception
    assert "you can look but not change settings: only admins can" in at.info[0].value
    assert all(b.disabled for b in at.button if b.label.startswith(("Save", "Reset")))


def test_a_viewer_edit_forced_through_the_session_state_writes_nothing(engine):
    at = open_page("registry", user=VIEWER_USER)
    before = load_integrations(engine)

    at.session_state["registry_editor"] = {"edited_rows": {0: {"name": "Vic's name"}}, "added_rows": [],
                                           "deleted_rows": []}
    at.run()

    assert not any(b.key == "registry_save" for b in at.button)
    assert load_integrations(engine) == before


# ---------------------------------------------------------------- history

def test_the_history_page_lists_filters_and_compares_changes(engine):
    first = load_integrations(engine)[0]
    apply_registry_changes(engine, RegistryChanges(changed=[first.with_changes(name="Renamed")]),
                           load_integration_versions(engine), actor=editor("Bo"))

    at = open_page("history")

    assert not at.exception
    table = at.dataframe[0].value
    assert list(table.columns) == ["#", "When", "Who", "Role", "Action", "What", "Id", "Summary"]
    assert table.iloc[0]["Who"] == "Bo" and table.iloc[0]["Summary"] == "Changed INT-001 (Renamed): name."
    assert len(table) == 68  # the seeded sample (67 added) and Bo's edit

    at.text_input(key="history_actor").input("bo").run()
    assert len(at.dataframe[0].value) == 1
    at.selectbox(key="history_entry").select(at.dataframe[0].value.iloc[0]["#"]).run()
    change = at.dataframe[1].value  # field by field, in words
    assert change.to_dict("records") == [{"Field": "Name", "Before": first.name, "After": "Renamed"}]
    assert table.iloc[0]["When"].endswith(" UTC")  # the time zone is said (AppTest's browser gives none: UTC)

    at.selectbox(key="history_action").select("delete").run()
    assert at.info[0].value == "No change matches these filters."


def test_the_registry_page_shows_the_history_of_one_integration(engine):
    first = load_integrations(engine)[0]
    apply_registry_changes(engine, RegistryChanges(changed=[first.with_changes(owner="Bo")]),
                           load_integration_versions(engine), actor=editor("Bo"))
    at = open_page("registry")

    at.selectbox(key="registry_history_id").select(first.id).run()

    history = at.dataframe[-1].value
    assert list(history["Action"]) == ["update", "create"]
    assert list(history["Who"]) == ["Bo", "sample data"]


# ---------------------------------------------------------------- two people saving settings

def save_costs(at: AppTest) -> AppTest:
    next(b for b in at.button if b.label == "Save costs and analysis").click()
    return at.run()


def test_the_second_of_two_settings_saves_is_refused_with_who_and_when_then_can_overwrite(engine):
    ana, bo = open_page("settings", name="Ana"), open_page("settings", name="Bo")

    ana.number_input(key="set_horizon").set_value(24)
    save_costs(ana)
    bo.number_input(key="set_horizon").set_value(36)
    save_costs(bo)

    assert load_settings(engine).horizon_months == 24
    [saved] = list_history(engine, entity="setting")
    message = bo.error[0].value
    assert message.startswith(f"The cost and analysis settings were changed by Ana at {saved.at:%Y-%m-%d %H:%M} (UTC)")
    assert "reload to see theirs, or overwrite them with yours" in message

    bo.button(key="conflict_overwrite_settings").click().run()

    assert load_settings(engine).horizon_months == 36
    assert not bo.error
    assert [e.actor for e in list_history(engine, entity="setting")] == ["Bo", "Ana"]
    save_costs(ana.number_input(key="set_horizon").set_value(48).run())  # Ana's page is now out of date
    assert "changed by Bo at" in ana.error[0].value


def test_reload_after_a_conflict_shows_the_saved_values(engine):
    ana, bo = open_page("settings", name="Ana"), open_page("settings", name="Bo")
    ana.number_input(key="set_horizon").set_value(24)
    save_costs(ana)
    bo.number_input(key="set_horizon").set_value(36)
    save_costs(bo)

    bo.button(key="conflict_reload_settings").click().run()

    assert bo.number_input(key="set_horizon").value == 24
    assert not bo.error
    bo.number_input(key="set_horizon").set_value(30)
    save_costs(bo)
    assert load_settings(engine).horizon_months == 30


def test_a_settings_page_opened_again_after_someone_saved_does_not_conflict(engine):
    ana = open_page("settings", name="Ana")
    bo = open_page("settings", name="Bo")
    ana.number_input(key="set_horizon").set_value(24)
    save_costs(ana)

    bo.switch_page("pages/registry.py").run()
    bo.switch_page("pages/settings.py").run()  # the widgets are created again from the saved values
    assert bo.number_input(key="set_horizon").value == 24
    bo.number_input(key="set_horizon").set_value(30)
    save_costs(bo)

    assert not bo.error
    assert load_settings(engine).horizon_months == 30
