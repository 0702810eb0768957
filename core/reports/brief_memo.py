"""The brief ownership memo for one integration or one cluster: what it is, what to do, who owns it, what it costs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from core.domain.analysis import RegistryAnalysis, score_registry_integration
from core.domain.diagnostic import Decision
from core.domain.ranges import Range, total
from core.domain.rubric import RubricConfig, Verdict
from core.errors import ClusterNotFound
from core.reports.memo import MemberLine, _cluster_context, _find_cluster, _integration_context
from core.reports.pdf_layout import format_date, utc, version_text
from core.wording import (escape_markdown, format_fte, format_hours_range, format_money_range, natural_list, plural,
    verdict_name)

MAX_MEMBERS = 8  # rows of the members table; the rest are counted
MAX_OVERLAPS = 4
MAX_SIGNOFF = 6
RACI_LABELS = {"R": "Responsible", "A": "Accountable", "C": "Consulted", "I": "Informed"}


@dataclass(frozen=True, slots=True)
class CostLine:
    label: str
    money: str
    hours: str  # "" where the figure has no hours (scenario money)


@dataclass(frozen=True, slots=True)
class SignOff:
    name: str  # "" leaves the line to fill in
    role: str  # what the person does here: "Accountable", "Owner of INT-004 (kept)", ...


@dataclass(frozen=True)
class BriefMemo:
    """Everything the brief ownership memo says, computed once; the PDF and the Markdown only lay it out."""

    kind: str  # "integration" or "cluster"
    subject_id: str
    title: str
    subtitle: str
    generated_at: datetime
    registry_version: int | str | None
    what: str  # what it is and what it overlaps, in words
    overlaps: tuple[str, ...]  # the evidence, a few sentences
    members: tuple[MemberLine, ...]
    more_members: int
    categories: tuple[str, ...]  # each integration's complexity category with its factors, in words
    verdict: Verdict
    recommendation: tuple[str, ...]  # the recommendation's reasons: the same words as every page
    owner: str
    raci: tuple[tuple[str, str], ...]  # (Accountable, "Zoë Müller"), ...
    raci_source: str
    costs: tuple[CostLine, ...]
    next_steps: tuple[str, ...]
    signoff: tuple[SignOff, ...]
    currency: str = "$"


def _money_hours(label: str, money: Range, hours: Range | None, currency: str, unit: str,
                 hours_per_fte: float) -> CostLine:
    hours_text = ""
    if hours is not None:
        hours_text = format_hours_range(hours, unit)
        if unit == "/ month":
            hours_text += f" · {format_fte(hours.likely, hours_per_fte)}"
    return CostLine(label, format_money_range(money, currency, unit), hours_text)


def _costs(analysis: RegistryAnalysis, ids: Sequence[str], duplicate_ids: Sequence[str]) -> list[CostLine]:
    settings = analysis.settings
    currency, per_fte, horizon = settings.currency, settings.hours_per_fte, settings.horizon_months
    rows = {row.id: row for row in analysis.costs.rows}
    mine = [rows[i] for i in ids if i in rows]
    lines = [
        _money_hours("Run-rate", total(r.run_rate.total for r in mine), total(r.monthly_hours for r in mine),
                     currency, "/ month", per_fte),
        _money_hours("Build cost", total(r.build_cost for r in mine), total(r.build_hours for r in mine), currency,
                     "", per_fte),
        _money_hours(f"TCO over {horizon} months", total(r.tco for r in mine),
                     total(r.build_hours + r.monthly_hours * horizon for r in mine), currency, "", per_fte),
    ]
    duplicates = [rows[i] for i in duplicate_ids if i in rows]
    if duplicates:
        lines.append(_money_hours("Spent on duplicates", total(r.run_rate.total for r in duplicates),
                                  total(r.monthly_hours for r in duplicates), currency, "/ month", per_fte))
    return lines


def _raci(decision: Decision | None, owner: str) -> tuple[tuple[tuple[str, str], ...], str]:
    if decision is None or not decision.raci:
        return ((("Accountable", f"to be agreed (proposed: {owner})"),),
                "No session has agreed an owner yet: the registry's owner is proposed.")
    rows = []
    for letter, label in RACI_LABELS.items():
        names = [e.person for e in decision.raci if e.responsibility == letter]
        if names:
            rows.append((label, natural_list(names)))
    return tuple(rows), ""


def _signoff(analysis: RegistryAnalysis, decision: Decision | None, members: Sequence[str],
             keeper: str | None) -> tuple[SignOff, ...]:
    """The people actually involved: the session's RACI when one decided, else each member's owner."""
    people: dict[str, str] = {}
    if decision is not None:
        for letter in ("A", "R", "C"):
            for entry in decision.raci:
                if entry.responsibility == letter:
                    people.setdefault(entry.person, RACI_LABELS[letter])
    if not people:
        for member in members:
            row = analysis.by_id.get(member)
            if row is None:
                continue
            role = f"Owner of {row.id}" + (" (kept)" if row.id == keeper else "") + f", {row.owner_team}"
            name = (row.owner or "").strip()
            key = name or f"{row.owner_team} lead"
            if key in people:
                people[key] = people[key] + f"; {row.id}"
            else:
                people[key] = role if name else f"Team lead, {row.owner_team} (no owner named for {row.id})"
    signoff = [SignOff(name if not name.endswith(" lead") else "", role) for name, role in people.items()]
    return tuple(signoff[:MAX_SIGNOFF])


def _next_steps(decision: Decision | None, actions: Sequence[str], owner: str) -> tuple[str, ...]:
    steps: list[str] = []
    if decision is not None:
        due = f" by {format_date(decision.due_date)}" if decision.due_date else ""
        who = decision.accountable or owner
        if decision.next_step:
            steps.append(f"{decision.next_step} ({who}{due}).")
        steps.extend(f"{action}{due}." for action in actions)
    else:
        steps.append(f"Agree the recommendation and name one Accountable owner (proposed: {owner}) with the people "
                     "below.")
        steps.extend(f"{action}." for action in actions)
        steps.append("Record the decision in a diagnostic session so the owner and the date are on file.")
    return tuple(steps[:8])


def brief_memo(
    analysis: RegistryAnalysis, rubric: RubricConfig, *, integration_id: str | None = None,
    cluster_id: str | None = None, registry_version: int | str | None = None, organisation: str = "",
    decision: Decision | None = None, decided_in: str = "", generated_at: datetime | None = None,
) -> BriefMemo:
    """The brief ownership memo of one integration or one cluster.

    ``decision`` is the newest session decision about the subject (or its cluster): its RACI names the owner and
    the people who sign; without one the registry's owners are proposed and sign.

    >>> memo = brief_memo(sample_analysis, rubric, cluster_id="CL-INT-004", registry_version=3)
    >>> memo.title, memo.verdict.value, [s.role for s in memo.signoff]
    ('Cluster CL-INT-004 · Stripe → NetSuite', 'merge', ['Owner of INT-004 (kept), Finance', 'Owner of INT-031, Data Engineering'])

    Raises:
        IntegrationNotFound, ClusterNotFound: when the subject is not in the registry, in words.
    """  # noqa: E501 (the example prints the roles whole)
    generated_at = utc(generated_at)
    subject_date = format_date(generated_at.date())
    if cluster_id is not None:
        cluster = _find_cluster(analysis, cluster_id.strip())
        if cluster is None:
            analysis.cluster(cluster_id)  # raises ClusterNotFound naming the clusters there are
            raise ClusterNotFound(cluster_id)  # unreachable
        context = _cluster_context(analysis, cluster)
        kind, subject, title = "cluster", cluster.id, f"Cluster {context.title}"
        ids = list(cluster.members)
    else:
        row = analysis.integration((integration_id or "").strip())
        cluster = analysis.cluster_by_member.get(row.id)
        context = _integration_context(analysis, row.id)
        kind, subject, title = "integration", row.id, context.title
        ids = [row.id]
    if cluster is not None:
        recommendation = analysis.recommendation(cluster.id)
        verdict, reasons = recommendation.verdict, recommendation.reasons
        keeper = cluster.survivor
        actions = [f"{m.integration_id}: {m.action[:1].lower()}{m.action[1:]}" for m in recommendation.members
                   if m.role not in ("keep", "wait") and (kind == "cluster" or m.integration_id == subject
                                                          or m.role in ("merge", "retire"))]
        duplicates = [m for m in cluster.members if m != cluster.survivor]
        involved = list(cluster.members)
    else:
        result = score_registry_integration(analysis, subject, rubric)
        verdict, reasons = result.verdict, tuple(result.reasons[:3])
        keeper, actions, duplicates, involved = subject, [], [], [subject]
    keeper_row = analysis.by_id.get(keeper)
    owner = (f"{keeper_row.owner.strip()} ({keeper_row.owner_team})" if keeper_row is not None and keeper_row.is_owned
             else f"a named person in {keeper_row.owner_team}" if keeper_row is not None else "not named")
    raci, raci_source = _raci(decision, owner)
    if decision is not None and decided_in:
        raci_source = f"Agreed in {decided_in}: {verdict_name(decision.verdict)}."
    name = f"{organisation} · " if organisation else ""
    return BriefMemo(
        kind=kind, subject_id=subject, title=title,
        subtitle=f"{name}{subject_date} · computed from {version_text(registry_version)}",
        generated_at=generated_at, registry_version=registry_version,
        what=context.summary, overlaps=tuple(context.evidence[:MAX_OVERLAPS]),
        members=context.members[:MAX_MEMBERS], more_members=max(len(context.members) - MAX_MEMBERS, 0),
        categories=context.categories,
        verdict=verdict, recommendation=tuple(reasons), owner=owner, raci=raci, raci_source=raci_source,
        costs=tuple(_costs(analysis, ids if kind == "integration" else involved, duplicates if kind == "cluster"
                           else [])),
        next_steps=_next_steps(decision, actions, owner),
        signoff=_signoff(analysis, decision, involved, keeper), currency=analysis.settings.currency,
    )


def render_brief_markdown(memo: BriefMemo) -> str:
    """The brief memo as Markdown for a wiki: the PDF's sections, user text escaped.

    >>> text = render_brief_markdown(brief_memo(sample_analysis, rubric, integration_id="INT-027", registry_version=3))
    >>> text.splitlines()[0]
    '# Ownership memo: INT-027 · Upsell sync to Stripe (CS)'
    """
    e = escape_markdown
    out = [f"# Ownership memo: {e(memo.title)}", "", e(memo.subtitle), "", "## What it is and what it overlaps", "",
           e(memo.what), ""]
    out += [f"- {e(item)}" for item in memo.overlaps]
    if memo.members:
        out += ["", "| ID | Integration | Team · owner | Recommended |", "| --- | --- | --- | --- |"]
        out += [f"| {e(m.id)} | {e(m.name)} | {e(m.team)} · {e(m.owner or 'no owner')} | {e(m.action or '—')} |"
                for m in memo.members]
        if memo.more_members:
            out += ["", f"_and {plural(memo.more_members, 'more integration')}_"]
    out += ["", "### Complexity, in words", ""] + [f"- {e(c)}" for c in memo.categories]
    out += ["", f"## Recommendation: {e(verdict_name(memo.verdict))}", ""]
    out += [f"- {e(reason)}" for reason in memo.recommendation]
    out += ["", "## Owner and RACI", "", f"Owner: {e(memo.owner)}", ""]
    out += [f"- **{e(label)}**: {e(names)}" for label, names in memo.raci]
    if memo.raci_source:
        out += ["", f"_{e(memo.raci_source)}_"]
    out += ["", "## Costs", "", "| Figure | Money | Hours |", "| --- | ---: | ---: |"]
    out += [f"| {e(c.label)} | {e(c.money)} | {e(c.hours or '—')} |" for c in memo.costs]
    out += ["", "## Next steps", ""] + [f"{n}. {e(step)}" for n, step in enumerate(memo.next_steps, start=1)]
    out += ["", "## Sign-off", ""]
    out += [f"- {e(s.name or '________________')} ({e(s.role)}): signature ________ date ________"
            for s in memo.signoff]
    out += ["", f"_Generated {e(format_date(memo.generated_at))}, {e(version_text(memo.registry_version))}._", ""]
    return "\n".join(out)

