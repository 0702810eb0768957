"""Integration governance dashboard: only the router; every page lives in pages/."""

from pathlib import Path

import streamlit as st

# The favicon ships with the app: a ":material/..." page icon is fetched from Google's font host, which fails offline.
FAVICON = Path(__file__).resolve().parent / "assets" / "favicon.png"
st.set_page_config(page_title="Integration Governance", page_icon=str(FAVICON), layout="wide")

PAGES = {
    "Analyse": [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("pages/overlaps.py", title="Overlaps", icon=":material/join_inner:"),
        st.Page("pages/tco.py", title="TCO snapshot", icon=":material/payments:"),
    ],
    "Registry": [
        st.Page("pages/registry.py", title="Registry", icon=":material/table_view:"),
        st.Page("pages/history.py", title="History", icon=":material/history:"),
    ],
    "Decide": [
        st.Page("pages/score.py", title="Score", icon=":material/balance:"),
        st.Page("pages/session.py", title="Diagnostic session", icon=":material/timer:"),
        st.Page("pages/decisions.py", title="Decisions", icon=":material/task_alt:"),
    ],
    "Configure": [
        st.Page("pages/settings.py", title="Settings", icon=":material/settings:"),
    ],
}

navigation = st.navigation(PAGES)
# Imported after st.navigation: pages._ui switches off legacy pages/ discovery when it is still on.
from pages._style import render_projector_toggle  # noqa: E402
from pages._ui import render_identity  # noqa: E402

with st.sidebar:
    st.markdown("**Integration Governance**")
    st.caption("Find what your teams built twice, price it, decide what to keep.")
# Local mode: "Your name"; team mode: who is signed in, their role, log out (or the sign-in screen).
render_identity()
render_projector_toggle()  # the shared CSS too: projector mode (large type, nothing cut off) when it is on
navigation.run()
