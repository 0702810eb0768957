"""The decision memo value: everything a session (or one integration or cluster) decided, computed once."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from core.domain.analysis import RegistryAnalysis, score_registry_integration
from core.domain.complexity import category_factors
from core.domain.diagnostic import RESPONSIBILITIES, DiagnosticSession, Role
from core.domain.overlap import Cluster
from core.domain.ranges import Range
from core.domain.recommendation import ClusterRecommendation
from core.domain.rubric import CRITERIA, RubricConfig, RubricResult, Verdict
from core.domain.tco import ScenarioComparison
from core.domain.tco_simulation import ScenarioSimulation, simulate_scenarios
from core.errors import ClusterNotFound
from core.reports.figures import duplicated_by_cluster
from core.reports.pdf_layout import format_date, utc, version_text
from core.reports.room import GroupScoring, Room, SessionNotes, group_scoring_text, session_heading
from core.reports.score_figures import flip_statements, format_score, stability_statement
from core.reports.tco_figures import break_even_sentences, scenario_table_rows, tco_assumptions
from core.wording import format_money_range, natural_list, verdict_banner

# Rubric results printed in full per cluster; further copies get one summary line each.
MAX_DETAILED_SCORES = 3
MAX_EVIDENCE = 6
SCENARIO_DRAWS, SCENARIO_SEED = 10_000, 0  # as on the TCO page: the same figures every time
MAX_SIGNOFF = 8


# --- The memo value --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MemberLine:
    """One integration of a subject's context table."""

    id: str
    name: str
    team: str
    owner: str  # "" when nobody is named
    status: str
    monthly_run_rate: Range
    survivor: bool
    action: str = ""  # what the cluster's recommendation does with it: "Keep", "Merge into INT-004", ...


@dataclass(frozen=True, slots=True)
class SubjectContext:
    """What one decided subject is and what overlaps, in words, with its members."""

    kind: str  # "integration" or "cluster"
    id: str
    title: str  # "CL-INT-015 · Salesforce → Stripe"
    summary: str
    evidence: tuple[str, ...]
    members: tuple[MemberLine, ...]
    found: bool = True  # False: the id is not in the registry version the memo was computed from
    categories: tuple[str, ...] = ()  # each integration's complexity category with its factors, in words


@dataclass(frozen=True, slots=True)
class ScoredIntegration:
    """The rubric's result for one integration, with its sensitivity in sentences."""

    integration_id: str
    name: str
    result: RubricResult
    stability: str
    flips: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BriefScore:
    """A further copy in a big cluster: verdict and score only."""

    integration_id: str
    name: str
    verdict: Verdict
    score: float


@dataclass(frozen=True, slots=True)
class TcoComparison:
    """Keep all / merge / centralise for one cluster, priced as on the TCO page."""

    cluster_id: str
    title: str
    survivor: str
    survivor_name: str
    comparison: ScenarioComparison
    simulation: ScenarioSimulation
    rows: tuple[dict, ...]  # core.reports.tco_figures.scenario_table_rows
    break_even: tuple[str, str]  # merging, centralising
    recommendation: ClusterRecommendation | None = None  # the cluster's one recommendation, over the same horizon


@dataclass(frozen=True, slots=True)
class DecisionLine:
    """One decision (or, without a session, the rubric's recommendation) with its RACI."""

    number: int
    subject_kind: str
    subject_id: str
    subject_name: str
    verdict: Verdict
    rationale: str
    responsible: tuple[str, ...] = ()
    accountable: str | None = None
    consulted: tuple[str, ...] = ()
    informed: tuple[str, ...] = ()
    due_date: date | None = None
    next_step: str = ""
    recommended: bool = False  # True: the recommendation, nobody has decided yet


@dataclass(frozen=True, slots=True)
class NextStep:
    action: str
    owner: str
    due: date | None


