"""The one-page TCO snapshot PDF: what integrations cost, what duplication wastes, and what to do first."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from core.domain.analysis import RegistryAnalysis
from core.domain.ranges import Range, total
from core.domain.rubric import RubricConfig, Verdict
from core.domain.tco_simulation import PortfolioSimulation
from core.domain.settings import DUPLICATE_CAPACITY_GUIDELINE
from core.reports.figures import ClusterRow, duplicated_by_cluster, headline_figures
from core.reports.pdf_cards import CardLine, assumptions_band, card_height, figure_card, share_bar
from core.reports.pdf_layout import (ACCENT, ACCENT_SOFT, BODY, FAINT, INK, MUTED, RULE, WASTE, ZEBRA, Document,
    format_date, money_axis, new_figure, shorten_route, utc, verdict_cell, version_text)
from core.reports.room import Room, snapshot_room_lines
from core.reports.tco_figures import (RANGE_NOTE, CapacityShare, HeadlineFigure, all_headline_figures, capacity_share,
    percentile_footnote)
from core.wording import format_hours, format_money, format_money_range, plural

# Most clusters a snapshot lists, however much room is left: it is a summary, not the registry.
MAX_TABLE_ROWS = 12
MAX_RECOMMENDATIONS = 3
_PT = 0.3528  # mm per point


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One move of "what we recommend": the cluster's recommendation in bold, then its money and any rule."""

    cluster_id: str
    verdict: Verdict
    route: str  # "Stripe → NetSuite"
    action: str  # the recommendation's first reason: "Merge: keep INT-004 and merge INT-031 into it."
    detail: str  # what it saves and costs against keeping all, and the rule that chose it when not the cheapest
    saving: Range  # per month; zero when the move keeps all for now

    @property
    def sentence(self) -> str:
        return f"{self.route} · {self.action} {self.detail}"


@dataclass(frozen=True, slots=True)
class ClusterLine:
    """One row of the top-clusters table and one bar of the chart."""

    cluster_id: str
    route: str
    members: int
    survivor: str
    teams: tuple[str, ...]
    duplicated: Range
    verdict: Verdict | None


@dataclass(frozen=True, slots=True)
class SnapshotFigures:
    """Everything the snapshot prints, computed once from the analysis."""

    integrations: int
    live: int
    planned: int  # proposed or building
    in_clusters: int
    teams: int
    cluster_count: int
    monthly_run_rate: Range
    duplicated_monthly_run_rate: Range
    annualised_waste: Range
    simulation: PortfolioSimulation | None
    clusters: tuple[ClusterLine, ...]  # largest duplicated run-rate first, as many as asked for
    rest_count: int  # clusters not listed
    rest_duplicated: Range  # their duplicated run-rate, summed
    recommendations: tuple[Recommendation, ...]
    room: tuple[str, ...]  # the group's saved scorings and the newest session notes, in sentences
    currency: str
    horizon_months: int
    hourly_rate: Range
    overlap_threshold: float
    headlines: tuple[HeadlineFigure, ...] = ()  # run-rate, duplicated, waste, build, TCO, forward: money and hours
    hours_per_fte: float = 140.0
    capacity: CapacityShare | None = None  # the share of the team's capacity spent on duplicates, when set


def recommend(analysis: RegistryAnalysis, cluster_id: str, route: str) -> Recommendation:
    """The cluster's recommendation as the snapshot prints it: the same words as every page and memo.

    >>> item = recommend(sample_analysis, "CL-INT-004", "Stripe → NetSuite")
    >>> item.action, item.detail.split(":")[0]
    ('Merge: keep INT-004 and merge INT-031 into it.', 'Merging saves $10,330 – $15,450 / month (likely $12,410) and pays back in month 2')

    Args:
        analysis: the registry analysis.
        cluster_id: the cluster.
        route: the cluster's route in words ("Salesforce → Stripe").

    Returns:
        The recommendation, with what it saves a month (zero when it keeps all for now).
    """  # noqa: E501 (the example prints the sentence whole)
    recommendation = analysis.recommendation(cluster_id)
    detail = " ".join([recommendation.reasons[1], *([recommendation.rule] if recommendation.rule else [])])
    saving = recommendation.monthly_saving
    if recommendation.scenario == "keep_all" or saving.likely <= 0:
        saving = Range.zero()
    return Recommendation(cluster_id, recommendation.verdict, route, recommendation.summary, detail, saving)


