"""Registry page: upload, search, edit, add and export the integrations the company runs."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.errors import EditConflict, GovernanceError, MissingColumnsError
from core.services.history import history_rows
from core.services.registry import (CANONICAL_COLUMNS, FORMAT_CHOICES, FORMATS, IMPORT_MODES, MAPPED_FORMATS,
    REQUIRED_COLUMNS, UPLOAD_EXTENSIONS, Approach, Complexity, Direction, RegistryFilter, Status, Tier, Timeliness,
    add_integration, catalog_from_uploads, check_registry_file, detect_format, export_registry_csv, filter_integrations,
    filter_options, import_blocked, import_checked_file, import_counts_text, import_preview_text, integration_cells,
    integration_history, load_registry, load_sample_registry, no_rows_text, page_label, paginate, preview_import,
    registry_reading_rows, registry_versions, remembered_column_map, save_registry_edits, upload_limit_mb)
from core.services.sources import (keep_unseen, remove_unseen, sources_of, unseen_integrations,
    workbook_sheet_names)
from core.wording import escape_markdown, escape_message, field_label
from pages._style import projector_on, show_table
from pages._ui import (ask_name_first, brief_memo_downloads, browser_timezone, current_actor, flash, get_analysis,
    get_engine, page_header, plain_errors, read_only_notice, show_complexity, stop_unnamed)

EDITOR_KEY = "registry_editor"
OVERWRITE_KEY = "_registry_overwrite"
MAX_EDITOR_ROWS = 1000  # the editor re-sends every row on each interaction: narrow with filters above this
READABLE_PAGE_SIZE = 25
GRID_KEY = "registry_edit_in_grid"
READABLE_PAGE_KEY = "registry_readable_page"

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
ask_name_first()


def errors_frame(errors) -> pd.DataFrame:
    return pd.DataFrame(
        [{"Row": e.row, "Id": e.row_id, "Name": e.row_name, "Column": field_label(e.column), "Value": e.value,
          "Problem": e.message, "How to fix": e.fix} for e in errors]
    )


# ------------------------------------------------------------------ upload
FORMAT_NAMES = {"auto": "Detect from the file", **FORMATS}
PREVIEW_ROWS = 20
MAP_KEY = "registry_column_map"  # {"file": name, "map": {file column: field}} chosen in the mapping step
NO_COLUMN = "(no column)"
FIRST_SHEET = "The first visible sheet with the registry's header"


def preview_frame(report) -> pd.DataFrame:
    return pd.DataFrame(
        [{"Id": i.id, "Name": i.name, "From": i.source_system, "To": i.target_system,
          "Data objects": "; ".join(i.data_objects), "Team": i.owner_team}
         for i in report.accepted[:PREVIEW_ROWS]]
    )


def upload_errors_frame(errors) -> pd.DataFrame:
    frame = errors_frame(errors)
    if any(e.where for e in errors):
        frame.insert(0, "Where", [e.where for e in errors])
    return frame


def show_readable_table(shown) -> None:
    """The registry as a projector shows it: six columns, every cell in full, a page of rows at a time (the grid's
    type is smaller and it scrolls sideways)."""
    page = paginate(len(shown), st.session_state.get(READABLE_PAGE_KEY, 0), size=READABLE_PAGE_SIZE)
    if page.count > 1:
        st.session_state[READABLE_PAGE_KEY] = page.number  # in range after the filters narrowed the list
        st.selectbox("Rows shown", range(page.count), key=READABLE_PAGE_KEY, width=320,
                     format_func=lambda n: f"Rows {page_label(n, page.total, page.size)}")
    with st.container(key="registry_readable"):  # its ids are kept on one line (pages/_style.py)
        show_table(registry_reading_rows(shown[page.start:page.stop]))


def render_mapping_step(problem: MissingColumnsError, file_name: str, remembered: dict[str, str]) -> None:
    """Which of the file's columns holds each missing field: suggestions filled in, applied on request."""
    st.warning(escape_markdown(f"{file_name}: {problem}"))
    st.markdown("**Map the file's columns** to the fields the registry needs. The suggestions are filled in; "
                "change any that are wrong. The mapping is remembered for this file.")
    options = [NO_COLUMN, *problem.columns]
    by_field = {field: column for column, field in remembered.items()}
    chosen: dict[str, str] = {}
    columns = st.columns(min(len(problem.missing), 3) or 1)
    for position, field in enumerate(problem.missing):
        default = by_field.get(field) or problem.suggestions.get(field)
        picked = columns[position % len(columns)].selectbox(
            field, options, index=options.index(default) if default in options else 0, key=f"map_{field}")
        if picked != NO_COLUMN:
            chosen[picked] = field
    if st.button("Read the file with this mapping", type="primary", key="apply_column_map",
                 disabled=not chosen):
        st.session_state[MAP_KEY] = {"file": file_name, "map": {**remembered, **chosen}}
        st.rerun()


