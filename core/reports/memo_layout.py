"""What both memo PDFs draw alike: the opening (kicker, title, subtitle) and the sign-off lines."""

from __future__ import annotations

from collections.abc import Sequence

from core.reports.pdf_layout import ACCENT, INK, MUTED, Document


def title_lines(doc: Document, kicker: str, title: str, subtitle: str, *, compact: bool = False) -> float:
    """A memo's opening: a small coloured kicker ("DECISION MEMO"), the title on at most two lines, a subtitle.

    ``compact``: the brief memo's smaller title. Returns the y under the subtitle.
    """
    x, width = doc.l_margin, doc.content_width
    y = doc.get_y()
    line_height = 7 if compact else 7.4
    doc.style(7.5, "B", ACCENT)
    doc.put(x, y, width, 4, kicker)
    doc.style(16 if compact else 17, "B", INK)
    lines = doc.lines(title, width, 2)
    for number, line in enumerate(lines):
        doc.put(x, y + 4.8 + number * line_height, width, line_height, line)
    y += 4.8 + line_height * len(lines) + (0.6 if compact else 0.8)
    doc.style(9, "", MUTED)
    doc.put(x, y, width, 4.6, doc.fit(subtitle, width))
    return y


def signature_lines(doc: Document, people: Sequence[tuple[str, str]], *, block: float, compact: bool = False) -> None:
    """Two people a row, each with their name, role and lines to sign and date on (memos' sign-off).

    ``compact``: the brief memo's smaller type and tighter rows.
    """
    gap = 10.0
    width = (doc.content_width - gap) / 2
    for index in range(0, len(people), 2):
        doc.ensure_space(block)
        y = doc.get_y()
        for column, (name, role) in enumerate(people[index:index + 2]):
            x = doc.l_margin + column * (width + gap)
            doc.style(8.5, "B", INK)
            doc.put(x, y, width, 4.4, doc.fit(name or "Name:", width))
            doc.style(7 if compact else 7.5, "", MUTED)
            doc.put(x, y + 4.4, width, 3.6 if compact else 3.8, doc.fit(role, width))
            doc.set_draw_color(INK)
            doc.set_line_width(0.25)
            line_y = y + (13 if compact else 15)
            doc.line(x, line_y, x + width * 0.62, line_y)
            doc.line(x + width * 0.68, line_y, x + width, line_y)
            doc.style(6.5, "", MUTED)
            doc.put(x, line_y + 0.8, width * 0.6, 3, "Signature")
            doc.put(x + width * 0.68, line_y + 0.8, width * 0.32, 3, "Date")
        doc.set_y(y + block)
