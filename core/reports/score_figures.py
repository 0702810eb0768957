"""What the Score page shows: the subject, the verdict's drivers, flips, a proposal from the form, saved scorings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, tzinfo

from core.domain.analysis import RegistryAnalysis, scoring_context_for
from core.domain.ranges import Range, parse_range
from core.domain.registry import Approach, Direction, Integration, Status, Tier, Timeliness
from core.domain.rubric import RubricConfig, RubricResult, score_integration
from core.errors import ProposalError, ValueFormatError
from core.reports.room import changed_weights, group_scores

PROPOSAL_ID = "PROPOSAL"


def format_score(score: float) -> str:
    """The rubric score as the page shows it.

    >>> format_score(2.4444), format_score(5)
    ('2.4 / 5', '5.0 / 5')
    """
    return f"{score:.1f} / 5"


def score_subject(
    analysis: RegistryAnalysis, integration: Integration, rubric: RubricConfig,
    overrides: Mapping[str, float] | None = None,
) -> RubricResult:
    """Score a registry integration or a proposal against the whole registry (one call for the page).

    >>> analysis = sample_analysis
    >>> score_subject(analysis, analysis.integration("INT-027"), rubric).verdict.value
    'retire'
    """
    return score_integration(integration, scoring_context_for(analysis, integration), rubric, overrides)


@dataclass(frozen=True, slots=True)
class ContributionRow:
    """One bar of the "what drives the score" chart."""

    name: str
    label: str
    contribution: float  # points of the 0-5 score this criterion adds
    share: float  # fraction of the whole score (0 when the score is 0)
    score: float
    weight: float
    overridden: bool
    explanation: str

    @property
    def text(self) -> str:
        """The bar's label: points, and the share of the score."""
        return f"{self.contribution:.2f} pts ({self.share:.0%})"


def contribution_rows(result: RubricResult) -> tuple[ContributionRow, ...]:
    """The criteria, largest contribution first (ties in rubric order), with their share of the score.

    >>> from core.domain.rubric import ScoringContext
    >>> row = Integration(id="INT-1", name="x", source_system="A", target_system="B", data_objects=("O",),
    ...                   owner_team="T")
    >>> rows = contribution_rows(score_integration(row, ScoringContext(), rubric))
    >>> rows[0].label, rows[0].text
    ('Ownership clarity', '0.71 pts (62%)')
    """
    total = result.score
    ordered = sorted(enumerate(result.criteria), key=lambda item: (-item[1].contribution, item[0]))
    return tuple(
        ContributionRow(
            name=c.name, label=c.label, contribution=c.contribution,
            share=c.contribution / total if total > 0 else 0.0,
            score=c.score, weight=c.weight, overridden=c.overridden, explanation=c.explanation,
        )
        for _, c in ordered
    )


def flip_statements(result: RubricResult, count: int = 3) -> tuple[str, ...]:
    """The ``count`` smallest weight changes that flip the verdict, as sentences, smallest first.

    >>> from core.domain.rubric import ScoringContext
    >>> row = Integration(id="INT-1", name="x", source_system="A", target_system="B", data_objects=("O",),
    ...                   owner_team="T", owner="Ana")
    >>> flip_statements(score_integration(row, ScoringContext(), rubric), 1)
    ('The verdict flips from proceed to hold if the weight of Operational controls rises by 438%.',)
    """
    flips = sorted(
        (s for s in result.sensitivity if s.flip_change is not None),
        key=lambda s: (abs(s.flip_change), s.criterion),
    )
    return tuple(s.statement(result.verdict) for s in flips[:count])