def render_unseen() -> None:
    """Integrations a re-import of their source no longer has: keep them, or remove them (reviewed)."""
    unseen = unseen_integrations(engine)
    if not unseen:
        return
    with st.expander(f"{len(unseen)} integration(s) not seen in their source since the last import",
                     expanded=False):
        st.caption("A re-import of the file or tool they came from no longer has them. Nothing was deleted: "
                   "keep them (they stop being tracked in that source) or remove them from the registry.")
        frame = pd.DataFrame([{"Remove or keep": False, "Id": u.integration_id, "Name": u.name,
                               "Source": u.source_label, "Id in the source": u.external_id,
                               "Not seen since": u.missing_since.isoformat()} for u in unseen])
        picked = st.data_editor(frame, key="unseen_table", hide_index=True, width="stretch",
                                disabled=[c for c in frame.columns if c != "Remove or keep"])
        rows = [u for u, tick in zip(unseen, picked["Remove or keep"]) if tick]
        keep_col, remove_col, _ = st.columns([1, 1, 3])
        if keep_col.button("Keep the ticked ones", key="unseen_keep", disabled=not rows) and not stop_unnamed():
            with plain_errors():
                keep_unseen(engine, [(u.integration_id, u.source) for u in rows], actor=actor)
            flash(f"Kept {len(rows)} integration(s); they are no longer tracked in that source.")
            st.rerun()
        if remove_col.button("Remove the ticked ones", key="unseen_remove", disabled=not rows) and not stop_unnamed():
            with plain_errors():
                removed = remove_unseen(engine, [u.integration_id for u in rows], actor=actor)
            flash(f"Removed {removed} integration(s); each removal is in the History.")
            st.rerun()


UPLOAD_ROUND = "_registry_upload_round"  # bumped after an import: a new uploader key clears the file
UPLOAD_KINDS = {"file": "One file", "catalog": "A Backstage catalog folder (several YAML files)"}
UPLOAD_KIND_KEY = "registry_upload_kind"


def upload_key(kind: str = "file") -> str:
    """The uploader's key: a new one after each import, so the imported file is gone and cannot be imported twice."""
    round_ = st.session_state.get(UPLOAD_ROUND, 0)
    base = "registry_upload" if kind == "file" else "registry_catalog_upload"
    return base if round_ == 0 else f"{base}_{round_}"


