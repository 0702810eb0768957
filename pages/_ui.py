"""Shared page helpers: the cached engine, who is signed in (and may change what), and plain-message errors."""

from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import UTC, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st
from streamlit.errors import StreamlitAuthError
from streamlit.runtime.pages_manager import PagesManager

from core.errors import GovernanceError
from core.wording import VERDICT_BADGE_COLOURS, escape_markdown, verdict_name
from core.services.analysis import RegistryAnalysis, analysis_inputs_token, load_analysis
from core.services.database import Engine, database_url, open_database
from core.services.identity import Actor, Role, email_verified, local_actor, signed_in_actor
from core.services.settings import name_organisation
from core.services.tco import category_reasons
from core.wording import escape_message

# A deep link (/score) opened first on a freshly started server is run by Streamlit's legacy pages/
# folder discovery, without app.py's router: no wide layout, no groups, "app" and "_ui" listed as
# pages. The first st.navigation call switches that mode off for the whole server; until then,
# switch it off here and rerun, so app.py routes this same page (same URL path, same page hash).
if PagesManager.uses_pages_directory:
    PagesManager.uses_pages_directory = False
    st.rerun()


@st.cache_resource(show_spinner="Opening the registry database…")
def _engine_for(url: str) -> Engine:
    return open_database(url, seed_sample=True)


def current_database_url() -> str:
    return database_url(os.environ.get("DATABASE_URL"))


def get_engine() -> Engine:
    """One engine per database URL for the whole server (sessions are opened per operation)."""
    return _engine_for(current_database_url())


# Team mode: e-mails (comma-separated) that are always admins, so the first admin can sign in and
# fill the role mapping on the Settings page.
BOOTSTRAP_ADMINS_ENV = "IGOV_ADMINS"


def team_mode() -> bool:
    """Team mode is on when sign-in is configured (``[auth]`` in secrets.toml).

    ``st.user`` then always carries ``is_logged_in``; without ``[auth]`` it has no such key (and
    ``st.user.is_logged_in`` would raise), which is local mode.
    """
    return st.user.get("is_logged_in") is not None


def bootstrap_admins() -> tuple[str, ...]:
    raw = os.environ.get(BOOTSTRAP_ADMINS_ENV, "")
    return tuple(e.strip() for e in raw.replace(";", ",").split(",") if e.strip())


NAME_KEY = "user_name"
NAME_PARAM = "who"
NAME_NEEDED = ("Type your name under **Your name** first: every change is recorded with who made it. "
               "Nothing was saved.")


def typed_name() -> str:
    """Local mode: the name typed under "Your name", or the one the address carries (``?who=``)."""
    return (st.session_state.get(NAME_KEY) or st.query_params.get(NAME_PARAM) or "").strip()


def keep_name_in_url() -> None:
    """Local mode: put the typed name in the address (``?who=Ana+Lima``), so a refresh or a deep link keeps it."""
    name = (st.session_state.get(NAME_KEY) or "").strip()
    if name and st.query_params.get(NAME_PARAM) != name:
        st.query_params[NAME_PARAM] = name
    elif not name and NAME_PARAM in st.query_params:
        del st.query_params[NAME_PARAM]


def name_missing() -> bool:
    """Local mode without a typed name: a write now would be recorded as nobody in particular."""
    return not team_mode() and not typed_name()


def refuse_unnamed(area: str | None = None) -> bool:
    """Flash the plain "type your name first" message when no name is given; ``True`` when the write must stop."""
    if name_missing():
        flash(NAME_NEEDED, kind="error", area=area)
        return True
    return False


def stop_unnamed() -> bool:
    """For a write run inline (a button's branch, not a callback): say "type your name first" right here.

    Returns ``True`` when the write must not happen; what the person typed or edited stays on screen.
    """
    if name_missing():
        st.error(NAME_NEEDED, icon=":material/badge:")
        return True
    return False


def ask_name_first() -> None:
    """Local mode without a name, on a page that can change something: ask for it at the top, before any write.

    Only local mode lacks a name, and there the person is an admin: no role check is needed around it.
    """
    # Always drawn, empty once a name is given: removing it would move everything below, and Streamlit would draw
    # an open expander (a half-typed "Add an integration" form) closed again.
    slot = st.container(key="name_prompt_box")
    if not name_missing():
        return
    with slot, st.container(border=True):
        ask, box = st.columns([3, 2], vertical_alignment="center")
        ask.markdown("**Who is at the keyboard?** Type your name before you change anything: every change is "
                     "recorded with who made it. It is kept in the address, so a refresh keeps it.")
        box.text_input("Your name", key="name_prompt", placeholder="e.g. Ana Lima", on_change=_on_name_prompt)


