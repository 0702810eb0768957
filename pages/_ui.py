"""Shared page helpers: the cached engine, who is editing, and plain-message error display."""

from __future__ import annotations

import os
from contextlib import contextmanager

import streamlit as st
from sqlalchemy.engine import Engine
from streamlit.runtime.pages_manager import PagesManager

from core.db import create_db_engine, database_url
from core.errors import GovernanceError
from core.analysis import RegistryAnalysis, analyse_registry
from core.store import (
    analysis_inputs_token,
    load_alias_tables,
    load_integrations,
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


def current_user() -> str:
    """The name recorded with every change: asked once per browser session in local mode."""
    return st.session_state.get("user_name", "").strip() or "local user"


@contextmanager
def plain_errors():
    """Show a domain error as a plain message instead of a traceback, and stop the page there."""
    try:
        yield
    except GovernanceError as error:
        st.error(str(error))
        st.stop()


def page_header(title: str, help_text: str) -> None:
    """Every page opens the same way: a title and one sentence of what it is for."""
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
