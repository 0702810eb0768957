"""The analysis service: one pass over the registry that every page, PDF and CLI command reads from."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from core.domain.complexity import ComplexityRules, derive_complexity
from core.domain.names import Aliases, NameSuggestion, suggest_name_variants
from core.domain.overlap import Cluster, OverlapIndex, OverlapPair, build_overlap_index, cluster_overlaps
from core.domain.ranges import Range
from core.domain.recommendation import ClusterRecommendation, recommend_cluster
from core.domain.registry import RUNNING, Integration, Status
from core.domain.rubric import CENTRALIZE_MIN_TEAMS, RubricConfig, RubricResult, ScoringContext, score_integration
from core.domain.settings import Settings
from core.domain.tco import PortfolioCost, monthly_run_rate, portfolio_tco
from core.errors import ClusterNotFound, IntegrationNotFound


@dataclass(frozen=True)
class RegistryAnalysis:
    """Everything derived from one registry version: overlaps, clusters, costs, name suggestions."""

    integrations: tuple[Integration, ...]
    settings: Settings
    aliases: Aliases
    rules: ComplexityRules
    index: OverlapIndex
    # The pairs that link a cluster: at or above the overlap threshold, or strong. Weaker pairs of
    # one integration come from ``index.pairs_for`` (exact, and what the Score page and memo read).
    pairs: tuple[OverlapPair, ...]
    clusters: tuple[Cluster, ...]
    suggestions: tuple[NameSuggestion, ...]
    run_rates: Mapping[str, Range]
    costs: PortfolioCost
    by_id: Mapping[str, Integration] = field(repr=False, default_factory=dict)
    cluster_by_member: Mapping[str, Cluster] = field(repr=False, default_factory=dict)
    centralize_min_teams: int = CENTRALIZE_MIN_TEAMS  # the rubric's rule the recommendations follow
    # Recommendations are worked out when first asked for (a page shows a few; a registry can have thousands).
    _recommendations: dict[str, ClusterRecommendation] = field(
        repr=False, compare=False, default_factory=dict)

    def integration(self, integration_id: str) -> Integration:
        """The integration with this id; IntegrationNotFound names the id otherwise."""
        try:
            return self.by_id[integration_id]
        except KeyError:
            raise IntegrationNotFound(f"No integration with id {integration_id} in the registry.") from None

    def cluster(self, cluster_id: str) -> Cluster:
        """The cluster with this id (``CL-`` + its smallest member id)."""
        for cluster in self.clusters:
            if cluster.id == cluster_id:
                return cluster
        known = ", ".join(c.id for c in self.clusters[:5]) or "none"
        raise ClusterNotFound(f"No overlap cluster {cluster_id}. "
                              f"Clusters now: {known}{'…' if len(self.clusters) > 5 else ''}.")

    def recommendation(self, cluster_id: str) -> ClusterRecommendation:
        """The one recommendation for a cluster, the same on every page, PDF, memo and command.

        >>> sample_analysis.recommendation("CL-INT-015").summary  # doctest: +NORMALIZE_WHITESPACE
        'Centralize: keep INT-015 under one owner for all 4 teams, move INT-019 onto it, retire INT-027 and
         extend INT-015 instead of building INT-063.'

        Raises:
            ClusterNotFound: when there is no such cluster.
        """
        found = self._recommendations.get(cluster_id)
        if found is None:
            cluster = self.cluster_by_member.get(cluster_id.removeprefix("CL-"))
            if cluster is None or cluster.id != cluster_id:
                cluster = self.cluster(cluster_id)
            found = self._recommendations[cluster_id] = recommend_cluster(
                cluster, self.by_id, self.settings, self.rules, centralize_min_teams=self.centralize_min_teams)
        return found

    @property
    def teams(self) -> tuple[str, ...]:
        return tuple(sorted({i.owner_team for i in self.integrations}))

    @property
    def systems(self) -> tuple[str, ...]:
        return tuple(sorted({s for i in self.integrations for s in (i.source_system, i.target_system)}))

    @property
    def unowned(self) -> tuple[Integration, ...]:
        return tuple(i for i in self.integrations if not i.is_owned and i.status is not Status.RETIRED)


def analyse_registry(
    integrations: Iterable[Integration],
    settings: Settings,
    *,
    aliases: Aliases,
    rules: ComplexityRules,
    survivor_choices: Collection[str] = (),
    centralize_min_teams: int = CENTRALIZE_MIN_TEAMS,
) -> RegistryAnalysis:
    """Find overlaps and clusters, price them, and collect name-variant suggestions.

    >>> analysis = analyse_registry(sample, settings, aliases=aliases, rules=rules)
    >>> len(analysis.clusters) >= 5, analysis.costs.duplicated_monthly_run_rate.likely > 0
    (True, True)

    Args:
        integrations: the registry.
        settings: rate, horizon, overlap threshold, include-retired switch.
        aliases: system and object aliases (default: the shipped tables).
        rules: complexity rules (default: ``data/complexity.toml``).
        survivor_choices: ids the group chose to keep in their clusters.
        centralize_min_teams: the rubric's rule for the recommendations: from this many teams on, centralise.

    Returns:
        The analysis, a frozen value safe to cache per registry version.
    """
    integrations = tuple(integrations)
    rules = rules.with_aliases(aliases)  # the system-of-record list compared through the same aliases as overlaps
    index = build_overlap_index(integrations, aliases, include_retired=settings.include_retired)
    # Only the pairs the clustering links are worded: the same pairs reach cluster_overlaps as
    # with every pair listed, without describing the hundreds of thousands below the threshold.
    pairs = tuple(index.list_pairs(min_score=settings.overlap_threshold))
    run_rates = {i.id: monthly_run_rate(i, settings, rules).total for i in integrations}
    clusters = tuple(cluster_overlaps(
        integrations, pairs, run_rates, threshold=settings.overlap_threshold,
        survivor_choices=survivor_choices, aliases=aliases,
    ))
    names = [n for i in integrations for n in (i.source_system, i.target_system)]
    objects = [o for i in integrations for o in i.data_objects]
    suggestions = tuple(suggest_name_variants(names, aliases, kind="system")) + tuple(
        suggest_name_variants(objects, aliases, kind="object"))
    costs = portfolio_tco(integrations, clusters, settings, rules)
    return RegistryAnalysis(
        integrations=integrations, settings=settings, aliases=aliases, rules=rules, index=index, pairs=pairs,
        clusters=clusters, suggestions=suggestions, run_rates=run_rates, costs=costs,
        by_id={i.id: i for i in integrations},
        cluster_by_member={m: c for c in clusters for m in c.members},
        centralize_min_teams=centralize_min_teams,
    )


def scoring_context_for(analysis: RegistryAnalysis, integration: Integration) -> ScoringContext:
    """The facts the rubric needs about one integration, which may be a proposal not in the registry.

    A proposal typed into the Score page is compared with the whole registry through the index
    (exact pairs, a few milliseconds), and priced with the same rules as registry rows.
    """
    overlaps = tuple(analysis.index.pairs_for(integration))
    others, keepers = {}, {}
    for pair in overlaps:
        other_id = pair.b if pair.a == integration.id else pair.a
        if other_id in analysis.by_id:
            others[other_id] = analysis.by_id[other_id]
            other_cluster = analysis.cluster_by_member.get(other_id)
            if other_cluster is not None and analysis.by_id[other_cluster.survivor].status in RUNNING:
                keepers[other_id] = analysis.by_id[other_cluster.survivor]
    in_registry = analysis.by_id.get(integration.id) == integration
    cluster = analysis.cluster_by_member.get(integration.id) if in_registry else None
    return ScoringContext(
        overlaps=overlaps,
        others=others,
        keepers=keepers,
        recommendation=analysis.recommendation(cluster.id) if cluster is not None else None,
        cluster=cluster,
        monthly_run_rate=monthly_run_rate(integration, analysis.settings, analysis.rules).total,
        complexity=derive_complexity(integration, analysis.rules).category,
        overlap_threshold=analysis.settings.overlap_threshold,
        currency=analysis.settings.currency,
    )


def score_registry_integration(
    analysis: RegistryAnalysis, integration_id: str, rubric: RubricConfig, overrides: Mapping[str, float] | None = None
) -> RubricResult:
    """Score an integration of the registry by id (the Score page and ``igov score ID``)."""
    integration = analysis.integration(integration_id)
    return score_integration(integration, scoring_context_for(analysis, integration), rubric, overrides)
