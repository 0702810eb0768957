"""Complexity categories: derive one from an integration's facts, and estimate effort from it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from core.domain.names import Aliases, object_key, system_key
from core.domain.ranges import Range
from core.domain.registry import Approach, Complexity, Integration, Tier, Timeliness
from core.errors import ConfigError

# Lightest first: the order thresholds are checked in and tables are shown in.
CATEGORY_ORDER: tuple[Complexity, ...] = (
    Complexity.SIMPLE,
    Complexity.MODERATE,
    Complexity.COMPLEX,
    Complexity.CRITICAL,
)

# Field names recorded in ``estimated_from_category`` (the registry column names, so pages can mark cells).
BUILD_HOURS = "build_hours"
MAINTENANCE_HOURS = "monthly_maintenance_hours"


@dataclass(frozen=True, slots=True)
class CategoryDefaults:
    """The effort a category stands for when a row gives no figure of its own (likely = midpoint)."""

    category: Complexity
    description: str
    build_hours: Range
    monthly_maintenance_hours: Range
    migration_hours: Range  # moving ONE such integration into a survivor


@dataclass(frozen=True, slots=True)
class PointStep:
    """``points`` earned from ``at_least`` objects (or consumers); the highest step reached counts."""

    at_least: int
    points: int


@dataclass(frozen=True, slots=True)
class ScenarioFactors:
    """Documented assumptions of the merge and centralise scenarios (``[scenarios]`` in the file)."""

    merge_absorption: float  # share of retired members' maintenance the survivor takes on
    centralise_platform_factor: float  # central platform run-rate = survivor run-rate x this
    centralise_absorption: float  # share of the other members' maintenance the platform takes on
    centralise_setup_hours: Range  # one-time hours to stand the platform up


@dataclass(frozen=True, slots=True)
class ComplexityRules:
    """Category effort defaults and the points that derive a category; loaded from ``data/complexity.toml``.

    Mappings are tuples of pairs so the rules stay hashable and immutable.
    """

    categories: tuple[CategoryDefaults, ...]  # one per category, lightest first
    bidirectional_points: int
    system_of_record_points: int
    systems_of_record: tuple[str, ...]  # as written in the file; compared via squash_name()
    object_steps: tuple[PointStep, ...]  # ascending at_least
    consumer_steps: tuple[PointStep, ...]
    timeliness_points: tuple[tuple[Timeliness, int], ...]
    approach_points: tuple[tuple[Approach, int], ...]
    tier_points: tuple[tuple[Tier, int], ...]
    thresholds: tuple[tuple[Complexity, int], ...]  # minimum points of moderate, complex, critical
    scenarios: ScenarioFactors
    # The alias tables the system-of-record list is compared through ("Salesforce.com" is Salesforce): the one
    # normaliser every rule that compares names uses (core.domain.names.system_key). Set by with_aliases.
    aliases: Aliases = field(default_factory=Aliases, repr=False, compare=False, hash=False)
    # Lookups built once: derive_complexity runs for every row of registries of 100,000 rows.
    _squashed_systems: frozenset[str] = field(init=False, repr=False, compare=False, hash=False)
    _points: dict = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_squashed_systems",
                           frozenset(system_key(s, self.aliases) for s in self.systems_of_record))
        points = {**dict(self.timeliness_points), **dict(self.approach_points), **dict(self.tier_points)}
        object.__setattr__(self, "_points", points)

    def points_for(self, choice: Timeliness | Approach | Tier | None) -> int:
        """Points a timeliness, approach or tier value earns (0 when unknown or unlisted).

        >>> rules.points_for(Approach.CUSTOM_PLATFORM)
        2
        """
        return self._points.get(choice, 0) if choice is not None else 0

    def is_system_of_record(self, system: str) -> bool:
        """Whether a system is on the systems-of-record list, ignoring case, spaces and punctuation.

        >>> rules.is_system_of_record("net-suite"), rules.is_system_of_record("Salesforce.com")
        (True, False)
        >>> rules.with_aliases(Aliases.from_pairs(systems=[("Salesforce.com", "Salesforce")])).is_system_of_record(
        ...     "Salesforce.com")
        True
        """
        return system_key(system, self.aliases) in self._squashed_systems

    def with_aliases(self, aliases: Aliases) -> ComplexityRules:
        """The same rules, comparing system names through these alias tables."""
        return self if aliases is self.aliases else replace(self, aliases=aliases)

    def defaults_for(self, category: Complexity) -> CategoryDefaults:
        """The effort defaults of one category.

        >>> rules.defaults_for(Complexity.COMPLEX).build_hours
        Range(low=200.0, likely=350.0, high=500.0)
        """
        for defaults in self.categories:
            if defaults.category is category:
                return defaults
        raise KeyError(category)  # unreachable for validated rules: every category is required

    def category_for_points(self, points: int) -> Complexity:
        """The heaviest category whose minimum points are reached.

        >>> rules = rules
        >>> rules.category_for_points(0).value, rules.category_for_points(5).value
        ('simple', 'complex')
        """
        category = Complexity.SIMPLE
        for candidate, minimum in self.thresholds:
            if points >= minimum:
                category = candidate
        return category


@dataclass(frozen=True, slots=True)
class ComplexityAssessment:
    """A category and the plain-words reasons for it.

    ``category`` is the row's own value when it has one (``overridden``); ``derived`` is always what
    the facts alone give, so a page can say "the row says simple, the facts point to complex".
    """

    category: Complexity
    points: int
    factors: tuple[str, ...]  # e.g. "bidirectional (+2)"; only facts that earned points
    overridden: bool
    derived: Complexity


@dataclass(frozen=True, slots=True)
class Effort:
    """Build and upkeep hours of one integration, each either the row's figure or its category default."""

    build_hours: Range
    monthly_maintenance_hours: Range
    category: Complexity
    estimated_from_category: frozenset[str]  # subset of {"build_hours", "monthly_maintenance_hours"}


