"""Diagnostic session page: run the facilitated meeting — agenda timer, participants, notes, decisions with RACI."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

import streamlit as st

from core.errors import GovernanceError
from core.services.exports import session_memo
from core.services.identity import Actor
from core.services.sessions import (EXTRA_MINUTES, RESPONSIBILITIES, AgendaProgress, AgendaStep, Decision,
    DecisionRecord, Role, SessionItem, Verdict, add_item, add_minutes, agenda_progress, cluster_names,
    create_session, delete_decision, delete_item, format_clock, list_decisions, list_items, list_sessions,
    load_clock, load_session, next_step, pause_session, raci_from_choices, raci_people, resume_session,
    save_decision, save_notes, start_session, update_item, utc_now)
from core.wording import (INK, MUTED, PRIMARY, VERDICT_BADGE_COLOURS, VERDICT_MEANING, escape_html, escape_markdown,
    escape_message, format_time, verdict_name)
from pages._session_setup import render_setup
from pages._ui import (NAME_KEY, act, ask_name_first, browser_timezone, current_actor, flash, get_analysis, get_engine,
    page_header, plain_errors, read_only_notice, refuse_unnamed, show_flash)

SESSION_KEY = "diagnostic_session_id"
QUERY_KEY = "session"
ROUND_KEY = "decision_form_round"
EDITING_KEY = "decision_editing"

ROLE_COLOURS = {Role.REVOPS: "blue", Role.ENGINEERING: "violet", Role.FINANCE: "green",
                Role.PRODUCT_OWNER: "orange", Role.OTHER: "gray"}
ITEM_SECTIONS = {"assumption": ("Assumptions", "Add an assumption and press Enter"),
                 "question": ("Open questions", "Add an open question and press Enter")}

# Timer colours: the current step in the app's primary blue, time over in red, done steps muted.
_INK, _MUTED, _PRIMARY, _PRIMARY_DARK, _RED = INK, MUTED, PRIMARY, "#163a5c", "#b42318"


# --- small helpers -------------------------------------------------------------------------------

def _at(moment: datetime, tz: tzinfo, pattern: str = "%H:%M") -> str:
    return format_time(moment, tz, pattern)


def _select(session_id: int | None) -> None:
    """Remember the chosen session in this tab and in the URL, so a browser refresh comes back to it."""
    previous = st.session_state.get(SESSION_KEY)
    if previous is not None and previous != session_id:
        # Another session: start its decision form empty.
        st.session_state[ROUND_KEY] = st.session_state.get(ROUND_KEY, 0) + 1
        st.session_state.pop(EDITING_KEY, None)
    st.session_state[SESSION_KEY] = session_id
    if session_id is None:
        st.query_params.pop(QUERY_KEY, None)
    elif st.query_params.get(QUERY_KEY) != str(session_id):
        st.query_params[QUERY_KEY] = str(session_id)


# --- callbacks (run before the page, so the page then reads the saved state) ------------------------

def _on_pick(known: tuple[int, ...]) -> None:
    # Only a session the picker offers opens; anything else (a label it no longer has) keeps the open one.
    picked = st.session_state.get("session_picker")
    if picked in known:
        _select(picked)


def _on_create() -> None:
    if refuse_unnamed("create"):
        return
    title = st.session_state.get("new_session_title", "")
    facilitator = st.session_state.get("new_session_facilitator", "")
    try:
        new_id = create_session(get_engine(), title, facilitator, actor=current_actor())
    except GovernanceError as error:
        flash(escape_message(str(error)), kind="error", area="create")
        return
    st.session_state["new_session_title"] = ""
    _select(new_id)
    flash(f"Session “{escape_markdown(title.strip())}” created with the default agenda.")


def _on_start(session_id: int, restart: bool) -> None:
    if not refuse_unnamed("start"):
        act(start_session, get_engine(), session_id, utc_now(), actor=current_actor(), restart=restart, area="start")


def _on_clock(what: str, session_id: int) -> None:
    # The moment is taken when the button is pressed, not when it was drawn.
    if refuse_unnamed("start"):
        return
    action, argument = {"pause": (pause_session, utc_now()), "resume": (resume_session, utc_now()),
                        "next": (next_step, utc_now()), "more": (add_minutes, EXTRA_MINUTES)}[what]
    act(action, get_engine(), session_id, argument, actor=current_actor(), area="start")


def _on_add_item(session_id: int, kind: str) -> None:
    key = f"new_{kind}"
    text = (st.session_state.get(key) or "").strip()
    if not text or refuse_unnamed(kind):
        return
    if text in {i.text for i in list_items(get_engine(), session_id, kind)}:
        # Enter and a quick click elsewhere can send the same line twice: keep one.
        st.session_state[key] = ""
        return
    if act(add_item, get_engine(), session_id, kind, text, actor=current_actor(), area=kind):
        st.session_state[key] = ""


def _on_edit_item(session_id: int, item: SessionItem) -> None:
    key = f"item_{item.id}"
    text = (st.session_state.get(key) or "").strip()
    engine = get_engine()
    if refuse_unnamed(item.kind):
        st.session_state[key] = item.text
        return
    if not text:
        # Clearing the text is the quickest way to drop a note on a shared screen.
        act(delete_item, engine, item.id, actor=current_actor(), area=item.kind)
        return
    if not act(update_item, engine, item.id, text, actor=current_actor(), area=item.kind,
                expected_version=item.version):
        # Someone else changed it: show their text in the box, the message says what happened.
        fresh = {i.id: i.text for i in list_items(engine, session_id, item.kind)}
        if item.id in fresh:
            st.session_state[key] = fresh[item.id]


def _on_delete_item(item: SessionItem) -> None:
    if not refuse_unnamed(item.kind):
        act(delete_item, get_engine(), item.id, actor=current_actor(), area=item.kind)


def _on_notes(session_id: int, saved: str) -> None:
    if refuse_unnamed("notes"):
        st.session_state["session_notes"] = saved
        return
    text = st.session_state.get("session_notes", "")
    if text != saved:
        act(save_notes, get_engine(), session_id, text, area="notes", actor=current_actor(), done="Notes saved.")


def _on_edit_decision(record: DecisionRecord | None) -> None:
    # A new form round gives every decision widget fresh defaults: the chosen decision, or empty.
    st.session_state[ROUND_KEY] = st.session_state.get(ROUND_KEY, 0) + 1
    if record is None:
        st.session_state.pop(EDITING_KEY, None)
    else:
        st.session_state[EDITING_KEY] = (record.id, record.version)


def _on_record_decision(session_id: int, kind: str, round_: int, editing_id: int | None,
                        editing_version: int | None, subject_names: dict[str, str]) -> None:
    """The decision form's submit: read the form's widgets, save, and start an empty form (or keep it and say why)."""
    if refuse_unnamed("decision_form"):
        return

    def value(name: str):
        return st.session_state.get(f"decision_{name}_{round_}")

    try:
        raci = raci_from_choices(value("accountable"), value("raci_R") or [], value("raci_C") or [],
                                 value("raci_I") or [])
        decision = Decision(subject_kind=kind, subject_id=value(kind) or "", verdict=value("verdict"),
                            rationale=value("rationale") or "", raci=raci, due_date=value("due"),
                            next_step=value("next_step") or "")
        save_decision(get_engine(), session_id, decision, editing_id, actor=current_actor(),
                      expected_version=editing_version if editing_id else None)
    except GovernanceError as error:
        flash(escape_message(str(error)), kind="error", area="decision_form")  # the form keeps what was typed
        return
    _on_edit_decision(None)
    flash(escape_markdown(f"Decision saved: {decision.verdict.value} {decision.subject_id} "
                          f"{subject_names.get(decision.subject_id, '')}".strip()))


def _on_delete_decision(record: DecisionRecord) -> None:
    if refuse_unnamed("decisions"):
        return
    if act(delete_decision, get_engine(), record.id, actor=current_actor(), area="decisions"):
        if st.session_state.get(EDITING_KEY, (None,))[0] == record.id:
            _on_edit_decision(None)
        flash("Decision deleted.")


# --- sections --------------------------------------------------------------------------------------

def session_label(summary, tz: tzinfo) -> str:
    """The picker's words for a session: only what never changes while the page is open.

    The browser keeps the label it showed; a label that changed (a decision count) would match no option on
    the next run and the picker would look cleared. Title, facilitator and creation date do not change.
    """
    return f"{summary.title} · {summary.facilitator} · {_at(summary.created_at, tz, '%d %b %Y')}"


def render_session_bar(sessions) -> int | None:
    """Resume an existing session or create a new one; returns the selected session id."""
    by_id = {s.id: s for s in sessions}
    selected = st.session_state.get(SESSION_KEY)
    if selected is None:
        raw = st.query_params.get(QUERY_KEY, "")
        if raw:
            selected = int(raw) if raw.isdigit() else None
            if selected not in by_id:
                st.warning(escape_markdown(
                    f"Session {raw} does not exist. Resume another session or create a new one."))
    if selected not in by_id:
        selected = None
    _select(selected)
    if st.session_state.get("session_picker") != selected:
        st.session_state["session_picker"] = selected

    tz = browser_timezone()
    with st.container(border=True):
        pick, title, facilitator, create = st.columns([5, 4, 3, 2], vertical_alignment="bottom")
        pick.selectbox(
            "Resume a session", options=list(by_id), index=None, key="session_picker", on_change=_on_pick,
            args=(tuple(by_id),), placeholder="Choose a session…" if sessions else "None yet: create one →",
            format_func=lambda i: session_label(by_id[i], tz) if i in by_id else str(i),
        )
        title.text_input("New session title", key="new_session_title", disabled=not actor.can_edit,
                         placeholder="e.g. Billing sync duplicates")
        if not st.session_state.get("new_session_facilitator"):
            st.session_state["new_session_facilitator"] = st.session_state.get(NAME_KEY) or ""
        facilitator.text_input("Facilitator", key="new_session_facilitator", placeholder="Who runs the meeting",
                               disabled=not actor.can_edit)
        create.button("Create session", key="create_session", icon=":material/add:", on_click=_on_create,
                      width="stretch", disabled=not actor.can_edit)
        show_flash("create")
    return selected


def render_header(diagnostic, tz: tzinfo) -> None:
    """Title, facilitator and the people in the room."""
    st.subheader(escape_markdown(diagnostic.title), anchor=False)
    facts = [f"Facilitator: {diagnostic.facilitator}", f"created {_at(diagnostic.created_at, tz, '%d %b %Y')}"]
    if diagnostic.started_at:
        facts.append(f"started {_at(diagnostic.started_at, tz)}")
    st.caption(" · ".join(escape_markdown(f) for f in facts))
    if diagnostic.participants:
        with st.container(horizontal=True, gap="small"):
            for person in diagnostic.participants:
                # st.badge escapes brackets itself.
                label = escape_markdown(person.name).replace("\\[", "[").replace("\\]", "]")
                st.badge(f"{label} · {person.role.label}", color=ROLE_COLOURS[person.role])
    else:
        st.caption("No participants yet: add them under **Participants** below.")


def render_clock_controls(session_id: int, agenda, clock) -> None:
    """Start; then Pause or Resume, Next step, +5 min and Restart: the clock is saved, every screen follows it."""
    if not actor.can_edit:
        st.caption("Only editors run the clock.")
        return
    with st.container(horizontal=True, gap="small", horizontal_alignment="right"):
        if clock is None:
            st.button("Start session", key="start_session", type="primary", icon=":material/play_arrow:",
                      on_click=_on_start, args=(session_id, False))
            return
        if clock.paused_at is None:
            st.button("Pause", key="pause_clock", icon=":material/pause:", type="primary",
                      on_click=_on_clock, args=("pause", session_id))
        else:
            st.button("Resume", key="resume_clock", icon=":material/play_arrow:", type="primary",
                      on_click=_on_clock, args=("resume", session_id))
        st.button("Next step", key="next_step", icon=":material/skip_next:", on_click=_on_clock,
                  args=("next", session_id), disabled=clock.step_index >= len(agenda) - 1,
                  help="Move on to the next agenda step now.")
        st.button(f"+{EXTRA_MINUTES} min", key="add_minutes", icon=":material/more_time:", on_click=_on_clock,
                  args=("more", session_id),
                  help=f"Give the current step {EXTRA_MINUTES} more minutes (the agenda grows with it).")
        with st.popover("Restart", icon=":material/restart_alt:"):
            st.write("Start the timers again from now, on the first step? Everything captured so far stays.")
            st.button("Restart from now", key="restart_session", type="primary",
                      on_click=_on_start, args=(session_id, True))


def _timer_html(progress: AgendaProgress, agenda: tuple[AgendaStep, ...], started: bool, now: datetime,
                tz: tzinfo) -> str:
    esc = escape_html

    def clock_in(seconds: int) -> str:
        # Before the start, or while paused, a wall-clock time would be a guess: say how far ahead instead.
        if not started or progress.paused:
            return f"in {seconds // 60} min" if seconds else "first"
        return _at(now + timedelta(seconds=seconds), tz)

    label = f"font-size:0.78rem;letter-spacing:0.08em;text-transform:uppercase;color:{_MUTED};font-weight:600"
    big = "font-size:3.3rem;line-height:1.05;font-weight:700;font-variant-numeric:tabular-nums"
    current = progress.current
    if not started:
        kicker, heading = "Not started", "Ready when the room is"
        guidance = "Press Start session when everyone is here. The timers follow the agenda below."
        step_clock = format_clock(agenda[0].minutes * 60) if agenda else "00:00"
        step_of = f"first step: {agenda[0].title}" if agenda else ""
        step_colour = _INK
    elif current is None:
        kicker, heading, guidance = "Agenda", "No steps", ""
        step_clock, step_of, step_colour = "00:00", "", _INK
    else:
        step = agenda[progress.current_index]
        kicker = f"{'Paused' if progress.paused else 'Now'} · step {progress.current_index + 1} of {len(agenda)}"
        heading, guidance = step.title, step.guidance
        over = current.state == "overrun"
        step_clock = format_clock(current.remaining_seconds)
        step_of = ("over time: wrap up or press +5 min" if over
                   else f"left of {format_clock(current.minutes * 60)}")
        step_colour = _RED if over else _MUTED if progress.paused else _PRIMARY
    total_colour = _RED if progress.overrun else _INK
    total_note = f"of {format_clock(progress.total_minutes * 60)}" + (
        f" · ends {clock_in(progress.remaining_seconds)}" if started and not progress.overrun else "")
    # The strip below projects each step from now; this says how that squares with the planned end.
    if started and not progress.overrun and progress.ahead_seconds > 0:
        total_note += f" · {format_clock(progress.ahead_seconds)} to spare"
    elif started and not progress.overrun and progress.ahead_seconds < 0:
        total_note += f" · agenda {format_clock(-progress.ahead_seconds)} late"
    if progress.paused:
        total_note = "paused: the clocks wait until Resume"
    if progress.overrun:
        total_note = f"over the planned {progress.total_minutes} min: time to close"

    segments = []
    for index, step in enumerate(progress.steps):
        if step.state == "current":
            done = 100 * step.elapsed_seconds / max(1, step.minutes * 60)
            style = (f"background:linear-gradient(90deg,{_PRIMARY_DARK} {done:.1f}%,{_PRIMARY} {done:.1f}%);"
                     "color:#fff;border:1px solid " + _PRIMARY_DARK)
            status = f"{'Paused' if progress.paused else 'Now'} · {format_clock(step.remaining_seconds)} left"
        elif step.state == "overrun":
            style = f"background:{_RED};color:#fff;border:1px solid {_RED}"
            status = f"Now · over by {format_clock(-step.remaining_seconds)}"
        elif step.state == "done":
            style = f"background:#e6edf4;color:{_MUTED};border:1px solid #d3dde8"
            status = "✓ Done"
        else:
            style = f"background:#f7f9fb;color:{_INK};border:1px dashed #b9c4d0"
            status = f"starts {clock_in(step.starts_in_seconds)}"
        segments.append(
            f'<div style="flex:{max(step.minutes, 1)} 1 0;min-width:92px;border-radius:8px;padding:8px 12px;{style}">'
            f'<div style="font-size:0.72rem;opacity:0.85;font-weight:600">{index + 1} · {step.minutes} min</div>'
            f'<div style="font-size:1.05rem;font-weight:700;white-space:nowrap;overflow:hidden;'
            f'text-overflow:ellipsis">{esc(step.title)}</div>'
            f'<div style="font-size:0.85rem;font-variant-numeric:tabular-nums">{esc(status)}</div></div>'
        )
    return (
        f'<div style="border:1px solid #d5dde6;border-radius:12px;padding:18px 22px 16px;background:#fff;'
        f'color:{_INK};box-shadow:0 1px 2px rgba(18,38,63,0.06)">'
        f'<div style="display:flex;flex-wrap:wrap;align-items:flex-end;gap:36px">'
        f'<div style="flex:1 1 420px;min-width:300px"><div style="{label}">{esc(kicker)}</div>'
        f'<div style="font-size:2.1rem;font-weight:700;line-height:1.2;margin:2px 0 4px">{esc(heading)}</div>'
        f'<div style="font-size:1.02rem;color:#3d4b5c;max-width:70ch">{esc(guidance)}</div></div>'
        f'<div style="text-align:right"><div style="{label}">This step</div>'
        f'<div style="{big};color:{step_colour}">{esc(step_clock)}</div>'
        f'<div style="font-size:0.9rem;color:{_MUTED}">{esc(step_of)}</div></div>'
        f'<div style="text-align:right;padding-left:28px;border-left:1px solid #e3e8ee">'
        f'<div style="{label}">Session left</div>'
        f'<div style="{big};color:{total_colour}">{esc(format_clock(progress.remaining_seconds))}</div>'
        f'<div style="font-size:0.9rem;color:{_MUTED}">{esc(total_note)}</div></div></div>'
        f'<div style="display:flex;gap:6px;margin-top:16px">{"".join(segments)}</div></div>'
    )


def render_timer(session_id: int, tz: tzinfo) -> None:
    """The over-time warnings, the agenda strip and the two big clocks, read from the saved clock every time.

    The clock lives in the session row, so every screen in the room (and a refresh) shows the same times.
    """
    agenda, clock = load_clock(get_engine(), session_id)
    now = utc_now()
    progress = agenda_progress(agenda, clock, now)
    if progress.overrun:
        st.error(f"Over time: the session was planned for {progress.total_minutes} minutes. Close the last "
                 "decision and read the open questions back.", icon=":material/alarm:")
    elif progress.current is not None and progress.current.state == "overrun":
        st.warning(escape_markdown(f'Step "{progress.current.title}" is over its {progress.current.minutes} minutes: '
                                   f"press Next step, or +{EXTRA_MINUTES} min to give it more time."),
                   icon=":material/timer:")
    st.html(_timer_html(progress, agenda, clock is not None, now, tz))


# Only this part reruns every second: the rest of the page (and what people are typing) stays put.
live_timer = st.fragment(run_every=1)(render_timer)


@st.fragment(run_every=10)
def resting_timer(session_id: int, tz: tzinfo) -> None:
    """Before the start and while paused nothing moves: look every 10 s (another screen may start the clock)
    instead of every second, so the page is idle between the facilitator's clicks."""
    render_timer(session_id, tz)