def snapshot_figures(
    analysis: RegistryAnalysis,
    *,
    rubric: RubricConfig,
    simulation: PortfolioSimulation | None = None,
    limit: int = MAX_TABLE_ROWS,
    room: Room | None = None,
) -> SnapshotFigures:
    """The snapshot's figures: headline ranges, the top ``limit`` clusters, the rest summed, recommendations.

    The verdict of a cluster is its recommendation's (as on every page): what to do with the cluster
    as a whole; the recommendation says what happens to each member.

    >>> analysis = sample_analysis
    >>> figures = snapshot_figures(analysis, rubric=rubric, limit=4)
    >>> [c.cluster_id for c in figures.clusters], figures.rest_count
    (['CL-INT-015', 'CL-INT-004', 'CL-INT-008', 'CL-INT-012'], 2)

    Args:
        analysis: the registry analysis.
        rubric: the weights in Settings, beside which the group's own scorings are shown.
        simulation: Monte Carlo percentiles of the headline figures, when computed.
        limit: how many clusters to list.
        room: the group's saved scorings and session notes, when there are any.

    Returns:
        The figures, ready to lay out.
    """
    costs, settings = analysis.costs, analysis.settings
    ranked = sorted(analysis.clusters, key=lambda c: (-c.duplicated_monthly_run_rate.likely, c.id))
    shown, rest = ranked[:max(limit, 0)], ranked[max(limit, 0):]
    routes = {r.cluster_id: r for r in duplicated_by_cluster(analysis, shown)}
    lines = tuple(
        ClusterLine(cluster_id=c.id, route=routes[c.id].route, members=len(c.members), survivor=c.survivor,
                    teams=c.teams, duplicated=c.duplicated_monthly_run_rate,
                    verdict=analysis.recommendation(c.id).verdict)
        for c in shown
    )
    recommendations = [recommend(analysis, line.cluster_id, _short_route(routes[line.cluster_id]))
                       for line in lines[:MAX_RECOMMENDATIONS]]
    in_listed = [m for c in shown for m in c.members]
    room_lines = snapshot_room_lines(room, in_listed, rubric.weights) if room is not None else []
    head = headline_figures(analysis)  # the Overview's counts: one rule for both
    return SnapshotFigures(
        integrations=head.integrations, live=head.live, planned=head.planned, in_clusters=head.integrations_in_clusters,
        teams=head.teams, cluster_count=head.clusters, monthly_run_rate=head.monthly_run_rate,
        duplicated_monthly_run_rate=head.duplicated_monthly_run_rate, annualised_waste=head.annualised_waste,
        simulation=simulation,
        clusters=lines,
        rest_count=len(rest),
        rest_duplicated=total(c.duplicated_monthly_run_rate for c in rest),
        recommendations=tuple(recommendations),
        room=tuple(room_lines),
        currency=settings.currency,
        horizon_months=settings.horizon_months,
        hourly_rate=settings.hourly_rate,
        overlap_threshold=settings.overlap_threshold,
        headlines=all_headline_figures(costs, simulation),
        hours_per_fte=settings.hours_per_fte,
        capacity=capacity_share(costs, settings.team_capacity, DUPLICATE_CAPACITY_GUIDELINE),
    )


def _short_route(row: ClusterRow) -> str:
    """The route without the "(+ other systems)" tail, shortened for a sentence."""
    return shorten_route(row.route.split(" (+ ")[0], 60, size=8.8, style="B")


# --- Layout ----------------------------------------------------------------------------------------

_ROW_HEIGHT = 8.6  # two-line table rows
_REST_ROW = 7.0  # the "+ N more clusters" row
_TABLE_HEADER = 5.6
_TITLE = 6.0  # a section title line
_CHART_GAP = 2.5
_TABLE_GAP = 3.0
_CHART_BASE, _CHART_BAR = 17.0, 5.4  # chart height = base + bar x bars
_MAX_BARS = 8


_MIN_CHARTED = 4  # fewer bars than this: no chart, more table rows