def squash_name(name: str) -> str:
    """A system name reduced to lower-case letters and digits, for forgiving comparison.

    >>> squash_name("Microsoft Dynamics-365"), squash_name("Net Suite")
    ('microsoftdynamics365', 'netsuite')

    Args:
        name: a system name as typed.

    Returns:
        The name without case, spaces or punctuation.
    """
    return re.sub(r"[\W_]+", "", name.casefold())


def _step_points(count: int, steps: tuple[PointStep, ...]) -> int:
    earned = 0
    for step in steps:
        if count >= step.at_least:
            earned = step.points
    return earned


def _systems_of_record_written(integration: Integration, rules: ComplexityRules) -> tuple[str, ...]:
    # A bidirectional flow writes into its source as well as its target.
    ends = [integration.target_system]
    if integration.is_bidirectional:
        ends.append(integration.source_system)
    written: list[str] = []
    for end in ends:
        if rules.is_system_of_record(end) and end.strip() not in written:
            written.append(end.strip())
    return tuple(written)


def _scored_facts(integration: Integration, rules: ComplexityRules) -> list[tuple[str, str, int]]:
    """Each fact that earns points: (words, detail such as the systems named, points)."""
    facts: list[tuple[str, str, int]] = []

    def add(words: str, earned: int, detail: str = "") -> None:
        if earned:
            facts.append((words, detail, earned))

    if integration.is_bidirectional:
        add("bidirectional", rules.bidirectional_points)
    if integration.timeliness is not None:
        add(integration.timeliness.value, rules.points_for(integration.timeliness))
    # "Opportunity" and "Opportunities" (or an aliased "Deal") are one object: the same key overlap detection uses.
    objects = len({object_key(name, rules.aliases) for name in integration.data_objects})
    add(f"{objects} data objects", _step_points(objects, rules.object_steps))
    consumers = len({system_key(name, rules.aliases) for name in integration.consumers})
    add(f"{consumers} consumers", _step_points(consumers, rules.consumer_steps))
    if integration.approach is not None:
        add(f"built as {integration.approach.value}", rules.points_for(integration.approach))
    if integration.tier is not None:
        add(integration.tier.value, rules.points_for(integration.tier))
    written = _systems_of_record_written(integration, rules)
    if written:
        label = "a system of record" if len(written) == 1 else "systems of record"
        add(f"writes into {label}", rules.system_of_record_points, ", ".join(written))
    return facts


