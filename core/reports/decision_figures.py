"""What the Score and TCO pages show, worked out here so the pages only place widgets and text.

Every function is pure: it takes core values (a rubric result, an analysis, a scenario comparison)
and returns sorted rows, sentences or formatted figures. Nothing here imports streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timezone, tzinfo
from typing import Iterable, Mapping, Sequence

from core.domain.analysis import (
    RegistryAnalysis,
    score_registry_integration,
    scoring_context_for,
)
from core.domain.overlap import Cluster
from core.domain.ranges import Range, parse_range
from core.domain.registry import (
    Approach,
    Direction,
    Integration,
    Status,
    Tier,
    Timeliness,
)
from core.domain.rubric import (
    CRITERIA_BY_NAME,
    RubricConfig,
    RubricResult,
    Verdict,
    score_integration,
)
from core.domain.tco import (
    Percentiles,
    PortfolioCost,
    PortfolioSimulation,
    ScenarioComparison,
    ScenarioSimulation,
)
from core.errors import ProposalError, ValueFormatError
from core.wording import format_money, format_money_range

PROPOSAL_ID = "PROPOSAL"

VERDICT_MEANING: dict[Verdict, str] = {
    Verdict.PROCEED: "build it, or keep it as it is",
    Verdict.HOLD: "pause until the concerns below are resolved",
    Verdict.MERGE: "fold the duplicates into one integration",
    Verdict.CENTRALIZE: "one team runs this flow for everyone",
    Verdict.RETIRE: "switch it off",
}


# --- Score page ------------------------------------------------------------------------------------


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

    >>> from core.domain.registry_csv import read_registry_csv
    >>> from core.domain.settings import load_default_settings
    >>> from core.storage.store import SAMPLE_REGISTRY
    >>> from core.domain.analysis import analyse_registry
    >>> from core.domain.rubric import load_rubric
    >>> analysis = analyse_registry(read_registry_csv(SAMPLE_REGISTRY.read_bytes()).accepted, load_default_settings())
    >>> score_subject(analysis, analysis.integration("INT-027"), load_rubric()).verdict.value
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

    >>> from core.domain.rubric import ScoringContext, load_rubric
    >>> row = Integration(id="INT-1", name="x", source_system="A", target_system="B", data_objects=("O",),
    ...                   owner_team="T")
    >>> rows = contribution_rows(score_integration(row, ScoringContext(), load_rubric()))
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

    >>> from core.domain.rubric import ScoringContext, load_rubric
    >>> row = Integration(id="INT-1", name="x", source_system="A", target_system="B", data_objects=("O",),
    ...                   owner_team="T", owner="Ana")
    >>> flip_statements(score_integration(row, ScoringContext(), load_rubric()), 1)
    ('The verdict flips from proceed to hold if the weight of Operational controls rises by 438%.',)
    """
    flips = sorted(
        (s for s in result.sensitivity if s.flip_change is not None),
        key=lambda s: (abs(s.flip_change), s.criterion),
    )
    return tuple(s.statement(result.verdict) for s in flips[:count])


def stability_statement(result: RubricResult) -> str:
    """One sentence on how firm the verdict is against changes of single weights.

    >>> from core.domain.rubric import ScoringContext, load_rubric
    >>> row = Integration(id="INT-1", name="x", source_system="A", target_system="B", data_objects=("O",),
    ...                   owner_team="T", owner="Ana")
    >>> stability_statement(score_integration(row, ScoringContext(), load_rubric()))
    'Stable: changing any single weight by up to ±25% leaves the verdict at proceed.'
    """
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
    >>> proposal_from_answers({"name": "x", "build_hours": "lots"})
    Traceback (most recent call last):
    ...
    core.errors.ProposalError: The proposal cannot be scored yet: name the source system; name the target system; list at least one data object it moves; name the team that would own it; Estimated build hours: 'lots' is not a number.

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


def _number(value: float) -> str:
    return f"{value:g}"


