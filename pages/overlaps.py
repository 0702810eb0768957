"""Overlaps page: clusters of integrations doing the same job, their cost, evidence, and which one to keep."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from core.services.overlaps import (ClusterRow, add_alias, chart_rows, cluster_members_reading_rows,
    cluster_members_table, cluster_title, cumulative_waste, duplicated_by_cluster, duplicated_by_team,
    duplication_slider_max, error_bars, filter_clusters, keep_in_cluster, normalize_key, page_label, page_of, paginate,
    survivor_candidates, undrawn_clusters_text)
from core.wording import (INK, PRIMARY, cluster_colours, escape_html, escape_markdown, format_money,
    format_money_range, plural, translucent)
from pages._links import CLUSTER_PARAM, cluster_block_key, scroll_to_cluster, show_back_link
from pages._style import projector_on, show_table
from pages._ui import (act, ask_name_first, brief_memo_downloads, current_actor, get_analysis, get_engine, page_header,
    plain_errors, show_recommendation)

BAND = translucent(PRIMARY, 0.18)
FONT = dict(family="Source Sans, Arial, sans-serif", size=16, color=INK)
TEAMS_KEY, MIN_KEY, HORIZON_KEY = "overlaps_teams", "overlaps_min_duplicated", "overlaps_horizon"
# The cluster list is shown a page at a time. PAGE_STORE (not a widget) is the page shown, kept when the
# user visits another page of the app; PAGE_KEY is the page picker. JUMP_KEY asks, once, for the page
# holding a cluster (a ?cluster=CL-INT-015 link, a survivor just saved); OPEN_STORE is a cluster to open, once.
PAGE_KEY, PAGE_STORE = "overlaps_page", "_overlaps_page_saved"
JUMP_KEY, OPEN_STORE = "_overlaps_jump", "_overlaps_open"
FIRST = "first"  # OPEN_STORE for "open the first cluster of the page shown"
WHOLE_PAGE_KEY = "_overlaps_whole_page"  # set by a choice in the list that changes what the whole page shows
CHART_CONFIG = {"displayModeBar": False}


def survivor_key(cluster_id: str) -> str:
    return f"survivor_{cluster_id}"


def alias_button_key(kind: str, name: str, similar_to: str) -> str:
    return f"add_alias_{kind}_{normalize_key(name)}_{normalize_key(similar_to)}"


def _style(fig: go.Figure, title: str, height: int) -> go.Figure:
    """Projector-friendly defaults: large type, a title, no clutter."""
    fig.update_layout(
        title=dict(text=title, font=dict(size=21, color=INK), x=0, xanchor="left"),
        font=FONT, height=height, margin=dict(l=10, r=90, t=60, b=60), showlegend=False,
        hoverlabel=dict(font_size=15), plot_bgcolor="white", paper_bgcolor="white",
    )
    return fig


def _money_axis(fig: go.Figure, axis: str, title: str, currency: str) -> None:
    update = fig.update_xaxes if axis == "x" else fig.update_yaxes
    update(title_text=title, tickprefix=currency, tickformat=",.0f", gridcolor="#e6ebf0", rangemode="tozero",
           zeroline=True, zerolinecolor="#9aa7b4")


def _bar_chart(labels, ranges, colours, currency, hover, title, axis_title) -> go.Figure:
    """Horizontal bars at the likely value, whiskers from low to high, the likely figure written beside."""
    above, below = error_bars(ranges)
    fig = go.Figure(go.Bar(
        x=[r.likely for r in ranges], y=labels, orientation="h", width=0.6, marker=dict(color=colours),
        error_x=dict(type="data", array=above, arrayminus=below, color=INK, thickness=2, width=10),
        hovertext=hover, hoverinfo="text",
    ))
    fig.add_trace(go.Scatter(
        x=[r.high for r in ranges], y=labels, mode="text", hoverinfo="skip",
        text=[f"  {format_money(r.likely, currency)}" for r in ranges], textposition="middle right",
        textfont=dict(size=16, color=INK), cliponaxis=False,
    ))
    _money_axis(fig, "x", axis_title, currency)
    fig.update_yaxes(autorange="reversed", automargin=True, tickfont=dict(size=15), ticks="outside", ticklen=10,
                     tickcolor="rgba(0,0,0,0)")
    return _style(fig, title, 130 + 80 * len(labels))


def cluster_chart(rows: list[ClusterRow], colours: dict[str, str], currency: str) -> go.Figure:
    return _bar_chart(
        [f"<b>{escape_html(r.route)}</b><br>{escape_html(r.member_summary)}" for r in rows],
        [r.duplicated for r in rows],
        [colours.get(r.cluster_id, PRIMARY) for r in rows],
        currency,
        [f"<b>{escape_html(r.cluster_id)}</b> · {plural(len(r.members), 'integration')}<br>Duplicated: "
         f"{escape_html(format_money_range(r.duplicated, currency, '/ month'))}" for r in rows],
        "Duplicated run-rate by overlap cluster",
        f"{currency} per month · bar = likely, whisker = low to high",
    )


def team_chart(teams, currency: str) -> go.Figure:
    return _bar_chart(
        [escape_html(t.team) for t in teams],
        [t.duplicated_monthly_run_rate for t in teams],
        [PRIMARY] * len(teams),
        currency,
        [f"<b>{escape_html(t.team)}</b><br>Pays for duplicates: "
         f"{escape_html(format_money_range(t.duplicated_monthly_run_rate, currency, '/ month'))}"
         f"<br>Runs {plural(t.integrations, 'integration')}: "
         f"{escape_html(format_money_range(t.monthly_run_rate, currency, '/ month'))}"
         for t in teams],
        "Who pays for the duplicates",
        f"{currency} per month · bar = likely, whisker = low to high",
    )


def waste_chart(waste, currency: str) -> go.Figure:
    months = list(range(len(waste)))
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=months, y=[r.high for r in waste], mode="lines", line=dict(width=0),
                             hoverinfo="skip", name="high"))
    fig.add_trace(go.Scatter(x=months, y=[r.low for r in waste], mode="lines", line=dict(width=0), fill="tonexty",
                             fillcolor=BAND, hoverinfo="skip", name="low"))
    fig.add_trace(go.Scatter(
        x=months, y=[r.likely for r in waste], mode="lines", line=dict(color=PRIMARY, width=4), name="likely",
        hovertext=[f"After {plural(m, 'month')}: {escape_html(format_money_range(r, currency))}"
                   for m, r in zip(months, waste)],
        hoverinfo="text",
    ))
    fig.update_xaxes(title_text="Months from today", gridcolor="#e6ebf0", automargin=True,
                     dtick=3 if len(months) <= 25 else 12, rangemode="tozero")
    _money_axis(fig, "y", f"Spent on duplicates ({currency})", currency)
    fig.update_yaxes(automargin=True)
    _style(fig, "Cost of keeping every duplicate, month by month", 480)
    fig.update_layout(title_subtitle_text="Line = likely, shaded band = low to high", title_subtitle_font_size=15,
                      margin=dict(l=10, r=20, t=105, b=60))
    return fig


# --- Actions (run before the page reruns) ------------------------------------------------------------

def _save_survivor(cluster_id: str) -> None:
    chosen = st.session_state[survivor_key(cluster_id)]
    if act(keep_in_cluster, get_engine(), get_analysis(), cluster_id, chosen, actor=current_actor(),
           done=escape_markdown(f"Saved: {cluster_id} now keeps {chosen}.")):
        st.session_state[JUMP_KEY] = cluster_id  # its rank may change: follow it to its new page
        st.session_state[WHOLE_PAGE_KEY] = True  # and the charts above change with it


def cluster_open_key(cluster_id: str) -> str:
    return f"overlaps_open_{cluster_id}"


def _go_to_page(number: int) -> None:
    st.session_state[PAGE_STORE] = number
    st.session_state[OPEN_STORE] = FIRST


def _on_page_picked() -> None:
    _go_to_page(st.session_state[PAGE_KEY])


def _pager(page, where: str) -> None:
    """Previous / next buttons around the page picker (top) or the page's label (bottom)."""
    with st.container(horizontal=True, vertical_alignment="center", key=f"overlaps_pager_{where}"):
        st.button("Previous", key=f"overlaps_previous_{where}", icon=":material/chevron_left:",
                  disabled=not page.has_previous, on_click=_go_to_page, args=(page.number - 1,),
                  help=f"Clusters {page_label(page.number - 1, page.total, page.size)}" if page.has_previous else None)
        if where == "top":
            st.session_state[PAGE_KEY] = page.number
            st.selectbox("Clusters listed", range(page.count), key=PAGE_KEY, on_change=_on_page_picked,
                         format_func=lambda n: f"Clusters {page_label(n, page.total, page.size)}",
                         label_visibility="collapsed", width=260)
        else:
            st.markdown(f"Clusters {page.label}", width="content")
        st.button("Next", key=f"overlaps_next_{where}", icon=":material/chevron_right:",
                  disabled=not page.has_next, on_click=_go_to_page, args=(page.number + 1,),
                  help=f"Clusters {page_label(page.number + 1, page.total, page.size)}" if page.has_next else None)


