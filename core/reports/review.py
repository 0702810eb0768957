"""The quarterly review: what changed since the last one, as one value, then as Markdown or a one-page PDF."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from core.reports.pdf_layout import ACCENT, ACCENT_SOFT, FAINT, INK, MUTED, RULE, WASTE, Column, Document, utc
from core.wording import format_date, format_money, plural, verdict_name, whole_units

GOOD = "#2a7f62"  # a figure that moved the right way
_MAX_ROWS = 6  # rows per section on the one page; the rest are counted


@dataclass(frozen=True, slots=True)
class FigureChange:
    """One portfolio figure then and now."""

    label: str
    before: float | None  # None: no snapshot that old (shown as "—")
    now: float
    money: bool
    lower_is_better: bool | None = True  # None: neither way is better (the number of integrations)

    def text(self, value: float | None, currency: str) -> str:
        if value is None:
            return "—"
        return format_money(value, currency) if self.money else f"{whole_units(value):,}"

    def change_text(self, currency: str) -> str:
        """``"-$1,200"``, ``"+3"``, or ``"no earlier figure"``."""
        if self.before is None:
            return "no earlier figure"
        delta = self.now - self.before
        sign = "+" if delta > 0 else ""
        return sign + (format_money(delta, currency) if self.money else f"{whole_units(delta):,}")


@dataclass(frozen=True, slots=True)
class ReviewDecision:
    id: int
    verdict: str
    subject: str
    accountable: str
    day: date | None  # done or due
    projected: float | None = None
    realised: float | None = None


@dataclass(frozen=True, slots=True)
class QuarterlyReview:
    """What changed between the last review (``since``) and ``today``."""

    since: date
    today: date
    currency: str
    figures: tuple[FigureChange, ...]
    new_integrations: tuple[tuple[str, str, str], ...]  # id, name, owner team
    new_overlaps: tuple[tuple[str, str, float], ...]  # cluster id, members, likely duplicated / month
    done: tuple[ReviewDecision, ...]
    overdue: tuple[ReviewDecision, ...]
    registry_version: int | None = None
    trend_start: date | None = None  # when no trend point is as old as ``since``: the day the first one was taken
    trend_start_cause: str = ""  # what left that first point ("replace import of registry.csv")

    @property
    def realised_total(self) -> float:
        return sum(d.realised or 0.0 for d in self.done)

    @property
    def projected_total(self) -> float:
        return sum(d.projected or 0.0 for d in self.done)

    @property
    def baseline_note(self) -> str:
        """One sentence when there is no figure from before ``since`` to compare with, else ``""``.

        >>> QuarterlyReview(date(2026, 9, 9), date(2026, 12, 8), "$", (), (), (), (), (), trend_start=date(2026, 12, 8),
        ...                 trend_start_cause="sample registry loaded").baseline_note[:70]
        'The trend starts on 8 December 2026 (sample registry loaded): no figur'
        """
        if all(f.before is not None for f in self.figures) and self.trend_start is None:
            return ""
        counted = "so every integration added since, and every overlap involving one, counts as new."
        if self.trend_start is None:
            return f"No trend point has been recorded yet: there is no figure to compare with, {counted}"
        cause = f" ({self.trend_start_cause})" if self.trend_start_cause else ""
        return (f"The trend starts on {format_date(self.trend_start)}{cause}: no figure was recorded before "
                f"{format_date(self.since)} to compare with, {counted}")

    @property
    def summary(self) -> str:
        """One sentence of the quarter, and one more when the trend starts after ``since``."""
        quarter = (f"Since {format_date(self.since)}: {plural(len(self.new_integrations), 'new integration')}, "
                   f"{plural(len(self.new_overlaps), 'new overlap')}, {plural(len(self.done), 'decision')} done, "
                   f"{len(self.overdue)} overdue; {format_money(self.realised_total, self.currency)} a month saved "
                   f"against {format_money(self.projected_total, self.currency)} expected.")
        return f"{quarter} {self.baseline_note}" if self.baseline_note else quarter


def _money(value: float | None, currency: str) -> str:
    return "not priced" if value is None else format_money(value, currency)


def _tables(review: QuarterlyReview) -> list[tuple[str, list[str], list[list[str]]]]:
    c = review.currency
    return [
        ("Decisions done", ["#", "Verdict", "Subject", "Accountable", "Done", "Expected / month", "Realised / month"],
         [[str(d.id), verdict_name(d.verdict), d.subject, d.accountable or "nobody", d.day.isoformat() if d.day else "",
           _money(d.projected, c), _money(d.realised, c)] for d in review.done]),
        ("Decisions overdue", ["#", "Verdict", "Subject", "Accountable", "Due"],
         [[str(d.id), verdict_name(d.verdict), d.subject, d.accountable or "nobody",
           d.day.isoformat() if d.day else ""] for d in review.overdue]),
        ("New integrations", ["Id", "Name", "Owner team"], [list(row) for row in review.new_integrations]),
        ("New overlaps", ["Cluster", "Members", "Duplicated / month"],
         [[cluster, members, format_money(amount, c)] for cluster, members, amount in review.new_overlaps]),
    ]


def _escape_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def render_review_markdown(review: QuarterlyReview) -> str:
    """The review as Markdown for a wiki: figures then and now, then one table per section."""
    c = review.currency
    lines = [f"# Quarterly review — {format_date(review.today)}", "", review.summary, "",
             f"| Figure | {review.since.isoformat()} | {review.today.isoformat()} | Change |", "|---|---:|---:|---:|"]
    lines += [f"| {f.label} | {f.text(f.before, c)} | {f.text(f.now, c)} | {f.change_text(c)} |"
              for f in review.figures]
    for title, headings, rows in _tables(review):
        lines += ["", f"## {title}", ""]
        if not rows:
            lines.append("None.")
            continue
        lines += ["| " + " | ".join(headings) + " |", "|" + "---|" * len(headings)]
        lines += ["| " + " | ".join(_escape_cell(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _header(doc: Document, review: QuarterlyReview) -> None:
    x, width, y = doc.l_margin, doc.content_width, doc.t_margin
    doc.style(7.5, "B", ACCENT)
    doc.put(x, y, width, 4, "QUARTERLY REVIEW")
    doc.style(19, "B", INK)
    doc.put(x, y + 4.5, width, 9, f"What changed since {format_date(review.since)}")
    doc.style(9.5, "", MUTED)
    doc.put(x, y + 14, width, 5, f"{format_date(review.today)} · decisions followed to done, savings realised")
    doc.set_y(y + 21)


def _cards(doc: Document, review: QuarterlyReview) -> None:
    gap, height = 3.5, 22.0
    width = (doc.content_width - 3 * gap) / 4
    y = doc.get_y()
    for index, figure in enumerate(review.figures[:4]):
        x = doc.l_margin + index * (width + gap)
        moved = figure.before is not None and figure.now != figure.before
        worse = moved and figure.lower_is_better is not None and (figure.now > figure.before) == figure.lower_is_better
        better = moved and figure.lower_is_better is not None and not worse
        doc.set_draw_color(RULE)
        doc.rect(x, y, width, height, style="D")
        doc.set_fill_color(WASTE if figure.label.startswith("Duplicated") else ACCENT)
        doc.rect(x, y, width, 0.9, style="F")
        doc.style(6.5, "B", MUTED)
        doc.put(x + 3, y + 2.6, width - 6, 3.5, figure.label.upper())
        doc.style(15, "B", INK)
        doc.put(x + 3, y + 6.6, width - 6, 7, figure.text(figure.now, review.currency))
        doc.style(7.5, "B", WASTE if worse else GOOD if better else MUTED)
        doc.put(x + 3, y + 14.2, width - 6, 3.5, figure.change_text(review.currency))
        doc.style(6.5, "", MUTED)
        doc.put(x + 3, y + 17.8, width - 6, 3.2, _was(figure, review))
    doc.set_y(y + height + 3)


def _was(figure: FigureChange, review: QuarterlyReview) -> str:
    """The card's last line: the figure then, or why there is none."""
    if figure.before is not None:
        return f"was {figure.text(figure.before, review.currency)}"
    return f"trend starts {format_date(review.trend_start)}" if review.trend_start else "no point recorded yet"