def history_rows(saved: Iterable, default_weights: Mapping[str, float], tz: tzinfo = timezone.utc) -> list[dict]:
    """Rows of the saved-scorings table: when, who, verdict, score, weights changed and scores set.

    >>> from datetime import datetime
    >>> from types import SimpleNamespace
    >>> saved = SimpleNamespace(scored_at=datetime(2026, 3, 2, 14, 5, tzinfo=timezone.utc), scored_by="Ana",
    ...     verdict=Verdict.MERGE, score=2.44, weights={"overlap": 10.0, "controls": 1.5},
    ...     overrides={"controls": 4.0}, integration_name="Deals", registry_version=3)
    >>> history_rows([saved], {"overlap": 3.0, "controls": 1.5})[0]  # doctest: +NORMALIZE_WHITESPACE
    {'Scored at': '2026-03-02 14:05', 'By': 'Ana', 'Verdict': 'merge', 'Score': '2.4 / 5',
     'Weights changed': 'Overlap with existing integrations 3 → 10', 'Scores set by the group': 'Operational controls 4',
     'Name': 'Deals', 'Registry version': 3}
    """
    def label(name: str) -> str:
        return CRITERIA_BY_NAME[name].label if name in CRITERIA_BY_NAME else name

    rows = []
    for item in saved:
        changed = [
            f"{label(name)} {_number(default_weights[name])} → {_number(value)}"
            for name, value in item.weights.items()
            if name in default_weights and abs(value - default_weights[name]) > 1e-9
        ]
        rows.append({
            "Scored at": item.scored_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            "By": item.scored_by,
            "Verdict": item.verdict.value,
            "Score": format_score(item.score),
            "Weights changed": "; ".join(changed) or "defaults",
            "Scores set by the group": "; ".join(f"{label(n)} {_number(v)}" for n, v in item.overrides.items()) or "none",
            "Name": item.integration_name,
            "Registry version": item.registry_version,
        })
    return rows


# --- TCO page --------------------------------------------------------------------------------------


def format_percentiles(p: Percentiles, currency: str = "$", unit: str = "") -> str:
    """P10 / P50 / P90 in words people can read.

    >>> format_percentiles(Percentiles(120698.6, 126735.4, 132788.7), unit="/ month")
    'P10 $120,699 · P50 $126,735 · P90 $132,789 / month'
    """
    suffix = f" {unit}" if unit else ""
    return (f"P10 {format_money(p.p10, currency)} · P50 {format_money(p.p50, currency)} · "
            f"P90 {format_money(p.p90, currency)}{suffix}")


@dataclass(frozen=True, slots=True)
class HeadlineFigure:
    """One big number of the TCO snapshot, with its range, its simulated percentiles and what it means."""

    key: str
    label: str
    value: Range
    unit: str
    percentiles: Percentiles | None
    meaning: str

    def big(self, currency: str) -> str:
        """The likely value with its unit, e.g. ``$126,063 / month``."""
        return f"{format_money(self.value.likely, currency)} {self.unit}".strip()

    def range_text(self, currency: str) -> str:
        return format_money_range(self.value, currency, self.unit)

    def percentile_text(self, currency: str) -> str:
        return format_percentiles(self.percentiles, currency, self.unit) if self.percentiles else ""


def headline_figures(costs: PortfolioCost, simulation: PortfolioSimulation | None = None) -> tuple[HeadlineFigure, ...]:
    """The three headline figures of the TCO snapshot: run-rate, duplicated run-rate, annualised waste.

    >>> from core.domain.settings import Settings
    >>> from core.domain.tco import portfolio_tco
    >>> row = Integration(id="INT-1", name="A", source_system="HubSpot", target_system="Stripe",
    ...     data_objects=("Deal",), owner_team="Sales Ops", monthly_maintenance_hours=Range.between(2, 3),
    ...     hourly_rate=Range.exact(150))
    >>> [(f.label, f.big("$")) for f in headline_figures(portfolio_tco([row], [], Settings()))]
    [('Portfolio run-rate', '$375 / month'), ('Spent on duplicates', '$0 / month'), ('Annualised waste', '$0 / year')]
    """
    sim = simulation
    return (
        HeadlineFigure("run_rate", "Portfolio run-rate", costs.monthly_run_rate, "/ month",
                       sim.monthly_run_rate if sim else None,
                       "What every integration still running costs a month: maintenance, tools and manual reconciliation."),
        HeadlineFigure("duplicated", "Spent on duplicates", costs.duplicated_monthly_run_rate, "/ month",
                       sim.duplicated_monthly_run_rate if sim else None,
                       "The monthly run-rate of integrations that copy one another, excluding the one each group keeps."),
        HeadlineFigure("waste", "Annualised waste", costs.annualised_waste, "/ year",
                       sim.annualised_waste if sim else None,
                       "Twelve months of spending on duplicates: what consolidating could stop, before migration costs."),
    )


