"""The decisions tracker: every decision followed to done, the registry change it implies, and what it saved."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date, datetime

from sqlalchemy.engine import Engine

from core.domain.access import Actor, require_editor
from core.domain.analysis import RegistryAnalysis
from core.domain.follow_up import (ACTIVE, FOLLOWED_INTO_REGISTRY, STATUS_FILTERS, STATUS_LABELS, DecisionStatus,
    FieldChange, RealisedSaving, RegistryProposal, TrackedDecision, affected_run_rate, filter_decisions,
    integrations_to_hand_over, owner_change, projected_saving, propose_registry_change, realised_saving,
    realised_so_far, saving_still_to_come)
from core.domain.registry_edit import RegistryChanges
from core.errors import SessionError
from core.reports.calendar import CalendarEvent, calendar_text
from core.services.analysis import load_analysis
from core.services.trend import snapshot_portfolio
from core.storage.decision_store import (DECISIONS_LOCK, change_decision_status, change_status_in,
    load_tracked_decisions, set_expected_saving)
from core.storage.registry_store import apply_registry_changes, load_integration_versions
from core.storage.tables import utc_now
from core.wording import format_money, format_money_range, verdict_name

__all__ = [
    "ACTIVE", "FOLLOWED_INTO_REGISTRY", "STATUS_FILTERS", "STATUS_LABELS", "DecisionStatus", "FieldChange",
    "RealisedSaving", "RegistryProposal", "TrackedDecision", "change_status", "complete_with_registry_change",
    "decision_rows", "decisions_calendar", "edit_expected_saving", "integrations_to_hand_over",
    "make_accountable_owner", "propose_follow_through",
    "realised_savings", "realised_so_far", "saving_still_to_come", "tracked_decisions", "utc_now",
]


def _with_projection(tracked: TrackedDecision, analysis: RegistryAnalysis) -> TrackedDecision:
    saving, affected = projected_saving(tracked.decision, analysis)
    return dataclasses.replace(
        tracked, expected_saving=tracked.expected_saving if tracked.saving_edited else saving,
        affected_ids=tracked.affected_ids or affected)


def tracked_decisions(engine: Engine, today: date, *, status: str | None = None, owner: str | None = None,
                      analysis: RegistryAnalysis | None = None) -> list[TrackedDecision]:
    """Every decision from every session, with its status and expected monthly saving, narrowed by the filters.

    Args:
        engine: the database.
        today: the day "overdue" is judged on.
        status: ``open``, ``in-progress``, ``done``, ``dropped`` or ``overdue``; ``None`` for all.
        owner: only decisions whose Accountable person's name contains this (any case).
        analysis: the registry analysed (the page has it); ``None`` loads it.
    """
    analysis = analysis or load_analysis(engine)
    rows = [_with_projection(t, analysis) for t in load_tracked_decisions(engine)]
    return filter_decisions(rows, today, status=status, owner=owner)


def _tracked_one(engine: Engine, decision_id: int, analysis: RegistryAnalysis) -> TrackedDecision:
    found = load_tracked_decisions(engine, decision_id)
    if not found:
        raise SessionError(f"Decision {decision_id} does not exist: someone deleted it or its session.")
    return _with_projection(found[0], analysis)


def decision_rows(decisions: list[TrackedDecision], today: date, currency: str = "$",
                  realised: Mapping[int, RealisedSaving] | None = None) -> list[dict]:
    """The tracker's table and ``igov decisions --json``: one flat mapping per decision.

    ``realised`` (by decision id, from :func:`realised_savings`) adds ``realised_monthly_saving`` to done ones.
    """
    realised = realised or {}
    return [{
        "id": t.id, "session_id": t.session_id, "session": t.session_title,
        "subject": t.subject, "subject_kind": t.decision.subject_kind, "verdict": t.decision.verdict.value,
        "accountable": t.accountable, "due_date": t.decision.due_date.isoformat() if t.decision.due_date else None,
        "next_step": t.decision.next_step, "status": t.status.value, "overdue": t.is_overdue(today),
        "expected_monthly_saving": t.expected_saving.as_dict() if t.expected_saving else None,
        "expected_saving_text": (format_money_range(t.expected_saving, currency, "/ month") if t.expected_saving
                                 else "not priced"),
        "saving_edited": t.saving_edited,
        "saving_source": ("at done" if t.status is DecisionStatus.DONE and t.expected_saving else
                          "edited" if t.saving_edited else "recommendation" if t.expected_saving else "none"),
        "done_at": t.done_at.isoformat() if t.done_at else None,
        "realised_monthly_saving": realised[t.id].realised if t.id in realised else None,
        "version": t.version,
    } for t in decisions]


def change_status(engine: Engine, decision_id: int, status: DecisionStatus | str, *, actor: Actor,
                  expected_version: int | None = None, now: datetime | None = None,
                  analysis: RegistryAnalysis | None = None) -> bool:
    """Move a decision to open, in progress, done or dropped, recorded in the history with who and when.

    Done without a registry change (a retire or merge decision's change is applied with
    :func:`complete_with_registry_change` after it is confirmed). Done keeps the affected integrations' run-rate,
    from which the realised saving is measured.

    Returns:
        Whether anything changed (the same status again records nothing).
    """
    require_editor(actor)
    status = DecisionStatus(status)
    baseline, affected, projected = None, (), None
    if status is DecisionStatus.DONE:
        analysis = analysis or load_analysis(engine)
        tracked = _tracked_one(engine, decision_id, analysis)
        affected, projected = tracked.affected_ids, _likely(tracked)
        baseline = affected_run_rate(affected, analysis.run_rates)
    return change_decision_status(engine, decision_id, status, actor=actor, now=now or utc_now(),
                                  expected_version=expected_version, baseline_run_rate=baseline,
                                  affected_ids=affected, projected_saving=projected)


def _likely(tracked: TrackedDecision) -> float | None:
    return tracked.expected_saving.likely if tracked.expected_saving is not None else None


def edit_expected_saving(engine: Engine, decision_id: int, amount: float | None, *, actor: Actor,
                         expected_version: int | None = None) -> bool:
    """Replace the expected monthly saving with a number of one's own; ``None`` goes back to the recommendation's."""
    return set_expected_saving(engine, decision_id, amount, actor=actor, expected_version=expected_version)


def propose_follow_through(engine: Engine, decision_id: int,
                           analysis: RegistryAnalysis | None = None) -> tuple[RegistryProposal, dict[str, int]]:
    """The registry change marking this decision done implies, and the versions of the integrations it touches.

    Nothing is written: the page shows it for confirmation, then passes the versions back to
    :func:`complete_with_registry_change`, which refuses if someone changed those integrations meanwhile.
    """
    analysis = analysis or load_analysis(engine)
    proposal = propose_registry_change(_tracked_one(engine, decision_id, analysis), analysis)
    versions = load_integration_versions(engine)
    return proposal, {i.id: versions[i.id] for i in proposal.updated if i.id in versions}


def complete_with_registry_change(engine: Engine, decision_id: int, seen_versions: Mapping[str, int], *,
                                  actor: Actor, expected_version: int | None = None,
                                  now: datetime | None = None) -> RegistryProposal:
    """Mark a retire or merge decision done AND apply its registry change, in one transaction, after confirmation.

    The copies become retired and the survivor takes their consumers; each change is in the history (the
    integrations' and the decision's), and the portfolio gets a new trend point.

    Raises:
        EditConflict: when someone changed the decision or one of the integrations since the proposal was shown.
        SessionError: when the decision is gone or its verdict changes nothing in the registry.
    """
    require_editor(actor)
    analysis = load_analysis(engine)
    tracked = _tracked_one(engine, decision_id, analysis)
    if tracked.decision.verdict not in FOLLOWED_INTO_REGISTRY:
        raise SessionError(f"Decision {decision_id} is a {verdict_name(tracked.decision.verdict)} decision: it "
                           "changes nothing in the registry. Mark it done instead.")
    proposal = propose_registry_change(tracked, analysis)
    baseline = affected_run_rate(tracked.affected_ids, analysis.run_rates)
    moment = now or utc_now()

    def mark_done(session) -> None:
        change_status_in(session, decision_id, DecisionStatus.DONE, actor=actor, now=moment,
                         expected_version=expected_version, baseline_run_rate=baseline,
                         affected_ids=tracked.affected_ids, projected_saving=_likely(tracked),
                         note=f", registry updated: {len(proposal.retired)} retired" if proposal.changes else "")

    apply_registry_changes(engine, RegistryChanges(changed=proposal.updated), dict(seen_versions), actor=actor,
                           also=mark_done, locks=(DECISIONS_LOCK,))
    if proposal.changes:
        snapshot_portfolio(engine, cause=f"decision {decision_id} done")
    return proposal


def make_accountable_owner(engine: Engine, decision_id: int, integration_id: str, *, actor: Actor,
                           seen_version: int | None = None) -> bool:
    """Make the decision's Accountable person the owner of an integration, in one step (recorded in history).

    Returns:
        Whether the owner changed (already the owner: nothing is written).
    """
    require_editor(actor)
    analysis = load_analysis(engine)
    tracked = _tracked_one(engine, decision_id, analysis)
    if not tracked.accountable:
        raise SessionError(f"Decision {decision_id} has no Accountable person: set one in its session first.")
    updated = owner_change(tracked, analysis.integration(integration_id))
    if updated is None:
        return False
    version = seen_version if seen_version is not None else load_integration_versions(engine).get(integration_id)
    written = apply_registry_changes(engine, RegistryChanges(changed=(updated,)), {integration_id: version},
                                     actor=actor)
    if not written.is_empty:
        snapshot_portfolio(engine, cause=f"owner named by decision {decision_id}")
    return not written.is_empty


def realised_savings(engine: Engine, analysis: RegistryAnalysis | None = None) -> list[RealisedSaving]:
    """For each done decision: the drop in its integrations' monthly run-rate since, against what was expected."""
    analysis = analysis or load_analysis(engine)
    rows = [_with_projection(t, analysis) for t in load_tracked_decisions(engine)]
    return [r for r in (realised_saving(t, analysis.run_rates) for t in rows) if r is not None]


def decisions_calendar(decisions: list[TrackedDecision], *, currency: str = "$", stamp: datetime | None = None) -> str:
    """An iCalendar (.ics) file with one all-day event per open or in-progress decision's due date."""
    events = [CalendarEvent(
        uid=f"decision-{t.id}@igov", day=t.decision.due_date,
        summary=f"{verdict_name(t.decision.verdict)} {t.subject} due ({t.accountable or 'no Accountable'})",
        description=(f"Decision {t.id} of session {t.session_id} “{t.session_title}”. "
                     f"Next step: {t.decision.next_step or 'none written'}. Accountable: {t.accountable or 'none'}. "
                     f"Expected saving: {format_money(t.expected_saving.likely, currency) + ' a month' if t.expected_saving else 'not priced'}."))  # noqa: E501
        for t in decisions if t.status in ACTIVE and t.decision.due_date is not None]
    return calendar_text(events, stamp=stamp or utc_now())
