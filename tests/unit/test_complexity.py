"""Complexity derivation, effort estimates and the validation of data/complexity.toml."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.domain.complexity import (
    CATEGORY_ORDER,
    category_factors,
    derive_complexity,
    estimate_effort,
    squash_name,
)
from core.domain.ranges import Range
from core.domain.registry import (
    Approach,
    Complexity,
    Direction,
    Integration,
    Tier,
    Timeliness,
)
from core.errors import ConfigError
from core.storage.defaults import DEFAULT_COMPLEXITY_FILE, load_complexity_rules

RULES = load_complexity_rules()


def make_row(**changes) -> Integration:
    """A plain one-way batch integration between two non-record systems: zero points."""
    base = Integration(
        id="INT-1",
        name="Tickets to chat",
        source_system="Zendesk",
        target_system="Slack",
        data_objects=("Ticket",),
        owner_team="Support",
    )
    return base.with_changes(**changes)


# --- Derivation factors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "factor", "points"),
    [
        ({"direction": Direction.BIDIRECTIONAL}, "bidirectional (+2)", 2),
        ({"timeliness": Timeliness.REAL_TIME}, "real-time (+2)", 2),
        ({"timeliness": Timeliness.NEAR_REAL_TIME}, "near-real-time (+1)", 1),
        ({"data_objects": ("A", "B", "C")}, "3 data objects (+1)", 1),
        ({"data_objects": tuple("ABCDEF")}, "6 data objects (+2)", 2),
        ({"consumers": ("Finance", "Sales", "Ops")}, "3 consumers (+1)", 1),
        ({"consumers": tuple("ABCDEFG")}, "7 consumers (+2)", 2),
        ({"approach": Approach.CUSTOM_PLATFORM}, "built as custom-platform (+2)", 2),
        ({"approach": Approach.DIRECT_API}, "built as direct-api (+2)", 2),
        ({"approach": Approach.INTERNAL_TOOL}, "built as internal-tool (+2)", 2),
        ({"approach": Approach.ETL}, "built as etl (+1)", 1),
        ({"tier": Tier.REVENUE_CRITICAL}, "revenue-critical (+2)", 2),
        ({"target_system": "NetSuite"}, "writes into a system of record: NetSuite (+2)", 2),
    ],
)
def test_each_documented_fact_adds_its_points_in_words(changes, factor, points):
    row = make_row(**changes)

    assessment = derive_complexity(row, RULES)

    assert assessment.factors == (factor,)
    assert assessment.points == points


@pytest.mark.parametrize(
    "changes",
    [
        {"approach": Approach.NO_CODE},
        {"approach": Approach.MANUAL},
        {"approach": Approach.IPAAS},
        {"timeliness": Timeliness.BATCH},
        {"tier": Tier.OPERATIONAL},
        {"tier": Tier.INFORMATIONAL},
        {"data_objects": ("A", "B")},
        {"consumers": ("A", "B")},
        {"approach": None, "tier": None, "timeliness": None},
    ],
)
def test_light_or_unknown_facts_add_no_points(changes):
    row = make_row(**changes)

    assessment = derive_complexity(row, RULES)

    assert (assessment.points, assessment.factors, assessment.category) == (0, (), Complexity.SIMPLE)


@pytest.mark.parametrize(
    ("changes", "category"),
    [
        ({}, Complexity.SIMPLE),
        ({"timeliness": Timeliness.NEAR_REAL_TIME}, Complexity.SIMPLE),  # 1 point
        ({"target_system": "HubSpot"}, Complexity.MODERATE),  # 2
        ({"target_system": "HubSpot", "timeliness": Timeliness.NEAR_REAL_TIME, "data_objects": ("A", "B", "C")},
         Complexity.MODERATE),  # 4
        ({"target_system": "Stripe", "timeliness": Timeliness.NEAR_REAL_TIME, "tier": Tier.REVENUE_CRITICAL},
         Complexity.COMPLEX),  # 5
        ({"direction": Direction.BIDIRECTIONAL, "timeliness": Timeliness.REAL_TIME,
          "approach": Approach.DIRECT_API, "tier": Tier.REVENUE_CRITICAL}, Complexity.CRITICAL),  # 8
    ],
)
def test_points_pick_the_category_by_documented_thresholds(changes, category):
    row = make_row(**changes)

    assessment = derive_complexity(row, RULES)

    assert assessment.category is category
    assert assessment.derived is category


@pytest.mark.parametrize(
    "spelling", ["netsuite", "NET SUITE", "Net-Suite", "microsoft dynamics-365", "QuickBooks  Online", "s.a.p"]
)
def test_system_of_record_names_match_ignoring_case_spaces_and_punctuation(spelling):
    row = make_row(target_system=spelling)

    assessment = derive_complexity(row, RULES)

    assert assessment.factors == (f"writes into a system of record: {spelling.strip()} (+2)",)


@pytest.mark.parametrize("target", ["Slack", "Sapling", "Salesforce Sandbox Export", "Snowflake"])
def test_systems_not_on_the_list_are_not_systems_of_record(target):
    row = make_row(target_system=target)

    assessment = derive_complexity(row, RULES)

    assert assessment.points == 0


def test_bidirectional_flow_also_writes_into_its_source():
    row = make_row(source_system="Salesforce", target_system="NetSuite", direction=Direction.BIDIRECTIONAL)

    assessment = derive_complexity(row, RULES)

    assert assessment.factors == ("bidirectional (+2)", "writes into systems of record: NetSuite, Salesforce (+2)")
    assert assessment.points == 4


def test_one_way_flow_does_not_count_its_source_as_written():
    row = make_row(source_system="Salesforce", target_system="Slack")

    assessment = derive_complexity(row, RULES)

    assert assessment.points == 0


def test_repeated_object_names_are_counted_once():
    row = make_row(data_objects=("Invoice", "invoice", "INVOICE"))

    assessment = derive_complexity(row, RULES)

    assert assessment.points == 0


def test_rows_own_complexity_overrides_but_factors_stay_visible():
    row = make_row(direction=Direction.BIDIRECTIONAL, target_system="NetSuite", complexity=Complexity.SIMPLE)

    assessment = derive_complexity(row, RULES)

    assert assessment.category is Complexity.SIMPLE
    assert assessment.overridden is True
    assert assessment.derived is Complexity.MODERATE
    assert assessment.factors == ("bidirectional (+2)", "writes into a system of record: NetSuite (+2)")


def test_the_analysis_derives_categories_with_the_shipped_file(tmp_path):
    # The domain takes its rules as a value; the services hand it the shipped file's.
    from core.services.analysis import load_analysis
    from core.services.database import open_database

    analysis = load_analysis(open_database(f"sqlite:///{tmp_path / 'r.sqlite3'}"))

    assert analysis.rules == RULES


facts = st.fixed_dictionaries(
    {
        "direction": st.sampled_from(Direction),
        "timeliness": st.none() | st.sampled_from(Timeliness),
        "approach": st.none() | st.sampled_from(Approach),
        "tier": st.none() | st.sampled_from(Tier),
        "target_system": st.sampled_from(["Slack", "NetSuite", "hub spot", "Snowflake", "SAP"]),
        "data_objects": st.lists(st.sampled_from("ABCDEFGHIJ"), min_size=1, max_size=10).map(tuple),
        "consumers": st.lists(st.sampled_from("ABCDEFGHIJ"), max_size=10).map(tuple),
    }
)


@given(facts)
def test_points_are_exactly_the_sum_of_the_listed_factors(changes):
    row = make_row(**changes)

    assessment = derive_complexity(row, RULES)

    listed = sum(int(re.search(r"\(\+(\d+)\)$", factor).group(1)) for factor in assessment.factors)
    assert assessment.points == listed
    assert assessment.category is RULES.category_for_points(assessment.points)


@given(facts, st.sampled_from(Approach))
def test_switching_to_owned_code_never_lowers_the_category(changes, approach):
    light = make_row(**changes).with_changes(approach=Approach.NO_CODE)
    heavy = light.with_changes(approach=approach)

    light_category, heavy_category = derive_complexity(light, RULES).category, derive_complexity(heavy, RULES).category

    assert CATEGORY_ORDER.index(heavy_category) >= CATEGORY_ORDER.index(light_category)


# --- Effort ----------------------------------------------------------------------------------------------


def test_row_figures_are_used_and_nothing_is_marked_estimated():
    row = make_row(build_hours=Range.exact(15), monthly_maintenance_hours=Range.between(2, 3))

    effort = estimate_effort(row, RULES)

    assert effort.build_hours == Range.exact(15)
    assert effort.monthly_maintenance_hours == Range(2, 2.5, 3)
    assert effort.estimated_from_category == frozenset()


def test_missing_figures_come_from_the_category_with_midpoint_likely():
    row = make_row(complexity=Complexity.COMPLEX)

    effort = estimate_effort(row, RULES)

    assert effort.category is Complexity.COMPLEX
    assert effort.build_hours == Range(200, 350, 500)
    # 20-40 hours per quarter, stored per month.
    assert effort.monthly_maintenance_hours.low * 3 == pytest.approx(20)
    assert effort.monthly_maintenance_hours.high * 3 == pytest.approx(40)
    assert effort.estimated_from_category == frozenset({"build_hours", "monthly_maintenance_hours"})


def test_only_the_missing_field_is_marked_estimated():
    row = make_row(monthly_maintenance_hours=Range.exact(1))

    effort = estimate_effort(row, RULES)

    assert effort.estimated_from_category == frozenset({"build_hours"})
    assert effort.build_hours == Range(10, 25, 40)  # simple


@pytest.mark.parametrize(
    ("category", "build", "maintenance"),
    [
        (Complexity.SIMPLE, (10, 40), (2, 3)),
        (Complexity.MODERATE, (40, 200), (3, 7)),
        (Complexity.COMPLEX, (200, 500), (20 / 3, 40 / 3)),
        (Complexity.CRITICAL, (500, 1200), (15, 30)),
    ],
)
def test_shipped_category_defaults_match_the_documented_table(category, build, maintenance):
    defaults = RULES.defaults_for(category)

    actual = (defaults.build_hours.low, defaults.build_hours.high), (
        defaults.monthly_maintenance_hours.low,
        defaults.monthly_maintenance_hours.high,
    )

    assert actual[0] == build
    assert actual[1] == pytest.approx(maintenance)


def test_heavier_categories_never_cost_less_in_the_shipped_file():
    defaults = [RULES.defaults_for(c) for c in CATEGORY_ORDER]

    pairs = list(zip(defaults, defaults[1:]))

    for lighter, heavier in pairs:
        for field in ("build_hours", "monthly_maintenance_hours", "migration_hours"):
            assert getattr(heavier, field).likely >= getattr(lighter, field).likely, field


def test_squash_name_keeps_only_letters_and_digits():
    assert squash_name(" Sage_Intacct! ") == "sageintacct"


# --- Loading and validation ------------------------------------------------------------------------------

SHIPPED = DEFAULT_COMPLEXITY_FILE.read_text(encoding="utf-8")


def write_variant(tmp_path: Path, old: str, new: str) -> Path:
    assert old in SHIPPED, old
    path = tmp_path / "complexity.toml"
    path.write_text(SHIPPED.replace(old, new, 1), encoding="utf-8")
    return path


def test_shipped_file_loads_with_documented_scenario_factors():
    rules = load_complexity_rules()

    factors = rules.scenarios

    assert (factors.merge_absorption, factors.centralise_platform_factor, factors.centralise_absorption) == (
        0.2,
        1.1,
        0.1,
    )
    assert factors.centralise_setup_hours == Range(40, 60, 80)
    assert [t for _, t in rules.thresholds] == [2, 5, 8]


@pytest.mark.parametrize(
    ("old", "new", "field", "fix"),
    [
        ("build_hours = { low = 200, high = 500 }", "build_hours = { low = 500, high = 200 }",
         "categories.complex.build_hours", "write the smaller number as low"),
        ("build_hours = { low = 10, high = 40 }", "build_hours = { low = -1, high = 40 }",
         "categories.simple.build_hours.low", "use 0 or more"),
        ("migration_hours = { low = 4, high = 12 }", "", "categories.simple.migration_hours", "migration_hours = {"),
        ("merge_absorption = 0.2", "merge_absorption = 1.5", "scenarios.merge_absorption", "0.2 for 20%"),
        ("moderate = 2\n", "moderate = 6\n", "derivation.thresholds", "more points than the one before"),
        ("real-time = 2", "realtime = 2", "derivation.timeliness", "use only"),
        ("bidirectional = 2", "bidirectional = \"two\"", "derivation.bidirectional", "whole number"),
        ("objects = [{ at_least = 3, points = 1 }, { at_least = 6, points = 2 }]",
         "objects = [{ at_least = 6, points = 2 }, { at_least = 3, points = 1 }]",
         "derivation.objects", "order the steps"),
        ("systems_of_record = [", "systems_of_record_old = [", "derivation", "unknown keys systems_of_record_old"),
    ],
)
def test_bad_values_are_rejected_naming_file_field_and_fix(tmp_path, old, new, field, fix):
    path = write_variant(tmp_path, old, new)

    with pytest.raises(ConfigError) as raised:
        load_complexity_rules(path)

    message = str(raised.value)
    assert "complexity.toml" in message
    assert field in message
    assert fix in message


def test_missing_category_is_rejected(tmp_path):
    path = write_variant(tmp_path, "[categories.critical]", "[other_categories.critical]")

    with pytest.raises(ConfigError, match=r"categories\.critical is missing"):
        load_complexity_rules(path)


def test_missing_file_is_a_config_error_naming_it(tmp_path):
    path = tmp_path / "nowhere.toml"

    with pytest.raises(ConfigError, match="nowhere.toml"):
        load_complexity_rules(path)


def test_broken_toml_is_a_config_error(tmp_path):
    path = tmp_path / "complexity.toml"
    path.write_text("[categories\n", encoding="utf-8")

    with pytest.raises(ConfigError, match="not valid TOML"):
        load_complexity_rules(path)


def test_every_problem_is_reported_at_once(tmp_path):
    path = write_variant(tmp_path, "merge_absorption = 0.2", "merge_absorption = -1")
    path.write_text(path.read_text().replace("moderate = 2\n", "moderate = 0\n"), encoding="utf-8")

    with pytest.raises(ConfigError) as raised:
        load_complexity_rules(path)

    assert "scenarios.merge_absorption" in str(raised.value)
    assert "derivation.thresholds.moderate" in str(raised.value)


# --- The factors in words ------------------------------------------------------------------------------

FACTS_FOR = {
    Complexity.SIMPLE: {},
    Complexity.MODERATE: {"target_system": "Stripe"},
    Complexity.COMPLEX: {"target_system": "Stripe", "direction": Direction.BIDIRECTIONAL,
                         "data_objects": ("Invoice", "Payment", "Customer")},
    Complexity.CRITICAL: {"target_system": "Stripe", "source_system": "NetSuite", "direction": Direction.BIDIRECTIONAL,
                          "data_objects": ("Invoice", "Payment", "Customer", "Refund", "Plan", "Coupon"),
                          "timeliness": Timeliness.REAL_TIME, "tier": Tier.REVENUE_CRITICAL},
}


@pytest.mark.parametrize("category", CATEGORY_ORDER, ids=lambda c: c.value)
def test_every_category_says_why_in_words_and_names_itself(category):
    reasons = category_factors(make_row(**FACTS_FOR[category]), RULES)

    assert reasons.category is category
    assert reasons.factors and category.value in reasons.factors[-1]
    assert all(re.search(r": [+-]\d+$|points: ", factor) for factor in reasons.factors)


@pytest.mark.parametrize("category", CATEGORY_ORDER, ids=lambda c: c.value)
def test_a_category_set_in_the_registry_says_so_and_what_the_facts_give(category):
    reasons = category_factors(make_row(complexity=category, target_system="Stripe"), RULES)

    assert reasons.category is category
    assert reasons.factors[0].startswith(f"set to {category.value} in the registry")
    assert "writes into a system of record (Stripe): +2" in reasons.factors


def test_the_figures_estimated_from_the_category_are_named_with_the_defaults_used():
    typed = category_factors(make_row(build_hours=Range.exact(15), monthly_maintenance_hours=Range.exact(2)), RULES)
    guessed = category_factors(make_row(target_system="Stripe"), RULES)

    assert typed.estimated == ()
    assert guessed.estimated == (
        "build hours: 40 – 200 h (likely 120 h), the moderate category's default",
        "monthly maintenance hours: 3 – 7 h (likely 5 h), the moderate category's default",
    )


@pytest.mark.parametrize("spelling", ["Salesforce.com", "Salesforce Sales Cloud", "SFDC", "QBO", "Salesforce"])
def test_an_aliased_spelling_of_a_system_of_record_is_one_and_costs_the_same(spelling):
    from core.storage.defaults import load_aliases

    rules = RULES.with_aliases(load_aliases())
    typed = derive_complexity(make_row(target_system=spelling), rules)
    canonical = derive_complexity(make_row(target_system="Salesforce" if spelling != "QBO" else "QuickBooks Online"),
                                  rules)

    assert typed.factors == (f"writes into a system of record: {spelling} (+2)",)
    assert (typed.category, typed.points) == (canonical.category, canonical.points)


@pytest.mark.parametrize(("objects", "counted"), [
    (("Opportunity", "Opportunities"), 1),
    (("Bill of Materials", "Bills of Materials", "bill-of-materials"), 1),
    (("Invoice", "Payment", "Customer"), 3),
])
def test_spellings_of_one_data_object_count_once(objects, counted):
    one_each = derive_complexity(make_row(data_objects=tuple(f"Object{n}" for n in range(counted))), RULES)

    assert derive_complexity(make_row(data_objects=objects), RULES).points == one_each.points