def derive_complexity(integration: Integration, rules: ComplexityRules) -> ComplexityAssessment:
    """Score an integration's facts into a complexity category, listing every point in words.

    The row's own ``complexity`` wins (``overridden=True``); the factors are still listed so the
    derivation stays visible. Unknown facts add no points.

    >>> from core.domain.registry import Direction
    >>> row = Integration(id="INT-1", name="Orders", source_system="Shopify", target_system="Net Suite",
    ...                   data_objects=("Order",), owner_team="Finance", direction=Direction.BIDIRECTIONAL)
    >>> a = derive_complexity(row, rules)
    >>> a.category.value, a.points, a.overridden
    ('moderate', 4, False)
    >>> a.factors
    ('bidirectional (+2)', 'writes into a system of record: Net Suite (+2)')

    Args:
        integration: the registry row.
        rules: category rules; ``None`` reads ``data/complexity.toml``.

    Returns:
        The category, total points, the factors in words, and whether the row's value overrode it.
    """
    facts = _scored_facts(integration, rules)
    points = sum(earned for _, _, earned in facts)
    factors = [f"{words}: {detail} ({earned:+d})" if detail else f"{words} ({earned:+d})"
               for words, detail, earned in facts]

    derived = rules.category_for_points(points)
    overridden = integration.complexity is not None
    return ComplexityAssessment(
        category=integration.complexity if overridden else derived,
        points=points,
        factors=tuple(factors),
        overridden=overridden,
        derived=derived,
    )


def estimate_effort(integration: Integration, rules: ComplexityRules) -> Effort:
    """Build and monthly maintenance hours: the row's figures, else its category's defaults.

    >>> row = Integration(id="INT-2", name="Leads", source_system="HubSpot", target_system="Slack",
    ...                   data_objects=("Lead",), owner_team="Marketing", build_hours=Range.exact(15))
    >>> e = estimate_effort(row, rules)
    >>> e.build_hours.likely, e.monthly_maintenance_hours, sorted(e.estimated_from_category)
    (15.0, Range(low=2.0, likely=2.5, high=3.0), ['monthly_maintenance_hours'])

    Args:
        integration: the registry row.
        rules: category rules; ``None`` reads ``data/complexity.toml``.

    Returns:
        The hours, the category used, and which fields were estimated from that category.
    """
    category = derive_complexity(integration, rules).category
    defaults = rules.defaults_for(category)
    estimated: set[str] = set()
    build = integration.build_hours
    if build is None:
        build = defaults.build_hours
        estimated.add(BUILD_HOURS)
    maintenance = integration.monthly_maintenance_hours
    if maintenance is None:
        maintenance = defaults.monthly_maintenance_hours
        estimated.add(MAINTENANCE_HOURS)
    return Effort(
        build_hours=build,
        monthly_maintenance_hours=maintenance,
        category=category,
        estimated_from_category=frozenset(estimated),
    )


@dataclass(frozen=True, slots=True)
class CategoryReasons:
    """Why an integration is in its category, and which of its figures that category filled in, in words."""

    category: Complexity
    factors: tuple[str, ...]  # e.g. "writes into a system of record (Stripe): +2"; never empty
    estimated: tuple[str, ...]  # e.g. "build hours: 200 – 500 h, the complex category's default"


def _hours_words(value: Range) -> str:
    def hours(number: float) -> str:
        return f"{number:,.1f}".removesuffix(".0")

    if value.low == value.high:
        return f"{hours(value.likely)} h"
    return f"{hours(value.low)} – {hours(value.high)} h (likely {hours(value.likely)} h)"


