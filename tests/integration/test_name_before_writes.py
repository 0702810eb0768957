"""No change is recorded as nobody in particular: every page that writes asks for the person's name first.

Each case opens a page in local mode with no name (no ``?who=``, nothing typed), tries the page's write, and
checks that it was refused in plain words with nothing recorded; then types the name into the page's own
"Who is at the keyboard?" box and checks that the same write lands, recorded under that name.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.domain.diagnostic import Decision, RaciEntry
from core.domain.rubric import Verdict
from core.services.database import open_database
from core.storage.audit import list_history
from core.storage.registry_store import write_integrations
from core.storage.scoring_store import list_scorings
from core.storage.session_store import create_session, save_decision
from tests.actors import editor
from tests.integration.test_pages_registry import add_quote_sync
from tests.shown import shown

APP = str(Path(__file__).resolve().parents[2] / "app.py")
NAME = "Ana Lima"

# Through app.py on every run, as on a server: the sidebar's "Your name" is drawn on each run.
pytestmark = pytest.mark.usefixtures("routed_by_app_py", "app_database")


def save_scoring(at: AppTest) -> None:
    at.button(key="score_save").click().run()


def save_costs(at: AppTest) -> None:
    at.number_input(key="set_horizon").set_value(24)
    next(b for b in at.button if b.label == "Save costs and analysis").click().run()


def load_sample(at: AppTest) -> None:
    at.button(key="load_sample").click().run()


def keep_another(at: AppTest) -> None:
    box = at.selectbox(key="survivor_CL-INT-015")
    box.set_value(next(o for o in box.options if not o.startswith(str(box.value)))
                  .split(" · ")[0]).run()


def pick_the_decision(at: AppTest) -> None:
    box = at.selectbox(key="decisions_chosen")
    box.set_value(box.options[0] if not isinstance(box.value, int) else box.value).run()


def mark_in_progress(at: AppTest) -> None:
    [group] = [g for g in at.button_group if str(g.key).startswith("decision_status_")]
    group.set_value("in-progress").run()


def empty_registry(url: str) -> None:
    write_integrations(open_database(url, seed_sample=True), [], "replace", actor=editor("test"))


def one_decision(url: str) -> None:
    engine = open_database(url, seed_sample=True)
    ana = editor("Bo Berg")
    session_id = create_session(engine, "Quote-to-cash", "Bo Berg", actor=ana)
    save_decision(engine, session_id, Decision("cluster", "CL-INT-004", Verdict.MERGE, "Same invoices twice",
                                               (RaciEntry("Bo Berg", "A"),), date.today() + timedelta(days=30),
                                               "Plan the merge"), actor=ana)


def select_int_027(at: AppTest) -> None:
    at.selectbox(key="score_integration").select("INT-027").run()


def changes_recorded(engine) -> list[str]:
    """Who made each recorded change, newest first."""
    return [e.actor for e in list_history(engine, limit=None)]


def scorings_saved(engine) -> list[str]:
    """Who saved each scoring of INT-027, newest first (scorings keep their own record, not the History)."""
    return [s.scored_by for s in list_scorings(engine, "INT-027")]


# page, set-up before the page opens, done on the page before the write, the write, who is on record
CASES = [
    pytest.param("registry", None, None, add_quote_sync, changes_recorded, id="registry-add"),
    pytest.param("score", None, select_int_027, save_scoring, scorings_saved, id="score-save"),
    pytest.param("settings", None, None, save_costs, changes_recorded, id="settings-save"),
    pytest.param("overview", empty_registry, None, load_sample, changes_recorded, id="overview-load-sample"),
    pytest.param("overlaps", None, None, keep_another, changes_recorded, id="overlaps-keep-another"),
    pytest.param("decisions", one_decision, pick_the_decision, mark_in_progress, changes_recorded,
                 id="decisions-status"),
]


@pytest.mark.parametrize(("page", "set_up", "prepare", "write", "on_record"), CASES)
def test_a_write_waits_for_a_name_then_is_recorded_under_it(app_database, page, set_up, prepare, write, on_record):
    if set_up:
        set_up(app_database)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()  # the app's first run migrates and seeds the database, as on a server
    at.switch_page(f"pages/{page}.py").run()
    engine = open_database(app_database)
    if prepare:
        prepare(at)
    before = on_record(engine)

    assert at.text_input(key="name_prompt")  # asked at the top of the page, before anything is written
    write(at)

    assert not at.exception
    refusals = [shown(e.value) for e in at.error]
    assert any("Type your name" in r and "Nothing was saved" in r for r in refusals), refusals
    assert on_record(engine) == before

    at.text_input(key="name_prompt").input(NAME).run()
    assert not [t for t in at.text_input if t.key == "name_prompt"]  # answered: the box goes away
    if prepare:
        prepare(at)
    write(at)

    assert not at.exception
    assert not at.error, [shown(e.value) for e in at.error]
    after = on_record(engine)
    assert len(after) > len(before)
    assert set(after[: len(after) - len(before)]) == {NAME}
