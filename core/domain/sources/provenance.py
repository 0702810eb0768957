"""Duplicates across tools: overlap evidence that names the tools two overlapping integrations were read from."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from core.domain.analysis import RegistryAnalysis
from core.domain.overlap import Cluster, OverlapPair
from core.domain.overlap.clusters import MAX_CLUSTER_EVIDENCE
from core.wording import natural_list

# Format -> the tool as people name it in a sentence ("comes from Fivetran").
TOOL_NAMES = {
    "csv": "the CSV file", "xlsx": "the workbook", "leanix": "LeanIX", "backstage": "Backstage", "dbt": "dbt",
    "fivetran": "Fivetran", "airbyte": "Airbyte", "openmetadata": "OpenMetadata",
}
MAX_TOOL_SENTENCES = 3  # per cluster, before the other evidence


def source_label(fmt: str, name: str) -> str:
    """How evidence names a source: the tool, and the file it was read from.

    >>> source_label("fivetran", "fivetran_connections.json"), source_label("csv", "registry.csv")
    ('Fivetran (fivetran_connections.json)', 'the CSV file registry.csv')
    """
    tool = TOOL_NAMES.get(fmt, fmt)
    if not name:
        return tool
    return f"{tool} {name}" if tool.startswith("the ") else f"{tool} ({name})"


def _tool_sentence(pair: OverlapPair, sources: Mapping[str, Sequence[str]]) -> str | None:
    """The sentence naming both tools of a pair read from different sources (no source in common), else None."""
    a_sources, b_sources = set(sources.get(pair.a, ())), set(sources.get(pair.b, ()))
    if not a_sources or not b_sources or a_sources & b_sources:
        return None
    a_names = natural_list(sorted(a_sources), limit=3)
    b_names = natural_list(sorted(b_sources), limit=3)
    what = "two tools describe the same flow" if pair.is_strong else "two tools describe overlapping flows"
    return f"{pair.a} comes from {a_names} and {pair.b} from {b_names}: {what}"


def _with_tools(cluster: Cluster, sources: Mapping[str, Sequence[str]]) -> Cluster:
    sentences: dict[str, None] = {}
    pairs = []
    for pair in cluster.pairs:
        sentence = _tool_sentence(pair, sources)
        if sentence is None:
            pairs.append(pair)
            continue
        pairs.append(replace(pair, evidence=(*pair.evidence, sentence)))
        if len(sentences) < MAX_TOOL_SENTENCES:
            sentences.setdefault(sentence)
    if not sentences:
        return cluster
    evidence = tuple(dict.fromkeys([*sentences, *cluster.evidence]))[:MAX_CLUSTER_EVIDENCE]
    return replace(cluster, pairs=tuple(pairs), evidence=evidence)


def with_source_evidence(analysis: RegistryAnalysis, sources: Mapping[str, Sequence[str]]) -> RegistryAnalysis:
    """The analysis with cross-tool evidence: in each cluster, a pair whose two integrations were read from
    different tools (and from no tool in common) gets a sentence naming both, first in the cluster's evidence.

    >>> from core.domain.analysis import analyse_registry
    >>> from core.domain.registry import Integration
    >>> rows = [Integration(id=i, name=i, source_system="Salesforce", target_system="Snowflake",
    ...                     data_objects=("Opportunity",), owner_team="Data") for i in ("AB-1", "FT-1")]
    >>> analysis = analyse_registry(rows, settings, aliases=aliases, rules=rules)
    >>> tools = {"AB-1": ["Airbyte (a.json)"], "FT-1": ["Fivetran (f.json)"]}
    >>> with_source_evidence(analysis, tools).clusters[0].evidence[0]
    'AB-1 comes from Airbyte (a.json) and FT-1 from Fivetran (f.json): two tools describe the same flow'

    Args:
        analysis: the registry analysed.
        sources: integration id -> labels of the sources it was read from (:func:`source_label`).
    """
    if not sources or not analysis.clusters:
        return analysis
    clusters = tuple(_with_tools(c, sources) for c in analysis.clusters)
    return replace(analysis, clusters=clusters, cluster_by_member={m: c for c in clusters for m in c.members})
