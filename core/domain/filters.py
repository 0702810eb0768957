"""Registry search and filters: which integrations a facilitator wants to see right now."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from core.domain.registry import Integration


@dataclass(frozen=True)
class RegistryFilter:
    """What to keep; empty fields keep everything.

    >>> RegistryFilter().is_empty
    True
    """

    text: str = ""  # matched against id, name, systems, objects, owner, team, notes
    teams: frozenset[str] = frozenset()
    systems: frozenset[str] = frozenset()  # either end
    objects: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset()
    tiers: frozenset[str] = frozenset()
    ownership: str = "all"  # "all", "owned" or "unowned"

    @property
    def is_empty(self) -> bool:
        return self == RegistryFilter()


def _haystack(integration: Integration) -> str:
    return " ".join((
        integration.id, integration.name, integration.source_system, integration.target_system,
        " ".join(integration.data_objects), " ".join(integration.consumers), integration.owner_team,
        integration.owner or "", integration.notes,
    )).lower()


def filter_integrations(integrations: Iterable[Integration], wanted: RegistryFilter) -> list[Integration]:
    """The integrations matching every filter that is set (text search is case-insensitive, all words).

    >>> a = Integration(id="INT-1", name="Opp sync", source_system="SFDC", target_system="Stripe",
    ...                 data_objects=("Opportunity",), owner_team="Sales Ops")
    >>> b = a.with_changes(id="INT-2", name="Invoice sync", owner="Zoë", owner_team="Finance")
    >>> [i.id for i in filter_integrations([a, b], RegistryFilter(ownership="unowned"))]
    ['INT-1']
    >>> [i.id for i in filter_integrations([a, b], RegistryFilter(text="stripe zoë"))]
    ['INT-2']

    Args:
        integrations: the registry.
        wanted: the filter.

    Returns:
        Matching integrations in their original order.
    """
    words = wanted.text.lower().split()
    kept = []
    for integration in integrations:
        if wanted.teams and integration.owner_team not in wanted.teams:
            continue
        if wanted.systems and not ({integration.source_system, integration.target_system} & wanted.systems):
            continue
        if wanted.objects and not (set(integration.data_objects) & wanted.objects):
            continue
        if wanted.statuses and integration.status.value not in wanted.statuses:
            continue
        if wanted.tiers and (integration.tier.value if integration.tier else "") not in wanted.tiers:
            continue
        if wanted.ownership == "owned" and not integration.is_owned:
            continue
        if wanted.ownership == "unowned" and integration.is_owned:
            continue
        if words:
            haystack = _haystack(integration)
            if not all(word in haystack for word in words):
                continue
        kept.append(integration)
    return kept


def filter_options(integrations: Iterable[Integration]) -> dict[str, list[str]]:
    """The values each filter can take in this registry, sorted, for the filter widgets.

    >>> a = Integration(id="INT-1", name="A", source_system="SFDC", target_system="Stripe",
    ...                 data_objects=("Opportunity",), owner_team="Sales Ops")
    >>> filter_options([a])["systems"]
    ['SFDC', 'Stripe']
    """
    teams, systems, objects = set(), set(), set()
    for integration in integrations:
        teams.add(integration.owner_team)
        systems.update((integration.source_system, integration.target_system))
        objects.update(integration.data_objects)
    return {"teams": sorted(teams), "systems": sorted(systems), "objects": sorted(objects, key=str.lower)}