def render_items(session_id: int, kind: str, items: list[SessionItem]) -> None:
    """A list of assumptions or open questions: each line saves when it changes, an empty line is deleted."""
    title, placeholder = ITEM_SECTIONS[kind]
    items = [i for i in items if i.kind == kind]
    with st.container(border=True, key=f"captured_{kind}"):
        st.markdown(f"**{title}** · {len(items)}")
        for item in items:
            text_col, delete_col = st.columns([14, 1], vertical_alignment="center")
            text_col.text_input(f"{title[:-1]} {item.position + 1}", value=item.text, key=f"item_{item.id}",
                                label_visibility="collapsed", on_change=_on_edit_item, args=(session_id, item),
                                disabled=not actor.can_edit)
            if actor.can_edit:
                delete_col.button("", key=f"delete_item_{item.id}", icon=":material/close:", type="tertiary",
                                  help="Delete", on_click=_on_delete_item, args=(item,))
        if not actor.can_edit:
            return
        new_col, add_col = st.columns([14, 1], vertical_alignment="center")
        new_col.text_input(f"New {title[:-1].lower()}", key=f"new_{kind}", placeholder=placeholder,
                           label_visibility="collapsed", on_change=_on_add_item, args=(session_id, kind))
        add_col.button("", key=f"add_{kind}", icon=":material/add:", type="tertiary", help="Add",
                       on_click=_on_add_item, args=(session_id, kind))
        show_flash(kind)


