"""Documents to take out of the room: the one-page TCO snapshot and the decision memos, as PDF or Markdown."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.engine import Engine

from core.domain.analysis import RegistryAnalysis
from core.domain.diagnostic import Decision, DiagnosticSession
from core.domain.rubric import RubricConfig
from core.reports.memo import memo_for_cluster, memo_for_integration, memo_for_session
from core.reports.memo_markdown import render_memo_markdown
from core.reports.memo_pdf import render_memo_pdf
from core.reports.pdf_layout import PAGE_SIZES, format_date
from core.reports.room import GroupScoring, Room, SessionNotes, decision_line
from core.reports.score_figures import PROPOSAL_ID
from core.services.tco import portfolio_simulation
from core.storage.registry_store import registry_version
from core.storage.scoring_store import list_scorings
from core.storage.session_store import list_sessions, load_session
from core.storage.settings_store import load_saved_rubric

__all__ = ["PAGE_SIZES", "brief_memo_document", "brief_memo_for", "memo_document", "room_record", "session_memo",
           "snapshot_pdf"]


def _group_scorings(engine: Engine) -> tuple[GroupScoring, ...]:
    """The newest saved scoring of each registry integration (typed-in proposals have no id to match), newest first."""
    latest: dict[str, GroupScoring] = {}
    for saved in list_scorings(engine):  # newest first
        if saved.integration_id != PROPOSAL_ID and saved.integration_id not in latest:
            latest[saved.integration_id] = GroupScoring(
                integration_id=saved.integration_id, integration_name=saved.integration_name, verdict=saved.verdict,
                score=saved.score, weights=saved.weights, overrides=saved.overrides, scored_by=saved.scored_by,
                scored_at=saved.scored_at)
    return tuple(latest.values())


def _notes_of(session: DiagnosticSession, subject_ids: set[str] | None = None) -> SessionNotes:
    decisions = tuple(decision_line(d.verdict, d.subject_id, d.rationale) for d in session.decisions
                      if subject_ids is None or d.subject_id in subject_ids)
    return SessionNotes(session_id=session.id, title=session.title, held_on=session.started_at or session.created_at,
                        facilitator=session.facilitator, notes=session.notes, decisions=decisions)


def room_record(engine: Engine, *, about: Iterable[str] = (), newest_notes: bool = False) -> Room:
    """What the room recorded, for a memo or the snapshot: the group's saved scorings and the sessions' notes.

    Args:
        engine: the database.
        about: subject ids (integrations, clusters): the sessions that decided about any of them are included.
        newest_notes: include the newest session that took notes (the snapshot quotes it).
    """
    wanted = set(about)
    sessions: list[SessionNotes] = []
    for summary in list_sessions(engine):  # newest first; sessions are few
        if not wanted and not newest_notes:
            break
        session = load_session(engine, summary.id)
        if wanted and any(d.subject_id in wanted for d in session.decisions):
            sessions.append(_notes_of(session, wanted))
        elif newest_notes and session.notes.strip() and not any(s.notes.strip() for s in sessions):
            sessions.append(_notes_of(session, set()))
    return Room(scorings=_group_scorings(engine), sessions=tuple(sessions))


def snapshot_pdf(analysis: RegistryAnalysis, *, rubric: RubricConfig, registry_version: int | str | None,
                 registry_name: str | None = None, page_size: str = "A4", engine: Engine | None = None) -> bytes:
    """The one-page TCO snapshot: the same figures as the TCO page, with the same seeded simulation.

    With the database (``engine``), the group's saved scorings and the newest session notes are printed as theirs.
    """
    from core.reports.snapshot_pdf import (
        build_snapshot_pdf,  # fpdf2 and matplotlib load only when a PDF is made
    )

    room = room_record(engine, newest_notes=True) if engine is not None else None
    settings = analysis.settings
    # The placeholder name is never printed: the page asks for the organisation's name before the first PDF.
    named = settings.organisation if settings.organisation_named else ""
    return build_snapshot_pdf(analysis, registry_name=registry_name or named,
                              registry_version=registry_version, page_size=page_size,
                              simulation=portfolio_simulation(analysis), rubric=rubric, room=room)


def memo_document(
    analysis: RegistryAnalysis, *, rubric: RubricConfig, registry_version: int | str | None,
    session_id: int | None = None, integration_id: str | None = None, cluster_id: str | None = None,
    engine: Engine | None = None, markdown: bool = False, page_size: str = "A4",
) -> bytes | str:
    """A decision memo about a session (from the database), one integration or one cluster.

    With the database (``engine``) the memo shows what the room recorded: the group's saved scorings beside the
    rubric's, and what other sessions decided and noted about the subject.

    Returns:
        PDF bytes, or Markdown text with ``markdown``.

    Raises:
        SessionError, IntegrationNotFound, ClusterNotFound: when the subject does not exist, in words.
    """
    if session_id is not None:
        room = room_record(engine) if engine is not None else None
        memo = memo_for_session(analysis, load_session(engine, session_id), rubric, registry_version, room=room)
    elif integration_id is not None:
        integration_id = integration_id.strip()
        cluster = analysis.cluster_by_member.get(integration_id)
        about = [integration_id, *([cluster.id] if cluster is not None else [])]
        room = room_record(engine, about=about) if engine is not None else None
        memo = memo_for_integration(analysis, integration_id, rubric, registry_version, room=room)
    else:
        cluster_id = (cluster_id or "").strip()
        found = next((c for c in analysis.clusters if c.id.upper() == cluster_id.upper()), None)
        about = [found.id, *found.members] if found is not None else [cluster_id]
        room = room_record(engine, about=about) if engine is not None else None
        memo = memo_for_cluster(analysis, cluster_id, rubric, registry_version, room=room)
    return render_memo_markdown(memo) if markdown else render_memo_pdf(memo, page_size=page_size)


def session_memo(engine: Engine, analysis: RegistryAnalysis, session_id: int, *, markdown: bool = False) -> bytes | str:
    """A session's memo with the rubric and registry version in the database now (the session page's export)."""
    return memo_document(analysis, rubric=load_saved_rubric(engine), registry_version=registry_version(engine),
                         session_id=session_id, engine=engine, markdown=markdown)


def _newest_decision(engine: Engine, subject_ids: set[str]) -> tuple[Decision | None, str]:
    """The newest session decision about any of ``subject_ids``, and the session it was made in, in words."""
    for summary in list_sessions(engine):  # newest first
        session = load_session(engine, summary.id)
        for decision in reversed(session.decisions):
            if decision.subject_id in subject_ids:
                held = session.started_at or session.created_at
                return decision, f"session {session.id} “{session.title}” on {format_date(held)}"
    return None, ""


def brief_memo_document(
    analysis: RegistryAnalysis, *, rubric: RubricConfig, registry_version: int | str | None,
    integration_id: str | None = None, cluster_id: str | None = None, engine: Engine | None = None,
    markdown: bool = False, page_size: str = "A4",
) -> bytes | str:
    """The brief ownership memo (at most two pages) of one integration or one cluster, as PDF or Markdown.

    With the database, the newest session decision about the subject (or its cluster) gives the owner, the RACI
    and who signs.

    Raises:
        IntegrationNotFound, ClusterNotFound: when the subject does not exist, in words.
    """
    from core.reports.brief_memo import brief_memo, render_brief_markdown
    from core.reports.brief_memo_pdf import render_brief_pdf

    about: set[str] = set()
    if integration_id is not None:
        row = analysis.integration(integration_id.strip())
        cluster = analysis.cluster_by_member.get(row.id)
        about = {row.id, *([cluster.id] if cluster is not None else [])}
    elif cluster_id is not None:
        about = {cluster_id.strip(), cluster_id.strip().upper()}
    decision, decided_in = _newest_decision(engine, about) if engine is not None else (None, "")
    settings = analysis.settings
    memo = brief_memo(analysis, rubric, integration_id=integration_id, cluster_id=cluster_id,
                      registry_version=registry_version,
                      organisation=settings.organisation if settings.organisation_named else "",
                      decision=decision, decided_in=decided_in)
    return render_brief_markdown(memo) if markdown else render_brief_pdf(memo, page_size=page_size)


def brief_memo_for(engine: Engine, analysis: RegistryAnalysis, *, integration_id: str | None = None,
                   cluster_id: str | None = None, markdown: bool = False) -> bytes | str:
    """The brief memo with the rubric and registry version in the database now (the pages' downloads)."""
    return brief_memo_document(analysis, rubric=load_saved_rubric(engine), registry_version=registry_version(engine),
                               integration_id=integration_id, cluster_id=cluster_id, engine=engine,
                               markdown=markdown)