@dataclass(frozen=True)
class Memo:
    """Everything a decision memo says, computed once; :func:`core.reports.memo_pdf.render_memo_pdf` and
    :func:`core.reports.memo_markdown.render_memo_markdown` only lay it out."""

    kind: str  # "session", "integration" or "cluster"
    title: str
    subtitle: str
    memo_date: date
    generated_at: datetime
    registry_version: int | str | None
    currency: str
    horizon_months: int
    participants: tuple[tuple[str, str], ...]  # (name, role label)
    subjects: tuple[SubjectContext, ...]
    scores: tuple[ScoredIntegration, ...]
    brief_scores: tuple[BriefScore, ...]
    weights: tuple[tuple[str, float], ...]  # (criterion label, weight) in rubric order
    tco: tuple[TcoComparison, ...]
    decisions: tuple[DecisionLine, ...]
    decided: bool  # False: ``decisions`` are the recommendations
    assumptions: tuple[str, ...]  # recorded in the session
    cost_assumptions: tuple[str, ...]  # how the money was computed
    open_questions: tuple[str, ...]
    next_steps: tuple[NextStep, ...]
    signoff: tuple[tuple[str, str], ...]  # (name, role label); a blank name leaves the line to fill in
    notes: str = ""
    facilitator: str = ""
    session_id: int | None = None
    warnings: tuple[str, ...] = field(default=())  # subjects no longer in the registry
    group_scorings: tuple[GroupScoring, ...] = ()  # what the group saved on the Score page, for integrations in scope
    sessions: tuple[SessionNotes, ...] = ()  # other sessions that decided about the subjects: decisions and notes
    default_weights: Mapping[str, float] = field(default_factory=dict)  # the weights in Settings (criterion name)


# --- Building it -----------------------------------------------------------------------------------


MAX_CATEGORIES = 4  # integrations whose complexity factors a memo lists


def category_sentences(analysis: RegistryAnalysis, ids: Iterable[str]) -> tuple[str, ...]:
    """Why each integration is in its complexity category, and which figures were estimated from it, in words.

    >>> category_sentences(sample_analysis, ["INT-002"])
    ('INT-002 is moderate: writes into a system of record (Salesforce): +2; total 2 points: moderate from 2.',)
    """
    sentences = []
    for integration_id in list(ids)[:MAX_CATEGORIES]:
        row = analysis.by_id.get(integration_id)
        if row is None:
            continue
        reasons = category_factors(row, analysis.rules)
        text = f"{row.id} is {reasons.category.value}: {'; '.join(reasons.factors)}."
        if reasons.estimated:
            text += f" Estimated from the category, not typed: {'; '.join(reasons.estimated)}."
        sentences.append(text)
    return tuple(sentences)


def _route(analysis: RegistryAnalysis, cluster: Cluster) -> str:
    return duplicated_by_cluster(analysis, [cluster])[0].route


def _member_lines(analysis: RegistryAnalysis, ids: Iterable[str], cluster: Cluster | None) -> tuple[MemberLine, ...]:
    recommendation = analysis.recommendation(cluster.id) if cluster is not None else None
    lines = []
    for member in ids:
        row = analysis.by_id.get(member)
        if row is None:
            continue
        verdict = recommendation.member(row.id) if recommendation is not None else None
        lines.append(MemberLine(
            id=row.id, name=row.name, team=row.owner_team, owner=(row.owner or "").strip(), status=row.status.value,
            monthly_run_rate=analysis.run_rates.get(row.id, Range.zero()),
            survivor=cluster is not None and row.id == cluster.survivor, action=verdict.action if verdict else "",
        ))
    return tuple(lines)


def _find_cluster(analysis: RegistryAnalysis, cluster_id: str) -> Cluster | None:
    for candidate in (cluster_id, cluster_id.strip().upper()):
        try:
            return analysis.cluster(candidate)
        except ClusterNotFound:
            continue
    return None


