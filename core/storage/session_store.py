"""Diagnostic session persistence: create, resume and save everything typed in a session, one transaction per action."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.domain.access import Actor, require_editor
from core.domain.diagnostic import (AgendaStep, Clock, Decision, DiagnosticSession, Participant, RaciEntry, Role,
    validate_agenda, validate_decision, validate_participants)
from core.domain.rubric import Verdict
from core.errors import SessionError
from core.storage.audit import record_change
from core.storage.defaults import load_default_agenda
from core.storage.tables import (DiagnosticSessionRecord, IntegrationRecord, SessionDecisionRecord,
    SessionItemRecord, SessionParticipantRecord, utc_now)
from core.storage.transactions import write_session

ItemKind = Literal["assumption", "question"]
ITEM_KINDS: dict[str, str] = {"assumption": "assumption", "question": "open question"}
# Keeps titles readable on the session picker and in the memo heading.
MAX_TITLE_CHARS = 120
# The person the examples in this module's docstrings act as.


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """One line of the session picker."""

    id: int
    title: str
    facilitator: str
    created_at: datetime
    started_at: datetime | None
    updated_at: datetime
    updated_by: str
    decision_count: int


@dataclass(frozen=True, slots=True)
class SessionItem:
    """A saved assumption or open question, with the version an edit must name."""

    id: int
    kind: ItemKind
    text: str
    position: int
    version: int
    updated_at: datetime
    updated_by: str


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    """A saved decision, with its id and the version an edit must name."""

    id: int
    decision: Decision
    version: int
    updated_at: datetime
    updated_by: str


def _problems_error(intro: str, problems: list[str]) -> SessionError:
    if len(problems) == 1:
        return SessionError(f"{intro}: {problems[0]}", problems)
    return SessionError(f"{intro}:\n" + "\n".join(f"- {p}" for p in problems), problems)


def _refuse_unless_empty(problems: list[str], intro: str) -> None:
    """Raise one SessionError listing every problem (``intro``: what was not saved); nothing when there is none."""
    if problems:
        raise _problems_error(intro, problems)


def _agenda_to_json(steps: Iterable[AgendaStep]) -> list[dict]:
    return [{"title": s.title.strip(), "minutes": s.minutes, "guidance": s.guidance.strip()} for s in steps]


def _agenda_from_json(value: list) -> tuple[AgendaStep, ...]:
    return tuple(AgendaStep(title=s["title"], minutes=int(s["minutes"]), guidance=s.get("guidance", "")) for s in value)


def _decision_from_record(record: SessionDecisionRecord) -> Decision:
    return Decision(
        subject_kind=record.subject_kind,  # type: ignore[arg-type]
        subject_id=record.subject_id,
        verdict=Verdict(record.verdict),
        rationale=record.rationale,
        raci=tuple(RaciEntry(person=e["person"], responsibility=e["responsibility"]) for e in record.raci),
        due_date=record.due_date,
        next_step=record.next_step,
    )


def _locked(session: Session, table: type, record_id: int):
    """The row as stored now, locked until the commit (PostgreSQL ``FOR UPDATE``; SQLite holds the write lock)."""
    return session.execute(select(table).where(table.id == record_id).with_for_update()
                           .execution_options(populate_existing=True)).scalar_one_or_none()


def _require_session(session: Session, session_id: int, *, lock: bool = False) -> DiagnosticSessionRecord:
    record = _locked(session, DiagnosticSessionRecord, session_id) if lock else session.get(
        DiagnosticSessionRecord, session_id)
    if record is None:
        raise SessionError(f"Session {session_id} does not exist.")
    return record


def _touch_session(session: Session, session_id: int, updated_by: str, *, bump_version: bool = False,
                   **values) -> None:
    # Every change inside a session marks it as edited, so the picker can show who worked on it last.
    changes = {"updated_at": utc_now(), "updated_by": updated_by, **values}
    if bump_version:
        changes["version"] = DiagnosticSessionRecord.version + 1
    result = session.execute(
        update(DiagnosticSessionRecord).where(DiagnosticSessionRecord.id == session_id).values(**changes)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 0:
        raise SessionError(f"Session {session_id} does not exist.")


def create_session(engine: Engine, title: str, facilitator: str, agenda: Iterable[AgendaStep] | None = None,
                   *, actor: Actor) -> int:
    """Create a session with the default agenda (or the one given) and return its id.

    >>> from core.storage.db import create_db_engine
    >>> engine = create_db_engine("sqlite://")
    >>> session_id = create_session(engine, "Billing duplicates", "Ana", actor=ANA)
    >>> load_session(engine, session_id).agenda[0].title
    'Context'

    Args:
        engine: the database.
        title: what the session is about, shown on the picker and the memo.
        facilitator: who runs the meeting.
        agenda: the steps; ``None`` uses ``data/agenda.toml``.
        actor: who creates it (an editor or admin).

    Returns:
        The new session's id.

    Raises:
        PermissionDenied: when the actor is a viewer.
        SessionError: when the title or facilitator is missing or the agenda is invalid.
    """
    require_editor(actor)
    title, facilitator = (title or "").strip(), (facilitator or "").strip()
    problems = []
    if not title:
        problems.append('Give the session a title, for example "Billing sync duplicates".')
    elif len(title) > MAX_TITLE_CHARS:
        problems.append(f"Keep the title to {MAX_TITLE_CHARS} characters (it has {len(title)}).")
    if not facilitator:
        problems.append("Name the facilitator who runs the session.")
    steps = load_default_agenda() if agenda is None else tuple(agenda)
    problems.extend(validate_agenda(steps))
    if problems:
        raise _problems_error("The session was not created", problems)
    with write_session(engine, what="this session") as session:
        record = DiagnosticSessionRecord(title=title, facilitator=facilitator, agenda=_agenda_to_json(steps),
                                         updated_by=actor.name or facilitator)
        session.add(record)
        session.flush()
        record_change(session, actor, "create", "session", record.id, None,
                      {"title": title, "facilitator": facilitator, "agenda": record.agenda},
                      f"Created session {record.id} “{_short(title)}” with facilitator {facilitator}.")
        return record.id


def list_sessions(engine: Engine) -> list[SessionSummary]:
    """Every session, newest first, with how many decisions each has recorded.

    >>> from core.storage.db import create_db_engine
    >>> engine = create_db_engine("sqlite://")
    >>> _ = create_session(engine, "First", "Ana", actor=ANA); _ = create_session(engine, "Second", "Bo", actor=ANA)
    >>> [s.title for s in list_sessions(engine)]
    ['Second', 'First']

    Args:
        engine: the database.

    Returns:
        One summary per session.
    """
    counts = (select(SessionDecisionRecord.session_id, func.count().label("n"))
              .group_by(SessionDecisionRecord.session_id).subquery())
    query = (select(DiagnosticSessionRecord, func.coalesce(counts.c.n, 0))
             .outerjoin(counts, counts.c.session_id == DiagnosticSessionRecord.id)
             .order_by(DiagnosticSessionRecord.created_at.desc(), DiagnosticSessionRecord.id.desc()))
    with Session(engine) as session:
        return [SessionSummary(id=r.id, title=r.title, facilitator=r.facilitator, created_at=r.created_at,
                               started_at=r.started_at, updated_at=r.updated_at, updated_by=r.updated_by,
                               decision_count=int(n))
                for r, n in session.execute(query).all()]


def load_session(engine: Engine, session_id: int) -> DiagnosticSession:
    """Everything saved for one session, as the domain value the page and the memo show.

    >>> from core.storage.db import create_db_engine
    >>> load_session(create_db_engine("sqlite://"), 7)
    Traceback (most recent call last):
    ...
    core.errors.SessionError: Session 7 does not exist.

    Args:
        engine: the database.
        session_id: the session to load.

    Returns:
        The session with participants, agenda, assumptions, open questions and decisions in order.

    Raises:
        SessionError: when there is no such session.
    """
    with Session(engine) as session:
        record = _require_session(session, session_id)
        people = session.execute(
            select(SessionParticipantRecord).where(SessionParticipantRecord.session_id == session_id)
            .order_by(SessionParticipantRecord.position, SessionParticipantRecord.id)).scalars().all()
        items = _items_query(session, session_id)
        decisions = _decisions_query(session, session_id)
        return DiagnosticSession(
            id=record.id, title=record.title, facilitator=record.facilitator, created_at=record.created_at,
            started_at=record.started_at,
            participants=tuple(Participant(name=p.name, role=Role(p.role)) for p in people),
            agenda=_agenda_from_json(record.agenda),
            assumptions=tuple(i.text for i in items if i.kind == "assumption"),
            open_questions=tuple(i.text for i in items if i.kind == "question"),
            decisions=tuple(_decision_from_record(d) for d in decisions),
            notes=record.notes,
            clock=clock_of(record),
        )


def clock_of(record: DiagnosticSessionRecord) -> Clock | None:
    """The saved meeting clock of a session row, ``None`` before the start."""
    if record.started_at is None:
        return None
    return Clock(started_at=record.started_at, paused_at=record.paused_at, paused_seconds=record.paused_seconds or 0,
                 step_index=record.step_index or 0, step_started_second=record.step_started_second or 0)


def session_version(engine: Engine, session_id: int) -> int:
    """The version of a session's own fields (agenda, participants, notes, clock): grows with each change."""
    with Session(engine) as session:
        return _require_session(session, session_id).version


