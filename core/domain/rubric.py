"""The decision rubric: weighted criteria, guards, a verdict with reasons, and how sensitive it is to weights."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

from core.domain.overlap import Cluster, OverlapPair
from core.domain.ranges import Range
from core.domain.registry import NOT_YET_BUILT, Complexity, Integration, Status, Tier
from core.errors import ConfigError
from core.wording import format_money, plural


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


@dataclass(frozen=True)
class RubricConfig:
    """Weights per criterion, verdict thresholds and the scales that turn facts into 0-5 scores."""

    weights: Mapping[str, float]
    proceed_below: float = 1.25
    hold_below: float = 2.0
    centralize_min_teams: int = 3
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
    """The smallest change of one weight (relative, +0.34 = +34%) that changes the verdict."""

    criterion: str
    label: str
    weight: float
    flip_change: float | None  # None: no change of this weight alone flips the verdict
    flips_to: Verdict | None

    def statement(self, verdict: Verdict) -> str:
        if self.flip_change is None:
            return f"No change to the weight of {self.label} alone changes the verdict."
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

    def as_dict(self) -> dict:
        return {
            "id": self.integration_id,
            "verdict": self.verdict.value,
            "score": round(self.score, 3),
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
                     "flips_to": s.flips_to.value if s.flips_to else None, "statement": s.statement(self.verdict)}
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


def apply_guards(integration: Integration, context: ScoringContext) -> tuple[int, tuple[str, ...]]:
    """Rules that hold whatever the weights: the lowest band allowed, and why.

    Guards only ever stop a favourable verdict; they never create one.
    """
    floor, reasons = _BAND_PROCEED, []
    live_overlaps = [
        p for p in context.overlaps
        if p.score >= context.overlap_threshold
        and (other := context.others.get(context.other_id(p, integration.id))) is not None
        and other.status is Status.LIVE
    ]
    if integration.status in NOT_YET_BUILT and live_overlaps:
        floor = max(floor, _BAND_HOLD)
        ids = ", ".join(sorted({context.other_id(p, integration.id) for p in live_overlaps}))
        reasons.append(f"Pause before build: it overlaps live integration(s) {ids}.")
    if not integration.is_owned:
        floor = max(floor, _BAND_HOLD)
        reasons.append("No named owner: name one before going ahead.")
    cluster = context.cluster
    if (cluster is not None and cluster.survivor != integration.id and not integration.is_owned
            and integration.has_monitoring is not True):
        floor = _BAND_CONSOLIDATE
        reasons.append(f"Unowned, unmonitored copy of {cluster.survivor}, which the cluster keeps.")
    return floor, tuple(reasons)


def choose_consolidation(integration: Integration, context: ScoringContext,
                         config: RubricConfig) -> tuple[Verdict, str]:
    """Which consolidation fits: retire, centralize, merge, or hold when there is nothing to consolidate with."""
    cluster = context.cluster
    is_copy = cluster is not None and cluster.survivor != integration.id
    if integration.status is Status.RETIRED:
        return Verdict.RETIRE, "already retired: make sure it is switched off"
    if integration.status is Status.DEPRECATED:
        return Verdict.RETIRE, "already deprecated: finish retiring it"
    if is_copy and (not integration.is_owned or integration.tier is Tier.INFORMATIONAL):
        return (Verdict.RETIRE, f"{cluster.survivor} already does this job; "
                f"this copy is {'unowned' if not integration.is_owned else 'informational only'}")
    if cluster is not None and len(cluster.teams) >= config.centralize_min_teams:
        return (Verdict.CENTRALIZE, f"{len(cluster.teams)} teams run copies of this flow: "
                f"put one owner in charge of {cluster.survivor}")
    if cluster is not None:
        return (Verdict.MERGE, f"merge into {cluster.survivor}" if is_copy
                else f"keep this one and merge {', '.join(m for m in cluster.members if m != integration.id)} into it")
    if context.strongest_overlap() is not None and context.strongest_overlap().score >= context.overlap_threshold:
        pair = context.strongest_overlap()
        return Verdict.MERGE, f"extend {context.other_id(pair, integration.id)} instead of building another"
    return Verdict.HOLD, "no duplicate to consolidate with: fix the concerns above first"


def _verdict_for(score: float, floor: int, integration: Integration, context: ScoringContext,
                 config: RubricConfig) -> tuple[Verdict, str]:
    band = max(_band(score, config), floor)
    if band == _BAND_PROCEED:
        return Verdict.PROCEED, "low concern on every weighted criterion"
    if band == _BAND_HOLD:
        return Verdict.HOLD, "some concerns: resolve them before committing effort"
    return choose_consolidation(integration, context, config)


def _weighted_score(scores: Mapping[str, float], weights: Mapping[str, float]) -> float:
    total_weight = sum(weights.values())
    return sum(scores[name] * weights[name] for name in scores) / total_weight


def weight_sensitivity(
    scores: Mapping[str, float], config: RubricConfig, verdict_at: Callable[[float], Verdict], current: Verdict
) -> tuple[WeightSensitivity, ...]:
    """For each weight, the smallest relative change that flips the verdict (exact, not sampled).

    Changing one weight moves the score monotonically towards that criterion's score, so the
    verdict can only change where the score crosses a threshold; each crossing is solved for.
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
            if multiplier < 0 or abs(multiplier - 1) < 1e-12:
                continue
            for nudge in (1 + 1e-9, 1 - 1e-9):
                m = multiplier * nudge
                total = others_weight + m * weight
                if total <= 0:
                    continue
                flipped = verdict_at((others_weighted + m * weight * scores[name]) / total)
                if flipped != current:
                    candidates.append((abs(m - 1), m - 1, flipped))
                    break
        best = min(candidates, default=None)
        results.append(WeightSensitivity(
            criterion=name, label=criterion.label, weight=weight,
            flip_change=round(best[1], 4) if best else None, flips_to=best[2] if best else None,
        ))
    return tuple(results)


def score_integration(
    integration: Integration,
    context: ScoringContext,
    config: RubricConfig,
    overrides: Mapping[str, float] | None = None,
) -> RubricResult:
    """Score one integration (or proposal) and give the verdict with its reasons and sensitivity.

    >>> from core.domain.registry import Integration
    >>> proposal = Integration(id="NEW", name="Unique sync", source_system="Salesforce",
    ...     target_system="Stripe", data_objects=("Quote",), owner_team="Finance", owner="Ana",
    ...     tier=Tier.REVENUE_CRITICAL, status=Status.PROPOSED)
    >>> score_integration(proposal, ScoringContext(), rubric).verdict.value
    'proceed'

    Args:
        integration: the integration or proposal.
        context: its overlaps and cluster (see :func:`core.domain.analysis.scoring_context_for`).
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
    verdict, verdict_reason = _verdict_for(score, floor, integration, context, config)
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
    reasons = (
        f"{verdict.value.capitalize()}: {verdict_reason}.",
        *guards,
        *(f"{c.label} {c.score:.1f}/5: {c.explanation}." for c in top),
    )
    sensitivity = weight_sensitivity(
        scores, config, lambda s: _verdict_for(s, floor, integration, context, config)[0], verdict
    )
    return RubricResult(
        integration_id=integration.id, verdict=verdict, score=score, criteria=criteria, reasons=reasons,
        guards=guards, sensitivity=sensitivity,
        stable_within_25_percent=all(s.flip_change is None or abs(s.flip_change) > 0.25 for s in sensitivity),
    )