def _cluster_context(analysis: RegistryAnalysis, cluster: Cluster) -> SubjectContext:
    currency = analysis.settings.currency
    survivor = analysis.by_id.get(cluster.survivor)
    route = _route(analysis, cluster)
    objects = natural_list(cluster.shared_objects) or "the same data"
    summary = (
        f"{len(cluster.members)} integrations run by {natural_list(cluster.teams)} move {objects} "
        f"on the route {route}. "
        f"Together they cost {format_money_range(cluster.total_monthly_run_rate, currency, '/ month')}; "
        f"{format_money_range(cluster.duplicated_monthly_run_rate, currency, '/ month')} of that pays for duplicates. "
        f"The analysis keeps {cluster.survivor}"
        + (f" ({survivor.name})" if survivor else "") + f": {cluster.survivor_reason}."
    )
    return SubjectContext(
        kind="cluster", id=cluster.id, title=f"{cluster.id} · {route}", summary=summary,
        evidence=tuple(cluster.evidence[:MAX_EVIDENCE]),
        members=_member_lines(analysis, cluster.members, cluster),
        categories=category_sentences(analysis, cluster.members),
    )


def _integration_context(analysis: RegistryAnalysis, integration_id: str) -> SubjectContext:
    currency = analysis.settings.currency
    row = analysis.integration(integration_id)
    arrow = "↔" if row.is_bidirectional else "→"
    owner = (f"owned by {row.owner.strip()} ({row.owner_team})" if row.is_owned
             else f"run by {row.owner_team} with no named owner")
    summary = (f"{row.id} {row.name} moves {natural_list(row.data_objects)} from {row.source_system} {arrow} "
               f"{row.target_system}, {owner}; status {row.status.value}. It costs "
               f"{format_money_range(analysis.run_rates.get(row.id, Range.zero()), currency, '/ month')}.")
    cluster = analysis.cluster_by_member.get(row.id)
    if cluster is not None:
        keeps = "the one the cluster keeps" if cluster.survivor == row.id else f"the cluster keeps {cluster.survivor}"
        summary += (f" It is one of {len(cluster.members)} integrations in cluster {cluster.id} "
                    f"({_route(analysis, cluster)}); {keeps}.")
        members = _member_lines(analysis, cluster.members, cluster)
        evidence = tuple(cluster.evidence[:MAX_EVIDENCE])
    else:
        pairs = analysis.index.pairs_for(row)
        others = sorted({p.other(row.id) for p in pairs})
        if others:
            summary += (f" It overlaps {natural_list(others[:5])}{' and others' if len(others) > 5 else ''} below the "
                        f"clustering threshold {analysis.settings.overlap_threshold:g}.")
        else:
            summary += " No other integration in the registry does the same job."
        members = _member_lines(analysis, [row.id, *others[:8]], None)
        evidence = tuple(dict.fromkeys(e for p in pairs for e in p.evidence))[:MAX_EVIDENCE]
    return SubjectContext(kind="integration", id=row.id, title=f"{row.id} · {row.name}", summary=summary,
                          evidence=evidence, members=members, categories=category_sentences(analysis, [row.id]))


def _score(analysis: RegistryAnalysis, integration_id: str, rubric: RubricConfig) -> ScoredIntegration:
    result = score_registry_integration(analysis, integration_id, rubric)
    return ScoredIntegration(
        integration_id=integration_id, name=analysis.by_id[integration_id].name, result=result,
        stability=stability_statement(result), flips=flip_statements(result, 3),
    )


def _tco(analysis: RegistryAnalysis, cluster: Cluster) -> TcoComparison:
    recommendation = analysis.recommendation(cluster.id)
    comparison = recommendation.comparison  # the recommendation's own scenarios, so the two always agree
    simulation = simulate_scenarios(comparison, draws=SCENARIO_DRAWS, seed=SCENARIO_SEED)
    return TcoComparison(
        cluster_id=cluster.id, title=f"{cluster.id} · {_route(analysis, cluster)}", survivor=cluster.survivor,
        survivor_name=analysis.by_id[cluster.survivor].name if cluster.survivor in analysis.by_id else cluster.survivor,
        comparison=comparison,
        simulation=simulation, rows=tuple(scenario_table_rows(comparison, simulation, analysis.settings.currency)),
        break_even=break_even_sentences(comparison), recommendation=recommendation,
    )


