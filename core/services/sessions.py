"""Diagnostic-session actions: create, start, capture assumptions, questions and notes, record decisions."""

from __future__ import annotations

from core.domain.diagnostic import (RESPONSIBILITIES, AgendaProgress, AgendaStep, Decision, DiagnosticSession,
    RaciEntry, Role, agenda_from_rows, agenda_progress, format_clock, participants_from_rows, raci_from_choices,
    raci_people)
from core.domain.rubric import Verdict
from core.storage.session_store import (DecisionRecord, SessionItem, SessionSummary, add_item, create_session,
    delete_decision, delete_item, list_decisions, list_items, list_sessions, load_session, save_agenda,
    save_decision, save_notes, set_participants, start_session, update_item)
from core.storage.tables import utc_now

__all__ = [
    "RESPONSIBILITIES", "AgendaProgress", "AgendaStep", "Decision", "DecisionRecord", "DiagnosticSession",
    "RaciEntry", "Role", "SessionItem", "SessionSummary", "Verdict", "add_item", "agenda_from_rows",
    "agenda_progress", "create_session", "delete_decision", "delete_item", "format_clock", "list_decisions",
    "list_items", "list_sessions", "load_session", "participants_from_rows", "raci_from_choices", "raci_people",
    "save_agenda", "save_decision", "save_notes", "set_participants", "start_session", "update_item", "utc_now",
]