def _items_query(session: Session, session_id: int) -> list[SessionItemRecord]:
    return list(session.execute(select(SessionItemRecord).where(SessionItemRecord.session_id == session_id)
                                .order_by(SessionItemRecord.position, SessionItemRecord.id)).scalars().all())


def _decisions_query(session: Session, session_id: int) -> list[SessionDecisionRecord]:
    return list(session.execute(select(SessionDecisionRecord).where(SessionDecisionRecord.session_id == session_id)
                                .order_by(SessionDecisionRecord.id)).scalars().all())


def list_items(engine: Engine, session_id: int, kind: ItemKind | None = None) -> list[SessionItem]:
    """The assumptions and/or open questions of a session in the order they were added, with ids and versions.

    Args:
        engine: the database.
        session_id: the session.
        kind: ``"assumption"``, ``"question"`` or ``None`` for both.

    Returns:
        The items in order.
    """
    with Session(engine) as session:
        return [SessionItem(id=r.id, kind=r.kind, text=r.text, position=r.position, version=r.version,  # type: ignore[arg-type]
                            updated_at=r.updated_at, updated_by=r.updated_by)
                for r in _items_query(session, session_id) if kind is None or r.kind == kind]


def list_decisions(engine: Engine, session_id: int) -> list[DecisionRecord]:
    """The decisions of a session in the order they were recorded, with ids and versions."""
    with Session(engine) as session:
        return [DecisionRecord(id=r.id, decision=_decision_from_record(r), version=r.version,
                               updated_at=r.updated_at, updated_by=r.updated_by)
                for r in _decisions_query(session, session_id)]