def _add_alias(kind: str, name: str, similar_to: str) -> None:
    act(add_alias, get_engine(), kind, name, similar_to, actor=current_actor(),
        done=escape_markdown(f"Saved: '{name}' now counts as '{similar_to}'. Clusters are updated."))


# --- The page --------------------------------------------------------------------------------------

page_header(
    "Overlaps",
    "Groups of integrations that do the same job, most expensive first: the evidence, who is involved, "
    "and which one each group should keep.",
)

show_back_link()  # reached by a "See cluster" link: the way back to where the person was
with plain_errors():
    analysis = get_analysis()
currency = analysis.settings.currency
actor = current_actor()
ask_name_first()

if not analysis.integrations:
    st.info("**The registry is empty**, so there is nothing to compare yet. Load the sample or import a CSV first.",
            icon=":material/inbox:")
    st.page_link("pages/overview.py", label="Overview: load the sample registry", icon=":material/dataset:")
    st.page_link("pages/registry.py", label="Registry: import your own CSV", icon=":material/upload_file:")
    st.stop()

colours = cluster_colours(c.id for c in analysis.clusters)

# Name variants first: an unmerged spelling can hide an overlap.
if analysis.suggestions:
    with st.container(border=True):
        st.markdown("#### Names that may mean the same thing")
        st.caption("If two spellings are one system or data object, add the alias: matching then treats them as one, "
                   "and any overlap they hid appears below. If they are different, leave them.")
        for s in analysis.suggestions:
            text, action = st.columns([5, 1], vertical_alignment="center")
            text.markdown(f"**{escape_markdown(s.name)}** → **{escape_markdown(s.similar_to)}** "
                          f"({s.kind}, {s.similarity:.0f}% similar)  \n"
                          f":gray[{escape_markdown(s.reason)}]")
            action.button("Add alias", key=alias_button_key(s.kind, s.name, s.similar_to), icon=":material/add_link:",
                          on_click=_add_alias, args=(s.kind, s.name, s.similar_to), disabled=not actor.is_admin,
                          help=escape_markdown(f"Save '{s.name}' as another name for '{s.similar_to}'.")
                          if actor.is_admin else "Only admins can add aliases.")

