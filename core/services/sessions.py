"""Diagnostic-session actions: create, start, capture assumptions, questions and notes, record decisions."""

from __future__ import annotations

from core.domain.diagnostic import (RESPONSIBILITIES, AgendaProgress, AgendaStep, Decision, DiagnosticSession,
    Participant, RaciEntry, Role, agenda_from_rows, format_clock, participants_from_rows, raci_from_choices,
    raci_people)
from core.domain.rubric import Verdict
from core.domain.session_clock import (AGENDA_TEMPLATES, EXTRA_MINUTES, agenda_progress, agenda_warnings,
    missing_roles)
from core.storage.session_clock_store import add_minutes, load_clock, next_step, pause_session, resume_session
from core.storage.session_store import (DecisionRecord, SessionItem, SessionSummary, add_item, create_session,
    delete_decision, delete_item, list_decisions, list_items, list_sessions, load_session, save_agenda,
    save_decision, save_notes, set_participants, start_session, update_item)
from core.storage.tables import utc_now
from core.reports.figures import cluster_name

__all__ = [
    "Participant", "cluster_names", "load_clock",
    "AGENDA_TEMPLATES", "EXTRA_MINUTES", "add_minutes", "agenda_warnings", "missing_roles", "next_step",
    "pause_session", "resume_session",
    "RESPONSIBILITIES", "AgendaProgress", "AgendaStep", "Decision", "DecisionRecord", "DiagnosticSession",
    "RaciEntry", "Role", "SessionItem", "SessionSummary", "Verdict", "add_item", "agenda_from_rows",
    "agenda_progress", "create_session", "delete_decision", "delete_item", "format_clock", "list_decisions",
    "list_items", "list_sessions", "load_session", "participants_from_rows", "raci_from_choices", "raci_people",
    "save_agenda", "save_decision", "save_notes", "set_participants", "start_session", "update_item", "utc_now",
]


def cluster_names(analysis) -> dict[str, str]:
    """Every overlap cluster's id with its name (route, objects, first members), for the decision form's picker."""
    return {cluster.id: cluster_name(analysis, cluster) for cluster in analysis.clusters}
