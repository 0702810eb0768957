"""What the TCO page and snapshot show: headline figures, the costliest clusters, scenarios and assumptions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.domain.analysis import RegistryAnalysis
from core.domain.overlap import Cluster
from core.domain.ranges import Range
from core.domain.recommendation import ClusterRecommendation
from core.domain.registry import Status
from core.domain.rubric import Verdict
from core.domain.tco import PortfolioCost, ScenarioComparison, horizon_cost
from core.domain.tco_simulation import Percentiles, PortfolioSimulation, ScenarioSimulation
from core.wording import format_fte, format_hours, format_money, format_money_range, format_percent


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
    hours: Range | None = None  # the same figure in engineering and ops hours (tools have none)
    per: str = "month"  # "month", "year" or "" (a one-time or horizon total): how FTE is counted

    def big(self, currency: str) -> str:
        """The likely value with its unit, e.g. ``$126,063 / month``."""
        return f"{format_money(self.value.likely, currency)} {self.unit}".strip()

    def range_text(self, currency: str) -> str:
        return format_money_range(self.value, currency, self.unit)

    def band_text(self, currency: str) -> str:
        """The one uncertainty band every figure carries: low – high from the stated ranges.

        >>> HeadlineFigure("x", "X", Range(10, 20, 40), "/ month", None, "").band_text("$")
        '$10 – $40 / month'
        """
        suffix = f" {self.unit}" if self.unit else ""
        return f"{format_money(self.value.low, currency)} – {format_money(self.value.high, currency)}{suffix}"

    def hours_text(self) -> str:
        """The likely hours with their band, e.g. ``225 h / month (213 – 239 h)``."""
        if self.hours is None:
            return ""
        unit = {"month": " / month", "year": " / year"}.get(self.per, "")
        band = f"{format_hours(self.hours.low).removesuffix(' h')} – {format_hours(self.hours.high)}"
        return f"{format_hours(self.hours.likely)}{unit} ({band})"

    def fte_text(self, hours_per_fte: float) -> str:
        """The likely hours as people: FTE for monthly figures, FTE all year, or FTE-months for totals.

        >>> figure = HeadlineFigure("x", "X", Range.exact(1), "", None, "", Range.exact(1400), "")
        >>> figure.fte_text(140), HeadlineFigure("y", "Y", Range.exact(1), "", None, "", Range.exact(70)).fte_text(140)
        ('10 FTE-months', '0.5 FTE')
        """
        if self.hours is None:
            return ""
        if self.per == "month":
            return format_fte(self.hours.likely, hours_per_fte)
        if self.per == "year":
            return f"{format_fte(self.hours.likely / 12, hours_per_fte)} all year"
        return format_fte(self.hours.likely, hours_per_fte).replace("FTE", "FTE-months")

    def percentile_text(self, currency: str) -> str:
        return format_percentiles(self.percentiles, currency, self.unit) if self.percentiles else ""


def headline_figures(costs: PortfolioCost, simulation: PortfolioSimulation | None = None) -> tuple[HeadlineFigure, ...]:
    """The three headline figures of the TCO snapshot: run-rate, duplicated run-rate, annualised waste.

    >>> from core.domain.registry import Integration
    >>> from core.domain.settings import Settings
    >>> from core.domain.tco import portfolio_tco
    >>> row = Integration(id="INT-1", name="A", source_system="HubSpot", target_system="Stripe",
    ...     data_objects=("Deal",), owner_team="Sales Ops", monthly_maintenance_hours=Range.between(2, 3),
    ...     hourly_rate=Range.exact(150))
    >>> [(f.label, f.big("$")) for f in headline_figures(portfolio_tco([row], [], Settings(), rules))]
    [('Portfolio run-rate', '$375 / month'), ('Spent on duplicates', '$0 / month'), ('Annualised waste', '$0 / year')]
    """
    sim = simulation
    return (
        HeadlineFigure("run_rate", "Portfolio run-rate", costs.monthly_run_rate, "/ month",
                       sim.monthly_run_rate if sim else None,
                       "What every integration not retired costs a month once it runs (the proposed and those "
                       "being built included): maintenance, tools and manual reconciliation.", costs.monthly_hours,
                       "month"),
        HeadlineFigure("duplicated", "Spent on duplicates", costs.duplicated_monthly_run_rate, "/ month",
                       sim.duplicated_monthly_run_rate if sim else None,
                       "The monthly run-rate of integrations that copy one another, excluding the one each group "
                       "keeps (a proposal that copies a running one included: building it would add this).",
                       costs.duplicated_monthly_hours, "month"),
        HeadlineFigure("waste", "Annualised waste", costs.annualised_waste, "/ year",
                       sim.annualised_waste if sim else None,
                       "Twelve months of spending on duplicates: what consolidating could stop, before migration "
                       "costs.", costs.annualised_waste_hours, "year"),
    )


def all_headline_figures(costs: PortfolioCost,
                         simulation: PortfolioSimulation | None = None) -> tuple[HeadlineFigure, ...]:
    """The snapshot's six figures: run-rate, duplicated run-rate, annual waste, build cost, TCO and forward cost.

    >>> [f.label for f in all_headline_figures(sample_analysis.costs)][3:]
    ['Build cost', 'TCO over 12 months', 'Forward cost, next 12 months']
    """
    sim, horizon = simulation, costs.horizon_months
    return headline_figures(costs, simulation) + (
        HeadlineFigure("build", "Build cost", costs.build_cost, "", sim.build_cost if sim else None,
                       "What building every integration not retired cost (or will cost): its build hours at the "
                       "hourly rate.", costs.build_hours, ""),
        HeadlineFigure("tco", f"TCO over {horizon} months", costs.tco, "", sim.tco if sim else None,
                       f"Total cost of ownership: the build cost plus {horizon} months of run-rate.",
                       costs.tco_hours, ""),
        HeadlineFigure("forward", f"Forward cost, next {horizon} months", costs.forward_cost, "",
                       sim.forward_cost if sim else None,
                       f"What is still to be spent: {horizon} months of run-rate plus building what is proposed or "
                       "being built.", costs.forward_hours, ""),
    )


RANGE_NOTE = ("Each figure is its likely value with one band: low – high from the stated ranges (low if everything "
              "goes well at once, high if everything goes badly at once). Quote the likely value with that band.")


def _lower_first(label: str) -> str:
    """A label inside a sentence: "Build cost" -> "build cost", "TCO over ..." stays.

    >>> _lower_first("Build cost"), _lower_first("TCO over 12 months")
    ('build cost', 'TCO over 12 months')
    """
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def percentile_footnote(figures: Sequence[HeadlineFigure], currency: str, draws: int) -> str:
    """The simulated P10 – P90 of every figure, in one footnote beside the band the figures carry.

    >>> run = HeadlineFigure("run_rate", "Portfolio run-rate", Range(1, 2, 3), "/ month", Percentiles(1.2, 2, 2.8), "")
    >>> percentile_footnote([run], "$", 10_000)
    'Simulated P10 – P90 (8 in 10 of 10,000 simulated outcomes fall between): portfolio run-rate $1 – $3 / month.'
    """
    parts = [f"{_lower_first(f.label)} {format_money(f.percentiles.p10, currency)} – "
             f"{format_money(f.percentiles.p90, currency)}{' ' + f.unit if f.unit else ''}"
             for f in figures if f.percentiles is not None]
    if not parts:
        return ""
    return (f"Simulated P10 – P90 (8 in 10 of {draws:,} simulated outcomes fall between): " + "; ".join(parts) + ".")


@dataclass(frozen=True, slots=True)
class CapacityShare:
    """The share of the team's engineering capacity that goes into maintaining duplicates."""

    capacity_hours: float  # a month
    duplicated_hours: Range  # a month
    share: Range  # duplicated hours / capacity
    guideline: float  # 0.20: guidance, not a rule

    @property
    def over_guideline(self) -> bool:
        return self.share.likely > self.guideline

    def sentence(self, hours_per_fte: float) -> str:
        """The share in words, short enough for one line of the one-page PDF.

        >>> CapacityShare(1000, Range(210, 225, 240), Range(0.21, 0.225, 0.24), 0.2).sentence(140)
        "22% of the team's engineering capacity (1,000 h a month, 7.1 FTE) maintains and reconciles duplicates (range 21% – 24%)."
        """  # noqa: E501
        return (f"{format_percent(self.share.likely)} of the team's engineering capacity "
                f"({format_hours(self.capacity_hours).removesuffix(' h')} h a month, "
                f"{format_fte(self.capacity_hours, hours_per_fte)}) maintains and reconciles duplicates "
                f"(range {format_percent(self.share.low)} – {format_percent(self.share.high)}).")

    def guideline_text(self) -> str:
        """How the reference line is labelled: as guidance.

        >>> CapacityShare(1000, Range.zero(), Range.zero(), 0.2).guideline_text()
        'Guideline: keep it under 20% (guidance, not a rule)'
        """
        return f"Guideline: keep it under {format_percent(self.guideline)} (guidance, not a rule)"


