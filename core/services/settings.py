"""Settings actions: the cost and analysis assumptions, the rubric, the name aliases and who may change what."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.engine import Engine

from core.domain.access import Actor, RoleMapping
from core.domain.names import AliasPairs
from core.domain.rubric import CRITERIA, RubricConfig
from core.domain.settings import Settings
from core.services.trend import snapshot_portfolio
from core.storage import settings_store
from core.storage.settings_store import (ALIASES_KEY, ROLES_KEY, RUBRIC_KEY, SETTINGS_KEY, load_alias_pairs,
    load_role_mapping, load_saved_rubric, load_settings, save_role_mapping, save_rubric, setting_version)

__all__ = [
    "ALIASES_KEY", "CRITERIA", "ROLES_KEY", "RUBRIC_KEY", "SETTINGS_KEY", "AliasPairs", "RoleMapping", "RubricConfig",
    "Settings", "load_alias_pairs", "load_role_mapping", "load_saved_rubric", "load_settings", "reset_settings",
    "name_organisation", "save_alias_tables", "save_role_mapping", "save_rubric", "save_settings", "setting_version",
]


# Costs and aliases change the portfolio's figures, so each save leaves a trend point (issue 18: every change).

def save_settings(engine: Engine, settings: Settings, *, actor: Actor, expected_version: int | None) -> int:
    """Save the cost and analysis settings; returns their new version. The trend gets a point."""
    version = settings_store.save_settings(engine, settings, actor=actor, expected_version=expected_version)
    snapshot_portfolio(engine, cause="settings changed")
    return version


def save_alias_tables(engine: Engine, systems, objects, *, actor: Actor, expected_version: int | None) -> int:
    """Save both alias tables; returns their new version. The trend gets a point."""
    version = settings_store.save_alias_tables(engine, systems, objects, actor=actor,
                                               expected_version=expected_version)
    snapshot_portfolio(engine, cause="aliases changed")
    return version


def reset_settings(engine: Engine, *, actor: Actor) -> None:
    """Put the shipped settings, rubric and aliases back. The trend gets a point."""
    settings_store.reset_settings(engine, actor=actor)
    snapshot_portfolio(engine, cause="settings reset")


def name_organisation(engine: Engine, name: str, *, actor: Actor) -> bool:
    """Save the organisation's name printed on PDFs (asked before the first PDF); ``False`` when it is unchanged.

    Raises:
        ConfigError: when the name is empty or longer than 80 characters, in words.
        NotAllowed: when the person may not change settings.
    """
    current = load_settings(engine)
    updated = replace(current, organisation=name.strip())
    if updated == current:
        return False
    save_settings(engine, updated, actor=actor, expected_version=setting_version(engine, SETTINGS_KEY))
    return True