def _chart_height(bars: int, per_bar: float = _CHART_BAR) -> float:
    return _CHART_BASE + per_bar * max(min(bars, _MAX_BARS), 2)


def _fit_rows(figures: SnapshotFigures, room: float) -> tuple[int, float]:
    """How many clusters fit in ``room`` mm (chart + table), and the chart's height.

    Rows are dropped from the bottom until the chart, the table and the "+ N more" row fit; room
    left over goes to taller bars (up to 8 mm each), never to a second page.
    """
    rows = len(figures.clusters)

    def needed(count: int, per_bar: float = _CHART_BAR) -> float:
        rest_row = _REST_ROW if figures.cluster_count > count else 0.0
        return (_TITLE + _chart_height(count, per_bar) + _CHART_GAP + _TITLE + _TABLE_HEADER
                + count * _ROW_HEIGHT + rest_row + _TABLE_GAP)

    while rows > 1 and needed(rows) > room:
        rows -= 1
    if rows < _MIN_CHARTED and len(figures.clusters) > rows:
        # Too little room for a chart worth reading: the table alone lists more clusters.
        table_only = len(figures.clusters)
        while table_only > 1 and needed(table_only) - _TITLE - _chart_height(table_only) - _CHART_GAP > room:
            table_only -= 1
        return table_only, 0.0
    bars = max(min(rows, _MAX_BARS), 2)
    spare = max(room - needed(rows), 0.0)
    per_bar = min(_CHART_BAR + spare / bars, 8.0)
    return rows, _chart_height(rows, per_bar)


def _header(doc: Document, registry_name: str, registry_version, generated_at: datetime) -> None:
    x, width = doc.l_margin, doc.content_width
    y = doc.t_margin
    doc.style(7.5, "B", ACCENT)
    doc.put(x, y, width, 4, "TCO SNAPSHOT")
    doc.style(19, "B", INK)
    doc.put(x, y + 4.5, width, 9, "What our integrations cost")
    doc.style(9.5, "", MUTED)
    version = version_text(registry_version) if registry_version is not None else ""
    tail = " · ".join(part for part in (format_date(generated_at), version) if part)
    name = doc.fit(registry_name, max(width - doc.measure(" · " + tail), width * 0.4)) if registry_name else ""
    doc.put(x, y + 14, width, 5, f"{name} · {tail}" if name else tail)
    doc.set_y(y + 21)


def _assumptions_band(doc: Document, figures: SnapshotFigures) -> None:
    currency = figures.currency
    items = [
        ("Horizon", f"{figures.horizon_months} months"),
        ("Hourly rate", format_money_range(figures.hourly_rate, currency, "/ hour")),
        ("One FTE", f"{figures.hours_per_fte:g} hours a month"),
        ("Overlap", f"threshold {figures.overlap_threshold:g}"),
        ("Counted", plural(figures.integrations, "integration")),
    ]
    assumptions_band(doc, items, [0.13, 0.33, 0.17, 0.15, 0.22])


def _counts_line(doc: Document, figures: SnapshotFigures) -> None:
    doc.style(7, "", MUTED)
    text = (f"{figures.live:,} live, {figures.planned:,} proposed or building, "
            f"owned by {plural(figures.teams, 'team')}; "
            f"{figures.in_clusters:,} of them in {plural(figures.cluster_count, 'overlap cluster')}. " + RANGE_NOTE)
    y = doc.get_y()
    for number, line in enumerate(doc.lines(text, doc.content_width, 2)):
        doc.put(doc.l_margin, y + number * 3.2, doc.content_width, 3.2, line)
    doc.set_y(y + 8.4)


_CARD_LINES = 3
_CARD_GAP = 3.0


def _cards_height() -> float:
    return 2 * card_height(_CARD_LINES) + _CARD_GAP + 3.0


