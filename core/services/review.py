"""The quarterly review: what changed since the last one (registry, overlaps, decisions, savings), and its files."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.engine import Engine

from core.domain.analysis import RegistryAnalysis
from core.domain.follow_up import ACTIVE, DecisionStatus, is_new_overlap, realised_saving
from core.errors import ValueFormatError
from core.reports.review import (FigureChange, QuarterlyReview, ReviewDecision, render_review_markdown,
    render_review_pdf)
from core.services.analysis import load_analysis
from core.services.decisions import tracked_decisions
from core.storage.audit import list_history
from core.storage.decision_store import load_snapshots
from core.storage.registry_store import registry_version

__all__ = ["DEFAULT_PERIOD_DAYS", "QuarterlyReview", "quarterly_review", "review_document"]

DEFAULT_PERIOD_DAYS = 90  # a quarter, when no date of the last review is given


def quarterly_review(engine: Engine, *, today: date, since: date | None = None,
                     analysis: RegistryAnalysis | None = None) -> QuarterlyReview:
    """What changed from ``since`` (default: 90 days before ``today``) to now.

    Figures then are the last snapshot taken before ``since``: a snapshot is written after every change, so it
    holds that day's figures. When the trend starts later (the first review after the first import), there is no
    figure then: they show "—", ``trend_start`` says when the trend starts, and nothing is compared with a point
    taken inside the period. New integrations are those created since (from the history); new overlaps are clusters
    not there then (no cluster then held two of their members; with no point then, or one taken before members were
    kept, clusters with a member created since); decisions done since, with the run-rate they removed against what
    they were expected to.
    """
    since = since or today - timedelta(days=DEFAULT_PERIOD_DAYS)
    if since > today:
        raise ValueFormatError(f"The last review ({since}) cannot be after today ({today}).")
    start = datetime.combine(since, time(0), tzinfo=UTC)
    analysis = analysis or load_analysis(engine)
    decisions = tracked_decisions(engine, today, analysis=analysis)
    snapshots = load_snapshots(engine)
    earlier = [s for s in snapshots if s.taken_at <= start]
    then = earlier[-1] if earlier else None  # never a point inside the period: its figures are not "then"
    first = snapshots[0] if snapshots and then is None else None
    costs = analysis.costs
    live = sum(1 for i in analysis.integrations if i.status.value != "retired")
    figures = (
        FigureChange("Run-rate / month", then.run_rate.likely if then else None, costs.monthly_run_rate.likely, True),
        FigureChange("Duplicated / month", then.duplicated.likely if then else None,
                     costs.duplicated_monthly_run_rate.likely, True),
        FigureChange("Integrations", then.integration_count if then else None, live, False, lower_is_better=None),
        FigureChange("Unowned", then.unowned_count if then else None, len(analysis.unowned), False),
    )
    created = {e.entity_id for e in list_history(engine, entity="integration", action="create", since=start,
                                                 limit=None)}
    new_integrations = tuple((i.id, i.name, i.owner_team) for i in analysis.integrations if i.id in created)
    if then is not None and then.cluster_members is not None:
        fresh = [c for c in analysis.clusters if is_new_overlap(c.members, then.cluster_members)]
    else:  # no point then, or one taken before members were kept: a cluster with a member created since
        fresh = [c for c in analysis.clusters if created & set(c.members)]
    new_overlaps = tuple((c.id, ", ".join(c.members), c.duplicated_monthly_run_rate.likely) for c in fresh)
    done = []
    for t in decisions:
        if t.status is DecisionStatus.DONE and t.done_at is not None and t.done_at >= start:
            saved = realised_saving(t, analysis.run_rates)
            done.append(ReviewDecision(t.id, t.decision.verdict.value, t.subject, t.accountable, t.done_at.date(),
                                       saved.projected if saved else None, saved.realised if saved else None))
    overdue = tuple(ReviewDecision(t.id, t.decision.verdict.value, t.subject, t.accountable, t.decision.due_date)
                    for t in decisions if t.status in ACTIVE and t.is_overdue(today))
    return QuarterlyReview(since=since, today=today, currency=analysis.settings.currency, figures=figures,
                           new_integrations=new_integrations, new_overlaps=new_overlaps, done=tuple(done),
                           overdue=overdue, registry_version=registry_version(engine),
                           trend_start=first.taken_at.date() if first else None,
                           trend_start_cause=first.cause if first else "")


def review_document(review: QuarterlyReview, *, markdown: bool = False, page_size: str = "A4") -> bytes | str:
    """The review as Markdown text or as a one-page PDF."""
    return render_review_markdown(review) if markdown else render_review_pdf(review, page_size=page_size)
