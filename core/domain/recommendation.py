"""One recommendation per overlap cluster: what happens to each member, which cost scenario, and why, in money."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from core.domain.complexity import ComplexityRules
from core.domain.overlap import Cluster
from core.domain.ranges import Range
from core.domain.registry import NOT_YET_BUILT, RUNNING, Integration, Status, Tier
from core.domain.rubric import CENTRALIZE_MIN_TEAMS, Verdict
from core.domain.settings import Settings
from core.domain.tco import ScenarioComparison, compare_scenarios, horizon_cost
from core.wording import format_money, format_money_range, natural_list, verdict_name

# The three ways forward, in the order a tie is settled: the smaller change wins.
SCENARIOS = ("keep_all", "merge", "centralise")
_GERUND = {"keep_all": "keeping all", "merge": "merging", "centralise": "centralizing"}
# What the cluster is told when a scenario is chosen: keeping all is "not now", so the copies wait.
_CLUSTER_VERDICT = {"keep_all": Verdict.HOLD, "merge": Verdict.MERGE, "centralise": Verdict.CENTRALIZE}
_LISTED = 6  # ids named in one sentence before the rest are counted


@dataclass(frozen=True, slots=True)
class ScenarioCost:
    """One scenario of a cluster in money: what it costs over the horizon and what it saves a month."""

    name: str  # "keep_all" / "merge" / "centralise"
    label: str
    one_time_cost: Range
    monthly_run_rate: Range
    monthly_saving: Range  # keep all's run-rate minus this one's, low with low (zero for keep all)
    horizon_cost: Range  # one-time cost + horizon x run-rate
    break_even_month: int | None  # first month it costs no more than keeping all (likely); None: not in the horizon

    def as_dict(self) -> dict:
        return {"name": self.name, "label": self.label, "one_time_cost": self.one_time_cost.as_dict(),
                "monthly_run_rate": self.monthly_run_rate.as_dict(), "monthly_saving": self.monthly_saving.as_dict(),
                "horizon_cost": self.horizon_cost.as_dict(), "break_even_month": self.break_even_month}


@dataclass(frozen=True, slots=True)
class MemberVerdict:
    """What the recommendation does with one member of the cluster."""

    integration_id: str
    verdict: Verdict
    action: str  # for a table: "Keep", "Merge into INT-015", "Retire", "Extend INT-015 instead", ...
    reason: str  # the rubric's words after "Merge: ", e.g. "merge it into INT-015"
    role: str  # keep, merge, move, extend, retire, retired, wait (keep all for now) or agree (proposals only)


@dataclass(frozen=True)
class ClusterRecommendation:
    """The one recommendation for a cluster: the members' verdicts, the scenario and the reasons.

    Every surface (pages, PDFs, memos, the command line) shows these same values and words.
    """

    cluster_id: str
    verdict: Verdict  # the cluster's: merge, centralize, or hold (keep all for now, or proposals only)
    scenario: str  # the scenario chosen, one of SCENARIOS
    survivor: str
    members: tuple[MemberVerdict, ...]  # in the cluster's member order
    reasons: tuple[str, ...]  # what to do, what it costs and saves, why this scenario, conditions
    scenarios: tuple[ScenarioCost, ...]  # keep all, merge, centralise
    cheapest: str  # the scenario with the lowest likely cost over the horizon
    rule: str  # the stated rule that chose another scenario than the cheapest, "" when none did
    horizon_months: int
    comparison: ScenarioComparison = field(repr=False, compare=False)
    _by_id: dict = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        # Members are looked up one by one when each is scored; clusters can have thousands.
        object.__setattr__(self, "_by_id", {m.integration_id: m for m in self.members})

    @property
    def chosen(self) -> ScenarioCost:
        """The chosen scenario's money."""
        return self.scenario_cost(self.scenario)

    @property
    def monthly_saving(self) -> Range:
        return self.chosen.monthly_saving

    @property
    def horizon_cost(self) -> Range:
        return self.chosen.horizon_cost

    @property
    def summary(self) -> str:
        """The first reason: the verdict and what happens to whom."""
        return self.reasons[0]

    def scenario_cost(self, name: str) -> ScenarioCost:
        return next(s for s in self.scenarios if s.name == name)

    def member(self, integration_id: str) -> MemberVerdict | None:
        """The verdict of one member, ``None`` for an integration outside the cluster."""
        return self._by_id.get(integration_id)

    def as_dict(self) -> dict:
        """``{"verdict", "scenario", "reasons"}``, as ``igov overlap --json`` prints it."""
        return {"verdict": self.verdict.value, "scenario": self.scenario, "reasons": list(self.reasons)}


