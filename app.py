"""Integration governance dashboard: only the router; every page lives in pages/."""

import streamlit as st

st.set_page_config(page_title="Integration Governance", page_icon="🔗", layout="wide")

navigation = st.navigation(
    {
        "Registry": [st.Page("pages/registry.py", title="Registry", icon="📋", default=True)],
    }
)
st.sidebar.caption("Integration Governance — find what you built twice, price it, decide.")
navigation.run()
