"""Diagnostic session set-up: participants and agenda in plain fields, each saved as it is entered."""

from __future__ import annotations

import streamlit as st

from core.services.sessions import (AGENDA_TEMPLATES, AgendaStep, Participant, Role, agenda_warnings,
    load_session, missing_roles, save_agenda, set_participants)
from core.wording import escape_markdown
from pages._ui import act, current_actor, get_engine, refuse_unnamed, show_flash

# Bumped when rows are added or removed, so the fields of each row start from what is saved.
SETUP_ROUND = "session_setup_round"
ROLES = list(Role)


def _round() -> int:
    return st.session_state.setdefault(SETUP_ROUND, 0)


def _refresh_fields() -> None:
    st.session_state[SETUP_ROUND] = _round() + 1


def _save_people(session_id: int, people: list[Participant], done: str | None = None) -> bool:
    if refuse_unnamed("participants"):
        _refresh_fields()
        return False
    saved = act(set_participants, get_engine(), session_id, people, actor=current_actor(), area="participants",
                done=done)
    if not saved:
        _refresh_fields()  # the fields go back to what is saved; the message says why
    return saved


def _on_person(session_id: int, index: int, key: str) -> None:
    people = list(load_session(get_engine(), session_id).participants)
    typed = st.session_state.get(f"{key}_name")
    if not key.startswith(f"person_{session_id}_{_round()}_"):
        return  # a field from before rows were added or removed (or a template used): what it holds is old
    if index >= len(people) or typed is None:
        _refresh_fields()  # the list changed meanwhile: show it as saved
        return
    name = typed.strip()
    role = st.session_state.get(f"{key}_role") or people[index].role
    if not name:
        del people[index]  # clearing the name is the quickest way to take someone off the list
        _refresh_fields()
    else:
        people[index] = Participant(name, role)
    _save_people(session_id, people)


def _on_remove_person(session_id: int, index: int) -> None:
    people = list(load_session(get_engine(), session_id).participants)
    if index < len(people):
        del people[index]
        _save_people(session_id, people)
    _refresh_fields()


def _on_add_person(session_id: int) -> None:
    name = (st.session_state.get("new_person_name") or "").strip()
    if not name:
        return
    role = st.session_state.get("new_person_role") or Role.OTHER
    people = list(load_session(get_engine(), session_id).participants)
    if name.casefold() in {p.name.casefold() for p in people}:
        # Enter and a quick click elsewhere can send the same name twice: it is on the list already.
        st.session_state["new_person_name"] = ""
        return
    people.append(Participant(name, role))
    if _save_people(session_id, people, done=escape_markdown(f"{name} added.")):
        st.session_state["new_person_name"] = ""
        _refresh_fields()


def _save_steps(session_id: int, steps: list[AgendaStep], done: str | None = None) -> bool:
    if refuse_unnamed("agenda"):
        _refresh_fields()
        return False
    saved = act(save_agenda, get_engine(), session_id, steps, actor=current_actor(), area="agenda", done=done)
    if not saved:
        _refresh_fields()
    return saved


def _on_step(session_id: int, index: int, key: str) -> None:
    if not key.startswith(f"step_{session_id}_{_round()}_"):
        return  # a field from before steps were added or removed (or a template used): what it holds is old
    steps = list(load_session(get_engine(), session_id).agenda)
    if index >= len(steps) or st.session_state.get(f"{key}_title") is None:
        _refresh_fields()  # the agenda changed meanwhile: show it as saved
        return
    minutes = st.session_state.get(f"{key}_minutes")
    steps[index] = AgendaStep(title=(st.session_state.get(f"{key}_title") or "").strip(),
                              minutes=int(minutes) if minutes is not None else steps[index].minutes,
                              guidance=(st.session_state.get(f"{key}_guidance") or "").strip())
    _save_steps(session_id, steps)


def _on_remove_step(session_id: int, index: int) -> None:
    steps = list(load_session(get_engine(), session_id).agenda)
    if index < len(steps):
        del steps[index]
        _save_steps(session_id, steps)
    _refresh_fields()


def _on_add_step(session_id: int) -> None:
    title = (st.session_state.get("new_step_title") or "").strip()
    if not title:
        return
    minutes = int(st.session_state.get("new_step_minutes") or 5)
    steps = list(load_session(get_engine(), session_id).agenda)
    if title.casefold() in {s.title.casefold() for s in steps}:
        st.session_state["new_step_title"] = ""  # sent twice (Enter, then a click elsewhere): it is there already
        return
    steps.append(AgendaStep(title, minutes))
    if _save_steps(session_id, steps, done=escape_markdown(f'Step "{title}" added.')):
        st.session_state["new_step_title"] = ""
        _refresh_fields()


def _on_template(session_id: int, minutes: int) -> None:
    if _save_steps(session_id, list(AGENDA_TEMPLATES[minutes]), done=f"The {minutes}-minute agenda is in place."):
        _refresh_fields()


