"""Diagnostic session persistence on SQLite and PostgreSQL: create, resume, capture, decide, survive a restart."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from core.domain.diagnostic import AgendaStep, Decision, Participant, RaciEntry, Role
from core.domain.rubric import Verdict
from core.errors import SessionError
from core.storage.db import create_db_engine
from core.storage.registry_store import seed_sample_registry
from core.storage.session_store import (
    add_item,
    create_session,
    delete_decision,
    delete_item,
    list_decisions,
    list_items,
    list_sessions,
    load_session,
    save_agenda,
    save_decision,
    save_notes,
    session_version,
    set_participants,
    start_session,
    update_item,
)
from tests.actors import EDITOR, editor

NINE = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
PEOPLE = [Participant("Ana Silva", Role.REVOPS), Participant("Bo Berg", Role.ENGINEERING),
          Participant("Zoë Müller", Role.FINANCE), Participant("Sam Ortiz", Role.PRODUCT_OWNER)]


def merge_decision(**changes) -> Decision:
    values = dict(subject_kind="integration", subject_id="INT-001", verdict=Verdict.MERGE,
                  rationale="Both copies move Opportunity to Stripe; reconciling costs 12 h a month.",
                  raci=(RaciEntry("Bo Berg", "R"), RaciEntry("Ana Silva", "A"), RaciEntry("Zoë Müller", "C")),
                  due_date=date(2026, 3, 15), next_step="Draft the merge plan")
    return Decision(**(values | changes))


@pytest.fixture
def session_id(engine) -> int:
    seed_sample_registry(engine)
    return create_session(engine, "Quote-to-cash duplicates", "Ana Silva", actor=editor("Ana Silva"))


def test_a_new_session_starts_with_the_default_agenda_and_nothing_captured(engine):
    new_id = create_session(engine, "  Quote-to-cash duplicates ", "Ana Silva", actor=EDITOR)

    loaded = load_session(engine, new_id)
    assert (loaded.title, loaded.facilitator, loaded.started_at) == ("Quote-to-cash duplicates", "Ana Silva", None)
    assert [(s.title, s.minutes) for s in loaded.agenda] == [
        ("Context", 5), ("Overlaps", 15), ("Scoring", 15), ("Decisions", 10), ("Owners", 5)]
    assert (loaded.participants, loaded.assumptions, loaded.open_questions, loaded.decisions, loaded.notes) == (
        (), (), (), (), "")


def test_sessions_are_listed_newest_first_with_their_decision_counts(engine, session_id):
    save_decision(engine, session_id, merge_decision(), actor=EDITOR)
    later_id = create_session(engine, "Support tooling", "Bo Berg", actor=EDITOR)

    summaries = list_sessions(engine)

    assert [(s.id, s.decision_count) for s in summaries] == [(later_id, 0), (session_id, 1)]


def test_a_session_needs_a_title_and_a_facilitator(engine):
    with pytest.raises(SessionError) as caught:
        create_session(engine, " ", "", actor=EDITOR)

    assert caught.value.problems == ('Give the session a title, for example "Billing sync duplicates".',
                                     "Name the facilitator who runs the session.")
    assert list_sessions(engine) == []


def test_loading_a_missing_session_names_it(engine):
    with pytest.raises(SessionError, match=r"^Session 7 does not exist\.$"):
        load_session(engine, 7)


def test_starting_sets_the_clock_once_unless_restarted(engine, session_id):
    start_session(engine, session_id, NINE, actor=editor("Ana Silva"))

    with pytest.raises(SessionError, match="already started at 09:00 UTC"):
        start_session(engine, session_id, NINE + timedelta(minutes=3), actor=EDITOR)
    assert load_session(engine, session_id).started_at == NINE

    start_session(engine, session_id, NINE + timedelta(minutes=3), restart=True, actor=EDITOR)
    assert load_session(engine, session_id).started_at == NINE + timedelta(minutes=3)


def test_an_edited_agenda_is_saved_and_an_invalid_one_is_refused(engine, session_id):
    steps = (AgendaStep("Context", 10, "Why we are here"), AgendaStep("Decisions", 20, "Decide"))
    save_agenda(engine, session_id, steps, actor=editor("Ana Silva"))
    version = session_version(engine, session_id)

    with pytest.raises(SessionError) as caught:
        save_agenda(engine, session_id, (AgendaStep("Context", 0), AgendaStep("Long", 300)), actor=EDITOR)

    assert caught.value.problems == ('Step "Context" has 0 minutes: use a whole number from 1 to 120.',
                                     'Step "Long" has 300 minutes: use a whole number from 1 to 120.',
                                     "The agenda lasts 300 minutes: shorten or remove steps to keep it at "
                                     "240 minutes or less.")
    assert load_session(engine, session_id).agenda == steps
    assert session_version(engine, session_id) == version


def test_participants_are_replaced_in_the_order_given(engine, session_id):
    set_participants(engine, session_id, PEOPLE, actor=EDITOR)

    set_participants(engine, session_id, [PEOPLE[2], PEOPLE[0]], actor=EDITOR)

    assert load_session(engine, session_id).participants == (PEOPLE[2], PEOPLE[0])


def test_participants_listed_twice_are_refused_and_the_old_list_kept(engine, session_id):
    set_participants(engine, session_id, PEOPLE, actor=EDITOR)

    with pytest.raises(SessionError, match="Ana Silva is listed twice among the participants"):
        set_participants(engine, session_id, [PEOPLE[0], Participant("ana silva", Role.OTHER)], actor=EDITOR)

    assert load_session(engine, session_id).participants == tuple(PEOPLE)


def test_assumptions_and_questions_are_saved_in_order_as_typed(engine, session_id):
    add_item(engine, session_id, "assumption", "Finance owns invoice numbers", actor=editor("Zoë Müller"))
    question_id = add_item(engine, session_id, "question", "Who is paged when the sync fails?", actor=EDITOR)
    add_item(engine, session_id, "assumption", " Blended rate is $175/h ", actor=EDITOR)

    update_item(engine, question_id, "Who is paged at night when the sync fails?", actor=editor("Bo Berg"))

    loaded = load_session(engine, session_id)
    assert loaded.assumptions == ("Finance owns invoice numbers", "Blended rate is $175/h")
    assert loaded.open_questions == ("Who is paged at night when the sync fails?",)
    question = list_items(engine, session_id, "question")[0]
    assert (question.version, question.updated_by) == (2, "Bo Berg")


def test_an_item_changed_meanwhile_is_not_overwritten(engine, session_id):
    item_id = add_item(engine, session_id, "assumption", "Rate is $150/h", actor=EDITOR)
    seen_version = list_items(engine, session_id)[0].version
    update_item(engine, item_id, "Rate is $175/h", actor=editor("Zoë Müller"), expected_version=seen_version)

    with pytest.raises(SessionError, match='Zoë Müller changed this assumption meanwhile: it now reads "Rate is'):
        update_item(engine, item_id, "Rate is $160/h", actor=editor("Bo Berg"), expected_version=seen_version)

    assert load_session(engine, session_id).assumptions == ("Rate is $175/h",)


def test_empty_items_are_refused_and_deleted_items_are_gone(engine, session_id):
    item_id = add_item(engine, session_id, "question", "Who owns the retry logic?", actor=EDITOR)

    with pytest.raises(SessionError, match="Type the open question first"):
        add_item(engine, session_id, "question", "   ", actor=EDITOR)
    assert delete_item(engine, item_id, actor=EDITOR) is True
    assert delete_item(engine, item_id, actor=EDITOR) is False
    assert load_session(engine, session_id).open_questions == ()


def test_a_valid_decision_is_saved_with_its_raci(engine, session_id):
    decision = merge_decision()

    decision_id = save_decision(engine, session_id, decision, actor=editor("Ana Silva"))

    assert load_session(engine, session_id).decisions == (decision,)
    record = list_decisions(engine, session_id)[0]
    assert (record.id, record.version, record.updated_by, record.decision.accountable) == (
        decision_id, 1, "Ana Silva", "Ana Silva")


def test_a_decision_with_two_accountables_is_refused_and_nothing_is_written(engine, session_id):
    two_accountable = merge_decision(raci=(RaciEntry("Ana Silva", "A"), RaciEntry("Bo Berg", "A")))

    with pytest.raises(SessionError) as caught:
        save_decision(engine, session_id, two_accountable, actor=EDITOR)

    assert caught.value.problems == (
        "Each decision needs exactly one Accountable (A); 2 are set: Ana Silva, Bo Berg. Keep one.",)
    assert list_decisions(engine, session_id) == []


def test_every_problem_of_a_decision_is_reported_at_once(engine, session_id):
    with pytest.raises(SessionError) as caught:
        save_decision(engine, session_id, merge_decision(subject_id="", rationale="", raci=()), actor=EDITOR)

    assert str(caught.value) == (
        "The decision was not saved:\n"
        "- Choose the integration this decision is about.\n"
        "- Write the rationale: why the group chose this verdict.\n"
        "- Each decision needs exactly one Accountable (A); none is set.")
    assert list_decisions(engine, session_id) == []


def test_a_decision_about_an_unknown_integration_is_refused(engine, session_id):
    with pytest.raises(SessionError, match="Integration INT-999 is not in the registry"):
        save_decision(engine, session_id, merge_decision(subject_id="INT-999"), actor=EDITOR)

    assert list_decisions(engine, session_id) == []


def test_a_recorded_decision_can_be_changed_and_deleted(engine, session_id):
    decision_id = save_decision(engine, session_id, merge_decision(), actor=EDITOR)
    cluster = merge_decision(subject_kind="cluster", subject_id="CL-INT-015", verdict=Verdict.CENTRALIZE)

    save_decision(engine, session_id, cluster, decision_id, actor=editor("Sam Ortiz"), expected_version=1)

    [record] = list_decisions(engine, session_id)
    assert (record.decision, record.version, record.updated_by) == (cluster, 2, "Sam Ortiz")
    assert delete_decision(engine, decision_id, actor=EDITOR) is True
    assert list_decisions(engine, session_id) == []


def test_a_decision_changed_meanwhile_is_not_overwritten(engine, session_id):
    decision_id = save_decision(engine, session_id, merge_decision(), actor=EDITOR)
    save_decision(engine, session_id, merge_decision(verdict=Verdict.HOLD), decision_id, actor=editor("Sam Ortiz"),
                  expected_version=1)

    with pytest.raises(SessionError, match="Sam Ortiz changed this decision meanwhile"):
        save_decision(engine, session_id, merge_decision(verdict=Verdict.RETIRE), decision_id, expected_version=1,
                      actor=EDITOR)

    assert list_decisions(engine, session_id)[0].decision.verdict is Verdict.HOLD


def test_writes_to_a_missing_session_are_refused(engine):
    with pytest.raises(SessionError, match=r"^Session 42 does not exist\.$"):
        add_item(engine, 42, "assumption", "Anything", actor=EDITOR)
    with pytest.raises(SessionError, match=r"^Session 42 does not exist\.$"):
        save_notes(engine, 42, "Anything", actor=EDITOR)


def test_everything_is_still_there_after_a_server_restart(engine, database_url, session_id):
    set_participants(engine, session_id, PEOPLE, actor=editor("Ana Silva"))
    start_session(engine, session_id, NINE, actor=EDITOR)
    add_item(engine, session_id, "assumption", "Finance owns invoice numbers", actor=EDITOR)
    add_item(engine, session_id, "question", "Who is paged at night?", actor=EDITOR)
    save_decision(engine, session_id, merge_decision(), actor=EDITOR)
    save_notes(engine, session_id, "Revisit the ETL cluster next quarter.", actor=EDITOR)
    before = load_session(engine, session_id)
    engine.dispose()

    restarted = create_db_engine(database_url)
    try:
        after = load_session(restarted, session_id)
    finally:
        restarted.dispose()

    assert after == before
    assert after.started_at == NINE
    assert after.participants == tuple(PEOPLE)
    assert after.decisions[0].raci[1] == RaciEntry("Ana Silva", "A")
