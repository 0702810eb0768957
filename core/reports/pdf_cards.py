"""Snapshot-style PDF blocks any one-page report reuses: figure cards, a band of assumptions, a share bar."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.reports.pdf_layout import ACCENT, ACCENT_SOFT, BODY, INK, MUTED, RULE, Document

CARD_TOP = 18.4  # mm from a card's top to the rule under its big number
CARD_LINE = 3.5  # mm per line under the rule


@dataclass(frozen=True, slots=True)
class CardLine:
    """One line under a card's big number: a short label on the left, its value on the right."""

    label: str
    value: str
    bold: bool = False


def card_height(lines: int) -> float:
    """The height of a figure card with ``lines`` lines under its number.

    >>> card_height(3)
    31.1
    """
    return round(CARD_TOP + 1.2 + CARD_LINE * lines + 1.0, 2)


def figure_card(doc: Document, x: float, y: float, width: float, height: float, label: str, big: str, unit: str,
                lines: Sequence[CardLine], colour: str = INK) -> None:
    """A bordered card: a coloured top edge, the label, one big number with its unit, then labelled lines."""
    doc.set_draw_color(RULE)
    doc.set_line_width(0.25)
    doc.rect(x, y, width, height, style="D")
    doc.set_fill_color(colour if colour != INK else ACCENT)
    doc.rect(x, y, width, 0.9, style="F")
    pad = 3.0
    inner = width - 2 * pad
    doc.style(6.5, "B", MUTED)
    doc.put(x + pad, y + 2.6, inner, 3.5, doc.fit(label.upper(), inner))
    size = doc.fitted_size(big, inner, 17, 10, "B")
    doc.style(size, "B", colour)
    doc.put(x + pad, y + 6.6, inner, 7.5, big)
    doc.style(6.5, "", MUTED)
    doc.put(x + pad, y + 14.2, inner, 3.2, doc.fit(unit, inner))
    rule_y = y + CARD_TOP
    doc.set_draw_color(RULE)
    doc.line(x + pad, rule_y, x + width - pad, rule_y)
    row_y = rule_y + 1.2
    for line in lines:
        doc.style(6.8, "", MUTED)
        label_width = doc.measure(line.label) + 1.5 if line.label else 0.0
        if line.label:
            doc.put(x + pad, row_y, label_width, 3.3, line.label)
        doc.style(6.8, "B" if line.bold else "", INK)
        doc.put(x + pad + label_width, row_y, inner - label_width, 3.3,
                doc.fit(line.value, inner - label_width), align="R")
        row_y += CARD_LINE


def assumptions_band(doc: Document, items: Sequence[tuple[str, str]], shares: Sequence[float]) -> None:
    """A tinted band of labelled assumptions across the page (``shares`` of the width, summing to 1)."""
    y, height = doc.get_y(), 9.5
    doc.set_fill_color(ACCENT_SOFT)
    doc.rect(doc.l_margin, y, doc.content_width, height, style="F")
    x = doc.l_margin + 3
    inner = doc.content_width - 6
    for (label, value), share in zip(items, shares):
        width = inner * share - 2
        doc.style(6.5, "B", MUTED)
        doc.put(x, y + 1.3, width, 3.2, doc.fit(label.upper(), width))
        doc.style(8, "", INK)
        doc.put(x, y + 4.6, width, 3.8, doc.fit(value, width))
        x += inner * share
    doc.set_y(y + height + 3)


SHARE_BAR_HEIGHT = 17.0


def share_bar(doc: Document, *, title: str, sentence: str, low: float, likely: float, high: float,
              guideline: float, guideline_label: str, colour: str) -> None:
    """A bar of a share (0 to 1 of the width's scale) with its low – high band and a dashed guideline marker."""
    x, y, width = doc.l_margin, doc.get_y(), doc.content_width
    doc.style(7.5, "B", INK)
    doc.put(x, y, width, 3.6, title)
    doc.style(7, "", BODY)
    doc.put(x, y + 3.8, width, 3.4, doc.fit(sentence, width))
    scale = max(high * 1.25, guideline * 2.0)  # the bar's right end, as a share: the guideline stays readable
    bar_y, bar_h = y + 8.2, 3.6
    doc.set_fill_color(ACCENT_SOFT)
    doc.rect(x, bar_y, width, bar_h, style="F")
    doc.set_fill_color(colour)
    doc.rect(x, bar_y, width * min(likely / scale, 1.0), bar_h, style="F")
    doc.set_draw_color(INK)
    doc.set_line_width(0.35)
    band_y = bar_y + bar_h / 2
    doc.line(x + width * min(low / scale, 1.0), band_y, x + width * min(high / scale, 1.0), band_y)
    marker = x + width * guideline / scale
    doc.set_draw_color(INK)
    doc.set_line_width(0.4)
    doc.set_dash_pattern(dash=0.8, gap=0.6)
    doc.line(marker, bar_y - 1.0, marker, bar_y + bar_h + 1.0)
    doc.set_dash_pattern()
    doc.style(6.3, "", MUTED)
    doc.put(x, bar_y + bar_h + 1.2, 8, 3.0, "0%")
    end = f"{scale * 100:.0f}%"
    doc.put(x + width - doc.measure(end) - 0.5, bar_y + bar_h + 1.2, doc.measure(end) + 0.5, 3.0, end)
    label_width = doc.measure(guideline_label) + 1
    label_x = min(max(marker - label_width / 2, x + 8), x + width - label_width - 10)
    doc.put(label_x, bar_y + bar_h + 1.2, label_width, 3.0, guideline_label)
    doc.set_y(y + SHARE_BAR_HEIGHT)
