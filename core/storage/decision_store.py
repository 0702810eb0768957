"""Decisions after their session, and the portfolio over time: tracking rows and dated snapshots of the figures."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.domain.access import Actor, require_editor
from core.domain.follow_up import DecisionStatus, TrackedDecision
from core.domain.ranges import Range
from core.errors import EditConflict, SessionError
from core.wording import whole_units
from core.storage.audit import record_change
from core.storage.session_store import _decision_from_record
from core.storage.tables import (DecisionTrackingRecord, DiagnosticSessionRecord, PortfolioSnapshotRecord,
    SessionDecisionRecord, utc_now)
from core.storage.transactions import write_session

DECISIONS_LOCK = "decision tracking"


def _tracked(decision: SessionDecisionRecord, title: str, row: DecisionTrackingRecord | None) -> TrackedDecision:
    base = TrackedDecision(id=decision.id, session_id=decision.session_id, session_title=title,
                           decision=_decision_from_record(decision))
    if row is None:
        return base
    return TrackedDecision(
        id=base.id, session_id=base.session_id, session_title=title, decision=base.decision,
        status=DecisionStatus(row.status),
        expected_saving=Range.exact(row.expected_saving) if row.expected_saving is not None else None,
        saving_edited=row.expected_saving is not None, done_at=row.done_at, baseline_run_rate=row.baseline_run_rate,
        affected_ids=tuple(row.affected_ids or ()), version=row.version, updated_at=row.updated_at,
        updated_by=row.updated_by)


def load_tracked_decisions(engine: Engine, decision_id: int | None = None) -> list[TrackedDecision]:
    """Every decision of every session (or just one), oldest first, with its tracking as stored.

    ``expected_saving`` is set only where a person edited it; the service fills in the recommendation's.
    """
    query = (select(SessionDecisionRecord, DiagnosticSessionRecord.title, DecisionTrackingRecord)
             .join(DiagnosticSessionRecord, DiagnosticSessionRecord.id == SessionDecisionRecord.session_id)
             .outerjoin(DecisionTrackingRecord, DecisionTrackingRecord.decision_id == SessionDecisionRecord.id)
             .order_by(SessionDecisionRecord.id))
    if decision_id is not None:
        query = query.where(SessionDecisionRecord.id == decision_id)
    with Session(engine) as session:
        return [_tracked(decision, title, row) for decision, title, row in session.execute(query).all()]


def _what(decision: SessionDecisionRecord) -> str:
    return f"decision {decision.id} ({decision.verdict} {decision.subject_id})"


def _current(session: Session, decision_id: int, expected_version: int | None):
    decision = session.get(SessionDecisionRecord, decision_id)
    if decision is None:
        raise SessionError(f"Decision {decision_id} does not exist: someone deleted it or its session.")
    row = session.execute(select(DecisionTrackingRecord).where(DecisionTrackingRecord.decision_id == decision_id)
                          .with_for_update().execution_options(populate_existing=True)).scalar_one_or_none()
    version = row.version if row is not None else 0
    if expected_version is not None and expected_version != version:
        who = row.updated_by if row is not None and row.updated_by else "Someone"
        raise EditConflict(f"{who} changed decision {decision_id} meanwhile, so your change was not saved. "
                           "Reload the tracker to see it, then try again.")
    return decision, row


def _write(session: Session, decision_id: int, row: DecisionTrackingRecord | None, actor: Actor, **values) -> None:
    if row is None:
        values.setdefault("status", DecisionStatus.OPEN.value)
        values.setdefault("affected_ids", [])
        session.execute(insert(DecisionTrackingRecord).values(decision_id=decision_id, version=1, updated_at=utc_now(),
                                                              updated_by=actor.name, **values))
        return
    session.execute(update(DecisionTrackingRecord).where(DecisionTrackingRecord.decision_id == decision_id).values(
        version=DecisionTrackingRecord.version + 1, updated_at=utc_now(), updated_by=actor.name, **values)
        .execution_options(synchronize_session=False))


def change_status_in(session: Session, decision_id: int, status: DecisionStatus, *, actor: Actor, now: datetime,
                     expected_version: int | None = None, baseline_run_rate: float | None = None,
                     affected_ids: Iterable[str] = (), projected_saving: float | None = None,
                     note: str = "") -> bool:
    """Set a decision's status inside the caller's transaction, with its history entry; ``False`` when unchanged.

    Done records when (``now``) and the affected integrations' run-rate then (``baseline_run_rate``): realised
    savings are measured from it. The expected saving is frozen then too (``projected_saving`` unless a person set
    one): once the copies are retired their cluster is gone, and with it the recommendation that priced it.
    Leaving done forgets the moment and the baseline.
    """
    decision, row = _current(session, decision_id, expected_version)
    before = DecisionStatus(row.status) if row is not None else DecisionStatus.OPEN
    if before is status:
        return False
    values: dict = {"status": status.value}
    if status is DecisionStatus.DONE:
        values |= {"done_at": now, "baseline_run_rate": baseline_run_rate, "affected_ids": list(affected_ids)}
        if (row is None or row.expected_saving is None) and projected_saving is not None:
            values["expected_saving"] = projected_saving
    elif before is DecisionStatus.DONE:
        values |= {"done_at": None, "baseline_run_rate": None}
    _write(session, decision_id, row, actor, **values)
    record_change(session, actor, "update", "decision", decision_id, {"status": before.value},
                  {"status": status.value, **({"done_at": now} if status is DecisionStatus.DONE else {})},
                  f"Marked {_what(decision)} {status.label.lower()} (was {before.label.lower()}){note}.")
    return True


def change_decision_status(engine: Engine, decision_id: int, status: DecisionStatus, *, actor: Actor, now: datetime,
                           expected_version: int | None = None, baseline_run_rate: float | None = None,
                           affected_ids: Iterable[str] = (), projected_saving: float | None = None) -> bool:
    """Set a decision's status in its own transaction (see :func:`change_status_in`)."""
    require_editor(actor)
    with write_session(engine, locks=(DECISIONS_LOCK,), what="this decision") as session:
        return change_status_in(session, decision_id, status, actor=actor, now=now, expected_version=expected_version,
                                baseline_run_rate=baseline_run_rate, affected_ids=affected_ids,
                                projected_saving=projected_saving)


