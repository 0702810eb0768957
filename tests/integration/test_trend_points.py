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