def stability_statement(result: RubricResult) -> str:
    """One sentence on how firm the verdict is against changes of single weights.

    >>> from core.domain.rubric import ScoringContext
    >>> row = Integration(id="INT-1", name="x", source_system="A", target_system="B", data_objects=("O",),
    ...                   owner_team="T", owner="Ana")
    >>> stability_statement(score_integration(row, ScoringContext(), rubric))
    'Stable: changing any single weight by up to ±25% leaves the verdict at proceed.'
    """
    if result.cluster_id is not None:
        return (f"Stable: changing any single weight by up to ±25% leaves the verdict at {result.verdict.value}, "
                f"the recommendation for {result.cluster_id}, which no weight from 0 to 10 changes: the weights move "
                "the score only.")
    if result.stable_within_25_percent:
        return f"Stable: changing any single weight by up to ±25% leaves the verdict at {result.verdict.value}."
    flips = sorted((s for s in result.sensitivity if s.flip_change is not None), key=lambda s: abs(s.flip_change))
    first = flips[0]
    return (f"Sensitive: a {abs(first.flip_change):.0%} change in the weight of {first.label} turns "
            f"{result.verdict.value} into {first.flips_to.value}. Agree the weights before relying on it.")


def describe_subject(integration: Integration) -> str:
    """One line saying what the scored integration is, for the heading of the verdict.

    >>> row = Integration(id="INT-1", name="Deals", source_system="HubSpot", target_system="Stripe",
    ...                   data_objects=("Deal", "Company"), owner_team="Sales Ops", tier=Tier.REVENUE_CRITICAL)
    >>> describe_subject(row)
    'HubSpot → Stripe · Deal, Company · Sales Ops, no named owner · live · revenue-critical'
    """
    arrow = "↔" if integration.is_bidirectional else "→"
    owner = integration.owner.strip() if integration.is_owned else "no named owner"
    parts = [
        f"{integration.source_system} {arrow} {integration.target_system}",
        ", ".join(integration.data_objects),
        f"{integration.owner_team}, {owner}",
        integration.status.value,
    ]
    if integration.tier is not None:
        parts.append(integration.tier.value)
    return " · ".join(parts)


def overrides_from_inputs(inputs: Mapping[str, float | None]) -> dict[str, float]:
    """The scores the group set: empty inputs mean "use the automatic score".

    >>> overrides_from_inputs({"overlap": None, "controls": 4, "ownership": 0})
    {'controls': 4.0, 'ownership': 0.0}
    """
    return {name: float(value) for name, value in inputs.items() if value is not None}


def _split_list(text: str | None) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for part in (text or "").replace(";", ",").replace("\n", ",").split(","):
        if part.strip():
            seen.setdefault(part.strip(), None)
    return tuple(seen)


def _optional_enum(enum_type, value, label: str, problems: list[str]):
    if value in (None, ""):
        return None
    try:
        return enum_type(value)
    except ValueError:
        allowed = ", ".join(v.value for v in enum_type)
        problems.append(f"{label} must be one of {allowed} (got {value!r})")
        return None


_PROPOSAL_RANGES = {
    "build_hours": "Estimated build hours",
    "monthly_maintenance_hours": "Estimated maintenance hours a month",
    "monthly_tool_cost": "Tool cost a month",
    "people_touching": "People touching the data",
}


PROPOSAL_CONTROLS = {
    "has_monitoring": "Monitoring", "has_retry": "Retry on failure", "has_audit_trail": "Audit trail",
    "source_of_truth_defined": "Source of truth agreed", "documented": "Documentation",
}