def _on_name_prompt() -> None:
    st.session_state[NAME_KEY] = (st.session_state.get("name_prompt") or "").strip()


def current_actor() -> Actor:
    """Who is acting, with their role: pass it as ``actor=`` to every core write.

    Local mode: the name typed in the sidebar (asked once per browser session), as an admin.
    Team mode: the signed-in e-mail, with the role the saved mapping gives it (viewer if unlisted).
    """
    if not team_mode():
        return local_actor(typed_name())
    if not st.user.get("is_logged_in"):
        return Actor(name="signed-out visitor", role=Role.VIEWER)
    return signed_in_actor(get_engine(), str(st.user.get("email") or ""), str(st.user.get("name") or ""),
                           extra_admins=bootstrap_admins(), verified_claim=st.user.get("email_verified"))


def render_identity() -> None:
    """The sidebar's who-am-I (app.py calls it on every page).

    In team mode a signed-out visitor gets the sign-in screen.
    """
    if not team_mode():
        if st.session_state.get(NAME_KEY) is None:
            # A refresh or a deep link starts a new browser session: the name comes back from the URL.
            st.session_state[NAME_KEY] = st.query_params.get(NAME_PARAM, "")
        with st.sidebar:
            st.text_input("Your name", key=NAME_KEY, help="Recorded with every change you save. "
                          "It stays in the address (?who=…), so a refresh or a shared link keeps it.")
            st.caption("Local mode: single user")
        keep_name_in_url()
        return
    require_sign_in()
    actor = current_actor()
    with st.sidebar:
        st.caption(f"Signed in as **{escape_markdown(actor.name)}** · {actor.role.value}")
        if not email_verified(st.user.get("email_verified")):
            st.caption("Your sign-in provider has not verified this e-mail address, so it is given no role: verify "
                       "it with the provider, then sign in again.")
        elif not actor.can_edit:
            st.caption("You can look at everything but not change it. Ask an admin for editor access.")
        st.button("Log out", key="log_out", on_click=st.logout)


def require_sign_in() -> None:
    """Team mode: a signed-out visitor sees only the sign-in screen (the page stops here)."""
    if not team_mode() or st.user.get("is_logged_in"):
        return
    st.title("Integration Governance")
    st.write("Sign in with your company account to see the registry.")
    if st.button("Sign in", type="primary", key="sign_in"):
        try:
            st.login()
        except StreamlitAuthError as error:
            st.error(f"Sign-in is not set up correctly on this server: {error}")
    st.stop()


def read_only_notice(actor: Actor, what: str = "change anything here") -> None:
    """A one-line note for people whose role does not let them edit what the page shows."""
    st.info(f"You are signed in as a {actor.role.value}: you can look but not {what}.", icon=":material/visibility:")


def browser_timezone() -> tzinfo:
    """The viewer's time zone (times are stored in UTC), or UTC when the browser did not say."""
    try:
        name = st.context.timezone
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError, KeyError, AttributeError):
        return UTC


@contextmanager
def plain_errors():
    """Show a domain error as a plain message instead of a traceback, and stop the page there."""
    try:
        yield
    except GovernanceError as error:
        st.error(escape_message(str(error)))
        st.stop()


_FLASH_KEY = "_flash_messages"


def flash(message: str, *, kind: str = "toast", area: str | None = None) -> None:
    """Keep a message for the next run of the page: a ``toast``, or a ``success``, ``info`` or ``error`` box.

    The message is Markdown: escape any user text in it (``escape_markdown``) before passing it.

    Widget callbacks run before the page and cannot draw; they flash instead. ``area`` puts an error beside the
    widgets it is about (shown by ``show_flash(area)`` there) instead of under the page title.
    """
    st.session_state.setdefault(_FLASH_KEY, []).append((area, kind, message))


def show_flash(area: str | None = None) -> None:
    """Show, once, the messages flashed for ``area`` (``None``: the page-wide ones, under the title)."""
    pending = st.session_state.get(_FLASH_KEY) or []
    mine = [m for m in pending if m[0] == area]
    if not mine:
        return
    st.session_state[_FLASH_KEY] = [m for m in pending if m[0] != area]
    for _, kind, message in mine:
        if kind == "error":
            st.error(message, icon=":material/error:")
        elif kind == "info":
            st.info(message, icon=":material/info:")
        elif kind == "success":
            st.success(message, icon=":material/check_circle:")
        else:
            st.toast(message, icon=":material/check_circle:")


def act(action, *args, area: str | None = None, done: str | None = None, **kwargs) -> bool:
    """Run one service action from a widget callback; a refusal is flashed in plain words, never raised.

    A write (one that takes ``actor=``) is refused until the person has said who they are (local mode).

    Returns:
        Whether the action went through.
    """
    if "actor" in kwargs and name_missing():  # never record a change as nobody in particular
        flash(NAME_NEEDED, kind="error", area=area)
        return False
    try:
        action(*args, **kwargs)
    except GovernanceError as error:
        flash(escape_message(str(error)), kind="error", area=area)
        return False
    if done:
        flash(done)
    return True