def _cards(doc: Document, figures: SnapshotFigures) -> None:
    """Six cards, three a row: what runs every month, then what is paid once or over the horizon."""
    currency = figures.currency
    units = {"month": "per month · likely", "year": "per year · likely"}
    width = (doc.content_width - 2 * _CARD_GAP) / 3
    height = card_height(_CARD_LINES)
    y = doc.get_y()
    for index, figure in enumerate(figures.headlines[:6]):
        row, column = divmod(index, 3)
        colour = WASTE if figure.key in ("duplicated", "waste") else INK
        unit = units.get(figure.per, f"over {figures.horizon_months} months · likely" if figure.key != "build"
                         else "one-time · likely")
        lines = [CardLine("Range", figure.band_text(currency).removesuffix(f" {figure.unit}") if figure.unit
                          else figure.band_text(currency), bold=True)]
        if figure.hours is not None:
            hours = figure.hours
            lines.append(CardLine("Hours", f"{format_hours(hours.likely)} ({format_hours(hours.low)[:-2]} – "
                                           f"{format_hours(hours.high)})"))
            lines.append(CardLine("People", figure.fte_text(figures.hours_per_fte)))
        figure_card(doc, doc.l_margin + column * (width + _CARD_GAP), y + row * (height + _CARD_GAP), width, height,
                    figure.label, format_money(figure.value.likely, currency), unit, lines, colour)
    doc.set_y(y + 2 * height + _CARD_GAP + 3.0)


def _capacity(doc: Document, figures: SnapshotFigures) -> None:
    share = figures.capacity
    if share is None:
        return
    share_bar(doc, title="Share of engineering capacity spent maintaining and reconciling duplicates",
              sentence=share.sentence(figures.hours_per_fte), low=share.share.low, likely=share.share.likely,
              high=share.share.high, guideline=share.guideline, guideline_label=share.guideline_text(),
              colour=WASTE if share.over_guideline else ACCENT)
    doc.set_y(doc.get_y() + 1.5)


def _capacity_height(figures: SnapshotFigures) -> float:
    from core.reports.pdf_cards import SHARE_BAR_HEIGHT

    return SHARE_BAR_HEIGHT + 1.5 if figures.capacity is not None else 0.0


def _footnote_lines(doc: Document, figures: SnapshotFigures) -> list[str]:
    if figures.simulation is None:
        return []
    text = percentile_footnote(figures.headlines, figures.currency, figures.simulation.draws)
    text += f" Seed {figures.simulation.seed}: the same registry always gives the same figures."
    doc.style(6.2, "", MUTED)
    return doc.lines(text, doc.content_width, 4)


_FOOTNOTE_LINE = 2.9


def _footnote(doc: Document, lines: list[str]) -> None:
    """The simulated P10 – P90 at the foot of the page, under a short rule."""
    if not lines:
        return
    y = doc.h - doc.b_margin - len(lines) * _FOOTNOTE_LINE
    doc.set_draw_color(RULE)
    doc.set_line_width(0.2)
    doc.line(doc.l_margin, y - 1.0, doc.l_margin + 40, y - 1.0)
    doc.style(6.2, "", MUTED)
    for number, line in enumerate(lines):
        doc.put(doc.l_margin, y + number * _FOOTNOTE_LINE, doc.content_width, _FOOTNOTE_LINE, line)


def _section_title(doc: Document, text: str, note: str = "") -> None:
    y = doc.get_y()
    doc.style(10.5, "B", INK)
    doc.put(doc.l_margin, y, doc.content_width, 5, text)
    if note:
        title_width = doc.measure(text)
        doc.style(7, "", MUTED)
        doc.put(doc.l_margin + title_width + 3, y + 1.2, doc.content_width - title_width - 3, 3.5, note)
    doc.set_y(y + _TITLE)


