"""Shared page helpers: the cached engine, who is signed in (and may change what), and plain-message errors."""

from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st
from sqlalchemy.engine import Engine
from streamlit.errors import StreamlitAuthError
from streamlit.runtime.pages_manager import PagesManager

from core.domain.access import LOCAL_ACTOR_ROLE, Actor, Role, role_for_email
from core.domain.analysis import RegistryAnalysis, analyse_registry
from core.errors import GovernanceError
from core.storage.db import create_db_engine, database_url
from core.storage.store import (
    analysis_inputs_token,
    load_alias_tables,
    load_integrations,
    load_role_mapping,
    load_settings,
    load_survivor_choices,
    seed_sample_registry,
)

# A deep link (/score) opened first on a freshly started server is run by Streamlit's legacy pages/
# folder discovery, without app.py's router: no wide layout, no groups, "app" and "_ui" listed as
# pages. The first st.navigation call switches that mode off for the whole server; until then,
# switch it off here and rerun, so app.py routes this same page (same URL path, same page hash).
if PagesManager.uses_pages_directory:
    PagesManager.uses_pages_directory = False
    st.rerun()


@st.cache_resource(show_spinner="Opening the registry database…")
def _engine_for(url: str) -> Engine:
    engine = create_db_engine(url)
    seed_sample_registry(engine)
    return engine


def current_database_url() -> str:
    return database_url(os.environ.get("DATABASE_URL"))


def get_engine() -> Engine:
    """One engine per database URL for the whole server (sessions are opened per operation)."""
    return _engine_for(current_database_url())


# Team mode: e-mails (comma-separated) that are always admins, so the first admin can sign in and
# fill the role mapping on the Settings page.
BOOTSTRAP_ADMINS_ENV = "IGOV_ADMINS"
LOCAL_USER = "local user"


def team_mode() -> bool:
    """Team mode is on when sign-in is configured (``[auth]`` in secrets.toml).

    ``st.user`` then always carries ``is_logged_in``; without ``[auth]`` it has no such key (and
    ``st.user.is_logged_in`` would raise), which is local mode.
    """
    return st.user.get("is_logged_in") is not None


def bootstrap_admins() -> tuple[str, ...]:
    raw = os.environ.get(BOOTSTRAP_ADMINS_ENV, "")
    return tuple(e.strip() for e in raw.replace(";", ",").split(",") if e.strip())


def current_actor() -> Actor:
    """Who is acting, with their role: pass it as ``actor=`` to every core write.

    Local mode: the name typed in the sidebar (asked once per browser session), as an admin.
    Team mode: the signed-in e-mail, with the role the saved mapping gives it (viewer if unlisted).
    """
    if not team_mode():
        return Actor(name=st.session_state.get("user_name", "").strip() or LOCAL_USER, role=LOCAL_ACTOR_ROLE)
    if not st.user.get("is_logged_in"):
        return Actor(name="signed-out visitor", role=Role.VIEWER)
    email = str(st.user.get("email") or "").strip()
    role = role_for_email(email, load_role_mapping(get_engine()), extra_admins=bootstrap_admins())
    return Actor(name=email or str(st.user.get("name") or "signed-in user"), role=role, email=email or None)


def render_identity() -> None:
    """The sidebar's who-am-I (app.py calls it on every page); in team mode a signed-out visitor gets the sign-in screen."""
    if not team_mode():
        with st.sidebar:
            st.text_input("Your name", key="user_name", help="Recorded with every change you save.")
            st.caption("Local mode: single user")
        return
    require_sign_in()
    actor = current_actor()
    with st.sidebar:
        st.caption(f"Signed in as **{actor.name}** · {actor.role.value}")
        if not actor.can_edit:
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
        return ZoneInfo(name) if name else timezone.utc
    except (ZoneInfoNotFoundError, ValueError, KeyError, AttributeError):
        return timezone.utc


@contextmanager
def plain_errors():
    """Show a domain error as a plain message instead of a traceback, and stop the page there."""
    try:
        yield
    except GovernanceError as error:
        st.error(str(error))
        st.stop()


def page_header(title: str, help_text: str) -> None:
    """Every page opens the same way: a title and one sentence of what it is for (after sign-in in team mode)."""
    require_sign_in()  # app.py already did; again here in case a page ever runs without the router
    st.title(title)
    st.caption(help_text)


@st.cache_resource(max_entries=4, show_spinner="Analysing the registry…")
def _analysis_for(url: str, token: tuple) -> RegistryAnalysis:
    # The token changes whenever the registry, settings, aliases or survivor choices change, so a
    # cached analysis is never stale; the frozen result is shared read-only between sessions.
    engine = _engine_for(url)
    return analyse_registry(
        load_integrations(engine), load_settings(engine),
        aliases=load_alias_tables(engine), survivor_choices=load_survivor_choices(engine),
    )


def get_analysis() -> RegistryAnalysis:
    """The analysis of the current registry, recomputed only when something it depends on changed."""
    url = current_database_url()
    return _analysis_for(url, analysis_inputs_token(_engine_for(url)))
