"""Where integrations came from: what a re-import of a source no longer has, and the review of it (keep or remove)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Engine

from core.errors import GovernanceError

from core.domain.access import Actor, require_editor
from core.domain.registry_edit import RegistryChanges
from core.domain.sources.excel import read_sheets, workbook_kind
from core.domain.sources.provenance import source_label
from core.services.trend import snapshot_portfolio
from core.storage.registry_store import apply_registry_changes, load_integration_versions, load_integrations
from core.storage.source_store import drop_orphan_sources, forget_sources, load_sources, load_unseen

__all__ = ["SourceRecord", "UnseenIntegration", "integration_sources", "keep_unseen", "remove_unseen",
           "sources_of", "unseen_integrations", "workbook_sheet_names"]


@dataclass(frozen=True, slots=True)
class UnseenIntegration:
    """An integration its source no longer has: "not seen in <source> since <date>", for a person to review."""

    integration_id: str
    name: str
    source: str  # the source's key, to act on
    source_label: str  # "Fivetran (fivetran_connections.json)"
    external_id: str
    missing_since: date


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """One integration's record in one source, worded for a page."""

    integration_id: str
    source_label: str
    external_id: str
    location: str
    last_seen: date
    missing_since: date | None


def workbook_sheet_names(data: bytes) -> list[str]:
    """The sheets of a workbook, for choosing one; empty for a file that is not a readable workbook."""
    if workbook_kind(data) is None:
        return []
    try:
        return [sheet.name for sheet in read_sheets(data)]
    except GovernanceError:
        return []


def unseen_integrations(engine: Engine) -> list[UnseenIntegration]:
    """The integrations a re-import of their source no longer had, oldest flag first."""
    names = {i.id: i.name for i in load_integrations(engine)}
    rows = [UnseenIntegration(r.integration_id, names.get(r.integration_id, ""), r.source,
                              source_label(r.format, r.source_name), r.external_id, r.missing_since.date())
            for r in load_unseen(engine)]
    return sorted(rows, key=lambda r: (r.missing_since, r.source, r.integration_id))


def integration_sources(engine: Engine) -> list[SourceRecord]:
    """Every recorded source of every integration."""
    return [SourceRecord(r.integration_id, source_label(r.format, r.source_name), r.external_id, r.location,
                         r.last_seen.date(), r.missing_since.date() if r.missing_since else None)
            for r in load_sources(engine)]


def sources_of(engine: Engine, integration_id: str) -> list[SourceRecord]:
    """Where one integration was read from: each source that has it, with its id there and when last seen."""
    return [r for r in integration_sources(engine) if r.integration_id == integration_id]


def keep_unseen(engine: Engine, pairs: Iterable[tuple[str, str]], *, actor: Actor) -> int:
    """Keep integrations their source no longer has, and stop tracking them in that source.

    Args:
        pairs: (integration id, source key) of the flags reviewed.

    Returns:
        How many flags were cleared.

    Raises:
        PermissionDenied: when the actor is a viewer.
    """
    require_editor(actor)
    return forget_sources(engine, pairs, actor.name)


def remove_unseen(engine: Engine, integration_ids: Iterable[str], *, actor: Actor) -> int:
    """Delete integrations a person reviewed as gone, with a history entry each (and their source records).

    Returns:
        How many were deleted.

    Raises:
        PermissionDenied: when the actor is a viewer.
        EditConflict: when one was changed or deleted meanwhile; nothing was deleted.
    """
    require_editor(actor)
    versions = load_integration_versions(engine)
    ids = tuple(dict.fromkeys(i for i in integration_ids if i in versions))
    if ids:
        apply_registry_changes(engine, RegistryChanges(deleted_ids=ids), versions, actor=actor)
        drop_orphan_sources(engine)
        snapshot_portfolio(engine, cause=f"removed {len(ids)} integration(s) no longer in their source")
    return len(ids)