@dataclass(frozen=True, slots=True)
class ClusterWaste:
    """One line of "top clusters by waste": who is involved, what it costs, what the rubric suggests."""

    cluster_id: str
    members: tuple[str, ...]
    member_names: tuple[str, ...]
    teams: tuple[str, ...]
    survivor: str
    duplicated_monthly_run_rate: Range
    scored_member: str | None  # the first member that is not the survivor: its verdict stands for the cluster
    verdict: Verdict | None
    reason: str


def top_waste_clusters(analysis: RegistryAnalysis, rubric: RubricConfig, limit: int = 5) -> tuple[ClusterWaste, ...]:
    """The clusters with the most duplicated run-rate, with a suggested verdict and its first reason.

    The suggestion is the rubric verdict (with the given weights) of the cluster's first member
    that is not the survivor: what to do with the copy.

    >>> from core.domain.registry_csv import read_registry_csv
    >>> from core.domain.settings import load_default_settings
    >>> from core.storage.store import SAMPLE_REGISTRY
    >>> from core.domain.analysis import analyse_registry
    >>> from core.domain.rubric import load_rubric
    >>> analysis = analyse_registry(read_registry_csv(SAMPLE_REGISTRY.read_bytes()).accepted, load_default_settings())
    >>> top = top_waste_clusters(analysis, load_rubric(), limit=2)
    >>> [(c.cluster_id, c.scored_member, c.verdict.value) for c in top]
    [('CL-INT-015', 'INT-019', 'centralize'), ('CL-INT-004', 'INT-031', 'merge')]
    """
    ranked = sorted(analysis.clusters, key=lambda c: (-c.duplicated_monthly_run_rate.likely, c.id))[:max(limit, 0)]
    rows = []
    for cluster in ranked:
        copies = [m for m in cluster.members if m != cluster.survivor and m in analysis.by_id]
        verdict, reason = None, "no copy to decide on"
        if copies:
            result = score_registry_integration(analysis, copies[0], rubric)
            verdict, reason = result.verdict, result.reasons[0]
        rows.append(ClusterWaste(
            cluster_id=cluster.id, members=cluster.members,
            member_names=tuple(analysis.by_id[m].name if m in analysis.by_id else m for m in cluster.members),
            teams=cluster.teams, survivor=cluster.survivor,
            duplicated_monthly_run_rate=cluster.duplicated_monthly_run_rate,
            scored_member=copies[0] if copies else None, verdict=verdict, reason=reason,
        ))
    return tuple(rows)


def cluster_table_rows(clusters: Sequence[ClusterWaste], currency: str = "$") -> list[dict]:
    """The top-clusters table as text columns (money with its range and unit).

    >>> row = ClusterWaste("CL-INT-1", ("INT-1", "INT-2"), ("A", "B"), ("Finance", "Sales Ops"), "INT-1",
    ...     Range(100, 150, 200), "INT-2", Verdict.MERGE, "Merge: merge into INT-1.")
    >>> cluster_table_rows([row])[0]["Duplicated run-rate"]
    '$100 – $200 / month (likely $150)'
    """
    return [{
        "Cluster": c.cluster_id,
        "Integrations": ", ".join(c.members),
        "Keeps": c.survivor,
        "Teams": ", ".join(c.teams),
        "Duplicated run-rate": format_money_range(c.duplicated_monthly_run_rate, currency, "/ month"),
        "Suggested verdict": c.verdict.value if c.verdict else "—",
        "Why": c.reason,
    } for c in clusters]


