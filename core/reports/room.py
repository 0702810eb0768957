"""What the room said: scorings the group saved and the notes of its sessions, as memos and the snapshot print them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from core.domain.rubric import CRITERIA_BY_NAME, Verdict
from core.wording import format_date, format_time, verdict_banner

# Session notes a one-page snapshot quotes before it points to the memo.
SNAPSHOT_NOTE_CHARACTERS = 240


@dataclass(frozen=True, slots=True)
class GroupScoring:
    """A scoring the group saved on the Score page: its own weights and scores, and who saved it when."""

    integration_id: str
    integration_name: str
    verdict: Verdict
    score: float
    weights: Mapping[str, float]
    overrides: Mapping[str, float]  # criterion name -> score the group set
    scored_by: str
    scored_at: datetime
    default_verdict: Verdict | None = None  # the verdict with the weights in Settings, worked out today
    default_score: float | None = None


@dataclass(frozen=True, slots=True)
class SessionNotes:
    """The notes of one diagnostic session, with what it decided about the subjects in scope."""

    session_id: int
    title: str
    held_on: datetime
    facilitator: str
    notes: str
    decisions: tuple[str, ...] = ()  # "CENTRALIZE CL-INT-015: Four teams run copies; ..."


@dataclass(frozen=True, slots=True)
class Room:
    """Everything the room recorded that a memo or the snapshot shows beside the figures."""

    scorings: tuple[GroupScoring, ...] = ()  # the latest saved scoring of each integration, newest first
    sessions: tuple[SessionNotes, ...] = field(default=())  # newest first

    def scoring_of(self, integration_id: str) -> GroupScoring | None:
        return next((s for s in self.scorings if s.integration_id == integration_id), None)

    def about(self, integration_ids: Iterable[str]) -> tuple[GroupScoring, ...]:
        """The group's scorings of these integrations, in the room's order."""
        wanted = set(integration_ids)
        return tuple(s for s in self.scorings if s.integration_id in wanted)

    @property
    def is_empty(self) -> bool:
        return not self.scorings and not any(s.notes.strip() or s.decisions for s in self.sessions)


def _label(name: str) -> str:
    return CRITERIA_BY_NAME[name].label if name in CRITERIA_BY_NAME else name


def changed_weights(weights: Mapping[str, float], defaults: Mapping[str, float]) -> list[str]:
    """The weights that differ from the defaults, as "Overlap with existing integrations 3 → 1".

    >>> changed_weights({"overlap": 1.0, "controls": 1.5}, {"overlap": 3.0, "controls": 1.5})
    ['Overlap with existing integrations 3 → 1']
    """
    return [f"{_label(name)} {defaults[name]:g} → {value:g}" for name, value in weights.items()
            if name in defaults and abs(value - defaults[name]) > 1e-9]


def group_scores(overrides: Mapping[str, float]) -> list[str]:
    """The criterion scores the group set, as "Operational controls 4".

    >>> group_scores({"controls": 4.0})
    ['Operational controls 4']
    """
    return [f"{_label(name)} {value:g}" for name, value in overrides.items()]


def group_scoring_text(scoring: GroupScoring, defaults: Mapping[str, float]) -> str:
    """One saved scoring in words, labelled as the group's, with the default-weights verdict beside when it differs.

    >>> from datetime import UTC
    >>> saved = GroupScoring("INT-019", "Deals", Verdict.HOLD, 1.3, {"overlap": 1.0}, {"controls": 4.0}, "Ana Lima",
    ...     datetime(2026, 5, 4, 14, 5, tzinfo=UTC), Verdict.CENTRALIZE, 3.7)
    >>> print(group_scoring_text(saved, {"overlap": 3.0}))  # doctest: +NORMALIZE_WHITESPACE
    The group's scoring of INT-019 Deals: HOLD, score 1.3 / 5, saved by Ana Lima on 2026-05-04 14:05 UTC.
    Weights changed: Overlap with existing integrations 3 → 1. Scores set by the group: Operational controls 4.
    With the weights in Settings it is CENTRALIZE, score 3.7 / 5.

    Args:
        scoring: the saved scoring.
        defaults: the weights in Settings, to say which the group changed.

    Returns:
        Plain sentences (escape them before using them as Markdown).
    """
    text = (f"The group's scoring of {scoring.integration_id} {scoring.integration_name}: "
            f"{verdict_banner(scoring.verdict)}, score {scoring.score:.1f} / 5, saved by {scoring.scored_by} "
            f"on {format_time(scoring.scored_at, pattern='%Y-%m-%d %H:%M UTC')}.")
    changed = changed_weights(scoring.weights, defaults)
    text += f" Weights changed: {'; '.join(changed)}." if changed else " Weights: as in Settings."
    set_by_group = group_scores(scoring.overrides)
    if set_by_group:
        text += f" Scores set by the group: {'; '.join(set_by_group)}."
    if scoring.default_verdict is not None and scoring.default_verdict != scoring.verdict:
        text += (f" With the weights in Settings it is {verdict_banner(scoring.default_verdict)}"
                 + (f", score {scoring.default_score:.1f} / 5." if scoring.default_score is not None else "."))
    return text


def session_heading(session: SessionNotes) -> str:
    """Which session the notes are from, for a heading.

    >>> from datetime import UTC
    >>> session_heading(SessionNotes(4, "Q3 review", datetime(2026, 5, 4, tzinfo=UTC), "Ana Lima", "..."))
    'Session 4 · Q3 review · 4 May 2026 · facilitated by Ana Lima'
    """
    return (f"Session {session.session_id} · {session.title} · {format_date(session.held_on)} · "
            f"facilitated by {session.facilitator}")


def snapshot_room_lines(room: Room, integration_ids: Iterable[str], defaults: Mapping[str, float],
                        limit: int = 3) -> list[str]:
    """The few lines of "from the room" a one-page snapshot has space for.

    The group's saved scorings of integrations in the clusters listed (at most ``limit``, newest
    first), then the newest session's notes, shortened, pointing to its memo for the rest.
    """
    lines = [group_scoring_text(s, defaults) for s in room.about(integration_ids)[:limit]]
    noted = next((s for s in room.sessions if s.notes.strip()), None)
    if noted is not None:
        notes = " ".join(noted.notes.split())
        if len(notes) > SNAPSHOT_NOTE_CHARACTERS:
            cut = notes[:SNAPSHOT_NOTE_CHARACTERS].rsplit(" ", 1)[0]
            notes = f"{cut}… (all of them in the memo: igov memo --session {noted.session_id})"
        lines.append(f"Notes of session {noted.session_id} ({noted.title}, {format_date(noted.held_on)}): {notes}")
    return lines


def decision_line(verdict: Verdict, subject_id: str, rationale: str) -> str:
    """A decision a session recorded, in one line.

    >>> decision_line(Verdict.MERGE, "INT-031", "Invoice lines duplicate the money sync.")
    'MERGE INT-031: Invoice lines duplicate the money sync.'
    """
    return f"{verdict_banner(verdict)} {subject_id}: {rationale}".rstrip(": ")

