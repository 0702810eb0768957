"""The portfolio over time as a chart: run-rate, duplicated run-rate and counts, decisions marked on the time axis."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.wording import INK, MUTED, PRIMARY, WASTE, escape_html, format_money

COUNT_COLOUR = "#2a7f62"
UNOWNED_COLOUR = "#c77c02"


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One snapshot as the chart draws it (monthly money, likely values)."""

    at: datetime
    run_rate: float
    duplicated: float
    integrations: int
    unowned: int
    cause: str


@dataclass(frozen=True, slots=True)
class DecisionMark:
    """A decision on the time axis: when it was done (or is due) and what it was."""

    at: datetime
    label: str
    done: bool


def trend_figure(points: Sequence[TrendPoint], marks: Sequence[DecisionMark], currency: str = "$") -> go.Figure:
    """Money above (run-rate and duplicated run-rate per month), counts below, decisions as dashed lines on both."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.62, 0.38], vertical_spacing=0.08)
    times = [p.at for p in points]
    causes = [escape_html(p.cause) for p in points]
    for name, values, colour, row in (
        ("Run-rate / month", [p.run_rate for p in points], PRIMARY, 1),
        ("Duplicated run-rate / month", [p.duplicated for p in points], WASTE, 1),
        ("Integrations", [p.integrations for p in points], COUNT_COLOUR, 2),
        ("Unowned", [p.unowned for p in points], UNOWNED_COLOUR, 2),
    ):
        shown = [format_money(v, currency) for v in values] if row == 1 else [f"{v:,}" for v in values]
        fig.add_trace(go.Scatter(
            x=times, y=values, name=name, mode="lines+markers", line=dict(color=colour, width=3, shape="hv"),
            marker=dict(size=8), customdata=list(zip(shown, causes)),
            hovertemplate=f"<b>{name}</b>: %{{customdata[0]}}<br>%{{x|%Y-%m-%d %H:%M}} · %{{customdata[1]}}"
                          "<extra></extra>"), row=row, col=1)
    for mark in marks:
        colour = INK if mark.done else MUTED
        for row in (1, 2):
            fig.add_vline(x=mark.at, line=dict(color=colour, width=1.5, dash="dash" if mark.done else "dot"),
                          row=row, col=1)
        fig.add_annotation(x=mark.at, y=1.0, yref="paper", text=escape_html(mark.label), showarrow=False,
                           textangle=-90, xanchor="left", yanchor="top", font=dict(size=13, color=colour))
    fig.update_yaxes(title_text=f"{currency} per month", tickprefix=currency, tickformat=",.0f", rangemode="tozero",
                     gridcolor="#e6ebf0", automargin=True, row=1, col=1)
    fig.update_yaxes(title_text="count", rangemode="tozero", gridcolor="#e6ebf0", automargin=True, row=2, col=1)
    fig.update_xaxes(gridcolor="#e6ebf0")
    fig.update_layout(
        title=dict(text="The portfolio over time · dashed: a decision done, dotted: one due", font=dict(size=21,
                   color=INK), x=0, xanchor="left"),
        font=dict(family="Source Sans, Arial, sans-serif", size=16, color=INK), height=620,
        margin=dict(l=10, r=30, t=70, b=40), plot_bgcolor="white", paper_bgcolor="white",
        legend=dict(orientation="h", x=0, y=-0.08, yanchor="top"), hoverlabel=dict(font_size=15))
    return fig