def cluster_choice_label(cluster: Cluster, analysis: RegistryAnalysis) -> str:
    """How a cluster is named in the picker: id, what it keeps, size and waste.

    >>> from core.domain.registry_csv import read_registry_csv
    >>> from core.domain.settings import load_default_settings
    >>> from core.storage.store import SAMPLE_REGISTRY
    >>> from core.domain.analysis import analyse_registry
    >>> analysis = analyse_registry(read_registry_csv(SAMPLE_REGISTRY.read_bytes()).accepted, load_default_settings())
    >>> cluster_choice_label(analysis.cluster("CL-INT-004"), analysis)
    'CL-INT-004 · 2 integrations around Stripe invoices and payments to NetSuite · $12,890 / month duplicated (likely)'
    """
    survivor = analysis.by_id.get(cluster.survivor)
    name = survivor.name if survivor else cluster.survivor
    money = format_money(cluster.duplicated_monthly_run_rate.likely, analysis.settings.currency)
    return f"{cluster.id} · {len(cluster.members)} integrations around {name} · {money} / month duplicated (likely)"


@dataclass(frozen=True, slots=True)
class ScenarioSeries:
    """One scenario's cumulative cost, month 0 to the horizon, ready to plot as a line with a band."""

    name: str
    label: str
    months: tuple[int, ...]
    low: tuple[float, ...]
    likely: tuple[float, ...]
    high: tuple[float, ...]


def scenario_series(comparison: ScenarioComparison) -> tuple[ScenarioSeries, ...]:
    """Keep all, merge and centralise as plottable series.

    >>> from core.domain.tco import Scenario, ScenarioComparison
    >>> keep = Scenario("keep_all", "Keep all", Range.exact(10), Range.zero(), (Range.exact(0), Range.exact(10)), "")
    >>> series = scenario_series(ScenarioComparison("CL-1", keep, keep, keep, 0, 0, 1))
    >>> series[0].months, series[0].likely
    ((0, 1), (0.0, 10.0))
    """
    return tuple(
        ScenarioSeries(
            name=s.name, label=s.label, months=tuple(range(len(s.cumulative))),
            low=tuple(r.low for r in s.cumulative), likely=tuple(r.likely for r in s.cumulative),
            high=tuple(r.high for r in s.cumulative),
        )
        for s in (comparison.keep_all, comparison.merge, comparison.centralise)
    )


def _payback(verb: str, month: int | None, horizon: int) -> str:
    if month is None:
        return f"{verb} does not pay back within {horizon} months: over this horizon it costs more than keeping all."
    if month == 0:
        return f"{verb} costs no more than keeping all from the start."
    return f"{verb} pays back in month {month}."


def break_even_sentences(comparison: ScenarioComparison) -> tuple[str, str]:
    """When merging and centralising pay back against keeping all, in words (likely figures).

    >>> from core.domain.tco import Scenario, ScenarioComparison
    >>> keep = Scenario("keep_all", "Keep all", Range.exact(10), Range.zero(), (), "")
    >>> break_even_sentences(ScenarioComparison("CL-1", keep, keep, keep, 4, None, 12))
    ('Merging pays back in month 4.', 'Centralising does not pay back within 12 months: over this horizon it costs more than keeping all.')
    """
    return (_payback("Merging", comparison.break_even_month_merge, comparison.horizon_months),
            _payback("Centralising", comparison.break_even_month_centralise, comparison.horizon_months))