def _group_scorings(room: Room, scored: Mapping[str, ScoredIntegration],
                    brief: Mapping[str, BriefScore]) -> tuple[GroupScoring, ...]:
    """The group's saved scorings of the integrations in scope, each with today's verdict in the weights in Settings."""
    found = []
    for scoring in room.about([*scored, *brief]):
        item = scored.get(scoring.integration_id)
        verdict, score = ((item.result.verdict, item.result.score) if item is not None
                          else (brief[scoring.integration_id].verdict, brief[scoring.integration_id].score))
        found.append(replace(scoring, default_verdict=verdict, default_score=score))
    return tuple(found)


def _owners_who_sign(analysis: RegistryAnalysis, contexts: Sequence[SubjectContext]) -> tuple[tuple[str, str], ...]:
    """Without a session, the people actually involved sign: the owner of each integration in scope, by name,
    or a line for the owning team's lead where nobody is named."""
    people: dict[str, str] = {}
    for subject in contexts:
        for member in subject.members:
            key = member.owner or f"lead of {member.team}"
            if key in people:
                people[key] += f", {member.id}"
            else:
                people[key] = (f"Owner of {member.id}" if member.owner else f"Team lead, {member.team}: no owner named "
                                                                             f"for {member.id}")
    return tuple(("" if name.startswith("lead of ") else name, role) for name, role in people.items())[:MAX_SIGNOFF]


def _subject_name(analysis: RegistryAnalysis, kind: str, subject_id: str) -> str:
    if kind == "cluster":
        cluster = _find_cluster(analysis, subject_id)
        return _route(analysis, cluster) if cluster else "no longer a cluster"
    row = analysis.by_id.get(subject_id)
    return row.name if row else "no longer in the registry"


