"""After the meeting: each decision's status and due date, its expected saving, and the registry change it implies."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from core.domain.analysis import RegistryAnalysis
from core.domain.complexity import ComplexityRules
from core.domain.names import Aliases
from core.domain.overlap import build_overlap_index, cluster_overlaps
from core.domain.diagnostic import Decision
from core.domain.ranges import Range, total
from core.domain.registry import Integration, Status
from core.domain.rubric import Verdict
from core.domain.settings import Settings
from core.domain.tco import monthly_run_rate
from core.errors import ClusterNotFound
from core.wording import whole_units


class DecisionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in-progress"
    DONE = "done"
    DROPPED = "dropped"

    @property
    def label(self) -> str:
        """``DecisionStatus.IN_PROGRESS.label == "In progress"``."""
        return STATUS_LABELS[self]


STATUS_LABELS: dict[DecisionStatus, str] = {
    DecisionStatus.OPEN: "Open", DecisionStatus.IN_PROGRESS: "In progress",
    DecisionStatus.DONE: "Done", DecisionStatus.DROPPED: "Dropped",
}
ACTIVE = frozenset({DecisionStatus.OPEN, DecisionStatus.IN_PROGRESS})
# What ``--status`` accepts: the four statuses, and "overdue" (active and past its due date).
STATUS_FILTERS: tuple[str, ...] = (*(s.value for s in DecisionStatus), "overdue")
# Decisions whose "done" changes the registry.
FOLLOWED_INTO_REGISTRY = frozenset({Verdict.RETIRE, Verdict.MERGE})
_SCENARIO_OF = {Verdict.MERGE: "merge", Verdict.CENTRALIZE: "centralise", Verdict.HOLD: "keep_all"}


@dataclass(frozen=True, slots=True)
class TrackedDecision:
    """One decision as the tracker shows it: what was decided, where it stands, and the money it should save."""

    id: int
    session_id: int
    session_title: str
    decision: Decision
    status: DecisionStatus = DecisionStatus.OPEN
    expected_saving: Range | None = None  # monthly; the recommendation's scenario, or the edited number
    saving_edited: bool = False
    done_at: datetime | None = None
    baseline_run_rate: float | None = None  # affected integrations' monthly run-rate when marked done
    affected_ids: tuple[str, ...] = ()
    version: int = 0  # 0: never followed up yet
    updated_at: datetime | None = None
    updated_by: str = ""

    @property
    def accountable(self) -> str:
        return self.decision.accountable or ""

    @property
    def subject(self) -> str:
        return self.decision.subject_id

    def is_overdue(self, today: date) -> bool:
        """Still open or in progress after its due date.

        >>> from core.domain.diagnostic import RaciEntry
        >>> d = Decision("integration", "INT-1", Verdict.RETIRE, "dup", (RaciEntry("Ana", "A"),), date(2026, 3, 1))
        >>> TrackedDecision(1, 1, "S", d).is_overdue(date(2026, 3, 2)), TrackedDecision(1, 1, "S", d).is_overdue(
        ...     date(2026, 3, 1))
        (True, False)
        """
        due = self.decision.due_date
        return self.status in ACTIVE and due is not None and due < today


def filter_decisions(decisions: Iterable[TrackedDecision], today: date, *, status: str | None = None,
                     owner: str | None = None) -> list[TrackedDecision]:
    """The decisions with this status (or ``overdue``) whose Accountable person matches ``owner`` (any case).

    >>> from core.domain.diagnostic import RaciEntry
    >>> d = Decision("integration", "INT-1", Verdict.RETIRE, "dup", (RaciEntry("Ana", "A"),), date(2026, 3, 1))
    >>> rows = [TrackedDecision(1, 1, "S", d), TrackedDecision(2, 1, "S", d, DecisionStatus.DONE)]
    >>> [t.id for t in filter_decisions(rows, date(2026, 4, 1), status="overdue", owner="ana")]
    [1]
    """
    if status is not None and status not in STATUS_FILTERS:
        raise ValueError(f"unknown status {status!r}: use one of {', '.join(STATUS_FILTERS)}")
    wanted = (owner or "").strip().casefold()
    return [t for t in decisions
            if (status is None or (t.is_overdue(today) if status == "overdue" else t.status.value == status))
            and (not wanted or wanted in t.accountable.casefold())]


def _cluster_of(decision: Decision, analysis: RegistryAnalysis):
    if decision.subject_kind == "cluster":
        try:
            return analysis.cluster(decision.subject_id)
        except ClusterNotFound:
            return None
    return analysis.cluster_by_member.get(decision.subject_id)


def projected_saving(decision: Decision, analysis: RegistryAnalysis) -> tuple[Range | None, tuple[str, ...]]:
    """The monthly saving the recommendation's scenario expects from this decision, and the integrations it touches.

    Retiring one integration saves its run-rate; a decision on a cluster (or on one of its members) saves what the
    scenario its verdict names (merge, centralise) saves, else the scenario the recommendation chose. ``None`` when
    nothing in the registry prices it (an integration outside every cluster kept as it is, a cluster that is gone).
    """
    cluster = _cluster_of(decision, analysis)
    subject = decision.subject_id
    if decision.verdict is Verdict.RETIRE and decision.subject_kind == "integration":
        return analysis.run_rates.get(subject), (subject,)
    if cluster is None:
        return None, (() if decision.subject_kind == "cluster" else (subject,))
    recommendation = analysis.recommendation(cluster.id)
    scenario = _SCENARIO_OF.get(decision.verdict, recommendation.scenario)
    return recommendation.scenario_cost(scenario).monthly_saving, tuple(cluster.members)


def affected_run_rate(affected_ids: Iterable[str], run_rates: Mapping[str, Range]) -> float:
    """The likely monthly run-rate of these integrations now (a removed or retired one costs nothing).

    >>> affected_run_rate(["A", "B", "gone"], {"A": Range.exact(100), "B": Range(10, 20, 30)})
    120.0
    """
    return sum(run_rates[i].likely for i in affected_ids if i in run_rates)


@dataclass(frozen=True, slots=True)
class RealisedSaving:
    """What a done decision saved a month so far, against what it was expected to save."""

    decision_id: int
    projected: float | None  # likely monthly saving expected
    realised: float  # the drop in the affected integrations' run-rate since it was done

    @property
    def share(self) -> float | None:
        """Realised as a share of projected (1.0: as expected), ``None`` without a positive projection."""
        return self.realised / self.projected if self.projected and self.projected > 0 else None


def saving_still_to_come(decisions: Iterable[TrackedDecision]) -> int:
    """The likely monthly saving of the open and in-progress decisions, each counted in whole currency units as its
    row shows it: the total is the sum a reader makes of the rows ($13,561 + $3,337 = $16,898, never the $16,897 of
    the unrounded amounts).

    >>> d = Decision("integration", "INT-1", Verdict.RETIRE, "why")
    >>> saving_still_to_come([TrackedDecision(1, 1, "S", d, expected_saving=Range.exact(13_560.5)),
    ...                       TrackedDecision(2, 1, "S", d, expected_saving=Range.exact(3_336.5)),
    ...                       TrackedDecision(3, 1, "S", d, DecisionStatus.DONE, expected_saving=Range.exact(99))])
    16898
    """
    return sum(whole_units(t.expected_saving.likely) for t in decisions if t.status in ACTIVE and t.expected_saving)


def realised_so_far(savings: Iterable[RealisedSaving]) -> int:
    """What the done decisions save a month so far, each counted in whole currency units as its line shows it.

    >>> realised_so_far([RealisedSaving(1, 100.0, 80.4), RealisedSaving(2, None, 19.4)])
    99
    """
    return sum(whole_units(s.realised) for s in savings)


def realised_saving(tracked: TrackedDecision, run_rates: Mapping[str, Range]) -> RealisedSaving | None:
    """The drop in the affected integrations' run-rate since the decision was done; ``None`` before it is done.

    >>> from core.domain.diagnostic import RaciEntry
    >>> d = Decision("integration", "INT-1", Verdict.RETIRE, "dup", (RaciEntry("Ana", "A"),))
    >>> t = TrackedDecision(1, 1, "S", d, DecisionStatus.DONE, Range.exact(500), baseline_run_rate=800,
    ...                     affected_ids=("INT-1",))
    >>> realised_saving(t, {"INT-1": Range.exact(300)})
    RealisedSaving(decision_id=1, projected=500.0, realised=500.0)
    """
    if tracked.status is not DecisionStatus.DONE or tracked.baseline_run_rate is None:
        return None
    now = affected_run_rate(tracked.affected_ids, run_rates)
    projected = tracked.expected_saving.likely if tracked.expected_saving is not None else None
    return RealisedSaving(tracked.id, projected, tracked.baseline_run_rate - now)


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field of one integration as the follow-through would change it."""

    integration_id: str
    field: str  # "status", "consumers" or "owner"
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class RegistryProposal:
    """The registry change a decision implies, shown for confirmation before anything is written."""

    decision_id: int
    changes: tuple[FieldChange, ...]
    updated: tuple[Integration, ...]  # the integrations as they would be stored
    survivor: str | None
    retired: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        return not self.changes


