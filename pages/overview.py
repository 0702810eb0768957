"""Overview page: the registry's headline figures, what duplication costs, and the map of systems."""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go
import streamlit as st

from core.services.overview import (ClusterRow, SystemMap, chart_rows, duplicated_by_cluster, error_bars,
    headline_figures, recommended_moves, system_map, undrawn_clusters_text)
from core.services.decisions import tracked_decisions
from core.services.registry import load_sample_registry
from core.services.trend import trend_chart
from core.wording import (INK, MUTED, PRIMARY, cluster_colours, escape_html, escape_markdown, format_money,
    format_money_range, plural)
from pages._links import see_cluster_link
from pages._ui import (act, ask_name_first, current_actor, get_analysis, get_engine, page_header, plain_errors,
                       show_recommendation)

EDGE_GREY = "#cfd7e0"
FONT = dict(family="Source Sans, Arial, sans-serif", size=16, color=INK)
LABEL_POSITION = {"right": "middle right", "left": "middle left", "top": "top center", "bottom": "bottom center"}


def _style(fig: go.Figure, title: str, height: int) -> go.Figure:
    """Projector-friendly defaults: large type, a title, no toolbar clutter."""
    fig.update_layout(
        title=dict(text=title, font=dict(size=21, color=INK), x=0, xanchor="left"),
        font=FONT, height=height, margin=dict(l=10, r=30, t=70, b=60),
        hoverlabel=dict(font_size=15), plot_bgcolor="white", paper_bgcolor="white",
    )
    return fig


def cluster_bar_chart(rows: list[ClusterRow], colours: dict[str, str], currency: str) -> go.Figure:
    above, below = error_bars([r.duplicated for r in rows])
    labels = [f"<b>{escape_html(r.route)}</b><br>{escape_html(r.member_summary)}" for r in rows]
    hover = [[escape_html(r.cluster_id), escape_html(format_money_range(r.duplicated, currency, "/ month")),
              len(r.members)]
             for r in rows]
    fig = go.Figure(go.Bar(
        x=[r.duplicated.likely for r in rows], y=labels, orientation="h", width=0.6,
        marker=dict(color=[colours.get(r.cluster_id, PRIMARY) for r in rows]),
        error_x=dict(type="data", array=above, arrayminus=below, color=INK, thickness=2, width=10),
        customdata=hover, showlegend=False,
        hovertemplate=("<b>%{customdata[0]}</b> · %{customdata[2]} integrations<br>"
                       "Duplicated: %{customdata[1]}<extra></extra>"),
    ))
    # The likely figure written just past each whisker, so it reads without hovering.
    fig.add_trace(go.Scatter(
        x=[r.duplicated.high for r in rows], y=labels, mode="text", showlegend=False, hoverinfo="skip",
        text=[f"  {format_money(r.duplicated.likely, currency)}" for r in rows], textposition="middle right",
        textfont=dict(size=16, color=INK), cliponaxis=False,
    ))
    fig.update_xaxes(title_text=f"{currency} per month · bar = likely, whisker = low to high",
                     tickprefix=currency, tickformat=",.0f", gridcolor="#e6ebf0", rangemode="tozero",
                     zeroline=True, zerolinecolor="#9aa7b4")
    fig.update_yaxes(autorange="reversed", automargin=True, tickfont=dict(size=15), ticks="outside", ticklen=10,
                     tickcolor="rgba(0,0,0,0)")
    _style(fig, "Duplicated run-rate by overlap cluster", 130 + 90 * len(rows))
    fig.update_layout(margin=dict(l=10, r=90, t=60, b=60))
    return fig