def capacity_share(costs: PortfolioCost, capacity_hours: float | None, guideline: float) -> CapacityShare | None:
    """The share of capacity spent on duplicates, ``None`` while the team's capacity is not set.

    >>> capacity_share(sample_analysis.costs, None, 0.2) is None
    True
    >>> round(capacity_share(sample_analysis.costs, 1000, 0.2).share.likely, 3)
    0.225
    """
    if not capacity_hours:
        return None
    hours = costs.duplicated_monthly_hours
    return CapacityShare(capacity_hours, hours, hours * (1 / capacity_hours), guideline)


def hours_line(figure: HeadlineFigure, hours_per_fte: float) -> str:
    """Hours and FTE of a figure on one line, e.g. "225 h / month (213 – 239 h) · 1.6 FTE"."""
    if figure.hours is None:
        return ""
    return f"{figure.hours_text()} · {figure.fte_text(hours_per_fte)}"



@dataclass(frozen=True, slots=True)
class ClusterWaste:
    """One line of "top clusters by waste": who is involved, what it costs, and the cluster's recommendation."""

    cluster_id: str
    members: tuple[str, ...]
    member_names: tuple[str, ...]
    teams: tuple[str, ...]
    survivor: str
    duplicated_monthly_run_rate: Range
    recommendation: ClusterRecommendation

    @property
    def verdict(self) -> Verdict:
        return self.recommendation.verdict

    @property
    def reason(self) -> str:
        return self.recommendation.summary