def render_upload() -> None:
    """Upload any supported file (or a Backstage catalog folder), see the format, preview and report, map columns if
    needed, then confirm."""
    kind = st.session_state.get(UPLOAD_KIND_KEY, "file")
    given = st.session_state.get(upload_key(kind))
    with st.expander("Upload a registry file",
                     expanded=not integrations or (bool(given) if kind == "catalog" else given is not None)):
        st.caption(
            "A registry kept as CSV or Excel (.xlsx, .xls, .ods), or an export from LeanIX (Interfaces), Backstage "
            "(catalog YAML: one file, or the catalog's folder), dbt (manifest.json), Fivetran or Airbyte (connections "
            "JSON) or OpenMetadata (lineage CSV). Nothing is written until you confirm. "
            "Formats: docs/registry-format.md."
        )
        with plain_errors():  # an invalid IGOV_MAX_UPLOAD_MB is named, not a traceback
            upload_limit = upload_limit_mb()
        kind = st.radio("What to upload", list(UPLOAD_KINDS), format_func=UPLOAD_KINDS.get, horizontal=True,
                        key=UPLOAD_KIND_KEY)
        if kind == "catalog":
            uploads = st.file_uploader(
                "Backstage catalog folder", type=["yaml", "yml"], accept_multiple_files="directory",
                key=upload_key("catalog"), max_upload_size=upload_limit,
                help="Choose the folder that holds the catalog's .yaml files (its sub-folders are read too), or drop "
                     "its YAML files here. Other files in the folder are left out.")
        else:
            upload = st.file_uploader("Registry file", type=list(UPLOAD_EXTENSIONS), key=upload_key(),
                                      max_upload_size=upload_limit)
        fmt = st.selectbox("Format", FORMAT_CHOICES, key="import_format", format_func=FORMAT_NAMES.get)
        if kind == "catalog":
            if not uploads:
                return
            try:  # the folder's files as one source, named after the folder (nothing parsed yet)
                catalog = catalog_from_uploads([(u.name, u.getvalue()) for u in uploads])
            except GovernanceError as error:
                st.error(escape_message(str(error)))
                return
            data, name, size, sheets, column_map = catalog.files, catalog.name, None, [], {}
        else:
            if upload is None:
                return
            data, name, size = upload.getvalue(), upload.name, upload.size
            sheets = workbook_sheet_names(data) if fmt in ("auto", "xlsx") else []
        sheet = None
        if len(sheets) > 1:
            picked = st.selectbox("Sheet", [FIRST_SHEET, *sheets], key="import_sheet")
            sheet = None if picked == FIRST_SHEET else picked
        if kind != "catalog":
            chosen_map = st.session_state.get(MAP_KEY) or {}
            remembered = remembered_column_map(engine, name)
            column_map = chosen_map["map"] if chosen_map.get("file") == name else remembered
        try:
            detected = FORMATS[detect_format(data, name)] if fmt == "auto" else None
            report = check_registry_file(data, size=size, fmt="xlsx" if sheet and fmt == "auto" else fmt,
                                         filename=name, column_map=column_map or None, sheet=sheet)
        except MissingColumnsError as problem:
            render_mapping_step(problem, name, column_map)
            return
        except GovernanceError as error:
            st.error(escape_message(f"{name}: {error}"))
            return
        read_as = FORMATS.get(report.format, report.format) + (f", sheet '{report.sheet}'" if report.sheet else "")
        st.info(f"Read as: **{escape_markdown(read_as)}**" + (" (detected)" if detected else "")
                + (f". Columns mapped: {escape_markdown(', '.join(f'{k} → {v}' for k, v in column_map.items()))}"
                   if column_map and report.format in MAPPED_FORMATS else ""),
                icon=":material/description:")
        if kind == "catalog":
            st.caption(escape_markdown(catalog.summary()))
        for note in report.notes:
            st.caption(escape_markdown(note))
        c1, c2, c3 = st.columns(3)
        c1.metric("Rows read", report.rows_read)
        c2.metric("Valid rows", len(report.accepted))
        c3.metric("Rows with problems", len(report.rejected_rows))
        if report.unknown_columns:
            st.info("Extra columns kept as they are: " + escape_markdown(", ".join(report.unknown_columns)))
        if report.errors:
            st.warning(f"{len(report.errors)} problem(s) found. Fix them in the spreadsheet and upload again, "
                       "or import only the valid rows.")
            show_table(upload_errors_frame(report.errors), key="upload_errors")
        elif not report.rows_read:
            st.warning(escape_markdown(no_rows_text(report)), icon=":material/inbox:")
        else:
            st.success("Every row is valid.")
        if report.accepted:
            st.caption(f"Preview: the first {min(len(report.accepted), PREVIEW_ROWS)} of "
                       f"{len(report.accepted)} valid row(s).")
            show_table(preview_frame(report), key="import_preview")
        mode = st.radio(
            "How to import", IMPORT_MODES, horizontal=True, key="import_mode", index=1,
            format_func={"replace": "Replace: the registry becomes this file",
                         "merge": "Merge: add new ids, update existing ones, keep the rest"}.get,
        )
        strict = st.checkbox("Strict: import nothing if any row has a problem", key="import_strict")
        st.caption(import_preview_text(preview_import(engine, report.accepted, mode, stored=integrations)))
        blocked = import_blocked(report, strict)
        if st.button(f"Import {len(report.accepted)} valid row(s)", type="primary", disabled=blocked,
                     key="import_confirm") and not stop_unnamed():
            bar = st.progress(0.0, text="Importing…")
            with plain_errors():
                written = import_checked_file(engine, report, mode, strict=strict, actor=actor,
                                              progress=lambda done, what: bar.progress(done, text=what),
                                              source_name=name, column_map=column_map or None)
            unseen = (f" {written['unseen']} earlier row(s) of this source are not in the "
                      f"{'catalog' if kind == 'catalog' else 'file'}: review them below (nothing was deleted)."
                      ) if written.get("unseen") else ""
            flash(f"Imported: {import_counts_text(written)}.{unseen}")
            st.session_state.pop(MAP_KEY, None)
            st.session_state[UPLOAD_ROUND] = st.session_state.get(UPLOAD_ROUND, 0) + 1
            st.rerun()
        if blocked and report.accepted:
            st.caption("Strict mode is on and some rows have problems: nothing can be imported.")


