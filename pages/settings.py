"""Settings page: the assumptions behind every number, the rubric, the name aliases, and who may change what."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from core.errors import EditConflict, GovernanceError
from core.services.settings import (ALIASES_KEY, CRITERIA, ROLES_KEY, RUBRIC_KEY, SETTINGS_KEY, RoleMapping,
    RubricConfig, Settings, load_alias_pairs, load_role_mapping, load_saved_rubric, load_settings, reset_settings,
    save_alias_tables, save_role_mapping, save_rubric, save_settings, setting_version)
from core.wording import escape_message
from pages._ui import (ask_name_first, current_actor, flash, get_engine, page_header, read_only_notice, refuse_unnamed,
                       stop_unnamed, team_mode)

SEEN_KEY = "settings_seen_versions"
CONFLICT_KEY = "settings_conflict"
# The widget whose presence says "this section's widgets still show what was loaded earlier": while it
# exists, the version seen then is kept; when it is gone (first visit, back from another page, reload),
# the widgets are created from the database again and the version is read again.
SENTINELS = {SETTINGS_KEY: "set_horizon", RUBRIC_KEY: "set_proceed_below", ALIASES_KEY: "set_system_aliases",
             ROLES_KEY: "set_role_admins"}

page_header(
    "Settings",
    "The assumptions every figure depends on. Changes apply to every page at once and are saved "
    "for everyone using this registry.",
)
engine = get_engine()
actor = current_actor()
locked = not actor.is_admin
if locked:
    read_only_notice(actor, "change settings: only admins can")
ask_name_first()
settings = load_settings(engine)
rubric = load_saved_rubric(engine)

seen: dict[str, int] = st.session_state.setdefault(SEEN_KEY, {})
for setting_key, sentinel in SENTINELS.items():
    if sentinel not in st.session_state or setting_key not in seen:
        seen[setting_key] = setting_version(engine, setting_key)


def save_section(setting_key: str, save: Callable[[int | None], int], value, expected_version: int | None) -> bool:
    """Save one section if nobody else saved it since it was shown; a conflict is kept to offer reload or overwrite."""
    try:
        seen[setting_key] = save(expected_version)
    except EditConflict as error:
        st.session_state[CONFLICT_KEY] = {"key": setting_key, "message": str(error), "value": value,
                                          "version": setting_version(engine, setting_key)}
        return False
    except GovernanceError as error:
        st.error(escape_message(f"Not saved: {error}"))
        return False
    st.session_state.pop(CONFLICT_KEY, None)
    return True


def _reload(setting_key: str) -> None:
    # Dropping the section's widgets makes the next run create them from the saved values.
    prefixes = {SETTINGS_KEY: ("set_currency", "set_rate_", "set_horizon", "set_threshold", "set_retired",
                               "set_organisation", "set_hours_per_fte", "set_capacity"),
                RUBRIC_KEY: ("set_weight_", "set_proceed_below", "set_hold_below", "set_min_teams"),
                ALIASES_KEY: ("set_system_aliases", "set_object_aliases"),
                ROLES_KEY: ("set_role_",)}[setting_key]
    for key in [k for k in st.session_state if str(k).startswith(prefixes)]:
        del st.session_state[key]
    seen.pop(setting_key, None)
    st.session_state.pop(CONFLICT_KEY, None)


SAVERS: dict[str, Callable] = {
    SETTINGS_KEY: lambda value, version: save_settings(engine, value, actor=actor, expected_version=version),
    RUBRIC_KEY: lambda value, version: save_rubric(engine, value, actor=actor, expected_version=version),
    ALIASES_KEY: lambda value, version: save_alias_tables(engine, *value, actor=actor, expected_version=version),
    ROLES_KEY: lambda value, version: save_role_mapping(engine, value, actor=actor, expected_version=version),
}


def _overwrite(setting_key: str) -> None:
    if refuse_unnamed():
        return
    conflict = st.session_state.get(CONFLICT_KEY) or {}
    if conflict.get("key") != setting_key:
        return
    value = conflict["value"]
    if save_section(setting_key, lambda version: SAVERS[setting_key](value, version), value, conflict["version"]):
        flash("Saved: your values replaced theirs.")


def show_conflict(setting_key: str) -> None:
    """Under a section: why the save was refused, and the two ways out."""
    conflict = st.session_state.get(CONFLICT_KEY)
    if not conflict or conflict["key"] != setting_key:
        return
    st.error(escape_message(conflict["message"]), icon=":material/sync_problem:")
    reload_col, overwrite_col, _ = st.columns([1, 1, 3])
    reload_col.button("Reload their values", key=f"conflict_reload_{setting_key}", on_click=_reload,
                      args=(setting_key,), help="Drop your change and show what is saved now.")
    overwrite_col.button("Overwrite with mine", key=f"conflict_overwrite_{setting_key}", type="primary",
                         on_click=_overwrite, args=(setting_key,), disabled=locked,
                         help="Save your values over theirs (their change stays in the History).")


def submit(setting_key: str, value) -> None:
    if stop_unnamed():
        return
    if save_section(setting_key, lambda version: SAVERS[setting_key](value, version), value, seen.get(setting_key)):
        flash("Saved.")
        st.rerun()


# ------------------------------------------------------------------ costs
with st.form("settings_costs"):
    st.subheader("Costs and analysis")
    c1, c2, c3, c4 = st.columns(4)
    currency = c1.text_input("Currency symbol", settings.currency, key="set_currency", max_chars=4,
                             help="Only the symbol shown beside every amount: amounts are not converted. Use the "
                                  "currency the registry's rates and tool costs are typed in.")
    rate_low = c2.number_input("Hourly rate: low", value=float(settings.hourly_rate_low), min_value=0.0, step=5.0,
                               key="set_rate_low")
    rate_likely = c3.number_input("Hourly rate: likely", value=float(settings.hourly_rate_likely), min_value=0.0,
                                  step=5.0, key="set_rate_likely")
    rate_high = c4.number_input("Hourly rate: high", value=float(settings.hourly_rate_high), min_value=0.0, step=5.0,
                                key="set_rate_high")
    d1, d2, d3 = st.columns(3)
    horizon = d1.number_input("Default horizon (months)", value=settings.horizon_months, min_value=1, max_value=120,
                              step=1, key="set_horizon")
    threshold = d2.slider("Overlap threshold", 0.05, 1.0, float(settings.overlap_threshold), 0.05, key="set_threshold",
                          help="Pairs scoring at or above this are linked into clusters. "
                               "Same objects on the same route always are.")
    include_retired = d3.checkbox("Include retired integrations in overlap detection", settings.include_retired,
                                  key="set_retired")
    organisation = st.text_input("Organisation name (printed on PDFs)", settings.organisation,
                                 key="set_organisation", max_chars=80,
                                 help="PDFs print no name while this is still the placeholder.")
    e1, e2, e3 = st.columns(3)
    hours_per_fte = e1.number_input("Hours per FTE (a month)", value=float(settings.hours_per_fte), min_value=1.0,
                                    max_value=744.0, step=5.0, key="set_hours_per_fte",
                                    help="The working hours of one full-time person a month: hours are also shown "
                                         "as FTE.")
    capacity_unit = e3.radio("Capacity in", ["hours / month", "FTE"], key="set_capacity_unit", horizontal=True)
    capacity_value = (settings.team_capacity_hours if capacity_unit == "hours / month"
                      else settings.team_capacity_hours / settings.hours_per_fte)
    capacity = e2.number_input("Team engineering capacity (0 = not set)", value=float(round(capacity_value, 2)),
                               min_value=0.0, step=10.0 if capacity_unit == "hours / month" else 0.5,
                               key="set_capacity",
                               help="When set, the TCO snapshot shows the share of it spent maintaining duplicates, "
                                    "beside the 20% guideline.")
    st.caption("The hourly rate applies wherever a registry row gives no rate of its own.")
    if st.form_submit_button("Save costs and analysis", type="primary", disabled=locked):
        try:
            new = Settings(organisation=organisation.strip(), currency=currency.strip(), hourly_rate_low=rate_low,
                           hourly_rate_likely=rate_likely, hourly_rate_high=rate_high, horizon_months=int(horizon),
                           overlap_threshold=float(threshold),
                           include_retired=include_retired, hours_per_fte=float(hours_per_fte),
                           team_capacity_hours=float(capacity) * (1.0 if capacity_unit == "hours / month"
                                                                  else float(hours_per_fte)))
        except GovernanceError as error:
            st.error(escape_message(f"Not saved: {error}"))
        else:
            submit(SETTINGS_KEY, new)
show_conflict(SETTINGS_KEY)

# ------------------------------------------------------------------ rubric
with st.form("settings_rubric"):
    st.subheader("Decision rubric")
    st.caption("Weights say how much each criterion counts (0 = ignored, 10 = decisive). "
               "The Score page starts from these.")
    columns = st.columns(3)
    weights = {
        criterion.name: columns[n % 3].slider(criterion.label, 0.0, 10.0, float(rubric.weights[criterion.name]), 0.5,
                                              key=f"set_weight_{criterion.name}", help=criterion.description)
        for n, criterion in enumerate(CRITERIA)
    }
    t1, t2, t3 = st.columns(3)
    proceed_below = t1.number_input("Proceed when the score is below", value=float(rubric.proceed_below),
                                    min_value=0.0, max_value=5.0, step=0.05, key="set_proceed_below")
    hold_below = t2.number_input("Hold when the score is below", value=float(rubric.hold_below),
                                 min_value=0.0, max_value=5.0, step=0.05, key="set_hold_below",
                                 help="At or above this, the verdict is merge, centralize or retire.")
    centralize_min_teams = t3.number_input("Centralize when a cluster spans at least (teams)",
                                           value=int(rubric.centralize_min_teams), min_value=2, step=1,
                                           key="set_min_teams",
                                           help="Only when centralizing costs less than keeping all over the "
                                                "horizon; the recommendation then says how much more than merging "
                                                "it costs.")
    if st.form_submit_button("Save rubric", type="primary", disabled=locked):
        try:
            new_rubric = RubricConfig(
                weights=weights, proceed_below=proceed_below, hold_below=hold_below,
                centralize_min_teams=int(centralize_min_teams),
                duplicated_run_rate_for_5=rubric.duplicated_run_rate_for_5,
                reconciliation_hours_for_5=rubric.reconciliation_hours_for_5, people_for_5=rubric.people_for_5,
            )
        except GovernanceError as error:
            st.error(escape_message(f"Not saved: {error}"))
        else:
            submit(RUBRIC_KEY, new_rubric)
show_conflict(RUBRIC_KEY)

# ------------------------------------------------------------------ aliases
st.subheader("Name aliases")
st.caption("Different spellings of the same system or data object (SFDC = Salesforce). Overlaps are found "
           "across aliases; plural and upper/lower case differences are handled without an alias.")
pairs = load_alias_pairs(engine)
a1, a2 = st.columns(2)
alias_config = {"alias": st.column_config.TextColumn("Spelling in the registry", required=True),
                "canonical": st.column_config.TextColumn("Means", required=True)}
systems_frame = a1.data_editor(pd.DataFrame(list(pairs.systems), columns=["alias", "canonical"]), num_rows="dynamic",
                               hide_index=True, key="set_system_aliases", column_config=alias_config, width="stretch",
                               disabled=locked)
objects_frame = a2.data_editor(pd.DataFrame(list(pairs.objects), columns=["alias", "canonical"]), num_rows="dynamic",
                               hide_index=True, key="set_object_aliases", column_config=alias_config, width="stretch",
                               disabled=locked)
a1.caption("Systems")
a2.caption("Data objects")
if st.button("Save aliases", type="primary", key="set_save_aliases", disabled=locked):
    submit(ALIASES_KEY, (
        [(r["alias"] or "", r["canonical"] or "") for r in systems_frame.to_dict("records")],
        [(r["alias"] or "", r["canonical"] or "") for r in objects_frame.to_dict("records")],
    ))
show_conflict(ALIASES_KEY)

# ------------------------------------------------------------------ roles (team mode)
st.subheader("Who may change what")
if not team_mode():
    st.caption("Local mode: one person uses this copy of the app and can change everything. In team mode "
               "(sign-in configured, see docs/deploy.md) admins list here who is an admin or an editor; "
               "everyone else who signs in can look but not change anything.")
mapping = load_role_mapping(engine)
st.caption("One e-mail per line. Admins change everything, including this list; editors change the registry, "
           "survivor choices, sessions and scorings; everyone else who signs in is a viewer. Keep at least one "
           "admin here: the e-mails in the server's IGOV_ADMINS variable are admins whatever this list says.")
r1, r2 = st.columns(2)
admins_text = r1.text_area("Admins", "\n".join(mapping.admins), key="set_role_admins", height=120, disabled=locked)
editors_text = r2.text_area("Editors", "\n".join(mapping.editors), key="set_role_editors", height=120, disabled=locked)
if st.button("Save roles", type="primary", key="set_save_roles", disabled=locked):
    try:
        new_mapping = RoleMapping.from_lists(admins_text.splitlines(), editors_text.splitlines())
    except GovernanceError as error:
        st.error(escape_message(f"Not saved: {error}"))
    else:
        submit(ROLES_KEY, new_mapping)
show_conflict(ROLES_KEY)

# ------------------------------------------------------------------ reset
st.divider()
with st.container(border=True):
    st.markdown("**Reset to defaults**: costs, rubric and aliases go back to the shipped values. "
                "The registry is not touched.")
    confirm = st.checkbox("Yes, reset every setting on this page", key="set_reset_confirm", disabled=locked)
    if st.button("Reset to defaults", disabled=locked or not confirm, key="set_reset") and not stop_unnamed():
        try:
            reset_settings(engine, actor=actor)
        except GovernanceError as error:
            st.error(escape_message(f"Not reset: {error}"))
        else:
            for key in [k for k in st.session_state if str(k).startswith("set_")]:
                del st.session_state[key]
            st.session_state.pop(SEEN_KEY, None)
            st.session_state.pop(CONFLICT_KEY, None)
            flash("Defaults restored.")
            st.rerun()
