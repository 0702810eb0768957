"""Score page: score one integration or a proposal against the rubric, live, with reasons and sensitivity."""

from __future__ import annotations

import streamlit as st

from core.errors import GovernanceError
from core.services.scoring import (CRITERIA, PROPOSAL_CONTROLS, PROPOSAL_ID, Approach, Direction, Integration,
    RubricConfig, RubricResult, Tier, Timeliness, contribution_rows, describe_subject, flip_statements,
    format_score, history_rows, list_scorings, overrides_from_inputs, proposal_from_answers, save_scoring,
    saved_rubric, score_subject)
from core.wording import (PRIMARY, VERDICT_COLOURS, VERDICT_MEANING, escape_html, escape_markdown, escape_message,
    verdict_banner)
from pages._links import see_cluster_link
from pages._style import show_table
from pages._ui import (ask_name_first, brief_memo_downloads, browser_timezone, current_actor, flash, get_analysis,
                       get_engine, name_missing, page_header, plain_errors, show_complexity, show_flash, stop_unnamed)

# Widget keys (tests and other pages rely on them).
KIND_KEY = "score_subject_kind"
PICK_KEY = "score_integration"
SAVE_KEY = "score_save"
RESET_KEY = "score_reset_weights"
CLEAR_KEY = "score_clear_overrides"
FORM_KEY = "score_proposal_form"
SUBMIT_KEY = "proposal_submit"
# Non-widget keys: they survive page switches, unlike widget state.
WEIGHTS_STORE = "score_weights"  # {criterion name: weight}
PICK_STORE = "score_selected_id"
KIND_STORE = "score_subject_kind_saved"
PROPOSAL_STORE = "score_proposal_answers"
SUBJECT_SEEN = "score_subject_seen"
SAVED_AREA = "score_saved"

# The place in the URL, so a refresh or a shared link shows the same scoring:
# ?integration=INT-014&w_overlap=6 (only weights that differ from the saved rubric), or ?score=proposal.
INTEGRATION_PARAM, KIND_PARAM, WEIGHT_PARAM_PREFIX = "integration", "score", "w_"

REGISTRY, PROPOSAL = "registry", "proposal"
BAR, BAR_OVERRIDDEN = PRIMARY, "#d97706"
NOT_SURE = "not sure"


def weight_key(name: str) -> str:
    return f"score_weight_{name}"


def override_key(name: str) -> str:
    return f"score_override_{name}"


def weight_param(name: str) -> str:
    return f"{WEIGHT_PARAM_PREFIX}{name}"


def weight_from_url(name: str) -> float | None:
    """A weight given in the URL, when it is a number from 0 to 10 (anything else is ignored)."""
    raw = st.query_params.get(weight_param(name))
    try:
        value = float(raw) if raw is not None else None
    except ValueError:
        return None
    return value if value is not None and 0.0 <= value <= 10.0 else None


def keep_weights_in_url(weights: dict[str, float], defaults: dict[str, float]) -> None:
    for name, value in weights.items():
        if abs(value - float(defaults.get(name, value))) > 1e-9:
            st.query_params[weight_param(name)] = f"{value:g}"
        else:
            st.query_params.pop(weight_param(name), None)


def proposal_key(field: str) -> str:
    return f"proposal_{field}"


def _saved_rubric() -> RubricConfig:
    """The rubric saved on the Settings page (data/rubric.toml until someone saves one)."""
    with plain_errors():
        return saved_rubric(get_engine())


def _default_weights() -> dict[str, float]:
    return dict(_saved_rubric().weights)


# --- callbacks -------------------------------------------------------------------------------------

def _on_reset_weights() -> None:
    defaults = _default_weights()
    for name, value in defaults.items():
        st.session_state[weight_key(name)] = float(value)
    st.session_state[WEIGHTS_STORE] = dict(defaults)


def _on_clear_overrides() -> None:
    for criterion in CRITERIA:
        st.session_state[override_key(criterion.name)] = None


def _on_pick() -> None:
    st.session_state[PICK_STORE] = st.session_state.get(PICK_KEY)