def render_notes(diagnostic) -> None:
    with st.container(border=True):
        st.text_area("Notes", value=diagnostic.notes, key="session_notes", height=120, disabled=not actor.can_edit,
                     placeholder="Anything else worth keeping: saved when you click outside the box.",
                     on_change=_on_notes, args=(diagnostic.id, diagnostic.notes))
        show_flash("notes")


def render_raci_pickers(diagnostic, existing: Decision | None, key) -> None:
    """One Accountable and the R / C / I people, picked from the participants or typed in (read on submit)."""
    current = existing.raci if existing else ()
    people = raci_people(diagnostic.participants, current)

    def chosen(letter: str) -> list[str]:
        return [e.person for e in current if e.responsibility == letter]

    st.markdown("**Who carries it out** · exactly one **A**ccountable; type a name to add someone not listed")
    if diagnostic.participants:
        # Names only in the pickers: a label that changed while the form is open would lose the choice.
        st.caption("In the room: " + escape_markdown(", ".join(f"{p.name} ({p.role.label})"
                                                              for p in diagnostic.participants)))
    # Two by two: four pickers side by side leave no room for the names on a projector.
    accountable_col, responsible_col = st.columns(2)
    consulted_col, informed_col = st.columns(2)
    accountable_col.selectbox(
        "Accountable (A)", people, key=key("accountable"), index=people.index(chosen("A")[0]) if chosen("A") else None,
        placeholder="Who answers for it", accept_new_options=True,
        help="The one person who answers for the decision and signs it off.")
    for letter, column, help_text in [
            ("R", responsible_col, "People who do the work."),
            ("C", consulted_col, "People asked before it is done."),
            ("I", informed_col, "People told once it is done.")]:
        column.multiselect(f"{RESPONSIBILITIES[letter]} ({letter})", people, default=chosen(letter),
                           key=key(f"raci_{letter}"), placeholder="Nobody", accept_new_options=True, help=help_text)


