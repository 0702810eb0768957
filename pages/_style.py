"""The app's look in one place: shared CSS, and projector mode (large type, dark captions, nothing cut off)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from core.wording import escape_markdown

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

PROJECTOR_KEY = "projector_mode"  # the sidebar toggle
PROJECTOR_STORE = "_projector_mode_saved"  # kept when the person moves to another page (widget state is not)
PROJECTOR_PARAM = "projector"  # ?projector=1 keeps it on across a refresh or in a shared link

# Always on: the Score page's "what drives the score" bars (plain HTML, drawn at once), and nothing cut off.
BASE_CSS = """
.igov-drivers { margin: 4px 0 12px 0; }
.igov-drivers-title { font-size: 1.25rem; font-weight: 600; margin-bottom: 8px; }
.igov-driver { display: grid; grid-template-columns: minmax(9rem, 15rem) 1fr 8.5rem; gap: 10px;
  align-items: center; margin: 5px 0; }
.igov-driver-label { font-size: 1rem; line-height: 1.2; }
.igov-driver-track { background: #e5e7eb; border-radius: 4px; height: 1.35rem; }
.igov-driver-bar { height: 100%; border-radius: 4px; min-width: 2px; }
.igov-driver-value { font-size: 1rem; font-variant-numeric: tabular-nums; white-space: nowrap; }
.igov-drivers-axis { font-size: 0.9rem; color: #374151; margin-top: 6px; }
/* Columns holding a figure, a field or a button with words keep room for them: on a 1280 px screen (at 18 px in
   projector mode all the more) they go under one another instead of cutting "Create session" to "Cr…" or a sum of
   money to "$126,0…" (rows of columns already wrap; this says when). Icon-only buttons (edit, delete, add) have no
   words to cut: their narrow columns stay beside what they act on. */
[data-testid="stColumn"]:has([data-testid="stMetric"], [data-testid="stButton"] [data-testid="stMarkdownContainer"],
  [data-testid="stDownloadButton"] [data-testid="stMarkdownContainer"],
  [data-testid="stFormSubmitButton"] [data-testid="stMarkdownContainer"], [data-testid="stTextInput"],
  [data-testid="stSelectbox"], [data-testid="stMultiSelect"], [data-testid="stCheckbox"], [data-testid="stForm"]) {
  min-width: min(100%, 13rem); }
/* A row ending in a small (tertiary) button, the app's icon-only remove and add buttons, keeps the button on the
   row's line: the other columns give way (a text field scrolls its text) rather than the button dropping under the
   row, away from what it acts on. (":has" cannot nest, so "tertiary" stands for "icon-only" here.) */
[data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"]:last-child [data-testid="stBaseButton-tertiary"]) {
  flex-wrap: nowrap; }
[data-testid="stHorizontalBlock"] > [data-testid="stColumn"]:last-child:has([data-testid="stBaseButton-tertiary"]) {
  flex: 0 0 auto; min-width: 2.5rem; width: auto; }
/* A segmented control (Status: Open, In progress, Done, Dropped) wraps its choices instead of scrolling the last
   one out of sight ("Droppe") */
[data-testid="stButtonGroup"] > div:last-child { flex-wrap: wrap; overflow: visible; }
/* Figure names and values, button words, links and check-box labels wrap rather than end in "…" */
[data-testid="stMetricLabel"] p, [data-testid="stMetricLabel"] .stMarkdownEllipsis, [data-testid="stMetricValue"],
[data-testid="stMetricValue"] *, button p, [data-testid="stPageLink-NavLink"] span,
[data-testid="stPageLink-NavLink"] [data-testid="stMarkdownContainer"], [data-testid="stPageLink-NavLink"] p,
[data-testid="stCheckbox"] label p, [data-testid="stCheckbox"] [data-testid="stMarkdownContainer"] {
  white-space: normal !important; text-overflow: clip !important; overflow: visible !important; }
"""

# Projector mode: everything larger (Streamlit sizes its text in rem), captions and grey text dark, select
# labels and table cells wrapped instead of cut off.
PROJECTOR_CSS = """
html { font-size: 18px !important; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li { font-size: 1.1rem; }
[data-testid="stMetricValue"] [data-testid="stMarkdownContainer"] p { font-size: inherit; }  /* figures stay large */
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p,
[data-testid="stMarkdownContainer"] small, .igov-drivers-axis { color: #111827 !important; opacity: 1 !important; }
[data-testid="stCaptionContainer"] { font-size: 1rem !important; }
[data-testid="stWidgetLabel"] p { color: #111827 !important; }
/* :gray[...] text (the theme's grey, rgb(104, 98, 85)) in the same near-black as the body */
.stMarkdownColoredText[style*="104, 98, 85"] { color: #111827 !important; }
/* Chosen values of selects and the text in inputs, as large as the body */
[data-testid="stSelectbox"] input, [data-testid="stMultiSelect"] input, [data-testid="stTextInput"] input,
[data-testid="stNumberInput"] input, [data-testid="stTextArea"] textarea, [data-testid="stDateInput"] input,
[data-testid="stMultiSelectTag"], [data-testid="stSliderThumbValue"] p { font-size: 1rem !important; }
[data-testid="stTable"] td, [data-testid="stTable"] th { white-space: normal !important; word-break: normal;
  overflow-wrap: anywhere; font-size: 1rem; color: #111827; }
[data-testid="stExpander"] summary p { font-size: 1.15rem; }
.st-key-registry_readable td:first-child, .st-key-registry_readable td:first-child p { white-space: nowrap !important;
  overflow-wrap: normal !important; }
"""


def projector_on() -> bool:
    """Whether projector mode is on for this person (the sidebar toggle, remembered)."""
    return bool(st.session_state.get(PROJECTOR_STORE))


def _on_toggle() -> None:
    st.session_state[PROJECTOR_STORE] = bool(st.session_state.get(PROJECTOR_KEY))


def render_projector_toggle() -> None:
    """The sidebar's projector switch; on, it stays on across pages, a refresh and a shared link (?projector=1)."""
    if PROJECTOR_STORE not in st.session_state:
        st.session_state[PROJECTOR_STORE] = st.query_params.get(PROJECTOR_PARAM) == "1"
    st.session_state[PROJECTOR_KEY] = st.session_state[PROJECTOR_STORE]
    with st.sidebar:
        st.toggle("Projector mode", key=PROJECTOR_KEY, on_change=_on_toggle,
                  help="Larger text, darker captions and nothing cut off, for a shared screen.")
    on = projector_on()
    if on:
        st.query_params[PROJECTOR_PARAM] = "1"
    else:
        st.query_params.pop(PROJECTOR_PARAM, None)
    st.html(f"<style>{BASE_CSS}{PROJECTOR_CSS if on else ''}</style>")


def literal_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell and column name escaped: st.table renders them as Markdown, so a name like
    ``![x](http://host/x.png)`` would be fetched as an image and ``$x^2$`` typeset."""
    return (frame.map(lambda value: escape_markdown(value) if isinstance(value, str) else value)
            .rename(columns=lambda column: escape_markdown(str(column))))


def show_table(frame: pd.DataFrame | Styler | list[dict], *, key: str | None = None,
               column_config: dict | None = None) -> None:
    """A read-only table: sortable and scrollable normally; in projector mode every cell in full, wrapped, and as
    typed (a Styler keeps its styles; they must find their cells by position, the column names are escaped)."""
    if projector_on():
        if isinstance(frame, list):
            frame = pd.DataFrame(frame)
        if isinstance(frame, pd.DataFrame):
            frame = literal_table(frame)
        else:
            frame = literal_table(frame.data).style.use(frame.export())
        st.table(frame, hide_index=True)
    else:
        st.dataframe(frame, hide_index=True, width="stretch", key=key, column_config=column_config)
