"""The floor under the browser targets: Streamlit alone, a title and a slider (bench/browser.py)."""

import streamlit as st

st.set_page_config(page_title="Floor", layout="wide")
st.title("Streamlit alone")
st.caption("No registry, no chart, no database: what any page of any Streamlit app costs on this machine.")
value = st.slider("A weight", 0.0, 10.0, 5.0, 0.5, key="floor_slider")
st.write(f"The weight is {value}.")