def build_memo(
    analysis: RegistryAnalysis,
    rubric: RubricConfig,
    registry_version: int | str | None,
    *,
    subjects: Sequence[tuple[str, str]],
    session: DiagnosticSession | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    kind: str | None = None,
    generated_at: datetime | None = None,
    room: Room | None = None,
) -> Memo:
    """Compute every part of a memo once: context, rubric results, TCO comparisons, decisions, RACI.

    Each subject adds its context; integrations are scored, clusters have their copies (members
    other than the survivor) scored; every cluster involved gets a keep all / merge / centralise
    comparison with its recommendation. Without a session the recommendations stand in for decisions:
    a cluster's recommendation, an integration's verdict (which agrees with its cluster's).

    >>> analysis = sample_analysis
    >>> memo = build_memo(analysis, rubric, 3, subjects=[("cluster", "CL-INT-004")])
    >>> [s.integration_id for s in memo.scores], memo.tco[0].break_even[0]
    (['INT-031'], 'Merging pays back in month 2.')

    Args:
        analysis: the registry analysis.
        rubric: the weights the scores use.
        registry_version: the version the figures come from (printed in the footer).
        subjects: ``(kind, id)`` pairs, kind "integration" or "cluster", in the order to present them.
        session: the diagnostic session, for participants, decisions, assumptions and questions.
        title: the memo's title (default: the session's, else the first subject's).
        subtitle: the line under the title.
        kind: "session", "integration" or "cluster" (default: from ``session`` and the first subject).
        generated_at: generation time for the footer (default: now, UTC).
        room: the group's saved scorings and other sessions' notes, shown as theirs beside the figures.

    Returns:
        The memo.
    """
    generated_at = utc(generated_at)
    room = room or Room()
    currency = analysis.settings.currency
    contexts: list[SubjectContext] = []
    scored: dict[str, ScoredIntegration] = {}
    brief: dict[str, BriefScore] = {}
    clusters: dict[str, Cluster] = {}
    warnings: list[str] = []
    version = version_text(registry_version)

    def score(integration_id: str, detailed: bool = True) -> None:
        if integration_id in scored or integration_id in brief or integration_id not in analysis.by_id:
            return
        if detailed:
            scored[integration_id] = _score(analysis, integration_id, rubric)
        else:
            result = score_registry_integration(analysis, integration_id, rubric)
            brief[integration_id] = BriefScore(integration_id, analysis.by_id[integration_id].name,
                                               result.verdict, result.score)

    for subject_kind, subject_id in dict.fromkeys(subjects):
        if subject_kind == "cluster":
            cluster = _find_cluster(analysis, subject_id)
            if cluster is None:
                message = f"Cluster {subject_id} is not a cluster in {version}: its members or the threshold changed."
                warnings.append(message)
                contexts.append(SubjectContext("cluster", subject_id, subject_id, message, (), (), found=False))
                continue
            contexts.append(_cluster_context(analysis, cluster))
            clusters.setdefault(cluster.id, cluster)
            copies = [m for m in cluster.members if m != cluster.survivor and m in analysis.by_id]
            for index, member in enumerate(copies):
                score(member, detailed=index < MAX_DETAILED_SCORES)
        else:
            if subject_id not in analysis.by_id:
                message = f"Integration {subject_id} is not in {version}: it was removed after the session."
                warnings.append(message)
                contexts.append(SubjectContext("integration", subject_id, subject_id, message, (), (), found=False))
                continue
            contexts.append(_integration_context(analysis, subject_id))
            score(subject_id)
            cluster = analysis.cluster_by_member.get(subject_id)
            if cluster is not None:
                clusters.setdefault(cluster.id, cluster)

    participants = tuple((p.name, p.role.label if isinstance(p.role, Role) else str(p.role))
                         for p in (session.participants if session else ()))
    decisions: list[DecisionLine] = []
    if session is not None:
        for number, decision in enumerate(session.decisions, start=1):
            by_letter = {letter: tuple(e.person for e in decision.raci if e.responsibility == letter)
                         for letter in RESPONSIBILITIES}
            decisions.append(DecisionLine(
                number=number, subject_kind=decision.subject_kind, subject_id=decision.subject_id,
                subject_name=_subject_name(analysis, decision.subject_kind, decision.subject_id),
                verdict=decision.verdict, rationale=decision.rationale, responsible=by_letter["R"],
                accountable=decision.accountable, consulted=by_letter["C"], informed=by_letter["I"],
                due_date=decision.due_date, next_step=decision.next_step,
            ))
    else:
        for subject in contexts:
            if not subject.found:
                continue
            if subject.kind == "cluster":
                recommendation = analysis.recommendation(subject.id)
                decisions.append(DecisionLine(
                    number=len(decisions) + 1, subject_kind="cluster", subject_id=subject.id,
                    subject_name=_subject_name(analysis, "cluster", subject.id), verdict=recommendation.verdict,
                    rationale=" ".join(recommendation.reasons[:3]), recommended=True,
                ))
            elif subject.id in scored:
                item = scored[subject.id]
                decisions.append(DecisionLine(
                    number=len(decisions) + 1, subject_kind="integration", subject_id=item.integration_id,
                    subject_name=item.name, verdict=item.result.verdict,
                    rationale=" ".join(item.result.reasons[:2]), recommended=True,
                ))

    next_steps = tuple(
        NextStep(action=d.next_step or f"Carry out the verdict: {d.verdict.value} {d.subject_id} ({d.subject_name}).",
                 owner=d.accountable or "not assigned", due=d.due_date)
        for d in decisions if not d.recommended
    )
    signoff = participants or _owners_who_sign(analysis, contexts)
    first = contexts[0] if contexts else None
    if kind is None:
        kind = "session" if session is not None else (first.kind if first else "integration")
    if title is None:
        title = session.title if session is not None else (
            f"Cluster {first.title}" if first and first.kind == "cluster"
            else (first.title if first else "Decision memo"))
    memo_date = utc(session.started_at or session.created_at).date() if session is not None else generated_at.date()
    if subtitle is None:
        if session is not None:
            subtitle = (f"Diagnostic session {session.id} · {format_date(memo_date)} · "
                        f"facilitated by {session.facilitator}")
        else:
            subtitle = f"Prepared from the registry · {format_date(memo_date)} · no session held yet"
    return Memo(
        kind=kind, title=title, subtitle=subtitle, memo_date=memo_date, generated_at=generated_at,
        registry_version=registry_version, currency=currency, horizon_months=analysis.settings.horizon_months,
        participants=participants, subjects=tuple(contexts), scores=tuple(scored.values()),
        brief_scores=tuple(brief.values()),
        weights=tuple((c.label, c.weight) for c in next(iter(scored.values())).result.criteria) if scored
        else tuple((c.label, rubric.weights[c.name]) for c in CRITERIA),
        tco=tuple(_tco(analysis, c) for c in clusters.values()),
        decisions=tuple(decisions), decided=session is not None,
        assumptions=tuple(session.assumptions) if session else (),
        cost_assumptions=tco_assumptions(analysis, analysis.settings.horizon_months, draws=SCENARIO_DRAWS,
                                         seed=SCENARIO_SEED),
        open_questions=tuple(session.open_questions) if session else (),
        next_steps=next_steps, signoff=signoff, notes=session.notes if session else "",
        facilitator=session.facilitator if session else "", session_id=session.id if session else None,
        warnings=tuple(warnings), group_scorings=_group_scorings(room, scored, brief),
        sessions=tuple(s for s in room.sessions if session is None or s.session_id != session.id),
        default_weights=dict(rubric.weights),
    )