def _merged_consumers(survivor: Integration, copies: Iterable[Integration]) -> tuple[str, ...]:
    names: dict[str, str] = {c.casefold(): c for c in survivor.consumers}
    for copy in copies:
        for consumer in copy.consumers:
            names.setdefault(consumer.casefold(), consumer)
    return tuple(names.values())


def propose_registry_change(tracked: TrackedDecision, analysis: RegistryAnalysis) -> RegistryProposal:
    """What marking a retire or merge decision done does to the registry: copies retired, the survivor's consumers
    widened to theirs. Any other verdict (or a subject no longer in the registry) proposes nothing.

    A retire or merge decision about a cluster retires every member but its survivor; about one integration, it
    retires that one (the survivor of its cluster, if it is the subject of a merge, takes in the others instead).
    """
    decision = tracked.decision
    empty = RegistryProposal(tracked.id, (), (), None, ())
    if decision.verdict not in FOLLOWED_INTO_REGISTRY:
        return empty
    cluster = _cluster_of(decision, analysis)
    subject = decision.subject_id
    survivor_id = cluster.survivor if cluster is not None else None
    if decision.subject_kind == "cluster" or (decision.verdict is Verdict.MERGE and subject == survivor_id):
        if cluster is None:
            return empty
        copy_ids = [m for m in cluster.members if m != survivor_id]
    elif subject in analysis.by_id:
        copy_ids = [subject]
        if subject == survivor_id:
            survivor_id = None  # retiring the survivor itself: nobody takes its consumers
    else:
        return empty
    copies = [analysis.by_id[i] for i in copy_ids if analysis.by_id[i].status is not Status.RETIRED]
    changes: list[FieldChange] = []
    updated: list[Integration] = []
    for copy in copies:
        changes.append(FieldChange(copy.id, "status", copy.status.value, Status.RETIRED.value))
        updated.append(copy.with_changes(status=Status.RETIRED))
    if survivor_id is not None and copies:
        survivor = analysis.by_id[survivor_id]
        consumers = _merged_consumers(survivor, copies)
        if consumers != survivor.consumers:
            changes.append(FieldChange(survivor.id, "consumers", "; ".join(survivor.consumers), "; ".join(consumers)))
            updated.append(survivor.with_changes(consumers=consumers))
    return RegistryProposal(tracked.id, tuple(changes), tuple(updated), survivor_id if copies else None,
                            tuple(c.id for c in copies))