def render_participants(diagnostic, can_edit: bool) -> None:
    """One line per person (name and role, saved as typed), then a line to add someone."""
    people = diagnostic.participants
    missing = missing_roles(people)
    title = f"Participants · {len(people)}" + (" · roles missing" if missing else "")
    # A key keeps the section open while its title changes (a person added, a step edited).
    with st.expander(title, icon=":material/group:", expanded=not people, key=f"participants_{diagnostic.id}"):
        for index, person in enumerate(people):
            key = f"person_{diagnostic.id}_{_round()}_{index}"
            name_col, role_col, remove_col = st.columns([6, 4, 1], vertical_alignment="center")
            name_col.text_input("Name", value=person.name, key=f"{key}_name", label_visibility="collapsed",
                                disabled=not can_edit, on_change=_on_person, args=(diagnostic.id, index, key))
            role_col.selectbox("Role", ROLES, index=ROLES.index(person.role), key=f"{key}_role",
                               format_func=lambda r: r.label, label_visibility="collapsed", disabled=not can_edit,
                               on_change=_on_person, args=(diagnostic.id, index, key))
            if can_edit:
                remove_col.button("", key=f"{key}_remove", icon=":material/close:", type="tertiary",
                                  help="Take off the list", on_click=_on_remove_person, args=(diagnostic.id, index))
        if can_edit:
            name_col, role_col, add_col = st.columns([6, 4, 1], vertical_alignment="bottom")
            name_col.text_input("Add a person", key="new_person_name", placeholder="Name, then Enter",
                                on_change=_on_add_person, args=(diagnostic.id,))
            role_col.selectbox("Their role", ROLES, index=ROLES.index(Role.OTHER), key="new_person_role",
                               format_func=lambda r: r.label)
            add_col.button("", key="add_person", icon=":material/person_add:", type="tertiary", help="Add",
                           on_click=_on_add_person, args=(diagnostic.id,))
        show_flash("participants")
    if missing:
        st.warning("Not at the table yet: " + ", ".join(r.label for r in missing) + ". The method wants RevOps, "
                   "engineering, finance and the product owner in the room, so each decision has its owner.",
                   icon=":material/group_off:")


def render_agenda(diagnostic, can_edit: bool) -> None:
    """A template to start from, then one line per step (title, minutes, what to do), saved as typed."""
    steps = diagnostic.agenda
    total = sum(s.minutes for s in steps)
    with st.expander(f"Agenda · {len(steps)} steps · {total} min", icon=":material/schedule:",
                     key=f"agenda_{diagnostic.id}"):
        if can_edit:
            with st.container(horizontal=True, vertical_alignment="center", gap="small"):
                st.markdown("Start from a template:", width="content")
                for minutes in AGENDA_TEMPLATES:
                    st.button(f"{minutes} min", key=f"agenda_template_{minutes}", on_click=_on_template,
                              args=(diagnostic.id, minutes), help=f"Replace the agenda with the {minutes}-minute "
                              "one: Context, Overlaps, Scoring, Decisions, Owners.")
        for index, step in enumerate(steps):
            key = f"step_{diagnostic.id}_{_round()}_{index}"
            title_col, minutes_col, guidance_col, remove_col = st.columns([3, 2, 6, 1], vertical_alignment="center")
            title_col.text_input("Step", value=step.title, key=f"{key}_title", label_visibility="collapsed",
                                 disabled=not can_edit, on_change=_on_step, args=(diagnostic.id, index, key))
            minutes_col.number_input("Minutes", value=step.minutes, min_value=1, max_value=120, step=1,
                                     key=f"{key}_minutes", label_visibility="collapsed", disabled=not can_edit,
                                     on_change=_on_step, args=(diagnostic.id, index, key), format="%d")
            guidance_col.text_input("What to do in it", value=step.guidance, key=f"{key}_guidance",
                                    label_visibility="collapsed", disabled=not can_edit, on_change=_on_step,
                                    args=(diagnostic.id, index, key))
            if can_edit:
                remove_col.button("", key=f"{key}_remove", icon=":material/close:", type="tertiary",
                                  help="Remove this step", on_click=_on_remove_step, args=(diagnostic.id, index))
        if can_edit:
            title_col, minutes_col, add_col = st.columns([6, 2, 1], vertical_alignment="bottom")
            title_col.text_input("Add a step", key="new_step_title", placeholder="Step title, then Enter",
                                 on_change=_on_add_step, args=(diagnostic.id,))
            minutes_col.number_input("Minutes", min_value=1, max_value=120, value=5, step=1, key="new_step_minutes")
            add_col.button("", key="add_step", icon=":material/add:", type="tertiary", help="Add",
                           on_click=_on_add_step, args=(diagnostic.id,))
        st.caption("Whole minutes from 1 to 120 per step. Changing the agenda of a running session moves the "
                   "timers at once.")
        show_flash("agenda")
    for warning in agenda_warnings(steps):
        st.warning(escape_markdown(warning), icon=":material/timer_off:")


def render_setup(diagnostic, can_edit: bool) -> None:
    """Participants, then the agenda, each the whole width: side by side, a name, a role and the remove button
    did not fit on one line on a 1280 px screen or in projector mode, and the button dropped under the row."""
    render_participants(diagnostic, can_edit)
    render_agenda(diagnostic, can_edit)