def set_expected_saving(engine: Engine, decision_id: int, amount: float | None, *, actor: Actor,
                        expected_version: int | None = None) -> bool:
    """Replace the expected monthly saving with a person's number (``None``: back to the recommendation's)."""
    require_editor(actor)
    if amount is not None and (amount != amount or amount < 0):
        raise SessionError("The expected saving is a monthly amount of 0 or more: type a number like 1500.")
    with write_session(engine, locks=(DECISIONS_LOCK,), what="this decision") as session:
        decision, row = _current(session, decision_id, expected_version)
        before = row.expected_saving if row is not None else None
        if before == amount:
            return False
        _write(session, decision_id, row, actor, expected_saving=amount)
        shown = "the recommendation's" if amount is None else f"{whole_units(amount):,} a month"
        record_change(session, actor, "update", "decision", decision_id, {"expected_saving": before},
                      {"expected_saving": amount}, f"Set the expected saving of {_what(decision)} to {shown}.")
        return True


@dataclass(frozen=True, slots=True)
class PortfolioSnapshot:
    """The portfolio's figures at one moment (monthly amounts)."""

    taken_at: datetime
    registry_version: int
    cause: str
    run_rate: Range
    duplicated: Range
    integration_count: int
    unowned_count: int
    cluster_count: int
    cluster_members: tuple[tuple[str, ...], ...] | None = None  # None: a point taken before members were kept


def record_snapshot(engine: Engine, snapshot: PortfolioSnapshot) -> bool:
    """Store a snapshot, unless the newest one already shows the same registry version and figures."""
    with write_session(engine, what="the portfolio snapshot") as session:
        last = session.execute(select(PortfolioSnapshotRecord).order_by(PortfolioSnapshotRecord.taken_at.desc(),
                                                                        PortfolioSnapshotRecord.id.desc())
                               .limit(1)).scalar_one_or_none()
        if last is not None and _snapshot(last) == _snapshot_values(snapshot, last.taken_at, last.cause):
            return False
        session.add(PortfolioSnapshotRecord(
            taken_at=snapshot.taken_at, registry_version=snapshot.registry_version, cause=snapshot.cause[:200],
            run_rate_low=snapshot.run_rate.low, run_rate_likely=snapshot.run_rate.likely,
            run_rate_high=snapshot.run_rate.high, duplicated_low=snapshot.duplicated.low,
            duplicated_likely=snapshot.duplicated.likely, duplicated_high=snapshot.duplicated.high,
            integration_count=snapshot.integration_count, unowned_count=snapshot.unowned_count,
            cluster_count=snapshot.cluster_count,
            cluster_members=None if snapshot.cluster_members is None else [list(c) for c in snapshot.cluster_members]))
        return True


def _snapshot_values(snapshot: PortfolioSnapshot, taken_at: datetime, cause: str) -> PortfolioSnapshot:
    # Compared without the moment and the cause: a second snapshot of the same state is not a new point.
    return PortfolioSnapshot(taken_at, snapshot.registry_version, cause, snapshot.run_rate, snapshot.duplicated,
                             snapshot.integration_count, snapshot.unowned_count, snapshot.cluster_count,
                             snapshot.cluster_members)


def _snapshot(r: PortfolioSnapshotRecord) -> PortfolioSnapshot:
    return PortfolioSnapshot(
        taken_at=r.taken_at, registry_version=r.registry_version, cause=r.cause,
        run_rate=Range(r.run_rate_low, r.run_rate_likely, r.run_rate_high),
        duplicated=Range(r.duplicated_low, r.duplicated_likely, r.duplicated_high),
        integration_count=r.integration_count, unowned_count=r.unowned_count, cluster_count=r.cluster_count,
        cluster_members=None if r.cluster_members is None else tuple(tuple(c) for c in r.cluster_members))


def load_snapshots(engine: Engine) -> list[PortfolioSnapshot]:
    """Every snapshot, oldest first."""
    with Session(engine) as session:
        return [_snapshot(r) for r in session.execute(select(PortfolioSnapshotRecord).order_by(
            PortfolioSnapshotRecord.taken_at, PortfolioSnapshotRecord.id)).scalars().all()]