def _on_kind() -> None:
    st.session_state[KIND_STORE] = st.session_state.get(KIND_KEY)


def _on_submit_proposal() -> None:
    answers = {field: st.session_state.get(proposal_key(field)) for field in _PROPOSAL_FIELDS}
    st.session_state[PROPOSAL_STORE] = {k: (None if v == NOT_SURE else v) for k, v in answers.items()}


_PROPOSAL_FIELDS = ("name", "source_system", "target_system", "data_objects", "owner_team", "owner", "consumers",
                    "direction", "tier", "approach", "timeliness", "build_hours", "monthly_maintenance_hours",
                    "monthly_tool_cost", "people_touching", "controls", "notes")


# --- choosing what to score ------------------------------------------------------------------------

def choose_subject(analysis) -> Integration | None:
    """The integration picked from the registry, or the proposal described in the form."""
    if KIND_KEY not in st.session_state:
        from_url = PROPOSAL if st.query_params.get(KIND_PARAM) == PROPOSAL else None
        st.session_state[KIND_KEY] = (st.session_state.get(KIND_STORE) or from_url
                                      or (REGISTRY if analysis.integrations else PROPOSAL))
    kind = st.radio(
        "What are you scoring?", options=[REGISTRY, PROPOSAL], key=KIND_KEY, index=None, horizontal=True,
        on_change=_on_kind,
        format_func={REGISTRY: "An integration in the registry", PROPOSAL: "A proposal (not built yet)"}.get,
    )
    st.session_state[KIND_STORE] = kind
    if kind == REGISTRY:
        st.query_params.pop(KIND_PARAM, None)
        return _pick_integration(analysis)
    st.query_params.pop(INTEGRATION_PARAM, None)
    st.query_params[KIND_PARAM] = PROPOSAL
    return _describe_proposal()


def _pick_integration(analysis) -> Integration | None:
    if not analysis.integrations:
        st.info("The registry is empty: import a CSV on the Registry page, or score a proposal instead.")
        return None
    names = {i.id: i.name for i in analysis.integrations}
    if st.session_state.get(PICK_KEY) not in names:
        wanted = st.query_params.get(INTEGRATION_PARAM) or st.session_state.get(PICK_STORE)
        st.session_state[PICK_KEY] = wanted if wanted in names else next(iter(names))
    picked = st.selectbox(
        "Integration", options=list(names), key=PICK_KEY, index=None, on_change=_on_pick,
        format_func=lambda i: f"{i} · {names[i]}", help="Type to search by id or name.",
    )
    st.session_state[PICK_STORE] = picked
    if picked is None:  # the choice was cleared
        st.query_params.pop(INTEGRATION_PARAM, None)
        return None
    st.query_params[INTEGRATION_PARAM] = picked
    return analysis.integration(picked)