def _summary_band(doc: Document, review: QuarterlyReview) -> None:
    doc.style(8.5, "", INK)
    lines = doc.lines(review.summary, doc.content_width - 6)
    y, height = doc.get_y(), 3 + 4.2 * len(lines)
    doc.set_fill_color(ACCENT_SOFT)
    doc.rect(doc.l_margin, y, doc.content_width, height, style="F")
    for index, line in enumerate(lines):
        doc.put(doc.l_margin + 3, y + 1.5 + 4.2 * index, doc.content_width - 6, 4.2, line)
    doc.set_y(y + height + 3)


def render_review_pdf(review: QuarterlyReview, *, page_size: str = "A4",
                      generated_at: datetime | None = None) -> bytes:
    """The review on one page in the TCO snapshot's style: cards, a summary band, four short tables."""
    doc = Document(page_size=page_size, title="Quarterly review", generated_at=utc(generated_at), margin=14,
                   styles=("", "B"), registry_version=review.registry_version)
    doc.set_auto_page_break(False, doc.b_margin)
    doc.add_page()
    _header(doc, review)
    _cards(doc, review)
    _summary_band(doc, review)
    share = [0.05, 0.09, 0.12, 0.33, 0.11, 0.15, 0.15]  # subjects are ids: the room goes to names, on two lines
    sections = []
    for title, headings, rows in _tables(review):
        weights = share[:len(headings)] if len(headings) > 3 else [0.2, 0.55, 0.25]
        total = sum(weights)
        columns = [Column(h, doc.content_width * w / total, "R" if "/ month" in h else "L",
                          wrap=h == "Accountable", max_lines=2, keep_end=h == "Accountable")
                   for h, w in zip(headings, weights)]
        sections.append((title, columns, rows))
    # Each section keeps room for the ones after it (title, heading row, one row, "and N more"): none is left off.
    least = [12 if not rows else 13 + doc.table_height(columns, rows[:1], 7.5) for _, columns, rows in sections]
    for index, (title, columns, rows) in enumerate(sections):
        doc.style(10.5, "B", INK)
        doc.put(doc.l_margin, doc.get_y(), doc.content_width, 5, title)
        doc.set_y(doc.get_y() + 6)
        if not rows:
            doc.style(8, "", FAINT)
            doc.put(doc.l_margin, doc.get_y(), doc.content_width, 4, "None.")
            doc.set_y(doc.get_y() + 6)
            continue
        drawn = doc.table(columns, rows[:_MAX_ROWS], size=7.5,
                          max_y=doc.h - doc.b_margin - 12 - sum(least[index + 1:]))
        if drawn < len(rows):
            doc.style(7, "", MUTED)
            doc.put(doc.l_margin, doc.get_y() + 0.5, doc.content_width, 3.5,
                    f"and {len(rows) - drawn} more (the Markdown export lists them all)")
            doc.set_y(doc.get_y() + 4)
        doc.set_y(doc.get_y() + 3)
    return doc.to_bytes()
