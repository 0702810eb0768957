"""The decision rubric: weighted criteria, guards, a verdict with reasons, and how sensitive it is to weights."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from core.domain.overlap import Cluster, OverlapPair
from core.domain.ranges import Range
from core.domain.registry import NOT_YET_BUILT, RUNNING, Complexity, Integration, Status, Tier
from core.errors import ConfigError
from core.wording import format_money, natural_list, plural

if TYPE_CHECKING:  # the recommendation module builds on this one
    from core.domain.recommendation import ClusterRecommendation


class Verdict(StrEnum):
    PROCEED = "proceed"
    HOLD = "hold"
    MERGE = "merge"
    CENTRALIZE = "centralize"
    RETIRE = "retire"


# How favourable a verdict is to building / keeping as is: consolidation verdicts share the lowest level.
FAVOURABILITY: dict[Verdict, int] = {
    Verdict.PROCEED: 3, Verdict.HOLD: 2, Verdict.MERGE: 1, Verdict.CENTRALIZE: 1, Verdict.RETIRE: 1,
}
_BAND_PROCEED, _BAND_HOLD, _BAND_CONSOLIDATE = 0, 1, 2
# From this many teams on, one owner runs a duplicated flow (centralise), when that still costs less than keeping all.
CENTRALIZE_MIN_TEAMS = 3
MAX_WEIGHT = 10.0  # the weight controls go from 0 to this
# A criterion at or above this score is a strong concern: a verdict's reason never calls the concerns low beside it.
STRONG_CONCERN = 4.0


@dataclass(frozen=True)
class RubricConfig:
    """Weights per criterion, verdict thresholds and the scales that turn facts into 0-5 scores."""

    weights: Mapping[str, float]
    proceed_below: float = 1.25
    hold_below: float = 2.0
    centralize_min_teams: int = CENTRALIZE_MIN_TEAMS
    duplicated_run_rate_for_5: float = 3000.0
    reconciliation_hours_for_5: float = 20.0
    people_for_5: float = 6.0

    def __post_init__(self) -> None:
        problems = validate_rubric(self)
        if problems:
            raise ConfigError("; ".join(problems))

    def with_weights(self, **weights: float) -> RubricConfig:
        """A copy with some weights changed (the Score page's sliders)."""
        return replace(self, weights={**self.weights, **weights})


def validate_rubric(config: RubricConfig) -> list[str]:
    """Every problem with a rubric, naming the field and the fix.

    >>> try:
    ...     RubricConfig(weights={**rubric.weights, "overlap": -1})
    ... except ConfigError as error:
    ...     print(error)
    weight of overlap must be a number from 0 to 10 (got -1)
    """
    problems = []
    names = {c.name for c in CRITERIA}
    unknown = sorted(set(config.weights) - names)
    if unknown:
        problems.append(f"unknown criteria in weights: {', '.join(unknown)} (known: {', '.join(sorted(names))})")
    missing = sorted(names - set(config.weights))
    if missing:
        problems.append(f"weights missing for: {', '.join(missing)}")
    for name, weight in config.weights.items():
        if not isinstance(weight, (int, float)) or isinstance(weight, bool) or not 0 <= weight <= 10:
            problems.append(f"weight of {name} must be a number from 0 to 10 (got {weight!r})")
    if not problems and sum(config.weights.values()) <= 0:
        problems.append("at least one weight must be above 0")
    if not 0 < config.proceed_below <= config.hold_below <= 5:
        problems.append(
            f"thresholds must satisfy 0 < proceed_below <= hold_below <= 5 "
            f"(got {config.proceed_below} and {config.hold_below})"
        )
    if not isinstance(config.centralize_min_teams, int) or config.centralize_min_teams < 2:
        problems.append(f"centralize_min_teams must be a whole number of 2 or more "
                        f"(got {config.centralize_min_teams!r})")
    for scale in ("duplicated_run_rate_for_5", "reconciliation_hours_for_5"):
        if not getattr(config, scale) > 0:
            problems.append(f"{scale} must be above 0 (got {getattr(config, scale)})")
    if not config.people_for_5 > 1:
        problems.append(f"people_for_5 must be above 1 (got {config.people_for_5})")
    return problems


def parse_rubric(data: dict, source: str = "rubric") -> RubricConfig:
    """Weights and thresholds from a mapping read from a rubric file (``[weights]``, ``[thresholds]``, ``[scales]``).

    >>> parse_rubric({"weights": {**rubric.weights, "overlap": 2}}).weights["overlap"]
    2

    Raises:
        ConfigError: naming ``source`` and the field when a value is missing or out of range.
    """
    try:
        weights = {k: v for k, v in data.get("weights", {}).items()}
        options = {**data.get("thresholds", {}), **data.get("scales", {})}
        unknown = sorted(set(options) - set(RubricConfig.__dataclass_fields__))
        if unknown:
            raise ConfigError(f"unknown settings: {', '.join(unknown)}")
        return RubricConfig(weights=weights, **options)
    except ConfigError as error:
        raise ConfigError(f"{source}: {error}") from None


@dataclass(frozen=True)
class ScoringContext:
    """What the registry says about one integration's surroundings; built by core.domain.analysis."""

    overlaps: tuple[OverlapPair, ...] = ()  # pairs that include this integration
    others: Mapping[str, Integration] = field(default_factory=dict)  # the other side of each pair
    cluster: Cluster | None = None
    monthly_run_rate: Range = Range.zero()
    complexity: Complexity = Complexity.MODERATE
    overlap_threshold: float = 0.5
    currency: str = "$"
    # The recommendation of the subject's cluster: a member's verdict is the one it gives.
    recommendation: ClusterRecommendation | None = None
    # Other id -> the running integration its cluster keeps: what a proposal outside any cluster should extend.
    keepers: Mapping[str, Integration] = field(default_factory=dict)
    # The strongest pair, found once: the sensitivity analysis asks for it again for every weight,
    # and the worst integration at 100,000 rows has about 16,000 pairs to look through.
    _strongest: OverlapPair | None = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        # Frozen: set through object.__setattr__, once, before anyone can read the context.
        object.__setattr__(self, "_strongest", max(self.overlaps, key=lambda p: (p.score, p.a, p.b), default=None))

    def other_id(self, pair: OverlapPair, own_id: str) -> str:
        return pair.b if pair.a == own_id else pair.a

    def strongest_overlap(self) -> OverlapPair | None:
        """The pair with the highest score (ties: the largest ids), ``None`` without overlaps."""
        return self._strongest


@dataclass(frozen=True)
class Criterion:
    """One rubric criterion: its key, label for people, what it measures, and its scorer."""

    name: str
    label: str
    description: str
    score: Callable[[Integration, ScoringContext, RubricConfig], tuple[float, str]]


def _clamp(value: float) -> float:
    return max(0.0, min(5.0, value))


def _owner_words(integration: Integration) -> str:
    return f"owned by {integration.owner}" if integration.is_owned else "unowned"


def score_overlap(integration: Integration, context: ScoringContext, config: RubricConfig) -> tuple[float, str]:
    """Overlap with existing integrations: the strongest pair's overlap score × 5."""
    pair = context.strongest_overlap()
    if pair is None:
        return 0.0, "no other integration moves these objects between these systems"
    other = context.others.get(context.other_id(pair, integration.id))
    who = f" ({other.id} {other.name}, {other.owner_team}, {_owner_words(other)})" if other else ""
    return _clamp(pair.score * 5), f"{pair.evidence[0] if pair.evidence else 'overlaps'}{who}"


def score_consumer_overlap(integration: Integration, context: ScoringContext,
                           config: RubricConfig) -> tuple[float, str]:
    """Share of its consumers already fed the SAME data by another integration.

    A dashboard fed different objects by several integrations is normal; fed the same objects
    twice, its numbers can disagree. So only pairs that also share a data object count.
    """
    if not integration.consumers:
        return 0.0, "no consumers listed"
    shared = {c for p in context.overlaps if p.shared_objects for c in p.shared_consumers}
    own = {c.strip().lower() for c in integration.consumers}
    fed = sorted(c for c in shared if c.strip().lower() in own)
    if not fed:
        return 0.0, "no other integration feeds its consumers the same data"
    return (_clamp(5 * len(fed) / len(own)),
            f"{len(fed)} of {len(own)} consumers already get this data elsewhere: {', '.join(fed)}")


def score_duplicated_run_rate(integration: Integration, context: ScoringContext,
                              config: RubricConfig) -> tuple[float, str]:
    """Monthly money on duplicate copies, scaled so ``duplicated_run_rate_for_5`` scores 5."""
    if context.cluster is not None:
        amount = context.cluster.duplicated_monthly_run_rate.likely
        where = f"cluster {context.cluster.id} duplicates"
    elif any(p.score >= context.overlap_threshold for p in context.overlaps):
        amount = context.monthly_run_rate.likely
        where = "building it would duplicate" if integration.status in NOT_YET_BUILT else "it duplicates"
    else:
        return 0.0, "no duplicated run-rate"
    return (_clamp(5 * amount / config.duplicated_run_rate_for_5),
            f"{where} about {format_money(amount, context.currency)} / month (likely)")


def score_reconciliation_load(integration: Integration, context: ScoringContext,
                              config: RubricConfig) -> tuple[float, str]:
    """Manual reconciliation hours a month (reconciliations × hours each × people)."""
    if integration.reconciliations_per_month is None or integration.reconciliation_hours is None:
        return 0.0, "no manual reconciliation recorded"
    people = integration.people_touching.likely if integration.people_touching else 1.0
    hours = integration.reconciliations_per_month.likely * integration.reconciliation_hours.likely * people
    return (_clamp(5 * hours / config.reconciliation_hours_for_5),
            f"{plural(hours, 'hour')} a month of manual reconciliation")


def score_people_touching(integration: Integration, context: ScoringContext, config: RubricConfig) -> tuple[float, str]:
    """People touching the data, plus one for each other team moving the same objects."""
    people = integration.people_touching.likely if integration.people_touching else 1.0
    other_teams = len(context.cluster.teams) - 1 if context.cluster else 0
    total = people + max(other_teams, 0)
    words = plural(total, "person", "people") + (f" across {other_teams + 1} teams" if other_teams > 0 else "")
    return (_clamp(5 * (total - 1) / (config.people_for_5 - 1)),
            f"{words} {'handles' if round(total) == 1 else 'handle'} this data")


_TIER_POINTS = {Tier.REVENUE_CRITICAL: 5.0, Tier.OPERATIONAL: 3.0, Tier.INFORMATIONAL: 1.0, None: 2.0}


def score_business_tier(integration: Integration, context: ScoringContext, config: RubricConfig) -> tuple[float, str]:
    """Business risk of duplication: the tier's weight times the strongest overlap (unique flows score 0)."""
    tier = integration.tier.value if integration.tier else "unknown tier"
    pair = context.strongest_overlap()
    if pair is None:
        return 0.0, f"{tier}, and unique: no copy to disagree with"
    return (_clamp(_TIER_POINTS[integration.tier] * pair.score),
            f"{tier} data moved by more than one integration: numbers can disagree")


def score_ownership(integration: Integration, context: ScoringContext, config: RubricConfig) -> tuple[float, str]:
    """Nobody accountable scores 5; a named owner scores 0."""
    if integration.is_owned:
        return 0.0, f"owned by {integration.owner} ({integration.owner_team})"
    return 5.0, f"no named owner ({integration.owner_team} runs it)"


# Unknown counts as a partial gap: an answer nobody can give is itself a warning sign.
_CONTROL_GAP = {True: 0.0, None: 0.6, False: 1.0}
_CONTROL_LABELS = {"has_monitoring": "monitoring", "has_retry": "retry", "has_audit_trail": "audit trail",
                   "source_of_truth_defined": "source of truth", "documented": "documentation"}


def score_controls(integration: Integration, context: ScoringContext, config: RubricConfig) -> tuple[float, str]:
    """Missing operational controls: each missing one counts fully, each unknown one 60%."""
    controls = integration.controls
    gaps = sum(_CONTROL_GAP[v] for v in controls.values())
    missing = [_CONTROL_LABELS[k] for k, v in controls.items() if v is False]
    unknown = [_CONTROL_LABELS[k] for k, v in controls.items() if v is None]
    present = len(controls) - len(missing) - len(unknown)
    words = f"{present} of {len(controls)} controls in place"
    if missing:
        words += f"; missing: {', '.join(missing)}"
    if unknown:
        words += f"; unknown: {', '.join(unknown)}"
    return _clamp(5 * gaps / len(controls)), words


_COMPLEXITY_POINTS = {Complexity.SIMPLE: 0.0, Complexity.MODERATE: 1.5, Complexity.COMPLEX: 3.5,
                      Complexity.CRITICAL: 5.0}


def score_complexity(integration: Integration, context: ScoringContext, config: RubricConfig) -> tuple[float, str]:
    """Complexity category: simple 0, moderate 1.5, complex 3.5, critical 5."""
    return _COMPLEXITY_POINTS[context.complexity], f"{context.complexity.value} integration"


# The built-in criteria, in display order. Adding one means adding it here and a weight in rubric.toml.
CRITERIA: tuple[Criterion, ...] = (
    Criterion("overlap", "Overlap with existing integrations", "same objects between the same systems", score_overlap),
    Criterion("consumer_overlap", "Consumer overlap", "its consumers are already fed by another integration",
              score_consumer_overlap),
    Criterion("duplicated_run_rate", "Duplicated run-rate", "monthly money spent on copies", score_duplicated_run_rate),
    Criterion("reconciliation_load", "Reconciliation load", "manual hours a month to make numbers agree",
              score_reconciliation_load),
    Criterion("people_touching", "People touching the data", "people and teams handling the same data",
              score_people_touching),
    Criterion("business_tier", "Business tier / risk", "risk when business-critical data is copied",
              score_business_tier),
    Criterion("ownership", "Ownership clarity", "is someone accountable", score_ownership),
    Criterion("controls", "Operational controls", "monitoring, retry, audit trail, source of truth, docs",
              score_controls),
    Criterion("complexity", "Complexity", "effort to build and keep", score_complexity),
)
CRITERIA_BY_NAME = {c.name: c for c in CRITERIA}


@dataclass(frozen=True)
class CriterionResult:
    name: str
    label: str
    auto_score: float
    score: float  # the override when one was given, else the automatic score
    overridden: bool
    weight: float
    contribution: float  # score × weight / total weight: the criterion's share of the final score
    explanation: str


@dataclass(frozen=True)
class WeightSensitivity:
    """The smallest change of one weight (relative, +0.34 = +34%) that changes the verdict, within 0-10."""

    criterion: str
    label: str
    weight: float
    flip_change: float | None  # None: no weight of this criterion from 0 to 10 flips the verdict
    flips_to: Verdict | None
    flip_weight: float | None = None  # the weight at which it flips

    def statement(self, verdict: Verdict) -> str:
        if self.flip_change is None:
            return f"No change to the weight of {self.label} within 0–10 flips the verdict."
        direction = "rises" if self.flip_change > 0 else "falls"
        return (f"The verdict flips from {verdict.value} to {self.flips_to.value} if the weight of "
                f"{self.label} {direction} by {abs(self.flip_change):.0%}.")


@dataclass(frozen=True)
class RubricResult:
    integration_id: str
    verdict: Verdict
    score: float
    criteria: tuple[CriterionResult, ...]
    reasons: tuple[str, ...]
    guards: tuple[str, ...]  # rules that stopped a more favourable verdict
    sensitivity: tuple[WeightSensitivity, ...]
    stable_within_25_percent: bool
    cluster_id: str | None = None  # the verdict is this cluster's recommendation for the integration

    def as_dict(self) -> dict:
        return {
            "id": self.integration_id,
            "verdict": self.verdict.value,
            "score": round(self.score, 3),
            "cluster": self.cluster_id,
            "criteria": [
                {"name": c.name, "label": c.label, "score": round(c.score, 3), "auto_score": round(c.auto_score, 3),
                 "overridden": c.overridden, "weight": c.weight, "contribution": round(c.contribution, 3),
                 "explanation": c.explanation}
                for c in self.criteria
            ],
            "reasons": list(self.reasons),
            "guards": list(self.guards),
            "sensitivity": {
                "stable_within_25_percent": self.stable_within_25_percent,
                "weights": [
                    {"criterion": s.criterion, "weight": s.weight, "flip_change": s.flip_change,
                     "flip_weight": s.flip_weight, "flips_to": s.flips_to.value if s.flips_to else None,
                     "statement": s.statement(self.verdict)}
                    for s in self.sensitivity
                ],
            },
        }


def _band(score: float, config: RubricConfig) -> int:
    if score < config.proceed_below:
        return _BAND_PROCEED
    if score < config.hold_below:
        return _BAND_HOLD
    return _BAND_CONSOLIDATE


def _linked(integration: Integration, context: ScoringContext) -> list[tuple[OverlapPair, Integration]]:
    """The pairs at or above the overlap threshold whose other integration the registry holds, strongest first."""
    found = []
    for pair in context.overlaps:
        if pair.score >= context.overlap_threshold:
            other = context.others.get(context.other_id(pair, integration.id))
            if other is not None:
                found.append((pair, other))
    found.sort(key=lambda item: (-item[0].score, item[1].id))
    return found


def running_match(integration: Integration, context: ScoringContext) -> tuple[Integration | None, list[str]]:
    """What a subject outside any cluster duplicates: the running integration to extend, and the proposals it copies.

    The running integration is the one the other's cluster keeps when that runs, else the other itself
    when it runs; a proposal is never something to extend.
    """
    keeper, planned = None, []
    cluster = context.cluster
    if cluster is not None and cluster.survivor != integration.id:
        survivor = context.others.get(cluster.survivor)
        if survivor is not None and survivor.status in RUNNING:
            keeper = survivor
    for _, other in _linked(integration, context):
        candidate = context.keepers.get(other.id, other)
        if candidate.status in RUNNING and candidate.id != integration.id:
            keeper = keeper or candidate
        elif other.status in NOT_YET_BUILT:
            planned.append(other.id)
    return keeper, planned


def apply_guards(integration: Integration, context: ScoringContext) -> tuple[int, tuple[str, ...]]:
    """Rules that hold whatever the weights: the lowest band allowed, and why.

    Guards only ever stop a favourable verdict; they never create one.
    """
    floor, reasons = _BAND_PROCEED, []
    recommendation = context.recommendation
    kept = recommendation is not None and recommendation.survivor == integration.id
    if integration.status in NOT_YET_BUILT:
        live = sorted({other.id for _, other in _linked(integration, context) if other.status is Status.LIVE})
        keeper, planned = running_match(integration, context)
        if live:
            floor = _BAND_CONSOLIDATE
            reasons.append(f"Pause before build: it overlaps live integration(s) {', '.join(live)}.")
        elif keeper is not None:
            floor = _BAND_CONSOLIDATE
            reasons.append(f"Pause before build: {keeper.id} already runs this job.")
        elif planned:
            floor = max(floor, _BAND_HOLD)
            reasons.append(f"Pause before build: {natural_list(planned, limit=4, noun='more')} "
                           f"{'plans' if len(planned) == 1 else 'plan'} the same job.")
    if not integration.is_owned:
        floor = max(floor, _BAND_HOLD)
        reasons.append("No named owner: the cluster keeps it, so name one before the others move onto it." if kept
                       else "No named owner: name one before going ahead.")
    cluster = context.cluster
    if (cluster is not None and cluster.survivor != integration.id and not integration.is_owned
            and integration.has_monitoring is not True):
        floor = _BAND_CONSOLIDATE
        if integration.has_monitoring is False:
            reasons.append(f"Unowned, unmonitored copy of {cluster.survivor}, which the cluster keeps.")
        else:
            reasons.append(f"Unowned copy of {cluster.survivor}, which the cluster keeps; whether it is monitored "
                           "is unknown.")
    return floor, tuple(reasons)


def choose_consolidation(integration: Integration, context: ScoringContext) -> tuple[Verdict, str]:
    """How an integration outside any cluster is consolidated: retire, extend what runs, agree one build, or hold.

    A member of a cluster is not decided here: its cluster's recommendation gives its verdict.
    """
    if integration.status is Status.RETIRED:
        return Verdict.RETIRE, "already retired: make sure it is switched off"
    if integration.status is Status.DEPRECATED:
        return Verdict.RETIRE, "already deprecated: finish retiring it"
    keeper, planned = running_match(integration, context)
    if keeper is not None:
        if integration.status in NOT_YET_BUILT:
            return Verdict.MERGE, f"extend {keeper.id} instead of building another"
        return Verdict.MERGE, f"merge it into {keeper.id}, which does the same job"
    if planned:
        return (Verdict.HOLD, f"{natural_list(planned, limit=4, noun='more')} "
                f"{'plans' if len(planned) == 1 else 'plan'} the same job and nothing runs yet: "
                "agree which one to build")
    return Verdict.HOLD, "no duplicate to consolidate with: fix the concerns above first"


def _proceed_reason(scores: Mapping[str, float], score: float, config: RubricConfig) -> str:
    """Why a low score proceeds, never calling the concerns low beside a criterion at 4/5 or more."""
    total = sum(config.weights.values())
    strong = [f"{c.label} is {scores[c.name]:.1f}/5 (weight {config.weights[c.name]:g} of {total:g})"
              for c in CRITERIA if scores[c.name] >= STRONG_CONCERN]
    if not strong:
        return "low concern on every weighted criterion"
    return (f"the weighted score {score:.2f} stays below {config.proceed_below:g}, although {natural_list(strong)}: "
            f"look at {'it' if len(strong) == 1 else 'them'} before going ahead")


def _verdict_for(score: float, floor: int, consolidation: tuple[Verdict, str], config: RubricConfig,
                 scores: Mapping[str, float] | None = None) -> tuple[Verdict, str]:
    band = max(_band(score, config), floor)
    if band == _BAND_PROCEED:
        return Verdict.PROCEED, _proceed_reason(scores, score, config) if scores is not None else ""
    if band == _BAND_HOLD:
        return Verdict.HOLD, "some concerns: resolve them before committing effort"
    return consolidation


def _weighted_score(scores: Mapping[str, float], weights: Mapping[str, float]) -> float:
    total_weight = sum(weights.values())
    return sum(scores[name] * weights[name] for name in scores) / total_weight


def weight_sensitivity(
    scores: Mapping[str, float], config: RubricConfig, verdict_at: Callable[[float], Verdict], current: Verdict
) -> tuple[WeightSensitivity, ...]:
    """For each weight, the smallest relative change that flips the verdict (exact, not sampled).

    Changing one weight moves the score monotonically towards that criterion's score, so the
    verdict can only change where the score crosses a threshold; each crossing is solved for. Only
    flips the weight controls can reach count: the new weight must stay within 0 to 10.
    """
    results = []
    for criterion in CRITERIA:
        name, weight = criterion.name, config.weights[criterion.name]
        others_weighted = sum(scores[n] * w for n, w in config.weights.items() if n != name)
        others_weight = sum(w for n, w in config.weights.items() if n != name)
        candidates = []
        for threshold in (config.proceed_below, config.hold_below):
            if weight == 0 or scores[name] == threshold:
                continue
            # Solve (others_weighted + m·w·s) / (others_weight + m·w) = threshold for the multiplier m.
            multiplier = (threshold * others_weight - others_weighted) / (weight * (scores[name] - threshold))
            if multiplier < 0 or abs(multiplier - 1) < 1e-12 or multiplier * weight > MAX_WEIGHT:
                continue
            for nudge in (1 + 1e-9, 1 - 1e-9):
                m = multiplier * nudge
                total = others_weight + m * weight
                if total <= 0 or m * weight > MAX_WEIGHT:
                    continue
                flipped = verdict_at((others_weighted + m * weight * scores[name]) / total)
                if flipped != current:
                    candidates.append((abs(m - 1), m - 1, flipped, m * weight))
                    break
        best = min(candidates, default=None)
        results.append(WeightSensitivity(
            criterion=name, label=criterion.label, weight=weight,
            flip_change=round(best[1], 4) if best else None, flips_to=best[2] if best else None,
            flip_weight=round(best[3], 4) if best else None,
        ))
    return tuple(results)


def _member_reasons(member, recommendation: ClusterRecommendation) -> tuple[str, ...]:
    """A cluster member's verdict in words, then the cluster's recommendation it follows."""
    return (f"{member.verdict.value.capitalize()}: {member.reason}.",
            f"The recommendation for {recommendation.cluster_id}: {recommendation.reasons[0]}",
            *recommendation.reasons[1:3])


def score_integration(
    integration: Integration,
    context: ScoringContext,
    config: RubricConfig,
    overrides: Mapping[str, float] | None = None,
) -> RubricResult:
    """Score one integration (or proposal) and give the verdict with its reasons and sensitivity.

    A member of an overlap cluster gets the verdict its cluster's recommendation gives it (the one
    kept is kept, each copy merged, moved or retired: see :mod:`core.domain.recommendation`); the
    weights then change its score, not its verdict. Anything else is judged by its weighted score,
    its guards and what it duplicates.

    >>> from core.domain.registry import Integration
    >>> proposal = Integration(id="NEW", name="Unique sync", source_system="Salesforce",
    ...     target_system="Stripe", data_objects=("Quote",), owner_team="Finance", owner="Ana",
    ...     tier=Tier.REVENUE_CRITICAL, status=Status.PROPOSED)
    >>> score_integration(proposal, ScoringContext(), rubric).verdict.value
    'proceed'

    Args:
        integration: the integration or proposal.
        context: its overlaps, cluster and recommendation (see :func:`core.domain.analysis.scoring_context_for`).
        config: weights and thresholds.
        overrides: criterion name -> score 0-5 set by the facilitator.

    Returns:
        Verdict, score 0-5, each criterion's contribution, reasons, guards and sensitivity.

    Raises:
        ConfigError: for an override naming an unknown criterion or outside 0-5.
    """
    overrides = dict(overrides or {})
    for name, value in overrides.items():
        if name not in CRITERIA_BY_NAME:
            raise ConfigError(f"override for unknown criterion {name!r}")
        if not 0 <= float(value) <= 5:
            raise ConfigError(f"override for {CRITERIA_BY_NAME[name].label} must be from 0 to 5 (got {value})")
    auto = {c.name: c.score(integration, context, config) for c in CRITERIA}
    scores = {name: float(overrides.get(name, auto[name][0])) for name in auto}
    total_weight = sum(config.weights.values())
    score = _weighted_score(scores, config.weights)
    floor, guards = apply_guards(integration, context)
    recommendation = context.recommendation
    member = recommendation.member(integration.id) if recommendation is not None else None
    criteria = tuple(
        CriterionResult(
            name=c.name, label=c.label, auto_score=auto[c.name][0], score=scores[c.name],
            overridden=c.name in overrides, weight=config.weights[c.name],
            contribution=scores[c.name] * config.weights[c.name] / total_weight,
            explanation=auto[c.name][1] + (" (score set by the group)" if c.name in overrides else ""),
        )
        for c in CRITERIA
    )
    top = sorted((c for c in criteria if c.contribution > 0), key=lambda c: -c.contribution)[:3]
    drivers = tuple(f"{c.label} {c.score:.1f}/5: {c.explanation}." for c in top)
    if member is not None:
        verdict = member.verdict
        reasons = (*_member_reasons(member, recommendation), *guards, *drivers)

        def verdict_at(_: float) -> Verdict:
            return verdict  # the cluster's recommendation, whatever the weights
    else:
        consolidation = choose_consolidation(integration, context)
        verdict, verdict_reason = _verdict_for(score, floor, consolidation, config, scores)
        reasons = (f"{verdict.value.capitalize()}: {verdict_reason}.", *guards, *drivers)

        def verdict_at(value: float) -> Verdict:
            return _verdict_for(value, floor, consolidation, config)[0]
    sensitivity = weight_sensitivity(scores, config, verdict_at, verdict)
    return RubricResult(
        integration_id=integration.id, verdict=verdict, score=score, criteria=criteria, reasons=reasons,
        guards=guards, sensitivity=sensitivity,
        stable_within_25_percent=all(s.flip_change is None or abs(s.flip_change) > 0.25 for s in sensitivity),
        cluster_id=recommendation.cluster_id if member is not None else None,
    )
