"""The meeting clock: start, pause and resume, next step, +5 min, and where the agenda stands at any moment."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from core.domain.diagnostic import (MAX_STEP_MINUTES, METHOD_MINUTES, AgendaProgress, AgendaStep, Clock, Participant,
    Role, StepProgress, format_clock)  # noqa: F401 (format_clock: the doctests show times with it)
from core.errors import SessionError

EXTRA_MINUTES = 5
# The people the method wants at the table, in the order the warning names them.
NEEDED_ROLES: tuple[Role, ...] = (Role.REVOPS, Role.ENGINEERING, Role.FINANCE, Role.PRODUCT_OWNER)


def _step(title: str, minutes: int, guidance: str) -> AgendaStep:
    return AgendaStep(title=title, minutes=minutes, guidance=guidance)


_GUIDANCE = {
    "Context": "Say why we are here and what a good outcome looks like. Confirm who decides and who is consulted.",
    "Overlaps": "Walk through the clusters of integrations that move the same data. Agree which ones really are "
                "duplicates.",
    "Scoring": "Score each duplicate with the rubric: cost, risk, ownership, controls. Write down the assumptions "
               "behind the numbers.",
    "Decisions": "Record a verdict per integration or cluster (proceed, hold, merge, centralize, retire) and why.",
    "Owners": "Give every decision one Accountable person, a next step and a due date. Read the open questions back.",
}
_TEMPLATE_MINUTES = {
    30: {"Context": 3, "Overlaps": 8, "Scoring": 8, "Decisions": 8, "Owners": 3},
    45: {"Context": 5, "Overlaps": 12, "Scoring": 12, "Decisions": 11, "Owners": 5},
    60: {"Context": 5, "Overlaps": 18, "Scoring": 17, "Decisions": 15, "Owners": 5},
}
# Ready-made agendas of the method's steps, by total length in minutes.
AGENDA_TEMPLATES: dict[int, tuple[AgendaStep, ...]] = {
    total: tuple(_step(title, minutes, _GUIDANCE[title]) for title, minutes in steps.items())
    for total, steps in _TEMPLATE_MINUTES.items()
}


def meeting_seconds(clock: Clock, now: datetime) -> int:
    """Seconds of meeting so far: time since the start, less every pause (a running pause counts up to its start).

    >>> from datetime import timedelta, timezone
    >>> nine = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
    >>> meeting_seconds(Clock(nine, paused_at=nine + timedelta(minutes=10), paused_seconds=60),
    ...                 nine + timedelta(minutes=30))
    540
    """
    until = clock.paused_at or now
    return max(0, math.floor((until - clock.started_at).total_seconds()) - clock.paused_seconds)


def start_clock(now: datetime) -> Clock:
    """A clock started at ``now`` on the first step."""
    return Clock(started_at=now)


def pause_clock(clock: Clock, now: datetime) -> Clock:
    """The clock stopped at ``now``; refused when it is already paused."""
    if clock.paused_at is not None:
        raise SessionError("The clock is already paused: press Resume to carry on.")
    return replace(clock, paused_at=now)


def resume_clock(clock: Clock, now: datetime) -> Clock:
    """The clock running again from ``now``: the pause is not counted as meeting time."""
    if clock.paused_at is None:
        raise SessionError("The clock is running: there is nothing to resume.")
    pause = max(0, math.floor((now - clock.paused_at).total_seconds()))
    return replace(clock, paused_at=None, paused_seconds=clock.paused_seconds + pause)


def next_step_clock(clock: Clock, agenda: Iterable[AgendaStep], now: datetime) -> Clock:
    """The clock moved on to the next agenda step at ``now``; refused on the last step.

    >>> from datetime import timedelta, timezone
    >>> nine = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
    >>> moved = next_step_clock(Clock(nine), [AgendaStep("Context", 5), AgendaStep("Overlaps", 15)],
    ...                         nine + timedelta(minutes=3))
    >>> moved.step_index, moved.step_started_second
    (1, 180)
    """
    steps = tuple(agenda)
    if clock.step_index >= len(steps) - 1:
        raise SessionError("This is the last step of the agenda: there is no next step. Add a step to the agenda "
                           "or use +5 min.")
    return replace(clock, step_index=clock.step_index + 1, step_started_second=meeting_seconds(clock, now))


def extended_agenda(agenda: Iterable[AgendaStep], step_index: int,
                    minutes: int = EXTRA_MINUTES) -> tuple[AgendaStep, ...]:
    """The agenda with ``minutes`` more on one step (the +5 min button); refused past 120 minutes a step.

    >>> [s.minutes for s in extended_agenda([AgendaStep("Context", 5), AgendaStep("Overlaps", 15)], 1)]
    [5, 20]
    """
    steps = list(agenda)
    step = steps[min(max(step_index, 0), len(steps) - 1)]
    if step.minutes + minutes > MAX_STEP_MINUTES:
        raise SessionError(f'Step "{step.title}" already has {step.minutes} minutes: a step can last '
                           f"{MAX_STEP_MINUTES} minutes at most. Move on with Next step instead.")
    steps[steps.index(step)] = replace(step, minutes=step.minutes + minutes)
    return tuple(steps)


def agenda_progress(agenda: Iterable[AgendaStep], clock: Clock | None, now: datetime) -> AgendaProgress:
    """Where the meeting is on its agenda at ``now``: a pure function of the saved clock, so timers are testable.

    The current step is the one the facilitator moved to (Next step); it counts below zero once its
    minutes are used up. The session's own time box is the agenda's total: it too goes below zero.

    >>> from datetime import timedelta, timezone
    >>> start = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
    >>> agenda = [AgendaStep("Context", 5), AgendaStep("Overlaps", 15)]
    >>> p = agenda_progress(agenda, Clock(start), start + timedelta(minutes=7))
    >>> p.current.title, format_clock(p.current.remaining_seconds), format_clock(p.remaining_seconds)
    ('Context', '-02:00', '13:00')

    Args:
        agenda: the steps in order.
        clock: the saved clock, ``None`` before the start (every step is then ``next``).
        now: the moment to compute for (timezone-aware).

    Returns:
        Per-step progress and overall totals, in whole seconds.
    """
    agenda = tuple(agenda)
    total_seconds = sum(s.minutes for s in agenda) * 60
    elapsed = 0 if clock is None else meeting_seconds(clock, now)
    current_index = None if clock is None or not agenda else min(clock.step_index, len(agenda) - 1)
    steps: list[StepProgress] = []
    start_minute = 0
    upcoming = 0  # meeting seconds until the step after the current one starts
    for index, step in enumerate(agenda):
        planned = step.minutes * 60
        if current_index is None or index > current_index:
            state, step_elapsed, remaining, starts_in = "next", 0, planned, upcoming
            upcoming += planned
        elif index < current_index:
            state, step_elapsed, remaining, starts_in = "done", planned, 0, 0
        else:
            step_elapsed = max(0, elapsed - clock.step_started_second)
            remaining = planned - step_elapsed
            state, starts_in = ("current" if remaining > 0 else "overrun"), 0
            upcoming = max(0, remaining)
        steps.append(StepProgress(title=step.title, minutes=step.minutes, starts_at_minute=start_minute,
                                  elapsed_seconds=step_elapsed, remaining_seconds=remaining, state=state,
                                  starts_in_seconds=starts_in))
        start_minute += step.minutes
    return AgendaProgress(current_index=current_index, steps=tuple(steps), total_minutes=total_seconds // 60,
                          elapsed_seconds=elapsed, remaining_seconds=total_seconds - elapsed,
                          overrun=clock is not None and bool(agenda) and elapsed >= total_seconds,
                          paused=clock is not None and clock.paused_at is not None)


def agenda_warnings(agenda: Iterable[AgendaStep]) -> list[str]:
    """What to fix before the meeting: an agenda longer than the method's 30-60 minute box.

    >>> agenda_warnings([AgendaStep("Context", 50), AgendaStep("Owners", 15)])
    ['The agenda runs 65 minutes: the method keeps a session to 30-60 minutes. Shorten a step or use a template.']
    """
    total = sum(s.minutes for s in agenda if isinstance(s.minutes, int))
    low, high = METHOD_MINUTES
    if total > high:
        return [f"The agenda runs {total} minutes: the method keeps a session to {low}-{high} minutes. "
                "Shorten a step or use a template."]
    return []


def missing_roles(participants: Iterable[Participant]) -> list[Role]:
    """The roles the method wants at the table that nobody in the room has.

    >>> [r.label for r in missing_roles([Participant("Ana", Role.REVOPS), Participant("Bo", Role.FINANCE)])]
    ['Engineering', 'Product owner']
    """
    present = {p.role for p in participants}
    return [role for role in NEEDED_ROLES if role not in present]
