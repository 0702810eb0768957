"""The registry as a time series: every change that moves the portfolio's figures leaves a dated point."""

from __future__ import annotations

from dataclasses import replace

import pytest

from core.services.aliases import remove_alias
from core.services.analysis import load_analysis
from core.services.overlaps import add_alias, keep_in_cluster
from core.services.settings import load_settings, reset_settings, save_settings, setting_version, SETTINGS_KEY
from core.services.sources import remove_unseen
from core.services.trend import load_trend
from tests.actors import ADMIN


def raise_the_hourly_rate(engine) -> None:
    settings = load_settings(engine)
    save_settings(engine, replace(settings, hourly_rate_likely=settings.hourly_rate_likely + 20,
                                  hourly_rate_high=settings.hourly_rate_high + 40), actor=ADMIN,
                  expected_version=setting_version(engine, SETTINGS_KEY))


def add_the_zendesk_alias(engine) -> None:
    add_alias(engine, "system", "Zendesk Support", "Zendesk", actor=ADMIN)  # reveals a new cluster


def add_then_remove_the_zendesk_alias(engine) -> None:
    add_the_zendesk_alias(engine)
    remove_alias(engine, "system", "Zendesk Support", actor=ADMIN)


def keep_the_dearer_copy(engine) -> None:
    keep_in_cluster(engine, load_analysis(engine), "CL-INT-015", "INT-019", actor=ADMIN)


def remove_a_copy(engine) -> None:
    remove_unseen(engine, ["INT-027"], actor=ADMIN)


def reset_after_a_change(engine) -> None:
    raise_the_hourly_rate(engine)
    reset_settings(engine, actor=ADMIN)


@pytest.mark.parametrize(("change", "cause"), [
    (raise_the_hourly_rate, "settings changed"),
    (add_the_zendesk_alias, "alias Zendesk Support = Zendesk"),
    (add_then_remove_the_zendesk_alias, "alias Zendesk Support removed"),
    (keep_the_dearer_copy, "CL-INT-015 keeps INT-019"),
    (remove_a_copy, "removed 1 integration(s) no longer in their source"),
    (reset_after_a_change, "settings reset"),
])
def test_a_change_that_moves_the_figures_leaves_a_point(sample_registry, change, cause):
    before = load_trend(sample_registry)

    change(sample_registry)

    after = load_trend(sample_registry)
    assert len(after) > len(before)
    assert after[-1].cause == cause
    costs = load_analysis(sample_registry).costs
    assert after[-1].duplicated.likely == pytest.approx(costs.duplicated_monthly_run_rate.likely)
    assert after[-1].run_rate.likely == pytest.approx(costs.monthly_run_rate.likely)


def test_the_review_calls_an_overlap_new_when_no_cluster_held_two_of_its_members_before(sample_registry):
    from datetime import UTC, date, datetime

    from sqlalchemy import update

    from core.services.registry import add_integration
    from core.services.review import quarterly_review
    from core.services.trend import snapshot_portfolio
    from core.storage.tables import AuditEntry, PortfolioSnapshotRecord
    from tests.actors import editor

    snapshot_portfolio(sample_registry, cause="last quarter")
    with sample_registry.begin() as connection:  # that point was taken at the last review
        connection.execute(update(PortfolioSnapshotRecord).values(taken_at=datetime(2026, 1, 2, tzinfo=UTC)))
        connection.execute(update(AuditEntry).values(at=datetime(2026, 1, 2, tzinfo=UTC)))  # and the sample loaded
    before = {c.id for c in load_analysis(sample_registry).clusters}
    add_the_zendesk_alias(sample_registry)  # reveals CL-INT-017: two integrations created long ago
    add_integration(sample_registry, {"id": "INT-900", "name": "Opportunities to Stripe again",
                                      "source_system": "Salesforce", "target_system": "Stripe",
                                      "data_objects": "Opportunity", "owner_team": "Sales Ops"},
                    actor=editor("Ana Silva"))  # a third copy joins CL-INT-015: it grew, it is not new

    review = quarterly_review(sample_registry, today=date.today(), since=date(2026, 2, 1))

    assert "CL-INT-017" not in before
    assert [cluster_id for cluster_id, _, _ in review.new_overlaps] == ["CL-INT-017"]
    assert review.new_integrations == (("INT-900", "Opportunities to Stripe again", "Sales Ops"),)
