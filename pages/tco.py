"""TCO snapshot: one page leaders read — what integrations cost, what duplication wastes, what consolidating saves."""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core.services.analysis import analysis_inputs_token, registry_version
from core.services.exports import snapshot_pdf
from core.services.scoring import saved_rubric
from core.services.tco import (DRAWS, RANGE_NOTE, SEED, all_headline_figures, break_even_sentences,
    capacity_share_of, cluster_choice_label, cluster_table_rows, costliest_clusters, percentile_footnote,
    portfolio_simulation, scenario_series, scenario_table_rows, scenarios_for, tco_assumptions)
from core.wording import (PRIMARY, SCENARIO_COLOURS, WASTE, escape_html, escape_markdown, format_percent, plural,
    translucent)
from pages._links import see_cluster_link
from pages._style import literal_table, projector_on
from pages._ui import (current_database_url, get_analysis, get_engine, organisation_prompt, page_header, plain_errors,
    show_recommendation)

# Widget keys.
CLUSTER_KEY = "tco_cluster"
HORIZON_KEY = "tco_horizon"
PDF_KEY = "tco_pdf"
# Non-widget keys: survive page switches.
CLUSTER_STORE = "tco_cluster_saved"
HORIZON_STORE = "tco_horizon_saved"

TOP_CLUSTERS = 5


def _table(rows: list[dict], alt: str) -> None:
    """A static table that wraps long text (readable on a projector); cells are markdown, so made literal."""
    st.table(literal_table(pd.DataFrame(rows).astype(str)), hide_index=True, alt=alt)


@st.cache_data(max_entries=8, show_spinner=f"Simulating {DRAWS:,} possible outcomes…")
def _portfolio_simulation(url: str, token: str, _analysis):
    # Keyed by the database and the analysis inputs token: any registry or settings change re-simulates.
    return portfolio_simulation(_analysis)


@st.cache_data(max_entries=8, show_spinner="Pricing the biggest clusters…")
def _top_clusters(url: str, token: str, _analysis):
    # The token includes the saved rubric's version, whose team rule the recommendations follow.
    return costliest_clusters(_analysis, TOP_CLUSTERS)


def _on_cluster() -> None:
    st.session_state[CLUSTER_STORE] = st.session_state.get(CLUSTER_KEY)


def _on_horizon() -> None:
    st.session_state[HORIZON_STORE] = st.session_state.get(HORIZON_KEY)


def headline(analysis, simulation) -> None:
    """Six figures, three a row, each with one band and its hours and FTE; P10 – P90 once, in a footnote."""
    settings = analysis.settings
    currency, per_fte = settings.currency, settings.hours_per_fte
    st.caption(escape_markdown(RANGE_NOTE))
    figures = all_headline_figures(analysis.costs, simulation)
    for row in (figures[:3], figures[3:]):
        for column, figure in zip(st.columns(3, gap="medium"), row):
            with column.container(border=True, key=f"tco_figure_{figure.key}"):
                st.metric(figure.label, figure.big(currency))
                st.markdown(f"Range **{escape_markdown(figure.band_text(currency))}**")
                if figure.hours is not None:
                    st.markdown(f"{escape_markdown(figure.hours_text())} · "
                                f"**{escape_markdown(figure.fte_text(per_fte))}**")
                st.caption(escape_markdown(figure.meaning))
    note = percentile_footnote(figures, currency, simulation.draws) if simulation is not None else ""
    if note:
        st.caption(escape_markdown(f"{note} FTE at {per_fte:g} hours a month (Settings)."))
    capacity(analysis)


def _capacity_chart(share) -> go.Figure:
    over = share.over_guideline
    fig = go.Figure(go.Bar(
        x=[share.share.likely * 100], y=["Duplicates"], orientation="h", marker={"color": WASTE if over else PRIMARY},
        error_x={"type": "data", "symmetric": False, "array": [(share.share.high - share.share.likely) * 100],
                 "arrayminus": [(share.share.likely - share.share.low) * 100], "color": "#12263f", "thickness": 2},
        hovertemplate="%{x:.1f}% of capacity (likely)<extra></extra>", width=0.5,
    ))
    guideline = share.guideline * 100
    fig.add_vline(x=guideline, line={"color": "#12263f", "dash": "dash", "width": 2},
                  annotation_text=escape_html(share.guideline_text()), annotation_position="top",
                  annotation_font={"size": 15})
    right = max(guideline * 1.6, share.share.high * 110, 10)
    fig.update_layout(height=190, margin={"l": 10, "r": 30, "t": 50, "b": 50}, font={"size": 15},
                      xaxis={"range": [0, right], "ticksuffix": "%", "title": {"text": "Share of engineering capacity"},
                             "gridcolor": "#e5e7eb"},
                      yaxis={"showticklabels": False}, plot_bgcolor="white", paper_bgcolor="white", showlegend=False)
    return fig


