"""Names every ``>>>`` example in core/ may use, built once per test session (a pytest plugin, see pyproject)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True, scope="session")
def _shipped_defaults_for_doctests(doctest_namespace) -> None:
    """The shipped settings, rubric, complexity rules and aliases, the sample registry and its analysis.

    Examples read these instead of loading files themselves, so the domain's docstrings stay free of file
    reading and the sample registry is analysed once, not once per example.
    """
    from core.domain.access import LOCAL_ACTOR_ROLE, Actor
    from core.domain.analysis import analyse_registry
    from core.domain.registry_csv import read_registry_csv
    from core.storage.defaults import (
        default_complexity_rules,
        load_aliases,
        load_default_settings,
        load_rubric,
        sample_registry_bytes,
    )
    from tests.examples import example_analysis

    settings, rules, aliases = load_default_settings(), default_complexity_rules(), load_aliases()
    sample = read_registry_csv(sample_registry_bytes()).accepted
    doctest_namespace.update(
        settings=settings, rubric=load_rubric(), rules=rules, aliases=aliases, sample=sample,
        sample_analysis=analyse_registry(sample, settings, aliases=aliases, rules=rules),
        example_analysis=example_analysis(),
        ANA=Actor("Ana", LOCAL_ACTOR_ROLE),  # the facilitator of the session examples
    )