def category_factors(integration: Integration, rules: ComplexityRules) -> CategoryReasons:
    """The category of a row with its reasons in words, and the figures estimated from it rather than typed.

    Every category gets at least one reason: the points each fact earns against the thresholds, or that the
    registry row sets the category itself (with what the facts alone would give).

    >>> row = Integration(id="INT-1", name="Deals to billing", source_system="HubSpot", target_system="Stripe",
    ...                   data_objects=("Deal",), owner_team="Sales Ops", build_hours=Range.exact(15))
    >>> reasons = category_factors(row, rules)
    >>> reasons.category.value, reasons.factors
    ('moderate', ('writes into a system of record (Stripe): +2', 'total 2 points: moderate from 2'))
    >>> reasons.estimated
    ("monthly maintenance hours: 3 – 7 h (likely 5 h), the moderate category's default",)

    Args:
        integration: the registry row.
        rules: category rules.

    Returns:
        The category, its reasons and the estimated figures.
    """
    assessment = derive_complexity(integration, rules)
    facts = _scored_facts(integration, rules)
    factors = [f"{words} ({detail}): {earned:+d}" if detail else f"{words}: {earned:+d}"
               for words, detail, earned in facts]
    thresholds = dict(rules.thresholds)
    derived = assessment.derived
    if derived is Complexity.SIMPLE:
        lightest = min(thresholds.values()) if thresholds else 1
        factors.append(f"total {assessment.points} points: simple below {lightest}" if facts
                       else f"no fact adds points: simple below {lightest}")
    else:
        factors.append(f"total {assessment.points} points: {derived.value} from {thresholds[derived]}")
    if assessment.overridden and assessment.category is not derived:
        factors.insert(0, f"set to {assessment.category.value} in the registry (the facts alone give "
                          f"{derived.value})")
    elif assessment.overridden:
        factors.insert(0, f"set to {assessment.category.value} in the registry, as the facts give")
    effort = estimate_effort(integration, rules)
    defaults = rules.defaults_for(effort.category)
    estimated = []
    if BUILD_HOURS in effort.estimated_from_category:
        estimated.append(f"build hours: {_hours_words(defaults.build_hours)}, the {effort.category.value} "
                         "category's default")
    if MAINTENANCE_HOURS in effort.estimated_from_category:
        estimated.append(f"monthly maintenance hours: {_hours_words(defaults.monthly_maintenance_hours)}, the "
                         f"{effort.category.value} category's default")
    return CategoryReasons(category=assessment.category, factors=tuple(factors), estimated=tuple(estimated))


# --- Loading and validating data/complexity.toml ---------------------------------------------------