def scenario_table_rows(
    comparison: ScenarioComparison, simulation: ScenarioSimulation | None = None, currency: str = "$"
) -> list[dict]:
    """One row per scenario: one-time cost, monthly run-rate, saving a month and total over the horizon.

    The saving is keep-all's run-rate minus the scenario's, point by point (low with low), the
    same "everything goes well / badly at once" corners as every other range.

    >>> from core.domain.tco import Scenario, ScenarioComparison
    >>> keep = Scenario("keep_all", "Keep all", Range(900, 1000, 1100), Range.zero(), (), "")
    >>> merge = Scenario("merge", "Merge into A (INT-1)", Range(300, 400, 500), Range.exact(2000), (), "")
    >>> rows = scenario_table_rows(ScenarioComparison("CL-1", keep, merge, merge, 4, 4, 12))
    >>> rows[1]["Saving vs keep all"], rows[1][f"Total over 12 months"]
    ('$600 / month', '$5,600 – $8,000 (likely $6,800)')
    """
    horizon = comparison.horizon_months
    sims = {"keep_all": simulation.keep_all, "merge": simulation.merge, "centralise": simulation.centralise} if simulation else {}
    rows = []
    for scenario in (comparison.keep_all, comparison.merge, comparison.centralise):
        saving = comparison.keep_all.monthly_run_rate - scenario.monthly_run_rate
        row = {
            "Scenario": scenario.label,
            "One-time cost": format_money_range(scenario.one_time_cost, currency),
            "Monthly run-rate": format_money_range(scenario.monthly_run_rate, currency, "/ month"),
            "Saving vs keep all": "—" if scenario.name == "keep_all" else format_money_range(saving, currency, "/ month"),
            f"Total over {horizon} months": format_money_range(scenario.one_time_cost + scenario.monthly_run_rate * horizon, currency),
        }
        if scenario.name in sims:
            row["Simulated total (P10 · P50 · P90)"] = format_percentiles(sims[scenario.name], currency)
        rows.append(row)
    return rows


def tco_assumptions(
    analysis: RegistryAnalysis, horizon_months: int, draws: int | None = None, seed: int | None = None
) -> tuple[str, ...]:
    """The assumptions behind the TCO snapshot, one sentence each, as the page lists them.

    >>> from core.domain.registry_csv import read_registry_csv
    >>> from core.domain.settings import load_default_settings
    >>> from core.storage.store import SAMPLE_REGISTRY
    >>> from core.domain.analysis import analyse_registry
    >>> analysis = analyse_registry(read_registry_csv(SAMPLE_REGISTRY.read_bytes()).accepted, load_default_settings())
    >>> print("\\n".join(tco_assumptions(analysis, 12, draws=10_000, seed=0)))  # doctest: +ELLIPSIS
    Hourly rate $150 – $200 / hour (likely $175), used for every integration without a rate of its own (... of 66 have one).
    Horizon: 12 months for the scenario comparison (saved default: 12 months).
    Overlap threshold 0.5: integrations whose overlap score (0 to 1) reaches it count as duplicates and are grouped into clusters.
    Currency: $. Retired integrations are left out; deprecated ones still cost until they are switched off.
    ... figures (build or maintenance hours) for ... of 66 integrations are estimated from their complexity category, because the registry gives no hours.
    P10 / P50 / P90 come from 10,000 simulated outcomes (seed 0, so the same registry always gives the same figures): 8 in 10 outcomes fall between P10 and P90.
    Ranges are low – high: low if everything goes well at once, high if everything goes badly at once.
    """
    settings, costs = analysis.settings, analysis.costs
    rows = costs.rows
    own_rate = sum(1 for i in analysis.integrations if i.status is not Status.RETIRED and i.hourly_rate is not None)
    estimated_rows = [r for r in rows if r.estimated_from_category]
    estimated_figures = sum(len(r.estimated_from_category) for r in estimated_rows)
    lines = [
        f"Hourly rate {format_money_range(settings.hourly_rate, settings.currency, '/ hour')}, used for every "
        f"integration without a rate of its own ({own_rate} of {len(rows)} have one).",
        f"Horizon: {horizon_months} months for the scenario comparison (saved default: {settings.horizon_months} months).",
        f"Overlap threshold {settings.overlap_threshold:g}: integrations whose overlap score (0 to 1) reaches it "
        "count as duplicates and are grouped into clusters.",
        f"Currency: {settings.currency}. Retired integrations are left out; deprecated ones still cost until they "
        "are switched off.",
        f"{estimated_figures} figures (build or maintenance hours) for {len(estimated_rows)} of {len(rows)} "
        "integrations are estimated from their complexity category, because the registry gives no hours.",
    ]
    if draws is not None:
        lines.append(
            f"P10 / P50 / P90 come from {draws:,} simulated outcomes"
            + (f" (seed {seed}, so the same registry always gives the same figures)" if seed is not None else "")
            + ": 8 in 10 outcomes fall between P10 and P90."
        )
    lines.append("Ranges are low – high: low if everything goes well at once, high if everything goes badly at once.")
    return tuple(lines)
