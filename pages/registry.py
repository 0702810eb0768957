"""Registry page: the integrations the company runs, as stored in the database."""

import streamlit as st

from core.store import load_integrations
from core.registry_csv import write_registry_csv
from pages._ui import get_engine

st.title("Registry")
st.caption("Every integration your teams run or plan, one row each. Edit the CSV and import it with `igov import`.")

integrations = load_integrations(get_engine())
if not integrations:
    st.info("The registry is empty. Import a CSV with `igov import FILE`.")
else:
    import io
    import pandas as pd

    frame = pd.read_csv(io.StringIO(write_registry_csv(integrations)), dtype=str, keep_default_na=False)
    st.dataframe(frame, hide_index=True, width="stretch")