def _describe_proposal() -> Integration | None:
    saved = st.session_state.get(PROPOSAL_STORE) or {}
    for field in _PROPOSAL_FIELDS:  # refill the form after a page switch
        if proposal_key(field) not in st.session_state and saved.get(field) is not None:
            st.session_state[proposal_key(field)] = saved[field]
    proposal, problem = None, None
    if saved:
        try:
            proposal = proposal_from_answers(saved)
        except GovernanceError as error:
            problem = str(error)
    enum_options = lambda enum: [NOT_SURE, *[v.value for v in enum]]  # noqa: E731
    box = (st.expander(f"Proposal: {escape_markdown(str(saved.get('name') or 'unnamed'))} — open to change it")
           if proposal is not None else st.container())
    with box, st.form(FORM_KEY, border=proposal is None):
        st.markdown("**Describe the proposal** — it is compared with every integration in the registry.")
        a, b, c = st.columns(3)
        a.text_input("Name", key=proposal_key("name"), placeholder="e.g. Quotes to Stripe")
        b.text_input("Source system", key=proposal_key("source_system"), placeholder="e.g. Salesforce")
        c.text_input("Target system", key=proposal_key("target_system"), placeholder="e.g. Stripe")
        a.text_input("Data objects", key=proposal_key("data_objects"), placeholder="Comma-separated: Quote, Quote line")
        b.text_input("Owner team", key=proposal_key("owner_team"), placeholder="e.g. Finance")
        c.text_input("Owner (a person)", key=proposal_key("owner"), placeholder="Leave empty if nobody yet")
        a.text_input("Consumers", key=proposal_key("consumers"), placeholder="Comma-separated: Board pack, RevOps")
        b.selectbox("Direction", [v.value for v in Direction], key=proposal_key("direction"))
        c.selectbox("Business tier", enum_options(Tier), key=proposal_key("tier"))
        a.selectbox("How it would be built", enum_options(Approach), key=proposal_key("approach"))
        b.selectbox("Timeliness", enum_options(Timeliness), key=proposal_key("timeliness"))
        c.text_input("Estimated build hours", key=proposal_key("build_hours"), placeholder="40, 30-50 or 30/40/60")
        a.text_input("Maintenance hours a month", key=proposal_key("monthly_maintenance_hours"), placeholder="e.g. 2-4")
        b.text_input("Tool cost a month", key=proposal_key("monthly_tool_cost"), placeholder="e.g. 0-200")
        c.text_input("People touching the data", key=proposal_key("people_touching"), placeholder="e.g. 2-3")
        st.multiselect("Controls it will have", options=list(PROPOSAL_CONTROLS), key=proposal_key("controls"),
                       format_func=PROPOSAL_CONTROLS.get,
                       help="Controls not chosen count as 'not decided yet', a partial gap.")
        st.text_input("Notes", key=proposal_key("notes"))
        st.form_submit_button("Score this proposal", key=SUBMIT_KEY, type="primary", on_click=_on_submit_proposal)
    if not saved:
        st.info("Fill in the proposal and press **Score this proposal**.")
    elif problem:
        st.error(escape_message(problem), icon=":material/error:")
    return proposal


def _reset_overrides_on_new_subject(subject: Integration) -> None:
    """Scores set by the group belong to one integration: start from automatic on another one."""
    if st.session_state.get(SUBJECT_SEEN) != subject:
        _on_clear_overrides()
        st.session_state[SUBJECT_SEEN] = subject


# --- the live scoring (a fragment: moving a slider reruns only this part) --------------------------

def _verdict_block(subject: Integration, result: RubricResult) -> None:
    colour = VERDICT_COLOURS[result.verdict]
    who = "the proposal" if subject.id == PROPOSAL_ID else subject.id
    title = escape_html(f"{who} · {subject.name}")
    # A cluster member's verdict is its cluster's recommendation, not its score: say so beside the number, or a high
    # score reads as contradicting a PROCEED.
    set_by = (f" &nbsp;·&nbsp; verdict set by {escape_html(result.cluster_id)}'s recommendation"
              if result.cluster_id is not None else "")
    st.markdown(
        f"""<div class="igov-verdict" data-verdict="{result.verdict.value}"
        style="background:{colour};color:#fff;border-radius:12px;padding:16px 24px;margin-bottom:8px">
        <div style="font-size:1.05rem;opacity:.92">Verdict for {title}</div>
        <div style="font-size:3.2rem;font-weight:800;letter-spacing:.06em;line-height:1.15">
        {verdict_banner(result.verdict)}</div>
        <div style="font-size:1.3rem">{escape_html(VERDICT_MEANING[result.verdict])}
        &nbsp;·&nbsp; score <b>{format_score(result.score)}</b>{set_by}</div></div>""",
        unsafe_allow_html=True,
    )
    st.caption(escape_markdown(describe_subject(subject)))


