"""Scoring actions: the rubric verdict of an integration or a proposal, live, and saving what the group agreed."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from core.domain.registry import Approach, Direction, Integration, Tier, Timeliness
from core.domain.rubric import CRITERIA, RubricConfig, RubricResult, Verdict
from core.reports.score_figures import (PROPOSAL_CONTROLS, PROPOSAL_ID, contribution_rows, describe_subject,
    flip_statements, format_score, history_rows, overrides_from_inputs, proposal_from_answers, score_subject)
from core.storage.scoring_store import SavedScoring, list_scorings, save_scoring
from core.storage.settings_store import load_saved_rubric

__all__ = [
    "CRITERIA", "PROPOSAL_CONTROLS", "PROPOSAL_ID", "Approach", "Direction", "Integration", "RubricConfig",
    "RubricResult", "SavedScoring", "Tier", "Timeliness", "Verdict", "contribution_rows", "describe_subject",
    "flip_statements", "format_score", "history_rows", "list_scorings", "overrides_from_inputs",
    "proposal_from_answers", "saved_rubric", "save_scoring", "score_subject",
]


def saved_rubric(engine: Engine) -> RubricConfig:
    """The weights and thresholds saved on the Settings page (``data/rubric.toml`` until someone saves)."""
    return load_saved_rubric(engine)
