"""Shared PDF pieces: the DejaVu font, a restrained palette, page furniture, text fitting, tables and charts."""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import matplotlib
from fpdf import FPDF

# The Agg canvas renders charts to PNG in memory: no display, no browser, no pyplot state.
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from core.wording import INK, MUTED, PRIMARY, SCENARIO_COLOURS, VERDICT_COLOURS, WASTE  # noqa: F401  (the PDF palette)
from core.wording import format_date  # noqa: F401  (dates in PDFs read as in the app)
from core.wording import compact_money

# --- Fonts -----------------------------------------------------------------------------------------
# DejaVu Sans ships inside matplotlib (a dependency already): it covers Latin with accents, Greek,
# Cyrillic, €, £, arrows and typographic dashes, so "Zoë Müller — €1,200" prints as typed. fpdf2
# embeds only the glyphs used (subsetting): the three faces add about 30 KB to a file.
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT_FAMILY = "DejaVu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}

PAGE_SIZES = ("A4", "Letter")

# --- Palette ---------------------------------------------------------------------------------------
# The app's palette (core.wording): one accent (the dashboard's navy), greys for structure, colour only where it
# carries meaning. The print-only shades below sit between those colours and white.
BODY = "#2b3a4e"  # running text
FAINT = "#8a97a6"
RULE = "#d5dbe3"  # hairlines
ACCENT = PRIMARY
ACCENT_SOFT = "#eef3f8"  # bands behind assumptions and summaries
ZEBRA = "#f6f8fa"

ELLIPSIS = "…"
FOOTER_HEIGHT = 10.0  # mm kept free above the bottom margin for the footer


# --- Dates -----------------------------------------------------------------------------------------


def utc(moment: datetime | None = None) -> datetime:
    """``moment`` as an aware UTC datetime (naive values are taken as UTC); now when ``None``.

    >>> utc(datetime(2026, 5, 4, 10, 22)).isoformat()
    '2026-05-04T10:22:00+00:00'
    """
    if moment is None:
        return datetime.now(UTC)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def format_timestamp(moment: datetime) -> str:
    """A generation time with its time zone, to the minute.

    >>> format_timestamp(datetime(2026, 5, 4, 10, 22, 31))
    '2026-05-04 10:22 UTC'
    """
    return f"{utc(moment):%Y-%m-%d %H:%M} UTC"


def version_text(registry_version: int | str | None) -> str:
    """How the footer names what the figures were computed from.

    >>> version_text(7), version_text("sample_registry.csv #1a2b3c4d"), version_text(None)
    ('registry version 7', 'registry sample_registry.csv #1a2b3c4d', 'registry version unknown')
    """
    if registry_version is None:
        return "registry version unknown"
    if isinstance(registry_version, int):
        return f"registry version {registry_version}"
    return f"registry {registry_version}"


# --- Text measuring --------------------------------------------------------------------------------


def _install_fonts(pdf: FPDF, styles: Sequence[str] = tuple(FONT_FILES)) -> None:
    # Parsing a face takes ~0.1 s (fontTools reads every glyph): documents load only the faces they use.
    for style in styles:
        pdf.add_font(FONT_FAMILY, style, str(FONT_DIR / FONT_FILES[style]))


_measurer: FPDF | None = None
_measure_lock = threading.Lock()  # Streamlit serves sessions from threads; the measurer has font state


def text_width(text: str, size: float = 9.0, style: str = "") -> float:
    """The printed width of ``text`` in millimetres in DejaVu Sans at ``size`` points.

    >>> round(text_width("Zoë Müller", 10), 1)
    18.7

    Args:
        text: one line of text.
        size: font size in points.
        style: "" regular, "B" bold, "I" oblique.

    Returns:
        The width in mm, from the font's own glyph widths.
    """
    global _measurer
    with _measure_lock:
        if _measurer is None:
            measurer = FPDF(unit="mm")
            _install_fonts(measurer)
            _measurer = measurer
        _measurer.set_font(FONT_FAMILY, style, size)
        return _measurer.get_string_width(text)