def _chart(doc: Document, figures: SnapshotFigures, height: float) -> None:
    """Horizontal bars of the likely duplicated run-rate with low – high whiskers: the Overview page's chart."""
    lines = figures.clusters[:_MAX_BARS]
    currency = figures.currency
    width = doc.content_width
    figure, ax = new_figure(width, height)
    label_mm = 46.0
    positions = list(range(len(lines)))
    likely = [c.duplicated.likely for c in lines]
    below = [c.duplicated.likely - c.duplicated.low for c in lines]
    above = [c.duplicated.high - c.duplicated.likely for c in lines]
    ax.barh(positions, likely, height=0.56, color=ACCENT, zorder=2)
    ax.errorbar(likely, positions, xerr=[below, above], fmt="none", ecolor=INK, elinewidth=0.7, capsize=2,
                capthick=0.7, zorder=3)
    top = max((c.duplicated.high for c in lines), default=1.0) or 1.0
    for position, line in zip(positions, lines):
        ax.text(line.duplicated.high + top * 0.012, position, format_money(line.duplicated.likely, currency),
                va="center", ha="left", fontsize=7, color=INK, fontweight="bold")
        # Two-tone label: the route in body text, the cluster id beneath it in grey.
        ax.annotate(shorten_route(line.route, label_mm - 4, size=7), xy=(0, position),
                    xycoords=("axes fraction", "data"), xytext=(-5, 0.6), textcoords="offset points",
                    ha="right", va="bottom", fontsize=7, color=BODY)
        ax.annotate(line.cluster_id, xy=(0, position), xycoords=("axes fraction", "data"), xytext=(-5, -0.6),
                    textcoords="offset points", ha="right", va="top", fontsize=6, color=FAINT)
    ax.set_yticks(positions, [""] * len(positions))
    ax.set_ylim(len(lines) - 0.5, -0.5)
    ax.set_xlim(0, top * 1.14)
    money_axis(ax.xaxis, currency)
    ax.grid(axis="x", color=RULE, linewidth=0.5)
    ax.set_xlabel(f"{currency} per month", fontsize=6.5, color=MUTED, labelpad=2)
    figure.subplots_adjust(left=label_mm / width, right=0.985, top=1 - 1.5 / height, bottom=8.0 / height)
    doc.chart(figure, doc.l_margin, doc.get_y(), width, height)
    doc.set_y(doc.get_y() + height + _CHART_GAP)


def _teams_text(teams: tuple[str, ...]) -> str:
    return ", ".join(teams)


def _table(doc: Document, figures: SnapshotFigures, rows: int) -> None:
    currency = figures.currency
    x0 = doc.l_margin
    # Cluster | Members | Teams | Duplicated / month | Verdict
    widths = [0.34, 0.09, 0.27, 0.18, 0.12]
    cols = [w * doc.content_width for w in widths]
    titles = ["Cluster", "Members", "Teams", "Duplicated / month", "Verdict"]
    aligns = ["L", "R", "L", "R", "L"]
    pad = 1.6
    y = doc.get_y()
    doc.style(6.5, "B", MUTED)
    x = x0
    for title, width, align in zip(titles, cols, aligns):
        doc.put(x + pad, y + 1, width - 2 * pad, 3.6, title.upper(), align)
        x += width
    doc.set_draw_color(INK)
    doc.set_line_width(0.3)
    doc.line(x0, y + _TABLE_HEADER - 0.6, x0 + doc.content_width, y + _TABLE_HEADER - 0.6)
    y += _TABLE_HEADER

    def two_lines(x, width, first, second, align="L", first_style="B", first_colour=INK, first_size=7.8,
                  route=False):
        doc.style(first_size, first_style, first_colour)
        if route:
            first = doc.fit_route(first, width - 2 * pad)
        doc.put(x + pad, y + 1.2, width - 2 * pad, 3.6, first, align)
        if second:
            doc.style(6.4, "", MUTED)
            doc.put(x + pad, y + 4.7, width - 2 * pad, 3.0, second, align)

    for index, line in enumerate(figures.clusters[:rows]):
        if index % 2 == 1:
            doc.set_fill_color(ZEBRA)
            doc.rect(x0, y, doc.content_width, _ROW_HEIGHT, style="F")
        x = x0
        two_lines(x, cols[0], line.route, f"{line.cluster_id} · keeps {line.survivor}", route=True)
        x += cols[0]
        two_lines(x, cols[1], f"{line.members:,}", "", "R", "", BODY)
        x += cols[1]
        doc.style(7, "", BODY)
        team_lines = doc.lines(_teams_text(line.teams), cols[2] - 2 * pad, 2)
        for number, text in enumerate(team_lines):
            doc.put(x + pad, y + 1.2 + number * 3.4, cols[2] - 2 * pad, 3.4, text)
        x += cols[2]
        low_high = f"{format_money(line.duplicated.low, currency)} – {format_money(line.duplicated.high, currency)}"
        two_lines(x, cols[3], format_money(line.duplicated.likely, currency), low_high, "R")
        x += cols[3]
        verdict = verdict_cell(line.verdict)
        two_lines(x, cols[4], verdict.text, "", "L", "B", verdict.colour, 7.2)
        doc.set_draw_color(RULE)
        doc.set_line_width(0.2)
        doc.line(x0, y + _ROW_HEIGHT, x0 + doc.content_width, y + _ROW_HEIGHT)
        y += _ROW_HEIGHT
    rest = figures.cluster_count - min(rows, len(figures.clusters))
    if rest > 0:
        rest_range = total(c.duplicated for c in figures.clusters[rows:]) + figures.rest_duplicated
        doc.set_fill_color(ACCENT_SOFT)
        doc.rect(x0, y, doc.content_width, _REST_ROW, style="F")
        doc.style(7.5, "B", INK)
        text = (f"+ {plural(rest, 'more cluster')}: {format_money(rest_range.low, currency)} – "
                f"{format_money(rest_range.high, currency)} / month "
                f"(likely {format_money(rest_range.likely, currency)})")
        doc.put(x0 + pad, y + 1.9, doc.content_width - 2 * pad, 3.6, text)
        y += _REST_ROW
    doc.set_y(y + _TABLE_GAP)