def proposal_from_answers(answers: Mapping[str, object]) -> Integration:
    """Build the proposal typed into the Score page's form as an :class:`Integration` to score.

    Lists (objects, consumers) are comma-separated; hours and money accept ``40``, ``30-50`` or
    ``30/40/60``. Controls listed in ``controls`` are planned (yes); the others are not decided
    yet (unknown). The id is ``PROPOSAL`` and the status ``proposed``.

    >>> proposal = proposal_from_answers({"name": "Quotes to Stripe", "source_system": "Salesforce",
    ...     "target_system": "Stripe", "data_objects": "Quote, Quote line", "owner_team": "Finance",
    ...     "owner": "", "build_hours": "30-50", "controls": ["has_monitoring"]})
    >>> proposal.id, proposal.status.value, proposal.data_objects, proposal.owner, proposal.build_hours.likely
    ('PROPOSAL', 'proposed', ('Quote', 'Quote line'), None, 40.0)
    >>> proposal.has_monitoring, proposal.has_retry
    (True, None)
    >>> try:
    ...     proposal_from_answers({"name": "x", "build_hours": "lots"})
    ... except ProposalError as error:
    ...     print(str(error).replace("; ", ";\\n"))
    The proposal cannot be scored yet: name the source system;
    name the target system;
    list at least one data object it moves;
    name the team that would own it;
    Estimated build hours: 'lots' is not a number.

    Raises:
        ProposalError: listing every answer to fix.
    """
    def text(key: str) -> str:
        value = answers.get(key)
        return str(value).strip() if value is not None else ""

    problems: list[str] = []
    required = {"name": "give the proposal a name", "source_system": "name the source system",
                "target_system": "name the target system"}
    for key, message in required.items():
        if not text(key):
            problems.append(message)
    objects = _split_list(text("data_objects"))
    if not objects:
        problems.append("list at least one data object it moves")
    if not text("owner_team"):
        problems.append("name the team that would own it")
    ranges: dict[str, Range | None] = {}
    for key, label in _PROPOSAL_RANGES.items():
        raw = text(key)
        try:
            ranges[key] = parse_range(raw, money=key == "monthly_tool_cost") if raw else None
        except ValueFormatError as error:
            problems.append(f"{label}: {error}")
    direction = _optional_enum(Direction, answers.get("direction"), "Direction", problems) or Direction.ONE_WAY
    approach = _optional_enum(Approach, answers.get("approach"), "Approach", problems)
    tier = _optional_enum(Tier, answers.get("tier"), "Business tier", problems)
    timeliness = _optional_enum(Timeliness, answers.get("timeliness"), "Timeliness", problems)
    planned = set(answers.get("controls") or ())
    unknown_controls = sorted(planned - set(PROPOSAL_CONTROLS))
    if unknown_controls:
        problems.append(f"unknown controls: {', '.join(unknown_controls)}")
    if problems:
        raise ProposalError("The proposal cannot be scored yet: " + "; ".join(problems) + ".")
    return Integration(
        id=PROPOSAL_ID, name=text("name"), source_system=text("source_system"), target_system=text("target_system"),
        data_objects=objects, owner_team=text("owner_team"), owner=text("owner") or None,
        consumers=_split_list(text("consumers")), direction=direction, approach=approach, tier=tier,
        timeliness=timeliness, status=Status.PROPOSED, notes=text("notes"),
        **ranges, **{name: (True if name in planned else None) for name in PROPOSAL_CONTROLS},
    )


def history_rows(saved: Iterable, default_weights: Mapping[str, float], tz: tzinfo = UTC) -> list[dict]:
    """Rows of the saved-scorings table: when, who, verdict, score, weights changed and scores set.

    >>> from datetime import datetime
    >>> from core.domain.rubric import Verdict
    >>> from types import SimpleNamespace
    >>> saved = SimpleNamespace(scored_at=datetime(2026, 3, 2, 14, 5, tzinfo=UTC), scored_by="Ana",
    ...     verdict=Verdict.MERGE, score=2.44, weights={"overlap": 10.0, "controls": 1.5},
    ...     overrides={"controls": 4.0}, integration_name="Deals", registry_version=3)
    >>> history_rows([saved], {"overlap": 3.0, "controls": 1.5})[0]  # doctest: +NORMALIZE_WHITESPACE
    {'Scored at': '2026-03-02 14:05 UTC', 'By': 'Ana', 'Verdict': 'merge', 'Score': '2.4 / 5',
     'Weights changed': 'Overlap with existing integrations 3 → 10',
     'Scores set by the group': 'Operational controls 4', 'Name': 'Deals', 'Registry version': 3}
    """
    rows = []
    for item in saved:
        changed = changed_weights(item.weights, default_weights)
        rows.append({
            "Scored at": item.scored_at.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z"),
            "By": item.scored_by,
            "Verdict": item.verdict.value,
            "Score": format_score(item.score),
            "Weights changed": "; ".join(changed) or "defaults",
            "Scores set by the group": "; ".join(group_scores(item.overrides)) or "none",
            "Name": item.integration_name,
            "Registry version": item.registry_version,
        })
    return rows