def _scenario_costs(comparison: ScenarioComparison) -> tuple[ScenarioCost, ...]:
    horizon, keep = comparison.horizon_months, comparison.keep_all
    months = {"keep_all": 0, "merge": comparison.break_even_month_merge,
              "centralise": comparison.break_even_month_centralise}
    return tuple(
        ScenarioCost(name=s.name, label=s.label, one_time_cost=s.one_time_cost, monthly_run_rate=s.monthly_run_rate,
                     monthly_saving=keep.monthly_run_rate - s.monthly_run_rate,
                     horizon_cost=horizon_cost(s, horizon), break_even_month=months[s.name])
        for s in (comparison.keep_all, comparison.merge, comparison.centralise)
    )


def _ids(ids: list[str]) -> str:
    return natural_list(ids, limit=_LISTED, noun="others")


def _unwatched(member: Integration) -> bool:
    """A running copy nobody owns and nobody is known to watch: it goes whatever it costs."""
    return not member.is_owned and member.has_monitoring is not True


def _monitoring_words(member: Integration) -> str:
    return "no monitoring" if member.has_monitoring is False else "monitoring unknown"


def _member_verdict(member: Integration, survivor: Integration, cluster: Cluster, chosen: str, runs: bool,
                    others_planned: list[str], horizon: int) -> MemberVerdict:
    keeper = survivor.id
    if member.status is Status.RETIRED:
        return MemberVerdict(member.id, Verdict.RETIRE, "Retire", "already retired: make sure it is switched off",
                             "retired")
    if not runs:  # proposals only: nothing runs that could be extended or kept
        others = [i for i in others_planned if i != member.id]
        verb = "plans" if len(others) == 1 else "plan"
        return MemberVerdict(member.id, Verdict.HOLD, "Agree one build",
                             f"{_ids(others)} {verb} the same job and nothing runs yet: "
                             "agree which one to build first", "agree")
    if member.id == keeper:
        return MemberVerdict(member.id, Verdict.PROCEED, "Keep", f"the cluster keeps it ({cluster.survivor_reason})",
                             "keep")
    if member.status is Status.DEPRECATED:
        return MemberVerdict(member.id, Verdict.RETIRE, "Retire",
                             f"already deprecated: finish retiring it, {keeper} does this job", "retire")
    if member.status in NOT_YET_BUILT:
        reason = (f"stop building it and extend {keeper} instead" if member.status is Status.BUILDING
                  else f"extend {keeper} instead of building another")
        return MemberVerdict(member.id, Verdict.MERGE, f"Extend {keeper} instead", reason, "extend")
    if chosen == "keep_all":
        if not member.is_owned:
            return MemberVerdict(member.id, Verdict.HOLD, "Keep for now, name an owner",
                                 f"keep it for now and name an owner: merging it into {keeper} costs more than "
                                 f"it saves within {horizon} months", "wait")
        return MemberVerdict(member.id, Verdict.HOLD, "Keep for now",
                             f"keep it as it is for now: merging it into {keeper} costs more than it saves "
                             f"within {horizon} months", "wait")
    if not member.is_owned:
        return MemberVerdict(member.id, Verdict.RETIRE, "Retire",
                             f"{keeper} already does this job and this copy has no named owner", "retire")
    if member.tier is Tier.INFORMATIONAL:
        return MemberVerdict(member.id, Verdict.RETIRE, "Retire",
                             f"{keeper} already does this job and this copy is informational only", "retire")
    if chosen == "centralise":
        return MemberVerdict(member.id, Verdict.CENTRALIZE, f"Move onto {keeper}",
                             f"move it onto {keeper}, which one owner runs for all {len(cluster.teams)} teams", "move")
    return MemberVerdict(member.id, Verdict.MERGE, f"Merge into {keeper}", f"merge it into {keeper}", "merge")