def page_header(title: str, help_text: str) -> None:
    """Every page opens the same way: a title, one sentence of what it is for, then any flashed message."""
    require_sign_in()  # app.py already did; again here in case a page ever runs without the router
    st.title(title)
    st.caption(help_text)
    show_flash()


@st.cache_resource(max_entries=4, show_spinner="Analysing the registry…")
def _analysis_for(url: str, token: tuple) -> RegistryAnalysis:
    # The token changes whenever the registry, settings, aliases or survivor choices change, so a
    # cached analysis is never stale; the frozen result is shared read-only between sessions.
    return load_analysis(_engine_for(url))


def get_analysis() -> RegistryAnalysis:
    """The analysis of the current registry, recomputed only when something it depends on changed."""
    url = current_database_url()
    return _analysis_for(url, analysis_inputs_token(_engine_for(url)))


def show_recommendation(recommendation, where: str) -> None:
    """A cluster's recommendation, worded and laid out the same on every page: the verdict, what to do, then why.

    ``where`` names the page, so the block's key (and the CSS class a browser test finds it by) is unique.
    """
    with st.container(border=True, key=f"recommendation_{where}_{recommendation.cluster_id}"):
        verdict = recommendation.verdict
        st.badge(f"Recommended: {verdict_name(verdict)}", color=VERDICT_BADGE_COLOURS[verdict])
        first, *rest = recommendation.reasons
        st.markdown(f"**{escape_markdown(first)}**")
        st.markdown("\n".join(f"- {escape_markdown(reason)}" for reason in rest))


def organisation_prompt(settings, where: str) -> None:
    """Before the first PDF: ask for the organisation's name, the placeholder shown as the visible default.

    PDFs never print the placeholder; once a name is saved (here or in Settings) the prompt goes away.
    """
    if settings.organisation_named:
        return
    actor = current_actor()
    if not actor.is_admin:
        st.caption("PDFs print no organisation name until an admin sets one in Settings.")
        return
    with st.form(f"organisation_{where}", border=True):
        name = st.text_input("Organisation name printed on PDFs", settings.organisation, max_chars=80,
                             key=f"organisation_name_{where}",
                             help="Asked once, before the first PDF; change it later in Settings.")
        saved = st.form_submit_button("Use this name") and act(
            name_organisation, get_engine(), name, actor=actor, done="Saved the organisation name.")
    if saved:
        st.rerun()


def show_complexity(analysis, subject) -> None:
    """The complexity category of an integration (or a proposal), its factors in words, and what was estimated."""
    with plain_errors():
        reasons = category_reasons(analysis, subject)
    st.markdown(f"**Complexity: {escape_markdown(reasons.category.value)}**, because:")
    st.markdown("\n".join(f"- {escape_markdown(factor)}" for factor in reasons.factors))
    if reasons.estimated:
        st.caption(escape_markdown("Estimated from the category, not typed: " + "; ".join(reasons.estimated) + "."))
    else:
        st.caption("Build and maintenance hours are typed in the registry, not estimated from the category.")


def brief_memo_downloads(*, integration_id: str | None = None, cluster_id: str | None = None, where: str) -> None:
    """Download the brief ownership memo (at most 2 pages) of one integration or cluster, as PDF or Markdown."""
    from core.services.exports import brief_memo_for  # fpdf2 and matplotlib load only on pages that offer a PDF

    subject = integration_id or cluster_id or ""
    engine = get_engine()

    def build(markdown: bool):
        def make():
            data = brief_memo_for(engine, get_analysis(), integration_id=integration_id, cluster_id=cluster_id,
                                  markdown=markdown)
            return data.encode("utf-8") if isinstance(data, str) else data
        return make

    pdf, md = st.columns(2)
    pdf.download_button("Ownership memo (PDF)", data=build(False), file_name=f"ownership-memo-{subject}.pdf",
                        mime="application/pdf", on_click="ignore", key=f"brief_pdf_{where}_{subject}",
                        icon=":material/picture_as_pdf:", width="stretch",
                        help="The brief ownership memo, at most 2 pages: what it is, the recommendation, owner and "
                             "RACI, costs in money and hours, next steps and sign-off lines.")
    md.download_button("Ownership memo (Markdown)", data=build(True), file_name=f"ownership-memo-{subject}.md",
                       mime="text/markdown", on_click="ignore", key=f"brief_md_{where}_{subject}",
                       icon=":material/description:", width="stretch", help="The same memo for a wiki.")
