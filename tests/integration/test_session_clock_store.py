"""The meeting clock saved on the session row (SQLite and PostgreSQL): every screen and a refresh read the same."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.domain.diagnostic import AgendaStep, Participant, Role
from core.domain.session_clock import agenda_progress
from core.errors import PermissionDenied, SessionError
from core.storage.audit import list_history
from core.storage.session_clock_store import add_minutes, load_clock, next_step, pause_session, resume_session
from core.storage.session_store import (add_item, create_session, load_session, save_agenda, save_notes,
    set_participants, start_session, update_item)
from tests.actors import EDITOR, VIEWER, editor

NINE = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def minutes(n: float) -> datetime:
    return NINE + timedelta(seconds=round(n * 60))


@pytest.fixture
def session_id(engine) -> int:
    return create_session(engine, "Quote-to-cash duplicates", "Ana Silva", actor=editor("Ana Silva"))


def test_pause_resume_and_next_step_are_saved_and_read_back_the_same(engine, session_id):
    start_session(engine, session_id, NINE, actor=EDITOR)
    pause_session(engine, session_id, minutes(3), actor=EDITOR)
    resume_session(engine, session_id, minutes(13), actor=EDITOR)
    next_step(engine, session_id, minutes(15), actor=EDITOR)

    agenda, clock = load_clock(engine, session_id)
    progress = agenda_progress(agenda, clock, minutes(16))

    assert load_session(engine, session_id).clock == clock
    assert (clock.paused_seconds, clock.step_index, clock.step_started_second) == (600, 1, 300)
    assert progress.current.title == "Overlaps"
    assert progress.current.remaining_seconds == 14 * 60
    assert progress.elapsed_seconds == 6 * 60


def test_five_more_minutes_lengthen_the_current_step_in_the_saved_agenda(engine, session_id):
    start_session(engine, session_id, NINE, actor=EDITOR)
    next_step(engine, session_id, minutes(5), actor=EDITOR)

    add_minutes(engine, session_id, 5, actor=EDITOR)

    assert [s.minutes for s in load_session(engine, session_id).agenda] == [5, 20, 15, 10, 5]


def test_restarting_puts_the_clock_back_on_the_first_step_running(engine, session_id):
    start_session(engine, session_id, NINE, actor=EDITOR)
    next_step(engine, session_id, minutes(2), actor=EDITOR)
    pause_session(engine, session_id, minutes(3), actor=EDITOR)

    start_session(engine, session_id, minutes(10), actor=EDITOR, restart=True)

    clock = load_session(engine, session_id).clock
    assert (clock.started_at, clock.paused_at, clock.step_index, clock.paused_seconds) == (minutes(10), None, 0, 0)


@pytest.mark.parametrize("action", [
    pytest.param(lambda e, s: pause_session(e, s, NINE, actor=EDITOR), id="pause"),
    pytest.param(lambda e, s: next_step(e, s, NINE, actor=EDITOR), id="next-step"),
])
def test_the_clock_cannot_be_run_before_the_start(engine, session_id, action):
    with pytest.raises(SessionError, match="has not started yet"):
        action(engine, session_id)


def test_a_viewer_cannot_run_the_clock(engine, session_id):
    start_session(engine, session_id, NINE, actor=EDITOR)

    with pytest.raises(PermissionDenied):
        pause_session(engine, session_id, minutes(1), actor=VIEWER)
    assert load_session(engine, session_id).clock.paused_at is None


def test_every_clock_change_is_in_the_history_with_who_made_it(engine, session_id):
    start_session(engine, session_id, NINE, actor=editor("Ana Silva"))
    pause_session(engine, session_id, minutes(1), actor=editor("Bo Berg"))

    latest = list_history(engine, entity="session", entity_id=session_id)[0]

    assert latest.actor == "Bo Berg"
    assert latest.summary.startswith(f"Paused the clock of session {session_id}")


@pytest.mark.parametrize("save_again", [
    pytest.param(lambda e, s, i: save_notes(e, s, "Owen checks the invoices", actor=EDITOR), id="notes"),
    pytest.param(lambda e, s, i: update_item(e, i, "Finance owns Stripe", actor=EDITOR), id="assumption"),
    pytest.param(lambda e, s, i: set_participants(e, s, [Participant("Ana", Role.REVOPS)], actor=EDITOR),
                 id="participants"),
    pytest.param(lambda e, s, i: save_agenda(e, s, [AgendaStep("Context", 30)], actor=EDITOR), id="agenda"),
])
def test_saving_what_is_already_saved_logs_nothing(engine, session_id, save_again):
    save_notes(engine, session_id, "Owen checks the invoices", actor=EDITOR)
    item_id = add_item(engine, session_id, "assumption", "Finance owns Stripe", actor=EDITOR)
    set_participants(engine, session_id, [Participant("Ana", Role.REVOPS)], actor=EDITOR)
    save_agenda(engine, session_id, [AgendaStep("Context", 30)], actor=EDITOR)
    before = list_history(engine)

    save_again(engine, session_id, item_id)

    assert list_history(engine) == before
