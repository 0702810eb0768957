"""The Diagnostic session page driven through Streamlit's AppTest on a fresh database."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Selectbox

from tests.shown import shown

from core.domain.access import system_actor
from core.domain.diagnostic import Participant, RaciEntry, Role
from core.domain.rubric import Verdict
from core.storage.session_store import (
    list_decisions,
    list_items,
    list_sessions,
    load_session,
    set_participants,
)

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/session.py"
NO_ACCOUNTABLE = "Each decision needs exactly one Accountable (A); none is set."
ANA, BO = Participant("Ana Silva", Role.REVOPS), Participant("Bo Berg", Role.ENGINEERING)


# Every test drives the app on its own fresh database; ``engine`` opens it the way the CLI would.
pytestmark = pytest.mark.usefixtures("app_database")


def open_page(who: str | None = "Ana Silva", **query_params: str) -> AppTest:
    """The page through the app's router, as a link with ``?who=<name>`` opens it (``who=None``: no name yet)."""
    at = AppTest.from_file(APP, default_timeout=30)
    if who is not None:
        at.query_params["who"] = who
    at.run()
    for name, value in query_params.items():
        at.query_params[name] = value
    return at.switch_page(PAGE).run()


def create_session_through_page(at: AppTest, title: str = "Quote-to-cash duplicates") -> AppTest:
    at.text_input(key="new_session_title").input(title)
    at.text_input(key="new_session_facilitator").input("Ana Silva")
    return at.button(key="create_session").click().run()


def decision_key(at: AppTest, name: str) -> str:
    """Decision widgets carry the form round in their key, so a recorded decision leaves an empty form."""
    return f"decision_{name}_{at.session_state['decision_form_round']}"


def with_participants(at: AppTest, engine, *people: Participant) -> AppTest:
    """Seed the room the way the Participants grid saves it, then rerun so the RACI pickers offer them."""
    set_participants(engine, at.session_state["diagnostic_session_id"], list(people), actor=system_actor("Ana Silva"))
    return at.run()


def pick_raci(at: AppTest, accountable: str | None = None, **letters: list[str]) -> AppTest:
    """Choose the Accountable and the R / C / I people (keyword R=, C=, I=) in the decision form."""
    if accountable is not None:
        at.selectbox(key=decision_key(at, "accountable")).select(accountable)
    for letter, people in letters.items():
        at.multiselect(key=decision_key(at, f"raci_{letter}")).set_value(people)
    return at


def fill_decision(at: AppTest, accountable: str | None = None, **letters: list[str]) -> AppTest:
    at.selectbox(key=decision_key(at, "integration")).select("INT-001")
    at.selectbox(key=decision_key(at, "verdict")).select(Verdict.MERGE)
    at.text_area(key=decision_key(at, "rationale")).input("Both copies move Opportunity data to Stripe.")
    at.text_input(key=decision_key(at, "next_step")).input("Draft the merge plan")
    return pick_raci(at, accountable, **letters)


def test_without_a_session_the_page_explains_how_to_start():
    at = open_page()

    assert not at.exception
    assert "Create session" in at.info[0].value


def test_creating_a_session_selects_it_and_puts_it_in_the_url(engine):
    at = open_page()

    create_session_through_page(at)

    assert not at.exception
    [summary] = list_sessions(engine)
    assert at.session_state["diagnostic_session_id"] == summary.id
    assert at.query_params["session"] == str(summary.id)
    assert at.subheader[0].value == "Quote-to-cash duplicates"
    assert at.get("download_button") == []  # built only when asked for
    at.button(key="memo_prepare").click().run()
    downloads = at.get("download_button")
    assert [d.proto.label for d in downloads] == ["Export memo (PDF)", "Export memo (Markdown, for a wiki)"]
    assert downloads[0].proto.url  # the bytes are on the page, kept while the clock redraws


def test_creating_a_session_without_a_title_explains_what_is_missing(engine):
    at = open_page()

    at.text_input(key="new_session_facilitator").input("Ana Silva")
    at.button(key="create_session").click().run()

    assert [e.value for e in at.error] == [
        'The session was not created: Give the session a title, for example "Billing sync duplicates".']
    assert list_sessions(engine) == []


def test_a_refresh_resumes_the_session_named_in_the_url(engine):
    first = create_session_through_page(open_page(), "Billing sync duplicates")
    session_id = first.session_state["diagnostic_session_id"]

    refreshed = open_page(session=str(session_id))

    assert not refreshed.exception
    assert refreshed.session_state["diagnostic_session_id"] == session_id
    assert refreshed.subheader[0].value == "Billing sync duplicates"


def test_an_unknown_session_in_the_url_is_named_and_not_opened():
    at = open_page(session="7")

    assert at.warning[0].value.startswith("Session 7 does not exist.")
    assert at.session_state["diagnostic_session_id"] is None