if not analysis.clusters:
    st.success("**No overlaps found.** No two integrations move the same data between the same systems "
               "(or feed the same consumers closely enough to count).", icon=":material/check_circle:")
    st.stop()

# Filters kept from an earlier run must still fit this analysis (a team may be gone, the top may be lower).
top = duplication_slider_max(analysis)
if TEAMS_KEY in st.session_state:
    st.session_state[TEAMS_KEY] = [t for t in st.session_state[TEAMS_KEY] if t in analysis.teams]
if st.session_state.get(MIN_KEY, 0.0) > top:
    st.session_state[MIN_KEY] = top

# A cluster asked for by a link (?cluster=CL-INT-015) or by an action: shown even if the filters hid it.
if linked := st.query_params.get(CLUSTER_PARAM):
    st.session_state[JUMP_KEY] = linked.strip()
    del st.query_params[CLUSTER_PARAM]  # followed once: paging on from here is the user's
jump = st.session_state.pop(JUMP_KEY, None)
if jump is not None:
    if jump not in {c.id for c in analysis.clusters}:
        st.warning(f"There is no overlap cluster {escape_markdown(jump)} now: its integrations may have changed, "
                   "or it was merged into another cluster. The clusters found today are listed below.",
                   icon=":material/search_off:")
        jump = None
    elif jump not in {c.id for c in filter_clusters(analysis, st.session_state.get(TEAMS_KEY, ()),
                                                       st.session_state.get(MIN_KEY, 0.0))}:
        st.session_state[TEAMS_KEY], st.session_state[MIN_KEY] = [], 0.0
        st.toast(escape_markdown(f"Filters cleared to show {jump}."), icon=":material/filter_alt_off:")