def _reasons(result: RubricResult) -> None:
    st.markdown("**Why**")
    st.markdown("\n".join(f"- {escape_markdown(reason)}" for reason in result.reasons))
    st.markdown("**How firm is it?**")
    if result.cluster_id is not None:
        st.info(f"{escape_markdown(result.integration_id)} is in cluster {escape_markdown(result.cluster_id)}: "
                "its verdict is what the cluster's recommendation does with it (the same on the Overlaps and TCO "
                "pages). Weights and the group's scores change its score, not its verdict.", icon=":material/hub:")
        see_cluster_link(result.cluster_id, "score", integration=result.integration_id)
    elif result.stable_within_25_percent:
        st.success(f"Stable within ±25% on every weight: no single weight change of up to 25% changes "
                   f"{result.verdict.value}.", icon=":material/verified:")
    else:
        st.warning("Sensitive: a weight change of 25% or less changes this verdict. Agree the weights "
                   "before relying on it.", icon=":material/warning:")
    flips = flip_statements(result, 3)
    if flips:
        st.markdown("\n".join(f"- {escape_markdown(sentence)}" for sentence in flips))
    else:
        st.markdown("- No change of a single weight within 0–10 changes this verdict.")


def _contribution_chart(result: RubricResult) -> None:
    """What drives the score, as plain HTML bars: drawn at once on every weight move (a Plotly chart took most of
    a second to redraw in the browser, see bench/results.md)."""
    rows = contribution_rows(result)
    longest = max((r.contribution for r in rows), default=0.0) or 1.0
    bars = "".join(
        f'<div class="igov-driver" data-criterion="{escape_html(r.name)}" title="{escape_html(r.explanation)}">'
        f'<div class="igov-driver-label">{escape_html(r.label)}</div>'
        f'<div class="igov-driver-track"><div class="igov-driver-bar" '
        f'style="width:{100 * r.contribution / longest:.1f}%;'
        f'background:{BAR_OVERRIDDEN if r.overridden else BAR}"></div></div>'
        f'<div class="igov-driver-value">{escape_html(r.text)}</div></div>'
        for r in rows)
    st.markdown(
        f'<div class="igov-drivers"><div class="igov-drivers-title">What drives the score of '
        f'{format_score(result.score)}</div>{bars}<div class="igov-drivers-axis">Points each criterion adds to the '
        f'score (out of 5): its score × its weight. Bars are to scale.</div></div>',
        unsafe_allow_html=True)
    if any(r.overridden for r in rows):
        st.caption("Orange bars: the group set that criterion's score instead of the automatic one.")


def _criteria_controls(result: RubricResult | None, auto: dict[str, tuple[float, str]]) -> None:
    head = st.columns([5, 2, 3])
    head[0].markdown("**Criterion** — automatic score and why")
    head[1].markdown("**Group's score**", help="0 to 5. Leave empty to use the automatic score.")
    head[2].markdown("**Weight** (0 – 10)",
                     help="How much the criterion counts. Defaults are the weights saved on the Settings page.")
    by_name = {c.name: c for c in result.criteria} if result else {}
    for criterion in CRITERIA:
        row = st.columns([5, 2, 3], vertical_alignment="center")
        auto_score, explanation = auto.get(criterion.name, (None, criterion.description))
        with row[0]:
            scored = by_name.get(criterion.name)
            state = ""
            if scored is not None:
                state = (f" — automatic {auto_score:.1f}, group **{scored.score:.1f} / 5**" if scored.overridden
                         else f" — **{auto_score:.1f} / 5**")
            st.markdown(f"**{escape_markdown(criterion.label)}**{state}")
            st.caption(escape_markdown(explanation))
        row[1].number_input(
            f"Group's score for {criterion.label}", min_value=0.0, max_value=5.0, value=None, step=0.5,
            key=override_key(criterion.name), label_visibility="collapsed",
            placeholder="auto",  # the automatic score itself is in the criterion's line, left
        )
        row[2].slider(f"Weight of {criterion.label}", min_value=0.0, max_value=10.0, step=0.5,
                      key=weight_key(criterion.name), label_visibility="collapsed")
    buttons = st.container(horizontal=True)
    buttons.button("Reset weights", key=RESET_KEY, on_click=_on_reset_weights, icon=":material/restart_alt:",
                help="Back to the weights saved on the Settings page.")
    buttons.button("Use automatic scores", key=CLEAR_KEY, on_click=_on_clear_overrides, icon=":material/auto_mode:")


