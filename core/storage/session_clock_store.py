"""The meeting clock saved on the session row: pause, resume, next step and +5 min, each with its history entry."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.domain.access import Actor, require_editor
from core.domain.diagnostic import AgendaStep, Clock, validate_agenda
from core.domain.session_clock import extended_agenda, next_step_clock, pause_clock, resume_clock
from core.errors import SessionError
from core.storage.audit import record_change
from core.storage.session_store import (_agenda_from_json, _agenda_to_json, _require_session, _touch_session,
    clock_of)
from core.storage.transactions import write_session


def load_clock(engine: Engine, session_id: int) -> tuple[tuple[AgendaStep, ...], Clock | None]:
    """A session's agenda and saved clock only: what the live timer reads every second.

    Raises:
        SessionError: when there is no such session.
    """
    with Session(engine) as session:
        record = _require_session(session, session_id)
        return _agenda_from_json(record.agenda), clock_of(record)


def _clock_values(clock: Clock) -> dict:
    return {"paused_at": clock.paused_at, "paused_seconds": clock.paused_seconds, "step_index": clock.step_index,
            "step_started_second": clock.step_started_second}


def _change_clock(engine: Engine, session_id: int, actor: Actor, change: Callable[[Clock, tuple], Clock],
                  summary: Callable[[Clock, tuple], str]) -> None:
    require_editor(actor)
    with write_session(engine, what="the clock") as session:
        record = _require_session(session, session_id, lock=True)
        clock = clock_of(record)
        if clock is None:
            raise SessionError("The session has not started yet: press Start session first.")
        agenda = _agenda_from_json(record.agenda)
        after = change(clock, agenda)
        before_values, after_values = _clock_values(clock), _clock_values(after)
        _touch_session(session, session_id, actor.name, bump_version=True, **after_values)
        record_change(session, actor, "update", "session", session_id, before_values, after_values,
                      summary(after, agenda))


def pause_session(engine: Engine, session_id: int, now: datetime, *, actor: Actor) -> None:
    """Stop the meeting clock at ``now``: every screen shows it paused until someone resumes it.

    >>> from datetime import datetime, timedelta, timezone
    >>> from core.storage.db import create_db_engine
    >>> from core.storage.session_store import create_session, load_session, start_session
    >>> engine = create_db_engine("sqlite://")
    >>> session_id = create_session(engine, "Billing duplicates", "Ana", actor=ANA)
    >>> nine = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
    >>> start_session(engine, session_id, nine, actor=ANA)
    >>> pause_session(engine, session_id, nine + timedelta(minutes=4), actor=ANA)
    >>> load_session(engine, session_id).clock.paused_at.isoformat()
    '2026-01-05T09:04:00+00:00'

    Raises:
        PermissionDenied: for a viewer. SessionError: not started, or already paused.
    """
    _change_clock(engine, session_id, actor, lambda clock, _: pause_clock(clock, now),
                  lambda clock, _: f"Paused the clock of session {session_id} at {now:%H:%M} UTC.")


def resume_session(engine: Engine, session_id: int, now: datetime, *, actor: Actor) -> None:
    """Run the meeting clock again from ``now``; the pause does not count as meeting time."""
    _change_clock(engine, session_id, actor, lambda clock, _: resume_clock(clock, now),
                  lambda clock, _: f"Resumed the clock of session {session_id} at {now:%H:%M} UTC.")


def next_step(engine: Engine, session_id: int, now: datetime, *, actor: Actor) -> None:
    """Move the meeting on to the next agenda step at ``now`` (refused on the last step)."""
    _change_clock(engine, session_id, actor, lambda clock, agenda: next_step_clock(clock, agenda, now),
                  lambda clock, agenda: f'Moved session {session_id} on to step {clock.step_index + 1} '
                                        f'"{agenda[clock.step_index].title}".')


def add_minutes(engine: Engine, session_id: int, minutes: int, *, actor: Actor) -> None:
    """Give the current step ``minutes`` more (the +5 min button): the saved agenda grows with it."""
    require_editor(actor)
    with write_session(engine, what="the agenda") as session:
        record = _require_session(session, session_id, lock=True)
        clock = clock_of(record)
        index = clock.step_index if clock is not None else 0
        steps = extended_agenda(_agenda_from_json(record.agenda), index, minutes)
        problems = validate_agenda(steps)
        if problems:
            raise SessionError("The time was not added: " + " ".join(problems))
        before, after = record.agenda, _agenda_to_json(steps)
        _touch_session(session, session_id, actor.name, bump_version=True, agenda=after)
        record_change(session, actor, "update", "agenda", session_id, before, after,
                      f'Gave step "{steps[index].title}" of session {session_id} {minutes} more minutes '
                      f"({steps[index].minutes} min).")