def test_an_assumption_typed_is_saved_at_once(engine):
    at = create_session_through_page(open_page())
    session_id = at.session_state["diagnostic_session_id"]

    at.text_input(key="new_assumption").input("Finance owns the invoice numbers").run()

    assert not at.exception
    assert load_session(engine, session_id).assumptions == ("Finance owns the invoice numbers",)
    assert at.text_input(key="new_assumption").value == ""


def test_editing_an_open_question_saves_the_new_text(engine):
    at = create_session_through_page(open_page())
    session_id = at.session_state["diagnostic_session_id"]
    at.text_input(key="new_question").input("Who is paged?").run()
    item_key = next(w.key for w in at.text_input if w.key and w.key.startswith("item_"))

    at.text_input(key=item_key).input("Who is paged at night when the sync fails?").run()

    assert load_session(engine, session_id).open_questions == ("Who is paged at night when the sync fails?",)


def test_starting_the_session_starts_the_clock(engine):
    at = create_session_through_page(open_page())
    session_id = at.session_state["diagnostic_session_id"]

    at.button(key="start_session").click().run()

    assert not at.exception
    assert load_session(engine, session_id).started_at is not None


def test_a_decision_recorded_through_the_form_is_saved_with_its_raci(engine):
    at = create_session_through_page(open_page())
    session_id = at.session_state["diagnostic_session_id"]
    with_participants(at, engine, ANA, BO)
    fill_decision(at, "Ana Silva", R=["Bo Berg"])

    at.button(key=decision_key(at, "submit")).click().run()

    assert not at.exception
    assert not at.error
    [record] = list_decisions(engine, session_id)
    assert (record.decision.subject_kind, record.decision.subject_id, record.decision.verdict) == (
        "integration", "INT-001", Verdict.MERGE)
    assert record.decision.rationale == "Both copies move Opportunity data to Stripe."
    assert record.decision.raci == (RaciEntry("Ana Silva", "A"), RaciEntry("Bo Berg", "R"))
    assert record.decision.next_step == "Draft the merge plan"
    assert at.text_area(key=decision_key(at, "rationale")).value == ""


def test_a_decision_without_an_accountable_shows_an_error_and_writes_nothing(engine):
    at = create_session_through_page(open_page())
    session_id = at.session_state["diagnostic_session_id"]
    with_participants(at, engine, ANA, BO)
    fill_decision(at, R=["Bo Berg"])

    at.button(key=decision_key(at, "submit")).click().run()

    assert not at.exception
    assert [e.value for e in at.error] == [f"The decision was not saved: {NO_ACCOUNTABLE}"]
    assert list_decisions(engine, session_id) == []
    assert at.text_area(key=decision_key(at, "rationale")).value == "Both copies move Opportunity data to Stripe."


def test_participants_typed_line_by_line_are_saved_at_once_and_fill_the_raci(engine):
    at = create_session_through_page(open_page())
    session_id = at.session_state["diagnostic_session_id"]

    at.selectbox(key="new_person_role").select(Role.REVOPS)
    at.text_input(key="new_person_name").input("Ana Silva").run()
    at.selectbox(key="new_person_role").select(Role.FINANCE)
    at.text_input(key="new_person_name").input("Zoë Müller").run()

    assert not at.exception
    assert [(p.name, p.role.label) for p in load_session(engine, session_id).participants] == [
        ("Ana Silva", "RevOps"), ("Zoë Müller", "Finance")]
    assert at.selectbox(key=decision_key(at, "accountable")).options == ["Ana Silva", "Zoë Müller"]
    assert at.multiselect(key=decision_key(at, "raci_I")).options == ["Ana Silva", "Zoë Müller"]
    assert not [b for b in at.button if b.key in ("save_participants", "save_agenda")]  # saved as entered


# --- a live meeting on a shared screen ------------------------------------------------------------

def test_without_a_name_the_page_asks_for_it_and_refuses_to_write(engine):
    at = open_page(who=None)
    assert at.text_input(key="name_prompt")  # asked before anything is written

    create_session_through_page(at)

    assert [e.value for e in at.error] == [
        "Type your name under **Your name** first: every change is recorded with who made it. Nothing was saved."]
    assert list_sessions(engine) == []


def test_a_name_typed_in_the_prompt_is_the_one_recorded(engine):
    at = open_page(who=None)
    at.text_input(key="name_prompt").input("Zoë Müller").run()

    create_session_through_page(at)

    [summary] = list_sessions(engine)
    assert summary.updated_by == "Zoë Müller"


def test_the_name_in_the_address_is_recorded_with_every_change(engine):
    at = create_session_through_page(open_page(who="Bo Berg"))

    at.text_input(key="new_assumption").input("Finance owns the invoice numbers").run()

    [item] = list_items(engine, at.session_state["diagnostic_session_id"])
    assert item.updated_by == "Bo Berg"