def capacity(analysis) -> None:
    """The share of the team's engineering capacity spent maintaining duplicates, when the capacity is set."""
    share = capacity_share_of(analysis)
    if share is None:
        st.caption("Set the team's engineering capacity in Settings to see the share of it spent maintaining "
                   "duplicates.")
        return
    with st.container(border=True, key="tco_capacity"):
        # The hours are the duplicates' whole monthly hours: maintenance and the manual reconciliation they cause.
        st.markdown(f"**Maintaining and reconciling duplicates takes "
                    f"{escape_markdown(format_percent(share.share.likely))} of the team's engineering capacity**")
        st.markdown(escape_markdown(share.sentence(analysis.settings.hours_per_fte)))
        st.plotly_chart(_capacity_chart(share), key="tco_capacity_chart", config={"displayModeBar": False})


def top_clusters(analysis, token) -> str | None:
    """The table of the most wasteful clusters; returns the id of the most wasteful one."""
    st.subheader("Where the duplication is", anchor=False)
    count = len(analysis.clusters)
    listed = (f"The {plural(count, 'group')} of integrations that copy one another" if count <= TOP_CLUSTERS
              else f"The {TOP_CLUSTERS} of {plural(count, 'group')} of integrations that copy one another "
                   "at the highest monthly cost")
    st.caption(f"{listed}, each with its recommendation: the cheapest of keeping all, merging and centralizing over "
               "the horizon, unless a stated rule says otherwise (the reasons then give the difference in money).")
    with plain_errors():
        rows = _top_clusters(current_database_url(), token, analysis)
    if not rows:
        st.info("No duplicated integrations found at the current overlap threshold.")
        return None
    _table(cluster_table_rows(rows, analysis.settings.currency), "Top clusters by duplicated monthly run-rate")
    return rows[0].cluster_id


def _scenario_chart(comparison, cluster_id: str, currency: str) -> go.Figure:
    fig = go.Figure()
    for series in scenario_series(comparison):
        line = SCENARIO_COLOURS[series.name]
        band = translucent(line, 0.15)
        months = list(series.months)
        fig.add_trace(go.Scatter(x=months, y=list(series.high), mode="lines", line={"width": 0},
                                 hoverinfo="skip", showlegend=False, legendgroup=series.name))
        fig.add_trace(go.Scatter(x=months, y=list(series.low), mode="lines", line={"width": 0}, fill="tonexty",
                                 fillcolor=band, hoverinfo="skip", showlegend=False, legendgroup=series.name))
        fig.add_trace(go.Scatter(
            x=months, y=list(series.likely), mode="lines", name=series.label, legendgroup=series.name,
            line={"color": line, "width": 4, "dash": "dot" if series.name == "keep_all" else "solid"},
            hovertemplate=f"{escape_html(series.label)}<br>month %{{x}}: {escape_html(currency)}%{{y:,.0f}} (likely)"
                          "<extra></extra>",
        ))
    if comparison.break_even_month_merge is not None:
        fig.add_vline(x=comparison.break_even_month_merge, line={"color": SCENARIO_COLOURS["merge"], "dash": "dash"},
                      annotation_text=f"merge pays back: month {comparison.break_even_month_merge}",
                      # On the side with room, so the label is never cut at the chart's edge.
                      annotation_position=("top right" if comparison.break_even_month_merge
                                           <= comparison.horizon_months * 0.55 else "top left"),
                      annotation_font={"size": 16})
    fig.update_layout(
        title={"text": f"Cumulative cost of {escape_html(cluster_id)} over {comparison.horizon_months} months "
                       "(line: likely · band: low – high)", "font": {"size": 20}},
        font={"size": 15}, height=480, margin={"l": 10, "r": 20, "t": 70, "b": 60},
        legend={"orientation": "h", "y": -0.2, "font": {"size": 15}},
        xaxis={"title": {"text": "Months from today", "font": {"size": 16}}, "tickfont": {"size": 15},
               "nticks": 13, "range": [0, comparison.horizon_months],
               "gridcolor": "#e5e7eb"},
        yaxis={"title": {"text": f"Cumulative cost ({currency})", "font": {"size": 16}}, "tickfont": {"size": 15},
               "tickprefix": currency, "tickformat": "~s", "rangemode": "tozero", "gridcolor": "#e5e7eb"},
        plot_bgcolor="white", paper_bgcolor="white", hovermode="x unified",
    )
    return fig