_ACTION_LINE, _DETAIL_LINE, _ROOM_LINE = 4.0, 3.35, 3.2  # mm per line of each kind of text
_INDENT = 7.0  # the numbers of the moves stand in this margin


def _move_lines(doc: Document, item: Recommendation, width: float) -> tuple[list[str], list[str]]:
    """One move wrapped to the page: the action in bold (up to 2 lines), then its money (up to 3 lines)."""
    doc.style(8.4, "B", INK)
    action = doc.lines(f"{item.route} · {item.action}", width - _INDENT, 2)
    doc.style(7.6, "", BODY)
    return action, doc.lines(item.detail, width - _INDENT, 3)


def _room_lines(doc: Document, figures: SnapshotFigures, width: float) -> list[list[str]]:
    doc.style(7, "", BODY)
    return [doc.lines(line, width, 2) for line in figures.room]


def _recommendation_height(doc: Document, figures: SnapshotFigures) -> float:
    """The height of "What we recommend" and "From the room", measured before anything is placed."""
    width = doc.content_width
    moves = sum(len(a) * _ACTION_LINE + len(d) * _DETAIL_LINE + 1.2
                for a, d in (_move_lines(doc, item, width) for item in figures.recommendations))
    room = _room_lines(doc, figures, width)
    room_height = (2 + _TITLE + sum(len(lines) for lines in room) * _ROOM_LINE + 1.0 * len(room)) if room else 0.0
    return _TITLE + max(moves, 9.0) + 7.5 + room_height


def _recommendations(doc: Document, figures: SnapshotFigures) -> None:
    currency = figures.currency
    _section_title(doc, "What we recommend", "each cluster's recommendation: the same on every page and memo")
    x, width = doc.l_margin, doc.content_width
    y = doc.get_y()
    if not figures.recommendations:
        doc.style(8.5, "", BODY)
        text = (f"No integrations duplicate one another at overlap threshold {figures.overlap_threshold:g}: "
                "nothing to consolidate. Check new proposals against the registry before they are built.")
        for number, line in enumerate(doc.lines(text, width, 2)):
            doc.put(x, y + number * 4.2, width, 4.2, line)
        doc.set_y(y + 9)
        return
    for number, item in enumerate(figures.recommendations, start=1):
        action, detail = _move_lines(doc, item, width)
        doc.set_fill_color(ACCENT)
        doc.style(7.5, "B", "#ffffff")
        doc.set_xy(x, y + 0.1)
        doc.cell(4.2, 4.2, str(number), align="C", fill=True)
        doc.style(8.4, "B", INK)
        for line in action:
            doc.put(x + _INDENT, y, width - _INDENT, _ACTION_LINE, line)
            y += _ACTION_LINE
        doc.style(7.6, "", BODY)
        for line in detail:
            doc.put(x + _INDENT, y, width - _INDENT, _DETAIL_LINE, line)
            y += _DETAIL_LINE
        y += 1.2
    saving = total(r.saving for r in figures.recommendations)
    count = len(figures.recommendations)
    doc.style(7.5, "", MUTED)
    closing = (f"{'This move saves' if count == 1 else f'Together these {count} moves save'} "
               f"{format_money_range(saving, currency, '/ month')}, against "
               f"{format_money_range(figures.duplicated_monthly_run_rate, currency, '/ month')} "
               "spent on duplicates in all. "
               "Savings are run-rate after migration (see the TCO page for one-time costs).")
    for number, line in enumerate(doc.lines(closing, width, 2)):
        doc.put(x, y + 1 + number * 3.3, width, 3.3, line)
    doc.set_y(y + 7.5)
    _room(doc, figures)


