"""The Monte Carlo of costs: P10 / P50 / P90 of the portfolio's headline figures and of a cluster's scenarios."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from core.domain.complexity import ComplexityRules, estimate_effort
from core.domain.overlap import Cluster
from core.domain.ranges import Range
from core.domain.registry import NOT_YET_BUILT, Integration, Status
from core.domain.settings import Settings
from core.domain.tco import Scenario, ScenarioComparison, _duplicate_ids, _reconciliation_hours, _run_rate

# Elements of one block of random numbers in the Monte Carlo (3 buffers of float64 = 3 MB): small
# enough to stay in the CPU cache, which measured fastest, and memory never grows with the portfolio.
_BLOCK_ELEMENTS = 1 << 17


@dataclass(frozen=True, slots=True)
class Percentiles:
    """P10 / P50 / P90 of simulated outcomes: 8 in 10 outcomes fall between P10 and P90."""

    p10: float
    p50: float
    p90: float


@dataclass(frozen=True, slots=True)
class PortfolioSimulation:
    """Monte Carlo percentiles of the portfolio's headline figures."""

    monthly_run_rate: Percentiles
    duplicated_monthly_run_rate: Percentiles
    annualised_waste: Percentiles
    tco: Percentiles  # over horizon_months
    horizon_months: int
    draws: int
    seed: int
    build_cost: Percentiles | None = None
    forward_cost: Percentiles | None = None  # horizon x run-rate + what is still to be built


@dataclass(frozen=True, slots=True)
class ScenarioSimulation:
    """Monte Carlo percentiles of each scenario's total cost over the horizon."""

    keep_all: Percentiles
    merge: Percentiles
    centralise: Percentiles
    horizon_months: int
    draws: int
    seed: int




def _percentiles(values: np.ndarray) -> Percentiles:
    p10, p50, p90 = np.percentile(values, [10, 50, 90])
    return Percentiles(float(p10), float(p50), float(p90))


def _triangular(rng: np.random.Generator, value: Range, draws: int) -> np.ndarray:
    """Draws of one triangular(low, likely, high); a constant when low == high."""
    return _triangular_from(value, rng.random(draws), rng.random(draws))


