"""Decisions page: every decision from every session followed to done, the registry kept in step, savings tracked."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import streamlit as st

from core.services.decisions import (ACTIVE, FOLLOWED_INTO_REGISTRY, STATUS_LABELS, DecisionStatus,
    TrackedDecision, change_status, complete_with_registry_change, decision_rows, decisions_calendar,
    edit_expected_saving, integrations_to_hand_over, make_accountable_owner, propose_follow_through,
    realised_savings, realised_so_far, saving_still_to_come, tracked_decisions)
from core.services.history import list_history
from core.services.review import DEFAULT_PERIOD_DAYS, quarterly_review, review_document
from core.wording import escape_markdown, format_money, format_money_range, format_time, plural, verdict_name
from pages._style import show_table
from pages._ui import (act, ask_name_first, browser_timezone, current_actor, flash, get_analysis, get_engine,
    page_header, plain_errors, read_only_notice, show_flash)

OVERDUE_ROW = "background-color: #fde2e1; color: #8a1c14; font-weight: 600"
SAVING_NOTE = {"recommendation": "", "edited": " (edited)", "at done": " (as expected when done)", "none": ""}
FILTERS = {"": "Every status", "open": "Open", "in-progress": "In progress", "overdue": "Overdue", "done": "Done",
           "dropped": "Dropped"}

page_header(
    "Decisions",
    "Every decision from every session: who answers for it, when it is due, where it stands, and the monthly "
    "saving it should bring. Mark a retire or merge done and the registry follows, after you confirm.",
)
engine, actor = get_engine(), current_actor()
tz = browser_timezone()
today = datetime.now(tz).date()
with plain_errors():
    analysis = get_analysis()
    everything = tracked_decisions(engine, today, analysis=analysis)
currency = analysis.settings.currency

# ------------------------------------------------------------------ the quarterly review
with st.expander("Quarterly review: what changed since the last one", icon=":material/event_repeat:"):
    since = st.date_input("Last review held on", value=today - timedelta(days=DEFAULT_PERIOD_DAYS),
                          max_value=today, key="review_since", format="YYYY-MM-DD")
    with plain_errors():
        review = quarterly_review(engine, today=today, since=since, analysis=analysis)
    st.markdown(escape_markdown(review.summary))
    show_table(pd.DataFrame([{"Figure": f.label, f"{since}": f.text(f.before, currency),
                              "Now": f.text(f.now, currency), "Change": f.change_text(currency)}
                             for f in review.figures]), key="review_figures")
    r1, r2, _ = st.columns([1, 1, 2])
    r1.download_button("Review as Markdown", key="review_markdown", icon=":material/description:",
                       mime="text/markdown", file_name=f"igov-review-{today}.md", on_click="ignore",
                       data=lambda: review_document(review, markdown=True).encode("utf-8"))
    r2.download_button("Review as PDF (one page)", key="review_pdf", icon=":material/picture_as_pdf:",
                       mime="application/pdf", file_name=f"igov-review-{today}.pdf", on_click="ignore",
                       data=lambda: review_document(review))

if not everything:
    st.info("No decision yet. Decisions are recorded in a Diagnostic session; they appear here to be followed up.")
    st.page_link("pages/session.py", label="Open a diagnostic session", icon=":material/timer:")
    st.stop()
if not actor.can_edit:
    read_only_notice(actor, "change a decision's status")
ask_name_first()

# ------------------------------------------------------------------ headline figures
overdue = [t for t in everything if t.is_overdue(today)]
active = [t for t in everything if t.status in ACTIVE]
with plain_errors():
    realised = realised_savings(engine, analysis)
m1, m2, m3, m4 = st.columns(4)
m1.metric("Open or in progress", len(active))
m2.metric("Overdue", len(overdue), delta=f"{len(overdue)} past due" if overdue else None, delta_color="inverse")
m3.metric("Expected saving still to come", f"{format_money(saving_still_to_come(everything), currency)} / month",
          help="The likely monthly saving of the open and in-progress decisions.")
m4.metric("Realised so far", f"{format_money(realised_so_far(realised), currency)} / month",
          help="For each done decision, how much the run-rate of the integrations it touched fell since.")

# ------------------------------------------------------------------ the list
c1, c2, _ = st.columns([1, 1, 2])
status_filter = c1.selectbox("Status", list(FILTERS), format_func=FILTERS.get, key="decisions_status")
owner_filter = c2.text_input("Accountable", key="decisions_owner", placeholder="a name",
                             help="Part of the name is enough.")
shown = tracked_decisions(engine, today, status=status_filter or None, owner=owner_filter, analysis=analysis)
rows = decision_rows(shown, today, currency)
if not rows:
    st.info("No decision matches these filters.")
else:
    table = pd.DataFrame([{
        "#": r["id"], "Session": r["session"], "Subject": r["subject"], "Verdict": verdict_name(r["verdict"]),
        "Accountable": r["accountable"] or "nobody", "Due": r["due_date"] or "no date",
        "Status": ("Overdue · " if r["overdue"] else "") + STATUS_LABELS[DecisionStatus(r["status"])],
        "Expected saving": r["expected_saving_text"] + SAVING_NOTE[r["saving_source"]],
        "Next step": r["next_step"],
    } for r in rows])
    overdue_ids = {r["id"] for r in rows if r["overdue"]}
    # By position (the decision's number comes first): on a projector the column names are shown escaped
    styled = table.style.apply(lambda row: [OVERDUE_ROW if row.iloc[0] in overdue_ids else ""] * len(row), axis=1)
    st.caption(plural(len(rows), "decision") + (f" · {len(overdue)} overdue, shown in red" if overdue else ""))
    show_table(styled, key="decisions_table")

st.download_button(
    "Due dates for your calendar (.ics)", key="decisions_ics", icon=":material/event:", mime="text/calendar",
    file_name="igov-decision-due-dates.ics", on_click="ignore",
    data=lambda: decisions_calendar(shown, currency=currency).encode("utf-8"),
    help="One all-day event per open or in-progress decision with a due date, with a reminder the day before.",
)

# ------------------------------------------------------------------ one decision
by_id: dict[int, TrackedDecision] = {t.id: t for t in everything}


def _describe(decision_id: int) -> str:
    t = by_id[decision_id]
    # No status in the label: a label that changes makes Streamlit forget the choice on the next run.
    return (f"#{t.id} · {verdict_name(t.decision.verdict)} {t.subject} · {t.accountable or 'no Accountable'} · "
            f"session {t.session_id}")


chosen_id = st.selectbox("Follow up a decision", [t.id for t in shown] or list(by_id), index=None,
                         key="decisions_chosen", placeholder="Choose a decision…", format_func=_describe)
if chosen_id is None:
    st.stop()
tracked = by_id[chosen_id]
decision = tracked.decision


def _on_status(decision_id: int, version: int, saved: str) -> None:
    key = f"decision_status_{decision_id}_{version}"
    status = st.session_state.get(key)
    if status is None:
        return
    if not act(change_status, get_engine(), decision_id, status, actor=current_actor(), expected_version=version,
               area="decision", done=f"Decision {decision_id} is now {DecisionStatus(status).label.lower()}."):
        st.session_state[key] = saved  # refused: the control shows what is saved, not the choice that was not


def _on_saving(decision_id: int, version: int, reset: bool) -> None:
    amount = None if reset else st.session_state.get(f"decision_saving_{decision_id}")
    act(edit_expected_saving, get_engine(), decision_id, amount, actor=current_actor(), expected_version=version,
        area="decision", done="Expected saving saved.")


def _on_apply(decision_id: int, versions: dict, version: int) -> None:
    if act(complete_with_registry_change, get_engine(), decision_id, versions, actor=current_actor(),
           expected_version=version, area="decision"):
        flash(f"Decision {decision_id} is done and the registry is updated (see History).", kind="success")


def _on_owner(decision_id: int, integration_id: str) -> None:
    act(make_accountable_owner, get_engine(), decision_id, integration_id, actor=current_actor(), area="decision",
        done=f"{integration_id} now has an owner.")


with st.container(border=True, key="decision_detail"):
    show_flash("decision")
    st.markdown(f"#### {escape_markdown(verdict_name(decision.verdict))} {escape_markdown(tracked.subject)}")
    st.markdown(
        f"**Accountable:** {escape_markdown(tracked.accountable or 'nobody')} · **Due:** "
        f"{decision.due_date.isoformat() if decision.due_date else 'no date'} · **Status:** {tracked.status.label}"
        + (" · :red[**overdue**]" if tracked.is_overdue(today) else "")
        + f"  \n**Next step:** {escape_markdown(decision.next_step or 'none written')}  \n"
        f"**Why:** {escape_markdown(decision.rationale)}  \n"
        f"From session {tracked.session_id} “{escape_markdown(tracked.session_title)}”.")
    left, right = st.columns(2)
    with left:
        st.segmented_control("Status", [s.value for s in DecisionStatus], default=tracked.status.value,
                             format_func=lambda v: STATUS_LABELS[DecisionStatus(v)],
                             # The version in the key: after any change the control starts from the saved status.
                             key=f"decision_status_{tracked.id}_{tracked.version}", disabled=not actor.can_edit,
                             on_change=_on_status, args=(tracked.id, tracked.version, tracked.status.value))
        if decision.verdict in FOLLOWED_INTO_REGISTRY and tracked.status is not DecisionStatus.DONE:
            st.caption("Choosing Done only records it; use the registry change below to retire the copies as well.")
    with right:
        saving_text = (format_money_range(tracked.expected_saving, currency, "/ month") if tracked.expected_saving
                       else "not priced")
        st.markdown(f"**Expected saving:** {escape_markdown(saving_text)}"
                    + (" (as expected when done)" if tracked.status is DecisionStatus.DONE
                       else " (edited)" if tracked.saving_edited else " (from the recommendation)"))
        s1, s2, s3 = st.columns([2, 1, 1], vertical_alignment="bottom")
        s1.number_input(f"Expected saving ({currency} / month)", min_value=0.0, step=100.0, format="%.0f",
                        value=tracked.expected_saving.likely if tracked.expected_saving else 0.0,
                        key=f"decision_saving_{tracked.id}", disabled=not actor.can_edit)
        s2.button("Save", key="decision_saving_save", on_click=_on_saving, args=(tracked.id, tracked.version, False),
                  disabled=not actor.can_edit)
        s3.button("Reset", key="decision_saving_reset", on_click=_on_saving, args=(tracked.id, tracked.version, True),
                  disabled=not actor.can_edit or not tracked.saving_edited or tracked.status is DecisionStatus.DONE,
                  help="Go back to the saving the recommendation's scenario projects.")
        found = next((r for r in realised if r.decision_id == tracked.id), None)
        if found is not None:
            projected = format_money(found.projected, currency) if found.projected is not None else "not priced"
            st.markdown(f"**Realised since done:** {format_money(found.realised, currency)} / month, against "
                        f"{projected} / month expected.")
            st.caption("Realised is how much the registry's monthly run-rate of these integrations dropped since "
                       "the decision was done. Work the survivor took on counts once its hours are updated in the "
                       "Registry.")

    if decision.verdict in FOLLOWED_INTO_REGISTRY and tracked.status is not DecisionStatus.DONE:
        with plain_errors():
            proposal, versions = propose_follow_through(engine, tracked.id, analysis)
        st.markdown("**The registry change this decision implies**")
        if proposal.is_empty:
            st.caption("Nothing to change in the registry: its copies are already retired or gone. Mark it done.")
        else:
            show_table(pd.DataFrame([{"Integration": c.integration_id, "Field": c.field, "Now": c.before,
                                      "After": c.after} for c in proposal.changes]), key="decision_proposal")
            st.button("Confirm: mark done and update the registry", type="primary", key="decision_apply",
                      icon=":material/task_alt:", on_click=_on_apply, args=(tracked.id, versions, tracked.version),
                      disabled=not actor.can_edit)

    members = integrations_to_hand_over(tracked, analysis.by_id)
    if members:  # the whole width: "INT-004 · Stripe invoices and payments to NetSuite (owner: …)" is long
        target = st.selectbox(f"Make {escape_markdown(tracked.accountable)} the owner of", members,
                              key="decision_owner_target",
                              format_func=lambda i: f"{i} · {analysis.by_id[i].name} (owner: "
                                                    f"{analysis.by_id[i].owner or 'nobody'})")
        st.button("Make owner", key="decision_make_owner", icon=":material/person_add:", on_click=_on_owner,
                  args=(tracked.id, target), disabled=not actor.can_edit or target is None)

    entries = list_history(engine, entity="decision", entity_id=tracked.id, limit=50)
    st.markdown("**History**")
    show_table(pd.DataFrame([{"When": format_time(e.at, tz, "%Y-%m-%d %H:%M %Z"), "Who": e.actor,
                              "What": e.summary} for e in entries]), key="decision_history")