def owner_change(tracked: TrackedDecision, integration: Integration) -> Integration | None:
    """The integration with the decision's Accountable person as its owner; ``None`` when nothing would change."""
    person = tracked.accountable.strip()
    if not person or (integration.owner or "").strip() == person:
        return None
    return integration.with_changes(owner=person)


def integrations_to_hand_over(tracked: TrackedDecision, by_id: Mapping[str, Integration]) -> list[str]:
    """The decision's integrations its Accountable person could be made owner of: still running (a retired copy
    needs no owner) and owned by someone else or nobody; none when the decision has no Accountable person.

    >>> from core.domain.diagnostic import RaciEntry
    >>> a = Integration(id="INT-1", name="A", source_system="X", target_system="Y", data_objects=("Z",),
    ...                 owner_team="Ops", owner="Zoë Müller")
    >>> decision = Decision("cluster", "CL-INT-1", Verdict.MERGE, "why", (RaciEntry("Zoë Müller", "A"),))
    >>> tracked = TrackedDecision(1, 1, "Q4", decision, affected_ids=("INT-1", "INT-2", "INT-3"))
    >>> integrations_to_hand_over(tracked, {"INT-1": a, "INT-2": a.with_changes(id="INT-2", owner=None),
    ...                                     "INT-3": a.with_changes(id="INT-3", owner=None, status=Status.RETIRED)})
    ['INT-2']
    """
    return [i for i in tracked.affected_ids if i in by_id and by_id[i].status is not Status.RETIRED
            and owner_change(tracked, by_id[i]) is not None]


