"""Settings actions: the cost and analysis assumptions, the rubric, the name aliases and who may change what."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.engine import Engine

from core.domain.access import Actor, RoleMapping
from core.domain.names import AliasPairs
from core.domain.rubric import CRITERIA, RubricConfig
from core.domain.settings import Settings
from core.storage.settings_store import (ALIASES_KEY, ROLES_KEY, RUBRIC_KEY, SETTINGS_KEY, load_alias_pairs,
    load_role_mapping, load_saved_rubric, load_settings, reset_settings, save_alias_tables, save_role_mapping,
    save_rubric, save_settings, setting_version)

__all__ = [
    "ALIASES_KEY", "CRITERIA", "ROLES_KEY", "RUBRIC_KEY", "SETTINGS_KEY", "AliasPairs", "RoleMapping", "RubricConfig",
    "Settings", "load_alias_pairs", "load_role_mapping", "load_saved_rubric", "load_settings", "reset_settings",
    "name_organisation", "save_alias_tables", "save_role_mapping", "save_rubric", "save_settings", "setting_version",
]


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
