"""Small registries written out by hand, for examples and tests that need a known answer."""

from __future__ import annotations

from core.domain.analysis import RegistryAnalysis, analyse_registry
from core.domain.names import Aliases
from core.domain.ranges import Range
from core.domain.registry import Integration, Status
from core.domain.settings import Settings
from core.storage.defaults import default_complexity_rules


def example_analysis() -> RegistryAnalysis:
    """A three-row registry: two Salesforce → Stripe syncs (one typed "SFDC") and a Snowflake load."""
    first = Integration(
        id="INT-1", name="Closed-won deals to Stripe", source_system="Salesforce", target_system="Stripe",
        data_objects=("Opportunity",), owner_team="Sales Ops", owner="Ana Silva", has_monitoring=True,
        monthly_maintenance_hours=Range.between(3, 5), hourly_rate=Range.exact(150),
    )
    second = first.with_changes(
        id="INT-2", name="Stripe provisioning", source_system="SFDC", owner=None, has_monitoring=None,
    )
    third = first.with_changes(
        id="INT-3", name="CRM to warehouse", target_system="Snowflake", data_objects=("Account",),
        owner_team="Data Engineering", status=Status.PROPOSED,
    )
    aliases = Aliases.from_pairs(systems=[("SFDC", "Salesforce")])
    return analyse_registry([first, second, third], Settings(), aliases=aliases, rules=default_complexity_rules())