def test_a_picker_value_the_page_no_longer_offers_keeps_the_session_open(engine, monkeypatch):
    at = create_session_through_page(open_page(), "Billing sync duplicates")
    session_id = at.session_state["diagnostic_session_id"]
    # What a browser sends when the label it holds changed meanwhile: a string that matches no session.
    offered = Selectbox._widget_state

    def stale_label(self):
        if self.key != "session_picker":
            return offered.fget(self)
        return WidgetState(id=self.id, string_value="Billing sync duplicates · Ana Silva · 0 decisions")

    monkeypatch.setattr(Selectbox, "_widget_state", property(stale_label))
    at.run()

    assert not at.exception
    assert at.session_state["diagnostic_session_id"] == session_id
    assert at.subheader[0].value == "Billing sync duplicates"
    assert at.query_params["session"] == str(session_id)


def test_the_picker_labels_hold_nothing_that_changes_during_a_meeting(engine):
    at = create_session_through_page(open_page(), "Billing sync duplicates")
    label_before = at.selectbox(key="session_picker").options
    with_participants(at, engine, ANA, BO)
    fill_decision(at, "Ana Silva")
    at.button(key=decision_key(at, "submit")).click().run()

    assert len(list_decisions(engine, at.session_state["diagnostic_session_id"])) == 1
    assert at.selectbox(key="session_picker").options == label_before


def test_pause_resume_next_step_and_five_more_minutes_from_the_page(engine):
    at = create_session_through_page(open_page())
    session_id = at.session_state["diagnostic_session_id"]
    at.button(key="start_session").click().run()

    at.button(key="pause_clock").click().run()
    assert load_session(engine, session_id).clock.paused_at is not None
    at.button(key="resume_clock").click().run()
    at.button(key="next_step").click().run()
    at.button(key="add_minutes").click().run()

    saved = load_session(engine, session_id)
    assert not at.exception
    assert (saved.clock.paused_at, saved.clock.step_index) == (None, 1)
    assert [s.minutes for s in saved.agenda] == [5, 20, 15, 10, 5]


def test_moving_on_early_shows_the_time_given_back_beside_the_one_planned_end(engine):
    at = create_session_through_page(open_page())
    at.button(key="start_session").click().run()

    at.button(key="next_step").click().run()  # seconds into a 5-minute first step

    timer = at.get("html")[0].proto.body
    spare = re.search(r"ends \d\d:\d\d · (\d\d):(\d\d) to spare", timer)
    assert spare and 4 * 60 + 50 <= int(spare[1]) * 60 + int(spare[2]) <= 5 * 60


@pytest.mark.parametrize("minutes", [30, 45, 60])
def test_an_agenda_template_is_saved_with_one_click(engine, minutes):
    at = create_session_through_page(open_page())

    at.button(key=f"agenda_template_{minutes}").click().run()

    agenda = load_session(engine, at.session_state["diagnostic_session_id"]).agenda
    assert sum(s.minutes for s in agenda) == minutes


def test_a_step_edited_in_its_field_is_saved_and_a_long_agenda_is_warned_about(engine):
    at = create_session_through_page(open_page())
    session_id = at.session_state["diagnostic_session_id"]

    at.number_input(key=f"step_{session_id}_0_0_minutes").set_value(20).run()

    assert [s.minutes for s in load_session(engine, session_id).agenda] == [20, 15, 15, 10, 5]
    assert any("The agenda runs 65 minutes" in w.value for w in at.warning)


def test_missing_roles_are_named_until_all_four_are_in_the_room(engine):
    at = create_session_through_page(open_page())
    assert any("Not at the table yet: RevOps, Engineering, Finance, Product owner" in w.value for w in at.warning)

    with_participants(at, engine, ANA, BO, Participant("Zoë Müller", Role.FINANCE),
                      Participant("Sam Ortiz", Role.PRODUCT_OWNER))

    assert not any("Not at the table yet" in w.value for w in at.warning)


def test_a_cluster_is_picked_by_its_route_and_its_card_shows_the_route_and_recommendation(engine):
    at = create_session_through_page(open_page())
    session_id = at.session_state["diagnostic_session_id"]
    with_participants(at, engine, ANA, BO)
    at.button_group(key=decision_key(at, "kind")).set_value("cluster").run()
    picker = at.selectbox(key=decision_key(at, "cluster"))
    label = next(o for o in picker.options if o.startswith("Salesforce → Stripe"))
    assert "(INT-015, INT-019, INT-027, …)" in label

    picker.select("CL-INT-015")
    at.selectbox(key=decision_key(at, "verdict")).select(Verdict.CENTRALIZE)
    at.text_area(key=decision_key(at, "rationale")).input("Four teams sync Opportunity to Stripe.")
    pick_raci(at, "Ana Silva")
    at.button(key=decision_key(at, "submit")).click().run()

    [record] = list_decisions(engine, session_id)
    assert (record.decision.subject_kind, record.decision.subject_id) == ("cluster", "CL-INT-015")
    card = " ".join(shown(m.value) for m in at.markdown)
    assert f"{label} · CL-INT-015" in card
    assert "Recommended: Centralize. Centralize: keep INT-015" in card
