"""Settings actions: the cost and analysis assumptions, the rubric, the name aliases and who may change what."""

from __future__ import annotations

from core.domain.access import RoleMapping
from core.domain.names import AliasPairs
from core.domain.rubric import CRITERIA, RubricConfig
from core.domain.settings import Settings
from core.storage.settings_store import (ALIASES_KEY, ROLES_KEY, RUBRIC_KEY, SETTINGS_KEY, load_alias_pairs,
    load_role_mapping, load_saved_rubric, load_settings, reset_settings, save_alias_tables, save_role_mapping,
    save_rubric, save_settings, setting_version)

__all__ = [
    "ALIASES_KEY", "CRITERIA", "ROLES_KEY", "RUBRIC_KEY", "SETTINGS_KEY", "AliasPairs", "RoleMapping", "RubricConfig",
    "Settings", "load_alias_pairs", "load_role_mapping", "load_saved_rubric", "load_settings", "reset_settings",
    "save_alias_tables", "save_role_mapping", "save_rubric", "save_settings", "setting_version",
]