def scenarios(analysis, default_cluster_id: str | None) -> int | None:
    st.subheader("Keep all, merge or centralize?", anchor=False)
    clusters = {c.id: c for c in analysis.clusters}
    if not clusters:
        st.info("No overlap clusters: there is nothing to consolidate at the current overlap threshold.")
        return None
    settings = analysis.settings
    if st.session_state.get(CLUSTER_KEY) not in clusters:
        saved = st.session_state.get(CLUSTER_STORE)
        fallback = default_cluster_id if default_cluster_id in clusters else next(iter(clusters))
        st.session_state[CLUSTER_KEY] = saved if saved in clusters else fallback
    if HORIZON_KEY not in st.session_state:
        st.session_state[HORIZON_KEY] = int(st.session_state.get(HORIZON_STORE) or settings.horizon_months)
    # The long cluster choices take the whole width (a laptop's 1280 px cut them off in a column), the horizon under.
    def _short_label(cluster_id: str) -> str:  # what fits a projector at 1280 px: the id and what it is about
        return " · ".join(cluster_choice_label(clusters[cluster_id], analysis).split(" · ")[:2])

    cluster_id = st.selectbox("Cluster", options=list(clusters), key=CLUSTER_KEY, index=None, on_change=_on_cluster,
                              format_func=_short_label if projector_on() else
                              lambda i: cluster_choice_label(clusters[i], analysis))
    horizon = st.slider("Horizon (months)", min_value=3, max_value=60, step=1, key=HORIZON_KEY,
                        on_change=_on_horizon, help="How far ahead the comparison looks.")
    st.session_state[CLUSTER_STORE], st.session_state[HORIZON_STORE] = cluster_id, horizon
    with plain_errors():
        comparison, simulation = scenarios_for(analysis, cluster_id, horizon)
        recommendation = analysis.recommendation(cluster_id)
    show_recommendation(recommendation, "tco")
    see_cluster_link(cluster_id, "tco", label=f"See {escape_markdown(cluster_id)} on Overlaps: its members, evidence "
                     "and who is involved")
    if horizon != recommendation.horizon_months:
        st.caption(f"The recommendation looks {recommendation.horizon_months} months ahead (the horizon in "
                   f"Settings); the comparison below looks {horizon} months ahead.")
    merge_text, central_text = break_even_sentences(comparison)
    left, right = st.columns(2)
    left.markdown(f"### {escape_markdown(merge_text)}")
    right.markdown(f"### {escape_markdown(central_text)}")
    st.plotly_chart(_scenario_chart(comparison, cluster_id, settings.currency), key="tco_scenario_chart",
                    config={"displayModeBar": False})
    _table(scenario_table_rows(comparison, simulation, settings.currency), f"Scenarios for {cluster_id}")
    st.markdown("**What each scenario assumes**")
    st.markdown("\n".join(f"- **{escape_markdown(s.label)}**: {escape_markdown(s.description)}"
                          for s in (comparison.keep_all, comparison.merge, comparison.centralise)))
    return horizon


head, pdf = st.columns([5, 1], vertical_alignment="bottom")
with head:
    page_header("TCO snapshot", "What the integrations cost, how much of it pays for duplicates, and what "
                "consolidating one group would save. Every figure is a range: low – high, with the likely value.")

with plain_errors():
    analysis = get_analysis()
    # As text: the token may hold database row objects that st.cache_data cannot hash.
    token = repr(analysis_inputs_token(get_engine()))
if not analysis.integrations:
    st.info("The registry is empty: import a CSV on the Registry page to see what it costs.")
    st.stop()
with plain_errors():
    simulation = _portfolio_simulation(current_database_url(), token, analysis)
with pdf:
    engine = get_engine()
    organisation_prompt(analysis.settings, "tco")
    st.download_button(
        "Download PDF", key=PDF_KEY, icon=":material/picture_as_pdf:", width="stretch", mime="application/pdf",
        file_name=f"tco-snapshot-{date.today().isoformat()}.pdf", on_click="ignore",
        help="The one-page snapshot for leaders: the same figures as this page.",
        # Built only when clicked: the page stays fast.
        data=lambda: snapshot_pdf(analysis, rubric=saved_rubric(engine), registry_version=registry_version(engine),
                                  engine=engine),
    )
headline(analysis, simulation)
most_wasteful = top_clusters(analysis, token)
chosen_horizon = scenarios(analysis, most_wasteful)
st.subheader("Assumptions", anchor=False)
st.markdown("\n".join(f"- {escape_markdown(line)}" for line in tco_assumptions(
    analysis, chosen_horizon or analysis.settings.horizon_months, draws=DRAWS, seed=SEED)))
