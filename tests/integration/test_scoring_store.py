"""Saved scorings on SQLite and PostgreSQL: one row per save, newest first, nothing saved on a bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlmodel import Session

from core.domain.registry import Integration, Status
from core.domain.rubric import ScoringContext, score_integration
from core.errors import ScoringError
from core.storage.defaults import load_rubric
from core.storage.registry_store import seed_sample_registry
from core.storage.scoring_store import list_scorings, save_scoring
from core.storage.tables import ScoringRecord
from tests.actors import editor

ROW = Integration(id="INT-900", name="Deals to billing", source_system="HubSpot", target_system="Stripe",
                  data_objects=("Deal",), owner_team="Sales Ops", owner="Ana Silva")
PROPOSAL = Integration(id="PROPOSAL", name="Quotes to Stripe", source_system="Salesforce", target_system="Stripe",
                       data_objects=("Quote",), owner_team="Finance", status=Status.PROPOSED)


def _score(integration: Integration, weights=None, overrides=None):
    rubric = load_rubric()
    if weights:
        rubric = rubric.with_weights(**weights)
    return rubric, score_integration(integration, ScoringContext(), rubric, overrides)


def _count(engine) -> int:
    with Session(engine) as session:
        return session.execute(select(func.count()).select_from(ScoringRecord)).scalar_one()


def test_a_saved_scoring_comes_back_with_everything_it_was_made_with(engine):
    rubric, result = _score(ROW, {"overlap": 6.0}, {"controls": 4.5})

    saved_id = save_scoring(engine, ROW, result, rubric.weights, {"controls": 4.5}, actor=editor("  Ana Silva "))

    [saved] = list_scorings(engine, "INT-900")
    assert saved.id == saved_id
    assert (saved.integration_id, saved.integration_name) == ("INT-900", "Deals to billing")
    assert saved.verdict is result.verdict
    assert saved.score == pytest.approx(result.score)
    assert saved.weights == {k: float(v) for k, v in rubric.weights.items()}
    assert saved.weights["overlap"] == 6.0
    assert saved.overrides == {"controls": 4.5}
    assert saved.result == result.as_dict()
    assert saved.scored_by == "Ana Silva"
    assert saved.scored_at.tzinfo is not None
    assert abs(saved.scored_at - datetime.now(UTC)) < timedelta(minutes=5)


def test_the_registry_version_it_saw_is_recorded(engine, sample_csv):
    seed_sample_registry(engine)
    rubric, result = _score(ROW)

    save_scoring(engine, ROW, result, rubric.weights, actor=editor("Ana"))

    assert list_scorings(engine)[0].registry_version == 1


def test_scorings_are_listed_newest_first_and_filtered_by_integration(engine):
    rubric, result = _score(ROW)
    _, proposal_result = _score(PROPOSAL)
    first = save_scoring(engine, ROW, result, rubric.weights, actor=editor("Ana"))
    proposal = save_scoring(engine, PROPOSAL, proposal_result, rubric.weights, actor=editor("Ben"))
    second = save_scoring(engine, ROW, result, rubric.weights, {"ownership": 5}, actor=editor("Cleo"))
    # Same-second saves must still come back in order: make the first one clearly older.
    with Session(engine) as session, session.begin():
        session.execute(update(ScoringRecord).where(ScoringRecord.id == first)
                        .values(scored_at=datetime.now(UTC) - timedelta(days=1)))

    assert [s.id for s in list_scorings(engine, "INT-900")] == [second, first]
    assert [s.id for s in list_scorings(engine, "PROPOSAL")] == [proposal]
    assert [s.id for s in list_scorings(engine)][-1] == first
    assert [s.id for s in list_scorings(engine, limit=1)] in ([second], [proposal])
    assert list_scorings(engine, "INT-404") == []


@pytest.mark.parametrize(
    ("weights", "overrides", "scored_by", "message"),
    [
        ({"overlap": 11}, {}, "Ana", "weight of overlap must be a number from 0 to 10"),
        ({}, {"magic": 3}, "Ana", "override for unknown criterion 'magic'"),
        ({}, {"controls": 7}, "Ana", "Operational controls must be from 0 to 5"),
        ({}, {}, "   ", "say who scored it"),
    ],
)
def test_a_bad_scoring_is_refused_in_words_and_nothing_is_saved(engine, weights, overrides, scored_by, message):
    rubric, result = _score(ROW)

    with pytest.raises(ScoringError, match=message):
        save_scoring(engine, ROW, result, {**rubric.weights, **weights}, overrides, actor=editor(scored_by))

    assert _count(engine) == 0


def test_a_result_for_another_integration_is_refused(engine):
    rubric, result = _score(PROPOSAL)

    with pytest.raises(ScoringError, match="the result is for PROPOSAL, not INT-900"):
        save_scoring(engine, ROW, result, rubric.weights, actor=editor("Ana"))

    assert _count(engine) == 0