def memo_for_session(
    analysis: RegistryAnalysis, session: DiagnosticSession, rubric: RubricConfig, registry_version: int | str | None,
    *, generated_at: datetime | None = None, room: Room | None = None,
) -> Memo:
    """The memo of a diagnostic session: its context is what its decisions are about.

    Args:
        analysis: the registry analysis.
        session: the session as loaded by :func:`core.storage.session_store.load_session`.
        rubric: the weights the scores use.
        registry_version: the version the figures come from.
        generated_at: generation time (default: now, UTC).
        room: the group's saved scorings (and other sessions' notes) to show beside the figures.

    Returns:
        The memo.
    """
    subjects = [(d.subject_kind, d.subject_id) for d in session.decisions]
    return build_memo(analysis, rubric, registry_version, subjects=subjects, session=session, kind="session",
                      generated_at=generated_at, room=room)


def memo_for_integration(
    analysis: RegistryAnalysis, integration_id: str, rubric: RubricConfig, registry_version: int | str | None,
    *, generated_at: datetime | None = None, room: Room | None = None,
) -> Memo:
    """A memo about one integration, before any session: the rubric's verdict stands as the recommendation.

    >>> analysis = sample_analysis
    >>> memo = memo_for_integration(analysis, "INT-027", rubric, 3)
    >>> memo.title, memo.decisions[0].verdict.value, memo.decisions[0].recommended
    ('INT-027 · Upsell sync to Stripe (CS)', 'retire', True)

    ``rubric`` gives the score's weights, ``registry_version`` the version the figures come from; ``generated_at``
    defaults to now (UTC); ``room`` holds what the group saved and noted. IntegrationNotFound when the registry has
    no such integration.
    """
    analysis.integration(integration_id)
    return build_memo(analysis, rubric, registry_version, subjects=[("integration", integration_id)],
                      kind="integration", generated_at=generated_at, room=room)


def memo_for_cluster(
    analysis: RegistryAnalysis, cluster_id: str, rubric: RubricConfig, registry_version: int | str | None,
    *, generated_at: datetime | None = None, room: Room | None = None,
) -> Memo:
    """A memo about one overlap cluster: its copies scored, keep all / merge / centralise compared.

    The cluster id is ``CL-`` + its smallest member id; ClusterNotFound when the analysis has no such cluster.
    """
    cluster = _find_cluster(analysis, cluster_id)
    if cluster is None:
        analysis.cluster(cluster_id)  # raises ClusterNotFound naming the clusters there are
    return build_memo(analysis, rubric, registry_version, subjects=[("cluster", cluster.id)], kind="cluster",
                      generated_at=generated_at, room=room)