def start_session(engine: Engine, session_id: int, now: datetime, *, actor: Actor, restart: bool = False) -> None:
    """Start the session's clock at ``now``: the agenda timers count from this moment.

    >>> from datetime import datetime, timezone
    >>> from core.storage.db import create_db_engine
    >>> engine = create_db_engine("sqlite://")
    >>> session_id = create_session(engine, "Billing duplicates", "Ana", actor=ANA)
    >>> start_session(engine, session_id, datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc), actor=ANA)
    >>> load_session(engine, session_id).started_at.isoformat()
    '2026-01-05T09:00:00+00:00'

    Args:
        engine: the database.
        session_id: the session.
        now: the start time (timezone-aware).
        actor: who pressed start.
        restart: start the clock again from ``now`` when it was already started.

    Raises:
        PermissionDenied: when the actor is a viewer.
        SessionError: when the session does not exist, or was already started and ``restart`` is false.
    """
    require_editor(actor)
    with write_session(engine, what="this session") as session:
        record = _require_session(session, session_id, lock=True)
        before = record.started_at
        if before is not None and not restart:
            raise SessionError(f"This session already started at {before:%H:%M} UTC; "
                               "use Restart clock to start the timers again.")
        _touch_session(session, session_id, actor.name, bump_version=True, started_at=now, paused_at=None,
                       paused_seconds=0, step_index=0, step_started_second=0)
        record_change(session, actor, "update", "session", session_id, {"started_at": before}, {"started_at": now},
                      f"{'Restarted' if before else 'Started'} the clock of session {session_id} at {now:%H:%M} UTC.")


def save_agenda(engine: Engine, session_id: int, steps: Iterable[AgendaStep], *, actor: Actor) -> None:
    """Replace a session's agenda after checking it (minutes 1-120 per step, 240 in total).

    Args:
        engine: the database.
        session_id: the session.
        steps: the new agenda in order.
        actor: who changed it.

    Raises:
        PermissionDenied: when the actor is a viewer.
        SessionError: listing every problem; nothing is saved then.
    """
    require_editor(actor)
    steps = tuple(steps)
    _refuse_unless_empty(validate_agenda(steps), "The agenda was not saved")
    with write_session(engine, what="the agenda") as session:
        before = _require_session(session, session_id, lock=True).agenda
        after = _agenda_to_json(steps)
        if after == before:
            return  # unchanged: nothing to save, nothing to log
        _touch_session(session, session_id, actor.name, bump_version=True, agenda=after)
        record_change(session, actor, "update", "agenda", session_id, before, after,
                      f"Changed the agenda of session {session_id}: {len(after)} steps, "
                      f"{sum(s['minutes'] for s in after)} min.")