def render_decision_form(diagnostic, decisions: list[DecisionRecord], names: dict[str, str],
                         clusters: dict[str, str]) -> None:
    """Record a verdict on one integration or cluster with rationale, RACI, due date and next step."""
    round_ = st.session_state.setdefault(ROUND_KEY, 0)
    editing_id, editing_version = st.session_state.get(EDITING_KEY) or (None, None)
    existing = next((d.decision for d in decisions if d.id == editing_id), None)
    if editing_id is not None and existing is None:
        editing_id = None  # deleted meanwhile

    def key(name: str) -> str:
        return f"decision_{name}_{round_}"

    with st.container(border=True):
        top, cancel = st.columns([5, 1], vertical_alignment="center")
        top.markdown("**Edit decision**" if editing_id else "**Record a decision**")
        if editing_id:
            cancel.button("Cancel", key="cancel_edit_decision", on_click=_on_edit_decision, args=(None,),
                          type="tertiary")
        kind = st.segmented_control(
            "About", ["integration", "cluster"], key=key("kind"), required=True,
            default=existing.subject_kind if existing else "integration",
            format_func=lambda k: "An integration" if k == "integration" else "A cluster of duplicates",
        )
        with st.form(key("form"), border=False, enter_to_submit=False):
            subject_col, verdict_col = st.columns([3, 2])
            if kind == "cluster":
                current = existing.subject_id if existing and existing.subject_kind == "cluster" else None
                options = list(clusters) + ([current] if current and current not in clusters else [])
                subject_col.selectbox(
                    "Cluster", options=options, key=key("cluster"), placeholder="Choose a cluster by its route",
                    index=options.index(current) if current in options else None,
                    format_func=lambda c: clusters.get(c, f"{c} (no longer found on Overlaps)"),
                    help="The overlap clusters found today: route, shared data and first members, as on Overlaps.")
            else:
                options = list(names)
                current = existing.subject_id if existing and existing.subject_kind == "integration" else None
                subject_col.selectbox(
                    "Integration", options=options, key=key("integration"), placeholder="Choose an integration",
                    index=options.index(current) if current in options else None,
                    format_func=lambda i: f"{i} · {names.get(i, '')}")
            verdicts = list(Verdict)
            verdict_col.selectbox(
                "Verdict", options=verdicts, key=key("verdict"), placeholder="Choose a verdict",
                index=verdicts.index(existing.verdict) if existing else None,
                format_func=lambda v: f"{verdict_name(v)} — {VERDICT_MEANING[v]}")
            st.text_area("Rationale", key=key("rationale"), height=90, value=existing.rationale if existing else "",
                         placeholder="Why this verdict: the facts and trade-offs the group agreed on.")
            render_raci_pickers(diagnostic, existing, key)
            due_col, next_col = st.columns([1, 3])
            due_col.date_input("Due date", value=existing.due_date if existing else None, key=key("due"),
                               format="YYYY-MM-DD")
            next_col.text_input("Next step", key=key("next_step"), value=existing.next_step if existing else "",
                                placeholder="e.g. Draft the merge plan and share it with finance")
            # Saved in the button's callback, before the page runs: one run shows the saved decision and an empty
            # form (saving in the page's body needed a second run to clear the form).
            st.form_submit_button("Save changes" if editing_id else "Record decision", type="primary",
                                  key=key("submit"), icon=":material/gavel:", on_click=_on_record_decision,
                                  args=(diagnostic.id, kind, round_, editing_id, editing_version,
                                        names if kind == "integration" else clusters))
        show_flash("decision_form")