def _save_and_history(subject: Integration, result: RubricResult | None, weights: dict, overrides: dict) -> None:
    st.subheader("Save this scoring", anchor=False)
    actor = current_actor()
    who = actor.name
    if name_missing():
        ask_name_first()
    elif actor.can_edit:
        st.caption(f"Saved as **{escape_markdown(who)}** with the weights and group scores above.")
    else:
        st.caption("Viewers can try weights and scores here, but not save them. Ask an admin for editor access.")
    engine = get_engine()
    if st.button("Save scoring", key=SAVE_KEY, type="primary", icon=":material/save:",
                 disabled=result is None or not actor.can_edit) and not stop_unnamed():
        with plain_errors():
            save_scoring(engine, subject, result, weights, overrides, actor=actor)
        flash(escape_markdown(f"Saved: {result.verdict.value}, {format_score(result.score)}, by {who}."),
              kind="success", area=SAVED_AREA)
    show_flash(SAVED_AREA)
    with plain_errors():
        saved = list_scorings(engine, subject.id, limit=20)
    label = "proposals" if subject.id == PROPOSAL_ID else subject.id
    if not saved:
        st.caption(escape_markdown(f"No saved scorings of {label} yet."))
        return
    st.markdown(f"**Saved scorings of {escape_markdown(label)}**, newest first")
    show_table(history_rows(saved, _default_weights(), browser_timezone()), key="score_history")


@st.fragment
def scoring_panel(subject: Integration) -> None:
    base = _saved_rubric()
    defaults = dict(base.weights)
    if WEIGHTS_STORE not in st.session_state:  # a refresh or a shared link: the weights in the URL
        st.session_state[WEIGHTS_STORE] = {name: weight_from_url(name) if weight_from_url(name) is not None
                                           else float(value) for name, value in defaults.items()}
    stored = st.session_state[WEIGHTS_STORE]
    for criterion in CRITERIA:
        st.session_state.setdefault(weight_key(criterion.name),
                                    float(stored.get(criterion.name, defaults[criterion.name])))
        st.session_state.setdefault(override_key(criterion.name), None)
    # Widget values are known before the widgets are drawn, so the verdict can sit above them.
    weights = {c.name: float(st.session_state[weight_key(c.name)]) for c in CRITERIA}
    st.session_state[WEIGHTS_STORE] = dict(weights)
    keep_weights_in_url(weights, defaults)
    overrides = overrides_from_inputs({c.name: st.session_state[override_key(c.name)] for c in CRITERIA})

    result, problem = None, None
    try:
        rubric = base.with_weights(**weights)  # validates: at least one weight above 0
        result = score_subject(get_analysis(), subject, rubric, overrides)
    except GovernanceError as error:
        problem = str(error)
    auto = {c.name: (c.auto_score, c.explanation.removesuffix(" (score set by the group)"))
            for c in result.criteria} if result else {}

    controls, verdict = st.columns([11, 9], gap="large")
    with verdict:
        if result is None:
            st.error(escape_message(f"This scoring cannot be worked out: {problem}"), icon=":material/error:")
        else:
            _verdict_block(subject, result)
            _contribution_chart(result)
            _reasons(result)
    with controls:
        st.subheader("Criteria", anchor=False)
        st.caption("Each criterion is a level of concern from 0 (none) to 5 (strong). Set the group's score to "
                   "replace the automatic one; move a weight to change how much it counts.")
        _criteria_controls(result, auto)
    st.divider()
    _save_and_history(subject, result, weights, overrides)


page_header("Score", "Score an integration or a proposal: verdict, reasons, and how much each criterion and weight "
            "matters. Changes apply at once.")
with plain_errors():
    analysis = get_analysis()
subject = choose_subject(analysis)
if subject is not None:
    _reset_overrides_on_new_subject(subject)
    scoring_panel(subject)
    st.divider()
    show_complexity(analysis, subject)
    if subject.id in analysis.by_id:
        cluster = analysis.cluster_by_member.get(subject.id)
        if cluster is not None:
            st.caption(escape_markdown(f"{subject.id} is in cluster {cluster.id}: the memo of the integration "
                                       "carries the cluster's recommendation."))
        brief_memo_downloads(integration_id=subject.id, where="score")