def _plan(verdict: Verdict, members: tuple[MemberVerdict, ...], keeper: str, chosen: str, teams: int) -> str:
    """The first reason: the verdict, then what happens to whom."""
    def having(role: str) -> list[str]:
        return [m.integration_id for m in members if m.role == role]

    if planned := having("agree"):  # proposals only
        either = "either" if len(planned) == 2 else "any"
        parts = [f"agree which of {_ids(planned)} to build before {either} is built"]
    elif not having("keep"):
        parts = []
    elif chosen == "keep_all":
        parts = [f"keep {_ids([keeper, *having('wait')])} as they are for now"]
    elif chosen == "centralise":
        parts = [f"keep {keeper} under one owner for all {teams} teams"]
        if moved := having("move"):
            parts.append(f"move {_ids(moved)} onto it")
    else:
        parts = [f"keep {keeper}"]
        if merged := having("merge"):
            parts.append(f"merge {_ids(merged)} into it")
    if retired := having("retire"):
        parts.append(f"retire {_ids(retired)}")
    if extended := having("extend"):
        # "keep INT-1 and extend it instead of building INT-9": "it" only right after "keep INT-1".
        parts.append(f"extend {'it' if len(parts) == 1 else keeper} instead of building {_ids(extended)}")
    if not parts:
        parts = ["every member is retired already: make sure each is switched off"]
    return f"{verdict_name(verdict)}: {natural_list(parts)}."


def _payback(month: int | None, horizon: int) -> str:
    if month is None:
        return f"does not pay back within {horizon} months"
    return "costs no more than keeping all from the start" if month == 0 else f"pays back in month {month}"


def _money(costs: Mapping[str, ScenarioCost], chosen: str, runs: bool, members: int, horizon: int,
           currency: str) -> str:
    """The second reason: what the chosen scenario saves and costs against keeping all."""
    keep, pick = costs["keep_all"], costs[chosen]

    def money(value: Range) -> str:
        return format_money(value.likely, currency)

    if not runs:
        saved = keep.horizon_cost - costs["merge"].horizon_cost
        return f"Building one instead of {members} saves {money(saved)} over {horizon} months (likely)."
    if chosen == "keep_all":
        return (f"Keeping all costs {money(keep.horizon_cost)} over {horizon} months (likely); merging would cost "
                f"{money(costs['merge'].horizon_cost)} and centralizing {money(costs['centralise'].horizon_cost)}.")
    gerund = _GERUND[chosen].capitalize()
    saves = (f"{gerund} saves {format_money_range(pick.monthly_saving, currency, '/ month')}"
             if pick.monthly_saving.likely > 0 else f"{gerund} does not lower the monthly run-rate")
    return (f"{saves} and {_payback(pick.break_even_month, horizon)}: {money(pick.horizon_cost)} over {horizon} "
            f"months against {money(keep.horizon_cost)} to keep all (likely).")


def _conditions(survivor: Integration, chosen: str, runs: bool) -> list[str]:
    """What the one kept needs before the others move onto it; unknown facts are called unknown."""
    if not runs:
        return []
    keeper, lines = survivor.id, []
    if not survivor.is_owned:
        lines.append(f"Name an owner for {keeper}: the cluster keeps it, but nobody is accountable for it.")
    if survivor.status is Status.DEPRECATED:
        lines.append(f"{keeper} is deprecated, yet the best of what runs: agree what replaces it before the others "
                     "move onto it.")
    if chosen != "keep_all":
        if survivor.has_monitoring is False:
            lines.append(f"Add monitoring to {keeper} before it takes on the others' work.")
        elif survivor.has_monitoring is None:
            lines.append(f"Find out whether {keeper} is monitored (the registry does not say) before it takes on "
                         "the others' work.")
    return lines