def _shorten_with(measure, text: str, max_width_mm: float) -> str:
    text = " ".join(str(text).split())
    if measure(text) <= max_width_mm:
        return text
    if measure(ELLIPSIS) > max_width_mm:
        return ""
    # Binary search on the number of characters kept, then back off to a word boundary when that
    # keeps most of the text: "Closed-won opportunities…" reads better than "Closed-won opportuni…".
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if measure(text[:middle].rstrip() + ELLIPSIS) <= max_width_mm:
            low = middle
        else:
            high = middle - 1
    cut = text[:low]
    space = cut.rfind(" ")
    if space >= max(1, int(low * 0.7)):
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—·(") + ELLIPSIS


def shorten(text: str, max_width_mm: float, *, size: float = 9.0, style: str = "") -> str:
    """``text`` cut with an ellipsis so it prints no wider than ``max_width_mm``; never overflows.

    Widths come from the font's real glyph widths, so "WWW" is cut sooner than "iii".

    >>> shorten("Closed-won opportunities to Stripe subscriptions", 45)
    'Closed-won opportunities…'
    >>> shorten("Zoë Müller", 40)
    'Zoë Müller'

    Args:
        text: the text (runs of white space become one space).
        max_width_mm: the width available.
        size: font size in points.
        style: "" regular, "B" bold, "I" oblique.

    Returns:
        The text, or its longest prefix (at a word boundary where sensible) plus "…" that fits.
    """
    return _shorten_with(lambda s: text_width(s, size, style), text, max_width_mm)


def _shorten_route_with(measure, route: str, max_width_mm: float) -> str:
    route = " ".join(str(route).split())
    if measure(route) <= max_width_mm:
        return route
    match = re.match(r"^(.*?) ([→↔]) (.*)$", route)
    if not match:
        return _shorten_with(measure, route, max_width_mm)
    source, arrow, target = match.groups()
    room = max_width_mm - measure(f" {arrow} ")
    # Give each end what it needs, up to half the room; a short end leaves the rest to the other.
    half = room / 2
    source_room = min(measure(source), max(half, room - measure(target)))
    source_text = _shorten_with(measure, source, source_room)
    target_text = _shorten_with(measure, target, room - measure(source_text))
    return f"{source_text} {arrow} {target_text}"


def shorten_route(route: str, max_width_mm: float, *, size: float = 9.0, style: str = "") -> str:
    """A "Source → Target" route cut at both ends, so both systems stay visible.

    >>> shorten_route("Extraordinarily Long ERP System → Salesforce", 50)
    'Extraordinarily… → Salesforce'
    >>> shorten_route("Salesforce → Stripe", 50)
    'Salesforce → Stripe'

    Args:
        route: "Source → Target" or "Source ↔ Target" (other text is shortened as a whole).
        max_width_mm: the width available.
        size: font size in points.
        style: "" regular, "B" bold, "I" oblique.

    Returns:
        The route, no wider than ``max_width_mm``.
    """
    return _shorten_route_with(lambda s: text_width(s, size, style), route, max_width_mm)


def _wrap_with(measure, text: str, width: float, max_lines: int | None = None) -> list[str]:
    lines: list[str] = []
    for paragraph in str(text).split("\n"):
        words = paragraph.split()
        if not words:
            lines.append("")
            continue
        line = ""
        for word in words:
            candidate = f"{line} {word}" if line else word
            if measure(candidate) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            # A word wider than the column (a long id or URL) is split by characters.
            while measure(word) > width and len(word) > 1:
                cut = len(word) - 1
                while cut > 1 and measure(word[:cut]) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    if max_lines is not None and len(lines) > max_lines:
        kept = lines[:max_lines]
        kept[-1] = _shorten_with(measure, kept[-1] + " " + lines[max_lines] + ELLIPSIS * 2, width)
        if not kept[-1].endswith(ELLIPSIS):
            kept[-1] = _shorten_with(measure, kept[-1] + ELLIPSIS, width)
        return kept
    return lines


def wrap(text: str, width_mm: float, *, size: float = 9.0, style: str = "", max_lines: int | None = None) -> list[str]:
    """``text`` broken into lines no wider than ``width_mm``; the last kept line ends in "…" when cut.

    >>> wrap("Merge the 4 Salesforce → Stripe integrations into INT-015", 60)
    ['Merge the 4 Salesforce → Stripe', 'integrations into INT-015']
    >>> wrap("one two three four five six seven eight", 20, max_lines=1)
    ['one two…']

    Args:
        text: the text; ``\\n`` starts a new line.
        width_mm: the line width.
        size: font size in points.
        style: "" regular, "B" bold, "I" oblique.
        max_lines: the most lines to keep.

    Returns:
        The lines.
    """
    return _wrap_with(lambda s: text_width(s, size, style), text, width_mm, max_lines)


def _wrap_keeping_end_with(measure, text: str, width: float, max_lines: int) -> list[str]:
    words = str(text).split()

    def fits(candidate: str) -> bool:
        return len(_wrap_with(measure, candidate, width)) <= max_lines

    def cut(kept: int) -> str:  # ``kept`` characters of the text, from both ends
        return f"{text[:kept // 2]}{ELLIPSIS}{text[len(text) - (kept - kept // 2):]}"

    if fits(text):
        return _wrap_with(measure, text, width)
    # Whole words: the most kept, some from each end, split as evenly as fits, the end taking the odd one.
    for kept in range(len(words) - 1, 0, -1):
        for head in sorted(range(1, kept) if kept > 1 else (0,), key=lambda h: (abs(kept - 2 * h), h)):
            candidate = f"{' '.join(words[:head])}{ELLIPSIS} {' '.join(words[len(words) - kept + head:])}".strip()
            if fits(candidate):
                return _wrap_with(measure, candidate, width)
    text = " ".join(words)  # one word too long: characters from both ends
    return _wrap_with(measure, cut(next((k for k in range(len(text) - 1, 0, -1) if fits(cut(k))), 0)), width)


def wrap_keeping_end(text: str, width_mm: float, *, size: float = 9.0, style: str = "",
                     max_lines: int = 2) -> list[str]:
    """:func:`wrap`, but text that needs more than ``max_lines`` loses its middle, not its end: long names that differ
    only at the end (``size`` in points, ``style`` "", "B" or "I") stay told apart.

    >>> wrap_keeping_end("Maximiliana Alexandrovna Worthington-Featherstonehaugh de la Cruz 12", 30, max_lines=1)
    ['Maximiliana… 12']
    >>> wrap_keeping_end("Maximiliana Alexandrovna Worthington-Featherstonehaugh de la Cruz y Villanueva 12", 40)
    ['Maximiliana… de la Cruz', 'y Villanueva 12']
    >>> wrap_keeping_end("Zoë Müller", 30)
    ['Zoë Müller']
    """
    return _wrap_keeping_end_with(lambda s: text_width(s, size, style), text, width_mm, max_lines)


# --- Charts ----------------------------------------------------------------------------------------


def new_figure(width_mm: float, height_mm: float) -> tuple[Figure, object]:
    """A matplotlib figure of the size it will have on the page, with one styled axes.

    Drawn at its printed size, a 7 pt tick label is 7 pt on paper, like the text around it.

    >>> figure, ax = new_figure(120, 60)
    >>> [round(v * 25.4) for v in figure.get_size_inches()]
    [120, 60]

    Args:
        width_mm: printed width.
        height_mm: printed height.

    Returns:
        ``(figure, axes)``; the figure has an Agg canvas, so no pyplot and no display are needed.
    """
    figure = Figure(figsize=(width_mm / 25.4, height_mm / 25.4))
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(RULE)
    ax.tick_params(colors=MUTED, labelsize=7, length=0, pad=3)
    ax.set_axisbelow(True)
    return figure, ax


def money_axis(axis, currency: str) -> None:
    """Label an axis's ticks as compact money: $0, $5k, $1.2M.

    Args:
        axis: ``ax.xaxis`` or ``ax.yaxis``.
        currency: the currency symbol.
    """
    axis.set_major_formatter(FuncFormatter(lambda value, _position: compact_money(value, currency)))


def chart_image(figure: Figure, fmt: str = "png", dpi: int = 200) -> io.BytesIO:
    """A finished chart as an image fpdf2 can place: PNG at ``dpi`` (default) or vector SVG.

    PNG at 200 dpi is sharp in print and renders the same in every viewer; fpdf2's SVG support
    covers matplotlib's output but is slower to embed, so SVG is opt-in.

    >>> figure, ax = new_figure(40, 20)
    >>> _ = ax.plot([0, 1], [0, 1])
    >>> chart_image(figure).getvalue()[:4]
    b'\\x89PNG'

    Args:
        figure: a figure from :func:`new_figure`.
        fmt: "png" or "svg".
        dpi: resolution of a PNG.

    Returns:
        The image bytes, rewound.
    """
    buffer = io.BytesIO()
    if fmt == "svg":
        figure.savefig(buffer, format="svg", metadata={"Date": None})
        text = re.sub(rb"<metadata>.*?</metadata>", b"", buffer.getvalue(), flags=re.DOTALL)
        buffer = io.BytesIO(text)
    elif fmt == "png":
        figure.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    else:
        raise ValueError(f"chart format must be 'png' or 'svg', not {fmt!r}")
    buffer.seek(0)
    return buffer


# --- Tables ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Column:
    """One table column: heading, width in mm, alignment, and whether long text wraps or is shortened."""

    title: str
    width: float
    align: str = "L"  # "L", "R" or "C"
    wrap: bool = False  # False: one line, shortened with "…"; True: wraps up to max_lines
    max_lines: int = 3
    keep_end: bool = False  # True: text too long loses its middle, not its end (names that differ at the end)


@dataclass(frozen=True, slots=True)
class Cell:
    """A table cell with its own weight or colour (a verdict, a total)."""

    text: str
    bold: bool = False
    colour: str | None = None


# --- The document ----------------------------------------------------------------------------------


class Document(FPDF):
    """An fpdf2 document with the product's fonts, palette and footer ("Page 2 of 5", time, version).

    Blocks are placed top to bottom with :meth:`ensure_space` before each one, so a page break never
    falls inside a table row or a line of text.
    """

    def __init__(
        self,
        *,
        page_size: str = "A4",
        title: str = "",
        registry_version: int | str | None = None,
        generated_at: datetime | None = None,
        margin: float = 16.0,
        footer: bool = True,
        styles: Sequence[str] = tuple(FONT_FILES),
    ) -> None:
        if page_size not in PAGE_SIZES:
            raise ValueError(f"page size must be one of {', '.join(PAGE_SIZES)} (got {page_size!r})")
        super().__init__(unit="mm", format=page_size)
        self.generated_at = utc(generated_at)
        self.registry_version = registry_version
        self.show_footer = footer
        _install_fonts(self, styles)
        self.set_margins(margin, margin, margin)
        self.set_auto_page_break(True, margin + FOOTER_HEIGHT)
        self.c_margin = 0  # cells carry no hidden padding: widths measured are widths printed
        # "{nb}" reserves room for three digits; left alignment keeps "Page 2 of 5" without a gap.
        self.alias_nb_pages("{nb}", align="L")
        self.set_title(title)
        self.set_creator("igov — integration governance")
        self.set_creation_date(self.generated_at)
        self.set_lang("en")
        self.set_text_color(INK)
        self.set_draw_color(RULE)

    # --- Text primitives ---

    @property
    def content_width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    @property
    def bottom(self) -> float:
        """The lowest y content may reach on this page."""
        return self.h - self.b_margin

    def style(self, size: float, style: str = "", colour: str = INK) -> None:
        """Select DejaVu at ``size`` points in ``style`` ("", "B", "I") and ``colour``."""
        self.set_font(FONT_FAMILY, style, size)
        self.set_text_color(colour)

    def measure(self, text: str) -> float:
        """The width of ``text`` in the current font, in mm."""
        return self.get_string_width(text)

    def fit(self, text: str, max_width_mm: float) -> str:
        """``text`` shortened with "…" to fit ``max_width_mm`` in the current font."""
        return _shorten_with(self.measure, text, max_width_mm)

    def fit_route(self, route: str, max_width_mm: float) -> str:
        """A route shortened at both ends to fit ``max_width_mm`` in the current font."""
        return _shorten_route_with(self.measure, route, max_width_mm)

    def lines(self, text: str, width: float, max_lines: int | None = None) -> list[str]:
        """``text`` wrapped to ``width`` in the current font."""
        return _wrap_with(self.measure, text, width, max_lines)

    def fitted_size(self, text: str, max_width_mm: float, size: float, min_size: float, style: str = "") -> float:
        """The largest size from ``size`` down to ``min_size`` (0.5 pt steps) at which ``text`` fits."""
        current = size
        while current > min_size and text_width(text, current, style) > max_width_mm:
            current -= 0.5
        return max(current, min_size)

    def put(self, x: float, y: float, width: float, height: float, text: str, align: str = "L") -> None:
        """One line of text in a box at (x, y), shortened to the box width; the cursor is not used."""
        self.set_xy(x, y)
        self.cell(width, height, self.fit(text, width), align=align)

    def ensure_space(self, height: float) -> bool:
        """Start a new page when ``height`` mm would not fit above the footer; ``True`` when it did."""
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()
            return True
        return False

    def paragraph(
        self,
        text: str,
        *,
        size: float = 9.0,
        style: str = "",
        colour: str = BODY,
        x: float | None = None,
        width: float | None = None,
        leading: float = 1.45,
        max_lines: int | None = None,
        after: float = 1.5,
    ) -> float:
        """Wrapped running text from the cursor down, breaking pages between lines; returns its height."""
        self.style(size, style, colour)
        x = self.l_margin if x is None else x
        width = (self.w - self.r_margin - x) if width is None else width
        line_height = size * leading * 0.3528
        start_page, start_y = self.page, self.get_y()
        for line in self.lines(text, width, max_lines):
            self.ensure_space(line_height)
            self.set_xy(x, self.get_y())
            self.cell(width, line_height, line)
            self.set_y(self.get_y() + line_height)
        self.set_y(self.get_y() + after)
        return self.get_y() - start_y if self.page == start_page else 0.0

    def bullets(self, items: Sequence[str], *, size: float = 9.0, numbered: bool = False, colour: str = BODY,
                empty: str = "None recorded.") -> None:
        """A bulleted (or numbered) list; ``empty`` in muted text when there are no items."""
        if not items:
            self.paragraph(empty, size=size, style="I", colour=MUTED)
            return
        indent = 5.0
        for number, item in enumerate(items, start=1):
            self.style(size, "", colour)
            line_height = size * 1.45 * 0.3528
            self.ensure_space(line_height)
            marker = f"{number}." if numbered else "•"
            self.style(size, "B" if numbered else "", ACCENT)
            self.put(self.l_margin, self.get_y(), indent, line_height, marker)
            self.paragraph(item, size=size, colour=colour, x=self.l_margin + indent,
                           width=self.content_width - indent, after=0.8)

    def heading(self, text: str, *, size: float = 12.0, before: float = 4.0, keep_with: float = 18.0) -> None:
        """A section heading with a short accent rule above it, kept on a page with ``keep_with`` mm below it."""
        self.set_y(self.get_y() + before)
        own = size * 0.3528 * 1.6 + 3
        self.keep_together(own + keep_with)
        y = self.get_y()
        self.set_draw_color(ACCENT)
        self.set_line_width(0.6)
        self.line(self.l_margin, y, self.l_margin + 10, y)
        self.style(size, "B", INK)
        self.put(self.l_margin, y + 1.5, self.content_width, size * 0.3528 * 1.5, text)
        self.set_y(y + 1.5 + size * 0.3528 * 1.5 + 1.5)
        self.set_line_width(0.2)
        self.set_draw_color(RULE)

    def rule(self, y: float | None = None, colour: str = RULE, width: float = 0.2) -> None:
        """A full-width hairline at ``y`` (default: the cursor)."""
        y = self.get_y() if y is None else y
        self.set_draw_color(colour)
        self.set_line_width(width)
        self.line(self.l_margin, y, self.w - self.r_margin, y)

    # --- Tables ---

    def _cell_lines(self, column: Column, value, size: float) -> tuple[list[str], Cell]:
        cell = value if isinstance(value, Cell) else Cell(str(value))
        self.style(size, "B" if cell.bold else "", cell.colour or BODY)
        width = column.width - 2 * TABLE_PAD
        if column.keep_end:
            return _wrap_keeping_end_with(self.measure, cell.text, width, column.max_lines if column.wrap else 1), cell
        if column.wrap:
            return self.lines(cell.text, width, column.max_lines), cell
        return [self.fit(cell.text, width)], cell

    def row_height(self, columns: Sequence[Column], row: Sequence, size: float = 8.0) -> float:
        """The height a table row takes, tallest wrapped cell included."""
        line_height = size * 1.35 * 0.3528
        count = max(len(self._cell_lines(c, v, size)[0]) for c, v in zip(columns, row))
        return count * line_height + 2 * TABLE_VPAD

    def table_height(self, columns: Sequence[Column], rows: Sequence[Sequence], size: float = 8.0) -> float:
        """The height a whole table takes (heading row included), to keep it on one page when it fits."""
        header_height = (size - 1) * 1.3 * 0.3528 + 2 * TABLE_VPAD
        return header_height + sum(self.row_height(columns, row, size) for row in rows)

    def keep_together(self, height: float) -> None:
        """Start a new page when a block of ``height`` mm fits on an empty page but not in the room left."""
        if height <= self.page_break_trigger - self.t_margin:
            self.ensure_space(height)

    def table(
        self,
        columns: Sequence[Column],
        rows: Sequence[Sequence],
        *,
        size: float = 8.0,
        zebra: bool = True,
        total_rows: int = 0,
        x: float | None = None,
        max_y: float | None = None,
    ) -> int:
        """A table with a heading row repeated on each page; the last ``total_rows`` rows are totals.

        Single-line columns are shortened to their width, wrapped ones keep at most ``max_lines``.
        With ``max_y`` the table stops before that y instead of breaking the page.

        Returns:
            How many rows were drawn.
        """
        x = self.l_margin if x is None else x
        width = sum(c.width for c in columns)
        header_size = size - 1
        header_height = header_size * 1.3 * 0.3528 + 2 * TABLE_VPAD
        line_height = size * 1.35 * 0.3528

        def draw_header() -> None:
            y = self.get_y()
            self.style(header_size, "B", MUTED)
            cursor = x
            for column in columns:
                self.put(cursor + TABLE_PAD, y + TABLE_VPAD, column.width - 2 * TABLE_PAD,
                         header_height - 2 * TABLE_VPAD, column.title, column.align)
                cursor += column.width
            self.set_draw_color(INK)
            self.set_line_width(0.3)
            self.line(x, y + header_height, x + width, y + header_height)
            self.set_y(y + header_height)

        first_row = self.row_height(columns, rows[0], size) if rows else 0
        self.ensure_space(header_height + first_row)
        draw_header()
        drawn = 0
        for index, row in enumerate(rows):
            cells = [self._cell_lines(c, v, size) for c, v in zip(columns, row)]
            height = max(len(lines) for lines, _ in cells) * line_height + 2 * TABLE_VPAD
            if max_y is not None and self.get_y() + height > max_y:
                break
            if self.get_y() + height > self.page_break_trigger:
                self.add_page()
                draw_header()
            y = self.get_y()
            is_total = index >= len(rows) - total_rows
            if is_total:
                self.set_fill_color(ACCENT_SOFT)
                self.rect(x, y, width, height, style="F")
            elif zebra and index % 2 == 1:
                self.set_fill_color(ZEBRA)
                self.rect(x, y, width, height, style="F")
            cursor = x
            for column, (lines, cell) in zip(columns, cells):
                self.style(size, "B" if (cell.bold or is_total) else "", cell.colour or (INK if is_total else BODY))
                for number, line in enumerate(lines):
                    self.set_xy(cursor + TABLE_PAD, y + TABLE_VPAD + number * line_height)
                    self.cell(column.width - 2 * TABLE_PAD, line_height, line, align=column.align)
                cursor += column.width
            self.set_draw_color(RULE)
            self.set_line_width(0.2)
            self.line(x, y + height, x + width, y + height)
            self.set_y(y + height)
            drawn += 1
        return drawn

    # --- Charts and furniture ---

    def chart(self, figure: Figure, x: float, y: float, width: float, height: float, fmt: str = "png") -> None:
        """Place a chart drawn by :func:`new_figure` at its printed size."""
        self.image(chart_image(figure, fmt), x=x, y=y, w=width, h=height)

    def footer(self) -> None:
        if not self.show_footer:
            return
        y = self.h - self.b_margin + 2
        self.set_draw_color(RULE)
        self.set_line_width(0.2)
        self.line(self.l_margin, y, self.w - self.r_margin, y)
        self.style(7, "", MUTED)
        left = f"Generated {format_timestamp(self.generated_at)} from {version_text(self.registry_version)}"
        page = f"Page {self.page_no()} of {{nb}}"
        page_width = self.measure(f"Page {self.page_no()} of 000")
        self.put(self.l_margin, y + 1.5, self.content_width - page_width - 4, 4, left)
        self.set_xy(self.w - self.r_margin - page_width, y + 1.5)
        self.cell(page_width, 4, page)

    def to_bytes(self) -> bytes:
        """The finished PDF file."""
        return bytes(self.output())


TABLE_PAD = 1.6  # mm of horizontal padding inside a table cell
TABLE_VPAD = 1.3  # mm above and below a row's text


def verdict_cell(verdict) -> Cell:
    """A verdict as a table cell: its word in capitals, in the verdict's colour.

    >>> verdict_cell("merge")
    Cell(text='MERGE', bold=True, colour='#1f4e79')
    """
    if verdict is None:
        return Cell("—", colour=MUTED)
    value = getattr(verdict, "value", verdict)
    return Cell(str(value).upper(), bold=True, colour=VERDICT_COLOURS.get(str(value), INK))
