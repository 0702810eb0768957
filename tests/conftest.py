"""Shared fixtures: a fresh database per test, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, text

from core.storage.db import create_db_engine

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