def render_decisions(decisions: list[DecisionRecord], names: dict[str, str], clusters: dict[str, str],
                     actor: Actor) -> None:
    """The decisions recorded so far, each with its RACI, next step and due date."""
    show_flash("decisions")
    if not decisions:
        st.caption("No decisions yet. They appear here as soon as they are recorded.")
        return
    for number, record in enumerate(decisions, start=1):
        decision = record.decision
        with st.container(border=True):
            head, edit, remove = st.columns([8, 1, 1], vertical_alignment="center")
            subject = decision.subject_id
            if decision.subject_kind == "integration" and subject in names:
                subject = f"{subject} · {names[subject]}"
            elif decision.subject_kind == "cluster":
                subject = f"{clusters.get(subject, subject)} · {subject}"
            with head, st.container(horizontal=True, vertical_alignment="center", gap="small"):
                st.markdown(f"**{number}. {escape_markdown(subject)}**", width="content")
                st.badge(verdict_name(decision.verdict), color=VERDICT_BADGE_COLOURS[decision.verdict])
            if actor.can_edit:
                edit.button("", key=f"edit_decision_{record.id}", icon=":material/edit:", type="tertiary",
                            help="Edit in the form", on_click=_on_edit_decision, args=(record,))
                with remove.popover("", icon=":material/delete:", type="tertiary", help="Delete"):
                    st.write("Delete this decision?")
                    st.button("Delete", key=f"delete_decision_{record.id}", type="primary",
                              on_click=_on_delete_decision, args=(record,))
            st.markdown(escape_markdown(decision.rationale))
            if decision.subject_kind == "cluster" and decision.subject_id in clusters:
                advice = get_analysis().recommendation(decision.subject_id)
                st.markdown(escape_markdown(f"Recommended: {verdict_name(advice.verdict)}. {advice.reasons[0]}"))
            if decision.subject_kind == "cluster":
                st.page_link("pages/overlaps.py",
                             label=escape_markdown(f"See cluster {decision.subject_id} on the Overlaps page"),
                             icon=":material/arrow_forward:", query_params={"cluster": decision.subject_id})
            by_letter = {letter: [e.person for e in decision.raci if e.responsibility == letter]
                         for letter in RESPONSIBILITIES}
            raci_text = " · ".join(f"**{letter}** {escape_markdown(', '.join(people))}"
                                   for letter, people in by_letter.items() if people)
            st.markdown(raci_text)
            follow_up = []
            if decision.next_step:
                follow_up.append(f"Next step: {escape_markdown(decision.next_step)}")
            if decision.due_date:
                follow_up.append(f"due {decision.due_date:%d %b %Y}")
            follow_up.append(f"by {escape_markdown(record.updated_by or 'unknown')}")
            st.caption(" · ".join(follow_up))