def system_map_chart(layout: SystemMap, colours: dict[str, str], cluster_routes: dict[str, str]) -> go.Figure:
    fig = go.Figure()
    # One trace per line style (not per edge): a big registry has hundreds of edges, and a Plotly
    # trace each made the page take a minute to draw. None breaks the line between edges.
    styles: dict[tuple, list] = {}
    for edge in layout.edges:
        cluster = edge.in_cluster if edge.highlighted else None
        width = 7 if cluster else (2.5 if edge.count > 1 else 1.2)
        styles.setdefault((cluster or "", width), []).append(edge)
    legend_done: set[str] = set()
    for (cluster, width), edges in sorted(styles.items(), key=lambda item: (item[0][0] != "", item[0])):
        group = cluster or "other"
        fig.add_trace(go.Scatter(
            x=[v for e in edges for v in (e.x0, e.x1, None)], y=[v for e in edges for v in (e.y0, e.y1, None)],
            mode="lines", line=dict(color=colours.get(cluster, EDGE_GREY) if cluster else EDGE_GREY, width=width),
            hoverinfo="skip",
            name=escape_html(f"{cluster} · {cluster_routes.get(cluster, '')}") if cluster else "Other integrations",
            legendgroup=group, showlegend=group not in legend_done, legendrank=1 if cluster else 1000,
        ))
        legend_done.add(group)
    # Invisible points in the middle of each line carry the hover: which integrations, what they move.
    fig.add_trace(go.Scatter(
        x=[e.label_x for e in layout.edges], y=[e.label_y for e in layout.edges], mode="markers",
        marker=dict(size=18, color="rgba(0,0,0,0)"), showlegend=False,
        hovertext=[
            f"<b>{escape_html(e.source)} {'↔' if e.both_ways else '→'} {escape_html(e.target)}</b> · "
            f"{plural(e.count, 'integration')}<br>Moves: {escape_html(', '.join(e.objects)) or 'not stated'}<br>"
            + "<br>".join(escape_html(d) for d in e.descriptions)
            for e in layout.edges
        ],
        hoverinfo="text",
    ))
    fig.update_layout(annotations=[
        dict(x=edge.label_x, y=edge.label_y, text=f"<b>×{edge.count}</b>", showarrow=False,
             font=dict(size=16, color=colours.get(edge.in_cluster, MUTED) if edge.highlighted else MUTED),
             bgcolor="white", bordercolor=colours.get(edge.in_cluster, EDGE_GREY) if edge.highlighted else EDGE_GREY,
             borderwidth=1.5, borderpad=3)
        for edge in layout.edges if edge.labelled
    ])
    fig.add_trace(go.Scatter(
        x=[n.x for n in layout.nodes], y=[n.y for n in layout.nodes], mode="markers+text",
        marker=dict(size=22, color=PRIMARY, line=dict(color="white", width=2)),
        text=[f"<b>{escape_html(n.name)}</b> ({n.integration_count})" for n in layout.nodes],
        textposition=[LABEL_POSITION[n.label_side] for n in layout.nodes], textfont=dict(size=16, color=INK),
        hovertext=[
            f"<b>{escape_html(n.name)}</b> · {plural(n.integration_count, 'integration')}"
            + (f"<br>Also typed as: {escape_html(', '.join(s for s in n.spellings if s != n.name))}"
               if len(n.spellings) > 1 else "")
            for n in layout.nodes
        ],
        hoverinfo="text", showlegend=False,
    ))
    fig.update_xaxes(visible=False, range=[-1.55, 1.55])
    fig.update_yaxes(visible=False, range=[-1.15, 1.15], scaleanchor="x", scaleratio=1)
    _style(fig, "System map: which systems are connected, and where the same job is done twice", 900)
    fig.update_layout(
        legend=dict(title=dict(text="<b>Overlap clusters</b>", side="top"), font=dict(size=15), orientation="h",
                    x=0, xanchor="left", y=-0.01, yanchor="top", entrywidth=0.33, entrywidthmode="fraction"),
        margin=dict(l=10, r=10, t=70, b=10),
    )
    return fig


def _load_sample() -> None:
    act(load_sample_registry, get_engine(), actor=current_actor(), done="Loaded the sample registry.")


page_header(
    "Overview",
    "What your teams run, what it costs each month, and where the same job is done more than once.",
)

with plain_errors():
    analysis = get_analysis()

if not analysis.integrations:
    st.info(
        "**The registry is empty.** Load the sample registry to see how the dashboard works, "
        "or import your own CSV on the Registry page.",
        icon=":material/inbox:",
    )
    ask_name_first()
    with st.container(horizontal=True, vertical_alignment="center", gap="medium"):
        st.button("Load the sample registry", key="load_sample", type="primary", on_click=_load_sample,
                  disabled=not current_actor().can_edit,
                  icon=":material/dataset:")
        st.page_link("pages/registry.py", label="Go to the Registry page to import a CSV",
                     icon=":material/upload_file:")
    st.stop()

with plain_errors():
    headline = headline_figures(analysis)
    rows = duplicated_by_cluster(analysis)
    layout = system_map(analysis)
currency = analysis.settings.currency
status_text = " · ".join(f"{count} {status}" for status, count in headline.by_status)

