"""Shared page helpers: the cached engine and turning core errors into plain messages."""

from __future__ import annotations

import os

import streamlit as st
from sqlalchemy.engine import Engine

from core.db import create_db_engine, database_url
from core.store import seed_sample_registry


@st.cache_resource(show_spinner="Opening the registry database…")
def _engine_for(url: str) -> Engine:
    engine = create_db_engine(url)
    seed_sample_registry(engine)
    return engine


def get_engine() -> Engine:
    """One engine per database URL for the whole server (sessions are opened per operation)."""
    return _engine_for(database_url(os.environ.get("DATABASE_URL")))