def save_notes(engine: Engine, session_id: int, notes: str, *, actor: Actor) -> None:
    """Save the facilitator's free-form notes of a session (the last save wins; history keeps the earlier text)."""
    require_editor(actor)
    with write_session(engine, what="the notes") as session:
        before = _require_session(session, session_id, lock=True).notes
        if (notes or "") == (before or ""):
            return  # unchanged: nothing to save, nothing to log
        _touch_session(session, session_id, actor.name, bump_version=True, notes=notes or "")
        record_change(session, actor, "update", "session", session_id, {"notes": before}, {"notes": notes or ""},
                      f"Changed the notes of session {session_id}.")


def set_participants(engine: Engine, session_id: int, participants: Iterable[Participant], *, actor: Actor) -> None:
    """Replace the list of people in the session (names and roles) in one transaction.

    >>> from core.storage.db import create_db_engine
    >>> from core.domain.diagnostic import Role
    >>> engine = create_db_engine("sqlite://")
    >>> session_id = create_session(engine, "Billing duplicates", "Ana", actor=ANA)
    >>> set_participants(engine, session_id, [Participant("Ana", Role.REVOPS), Participant("Bo", Role.FINANCE)],
    ...                  actor=ANA)
    >>> [(p.name, p.role.label) for p in load_session(engine, session_id).participants]
    [('Ana', 'RevOps'), ('Bo', 'Finance')]

    Args:
        engine: the database.
        session_id: the session.
        participants: everyone in the room, in the order to show them.
        actor: who changed the list.

    Raises:
        PermissionDenied: when the actor is a viewer.
        SessionError: when a name is missing or listed twice, or a role is unknown; nothing is saved then.
    """
    require_editor(actor)
    people = tuple(participants)
    _refuse_unless_empty(validate_participants(people), "The participants were not saved")
    with write_session(engine, what="the participants") as session:
        _require_session(session, session_id, lock=True)
        before = [{"name": p.name, "role": p.role} for p in session.execute(
            select(SessionParticipantRecord).where(SessionParticipantRecord.session_id == session_id)
            .order_by(SessionParticipantRecord.position, SessionParticipantRecord.id)).scalars().all()]
        after = [{"name": p.name.strip(), "role": p.role.value} for p in people]
        if after == before:
            return  # unchanged: nothing to save, nothing to log
        _touch_session(session, session_id, actor.name, bump_version=True)
        session.execute(delete(SessionParticipantRecord).where(SessionParticipantRecord.session_id == session_id))
        session.add_all(SessionParticipantRecord(session_id=session_id, name=p.name.strip(), role=p.role.value,
                                                 position=index) for index, p in enumerate(people))
        record_change(session, actor, "update", "participant", session_id, before, after,
                      f"Changed the participants of session {session_id}: "
                      + (", ".join(f"{p['name']} ({Role(p['role']).label})" for p in after) or "nobody") + ".")


def _check_item(kind: str, text: str) -> str:
    if kind not in ITEM_KINDS:
        raise SessionError(f"Unknown kind of note {kind!r}: use assumption or question.")
    text = (text or "").strip()
    if not text:
        raise SessionError(f"Type the {ITEM_KINDS[kind]} first: an empty {ITEM_KINDS[kind]} is not saved.")
    return text


def add_item(engine: Engine, session_id: int, kind: ItemKind, text: str, *, actor: Actor) -> int:
    """Add an assumption or open question at the end of its list.

    >>> from core.storage.db import create_db_engine
    >>> engine = create_db_engine("sqlite://")
    >>> session_id = create_session(engine, "Billing duplicates", "Ana", actor=ANA)
    >>> _ = add_item(engine, session_id, "assumption", "Finance owns the invoice numbers", actor=ANA)
    >>> load_session(engine, session_id).assumptions
    ('Finance owns the invoice numbers',)

    Args:
        engine: the database.
        session_id: the session.
        kind: ``"assumption"`` or ``"question"``.
        text: what was said; surrounding spaces are dropped.
        actor: who typed it.

    Returns:
        The new item's id.

    Raises:
        PermissionDenied: when the actor is a viewer.
        SessionError: when the text is empty, the kind unknown or the session missing.
    """
    require_editor(actor)
    text = _check_item(kind, text)
    with write_session(engine, what="this note") as session:
        _touch_session(session, session_id, actor.name)
        last = session.execute(select(func.max(SessionItemRecord.position)).where(
            SessionItemRecord.session_id == session_id, SessionItemRecord.kind == kind)).scalar_one()
        record = SessionItemRecord(session_id=session_id, kind=kind, text=text,
                                   position=0 if last is None else last + 1, updated_by=actor.name)
        session.add(record)
        session.flush()
        record_change(session, actor, "create", "session_item", record.id, None,
                      {"session_id": session_id, "kind": kind, "text": text},
                      f"Added an {ITEM_KINDS[kind]} to session {session_id}: “{_short(text)}”.")
        return record.id