def top_waste_clusters(analysis: RegistryAnalysis, limit: int = 5) -> tuple[ClusterWaste, ...]:
    """The clusters with the most duplicated run-rate, each with its recommendation (the same on every surface).

    >>> top = top_waste_clusters(sample_analysis, limit=2)
    >>> [(c.cluster_id, c.verdict.value, c.recommendation.scenario) for c in top]
    [('CL-INT-015', 'centralize', 'centralise'), ('CL-INT-004', 'merge', 'merge')]
    """
    ranked = sorted(analysis.clusters, key=lambda c: (-c.duplicated_monthly_run_rate.likely, c.id))[:max(limit, 0)]
    return tuple(
        ClusterWaste(
            cluster_id=cluster.id, members=cluster.members,
            member_names=tuple(analysis.by_id[m].name if m in analysis.by_id else m for m in cluster.members),
            teams=cluster.teams, survivor=cluster.survivor,
            duplicated_monthly_run_rate=cluster.duplicated_monthly_run_rate,
            recommendation=analysis.recommendation(cluster.id),
        )
        for cluster in ranked
    )


def cluster_table_rows(clusters: Sequence[ClusterWaste], currency: str = "$") -> list[dict]:
    """The top-clusters table as text columns (money with its range and unit).

    >>> [row] = cluster_table_rows(top_waste_clusters(sample_analysis, limit=1))
    >>> row["Duplicated run-rate"], row["Suggested verdict"]
    ('$12,814 – $15,694 / month (likely $14,179)', 'centralize')
    """
    return [{
        "Cluster": c.cluster_id,
        "Integrations": ", ".join(c.members),
        "Keeps": c.survivor,
        "Teams": ", ".join(c.teams),
        "Duplicated run-rate": format_money_range(c.duplicated_monthly_run_rate, currency, "/ month"),
        "Suggested verdict": c.verdict.value,
        "Why": c.reason,
    } for c in clusters]