class _Problems:
    """Collects every problem in the file so one error message lists them all."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[str] = []

    def add(self, field: str, problem: str, fix: str) -> None:
        self.items.append(f"{self.file}: {field} {problem}; fix: {fix}")


def _number(values: dict, key: str, field: str, problems: _Problems, *, minimum: float = 0.0) -> float | None:
    value = values.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.add(f"{field}.{key}", f"must be a number (got {value!r})", f"write a number of at least {minimum:g}")
        return None
    if value < minimum:
        problems.add(f"{field}.{key}", f"must be at least {minimum:g} (got {value})", f"use {minimum:g} or more")
        return None
    return float(value)


def _whole(value: object, field: str, problems: _Problems, *, minimum: int = 0) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        problems.add(field, f"must be a whole number of at least {minimum} (got {value!r})",
                     f"write e.g. {max(minimum, 1)}")
        return None
    return value


def _low_high(values: dict, key: str, field: str, problems: _Problems) -> Range | None:
    table = values.get(key)
    name = f"{field}.{key}"
    if not isinstance(table, dict):
        problems.add(name, "is missing or not a table", f"write {key} = {{ low = 10, high = 40 }}")
        return None
    unknown = sorted(set(table) - {"low", "high"})
    if unknown:
        problems.add(name, f"has unknown keys {', '.join(unknown)}", "keep only low and high")
    low = _number(table, "low", name, problems)
    high = _number(table, "high", name, problems)
    if low is None or high is None:
        return None
    if low > high:
        problems.add(name, f"has low above high ({low:g} > {high:g})", "write the smaller number as low")
        return None
    return Range.between(low, high)


def _check_keys(values: dict, allowed: set[str], field: str, problems: _Problems) -> None:
    unknown = sorted(set(values) - allowed)
    if unknown:
        problems.add(field, f"has unknown keys {', '.join(unknown)}", f"use only {', '.join(sorted(allowed))}")


def _parse_categories(values: object, problems: _Problems) -> tuple[CategoryDefaults, ...]:
    if not isinstance(values, dict):
        problems.add("categories", "is missing", "add [categories.simple] ... [categories.critical] tables")
        return ()
    _check_keys(values, {c.value for c in CATEGORY_ORDER}, "categories", problems)
    parsed: list[CategoryDefaults] = []
    for category in CATEGORY_ORDER:
        field = f"categories.{category.value}"
        table = values.get(category.value)
        if not isinstance(table, dict):
            problems.add(field, "is missing", f"add a [{field}] table with description, build_hours, "
                         "monthly_maintenance_hours and migration_hours")
            continue
        _check_keys(table, {"description", BUILD_HOURS, MAINTENANCE_HOURS, "migration_hours"}, field, problems)
        description = table.get("description")
        if not isinstance(description, str) or not description.strip():
            problems.add(f"{field}.description", "is missing or empty", "write one sentence describing the category")
        ranges = [_low_high(table, key, field, problems) for key in (BUILD_HOURS, MAINTENANCE_HOURS, "migration_hours")]
        if isinstance(description, str) and description.strip() and all(r is not None for r in ranges):
            parsed.append(CategoryDefaults(category, description.strip(), *ranges))
    return tuple(parsed)


def _parse_steps(values: object, field: str, problems: _Problems) -> tuple[PointStep, ...]:
    fix = "write e.g. [{ at_least = 3, points = 1 }, { at_least = 6, points = 2 }]"
    if not isinstance(values, list):
        problems.add(field, "must be a list of { at_least, points } steps", fix)
        return ()
    steps: list[PointStep] = []
    for index, item in enumerate(values):
        name = f"{field}[{index}]"
        if not isinstance(item, dict) or set(item) != {"at_least", "points"}:
            problems.add(name, "must have exactly at_least and points", fix)
            continue
        at_least = _whole(item["at_least"], f"{name}.at_least", problems, minimum=1)
        points = _whole(item["points"], f"{name}.points", problems)
        if at_least is not None and points is not None:
            steps.append(PointStep(at_least, points))
    if [s.at_least for s in steps] != sorted({s.at_least for s in steps}):
        problems.add(field, "steps must have increasing at_least values", "order the steps from fewest to most")
    return tuple(steps)


def _parse_choice_points(values: object, enum_type, field: str, problems: _Problems) -> tuple:
    allowed = {member.value for member in enum_type}
    if not isinstance(values, dict):
        problems.add(field, "is missing", f"add a [{field}] table with points for {', '.join(sorted(allowed))}")
        return ()
    _check_keys(values, allowed, field, problems)
    pairs = []
    for member in enum_type:
        # A value left out of the table earns no points, which is what an unlisted value means in words.
        points = _whole(values.get(member.value, 0), f"{field}.{member.value}", problems)
        if points is not None:
            pairs.append((member, points))
    return tuple(pairs)


def _parse_thresholds(values: object, problems: _Problems) -> tuple[tuple[Complexity, int], ...]:
    field = "derivation.thresholds"
    heavier = CATEGORY_ORDER[1:]
    if not isinstance(values, dict):
        problems.add(field, "is missing", "add [derivation.thresholds] with moderate, complex and critical")
        return ()
    _check_keys(values, {c.value for c in heavier}, field, problems)
    pairs = []
    for category in heavier:
        minimum = _whole(values.get(category.value), f"{field}.{category.value}", problems, minimum=1)
        if minimum is not None:
            pairs.append((category, minimum))
    minimums = [m for _, m in pairs]
    if len(pairs) == len(heavier) and minimums != sorted(set(minimums)):
        problems.add(field, f"must increase from moderate to critical (got {minimums})",
                     "give each heavier category more points than the one before")
    return tuple(pairs)


def _parse_derivation(values: object, problems: _Problems) -> dict:
    field = "derivation"
    if not isinstance(values, dict):
        problems.add(field, "is missing", "add a [derivation] table (see docs/method.md)")
        values = {}
    _check_keys(values, {"bidirectional", "system_of_record", "systems_of_record", "objects", "consumers",
                         "timeliness", "approach", "tier", "thresholds"}, field, problems)
    systems = values.get("systems_of_record")
    if not isinstance(systems, list) or not systems or not all(isinstance(s, str) and squash_name(s) for s in systems):
        problems.add(f"{field}.systems_of_record", "must be a non-empty list of system names",
                     'write e.g. ["Salesforce", "NetSuite"]')
        systems = []
    return {
        "bidirectional_points": _whole(values.get("bidirectional"), f"{field}.bidirectional", problems),
        "system_of_record_points": _whole(values.get("system_of_record"), f"{field}.system_of_record", problems),
        "systems_of_record": tuple(s.strip() for s in systems),
        "object_steps": _parse_steps(values.get("objects"), f"{field}.objects", problems),
        "consumer_steps": _parse_steps(values.get("consumers"), f"{field}.consumers", problems),
        "timeliness_points": _parse_choice_points(values.get("timeliness"), Timeliness, f"{field}.timeliness",
                                                  problems),
        "approach_points": _parse_choice_points(values.get("approach"), Approach, f"{field}.approach", problems),
        "tier_points": _parse_choice_points(values.get("tier"), Tier, f"{field}.tier", problems),
        "thresholds": _parse_thresholds(values.get("thresholds"), problems),
    }


def _parse_scenarios(values: object, problems: _Problems) -> ScenarioFactors | None:
    field = "scenarios"
    if not isinstance(values, dict):
        problems.add(field, "is missing", "add a [scenarios] table (see docs/method.md)")
        return None
    _check_keys(values, {"merge_absorption", "centralise_platform_factor", "centralise_absorption",
                         "centralise_setup_hours"}, field, problems)
    merge = _number(values, "merge_absorption", field, problems)
    platform = _number(values, "centralise_platform_factor", field, problems)
    absorption = _number(values, "centralise_absorption", field, problems)
    setup = _low_high(values, "centralise_setup_hours", field, problems)
    for key, value in (("merge_absorption", merge), ("centralise_absorption", absorption)):
        if value is not None and value > 1:
            problems.add(f"{field}.{key}", f"is a share and must be at most 1 (got {value:g})",
                         "write e.g. 0.2 for 20%")
            return None
    if None in (merge, platform, absorption, setup):
        return None
    return ScenarioFactors(merge, platform, absorption, setup)


def parse_complexity_rules(values: dict, file: str = "complexity.toml") -> ComplexityRules:
    """Validate the parsed TOML mapping of a complexity file into :class:`ComplexityRules`.

    >>> parse_complexity_rules({})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    core.errors.ConfigError: complexity.toml: categories is missing; fix: ...

    Args:
        values: the mapping ``tomllib`` read.
        file: the file name to put in error messages.

    Returns:
        The validated rules.

    Raises:
        ConfigError: listing every problem, each with the file, the field and the fix.
    """
    problems = _Problems(file)
    _check_keys(values, {"categories", "derivation", "scenarios"}, "the top level", problems)
    categories = _parse_categories(values.get("categories"), problems)
    derivation = _parse_derivation(values.get("derivation"), problems)
    scenarios = _parse_scenarios(values.get("scenarios"), problems)
    if problems.items:
        raise ConfigError(" | ".join(problems.items))
    return ComplexityRules(categories=categories, scenarios=scenarios, **derivation)