if actor.can_edit:
    render_upload()
    render_unseen()

if not integrations:
    if not actor.can_edit:
        st.info("The registry is empty. An editor can upload the spreadsheet or load the sample registry.")
        st.stop()
    st.info("The registry is empty. Upload your spreadsheet above, or start from the sample registry.")
    if st.button("Load the sample registry", key="load_sample") and not stop_unnamed():
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
        if st.form_submit_button("Add to registry", type="primary") and not stop_unnamed():
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
# Unsaved edits keep the grid on screen: hiding it would drop them.
in_grid = not projector_on() or pending or st.toggle(
    "Show every column, and edit in the grid" if actor.can_edit else "Show every column", key=GRID_KEY,
    help="On a shared screen the table shows the main columns in full; the grid has every column, in smaller "
         "type, and scrolls sideways.")
if not in_grid:
    show_readable_table(shown)
elif actor.can_edit:
    st.caption("Edit cells directly, add rows at the bottom, or select rows and press Delete. "
               "Nothing is saved until you press **Save changes**. Ranges: 2-3 or 2/2.5/3 (low/likely/high).")
    choice = st.column_config.SelectboxColumn
    column_config = {  # headers in words; the cells keep the registry's field names underneath
        **{column: st.column_config.TextColumn(field_label(column), help=f"Field {column} in the CSV")
           for column in CANONICAL_COLUMNS},
        "id": st.column_config.TextColumn("Id", help="Stable key, e.g. INT-014 (generated from the name if empty)"),
        "name": st.column_config.TextColumn("Name", required=True),
        **{column: choice(field_label(column), options=[v.value for v in values], help=f"Field {column} in the CSV")
           for column, values in (("direction", Direction), ("approach", Approach), ("tier", Tier),
                                  ("timeliness", Timeliness), ("status", Status), ("complexity", Complexity))},
    }
    edited = st.data_editor(
        frame, key=EDITOR_KEY, num_rows="dynamic", hide_index=True, width="stretch", height=480,
        column_config=column_config, disabled=False,
    )
else:
    st.dataframe(frame, key="registry_table", hide_index=True, width="stretch", height=480,
                 column_config={column: field_label(column) for column in CANONICAL_COLUMNS})


def discard_edits() -> None:
    st.session_state.pop(EDITOR_KEY, None)
    st.session_state.pop("registry_snapshot", None)


def overwrite_with_my_edits() -> None:
    st.session_state[OVERWRITE_KEY] = True


save_col, discard_col, export_col, _ = st.columns([1, 1, 1, 3])
if actor.can_edit and in_grid:
    discard_col.button("Discard edits", key="registry_discard", disabled=not pending, on_click=discard_edits)
    # Set by the "Overwrite with my edits" button a conflict offers: the same edits, saved over the newer rows.
    overwrite = st.session_state.pop(OVERWRITE_KEY, False) and pending
    wants_save = save_col.button("Save changes", type="primary", key="registry_save", disabled=not pending) or overwrite
    if wants_save and not stop_unnamed():
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
            show_table(errors_frame(outcome.errors), key="edit_errors")
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
if history_id is not None and history_id in names_by_id:
    with st.container(border=True, key="registry_detail"):
        show_complexity(get_analysis(), history_id)
        brief_memo_downloads(integration_id=history_id, where="registry")
if history_id is not None:
    entries = integration_history(engine, history_id)
    if entries:
        show_table(history_rows(entries, browser_timezone()), key="registry_history")
        st.caption("Every change is on the **History** page too, with the values before and after.")
    else:
        st.caption(escape_markdown(f"No recorded change of {history_id} yet."))
    for record in sources_of(engine, history_id):
        seen = (f"not seen since {record.missing_since.isoformat()}" if record.missing_since
                else f"last seen {record.last_seen.isoformat()}")
        st.caption(escape_markdown(f"Read from {record.source_label}: id {record.external_id}"
                                   + (f" at {record.location}" if record.location else "") + f", {seen}."))