MEMO_KEY = "prepared_memo"


def _prepare_memo(session_id: int) -> None:
    analysis = get_analysis()
    st.session_state[MEMO_KEY] = {
        "session": session_id,
        "pdf": session_memo(engine, analysis, session_id),
        "markdown": session_memo(engine, analysis, session_id, markdown=True),
    }


def render_memo_download(session_id: int) -> None:
    """'Prepare the memo', then 'Export memo (PDF)' and Markdown.

    Built on request, as bytes the page holds: the clock redraws every second, and Streamlit forgets a file built
    by a build-on-click download at each redraw, so on a busy laptop that download was cancelled.
    """
    prepared = st.session_state.get(MEMO_KEY)
    if not prepared or prepared["session"] != session_id:
        st.button("Prepare the memo (PDF and Markdown)", key="memo_prepare", icon=":material/description:",
                  type="primary", on_click=act, args=(_prepare_memo, session_id))
        return
    pdf_col, md_col, again_col = st.columns([2, 2, 1])
    pdf_col.download_button(
        "Export memo (PDF)", key="memo_pdf", icon=":material/picture_as_pdf:", type="primary", width="stretch",
        data=prepared["pdf"], file_name=f"decision-memo-session-{session_id}.pdf", mime="application/pdf",
        on_click="ignore",
    )
    md_col.download_button(
        "Export memo (Markdown, for a wiki)", key="memo_markdown", icon=":material/description:", width="stretch",
        data=prepared["markdown"], file_name=f"decision-memo-session-{session_id}.md", mime="text/markdown",
        on_click="ignore",
    )
    again_col.button("Prepare again", key="memo_prepare_again", width="stretch", on_click=act,
                     args=(_prepare_memo, session_id), help="The memo holds what was saved when it was prepared.")
    st.caption("The memo holds what was saved when it was prepared: prepare it again after later changes.")