with st.container(border=True):
    team_col, money_col = st.columns(2)
    teams = team_col.multiselect("Show clusters involving these teams", analysis.teams, key=TEAMS_KEY,
                                 placeholder="All teams", on_change=_go_to_page, args=(0,))
    minimum = money_col.slider(f"Only clusters duplicating at least ({currency} per month, likely)", 0.0, top,
                               key=MIN_KEY, step=500.0, format=f"{currency.replace('%', '%%')}%d",
                               on_change=_go_to_page, args=(0,))
with plain_errors():
    shown = filter_clusters(analysis, teams, minimum)
    rows = duplicated_by_cluster(analysis, shown)

st.markdown(f"**{len(shown)} of {len(analysis.clusters)} overlap clusters shown**, most duplicated run-rate first.")
if not shown:
    st.info("No cluster matches these filters. Clear the team filter or lower the minimum.",
            icon=":material/filter_alt_off:")
else:
    drawn, rest = chart_rows(rows)
    st.plotly_chart(cluster_chart(drawn, colours, currency), key="overlaps_clusters_chart", config=CHART_CONFIG,
                    theme=None)
    if rest:
        st.caption(escape_markdown(undrawn_clusters_text(rest, currency) + " All are listed below."))

# The list, a page at a time (every cluster on every run is too slow at thousands of integrations).
ids = [c.id for c in shown]
if jump is not None and (holding := page_of(ids, jump)) is not None:
    st.session_state[PAGE_STORE], st.session_state[OPEN_STORE] = holding, jump

def render_cluster_body(cluster) -> None:
    """What an open cluster shows: its recommendation, members, evidence, people, costs and the one it keeps."""
    with plain_errors():
        table = cluster_members_table(analysis, cluster.id)
        candidates = survivor_candidates(analysis, cluster.id)
        recommendation = analysis.recommendation(cluster.id)
    show_recommendation(recommendation, "overlaps")
    if projector_on():  # eleven columns do not fit at 18 px on a 1280 px screen: six, two facts each
        show_table(cluster_members_reading_rows(table))
    else:
        show_table(table, column_config={"Name": st.column_config.TextColumn(width="large")})
    # The long "INT-015 · name" choices need the whole width (on a projector, or a laptop's 1280 px): the choice goes
    # under the rest.
    why, who, keep = (*st.columns(2, gap="large"), st.container())
    with why:
        st.markdown("**Why they look like the same job**")
        st.markdown("\n".join(f"- {escape_markdown(sentence)}" for sentence in cluster.evidence))
        st.markdown(f"**Shared data:** {escape_markdown(', '.join(cluster.shared_objects) or 'none in common')}  \n"
                    f"**Systems:** {escape_markdown(', '.join(cluster.systems))}")
    with who:
        st.markdown("**Who is involved**")
        st.markdown(f"**Teams:** {escape_markdown(', '.join(cluster.teams))}  \n"
                    f"**Owners:** {escape_markdown(', '.join(cluster.owners) or 'nobody named')}")
        if cluster.unowned:
            st.markdown(f":orange[**No owner:** {escape_markdown(', '.join(cluster.unowned))}]")
        st.markdown(f"**Together they cost** "
                    f"{escape_markdown(format_money_range(cluster.total_monthly_run_rate, currency, '/ month'))}")
    with keep:
        survivor = analysis.integration(cluster.survivor)
        chosen_by = "chosen by the group" if cluster.survivor_is_explicit else "suggested"
        st.markdown(f"**Keep {escape_markdown(cluster.survivor)}** ({chosen_by})  \n"
                    f"{escape_markdown(survivor.name)}")
        st.caption(escape_markdown(f"Why: {cluster.survivor_reason}."))
        key = survivor_key(cluster.id)
        st.session_state[key] = cluster.survivor  # always show what is saved, even if someone else changed it
        st.selectbox(
            "Keep a different one", candidates, key=key, disabled=not actor.can_edit,
            format_func=lambda i: f"{i} · {analysis.integration(i).name}",
            on_change=_save_survivor, args=(cluster.id,),
            help="Saved for everyone as soon as you pick. Only integrations that run can be kept: "
                 "a proposal cannot replace one that runs.",
        )
    brief_memo_downloads(cluster_id=cluster.id, where="overlaps")