def _room(doc: Document, figures: SnapshotFigures) -> None:
    """The group's own scorings and the newest session's notes, labelled as the room's."""
    room = _room_lines(doc, figures, doc.content_width)
    if not room:
        return
    doc.set_y(doc.get_y() + 2)
    _section_title(doc, "From the room", "what the group saved and noted, beside the figures above")
    y = doc.get_y()
    doc.style(7, "", BODY)
    for lines in room:
        for line in lines:
            doc.put(doc.l_margin, y, doc.content_width, _ROOM_LINE, line)
            y += _ROOM_LINE
        y += 1.0
    doc.set_y(y)


def build_snapshot_pdf(
    analysis: RegistryAnalysis,
    *,
    registry_name: str,
    registry_version: int | str | None,
    page_size: str = "A4",
    simulation: PortfolioSimulation | None = None,
    generated_at: datetime | None = None,
    rubric: RubricConfig,
    room: Room | None = None,
) -> bytes:
    """The one-page TCO snapshot as PDF bytes: always exactly one page, whatever the registry's size.

    The top clusters fill the room the page has left (at most 12); the others are summed in one row.

    >>> analysis = sample_analysis
    >>> build_snapshot_pdf(analysis, registry_name="Acme", registry_version=3, rubric=rubric)[:5]
    b'%PDF-'

    Args:
        analysis: the registry analysis (the same value the dashboard shows).
        registry_name: the company or registry name printed under the title.
        registry_version: the version the figures were computed from (a number, or a text such as a file name).
        page_size: "A4" or "Letter".
        simulation: Monte Carlo percentiles to print beside the ranges; ``None`` prints the ranges only.
        generated_at: the generation time in the footer (default: now, UTC).
        rubric: the weights in Settings, beside which the group's own scorings are shown.
        room: the group's saved scorings and session notes, printed as theirs under the recommendations.

    Returns:
        The PDF file.
    """
    generated_at = utc(generated_at)
    doc = Document(page_size=page_size, title=f"TCO snapshot — {registry_name}", registry_version=registry_version,
                   generated_at=generated_at, margin=14, styles=("", "B"))
    # One page by construction: every block is measured before it is placed.
    doc.set_auto_page_break(False, doc.b_margin)
    doc.add_page()
    figures = snapshot_figures(analysis, rubric=rubric, simulation=simulation, limit=MAX_TABLE_ROWS, room=room)
    _header(doc, registry_name, registry_version, generated_at)
    _assumptions_band(doc, figures)
    _counts_line(doc, figures)
    _cards(doc, figures)
    _capacity(doc, figures)
    footnote = _footnote_lines(doc, figures)
    top = doc.get_y()
    _footnote(doc, footnote)
    doc.set_y(top)

    space = (doc.h - doc.b_margin - doc.get_y() - _recommendation_height(doc, figures)
             - (len(footnote) * _FOOTNOTE_LINE + 2.0 if footnote else 0.0))
    if figures.clusters:
        rows, chart_height = _fit_rows(figures, space)
        shown = figures.clusters[:rows]
        if chart_height:
            _section_title(doc, "Duplicated run-rate by cluster",
                           f"the top {min(len(shown), _MAX_BARS)} of {plural(figures.cluster_count, 'cluster')}: "
                           "likely, with the low – high range")
            _chart(doc, replace(figures, clusters=shown), chart_height)
        listed = (f"all {plural(figures.cluster_count, 'cluster')}" if len(shown) == figures.cluster_count
                  else f"the top {len(shown)} of {plural(figures.cluster_count, 'cluster')}")
        _section_title(doc, "Where the duplication is", f"{listed}; verdict: each cluster's recommendation")
        _table(doc, figures, rows)
    _recommendations(doc, figures)
    return doc.to_bytes()