count_cards = (
    ("Integrations", headline.integrations, f"{headline.live} live · {headline.planned} proposed or building",
     f"Every row of the registry: {status_text}."),
    ("Teams", headline.teams, "own at least one integration", "Teams named as owner of an integration."),
    ("Systems", headline.systems, f"{headline.system_spellings} spellings, aliases merged",
     "Distinct systems once known aliases are merged (SFDC and Salesforce.com count as Salesforce)."),
    ("Unowned", headline.unowned, "no named person responsible",
     "Integrations that run or are planned but have no named owner: nobody is called when they break."),
    ("Overlap clusters", headline.clusters, f"{headline.integrations_in_clusters} integrations involved",
     "Groups of integrations that do the same job: same data between the same systems."),
)
for column, (label, value, note, help_text) in zip(st.columns(len(count_cards)), count_cards):
    with column.container(border=True):
        st.metric(label, f"{value:,}", help=help_text)
        st.caption(escape_markdown(note))

money = st.columns(3)
with money[0].container(border=True):
    st.metric("Total run-rate per month (likely)", format_money(headline.monthly_run_rate.likely, currency),
              help="Maintenance hours × hourly rate + tool costs + reconciliation time, for everything not retired.")
    st.caption(escape_markdown(f"Range {format_money_range(headline.monthly_run_rate, currency, '/ month')}"))
with money[1].container(border=True):
    st.metric("Duplicated run-rate per month (likely)",
              format_money(headline.duplicated_monthly_run_rate.likely, currency),
              help="What the integrations a cluster would not keep cost each month "
                   "(every cluster member except its survivor).")
    st.caption(escape_markdown(
        f"Range {format_money_range(headline.duplicated_monthly_run_rate, currency, '/ month')} · "
        f"{headline.duplicated_share:.0%} of the total run-rate"))
with money[2].container(border=True):
    st.metric("Duplication per year (likely)", format_money(headline.annualised_waste.likely, currency),
              help="12 × the duplicated monthly run-rate: what keeping every duplicate costs over a year.")
    st.caption(escape_markdown(f"Range {format_money_range(headline.annualised_waste, currency, '/ year')}"))

colours = cluster_colours(r.cluster_id for r in rows)
if rows:
    drawn, rest = chart_rows(rows)
    st.plotly_chart(cluster_bar_chart(drawn, colours, currency), key="overview_clusters_chart",
                    config={"displayModeBar": False}, theme=None)
    if rest:
        st.caption(escape_markdown(undrawn_clusters_text(rest, currency)))
    st.subheader("What to do first", anchor=False)
    st.caption("The clusters that duplicate the most, each with its recommendation: the cheapest of keeping all, "
               "merging and centralizing over the horizon, unless a stated rule says otherwise.")
    with plain_errors():
        moves = recommended_moves(analysis)
    for column, (row, move) in zip(st.columns(len(moves)), moves):
        with column:
            st.markdown(f"**{escape_markdown(row.route)}** · {escape_markdown(row.cluster_id)}")
            show_recommendation(move, "overview")
            see_cluster_link(row.cluster_id, "overview", label="See this cluster on Overlaps")
    st.page_link("pages/overlaps.py", label="Review each cluster, its evidence and which integration to keep",
                 icon=":material/arrow_forward:")
else:
    st.success("No overlaps found: no two integrations move the same data between the same systems.",
               icon=":material/check_circle:")

with plain_errors():
    trend = trend_chart(get_engine(), tracked_decisions(get_engine(), date.today(), analysis=analysis), currency)
if trend is not None:
    st.plotly_chart(trend, key="overview_trend_chart", config={"displayModeBar": False}, theme=None)
    st.caption("Every import and edit leaves a dated point; each line steps at the moment a change was saved. "
               "The Decisions page follows each decision to done.")
else:
    st.caption("The trend over time starts with the next import or edit: each one leaves a dated point.")

st.plotly_chart(system_map_chart(layout, colours, {r.cluster_id: r.route for r in rows}), key="overview_system_map",
                config={"displayModeBar": False}, theme=None)
if layout.hidden_systems:
    st.caption(f"Showing the {len(layout.nodes)} systems on overlap clusters or with the most integrations; "
               f"{layout.hidden_systems:,} less connected systems are left off so the map stays readable.")
if layout.uncoloured_clusters:
    st.caption(f"The largest clusters are drawn in colour; {layout.uncoloured_clusters:,} smaller ones are drawn as "
               "ordinary lines, and only the busiest lines carry their ×N. Every cluster is on the Overlaps page.")
st.caption(
    "Each dot is a system (number of integrations in brackets); each line is one or more integrations between two "
    "systems, ×N says how many. Thick coloured lines are overlap clusters: integrations doing the same job. "
    "Point at the middle of a line to see which integrations it stands for."
)