@st.fragment
def render_cluster_list(shown) -> None:
    """The list, a page at a time, with only the open clusters' bodies drawn.

    A fragment: paging and opening a cluster rerun only the list, not the charts around it (redrawing those was most
    of the wait in the browser). A choice that changes the ranking (a survivor kept) reruns the whole page.
    """
    if st.session_state.pop(WHOLE_PAGE_KEY, False):
        st.rerun(scope="app")
    ids = [c.id for c in shown]
    page = paginate(len(shown), st.session_state.get(PAGE_STORE, 0))
    st.session_state[PAGE_STORE] = page.number
    listed = shown[page.start:page.stop]
    # Which cluster to open, once: the one a link or an action asked for, else the first of a page shown anew.
    # Otherwise each expander stays as the person left it (closing one from here would leave the browser's copy
    # open and empty).
    to_open = st.session_state.pop(OPEN_STORE, None)
    if to_open is None and listed and not any(cluster_open_key(c.id) in st.session_state for c in listed):
        to_open = FIRST  # the page's first showing
    if to_open == FIRST or (to_open is not None and to_open not in ids[page.start:page.stop]):
        to_open = listed[0].id if listed else None
    if page.count > 1:
        _pager(page, "top")
    for cluster in listed:
        open_key = cluster_open_key(cluster.id)
        if cluster.id == to_open or open_key not in st.session_state:
            st.session_state[open_key] = cluster.id == to_open
        with st.container(key=cluster_block_key(cluster.id)), st.expander(
                escape_markdown(cluster_title(analysis, cluster)), key=open_key, on_change="rerun",
                icon=":material/content_copy:") as box:
            if box.open:
                render_cluster_body(cluster)
    if page.count > 1:
        _pager(page, "bottom")


render_cluster_list(shown)
if jump is not None:  # a link or an action asked for this cluster: bring it on screen
    scroll_to_cluster(jump)

st.divider()
st.subheader("Who pays, and what it adds up to")
teams_paying = duplicated_by_team(analysis)
team_col, time_col = st.columns(2, gap="large")
with team_col:
    if teams_paying:
        st.plotly_chart(team_chart(teams_paying, currency), key="overlaps_team_chart", config=CHART_CONFIG, theme=None)
        st.caption("Each team pays for its integrations that a cluster would not keep. "
                   "Teams not shown pay for no duplicate.")
    else:
        st.info("No team pays for a duplicate.", icon=":material/check_circle:")
with time_col:
    months = st.slider("Months ahead", 1, 120, analysis.settings.horizon_months, key=HORIZON_KEY,
                       help="Starts at the horizon set on the Settings page.")
    with plain_errors():
        waste = cumulative_waste(analysis, months)
    st.plotly_chart(waste_chart(waste, currency), key="overlaps_waste_chart", config=CHART_CONFIG, theme=None)
    st.caption(escape_markdown(f"After {months} months, keeping every duplicate costs "
                      f"{format_money_range(waste[-1], currency)}, for the whole registry (filters do not apply)."))