def update_item(engine: Engine, item_id: int, text: str, *, actor: Actor,
                expected_version: int | None = None) -> int:
    """Change the text of an assumption or open question.

    Args:
        engine: the database.
        item_id: the item.
        text: the new text (not empty: delete the item instead).
        actor: who changed it.
        expected_version: the version the editor saw; a different stored version means someone else
            changed it meanwhile, and nothing is written.

    Returns:
        The item's new version.

    Raises:
        PermissionDenied: when the actor is a viewer.
        SessionError: when the item is gone, the text is empty, or the item changed meanwhile.
    """
    require_editor(actor)
    with write_session(engine, what="this note") as session:
        record = _locked(session, SessionItemRecord, item_id)
        if record is None:
            raise SessionError("This note no longer exists: someone deleted it.")
        text = _check_item(record.kind, text)
        if text == record.text:
            return record.version  # unchanged: nothing to save, nothing to log
        condition = [SessionItemRecord.id == item_id]
        if expected_version is not None:
            condition.append(SessionItemRecord.version == expected_version)
        # Conditional update: the version the user saw came from an earlier page run (see tech notes).
        result = session.execute(update(SessionItemRecord).where(*condition).values(
            text=text, version=SessionItemRecord.version + 1, updated_at=utc_now(), updated_by=actor.name)
            .execution_options(synchronize_session=False))
        if result.rowcount == 0:
            # The message names who saved it last and what it says now, not what this change read first.
            current = _locked(session, SessionItemRecord, item_id)
            if current is None:
                raise SessionError("This note no longer exists: someone deleted it.")
            raise SessionError(f"{current.updated_by or 'Someone'} changed this {ITEM_KINDS[current.kind]} meanwhile: "
                               f"it now reads \"{current.text}\". Type your change again.")
        _touch_session(session, record.session_id, actor.name)
        record_change(session, actor, "update", "session_item", item_id, {"text": record.text}, {"text": text},
                      f"Changed an {ITEM_KINDS[record.kind]} of session {record.session_id}: “{_short(text)}”.")
        return session.execute(select(SessionItemRecord.version).where(SessionItemRecord.id == item_id)).scalar_one()


def _delete_part(engine: Engine, table: type, record_id: int, actor: Actor, entity: str,
                 before: Callable[[Any], dict], summary: Callable[[Any], str]) -> bool:
    """Delete one row of a session (item or decision) with its history entry; a row already gone does nothing.

    Returns ``True`` when a row was deleted now; PermissionDenied for a viewer.
    """
    require_editor(actor)
    with write_session(engine, what="this change") as session:
        record = _locked(session, table, record_id)
        if record is None:
            return False
        _touch_session(session, record.session_id, actor.name)
        session.execute(delete(table).where(table.id == record_id))
        record_change(session, actor, "delete", entity, record_id, before(record), None, summary(record))
        return True


def delete_item(engine: Engine, item_id: int, *, actor: Actor) -> bool:
    """Delete an assumption or open question; ``True`` when it was deleted now (one already gone: ``False``)."""
    return _delete_part(
        engine, SessionItemRecord, item_id, actor, "session_item",
        lambda r: {"session_id": r.session_id, "kind": r.kind, "text": r.text},
        lambda r: f"Deleted an {ITEM_KINDS[r.kind]} of session {r.session_id}: “{_short(r.text)}”.")


def _record_values(record: SessionDecisionRecord) -> dict:
    return {"subject_kind": record.subject_kind, "subject_id": record.subject_id, "verdict": record.verdict,
            "rationale": record.rationale, "raci": list(record.raci), "due_date": record.due_date,
            "next_step": record.next_step}


