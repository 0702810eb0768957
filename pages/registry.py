"""Registry page: upload, search, edit, add and export the integrations the company runs."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.errors import EditConflict, GovernanceError
from core.services.history import history_rows
from core.services.registry import (CANONICAL_COLUMNS, IMPORT_MODES, REQUIRED_COLUMNS, Approach, Complexity,
    Direction, RegistryFilter, Status, Tier, Timeliness, add_integration, check_registry_file, export_registry_csv,
    filter_integrations, filter_options, import_blocked, import_checked_file, import_counts_text, import_preview_text,
    integration_cells, integration_history, load_registry, load_sample_registry, preview_import, registry_versions,
    save_registry_edits, upload_limit_mb)
from core.wording import escape_markdown, escape_message
from pages._ui import browser_timezone, current_actor, flash, get_engine, page_header, plain_errors, read_only_notice

EDITOR_KEY = "registry_editor"
OVERWRITE_KEY = "_registry_overwrite"
MAX_EDITOR_ROWS = 1000  # the editor re-sends every row on each interaction: narrow with filters above this

page_header(
    "Registry",
    "Every integration your teams run or plan, one row each. Upload the spreadsheet you keep, "
    "fix what the report flags, then edit here. Required columns: " + ", ".join(REQUIRED_COLUMNS) + ".",
)
engine = get_engine()
actor = current_actor()
integrations = load_registry(engine)
if not actor.can_edit:
    read_only_notice(actor, "upload, add, edit or delete integrations")


def errors_frame(errors) -> pd.DataFrame:
    return pd.DataFrame(
        [{"Row": e.row, "Column": e.column, "Value": e.value, "Problem": e.message, "How to fix": e.fix}
         for e in errors]
    )


# ------------------------------------------------------------------ upload
def render_upload() -> None:
    """Upload, see the report, and import only after confirming (editors and admins)."""
    with st.expander("Upload a registry CSV",
                     expanded=not integrations or st.session_state.get("registry_upload") is not None):
        st.caption(
            "Excel or Google Sheets exports work as saved (UTF-8, Windows-1252; comma, semicolon or tab). "
            "Nothing is written until you confirm. Format: docs/registry-format.md."
        )
        with plain_errors():  # an invalid IGOV_MAX_UPLOAD_MB is named, not a traceback
            upload_limit = upload_limit_mb()
        upload = st.file_uploader("Registry file (CSV)", type=["csv", "tsv", "txt"], key="registry_upload",
                                  max_upload_size=upload_limit)
        if upload is not None:
            try:
                report = check_registry_file(upload.getvalue(), size=upload.size)
            except GovernanceError as error:
                st.error(escape_message(f"{upload.name}: {error}"))
            else:
                c1, c2, c3 = st.columns(3)
                c1.metric("Rows read", report.rows_read)
                c2.metric("Valid rows", len(report.accepted))
                c3.metric("Rows with problems", len(report.rejected_rows))
                if report.unknown_columns:
                    st.info(escape_markdown("Extra columns kept as they are: " + ", ".join(report.unknown_columns)))
                if report.errors:
                    st.warning(f"{len(report.errors)} problem(s) found. Fix them in the spreadsheet and upload again, "
                               "or import only the valid rows.")
                    st.dataframe(errors_frame(report.errors), hide_index=True, width="stretch")
                else:
                    st.success("Every row is valid.")
                mode = st.radio(
                    "How to import", IMPORT_MODES, horizontal=True, key="import_mode", index=1,
                    format_func={"replace": "Replace: the registry becomes this file",
                                 "merge": "Merge: add new ids, update existing ones, keep the rest"}.get,
                )
                strict = st.checkbox("Strict: import nothing if any row has a problem", key="import_strict")
                st.caption(import_preview_text(preview_import(engine, report.accepted, mode, stored=integrations)))
                blocked = import_blocked(report, strict)
                if st.button(f"Import {len(report.accepted)} valid row(s)", type="primary", disabled=blocked,
                             key="import_confirm"):
                    bar = st.progress(0.0, text="Importing…")
                    with plain_errors():
                        written = import_checked_file(engine, report, mode, strict=strict, actor=actor,
                                                      progress=lambda done, what: bar.progress(done, text=what))
                    flash(f"Imported: {import_counts_text(written)}.")
                    st.rerun()
                if blocked and report.accepted:
                    st.caption("Strict mode is on and some rows have problems: nothing can be imported.")


if actor.can_edit:
    render_upload()

if not integrations:
    if not actor.can_edit:
        st.info("The registry is empty. An editor can upload the spreadsheet or load the sample registry.")
        st.stop()
    st.info("The registry is empty. Upload your spreadsheet above, or start from the sample registry.")
    if st.button("Load the sample registry", key="load_sample"):
        with plain_errors():
            load_sample_registry(engine, actor=actor)
        flash("Loaded the sample registry.")
        st.rerun()
    st.stop()

# ------------------------------------------------------------------ add one
def render_add_form() -> None:
    """One integration typed in a form, checked like an edited row (editors and admins)."""
    with st.expander("Add an integration"), st.form("registry_add", clear_on_submit=False):
        a1, a2, a3 = st.columns(3)
        new = {
            "name": a1.text_input("Name *", key="add_name"),
            "id": a2.text_input("Id", key="add_id", placeholder="generated from the name if empty"),
            "owner_team": a3.text_input("Team that runs it *", key="add_team"),
            "source_system": a1.text_input("Source system *", key="add_source"),
            "target_system": a2.text_input("Target system *", key="add_target"),
            "data_objects": a3.text_input("Data objects * (separate with ;)", key="add_objects"),
            "owner": a1.text_input("Accountable owner", key="add_owner", placeholder="empty = unowned"),
            "consumers": a2.text_input("Consumers (separate with ;)", key="add_consumers"),
            "status": a3.selectbox("Status", [s.value for s in Status], index=2, key="add_status"),
            "build_hours": a1.text_input("Build hours", key="add_build", placeholder="e.g. 40-80"),
            "monthly_maintenance_hours": a2.text_input("Maintenance hours / month", key="add_maintenance",
                                                       placeholder="e.g. 2-3"),
            "tier": a3.selectbox("Tier", ["", *[t.value for t in Tier]], key="add_tier"),
        }
        if st.form_submit_button("Add to registry", type="primary"):
            with plain_errors():
                outcome = add_integration(engine, new, actor=actor)
            if outcome.errors:
                st.error(escape_markdown(
                    "Not added. " + " ".join(f"{e.column}: {e.message}. {e.fix}" for e in outcome.errors)))
            else:
                flash(escape_markdown(f"Added {outcome.changes.added[0].id}."))
                st.rerun()


if actor.can_edit:
    render_add_form()

# ------------------------------------------------------------------ filters
options = filter_options(integrations)
with st.container(border=True):
    f1, f2, f3, f4 = st.columns([2, 1, 1, 1])
    text = f1.text_input("Search", key="registry_search", placeholder="name, system, object, owner…")
    teams = f2.multiselect("Team", options["teams"], key="registry_teams")
    systems = f3.multiselect("System", options["systems"], key="registry_systems")
    objects = f4.multiselect("Data object", options["objects"], key="registry_objects")
    g1, g2, g3, _ = st.columns([1, 1, 1, 2])
    statuses = g1.multiselect("Status", [s.value for s in Status], key="registry_statuses")
    tiers = g2.multiselect("Tier", [t.value for t in Tier], key="registry_tiers")
    ownership = g3.radio("Ownership", ["all", "owned", "unowned"], horizontal=True, key="registry_ownership")

wanted = RegistryFilter(
    text=text, teams=frozenset(teams), systems=frozenset(systems), objects=frozenset(objects),
    statuses=frozenset(statuses), tiers=frozenset(tiers), ownership=ownership,
)
shown = filter_integrations(integrations, wanted)
if len(shown) > MAX_EDITOR_ROWS:
    st.warning(f"{len(shown):,} integrations match; the table shows the first {MAX_EDITOR_ROWS:,}. "
               "Narrow the filters to edit the rest.")
    shown = shown[:MAX_EDITOR_ROWS]

# What the user is editing is frozen when editing starts (rows and their versions), not reloaded on
# every rerun: a colleague's save in between is then reported as a conflict instead of being
# silently overwritten, and the user's own unsaved edits are never dropped.
editor_state = st.session_state.get(EDITOR_KEY) or {}
pending = any(editor_state.get(k) for k in ("edited_rows", "added_rows", "deleted_rows"))
if not pending or "registry_snapshot" not in st.session_state:
    st.session_state["registry_snapshot"] = {"rows": shown, "versions": registry_versions(engine)}
elif st.session_state["registry_snapshot"]["rows"] != shown:
    st.info("You have unsaved edits: the table keeps the rows you started editing until you save or discard them.")
shown = st.session_state["registry_snapshot"]["rows"]
seen_versions = st.session_state["registry_snapshot"]["versions"]

st.subheader(f"{len(shown)} of {len(integrations)} integrations")
frame = pd.DataFrame([integration_cells(i) for i in shown], columns=list(CANONICAL_COLUMNS))
if actor.can_edit:
    st.caption("Edit cells directly, add rows at the bottom, or select rows and press Delete. "
               "Nothing is saved until you press **Save changes**. Ranges: 2-3 or 2/2.5/3 (low/likely/high).")
    choice = st.column_config.SelectboxColumn
    column_config = {
        "id": st.column_config.TextColumn("id", help="Stable key, e.g. INT-014 (generated from the name if empty)"),
        "name": st.column_config.TextColumn("name", required=True),
        "direction": choice("direction", options=[d.value for d in Direction]),
        "approach": choice("approach", options=[a.value for a in Approach]),
        "tier": choice("tier", options=[t.value for t in Tier]),
        "timeliness": choice("timeliness", options=[t.value for t in Timeliness]),
        "status": choice("status", options=[s.value for s in Status]),
        "complexity": choice("complexity", options=[c.value for c in Complexity]),
    }
    edited = st.data_editor(
        frame, key=EDITOR_KEY, num_rows="dynamic", hide_index=True, width="stretch", height=480,
        column_config=column_config, disabled=False,
    )
else:
    st.dataframe(frame, key="registry_table", hide_index=True, width="stretch", height=480)


def discard_edits() -> None:
    st.session_state.pop(EDITOR_KEY, None)
    st.session_state.pop("registry_snapshot", None)


def overwrite_with_my_edits() -> None:
    st.session_state[OVERWRITE_KEY] = True


save_col, discard_col, export_col, _ = st.columns([1, 1, 1, 3])
if actor.can_edit:
    discard_col.button("Discard edits", key="registry_discard", disabled=not pending, on_click=discard_edits)
    # Set by the "Overwrite with my edits" button a conflict offers: the same edits, saved over the newer rows.
    overwrite = st.session_state.pop(OVERWRITE_KEY, False) and pending
    if save_col.button("Save changes", type="primary", key="registry_save", disabled=not pending) or overwrite:
        with plain_errors():  # any other refusal (an id taken meanwhile) is one plain message
            try:
                outcome = save_registry_edits(engine, shown, edited.to_dict("records"), seen_versions, actor=actor,
                                              overwrite=overwrite)
            except EditConflict as conflict:
                st.error(escape_message(str(conflict)), icon=":material/sync_problem:")
                with st.container(horizontal=True):
                    st.button("Overwrite with my edits", key="registry_overwrite", on_click=overwrite_with_my_edits,
                              icon=":material/save_as:",
                              help="Save your version of the rows you changed, replacing what the other "
                                   "person saved in those rows. Both changes stay in the History.")
                    st.button("Discard my edits and reload", key="registry_reload", on_click=discard_edits,
                              icon=":material/refresh:")
                outcome = None
        if outcome is not None and outcome.errors:
            st.error("Nothing was saved. Fix these cells first:")
            st.dataframe(errors_frame(outcome.errors), hide_index=True, width="stretch")
        elif outcome is not None and not outcome.saved:
            st.info("Nothing changed, so nothing was saved.")
        elif outcome is not None:
            discard_edits()
            flash(f"Saved: {outcome.changes.summary()}.")
            st.rerun()

export_col.download_button(
    "Export CSV", data=lambda: export_registry_csv(integrations).encode("utf-8"), file_name="registry.csv",
    mime="text/csv", on_click="ignore", key="registry_export",
    help="The whole registry in the canonical format; a cell a spreadsheet would run as a formula starts "
         "with ' (importing the file again gives the same registry).",
)

# ------------------------------------------------------------------ history
st.subheader("History of this integration", anchor=False)
ids = [i.id for i in integrations]
names_by_id = {i.id: i.name for i in integrations}
history_id = st.selectbox("Integration", ids, index=None, key="registry_history_id", accept_new_options=True,
                          placeholder="Choose an integration, or type the id of a deleted one…",
                          format_func=lambda i: f"{i} · {names_by_id[i]}" if i in names_by_id else i)
if history_id is not None:
    entries = integration_history(engine, history_id)
    if entries:
        st.dataframe(history_rows(entries, browser_timezone()), hide_index=True, width="stretch",
                     key="registry_history")
        st.caption("Every change is on the **History** page too, with the values before and after.")
    else:
        st.caption(escape_markdown(f"No recorded change of {history_id} yet."))
