"""The decision memo as Markdown for a wiki: the PDF's sections as headings, lists and tables, user text escaped."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from core.reports.memo import (DecisionLine, Memo, brief_score_rows, criterion_rows, due_text, glance_rows,
    group_scoring_of, next_step_rows, raci_rows, recommendation_text, room_blocks, score_heading, weights_note)
from core.reports.pdf_layout import Cell, format_timestamp, version_text
from core.wording import escape_markdown, format_money, verdict_banner


def _md_table(headers: Sequence[str], rows: Iterable[Sequence[str]], align: Sequence[str] | None = None) -> list[str]:
    align = align or ["L"] * len(headers)
    rule = ["---:" if a == "R" else "---" for a in align]
    lines = ["| " + " | ".join(escape_markdown(h) for h in headers) + " |", "| " + " | ".join(rule) + " |"]
    for row in rows:
        lines.append("| " + " | ".join(escape_markdown(c.text if isinstance(c, Cell) else c) for c in row) + " |")
    return lines


def _md_list(items: Sequence[str], empty: str) -> list[str]:
    return [f"- {escape_markdown(item)}" for item in items] if items else [f"_{escape_markdown(empty)}_"]


def _decision_heading(d: DecisionLine) -> str:
    return f"{verdict_banner(d.verdict)}: {d.subject_id} · {d.subject_name}"


def render_memo_markdown(memo: Memo) -> str:
    """The memo as Markdown to paste into a wiki: the same sections as the PDF, user text escaped.

    >>> from core.reports.memo import memo_for_cluster
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
        out += _md_table(["Verdict", "Subject", "Accountable", "Due"], glance_rows(memo, verdict_banner))
        if not memo.decided:
            out += ["", "_These are the recommendations: nobody has decided yet._"]
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
            recommended = any(m.action for m in subject.members)
            out += _md_table(["ID", "Integration", "Team", "Owner", "Status", "Run-rate / month (likely)",
                              *(["Recommended"] if recommended else [])], [
                [m.id + (" (kept)" if m.survivor else ""), m.name, m.team, m.owner or "no owner", m.status,
                 format_money(m.monthly_run_rate.likely, currency), *([m.action] if recommended else [])]
                for m in subject.members],
                ["L", "L", "L", "L", "L", "R", *(["L"] if recommended else [])]) + [""]
        if subject.categories:
            out += ["Complexity, in words:", ""] + [f"- {e(item)}" for item in subject.categories] + [""]

    out += ["## Rubric result", ""]
    if memo.scores:
        out += [e(weights_note(memo)), ""]
    for item in memo.scores:
        out += [f"### {e(score_heading(item))}", ""]
        out += _md_table(["Criterion", "Score", "Weight", "Contribution", "Why"],
                         criterion_rows(item.result, verdict_banner), ["L", "R", "R", "R", "L"])
        out += ["", f"**Sensitivity.** {e(item.stability)}", ""]
        out += [f"- {e(flip)}" for flip in item.flips]
        if item.result.guards:
            out += ["", "Rules that apply whatever the weights: " + e(" ".join(item.result.guards))]
        if group := group_scoring_of(memo, item.integration_id):
            out += ["", f"> **{e(group)}**"]
        out.append("")
    if memo.brief_scores:
        out += ["Other copies in these clusters, scored the same way:", ""]
        out += _md_table(["ID", "Integration", "Verdict", "Score"], brief_score_rows(memo, verdict_banner))
        out.append("")
        out += [f"> **{e(group)}**\n" for b in memo.brief_scores if (group := group_scoring_of(memo, b.integration_id))]
    if not memo.scores:
        out += ["_No integration in scope could be scored._", ""]

    out += ["## Cost: keep all, merge or centralize", ""]
    if not memo.tco:
        out += ["_No subject belongs to an overlap cluster, so there is nothing to consolidate and compare._", ""]
    for item in memo.tco:
        headers = list(item.rows[0].keys())
        out += [f"### {e(item.title)}", ""]
        out += _md_table(headers, [[row[h] for h in headers] for row in item.rows],
                         ["L"] + ["R"] * (len(headers) - 1))
        out += ["", f"**Break-even.** {e(item.break_even[0])} {e(item.break_even[1])}", ""]
        if item.recommendation is not None:
            out += [f"**Recommendation.** {e(recommendation_text(item))}", ""]

    out += ["## Decisions and rationale" if memo.decided else "## Recommended decisions", ""]
    if not memo.decisions:
        out += ["_No decisions were recorded._", ""]
    for d in memo.decisions:
        out += [f"### {d.number}. {e(_decision_heading(d))}", "", e(d.rationale), ""]
        if not d.recommended:
            facts = [f"**Accountable:** {e(d.accountable or 'not assigned')}", f"**Due:** {e(due_text(d.due_date))}"]
            if d.next_step:
                facts.append(f"**Next step:** {e(d.next_step)}")
            out += [" · ".join(facts), ""]

    out += ["## RACI", ""]
    raci = raci_rows(memo)
    if raci:
        out += _md_table(["Decision", "Responsible", "Accountable", "Consulted", "Informed"], raci)
    else:
        out.append("_Not assigned yet: each decision needs exactly one Accountable person, agreed in a session._")

    out += ["", "## Assumptions", ""]
    if memo.decided:
        out += _md_list(memo.assumptions, "No assumptions were recorded in the session.") + [""]
    out += ["How the money was computed:", ""] + _md_list(memo.cost_assumptions, "") + [""]
    out += ["## Open questions", ""] + _md_list(memo.open_questions, "None recorded.") + [""]
    blocks = room_blocks(memo)
    if blocks:
        out += ["## Session notes" if memo.decided else "## What sessions decided and noted", ""]
    for heading, decisions, notes in blocks:
        out += [f"**{e(heading)}**", ""]
        if decisions:
            out += _md_list(decisions, "") + [""]
        if notes:
            out += [e(notes, keep_lines=True).replace("\n", "  \n"), ""]

    out += ["## Next steps", ""]
    if memo.next_steps:
        out += _md_table(["#", "Next step", "Owner (Accountable)", "Due"], next_step_rows(memo))
    else:
        out.append("_No next steps were recorded._" if memo.decided else
                   "_Hold a diagnostic session to agree the verdict, the owner and the date._")

    out += ["", "## Sign-off", ""]
    out += _md_table(["Name", "Role", "Signature", "Date"],
                     [[name or " ", role, " ", " "] for name, role in memo.signoff])
    out += ["", f"_Generated {e(format_timestamp(memo.generated_at))} "
                f"from {e(version_text(memo.registry_version))}._", ""]
    return "\n".join(out)

