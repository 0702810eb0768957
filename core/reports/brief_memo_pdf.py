"""The brief ownership memo as a PDF of at most two pages: the sections of :mod:`core.reports.brief_memo`."""

from __future__ import annotations

from core.reports.brief_memo import BriefMemo
from core.reports.memo_layout import signature_lines, title_lines
from core.reports.pdf_layout import INK, MUTED, Cell, Column, Document, verdict_cell
from core.wording import format_money, plural, verdict_banner


def _title(doc: Document, memo: BriefMemo) -> None:
    y = title_lines(doc, "OWNERSHIP MEMO", memo.title, memo.subtitle, compact=True)
    doc.set_y(y + 6)


def _what(doc: Document, memo: BriefMemo) -> None:
    doc.heading("What it is and what it overlaps", size=11, before=1, keep_with=14)
    doc.paragraph(memo.what, size=8.5)
    doc.bullets(memo.overlaps, size=8, empty="No overlap evidence: nothing else in the registry does this job.")
    if memo.members:
        width = doc.content_width
        id_width = max(doc.measure(m.id) for m in memo.members) + 4
        columns = [Column("ID", max(id_width, 14)), Column("Integration", width * 0.36, wrap=True, max_lines=2),
                   Column("Team · owner", width * 0.26, wrap=True, max_lines=2),
                   Column("Run-rate", 20, align="R"),
                   Column("Recommended", width - max(id_width, 14) - width * 0.62 - 20, wrap=True, max_lines=2)]
        rows = [[Cell(m.id, bold=m.survivor), m.name, f"{m.team} · {m.owner or 'no owner'}",
                 format_money(m.monthly_run_rate.likely, memo.currency),
                 m.action or "—"] for m in memo.members]
        doc.set_y(doc.get_y() + 1)
        doc.table(columns, rows, size=7.5)
        if memo.more_members:
            doc.paragraph(f"and {plural(memo.more_members, 'more integration')}", size=7.5, colour=MUTED)
    doc.set_y(doc.get_y() + 1)
    doc.paragraph("Complexity, in words", size=8.5, style="B", colour=INK, after=0.5)
    doc.bullets(list(memo.categories), size=7.5)


def _recommendation(doc: Document, memo: BriefMemo) -> None:
    doc.heading("Recommendation", size=11, keep_with=16)
    verdict = verdict_cell(memo.verdict)
    doc.style(10, "B", verdict.colour or INK)
    doc.put(doc.l_margin, doc.get_y(), doc.content_width, 5, verdict_banner(memo.verdict))
    doc.set_y(doc.get_y() + 5.5)
    first, *rest = memo.recommendation
    doc.paragraph(first, size=8.5, style="B", colour=INK, after=0.8)
    doc.bullets(rest, size=8)


def _owner(doc: Document, memo: BriefMemo) -> None:
    doc.heading("Owner and RACI", size=11, keep_with=14)
    width = doc.content_width
    rows = [["Owner", memo.owner], *[[label, names] for label, names in memo.raci]]
    doc.table([Column("Role", 30), Column("Who", width - 30, wrap=True, max_lines=2)], rows, size=8)
    if memo.raci_source:
        doc.set_y(doc.get_y() + 0.8)
        doc.paragraph(memo.raci_source, size=7.5, style="I", colour=MUTED)


def _costs(doc: Document, memo: BriefMemo) -> None:
    doc.heading("Costs in money and hours", size=11, keep_with=18)
    width = doc.content_width
    columns = [Column("Figure", 38), Column("Money", (width - 38) * 0.5, align="R"),
               Column("Hours", (width - 38) * 0.5, align="R")]
    doc.table(columns, [[c.label, c.money, c.hours or "—"] for c in memo.costs], size=8)
    doc.set_y(doc.get_y() + 0.8)
    doc.paragraph("Ranges are low – high from the stated ranges, likely in brackets. Hours are engineering and "
                  "operations time; tool costs have none.", size=7, colour=MUTED)


def _next_steps(doc: Document, memo: BriefMemo) -> None:
    doc.heading("Next steps", size=11, keep_with=12)
    doc.bullets(memo.next_steps, size=8, numbered=True)


def _signoff(doc: Document, memo: BriefMemo) -> None:
    block = 19.0
    rows = (len(memo.signoff) + 1) // 2
    doc.heading("Sign-off", size=11, keep_with=min(6 + rows * block, 120))
    doc.paragraph("Signing confirms the recommendation, the owner and the next steps above.", size=7.5,
                  colour=MUTED, after=2)
    signature_lines(doc, [(person.name, person.role) for person in memo.signoff], block=block, compact=True)


def render_brief_pdf(memo: BriefMemo, *, page_size: str = "A4") -> bytes:
    """The brief ownership memo as a PDF: at most two pages, numbered, with the registry version in the footer.

    >>> from core.reports.brief_memo import brief_memo
    >>> render_brief_pdf(brief_memo(sample_analysis, rubric, cluster_id="CL-INT-004"))[:5]
    b'%PDF-'
    """
    doc = Document(page_size=page_size, title=f"Ownership memo — {memo.title}", registry_version=memo.registry_version,
                   generated_at=memo.generated_at, margin=15)
    doc.set_subject("Ownership memo")
    doc.add_page()
    _title(doc, memo)
    _what(doc, memo)
    _recommendation(doc, memo)
    _owner(doc, memo)
    _costs(doc, memo)
    _next_steps(doc, memo)
    _signoff(doc, memo)
    return doc.to_bytes()
