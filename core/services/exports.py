"""Documents to take out of the room: the one-page TCO snapshot and the decision memos, as PDF or Markdown."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from core.domain.analysis import RegistryAnalysis
from core.domain.rubric import RubricConfig
from core.reports.memo import memo_for_cluster, memo_for_integration, memo_for_session
from core.reports.memo_markdown import render_memo_markdown
from core.reports.memo_pdf import render_memo_pdf
from core.reports.pdf_layout import PAGE_SIZES
from core.services.tco import portfolio_simulation
from core.storage.registry_store import registry_version
from core.storage.session_store import load_session
from core.storage.settings_store import load_saved_rubric

__all__ = ["PAGE_SIZES", "memo_document", "session_memo", "snapshot_pdf"]


def snapshot_pdf(analysis: RegistryAnalysis, *, rubric: RubricConfig, registry_version: int | str | None,
                 registry_name: str | None = None, page_size: str = "A4") -> bytes:
    """The one-page TCO snapshot: the same figures as the TCO page, with the same seeded simulation."""
    from core.reports.snapshot_pdf import (
        build_snapshot_pdf,  # fpdf2 and matplotlib load only when a PDF is made
    )

    return build_snapshot_pdf(analysis, registry_name=registry_name or analysis.settings.organisation,
                              registry_version=registry_version, page_size=page_size,
                              simulation=portfolio_simulation(analysis), rubric=rubric)


def memo_document(
    analysis: RegistryAnalysis, *, rubric: RubricConfig, registry_version: int | str | None,
    session_id: int | None = None, integration_id: str | None = None, cluster_id: str | None = None,
    engine: Engine | None = None, markdown: bool = False, page_size: str = "A4",
) -> bytes | str:
    """A decision memo about a session (from the database), one integration or one cluster.

    Returns:
        PDF bytes, or Markdown text with ``markdown``.

    Raises:
        SessionError, IntegrationNotFound, ClusterNotFound: when the subject does not exist, in words.
    """
    if session_id is not None:
        memo = memo_for_session(analysis, load_session(engine, session_id), rubric, registry_version)
    elif integration_id is not None:
        memo = memo_for_integration(analysis, integration_id.strip(), rubric, registry_version)
    else:
        memo = memo_for_cluster(analysis, (cluster_id or "").strip(), rubric, registry_version)
    return render_memo_markdown(memo) if markdown else render_memo_pdf(memo, page_size=page_size)


def session_memo(engine: Engine, analysis: RegistryAnalysis, session_id: int, *, markdown: bool = False) -> bytes | str:
    """A session's memo with the rubric and registry version in the database now (the session page's export)."""
    return memo_document(analysis, rubric=load_saved_rubric(engine), registry_version=registry_version(engine),
                         session_id=session_id, engine=engine, markdown=markdown)