# --- the page ------------------------------------------------------------------------------------

st.set_page_config(layout="wide")
page_header(
    "Diagnostic session",
    "The facilitated 30–60 minute meeting where RevOps, engineering, finance and the product owner decide "
    "what to do about duplicated integrations. Everything is saved as it is entered; a decision when you record it.",
)
engine = get_engine()
actor = current_actor()
if not actor.can_edit:
    read_only_notice(actor, "create sessions or change what is captured in them")

selected_id = render_session_bar(list_sessions(engine))
ask_name_first()
if selected_id is None:
    st.info("Resume a session above, or give a new one a title and a facilitator and press **Create session**. "
            "A new session starts with the default agenda: Context 5 min, Overlaps 15, Scoring 15, "
            "Decisions 10, Owners 5. Templates of 30, 45 and 60 minutes are one click away.",
            icon=":material/info:")
    st.stop()

with plain_errors():
    diagnostic = load_session(engine, selected_id)
timezone_here = browser_timezone()

render_header(diagnostic, timezone_here)
# The buttons stay outside the part that reruns every second, so a click never lands on a button being redrawn.
render_clock_controls(diagnostic.id, diagnostic.agenda, diagnostic.clock)
show_flash("start")
running = diagnostic.clock is not None and diagnostic.clock.paused_at is None
(live_timer if running else resting_timer)(diagnostic.id, timezone_here)
render_setup(diagnostic, actor.can_edit)

decisions = list_decisions(engine, diagnostic.id)
analysis = get_analysis()
names = {i.id: i.name for i in analysis.integrations}
clusters = cluster_names(analysis)
decide_col, capture_col = st.columns([3, 2], gap="large")
with decide_col:
    st.subheader(f"Decisions · {len(decisions)}", anchor=False)
    if actor.can_edit:
        render_decision_form(diagnostic, decisions, names, clusters)
    render_decisions(decisions, names, clusters, actor)
with capture_col:
    st.subheader("Captured", anchor=False)
    items = list_items(engine, diagnostic.id)
    render_items(diagnostic.id, "assumption", items)
    render_items(diagnostic.id, "question", items)
    render_notes(diagnostic)

with st.container(border=True):
    st.markdown("**Export memo**")
    render_memo_download(diagnostic.id)
