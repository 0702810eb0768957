"""Saved rubric scorings: what the group decided for one integration or proposal, with who and when.

One transaction per call. A saved scoring keeps the weights and overrides it was made with and the
full result (verdict, score, criteria, reasons, sensitivity) as JSON, so it can be read again later
even after the rubric or the registry changed; ``registry_version`` says which registry it saw.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.domain.access import Actor, require_editor
from core.domain.registry import Integration
from core.domain.rubric import CRITERIA_BY_NAME, RubricConfig, RubricResult, Verdict
from core.errors import GovernanceError, ScoringError
from core.storage.audit import record_change
from core.storage.registry_store import REGISTRY_VERSION_KEY
from core.storage.transactions import write_session
from core.storage.tables import AppSetting, ScoringRecord, utc_now

# Keeps a name typed into the "Your name" box from filling the history table.
MAX_SCORED_BY_CHARS = 120


@dataclass(frozen=True, slots=True)
class SavedScoring:
    """One saved scoring, as the history table shows it."""

    id: int
    integration_id: str
    integration_name: str
    verdict: Verdict
    score: float
    weights: dict[str, float]
    overrides: dict[str, float]  # criterion name -> score set by the group; empty when all automatic
    result: dict  # RubricResult.as_dict() at the time of saving
    registry_version: int
    scored_by: str
    scored_at: datetime  # aware, UTC


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _from_record(record: ScoringRecord) -> SavedScoring:
    return SavedScoring(
        id=record.id,
        integration_id=record.integration_id,
        integration_name=record.integration_name,
        verdict=Verdict(record.verdict),
        score=float(record.score),
        weights={k: float(v) for k, v in (record.weights or {}).items()},
        overrides={k: float(v) for k, v in (record.overrides or {}).items()},
        result=dict(record.result or {}),
        registry_version=int(record.registry_version),
        scored_by=record.scored_by,
        scored_at=_aware(record.scored_at),
    )


def _check(integration: Integration, result: RubricResult, weights: Mapping[str, float],
           overrides: Mapping[str, float], scored_by: str) -> list[str]:
    problems = []
    if result.integration_id != integration.id:
        problems.append(f"the result is for {result.integration_id}, not {integration.id}; score it again")
    try:
        RubricConfig(weights=dict(weights))
    except GovernanceError as error:
        problems.append(str(error))
    for name, value in overrides.items():
        if name not in CRITERIA_BY_NAME:
            problems.append(f"override for unknown criterion {name!r}")
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 5:
            problems.append(f"the score set for {CRITERIA_BY_NAME[name].label} must be from 0 to 5 (got {value!r})")
    if not scored_by:
        problems.append("say who scored it (type your name in the sidebar)")
    elif len(scored_by) > MAX_SCORED_BY_CHARS:
        problems.append(f"keep the name to {MAX_SCORED_BY_CHARS} characters (it has {len(scored_by)})")
    return problems


def save_scoring(
    engine: Engine,
    integration: Integration,
    result: RubricResult,
    weights: Mapping[str, float],
    overrides: Mapping[str, float] | None = None,
    *,
    actor: Actor,
) -> int:
    """Save one scoring with who made it and the registry version it saw; returns the new row's id.

    >>> from core.storage.db import create_db_engine
    >>> from core.domain.rubric import ScoringContext, score_integration
    >>> engine = create_db_engine("sqlite://")
    >>> row = Integration(id="INT-1", name="Deals to billing", source_system="HubSpot", target_system="Stripe",
    ...                   data_objects=("Deal",), owner_team="Sales Ops", owner="Ana")
    >>> rubric = rubric
    >>> result = score_integration(row, ScoringContext(), rubric, {"controls": 4})
    >>> from core.domain.access import Actor, Role
    >>> saved_id = save_scoring(engine, row, result, rubric.weights, {"controls": 4}, actor=Actor("Ana", Role.EDITOR))
    >>> [(s.id, s.verdict.value, s.overrides, s.scored_by) for s in list_scorings(engine, "INT-1")]
    [(1, 'proceed', {'controls': 4.0}, 'Ana')]

    Args:
        engine: the database.
        integration: the integration or proposal scored (a proposal's id is ``PROPOSAL``).
        result: the result shown to the group.
        weights: the weights it was scored with (criterion name -> 0-10).
        overrides: criterion name -> score 0-5 the group set instead of the automatic one.
        actor: who saves it (an editor or admin); recorded as ``scored_by``.

    Returns:
        The id of the saved scoring.

    Raises:
        PermissionDenied: when the actor is a viewer.
        ScoringError: when the result is for another integration, a weight or override is out of
            range, or nobody is named; nothing is saved then.
    """
    require_editor(actor)
    overrides = dict(overrides or {})
    scored_by = (actor.name or "").strip()
    problems = _check(integration, result, weights, overrides, scored_by)
    if problems:
        raise ScoringError("The scoring was not saved: " + "; ".join(problems) + ".")
    with write_session(engine, what="this scoring") as session:
        version_row = session.get(AppSetting, REGISTRY_VERSION_KEY)
        record = ScoringRecord(
            integration_id=integration.id,
            integration_name=integration.name,
            verdict=result.verdict.value,
            score=float(result.score),
            weights={name: float(value) for name, value in weights.items()},
            overrides={name: float(value) for name, value in overrides.items()},
            result=result.as_dict(),
            registry_version=int(version_row.value["version"]) if version_row else 0,
            scored_by=scored_by,
            scored_at=utc_now(),
        )
        session.add(record)
        session.flush()
        record_change(session, actor, "create", "scoring", record.id, None, {
            "integration_id": record.integration_id, "integration_name": record.integration_name,
            "verdict": record.verdict, "score": record.score, "weights": record.weights,
            "overrides": record.overrides, "registry_version": record.registry_version,
        }, f"Scored {integration.id} ({integration.name}): {record.verdict}, {record.score:.2f}.")
        return int(record.id)


def list_scorings(engine: Engine, integration_id: str | None = None, *, limit: int | None = None) -> list[SavedScoring]:
    """Saved scorings, newest first: of one integration (or ``PROPOSAL``), or of all when no id is given.

    Args:
        engine: the database.
        integration_id: only this integration's scorings; ``None`` for every one.
        limit: at most this many (the newest); ``None`` for all.

    Returns:
        The saved scorings, newest first.
    """
    statement = select(ScoringRecord)
    if integration_id is not None:
        statement = statement.where(ScoringRecord.integration_id == integration_id)
    statement = statement.order_by(ScoringRecord.scored_at.desc(), ScoringRecord.id.desc())
    if limit is not None:
        statement = statement.limit(limit)
    with Session(engine) as session, session.begin():
        return [_from_record(record) for record in session.execute(statement).scalars().all()]
