"""The registry analysed: what every page, PDF and command reads, for the database or for a CSV file."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlalchemy.engine import Engine

from core.domain.analysis import ClusterNotFound, RegistryAnalysis, analyse_registry, score_registry_integration
from core.domain.check import BlockedProposal, find_blocked_proposals
from core.domain.names import Aliases
from core.domain.registry_cells import ImportReport
from core.domain.registry_csv import read_registry_csv
from core.domain.rubric import RubricConfig
from core.domain.settings import Settings
from core.domain.sources.provenance import source_label, with_source_evidence
from core.storage.defaults import default_complexity_rules, load_aliases, load_default_settings, load_rubric
from core.storage.registry_store import analysis_inputs_token, load_integrations, registry_version
from core.storage.settings_store import load_alias_tables, load_saved_rubric, load_settings
from core.storage.source_store import sources_by_integration
from core.storage.survivor_store import load_survivor_choices

__all__ = [
    "BlockedProposal", "ClusterNotFound", "RegistryAnalysis", "analyse_file", "analysis_inputs_token",
    "find_blocked_proposals", "load_analysis", "registry_version", "rubric_from_file", "rubric_in_force",
    "score_registry_integration",
]


def _with_changes(settings: Settings, changes: dict) -> Settings:
    return replace(settings, **changes) if changes else settings


def load_analysis(engine: Engine, *, aliases: Aliases | None = None, **setting_changes) -> RegistryAnalysis:
    """Analyse the registry in the database with its saved settings, aliases, survivor choices and rubric rule.

    Args:
        engine: the database.
        aliases: alias tables to use instead of the saved ones (``igov ... --aliases FILE``).
        setting_changes: settings to use instead of the saved ones for this analysis only (``horizon_months=24``).
    """
    analysis = analyse_registry(
        load_integrations(engine), _with_changes(load_settings(engine), setting_changes),
        aliases=aliases if aliases is not None else load_alias_tables(engine), rules=default_complexity_rules(),
        survivor_choices=load_survivor_choices(engine),
        centralize_min_teams=load_saved_rubric(engine).centralize_min_teams,
    )
    # Rows read from different tools that describe the same flow: their evidence names both tools.
    sources = {integration_id: [source_label(r.format, r.source_name) for r in records]
               for integration_id, records in sources_by_integration(engine).items()}
    return with_source_evidence(analysis, sources)


def analyse_file(data: bytes, *, aliases: Aliases | None = None,
                 **setting_changes) -> tuple[RegistryAnalysis, ImportReport]:
    """Analyse a registry file without any database: the shipped settings, the given aliases (else the shipped
    ones), its valid rows.

    Returns:
        The analysis of the valid rows, and the file's import report (so a caller can say what was left out).
    """
    report = read_registry_csv(data)
    analysis = analyse_registry(report.accepted, _with_changes(load_default_settings(), setting_changes),
                                aliases=aliases if aliases is not None else load_aliases(),
                                rules=default_complexity_rules(),
                                centralize_min_teams=load_rubric().centralize_min_teams)
    return analysis, report


def rubric_from_file(path: Path) -> RubricConfig:
    """A rubric TOML file of one's own (``igov score --weights FILE``), checked like the shipped one."""
    return load_rubric(path)


def rubric_in_force(engine: Engine | None = None) -> RubricConfig:
    """The rubric saved on the Settings page, or the shipped one (``data/rubric.toml``) without a database."""
    return load_saved_rubric(engine) if engine is not None else load_rubric()
