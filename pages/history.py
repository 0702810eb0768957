"""History page: every change to the registry, settings, sessions, scorings and decisions — who, when, what."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import streamlit as st

from core.services.history import (ACTIONS, DEFAULT_LIMIT, ENTITIES, HistoryEntry, change_rows, history_csv,
    history_rows, list_history)
from core.wording import escape_markdown, format_time, plural
from pages._style import show_table
from pages._ui import browser_timezone, get_engine, page_header, plain_errors

page_header(
    "History",
    "Every change anyone saved: who, when, what, and the values before and after. Filter it, open one "
    "change to compare, or export the list as CSV.",
)
engine = get_engine()
tz = browser_timezone()

with st.container(border=True):
    c1, c2, c3, c4 = st.columns([2, 2, 2, 1])
    entity = c1.selectbox("What", list(ENTITIES), index=None, key="history_entity", placeholder="Anything",
                          format_func=ENTITIES.get)
    entity_id = c2.text_input("Id", key="history_entity_id", placeholder="e.g. INT-014",
                              help="An integration id, a session number, or settings.")
    who = c3.text_input("Who", key="history_actor", placeholder="name or e-mail",
                        help="Part of a name or an e-mail address is enough.")
    action = c4.selectbox("Action", ACTIONS, index=None, key="history_action", placeholder="Any")
    d1, d2, _ = st.columns([1, 1, 3])
    first_day = d1.date_input("From", value=None, key="history_from", format="YYYY-MM-DD")
    last_day = d2.date_input("To", value=None, key="history_to", format="YYYY-MM-DD")

filters = {
    "entity": entity,
    "entity_id": entity_id.strip() or None,
    "actor": who.strip() or None,
    "action": action,
    # Whole days in the viewer's time zone: From 00:00 up to the end of To.
    "since": datetime.combine(first_day, time(0), tzinfo=tz) if first_day else None,
    "until": datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=tz) if last_day else None,
}
if first_day and last_day and last_day < first_day:
    st.warning("The To date is before the From date, so nothing can match. Swap them.")

with plain_errors():
    entries = list_history(engine, **filters, limit=DEFAULT_LIMIT)

if not entries:
    st.info("No change matches these filters." if any(filters.values()) else "Nothing has been changed yet.")
    st.stop()

st.subheader(plural(len(entries), "change"), anchor=False)
if len(entries) == DEFAULT_LIMIT:
    st.caption(f"Showing the newest {DEFAULT_LIMIT}: narrow the filters to see older ones. "
               "The CSV export has every matching change.")
show_table(history_rows(entries, tz), key="history_table")

st.download_button(
    "Export CSV", key="history_export", icon=":material/download:", mime="text/csv", on_click="ignore",
    file_name="igov-history.csv",
    data=lambda: history_csv(list_history(engine, **filters, limit=None)).encode("utf-8"),
    help="Every change matching the filters, with before and after as JSON. Formula-like text is made inert.",
)

# ------------------------------------------------------------------ one change in full
by_id: dict[int, HistoryEntry] = {e.id: e for e in entries}


def _describe(entry_id: int) -> str:
    e = by_id[entry_id]
    return f"#{e.id} · {format_time(e.at, tz, '%Y-%m-%d %H:%M %Z')} · {e.actor} · {e.summary}"


chosen = st.selectbox("Compare before and after of", list(by_id), index=None, key="history_entry",
                      placeholder="Choose a change…", format_func=_describe)
if chosen is not None:
    entry = by_id[chosen]
    with st.expander(f"Before and after · {escape_markdown(entry.summary)}", expanded=True):
        st.caption(escape_markdown(f"#{entry.id} · {format_time(entry.at, tz, '%Y-%m-%d %H:%M %Z')} · "
                                   f"{entry.actor} ({entry.actor_role}) · {entry.action}"))
        changes = change_rows(entry.before, entry.after)
        if entry.before is None and entry.after is None:
            st.caption("The values were not recorded for this change.")
        elif not changes:
            st.caption("No field differs between before and after.")
        else:
            show_table(changes, key="history_change")