def cluster_choice_label(cluster: Cluster, analysis: RegistryAnalysis) -> str:
    """How a cluster is named in the picker: id, what it keeps, size and waste.

    >>> analysis = sample_analysis
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
    """When merging and centralizing pay back against keeping all, in words (likely figures).

    >>> from core.domain.tco import Scenario, ScenarioComparison
    >>> keep = Scenario("keep_all", "Keep all", Range.exact(10), Range.zero(), (), "")
    >>> merging, centralizing = break_even_sentences(ScenarioComparison("CL-1", keep, keep, keep, 4, None, 12))
    >>> merging
    'Merging pays back in month 4.'
    >>> centralizing
    'Centralizing does not pay back within 12 months: over this horizon it costs more than keeping all.'
    """
    return (_payback("Merging", comparison.break_even_month_merge, comparison.horizon_months),
            _payback("Centralizing", comparison.break_even_month_centralise, comparison.horizon_months))


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
    sims = ({"keep_all": simulation.keep_all, "merge": simulation.merge, "centralise": simulation.centralise}
            if simulation else {})
    rows = []
    for scenario in (comparison.keep_all, comparison.merge, comparison.centralise):
        saving = comparison.keep_all.monthly_run_rate - scenario.monthly_run_rate
        horizon_total = horizon_cost(scenario, horizon)
        row = {
            "Scenario": scenario.label,
            "One-time cost": format_money_range(scenario.one_time_cost, currency),
            "Monthly run-rate": format_money_range(scenario.monthly_run_rate, currency, "/ month"),
            "Saving vs keep all": "—" if scenario.name == "keep_all"
            else format_money_range(saving, currency, "/ month"),
            f"Total over {horizon} months": format_money_range(horizon_total, currency),
        }
        if scenario.name in sims:
            row["Simulated total (P10 · P50 · P90)"] = format_percentiles(sims[scenario.name], currency)
        rows.append(row)
    return rows


def tco_assumptions(
    analysis: RegistryAnalysis, horizon_months: int, draws: int | None = None, seed: int | None = None
) -> tuple[str, ...]:
    """The assumptions behind the TCO snapshot, one sentence each, as the page lists them.

    >>> analysis = sample_analysis
    >>> print("\\n".join(tco_assumptions(analysis, 12, draws=10_000, seed=0)))  # doctest: +ELLIPSIS
    Hourly rate $150 – $200 / hour (likely $175), used for every integration without a rate of its own (... of 66 have one).
    Horizon: 12 months for the scenario comparison (saved default: 12 months).
    Overlap threshold 0.5: integrations whose overlap score (0 to 1) reaches it count as duplicates and are grouped into clusters.
    Currency: $ (amounts as typed in the registry, never converted). Retired integrations are left out (1 of 67); deprecated ones still cost until they are switched off.
    ... figures (build or maintenance hours) for ... of 66 integrations are estimated from their complexity category, because the registry gives no hours.
    P10 / P50 / P90 come from 10,000 simulated outcomes (seed 0, so the same registry always gives the same figures): 8 in 10 outcomes fall between P10 and P90.
    Ranges are low – high: low if everything goes well at once, high if everything goes badly at once.
    """  # noqa: E501 (the example prints the sentences whole, one a line)
    settings, costs = analysis.settings, analysis.costs
    rows = costs.rows
    own_rate = sum(1 for i in analysis.integrations if i.status is not Status.RETIRED and i.hourly_rate is not None)
    estimated_rows = [r for r in rows if r.estimated_from_category]
    estimated_figures = sum(len(r.estimated_from_category) for r in estimated_rows)
    lines = [
        f"Hourly rate {format_money_range(settings.hourly_rate, settings.currency, '/ hour')}, used for every "
        f"integration without a rate of its own ({own_rate} of {len(rows)} have one).",
        f"Horizon: {horizon_months} months for the scenario comparison "
        f"(saved default: {settings.horizon_months} months).",
        f"Overlap threshold {settings.overlap_threshold:g}: integrations whose overlap score (0 to 1) reaches it "
        "count as duplicates and are grouped into clusters.",
        f"Currency: {settings.currency} (amounts as typed in the registry, never converted). Retired integrations "
        f"are left out ({len(analysis.integrations) - len(rows)} of {len(analysis.integrations)}); deprecated ones "
        "still cost until they are switched off.",
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