@dataclass(frozen=True, slots=True)
class PortfolioFigures:
    """What a trend point keeps: monthly run-rate and duplicated run-rate (ranges), and three counts."""

    run_rate: Range
    duplicated: Range
    integrations: int  # not retired
    unowned: int  # not retired, no named owner
    clusters: int
    cluster_members: tuple[tuple[str, ...], ...] = ()  # each cluster's member ids, sorted: what a review compares


def portfolio_figures(integrations: Iterable[Integration], settings: Settings, *, aliases: Aliases,
                      rules: ComplexityRules, survivor_choices: Collection[str] = ()) -> PortfolioFigures:
    """The trend's figures, the same as the full analysis gives, without what only the pages need.

    The overlap clusters and each integration's run-rate, as :func:`core.domain.analysis.analyse_registry` computes
    them; none of the name suggestions, TCO over the horizon or team shares (about half of a full analysis), so a
    write can leave its point right after it.

    >>> figures = portfolio_figures(sample, settings, aliases=aliases, rules=rules)
    >>> costs = sample_analysis.costs
    >>> (figures.run_rate, figures.duplicated) == (costs.monthly_run_rate, costs.duplicated_monthly_run_rate)
    True
    >>> figures.unowned == len(sample_analysis.unowned), figures.clusters == len(sample_analysis.clusters)
    (True, True)
    """
    integrations = tuple(integrations)
    index = build_overlap_index(integrations, aliases, include_retired=settings.include_retired)
    pairs = tuple(index.list_pairs(min_score=settings.overlap_threshold))
    run_rates = {i.id: monthly_run_rate(i, settings, rules).total for i in integrations}
    clusters = cluster_overlaps(integrations, pairs, run_rates, threshold=settings.overlap_threshold,
                                survivor_choices=survivor_choices, aliases=aliases)
    present = {i.id for i in integrations if i.status is not Status.RETIRED}
    duplicate_ids = dict.fromkeys(m for c in clusters for m in c.members if m != c.survivor and m in present)
    return PortfolioFigures(
        run_rate=total(run_rates[i] for i in present), duplicated=total(run_rates[i] for i in duplicate_ids),
        integrations=len(present),
        unowned=sum(1 for i in integrations if i.id in present and not i.is_owned), clusters=len(clusters),
        cluster_members=tuple(tuple(sorted(c.members)) for c in clusters))


def is_new_overlap(members: Iterable[str], earlier_clusters: Iterable[Iterable[str]]) -> bool:
    """Whether a cluster is new since an earlier point: no cluster then held two of its members together.

    A cluster that only grew (a third copy joined two known ones) is not new; one revealed by an alias, an edit or
    a new integration is.

    >>> is_new_overlap(["INT-1", "INT-2", "INT-5"], [["INT-1", "INT-2"], ["INT-3", "INT-4"]])
    False
    >>> is_new_overlap(["INT-1", "INT-3"], [["INT-1", "INT-2"], ["INT-3", "INT-4"]])
    True
    """
    members = set(members)
    return not any(len(members.intersection(cluster)) >= 2 for cluster in earlier_clusters)