# --- What both renderers print: phrases and table rows ---------------------------------------------
# One place for the words and rows, so the PDF and the Markdown cannot disagree. Rows hold text; ``verdict``
# makes the renderer's cell of a verdict (coloured capitals in the PDF, the capitalised word in Markdown).


def due_text(value: date | None) -> str:
    """A due date as printed, or "not set"."""
    return format_date(value) if value else "not set"


def _names(names: Sequence[str]) -> str:
    return ", ".join(names) if names else "—"


def score_heading(item: ScoredIntegration) -> str:
    """The line above one integration's rubric table: who, verdict and score."""
    return (f"{item.integration_id} {item.name}: {verdict_banner(item.result.verdict)} · "
            f"score {format_score(item.result.score)}")


def weights_note(memo: Memo) -> str:
    """The weights used and how a contribution is computed, one paragraph."""
    total_weight = sum(w for _, w in memo.weights)
    return (f"Weights used (total {total_weight:g}): "
            + ", ".join(f"{label} {weight:g}" for label, weight in memo.weights)
            + ". A criterion's contribution is its score × its weight ÷ the total weight; they add up to the score.")


def glance_rows(memo: Memo, verdict: Callable[[Verdict], object]) -> list[list]:
    """At a glance: verdict, subject, Accountable and due date of each decision (or recommendation)."""
    return [[verdict(d.verdict), f"{d.subject_id} · {d.subject_name}",
             d.accountable or ("to be agreed" if d.recommended else "not assigned"),
             "—" if d.recommended else due_text(d.due_date)] for d in memo.decisions]


def criterion_rows(result: RubricResult, verdict: Callable[[Verdict], object]) -> list[list]:
    """One integration's rubric table: each criterion (* where the group set its score), then the weighted score."""
    rows: list[list] = [[c.label + (" *" if c.overridden else ""), f"{c.score:.1f}", f"{c.weight:g}",
                         f"{c.contribution:.2f}", c.explanation] for c in result.criteria]
    rows.append(["Weighted score", "", f"{sum(c.weight for c in result.criteria):g}", f"{result.score:.2f}",
                 verdict(result.verdict)])
    return rows


def brief_score_rows(memo: Memo, verdict: Callable[[Verdict], object]) -> list[list]:
    """The further copies of a big cluster: id, name, verdict, score."""
    return [[b.integration_id, b.name, verdict(b.verdict), format_score(b.score)] for b in memo.brief_scores]


def raci_rows(memo: Memo) -> list[list[str]]:
    """Decision, Responsible, Accountable, Consulted, Informed of each decision taken (recommendations have none)."""
    return [[f"{d.number}. {verdict_banner(d.verdict)} {d.subject_id}", _names(d.responsible),
             d.accountable or "not assigned", _names(d.consulted), _names(d.informed)]
            for d in memo.decisions if not d.recommended]


def next_step_rows(memo: Memo) -> list[list[str]]:
    """Number, next step, owner (the Accountable person) and due date."""
    return [[str(n), s.action, s.owner, due_text(s.due)] for n, s in enumerate(memo.next_steps, start=1)]


def group_scoring_of(memo: Memo, integration_id: str) -> str:
    """The group's saved scoring of one integration in words, or "" when the group saved none."""
    scoring = next((g for g in memo.group_scorings if g.integration_id == integration_id), None)
    return group_scoring_text(scoring, memo.default_weights) if scoring is not None else ""


def recommendation_text(item: TcoComparison) -> str:
    """A cluster's recommendation under its cost table: what to do, what it costs and saves, and why."""
    return " ".join(item.recommendation.reasons) if item.recommendation is not None else ""


def room_blocks(memo: Memo) -> list[tuple[str, list[str], str]]:
    """What sessions recorded, as (heading, decision lines, notes): this session's notes, then other sessions'."""
    blocks = []
    if memo.decided and memo.notes.strip():
        blocks.append(("Notes taken in this session", [], memo.notes.strip()))
    for session in memo.sessions:
        blocks.append((session_heading(session), list(session.decisions), session.notes.strip()))
    return blocks
