"""Settings page: the assumptions behind every number, the rubric, and the name aliases."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.errors import GovernanceError
from core.rubric import CRITERIA, RubricConfig
from core.settings import Settings
from core.store import (
    load_alias_pairs,
    load_saved_rubric,
    load_settings,
    reset_settings,
    save_alias_tables,
    save_rubric,
    save_settings,
)
from pages._ui import current_user, get_engine, page_header

page_header(
    "Settings",
    "The assumptions every figure depends on. Changes apply to every page at once and are saved "
    "for everyone using this registry.",
)
engine = get_engine()
settings = load_settings(engine)
rubric = load_saved_rubric(engine)

# ------------------------------------------------------------------ costs
with st.form("settings_costs"):
    st.subheader("Costs and analysis")
    c1, c2, c3, c4 = st.columns(4)
    currency = c1.text_input("Currency symbol", settings.currency, key="set_currency", max_chars=4)
    rate_low = c2.number_input("Hourly rate: low", value=float(settings.hourly_rate_low), min_value=0.0, step=5.0, key="set_rate_low")
    rate_likely = c3.number_input("Hourly rate: likely", value=float(settings.hourly_rate_likely), min_value=0.0, step=5.0, key="set_rate_likely")
    rate_high = c4.number_input("Hourly rate: high", value=float(settings.hourly_rate_high), min_value=0.0, step=5.0, key="set_rate_high")
    d1, d2, d3 = st.columns(3)
    horizon = d1.number_input("Default horizon (months)", value=settings.horizon_months, min_value=1, max_value=120, step=1, key="set_horizon")
    threshold = d2.slider("Overlap threshold", 0.05, 1.0, float(settings.overlap_threshold), 0.05, key="set_threshold",
                          help="Pairs scoring at or above this are linked into clusters. Same objects on the same route always are.")
    include_retired = d3.checkbox("Include retired integrations in overlap detection", settings.include_retired, key="set_retired")
    organisation = st.text_input("Company or registry name (printed on PDFs)", settings.organisation, key="set_organisation", max_chars=80)
    st.caption("The hourly rate applies wherever a registry row gives no rate of its own.")
    if st.form_submit_button("Save costs and analysis", type="primary"):
        try:
            new = Settings(organisation=organisation.strip(), currency=currency.strip(), hourly_rate_low=rate_low, hourly_rate_likely=rate_likely,
                           hourly_rate_high=rate_high, horizon_months=int(horizon), overlap_threshold=float(threshold),
                           include_retired=include_retired)
        except GovernanceError as error:
            st.error(f"Not saved: {error}")
        else:
            save_settings(engine, new, updated_by=current_user())
            st.toast("Settings saved.")
            st.rerun()

# ------------------------------------------------------------------ rubric
with st.form("settings_rubric"):
    st.subheader("Decision rubric")
    st.caption("Weights say how much each criterion counts (0 = ignored, 10 = decisive). The Score page starts from these.")
    columns = st.columns(3)
    weights = {
        criterion.name: columns[n % 3].slider(criterion.label, 0.0, 10.0, float(rubric.weights[criterion.name]), 0.5,
                                              key=f"set_weight_{criterion.name}", help=criterion.description)
        for n, criterion in enumerate(CRITERIA)
    }
    t1, t2, t3 = st.columns(3)
    proceed_below = t1.number_input("Proceed when the score is below", value=float(rubric.proceed_below), min_value=0.0, max_value=5.0, step=0.05, key="set_proceed_below")
    hold_below = t2.number_input("Hold when the score is below", value=float(rubric.hold_below), min_value=0.0, max_value=5.0, step=0.05, key="set_hold_below",
                                 help="At or above this, the verdict is merge, centralize or retire.")
    centralize_min_teams = t3.number_input("Centralize when a cluster spans at least (teams)", value=int(rubric.centralize_min_teams), min_value=2, step=1, key="set_min_teams")
    if st.form_submit_button("Save rubric", type="primary"):
        try:
            new_rubric = RubricConfig(
                weights=weights, proceed_below=proceed_below, hold_below=hold_below,
                centralize_min_teams=int(centralize_min_teams), duplicated_run_rate_for_5=rubric.duplicated_run_rate_for_5,
                reconciliation_hours_for_5=rubric.reconciliation_hours_for_5, people_for_5=rubric.people_for_5,
            )
        except GovernanceError as error:
            st.error(f"Not saved: {error}")
        else:
            save_rubric(engine, new_rubric, updated_by=current_user())
            st.toast("Rubric saved.")
            st.rerun()

# ------------------------------------------------------------------ aliases
st.subheader("Name aliases")
st.caption("Different spellings of the same system or data object (SFDC = Salesforce). Overlaps are found "
           "across aliases; plural and upper/lower case differences are handled without an alias.")
pairs = load_alias_pairs(engine)
a1, a2 = st.columns(2)
alias_config = {"alias": st.column_config.TextColumn("Spelling in the registry", required=True),
                "canonical": st.column_config.TextColumn("Means", required=True)}
systems_frame = a1.data_editor(pd.DataFrame(list(pairs.systems), columns=["alias", "canonical"]), num_rows="dynamic",
                               hide_index=True, key="set_system_aliases", column_config=alias_config, width="stretch")
objects_frame = a2.data_editor(pd.DataFrame(list(pairs.objects), columns=["alias", "canonical"]), num_rows="dynamic",
                               hide_index=True, key="set_object_aliases", column_config=alias_config, width="stretch")
a1.caption("Systems")
a2.caption("Data objects")
if st.button("Save aliases", type="primary", key="set_save_aliases"):
    try:
        save_alias_tables(
            engine,
            systems=[(r["alias"] or "", r["canonical"] or "") for r in systems_frame.to_dict("records")],
            objects=[(r["alias"] or "", r["canonical"] or "") for r in objects_frame.to_dict("records")],
            updated_by=current_user(),
        )
    except GovernanceError as error:
        st.error(f"Aliases not saved: {error}")
    else:
        st.toast("Aliases saved.")
        st.rerun()

# ------------------------------------------------------------------ reset
st.divider()
with st.container(border=True):
    st.markdown("**Reset to defaults**: costs, rubric and aliases go back to the shipped values. The registry is not touched.")
    confirm = st.checkbox("Yes, reset every setting on this page", key="set_reset_confirm")
    if st.button("Reset to defaults", disabled=not confirm, key="set_reset"):
        reset_settings(engine, updated_by=current_user())
        for key in [k for k in st.session_state if str(k).startswith("set_")]:
            del st.session_state[key]
        st.toast("Defaults restored.")
        st.rerun()