def _short(text: str, limit: int = 80) -> str:
    """Text quoted in a history summary: one line, at most ``limit`` characters."""
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _decision_values(decision: Decision) -> dict:
    return {
        "subject_kind": decision.subject_kind,
        "subject_id": decision.subject_id.strip(),
        "verdict": decision.verdict.value,
        "rationale": decision.rationale.strip(),
        "raci": [{"person": e.person.strip(), "responsibility": e.responsibility} for e in decision.raci],
        "due_date": decision.due_date,
        "next_step": (decision.next_step or "").strip(),
    }


def save_decision(engine: Engine, session_id: int, decision: Decision, decision_id: int | None = None, *,
                  actor: Actor, expected_version: int | None = None) -> int:
    """Record a decision, or replace a recorded one, after checking it; an invalid decision writes nothing.

    >>> from core.storage.db import create_db_engine
    >>> from core.domain.diagnostic import RaciEntry
    >>> engine = create_db_engine("sqlite://")
    >>> session_id = create_session(engine, "Billing duplicates", "Ana", actor=ANA)
    >>> try:
    ...     save_decision(engine, session_id, Decision("cluster", "CL-INT-015", Verdict.MERGE, "Same data twice",
    ...                                                (RaciEntry("Ana", "A"), RaciEntry("Bo", "A"))), actor=ANA)
    ... except SessionError as error:
    ...     print(error)
    The decision was not saved: Each decision needs exactly one Accountable (A); 2 are set: Ana, Bo. Keep one.

    Args:
        engine: the database.
        session_id: the session it was decided in.
        decision: subject, verdict, rationale, RACI, due date and next step.
        decision_id: the recorded decision to replace; ``None`` records a new one.
        actor: who recorded it.
        expected_version: with ``decision_id``, the version the editor saw (a changed version is refused).

    Returns:
        The decision's id.

    Raises:
        PermissionDenied: when the actor is a viewer.
        SessionError: listing every problem (subject, rationale, RACI, unknown integration), or when the
            decision changed meanwhile.
    """
    require_editor(actor)
    problems = validate_decision(decision)
    if problems:
        raise _problems_error("The decision was not saved", problems)
    values = _decision_values(decision)
    with write_session(engine, what="this decision") as session:
        _require_session(session, session_id)
        if decision.subject_kind == "integration" and session.get(IntegrationRecord, values["subject_id"]) is None:
            raise _problems_error("The decision was not saved", [
                f"Integration {values['subject_id']} is not in the registry: choose one from the list."])
        _touch_session(session, session_id, actor.name)
        what = f"{values['verdict']} {values['subject_kind']} {values['subject_id']}"
        if decision_id is None:
            record = SessionDecisionRecord(session_id=session_id, updated_by=actor.name, **values)
            session.add(record)
            session.flush()
            record_change(session, actor, "create", "decision", record.id, None, {"session_id": session_id, **values},
                          f"Recorded decision {record.id} in session {session_id}: {what}.")
            return record.id
        previous = _locked(session, SessionDecisionRecord, decision_id)
        before = {"session_id": session_id, **_record_values(previous)} if previous else None
        condition = [SessionDecisionRecord.id == decision_id, SessionDecisionRecord.session_id == session_id]
        if expected_version is not None:
            condition.append(SessionDecisionRecord.version == expected_version)
        result = session.execute(update(SessionDecisionRecord).where(*condition).values(
            **values, version=SessionDecisionRecord.version + 1, updated_at=utc_now(), updated_by=actor.name)
            .execution_options(synchronize_session=False))
        if result.rowcount == 0:
            current = _locked(session, SessionDecisionRecord, decision_id)
            if current is None or current.session_id != session_id:
                raise SessionError(f"Decision {decision_id} does not exist in this session.")
            raise SessionError(f"{current.updated_by or 'Someone'} changed this decision meanwhile; "
                               "open it again to see their version, then make your change.")
        record_change(session, actor, "update", "decision", decision_id, before, {"session_id": session_id, **values},
                      f"Changed decision {decision_id} in session {session_id}: {what}.")
        return decision_id


def delete_decision(engine: Engine, decision_id: int, *, actor: Actor) -> bool:
    """Delete a recorded decision; ``True`` when it was deleted now (one already gone: ``False``)."""
    return _delete_part(
        engine, SessionDecisionRecord, decision_id, actor, "decision",
        lambda r: {"session_id": r.session_id, **_record_values(r)},
        lambda r: f"Deleted decision {decision_id} of session {r.session_id}: {r.verdict} {r.subject_kind} "
                  f"{r.subject_id}.")