def recommend_cluster(
    cluster: Cluster,
    integrations_by_id: Mapping[str, Integration],
    settings: Settings,
    rules: ComplexityRules,
    *,
    centralize_min_teams: int = CENTRALIZE_MIN_TEAMS,
    horizon_months: int | None = None,
) -> ClusterRecommendation:
    """The one recommendation for a cluster: each member's verdict, the scenario, and the reasons.

    The scenario is the cheapest of keep all, merge and centralise over the horizon (likely cost; a tie
    goes to the smaller change), unless a stated rule overrides it; the reasons then say which rule, and
    the difference in money. The rules: a copy that is not built yet, or that nobody owns and nobody is
    known to monitor, is consolidated even when keeping all is cheaper; a flow that
    ``centralize_min_teams`` or more teams depend on is centralised when centralizing still costs less
    than keeping all. The one the cluster keeps is kept (proceed); each copy is merged into it (or moved
    onto it when centralised), retired when nobody owns it, it is informational only or it is deprecated,
    and a proposal is told to extend it. A cluster of proposals only is held: nothing runs to extend.

    >>> recommendation = sample_analysis.recommendation("CL-INT-004")
    >>> recommendation.verdict.value, recommendation.scenario, recommendation.summary
    ('merge', 'merge', 'Merge: keep INT-004 and merge INT-031 into it.')

    Args:
        cluster: the overlap cluster.
        integrations_by_id: the registry rows by id; must hold every member.
        settings: portfolio assumptions (rate, horizon, currency).
        rules: complexity rules (effort defaults, scenario factors).
        centralize_min_teams: from this many teams on, one owner runs the flow (the rubric's setting).
        horizon_months: months ahead; ``None`` uses ``settings.horizon_months``.

    Returns:
        The recommendation.

    Raises:
        IntegrationNotFound: when the cluster names an id the registry does not hold.
    """
    comparison = compare_scenarios(cluster, integrations_by_id, settings, rules, horizon_months)
    horizon, currency = comparison.horizon_months, settings.currency
    scenarios = _scenario_costs(comparison)
    costs = {s.name: s for s in scenarios}
    # Cents decide a tie, not the last bits of a float sum.
    cheapest = min(scenarios, key=lambda s: (round(s.horizon_cost.likely, 2), SCENARIOS.index(s.name))).name
    members = [integrations_by_id[m] for m in cluster.members]
    survivor = integrations_by_id[cluster.survivor]
    runs = survivor.status in RUNNING  # the survivor is drawn from what runs first
    copies = [m for m in members if m.id != survivor.id and m.status not in (Status.RETIRED, Status.DEPRECATED)]

    def costs_more(than: str) -> str:
        extra = costs[chosen].horizon_cost.likely - costs[than].horizon_cost.likely
        return f"costs {format_money(extra, currency)} more than {_GERUND[than]} over {horizon} months (likely)"

    chosen, rule = cheapest, ""
    must_go = [m for m in copies if m.status in NOT_YET_BUILT or _unwatched(m)] if runs else []
    if cheapest == "keep_all" and must_go:
        chosen = "merge"
        why = [f"{m.id} would copy {survivor.id}, which runs" if m.status in NOT_YET_BUILT
               else f"{m.id} has no owner and {_monitoring_words(m)}" for m in must_go]
        rule = (f"{verdict_name(Verdict.MERGE)}: {natural_list(why, limit=_LISTED, noun='more')}; "
                f"{costs_more('keep_all')}.")
    teams = len(cluster.teams)
    if (runs and chosen == "merge" and teams >= centralize_min_teams
            and costs["centralise"].horizon_cost.likely < costs["keep_all"].horizon_cost.likely):
        chosen = "centralise"
        rule = (f"{verdict_name(Verdict.CENTRALIZE)}: {teams} teams depend on it; {costs_more(cheapest)}. "
                f"The rule: from {centralize_min_teams} teams on, one owner runs the flow (set in Settings).")

    if runs:
        verdict = _CLUSTER_VERDICT[chosen]
    else:
        verdict = Verdict.RETIRE if all(m.status is Status.RETIRED for m in members) else Verdict.HOLD
    planned = [m.id for m in members if m.status is not Status.RETIRED]
    member_verdicts = tuple(_member_verdict(m, survivor, cluster, chosen, runs, planned, horizon) for m in members)
    if rule:
        why_this = rule
    elif runs:
        why_this = (f"{_GERUND[chosen].capitalize()} is the cheapest of keeping all, merging and centralizing over "
                    f"{horizon} months.")
    else:
        why_this = ("Nothing in this cluster runs yet, so there is nothing to extend: choose one proposal and build "
                    "only that.")
    reasons = (
        _plan(verdict, member_verdicts, survivor.id, chosen, teams),
        _money(costs, chosen, runs, len(planned), horizon, currency),
        why_this,
        *_conditions(survivor, chosen, runs),
    )
    return ClusterRecommendation(
        cluster_id=cluster.id, verdict=verdict, scenario=chosen, survivor=survivor.id, members=member_verdicts,
        reasons=reasons, scenarios=scenarios, cheapest=cheapest, rule=rule, horizon_months=horizon,
        comparison=comparison,
    )
