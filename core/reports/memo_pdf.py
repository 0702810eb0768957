"""The decision memo as a PDF: fpdf2 pages laid out with core.reports.pdf_layout, the cost chart by matplotlib."""

from __future__ import annotations

from core.reports.memo import (SCENARIO_DRAWS, Memo, TcoComparison, brief_score_rows, criterion_rows, due_text,
    glance_rows, group_scoring_of, next_step_rows, raci_rows, recommendation_text, room_blocks, score_heading,
    weights_note)
from core.reports.memo_layout import signature_lines, title_lines
from core.reports.pdf_layout import (ACCENT, ACCENT_SOFT, BODY, INK, MUTED, RULE, SCENARIO_COLOURS, WASTE, Cell,
    TABLE_PAD, Column, Document, format_timestamp, money_axis, new_figure, verdict_cell, version_text)
from core.reports.tco_figures import scenario_series
from core.wording import format_money


def _short_scenario(name: str, survivor: str) -> str:
    return {"keep_all": "Keep all", "merge": f"Merge into {survivor}", "centralise": "Centralize under one owner"}[name]


def _id_width(doc: Document, ids: list[str], size: float = 7.5) -> float:
    """An ID column wide enough for the longest id in bold, so rows can always be told apart (up to 45 mm)."""
    doc.style(size, "B")
    return min(max([doc.measure(i) for i in ids] + [10.0]) + 2 * TABLE_PAD + 1.0, 45.0)


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
        # The label stands on the side of the line with room for it, so it is never cut at the plot's edge.
        right_side = month <= item.comparison.horizon_months * 0.55
        ax.annotate(f"merge pays back: month {month}", xy=(month, 0), xycoords=("data", "axes fraction"),
                    xytext=(3 if right_side else -3, 3), textcoords="offset points",
                    ha="left" if right_side else "right", va="bottom", fontsize=6.5,
                    color=SCENARIO_COLOURS["merge"], annotation_clip=False,
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
    y = title_lines(doc, "DECISION MEMO", memo.title, memo.subtitle) + 6.5
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
    doc.table(columns, glance_rows(memo, verdict_cell), size=8)
    if not memo.decided:
        doc.set_y(doc.get_y() + 1)
        doc.paragraph("These are the recommendations: nobody has decided yet. Hold a diagnostic session to "
                      "agree the verdict, one Accountable person and a date.", size=7.5, style="I", colour=MUTED)


def _participants(doc: Document, memo: Memo) -> None:
    doc.heading("Participants and roles")
    if not memo.participants:
        doc.paragraph("No session was held: this memo was prepared from the registry. "
                      "The sign-off lines at the end name the people involved: the owners of the integrations in "
                      "scope.", colour=MUTED, style="I")
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
            recommended = any(m.action for m in subject.members)
            last = 32 if recommended else 0
            ids = _id_width(doc, [m.id for m in subject.members])
            columns = [Column("ID", ids), Column("Integration", width - ids - 44 - 17 - 22 - last, wrap=True,
                                                 max_lines=2),
                       Column("Team · owner", 44, wrap=True, max_lines=2), Column("Status", 17),
                       Column("Run-rate", 22, "R")]
            columns += [Column("Recommended", last, wrap=True, max_lines=2)] if recommended else []
            rows = [[Cell(m.id, bold=m.survivor), Cell(m.name + (" (kept)" if m.survivor else ""), bold=m.survivor),
                     f"{m.team} · {m.owner or 'no owner'}", m.status,
                     format_money(m.monthly_run_rate.likely, currency), *([m.action] if recommended else [])]
                    for m in subject.members]
            doc.table(columns, rows, size=7.5)
            kept = any(m.survivor for m in subject.members)
            doc.paragraph("Run-rate: likely value a month."
                          + (" Bold: the integration the cluster keeps." if kept else "")
                          + (" Recommended: what the cluster's recommendation does with each." if recommended else ""),
                          size=6.8, colour=MUTED)
        if subject.categories:
            doc.style(7.5, "B", MUTED)
            doc.ensure_space(10)
            doc.put(doc.l_margin, doc.get_y(), width, 4, "COMPLEXITY, IN WORDS")
            doc.set_y(doc.get_y() + 4.2)
            doc.bullets(list(subject.categories), size=7.5)
        doc.set_y(doc.get_y() + 2)


def _criteria_columns(width: float) -> list[Column]:
    return [Column("Criterion", 44, wrap=True, max_lines=2), Column("Score", 13, "R"), Column("Weight", 14, "R"),
            Column("Contribution", 21, "R"), Column("Why", width - 44 - 13 - 14 - 21, wrap=True, max_lines=3)]


def _rubric(doc: Document, memo: Memo) -> None:
    width = doc.content_width
    first = 0.0
    if memo.scores:
        # The heading stays with the weights note and the whole first criteria table, never alone at a page foot.
        doc.style(7.5)
        note = len(doc.lines(weights_note(memo), width)) * 7.5 * 1.45 * 0.3528 + 1.5
        first = note + 1.5 + 6 + doc.table_height(_criteria_columns(width), criterion_rows(memo.scores[0].result,
                                                                                          verdict_cell), 7.5) + 12
    doc.heading("Rubric result", keep_with=max(first, 20))
    if not memo.scores:
        doc.paragraph("No integration in scope could be scored.", style="I", colour=MUTED)
        return
    doc.paragraph(weights_note(memo), size=7.5, colour=MUTED)
    for item in memo.scores:
        doc.set_y(doc.get_y() + 1.5)
        columns = _criteria_columns(width)
        rows = criterion_rows(item.result, verdict_cell)
        doc.keep_together(6 + doc.table_height(columns, rows, 7.5) + 12)  # heading, table, sensitivity
        doc.paragraph(score_heading(item), size=9.5, style="B", colour=INK, after=1)
        doc.table(columns, rows, size=7.5, total_rows=1)
        doc.set_y(doc.get_y() + 1.5)
        doc.paragraph("Sensitivity. " + item.stability, size=8.5, style="B", colour=INK, after=0.8)
        if item.flips:
            doc.bullets(list(item.flips), size=8)
        guards = item.result.guards
        if guards:
            doc.paragraph("Rules that apply whatever the weights: " + " ".join(guards), size=8, colour=BODY)
        _group_scoring(doc, memo, item.integration_id)
    if memo.brief_scores:
        doc.set_y(doc.get_y() + 1)
        doc.paragraph("Other copies in these clusters, scored the same way:", size=8, style="B", colour=INK, after=0.8)
        ids = _id_width(doc, [b.integration_id for b in memo.brief_scores])
        doc.table([Column("ID", ids), Column("Integration", width - ids - 28 - 24), Column("Verdict", 28),
                   Column("Score", 24, "R")], brief_score_rows(memo, verdict_cell), size=7.5)
        for brief in memo.brief_scores:
            _group_scoring(doc, memo, brief.integration_id)


def _group_scoring(doc: Document, memo: Memo, integration_id: str) -> None:
    """The group's own saved scoring of an integration, in a band of its own so it reads as theirs."""
    text = group_scoring_of(memo, integration_id)
    if not text:
        return
    doc.set_y(doc.get_y() + 1)
    doc.paragraph(text, size=8, style="B", colour=ACCENT, after=1)


def _tco_section(doc: Document, memo: Memo) -> None:
    width = doc.content_width
    blocks = []
    for item in memo.tco:
        columns, rows = _scenario_table(item, width)
        # Title, chart, table and break-even sentences: kept on one page, a comparison split in two is hard to read.
        blocks.append((item, columns, rows, 10 + 59 + doc.table_height(columns, rows, 7) + 30))
    doc.heading("Cost: keep all, merge or centralize", keep_with=blocks[0][3] if blocks else 20)
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
        if item.recommendation is not None:
            doc.paragraph(f"Recommendation. {recommendation_text(item)}", size=8.5, colour=BODY, after=0.8)
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
        doc.put(doc.l_margin + label_width, y, doc.content_width - label_width, 4.6,
                f"{d.subject_id} · {d.subject_name}")
        doc.set_y(y + 5.2)
        doc.paragraph(d.rationale, size=8.5, after=0.8)
        if not d.recommended:
            facts = [f"Accountable: {d.accountable or 'not assigned'}", f"Due: {due_text(d.due_date)}"]
            if d.next_step:
                facts.append(f"Next step: {d.next_step}")
            doc.paragraph(" · ".join(facts), size=7.5, colour=MUTED, after=2.5)


def _raci(doc: Document, memo: Memo) -> None:
    doc.heading("RACI")
    rows = [[*row[:2], Cell(row[2], bold=True), *row[3:]] for row in raci_rows(memo)]  # the Accountable in bold
    if not rows:
        doc.paragraph("Not assigned yet: each decision needs exactly one Accountable person, agreed in a session.",
                      style="I", colour=MUTED)
        return
    width = doc.content_width
    rest = (width - 44) / 4
    columns = [Column("Decision", 44, wrap=True, max_lines=2), Column("Responsible", rest, wrap=True),
               Column("Accountable", rest, wrap=True), Column("Consulted", rest, wrap=True),
               Column("Informed", rest, wrap=True)]
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
    blocks = room_blocks(memo)
    if blocks:
        doc.heading("Session notes" if memo.decided else "What sessions decided and noted")
    for heading, decisions, notes in blocks:
        doc.paragraph(heading, size=8.5, style="B", colour=INK, after=0.8)
        if decisions:
            doc.bullets(decisions, size=8)
        for line in (line for line in notes.splitlines() if line.strip()):
            doc.paragraph(line, size=8.5, after=0.8)
        doc.set_y(doc.get_y() + 1.5)


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
    doc.table(columns, next_step_rows(memo), size=8)


def _signoff(doc: Document, memo: Memo) -> None:
    block = 25.0
    rows = (len(memo.signoff) + 1) // 2
    doc.heading("Sign-off", keep_with=min(7 + rows * block - 5, 150))  # the lines stay together with their heading
    doc.paragraph("Signing confirms the decisions above and the owners and dates against them.", size=8,
                  colour=MUTED, after=3)
    signature_lines(doc, memo.signoff, block=block)


def render_memo_pdf(memo: Memo, *, page_size: str = "A4") -> bytes:
    """The memo as a PDF: numbered pages ("Page 2 of 5"), footer with generation time and registry version.

    >>> from core.reports.memo import memo_for_cluster
    >>> analysis = sample_analysis
    >>> render_memo_pdf(memo_for_cluster(analysis, "CL-INT-004", rubric, 3))[:5]
    b'%PDF-'

    Args:
        memo: the memo from :func:`core.reports.memo.build_memo` or one of its constructors.
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
        doc.paragraph(warning, size=8, style="B", colour=WASTE)  # the palette's red
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
