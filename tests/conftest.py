"""Shared fixtures: a fresh database per test, on SQLite and (when configured) PostgreSQL.

One family, the same meaning in every module:

- ``database_url``: the URL of a fresh, empty database (a SQLite file, or a PostgreSQL schema).
- ``engine``: that database, migrated, opened the way the command line opens it.
- ``sample_registry``: the sample registry loaded into it, as the app does on a first start.
- ``app_database``: that database is the one the app's pages open under Streamlit's AppTest.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from streamlit.runtime.pages_manager import PagesManager
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, text

from core.storage.db import create_db_engine
from core.storage.registry_store import seed_sample_registry

PROJECT_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_DIR / "data"
EXAMPLES_DIR = DATA_DIR / "examples"
POSTGRES_URL = os.environ.get("DATABASE_TEST_POSTGRES_URL", "")

# Property tests check correctness, not speed: on a shared 2-core machine a per-example deadline or
# the "too slow" health check fails for reasons that are not bugs. Speed is measured in bench/.
settings.register_profile("shared-machine", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("shared-machine")


def _postgres_schema_url() -> tuple[str, str]:
    """A fresh schema in the test database, so parallel tests never see each other's rows."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    separator = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}", schema


def _drop_postgres_schema(schema: str) -> None:
    admin = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> str:
    """A URL of an empty database: a SQLite file, or a PostgreSQL schema when configured."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'registry.sqlite3'}"
        return
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL not configured: set DATABASE_TEST_POSTGRES_URL (.ci/run does)")
    url, schema = _postgres_schema_url()
    yield url
    _drop_postgres_schema(schema)


@pytest.fixture
def engine(database_url):
    """A migrated, empty database engine."""
    engine = create_db_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sample_csv() -> bytes:
    return (DATA_DIR / "sample_registry.csv").read_bytes()


@pytest.fixture
def sample_registry(engine):
    """``engine`` with the sample registry loaded, as the app loads it into a brand-new database."""
    seed_sample_registry(engine)
    return engine


@pytest.fixture
def app_database(database_url, monkeypatch):
    """``database_url`` becomes the app's database: exported as ``DATABASE_URL`` for AppTest runs.

    The first page run opens it as the app does on a server (migrated, the sample registry loaded into
    a brand-new database); ``engine`` in the same test is a second engine on the same database. Any
    ``IGOV_ADMINS`` from the caller's shell is removed, so every test starts in plain local mode.

    The app keeps one engine per URL (and the analyses) in ``st.cache_resource`` for the whole process:
    each test's URL is unique, the caches are emptied before and after, and the app's engines are
    disposed before the database is removed (an idle PostgreSQL connection must not outlive its schema).
    """
    import pages._ui as ui

    opened = []

    def open_database(*args, **kwargs):
        opened.append(opened_engine := real_open_database(*args, **kwargs))
        return opened_engine

    real_open_database = ui.open_database
    monkeypatch.setattr(ui, "open_database", open_database)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("IGOV_ADMINS", raising=False)
    ui._engine_for.clear()
    ui._analysis_for.clear()
    yield database_url
    ui._engine_for.clear()
    ui._analysis_for.clear()
    for opened_engine in opened:
        opened_engine.dispose()


@pytest.fixture
def routed_by_app_py(monkeypatch):
    """Every run goes through app.py's router, as on a running server.

    AppTest starts each run in Streamlit's legacy pages/ mode (a pages/ folder exists), which runs a
    page's script without app.py, hence without the sidebar (and its "Your name"). On a server the first
    st.navigation call switches that mode off for good; do the same after each run's set-up.
    """
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)