def _triangular_from(value: Range, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Triangular(low, likely, high) draws made from two arrays of uniform draws ``u`` and ``v``."""
    # Stein & Keblis (2009): low + (high-likely)·min(U,V) + (likely-low)·max(U,V) is triangular.
    return value.low + (value.high - value.likely) * np.minimum(u, v) + (value.likely - value.low) * np.maximum(u, v)


class _Terms:
    """Low / likely / high columns of many independent triangular quantities to be summed."""

    def __init__(self) -> None:
        self.low: list[float] = []
        self.likely: list[float] = []
        self.high: list[float] = []

    def add(self, value: Range) -> None:
        self.low.append(value.low)
        self.likely.append(value.likely)
        self.high.append(value.high)

    def sum_draws(self, rng: np.random.Generator, draws: int) -> np.ndarray:
        """Draws of the sum of all terms, computed block by block so memory never holds n x draws."""
        low, likely, high = (np.asarray(column, dtype=np.float64) for column in (self.low, self.likely, self.high))
        result = np.full(draws, float(low.sum()))  # every term contributes at least its low
        spread = high > low  # constants need no random numbers
        to_min, to_max = (high - likely)[spread], (likely - low)[spread]
        count = to_min.size
        if count == 0:
            return result
        rows = max(1, min(count, _BLOCK_ELEMENTS // draws))
        first, second, smaller = (np.empty((rows, draws)) for _ in range(3))
        for start in range(0, count, rows):
            stop = min(count, start + rows)
            u, v, w = first[: stop - start], second[: stop - start], smaller[: stop - start]
            rng.random(out=u)
            rng.random(out=v)
            np.minimum(u, v, out=w)
            np.maximum(u, v, out=v)
            # Same triangular construction as _triangular, summed over the block's terms by a
            # matrix-vector product instead of materialising each term.
            result += to_min[start:stop] @ w
            result += to_max[start:stop] @ v
        return result


def _check_draws(draws: int) -> None:
    if isinstance(draws, bool) or not isinstance(draws, int) or draws < 1:
        raise ValueError(f"draws must be a whole number of at least 1 (got {draws!r})")


def simulate_portfolio(
    integrations: Iterable[Integration],
    clusters: Iterable[Cluster],
    settings: Settings,
    rules: ComplexityRules,
    horizon_months: int | None = None,
    draws: int = 10_000,
    seed: int = 0,
) -> PortfolioSimulation:
    """Monte Carlo P10 / P50 / P90 of the portfolio's run-rate, duplication, annualised waste and TCO.

    Each integration's hours (and its money figures where it has its own rate) are drawn from a
    triangular distribution on their low / likely / high, independently per integration. The
    portfolio hourly rate is drawn once per draw and shared, because one rate applies to everyone:
    drawing it per integration would cancel out and overstate certainty. Every draw lies between the
    deterministic low and high, so the percentiles do too. The same seed gives the same numbers.

    >>> a = Integration(id="INT-1", name="A", source_system="HubSpot", target_system="Stripe",
    ...                 data_objects=("Deal",), owner_team="Sales Ops", build_hours=Range.exact(15),
    ...                 monthly_maintenance_hours=Range.between(2, 3), hourly_rate=Range.exact(150))
    >>> result = simulate_portfolio([a], [], Settings(), rules, horizon_months=6, draws=2000, seed=1)
    >>> 300 <= result.monthly_run_rate.p10 <= result.monthly_run_rate.p50 <= result.monthly_run_rate.p90 <= 450
    True

    Args:
        integrations: the registry rows (retired ones are skipped).
        clusters: overlap clusters; non-survivor members count as duplicated.
        settings: portfolio assumptions.
        rules: complexity rules; ``None`` reads ``data/complexity.toml``.
        horizon_months: months for TCO; ``None`` uses ``settings.horizon_months``.
        draws: number of simulated portfolios.
        seed: random seed.

    Returns:
        Percentiles of each headline figure.
    """
    _check_draws(draws)
    horizon = settings.horizon_months if horizon_months is None else horizon_months
    active = {i.id: i for i in integrations if i.status is not Status.RETIRED}
    duplicates = set(_duplicate_ids(clusters, active))

    # Hours at the shared portfolio rate and money (own-rate rows, tools) are summed separately,
    # then combined with the shared rate draw by draw.
    run_hours = {True: _Terms(), False: _Terms()}  # key: is the integration a duplicate?
    run_money = {True: _Terms(), False: _Terms()}
    build_hours, build_money = _Terms(), _Terms()
    unbuilt_hours, unbuilt_money = _Terms(), _Terms()  # the builds still to pay for (proposed or building)
    for integration in active.values():
        effort = estimate_effort(integration, rules)
        duplicate = integration.id in duplicates
        unbuilt = integration.status in NOT_YET_BUILT
        if integration.hourly_rate is not None:
            run = _run_rate(integration, effort, integration.hourly_rate)
            run_money[duplicate].add(run.total)
            build_money.add(effort.build_hours * integration.hourly_rate)
            if unbuilt:
                unbuilt_money.add(effort.build_hours * integration.hourly_rate)
        else:
            run_hours[duplicate].add(effort.monthly_maintenance_hours + _reconciliation_hours(integration))
            if integration.monthly_tool_cost is not None:
                run_money[duplicate].add(integration.monthly_tool_cost)
            build_hours.add(effort.build_hours)
            if unbuilt:
                unbuilt_hours.add(effort.build_hours)

    rng = np.random.default_rng(seed)
    rate = _triangular(rng, settings.hourly_rate, draws)
    dup_hours, other_hours = run_hours[True].sum_draws(rng, draws), run_hours[False].sum_draws(rng, draws)
    dup_money, other_money = run_money[True].sum_draws(rng, draws), run_money[False].sum_draws(rng, draws)
    build = rate * build_hours.sum_draws(rng, draws) + build_money.sum_draws(rng, draws)

    duplicated = rate * dup_hours + dup_money
    run_rate = duplicated + rate * other_hours + other_money
    # Drawn last, so adding them left the earlier figures' draws (and printed percentiles) as they were.
    unbuilt = rate * unbuilt_hours.sum_draws(rng, draws) + unbuilt_money.sum_draws(rng, draws)
    return PortfolioSimulation(
        monthly_run_rate=_percentiles(run_rate),
        duplicated_monthly_run_rate=_percentiles(duplicated),
        annualised_waste=_percentiles(duplicated * 12),
        tco=_percentiles(build + run_rate * horizon),
        horizon_months=horizon,
        draws=draws,
        seed=seed,
        build_cost=_percentiles(build),
        forward_cost=_percentiles(unbuilt + run_rate * horizon),
    )


def simulate_scenarios(comparison: ScenarioComparison, draws: int = 10_000, seed: int = 0) -> ScenarioSimulation:
    """Monte Carlo P10 / P50 / P90 of each scenario's total cost over the horizon.

    Each scenario's total is its one-time cost plus horizon x its run-rate, both drawn triangular.
    The three scenarios share the same random numbers, so a draw where costs run high runs high for
    all of them and the comparison between them stays fair.

    >>> keep = Scenario("keep_all", "Keep all", Range(300, 375, 450), Range.zero(), (), "")
    >>> cmp = ScenarioComparison("CL-1", keep, keep, keep, 0, 0, 12)
    >>> sim = simulate_scenarios(cmp, draws=1000, seed=3)
    >>> sim.keep_all == sim.merge and 3600 <= sim.keep_all.p10 <= sim.keep_all.p50 <= sim.keep_all.p90 <= 5400
    True

    Args:
        comparison: the output of :func:`compare_scenarios`.
        draws: number of simulated outcomes.
        seed: random seed.

    Returns:
        Percentiles of the horizon total of keep-all, merge and centralise.
    """
    _check_draws(draws)
    rng = np.random.default_rng(seed)
    run_u, run_v, once_u, once_v = (rng.random(draws) for _ in range(4))

    def horizon_total(scenario: Scenario) -> Percentiles:
        once = _triangular_from(scenario.one_time_cost, once_u, once_v)
        monthly = _triangular_from(scenario.monthly_run_rate, run_u, run_v)
        return _percentiles(once + comparison.horizon_months * monthly)

    return ScenarioSimulation(
        keep_all=horizon_total(comparison.keep_all),
        merge=horizon_total(comparison.merge),
        centralise=horizon_total(comparison.centralise),
        horizon_months=comparison.horizon_months,
        draws=draws,
        seed=seed,
    )
