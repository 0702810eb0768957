"""The meeting clock: pause and resume, next step, +5 min, the timers it drives, templates and set-up warnings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.domain.diagnostic import AgendaStep, Clock, Participant, Role, format_clock, validate_agenda
from core.domain.session_clock import (AGENDA_TEMPLATES, agenda_progress, agenda_warnings, extended_agenda,
    meeting_seconds, missing_roles, next_step_clock, pause_clock, resume_clock, start_clock)
from core.errors import SessionError

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
DEFAULT = (AgendaStep("Context", 5), AgendaStep("Overlaps", 15), AgendaStep("Scoring", 15),
           AgendaStep("Decisions", 10), AgendaStep("Owners", 5))


def at(minutes: float) -> datetime:
    return START + timedelta(seconds=round(minutes * 60))


def test_before_the_start_every_step_is_next_and_the_full_time_remains():
    progress = agenda_progress(DEFAULT, None, at(30))

    assert progress.current_index is None
    assert [s.state for s in progress.steps] == ["next"] * 5
    assert [s.starts_in_seconds for s in progress.steps] == [0, 300, 1200, 2100, 2700]
    assert (progress.total_minutes, progress.elapsed_seconds, progress.remaining_seconds) == (50, 0, 3000)
    assert (progress.overrun, progress.paused) == (False, False)


@pytest.mark.parametrize(("minutes", "state", "step_remaining", "session_remaining"), [
    pytest.param(0, "current", 300, 3000, id="at-start"),
    pytest.param(4 + 59 / 60, "current", 1, 2701, id="last-second"),
    pytest.param(5, "overrun", 0, 2700, id="time-up-stays-until-next-step"),
    pytest.param(7, "overrun", -120, 2580, id="over-by-two-minutes"),
])
def test_the_first_step_counts_down_and_stays_until_next_step(minutes, state, step_remaining, session_remaining):
    progress = agenda_progress(DEFAULT, start_clock(START), at(minutes))

    assert progress.current_index == 0
    assert progress.current.state == state
    assert progress.current.remaining_seconds == step_remaining
    assert progress.remaining_seconds == session_remaining


def test_next_step_moves_on_and_the_later_steps_start_after_it():
    clock = next_step_clock(start_clock(START), DEFAULT, at(3))

    progress = agenda_progress(DEFAULT, clock, at(10))

    assert [s.state for s in progress.steps] == ["done", "current", "next", "next", "next"]
    assert progress.current.remaining_seconds == 15 * 60 - 7 * 60
    assert progress.steps[2].starts_in_seconds == 8 * 60
    assert progress.remaining_seconds == 40 * 60


@pytest.mark.parametrize(("moves", "minutes", "ahead"), [
    pytest.param([], 3, 0, id="on-plan"),
    pytest.param([3], 10, 2 * 60, id="moved-on-two-minutes-early"),
    pytest.param([7], 10, -2 * 60, id="moved-on-two-minutes-late"),
    pytest.param([], 7, -2 * 60, id="first-step-over-by-two-minutes"),
    pytest.param([3, 22], 23, 2 * 60 - 4 * 60, id="two-early-then-four-late"),
])
def test_the_session_says_how_far_ahead_of_its_planned_end_the_agenda_runs(moves, minutes, ahead):
    clock = start_clock(START)
    for moved_at in moves:
        clock = next_step_clock(clock, DEFAULT, at(moved_at))

    progress = agenda_progress(DEFAULT, clock, at(minutes))

    assert progress.ahead_seconds == ahead
    # The last step, as the strip projects it, ends exactly that long before the session's planned end.
    last = progress.steps[-1]
    last_ends_in = (last.starts_in_seconds if last.state == "next" else 0) + max(last.remaining_seconds, 0)
    assert progress.remaining_seconds - last_ends_in == ahead


def test_the_last_step_has_no_next_step():
    clock = Clock(START, step_index=4)

    with pytest.raises(SessionError, match="last step"):
        next_step_clock(clock, DEFAULT, at(1))


def test_a_pause_freezes_every_timer_and_resume_does_not_count_it():
    paused = pause_clock(start_clock(START), at(4))

    frozen = agenda_progress(DEFAULT, paused, at(20))
    resumed = resume_clock(paused, at(20))
    later = agenda_progress(DEFAULT, resumed, at(21))

    assert frozen.paused and frozen.elapsed_seconds == 240
    assert frozen.current.remaining_seconds == 60
    assert not later.paused and later.elapsed_seconds == 300
    assert resumed.paused_seconds == 16 * 60


@pytest.mark.parametrize(("change", "message"), [
    pytest.param(lambda c: pause_clock(pause_clock(c, at(1)), at(2)), "already paused", id="pause-twice"),
    pytest.param(lambda c: resume_clock(c, at(1)), "nothing to resume", id="resume-running"),
])
def test_pausing_twice_or_resuming_a_running_clock_is_refused(change, message):
    with pytest.raises(SessionError, match=message):
        change(start_clock(START))


def test_the_session_is_overrun_once_its_planned_minutes_are_used():
    clock = Clock(START, step_index=4, step_started_second=45 * 60)

    progress = agenda_progress(DEFAULT, clock, at(51.5))

    assert progress.overrun is True
    assert format_clock(progress.remaining_seconds) == "-01:30"
    assert format_clock(progress.current.remaining_seconds) == "-01:30"


def test_five_more_minutes_go_to_the_current_step_and_the_session():
    longer = extended_agenda(DEFAULT, 1)

    assert [s.minutes for s in longer] == [5, 20, 15, 10, 5]
    assert agenda_progress(longer, start_clock(START), at(0)).total_minutes == 55


def test_a_step_cannot_grow_past_two_hours():
    with pytest.raises(SessionError, match="120 minutes at most"):
        extended_agenda([AgendaStep("Long", 118)], 0)


@given(st.integers(min_value=0, max_value=4 * 3600), st.integers(min_value=0, max_value=3600))
def test_meeting_time_is_wall_time_less_pauses(seconds, pause):
    clock = resume_clock(pause_clock(start_clock(START), START), START + timedelta(seconds=pause))

    assert meeting_seconds(clock, START + timedelta(seconds=pause + seconds)) == seconds
    assert agenda_progress(DEFAULT, clock, START + timedelta(seconds=pause + seconds)).remaining_seconds == (
        3000 - seconds)


@pytest.mark.parametrize("minutes", [30, 45, 60])
def test_each_template_lasts_what_it_says_and_is_a_valid_agenda(minutes):
    template = AGENDA_TEMPLATES[minutes]

    assert sum(s.minutes for s in template) == minutes
    assert validate_agenda(template) == []
    assert agenda_warnings(template) == []


def test_an_agenda_past_sixty_minutes_is_warned_about():
    assert agenda_warnings([AgendaStep("Context", 50), AgendaStep("Owners", 11)]) == [
        "The agenda runs 61 minutes: the method keeps a session to 30-60 minutes. Shorten a step or use a template."]


@pytest.mark.parametrize(("roles", "missing"), [
    pytest.param([], ["RevOps", "Engineering", "Finance", "Product owner"], id="nobody"),
    pytest.param([Role.REVOPS, Role.FINANCE, Role.OTHER], ["Engineering", "Product owner"], id="two-missing"),
    pytest.param([Role.REVOPS, Role.ENGINEERING, Role.FINANCE, Role.PRODUCT_OWNER], [], id="all-there"),
])
def test_the_roles_the_method_wants_at_the_table_are_named_when_missing(roles, missing):
    people = [Participant(f"P{i}", role) for i, role in enumerate(roles)]

    assert [r.label for r in missing_roles(people)] == missing
