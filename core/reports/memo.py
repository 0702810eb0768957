"""The decision memo: one value with everything a session (or one integration or cluster) decided, as PDF or Markdown."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from core.domain.analysis import RegistryAnalysis, score_registry_integration
from core.domain.diagnostic import RESPONSIBILITIES, DiagnosticSession, Role
from core.domain.overlap import Cluster
from core.domain.ranges import Range
from core.domain.rubric import CRITERIA, RubricConfig, RubricResult, Verdict
from core.domain.tco import ScenarioComparison, compare_scenarios
from core.domain.tco_simulation import ScenarioSimulation, simulate_scenarios
from core.errors import ClusterNotFound
from core.reports.figures import duplicated_by_cluster
from core.reports.pdf_layout import (
    ACCENT,
    ACCENT_SOFT,
    BODY,
    INK,
    MUTED,
    RULE,
    SCENARIO_COLOURS,
    Cell,
    Column,
    Document,
    format_date,
    format_timestamp,
    money_axis,
    new_figure,
    utc,
    verdict_cell,
    version_text,
)
from core.reports.score_figures import (
    flip_statements,
    format_score,
    stability_statement,
)
from core.reports.tco_figures import (
    break_even_sentences,
    scenario_series,
    scenario_table_rows,
    tco_assumptions,
)
from core.wording import escape_markdown, format_money, format_money_range, natural_list

# Rubric results printed in full per cluster; further copies get one summary line each.
MAX_DETAILED_SCORES = 3
MAX_EVIDENCE = 6
SCENARIO_DRAWS, SCENARIO_SEED = 10_000, 0  # as on the TCO page: the same figures every time
DEFAULT_SIGNOFF_ROLES = (Role.REVOPS, Role.ENGINEERING, Role.FINANCE, Role.PRODUCT_OWNER)


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
    recommended: bool = False  # True: the rubric's suggestion, nobody has decided yet


@dataclass(frozen=True, slots=True)
class NextStep:
    action: str
    owner: str
    due: date | None


@dataclass(frozen=True)
class Memo:
    """Everything a decision memo says, computed once; :func:`render_memo_pdf` and
    :func:`render_memo_markdown` only lay it out."""

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
    decided: bool  # False: ``decisions`` are the rubric's recommendations
    assumptions: tuple[str, ...]  # recorded in the session
    cost_assumptions: tuple[str, ...]  # how the money was computed
    open_questions: tuple[str, ...]
    next_steps: tuple[NextStep, ...]
    signoff: tuple[tuple[str, str], ...]  # (name, role label); a blank name leaves the line to fill in
    notes: str = ""
    facilitator: str = ""
    session_id: int | None = None
    warnings: tuple[str, ...] = field(default=())  # subjects no longer in the registry


# --- Building it -----------------------------------------------------------------------------------


def _money(value: Range, currency: str, unit: str = "") -> str:
    return format_money_range(value, currency, unit)


def _route(analysis: RegistryAnalysis, cluster: Cluster) -> str:
    return duplicated_by_cluster(analysis, [cluster])[0].route


def _member_lines(analysis: RegistryAnalysis, ids: Iterable[str], survivor: str | None) -> tuple[MemberLine, ...]:
    lines = []
    for member in ids:
        row = analysis.by_id.get(member)
        if row is None:
            continue
        lines.append(MemberLine(
            id=row.id, name=row.name, team=row.owner_team, owner=(row.owner or "").strip(), status=row.status.value,
            monthly_run_rate=analysis.run_rates.get(row.id, Range.zero()), survivor=row.id == survivor,
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
        f"{len(cluster.members)} integrations run by {natural_list(cluster.teams)} move {objects} on the route {route}. "
        f"Together they cost {_money(cluster.total_monthly_run_rate, currency, '/ month')}; "
        f"{_money(cluster.duplicated_monthly_run_rate, currency, '/ month')} of that pays for duplicates. "
        f"The analysis keeps {cluster.survivor}"
        + (f" ({survivor.name})" if survivor else "") + f": {cluster.survivor_reason}."
    )
    return SubjectContext(
        kind="cluster", id=cluster.id, title=f"{cluster.id} · {route}", summary=summary,
        evidence=tuple(cluster.evidence[:MAX_EVIDENCE]),
        members=_member_lines(analysis, cluster.members, cluster.survivor),
    )


def _integration_context(analysis: RegistryAnalysis, integration_id: str) -> SubjectContext:
    currency = analysis.settings.currency
    row = analysis.integration(integration_id)
    arrow = "↔" if row.is_bidirectional else "→"
    owner = f"owned by {row.owner.strip()} ({row.owner_team})" if row.is_owned else f"run by {row.owner_team} with no named owner"
    summary = (f"{row.id} {row.name} moves {natural_list(row.data_objects)} from {row.source_system} {arrow} "
               f"{row.target_system}, {owner}; status {row.status.value}. It costs "
               f"{_money(analysis.run_rates.get(row.id, Range.zero()), currency, '/ month')}.")
    cluster = analysis.cluster_by_member.get(row.id)
    if cluster is not None:
        keeps = "the one the cluster keeps" if cluster.survivor == row.id else f"the cluster keeps {cluster.survivor}"
        summary += (f" It is one of {len(cluster.members)} integrations in cluster {cluster.id} "
                    f"({_route(analysis, cluster)}); {keeps}.")
        members = _member_lines(analysis, cluster.members, cluster.survivor)
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
                          evidence=evidence, members=members)


def _score(analysis: RegistryAnalysis, integration_id: str, rubric: RubricConfig) -> ScoredIntegration:
    result = score_registry_integration(analysis, integration_id, rubric)
    return ScoredIntegration(
        integration_id=integration_id, name=analysis.by_id[integration_id].name, result=result,
        stability=stability_statement(result), flips=flip_statements(result, 3),
    )


def _tco(analysis: RegistryAnalysis, cluster: Cluster) -> TcoComparison:
    comparison = compare_scenarios(cluster, analysis.by_id, analysis.settings, analysis.rules)
    simulation = simulate_scenarios(comparison, draws=SCENARIO_DRAWS, seed=SCENARIO_SEED)
    return TcoComparison(
        cluster_id=cluster.id, title=f"{cluster.id} · {_route(analysis, cluster)}", survivor=cluster.survivor,
        survivor_name=analysis.by_id[cluster.survivor].name if cluster.survivor in analysis.by_id else cluster.survivor,
        comparison=comparison,
        simulation=simulation, rows=tuple(scenario_table_rows(comparison, simulation, analysis.settings.currency)),
        break_even=break_even_sentences(comparison),
    )


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
) -> Memo:
    """Compute every part of a memo once: context, rubric results, TCO comparisons, decisions, RACI.

    Each subject adds its context; integrations are scored, clusters have their copies (members
    other than the survivor) scored; every cluster involved gets a keep all / merge / centralise
    comparison. Without a session the rubric's verdicts stand in as recommendations.

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

    Returns:
        The memo.
    """
    generated_at = utc(generated_at)
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
        for number, item in enumerate(scored.values(), start=1):
            decisions.append(DecisionLine(
                number=number, subject_kind="integration", subject_id=item.integration_id, subject_name=item.name,
                verdict=item.result.verdict, rationale=" ".join(item.result.reasons[:2]), recommended=True,
            ))

    next_steps = tuple(
        NextStep(action=d.next_step or f"Carry out the verdict: {d.verdict.value} {d.subject_id} ({d.subject_name}).",
                 owner=d.accountable or "not assigned", due=d.due_date)
        for d in decisions if not d.recommended
    )
    signoff = participants or tuple(("", role.label) for role in DEFAULT_SIGNOFF_ROLES)
    first = contexts[0] if contexts else None
    if kind is None:
        kind = "session" if session is not None else (first.kind if first else "integration")
    if title is None:
        title = session.title if session is not None else (
            f"Cluster {first.title}" if first and first.kind == "cluster" else (first.title if first else "Decision memo"))
    memo_date = utc(session.started_at or session.created_at).date() if session is not None else generated_at.date()
    if subtitle is None:
        if session is not None:
            subtitle = f"Diagnostic session {session.id} · {format_date(memo_date)} · facilitated by {session.facilitator}"
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
        warnings=tuple(warnings),
    )


def memo_for_session(
    analysis: RegistryAnalysis, session: DiagnosticSession, rubric: RubricConfig, registry_version: int | str | None,
    *, generated_at: datetime | None = None,
) -> Memo:
    """The memo of a diagnostic session: its context is what its decisions are about.

    Args:
        analysis: the registry analysis.
        session: the session as loaded by :func:`core.storage.session_store.load_session`.
        rubric: the weights the scores use.
        registry_version: the version the figures come from.
        generated_at: generation time (default: now, UTC).

    Returns:
        The memo.
    """
    subjects = [(d.subject_kind, d.subject_id) for d in session.decisions]
    return build_memo(analysis, rubric, registry_version, subjects=subjects, session=session, kind="session",
                      generated_at=generated_at)


def memo_for_integration(
    analysis: RegistryAnalysis, integration_id: str, rubric: RubricConfig, registry_version: int | str | None,
    *, generated_at: datetime | None = None,
) -> Memo:
    """A memo about one integration, before any session: the rubric's verdict stands as the recommendation.

    >>> analysis = sample_analysis
    >>> memo = memo_for_integration(analysis, "INT-027", rubric, 3)
    >>> memo.title, memo.decisions[0].verdict.value, memo.decisions[0].recommended
    ('INT-027 · Upsell sync to Stripe (CS)', 'retire', True)

    Args:
        analysis: the registry analysis.
        integration_id: the integration.
        rubric: the weights the score uses.
        registry_version: the version the figures come from.
        generated_at: generation time (default: now, UTC).

    Returns:
        The memo.

    Raises:
        IntegrationNotFound: when the registry has no such integration.
    """
    analysis.integration(integration_id)
    return build_memo(analysis, rubric, registry_version, subjects=[("integration", integration_id)],
                      kind="integration", generated_at=generated_at)


def memo_for_cluster(
    analysis: RegistryAnalysis, cluster_id: str, rubric: RubricConfig, registry_version: int | str | None,
    *, generated_at: datetime | None = None,
) -> Memo:
    """A memo about one overlap cluster: its copies scored, keep all / merge / centralise compared.

    Args:
        analysis: the registry analysis.
        cluster_id: the cluster (``CL-`` + its smallest member id).
        rubric: the weights the scores use.
        registry_version: the version the figures come from.
        generated_at: generation time (default: now, UTC).

    Returns:
        The memo.

    Raises:
        ClusterNotFound: when the analysis has no such cluster.
    """
    cluster = _find_cluster(analysis, cluster_id)
    if cluster is None:
        analysis.cluster(cluster_id)  # raises ClusterNotFound naming the clusters there are
    return build_memo(analysis, rubric, registry_version, subjects=[("cluster", cluster.id)], kind="cluster",
                      generated_at=generated_at)


# --- Shared wording ------------------------------------------------------------------------------------


def _due(value: date | None) -> str:
    return format_date(value) if value else "not set"


def _names(names: Sequence[str]) -> str:
    return ", ".join(names) if names else "—"


def _decision_heading(d: DecisionLine) -> str:
    return f"{d.verdict.value.upper()}: {d.subject_id} · {d.subject_name}"


def _contribution(c) -> str:
    return f"{c.contribution:.2f}"


def _score_heading(item: ScoredIntegration) -> str:
    return f"{item.integration_id} {item.name}: {item.result.verdict.value.upper()} · score {format_score(item.result.score)}"


def _weights_note(memo: Memo) -> str:
    total_weight = sum(w for _, w in memo.weights)
    return (f"Weights used (total {total_weight:g}): " + ", ".join(f"{label} {weight:g}" for label, weight in memo.weights)
            + ". A criterion's contribution is its score × its weight ÷ the total weight; they add up to the score.")


# --- PDF -------------------------------------------------------------------------------------------


def _short_scenario(name: str, survivor: str) -> str:
    return {"keep_all": "Keep all", "merge": f"Merge into {survivor}", "centralise": "Centralise under one owner"}[name]


def _tco_chart(doc: Document, item: TcoComparison, currency: str, width: float, height: float) -> None:
    """Cumulative cost month by month: the TCO page's chart (likely line, low – high band) drawn by matplotlib."""
    figure, ax = new_figure(width, height)
    for series in scenario_series(item.comparison):
        colour = SCENARIO_COLOURS[series.name]
        ax.fill_between(series.months, series.low, series.high, color=colour, alpha=0.12, linewidth=0)
        ax.plot(series.months, series.likely, color=colour, linewidth=1.6,
                linestyle=(0, (1.5, 1.5)) if series.name == "keep_all" else "-",
                label=_short_scenario(series.name, item.survivor))
    month = item.comparison.break_even_month_merge
    if month is not None and month > 0:
        ax.axvline(month, color=SCENARIO_COLOURS["merge"], linewidth=0.8, linestyle=(0, (4, 2)))
        ax.annotate(f"merge pays back: month {month}", xy=(month, 0), xycoords=("data", "axes fraction"),
                    xytext=(3, 3), textcoords="offset points", ha="left", va="bottom", fontsize=6.5,
                    color=SCENARIO_COLOURS["merge"],
                    bbox={"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none"})
    horizon = item.comparison.horizon_months
    ax.set_xlim(0, horizon)
    ax.set_xticks(range(0, horizon + 1, max(1, horizon // 12)))
    ax.set_ylim(bottom=0)
    money_axis(ax.yaxis, currency)
    ax.grid(axis="y", color=RULE, linewidth=0.5)
    ax.set_xlabel("Months from today", fontsize=6.8, color=MUTED, labelpad=2)
    ax.set_ylabel(f"Cumulative cost ({currency})", fontsize=6.8, color=MUTED, labelpad=3)
    legend = ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=3, fontsize=6.8, frameon=False,
                       handlelength=2.4, borderaxespad=0.3, columnspacing=2.0)
    for text in legend.get_texts():
        text.set_color(BODY)
    figure.subplots_adjust(left=16 / width, right=0.985, top=1 - 6.5 / height, bottom=10 / height)
    doc.ensure_space(height + 2)
    doc.chart(figure, doc.l_margin, doc.get_y(), width, height)
    doc.set_y(doc.get_y() + height + 1)


def _title_block(doc: Document, memo: Memo) -> None:
    x, width = doc.l_margin, doc.content_width
    y = doc.get_y()
    doc.style(7.5, "B", ACCENT)
    doc.put(x, y, width, 4, "DECISION MEMO")
    doc.style(17, "B", INK)
    title_lines = doc.lines(memo.title, width, 2)
    for number, line in enumerate(title_lines):
        doc.put(x, y + 4.8 + number * 7.4, width, 7.4, line)
    y += 4.8 + 7.4 * len(title_lines) + 0.8
    doc.style(9, "", MUTED)
    doc.put(x, y, width, 4.6, memo.subtitle)
    y += 6.5
    band = [("Computed from", version_text(memo.registry_version)), ("Currency", memo.currency),
            ("Horizon", f"{memo.horizon_months} months"), ("Generated", format_timestamp(memo.generated_at))]
    doc.set_fill_color(ACCENT_SOFT)
    doc.rect(x, y, width, 9.5, style="F")
    shares = (0.34, 0.14, 0.18, 0.34)
    cursor = x + 3
    for (label, value), share in zip(band, shares):
        column = (width - 6) * share
        doc.style(6.3, "B", MUTED)
        doc.put(cursor, y + 1.3, column - 2, 3.2, label.upper())
        doc.style(7.8, "", INK)
        doc.put(cursor, y + 4.6, column - 2, 3.8, value)
        cursor += column
    doc.set_y(y + 9.5 + 2)


def _at_a_glance(doc: Document, memo: Memo) -> None:
    doc.heading("At a glance" if memo.decided else "Recommendation at a glance", before=3)
    if not memo.decisions:
        doc.paragraph("No decisions were recorded in this session.", style="I", colour=MUTED)
        return
    width = doc.content_width
    columns = [Column("Verdict", 24), Column("Subject", width - 24 - 40 - 28), Column("Accountable", 40),
               Column("Due", 28)]
    rows = []
    for d in memo.decisions:
        rows.append([verdict_cell(d.verdict), Cell(f"{d.subject_id} · {d.subject_name}"),
                     d.accountable or ("to be agreed" if d.recommended else "not assigned"),
                     _due(d.due_date) if not d.recommended else "—"])
    doc.table(columns, rows, size=8)
    if not memo.decided:
        doc.set_y(doc.get_y() + 1)
        doc.paragraph("These are the rubric's recommendations: nobody has decided yet. Hold a diagnostic session to "
                      "agree the verdict, one Accountable person and a date.", size=7.5, style="I", colour=MUTED)


def _participants(doc: Document, memo: Memo) -> None:
    doc.heading("Participants and roles")
    if not memo.participants:
        doc.paragraph("No session was held: this memo was prepared from the registry. "
                      "The sign-off lines at the end name the roles that should agree it.", colour=MUTED, style="I")
        return
    rows = [[name, role] for name, role in memo.participants]
    width = doc.content_width
    doc.table([Column("Name", width * 0.5), Column("Role", width * 0.5)], rows)
    if memo.facilitator:
        doc.set_y(doc.get_y() + 1)
        doc.paragraph(f"Facilitated by {memo.facilitator}.", size=7.5, colour=MUTED)


def _context(doc: Document, memo: Memo) -> None:
    doc.heading("Context: what overlaps")
    if not memo.subjects:
        doc.paragraph("The session recorded no decisions, so no integration or cluster is in scope.", style="I",
                      colour=MUTED)
        return
    currency = memo.currency
    width = doc.content_width
    for subject in memo.subjects:
        doc.ensure_space(20)
        doc.paragraph(subject.title, size=9.5, style="B", colour=INK, after=0.8)
        doc.paragraph(subject.summary, size=8.5, after=1.2)
        if subject.evidence:
            doc.style(7.5, "B", MUTED)
            doc.ensure_space(10)  # the label with at least its first line
            doc.put(doc.l_margin, doc.get_y(), width, 4, "EVIDENCE")
            doc.set_y(doc.get_y() + 4.2)
            doc.bullets([e[0].upper() + e[1:] for e in subject.evidence], size=8)
        if subject.members:
            doc.set_y(doc.get_y() + 1)
            columns = [Column("ID", 20), Column("Integration", width - 20 - 32 - 32 - 18 - 26, wrap=True, max_lines=2),
                       Column("Team", 32, wrap=True, max_lines=2), Column("Owner", 32, wrap=True, max_lines=2),
                       Column("Status", 18), Column("Run-rate / month", 26, "R")]
            rows = [[Cell(m.id, bold=m.survivor), Cell(m.name + (" (kept)" if m.survivor else ""), bold=m.survivor),
                     m.team, m.owner or "no owner", m.status, format_money(m.monthly_run_rate.likely, currency)]
                    for m in subject.members]
            doc.table(columns, rows, size=7.5)
            doc.paragraph("Run-rate: likely value. Bold: the integration the cluster keeps.", size=6.8, colour=MUTED)
        doc.set_y(doc.get_y() + 2)


def _rubric(doc: Document, memo: Memo) -> None:
    doc.heading("Rubric result", keep_with=75)  # with the weights note and the first criteria table
    if not memo.scores:
        doc.paragraph("No integration in scope could be scored.", style="I", colour=MUTED)
        return
    doc.paragraph(_weights_note(memo), size=7.5, colour=MUTED)
    width = doc.content_width
    for item in memo.scores:
        doc.set_y(doc.get_y() + 1.5)
        columns = [Column("Criterion", 44, wrap=True, max_lines=2), Column("Score", 13, "R"), Column("Weight", 14, "R"),
                   Column("Contribution", 21, "R"), Column("Why", width - 44 - 13 - 14 - 21, wrap=True, max_lines=3)]
        rows = [[c.label + (" *" if c.overridden else ""), f"{c.score:.1f}", f"{c.weight:g}", _contribution(c),
                 c.explanation] for c in item.result.criteria]
        rows.append(["Weighted score", "", f"{sum(c.weight for c in item.result.criteria):g}",
                     f"{item.result.score:.2f}", verdict_cell(item.result.verdict)])
        doc.keep_together(6 + doc.table_height(columns, rows, 7.5) + 12)  # heading, table, sensitivity
        doc.paragraph(_score_heading(item), size=9.5, style="B", colour=INK, after=1)
        doc.table(columns, rows, size=7.5, total_rows=1)
        doc.set_y(doc.get_y() + 1.5)
        doc.paragraph("Sensitivity. " + item.stability, size=8.5, style="B", colour=INK, after=0.8)
        if item.flips:
            doc.bullets(list(item.flips), size=8)
        guards = item.result.guards
        if guards:
            doc.paragraph("Rules that apply whatever the weights: " + " ".join(guards), size=8, colour=BODY)
    if memo.brief_scores:
        doc.set_y(doc.get_y() + 1)
        doc.paragraph("Other copies in these clusters, scored the same way:", size=8, style="B", colour=INK, after=0.8)
        rows = [[b.integration_id, b.name, verdict_cell(b.verdict), format_score(b.score)] for b in memo.brief_scores]
        doc.table([Column("ID", 22), Column("Integration", width - 22 - 28 - 24), Column("Verdict", 28),
                   Column("Score", 24, "R")], rows, size=7.5)


def _tco_section(doc: Document, memo: Memo) -> None:
    width = doc.content_width
    blocks = []
    for item in memo.tco:
        columns, rows = _scenario_table(item, width)
        # Title, chart, table and break-even sentences: kept on one page, a comparison split in two is hard to read.
        blocks.append((item, columns, rows, 10 + 59 + doc.table_height(columns, rows, 7) + 16))
    doc.heading("Cost: keep all, merge or centralise", keep_with=blocks[0][3] if blocks else 20)
    if not blocks:
        doc.paragraph("No subject belongs to an overlap cluster, so there is nothing to consolidate and compare.",
                      style="I", colour=MUTED)
        return
    for item, columns, rows, height in blocks:
        doc.keep_together(height)
        doc.paragraph(f"{item.title}: cumulative cost over {item.comparison.horizon_months} months", size=9.5,
                      style="B", colour=INK, after=0.3)
        doc.paragraph("Lines: likely cost. Bands: low – high.", size=7, colour=MUTED, after=0.8)
        _tco_chart(doc, item, memo.currency, width, 58)
        doc.table(columns, rows, size=7)
        doc.set_y(doc.get_y() + 1.5)
        merge_text, central_text = item.break_even
        doc.paragraph(f"Break-even. {merge_text} {central_text}", size=8.5, style="B", colour=INK, after=0.8)
        doc.paragraph(f"Simulated total: P10 · P50 · P90 of {SCENARIO_DRAWS:,} simulated outcomes over "
                      f"{item.comparison.horizon_months} months. {item.survivor} ({item.survivor_name}) is the "
                      "integration the cluster keeps.", size=7, colour=MUTED)
        doc.set_y(doc.get_y() + 2)


def _scenario_table(item: TcoComparison, width: float) -> tuple[list[Column], list[list]]:
    """Columns and rows of one cluster's keep all / merge / centralise table (money ranges on two lines)."""
    keys = list(item.rows[0].keys())
    total_key = next(k for k in keys if k.startswith("Total over"))
    sim_key = next((k for k in keys if k.startswith("Simulated")), None)
    money = width - 30 - 23  # four range columns share what the name and the simulation leave
    columns = [Column("Scenario", 30, wrap=True, max_lines=2),
               Column("One-time cost", money * 0.24, "R", wrap=True),
               Column("Run-rate / month", money * 0.24, "R", wrap=True),
               Column("Saving / month", money * 0.24, "R", wrap=True),
               Column(total_key, money * 0.28, "R", wrap=True),
               Column("Simulated total", 23, "R", wrap=True)]
    scenarios = (item.comparison.keep_all, item.comparison.merge, item.comparison.centralise)
    rows = [[_short_scenario(scenario.name, item.survivor), _range_cell(row["One-time cost"]),
             _range_cell(row["Monthly run-rate"]), _range_cell(row["Saving vs keep all"]),
             _range_cell(row[total_key]), (row[sim_key].replace(" · ", "\n") if sim_key else "—")]
            for scenario, row in zip(scenarios, item.rows)]
    return columns, rows


def _range_cell(text: str) -> str:
    """Money ranges in narrow columns: the range on one line, the likely value on the next."""
    return text.replace(" (likely", "\n(likely").replace(" / month", "")


def _decisions(doc: Document, memo: Memo) -> None:
    doc.heading("Decisions and rationale" if memo.decided else "Recommended decisions")
    if not memo.decisions:
        doc.paragraph("No decisions were recorded.", style="I", colour=MUTED)
        return
    for d in memo.decisions:
        doc.ensure_space(16)
        y = doc.get_y()
        cell = verdict_cell(d.verdict)
        doc.style(8.5, "B", cell.colour)
        label = f"{d.number}. {cell.text}"
        label_width = doc.measure(label) + 2.5
        doc.put(doc.l_margin, y, label_width, 4.6, label)
        doc.style(8.5, "B", INK)
        doc.put(doc.l_margin + label_width, y, doc.content_width - label_width, 4.6, f"{d.subject_id} · {d.subject_name}")
        doc.set_y(y + 5.2)
        doc.paragraph(d.rationale, size=8.5, after=0.8)
        if not d.recommended:
            facts = [f"Accountable: {d.accountable or 'not assigned'}", f"Due: {_due(d.due_date)}"]
            if d.next_step:
                facts.append(f"Next step: {d.next_step}")
            doc.paragraph(" · ".join(facts), size=7.5, colour=MUTED, after=2.5)


def _raci(doc: Document, memo: Memo) -> None:
    doc.heading("RACI")
    decided = [d for d in memo.decisions if not d.recommended]
    if not decided:
        doc.paragraph("Not assigned yet: each decision needs exactly one Accountable person, agreed in a session.",
                      style="I", colour=MUTED)
        return
    width = doc.content_width
    rest = (width - 44) / 4
    columns = [Column("Decision", 44, wrap=True, max_lines=2), Column("Responsible", rest, wrap=True),
               Column("Accountable", rest, wrap=True), Column("Consulted", rest, wrap=True),
               Column("Informed", rest, wrap=True)]
    rows = [[f"{d.number}. {d.verdict.value.upper()} {d.subject_id}", _names(d.responsible),
             Cell(d.accountable or "not assigned", bold=True), _names(d.consulted), _names(d.informed)]
            for d in decided]
    doc.table(columns, rows, size=7.8)
    doc.paragraph("One Accountable person per decision: the one who answers for it being done.", size=6.8,
                  colour=MUTED)


def _lists(doc: Document, memo: Memo) -> None:
    doc.heading("Assumptions")
    if memo.decided:
        doc.bullets(list(memo.assumptions), size=8.5, empty="No assumptions were recorded in the session.")
        doc.set_y(doc.get_y() + 1)
    doc.paragraph("How the money was computed", size=8, style="B", colour=INK, after=0.8)
    doc.bullets(list(memo.cost_assumptions), size=7.8, colour=BODY)
    doc.heading("Open questions")
    doc.bullets(list(memo.open_questions), size=8.5,
                empty="None recorded." if memo.decided else "None yet: no session has been held.")


def _next_steps(doc: Document, memo: Memo) -> None:
    doc.heading("Next steps")
    if not memo.next_steps:
        doc.paragraph("Hold a diagnostic session on this subject to agree the verdict, the owner and the date "
                      "(igov memo --session ID then prints its memo)." if not memo.decided
                      else "No next steps were recorded.", style="I", colour=MUTED)
        return
    width = doc.content_width
    columns = [Column("#", 8), Column("Next step", width - 8 - 44 - 30, wrap=True, max_lines=4),
               Column("Owner (Accountable)", 44, wrap=True, max_lines=2), Column("Due", 30)]
    rows = [[str(n), s.action, s.owner, _due(s.due)] for n, s in enumerate(memo.next_steps, start=1)]
    doc.table(columns, rows, size=8)


def _signoff(doc: Document, memo: Memo) -> None:
    gap, block = 10.0, 25.0
    rows = (len(memo.signoff) + 1) // 2
    doc.heading("Sign-off", keep_with=min(7 + rows * block - 5, 150))  # the lines stay together with their heading
    doc.paragraph("Signing confirms the decisions above and the owners and dates against them.", size=8,
                  colour=MUTED, after=3)
    width = (doc.content_width - gap) / 2
    for index in range(0, len(memo.signoff), 2):
        doc.ensure_space(block)
        y = doc.get_y()
        for column, (name, role) in enumerate(memo.signoff[index:index + 2]):
            x = doc.l_margin + column * (width + gap)
            doc.style(8.5, "B", INK)
            doc.put(x, y, width, 4.4, name or "Name: ")
            doc.style(7.5, "", MUTED)
            doc.put(x, y + 4.4, width, 3.8, role)
            doc.set_draw_color(INK)
            doc.set_line_width(0.25)
            line_y = y + 15
            doc.line(x, line_y, x + width * 0.62, line_y)
            doc.line(x + width * 0.68, line_y, x + width, line_y)
            doc.style(6.5, "", MUTED)
            doc.put(x, line_y + 0.8, width * 0.6, 3, "Signature")
            doc.put(x + width * 0.68, line_y + 0.8, width * 0.32, 3, "Date")
        doc.set_y(y + block)


def render_memo_pdf(memo: Memo, *, page_size: str = "A4") -> bytes:
    """The memo as a PDF: numbered pages ("Page 2 of 5"), footer with generation time and registry version.

    >>> analysis = sample_analysis
    >>> render_memo_pdf(memo_for_cluster(analysis, "CL-INT-004", rubric, 3))[:5]
    b'%PDF-'

    Args:
        memo: the memo from :func:`build_memo` or one of its constructors.
        page_size: "A4" or "Letter".

    Returns:
        The PDF file.
    """
    doc = Document(page_size=page_size, title=f"Decision memo — {memo.title}", registry_version=memo.registry_version,
                   generated_at=memo.generated_at)
    doc.set_subject("Decision memo")
    doc.add_page()
    _title_block(doc, memo)
    for warning in memo.warnings:
        doc.paragraph(warning, size=8, style="B", colour="#a8323e")
    _at_a_glance(doc, memo)
    _participants(doc, memo)
    _context(doc, memo)
    _rubric(doc, memo)
    _tco_section(doc, memo)
    _decisions(doc, memo)
    _raci(doc, memo)
    _lists(doc, memo)
    _next_steps(doc, memo)
    _signoff(doc, memo)
    return doc.to_bytes()


# --- Markdown --------------------------------------------------------------------------------------

def _md_table(headers: Sequence[str], rows: Iterable[Sequence[str]], align: Sequence[str] | None = None) -> list[str]:
    align = align or ["L"] * len(headers)
    rule = ["---:" if a == "R" else "---" for a in align]
    lines = ["| " + " | ".join(escape_markdown(h) for h in headers) + " |", "| " + " | ".join(rule) + " |"]
    for row in rows:
        lines.append("| " + " | ".join(escape_markdown(c.text if isinstance(c, Cell) else c) for c in row) + " |")
    return lines


def _md_list(items: Sequence[str], empty: str) -> list[str]:
    return [f"- {escape_markdown(item)}" for item in items] if items else [f"_{escape_markdown(empty)}_"]


def render_memo_markdown(memo: Memo) -> str:
    """The memo as Markdown to paste into a wiki: the same sections as the PDF, user text escaped.

    >>> analysis = sample_analysis
    >>> render_memo_markdown(memo_for_cluster(analysis, "CL-INT-004", rubric, 3)).splitlines()[0]
    '# Decision memo: Cluster CL-INT-004 · Stripe → NetSuite'

    Args:
        memo: the memo.

    Returns:
        Markdown text ending with a newline.
    """
    e = escape_markdown
    currency = memo.currency
    facts = (f"Computed from {e(version_text(memo.registry_version))} · currency {e(currency)} · "
             f"horizon {memo.horizon_months} months · generated {e(format_timestamp(memo.generated_at))}")
    out: list[str] = [f"# Decision memo: {e(memo.title)}", "", e(memo.subtitle), "", facts, ""]
    for warning in memo.warnings:
        out += [f"> **{e(warning)}**", ""]

    out += ["## At a glance" if memo.decided else "## Recommendation at a glance", ""]
    if memo.decisions:
        out += _md_table(["Verdict", "Subject", "Accountable", "Due"], [
            [d.verdict.value.upper(), f"{d.subject_id} · {d.subject_name}",
             d.accountable or ("to be agreed" if d.recommended else "not assigned"),
             "—" if d.recommended else _due(d.due_date)] for d in memo.decisions])
        if not memo.decided:
            out += ["", "_These are the rubric's recommendations: nobody has decided yet._"]
    else:
        out.append("_No decisions were recorded in this session._")

    out += ["", "## Participants and roles", ""]
    if memo.participants:
        out += _md_table(["Name", "Role"], memo.participants)
        if memo.facilitator:
            out += ["", f"Facilitated by {e(memo.facilitator)}."]
    else:
        out.append("_No session was held: this memo was prepared from the registry._")

    out += ["", "## Context: what overlaps", ""]
    if not memo.subjects:
        out.append("_The session recorded no decisions, so no integration or cluster is in scope._")
    for subject in memo.subjects:
        out += [f"### {e(subject.title)}", "", e(subject.summary), ""]
        if subject.evidence:
            out += ["Evidence:", ""] + [f"- {e(item)}" for item in subject.evidence] + [""]
        if subject.members:
            out += _md_table(["ID", "Integration", "Team", "Owner", "Status", "Run-rate / month (likely)"], [
                [m.id + (" (kept)" if m.survivor else ""), m.name, m.team, m.owner or "no owner", m.status,
                 format_money(m.monthly_run_rate.likely, currency)] for m in subject.members],
                ["L", "L", "L", "L", "L", "R"]) + [""]

    out += ["## Rubric result", ""]
    if memo.scores:
        out += [e(_weights_note(memo)), ""]
    for item in memo.scores:
        out += [f"### {e(_score_heading(item))}", ""]
        rows = [[c.label + (" *" if c.overridden else ""), f"{c.score:.1f}", f"{c.weight:g}", _contribution(c),
                 c.explanation] for c in item.result.criteria]
        rows.append(["Weighted score", "", f"{sum(c.weight for c in item.result.criteria):g}",
                     f"{item.result.score:.2f}", item.result.verdict.value.upper()])
        out += _md_table(["Criterion", "Score", "Weight", "Contribution", "Why"], rows, ["L", "R", "R", "R", "L"])
        out += ["", f"**Sensitivity.** {e(item.stability)}", ""]
        out += [f"- {e(flip)}" for flip in item.flips]
        if item.result.guards:
            out += ["", "Rules that apply whatever the weights: " + e(" ".join(item.result.guards))]
        out.append("")
    if memo.brief_scores:
        out += ["Other copies in these clusters, scored the same way:", ""]
        out += _md_table(["ID", "Integration", "Verdict", "Score"], [
            [b.integration_id, b.name, b.verdict.value.upper(), format_score(b.score)] for b in memo.brief_scores])
        out.append("")
    if not memo.scores:
        out += ["_No integration in scope could be scored._", ""]

    out += ["## Cost: keep all, merge or centralise", ""]
    if not memo.tco:
        out += ["_No subject belongs to an overlap cluster, so there is nothing to consolidate and compare._", ""]
    for item in memo.tco:
        headers = list(item.rows[0].keys())
        out += [f"### {e(item.title)}", ""]
        out += _md_table(headers, [[row[h] for h in headers] for row in item.rows],
                         ["L"] + ["R"] * (len(headers) - 1))
        out += ["", f"**Break-even.** {e(item.break_even[0])} {e(item.break_even[1])}", ""]

    out += ["## Decisions and rationale" if memo.decided else "## Recommended decisions", ""]
    if not memo.decisions:
        out += ["_No decisions were recorded._", ""]
    for d in memo.decisions:
        out += [f"### {d.number}. {e(_decision_heading(d))}", "", e(d.rationale), ""]
        if not d.recommended:
            facts = [f"**Accountable:** {e(d.accountable or 'not assigned')}", f"**Due:** {e(_due(d.due_date))}"]
            if d.next_step:
                facts.append(f"**Next step:** {e(d.next_step)}")
            out += [" · ".join(facts), ""]

    out += ["## RACI", ""]
    decided = [d for d in memo.decisions if not d.recommended]
    if decided:
        out += _md_table(["Decision", "Responsible", "Accountable", "Consulted", "Informed"], [
            [f"{d.number}. {d.verdict.value.upper()} {d.subject_id}", _names(d.responsible),
             d.accountable or "not assigned", _names(d.consulted), _names(d.informed)] for d in decided])
    else:
        out.append("_Not assigned yet: each decision needs exactly one Accountable person, agreed in a session._")

    out += ["", "## Assumptions", ""]
    if memo.decided:
        out += _md_list(memo.assumptions, "No assumptions were recorded in the session.") + [""]
    out += ["How the money was computed:", ""] + _md_list(memo.cost_assumptions, "") + [""]
    out += ["## Open questions", ""] + _md_list(memo.open_questions, "None recorded.") + [""]

    out += ["## Next steps", ""]
    if memo.next_steps:
        out += _md_table(["#", "Next step", "Owner (Accountable)", "Due"], [
            [str(n), s.action, s.owner, _due(s.due)] for n, s in enumerate(memo.next_steps, start=1)])
    else:
        out.append("_No next steps were recorded._" if memo.decided else
                   "_Hold a diagnostic session to agree the verdict, the owner and the date._")

    out += ["", "## Sign-off", ""]
    out += _md_table(["Name", "Role", "Signature", "Date"], [[name or " ", role, " ", " "] for name, role in memo.signoff])
    out += ["", f"_Generated {e(format_timestamp(memo.generated_at))} from {e(version_text(memo.registry_version))}._", ""]
    return "\n".join(out)

