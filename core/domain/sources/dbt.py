"""dbt: the sources of a ``manifest.json`` as integrations into the warehouse, its exposures as their consumers.

From the documented manifest (docs/registry-format.md): ``metadata.adapter_type`` names the warehouse,
``sources`` are keyed by unique id with ``source_name``, ``name`` (the table), ``loader``, ``meta`` and
``package_name``; ``exposures`` have a ``name``/``label``, ``type`` and ``depends_on.nodes``; ``nodes`` (models,
snapshots, seeds) have ``depends_on.nodes`` too. One ``source_name`` of a package is one integration: from the
system it names into the warehouse, moving its tables; the exposures that depend on any of its tables, through any
chain of models, are its consumers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from core.domain.registry_cells import ImportReport
from core.domain.sources.common import (UNASSIGNED_TEAM, SourceRow, check_parts, list_cell, load_json, make_id,
    rows_to_report, system_name, text_of)
from core.errors import RegistryFileError
from core.wording import described_value, plural

FORMAT = "dbt"
_TEAM_KEYS = ("owner_team", "team", "owner")  # where teams put the owner in a source's meta
# The parts of a manifest read, each an object by unique id: what they hold, and the shape of their ids.
_PARTS = {"sources": ("sources", "source.<package>.<source>.<table>"),
          "nodes": ("models, snapshots and seeds", "model.<package>.<name>"),
          "exposures": ("exposures", "exposure.<package>.<name>")}


def looks_like_dbt(document: object) -> bool:
    """A dbt manifest: ``metadata.dbt_schema_version`` names a manifest, or it has ``sources`` and ``nodes``."""
    if not isinstance(document, dict):
        return False
    metadata = document.get("metadata")
    version = text_of(metadata.get("dbt_schema_version")) if isinstance(metadata, dict) else ""
    return "manifest" in version or (isinstance(document.get("sources"), dict) and
                                     isinstance(document.get("nodes"), dict))


def _depends_on(node: object) -> list[str]:
    depends = node.get("depends_on") if isinstance(node, dict) else None
    nodes = depends.get("nodes") if isinstance(depends, dict) else None
    return [n for n in nodes if isinstance(n, str)] if isinstance(nodes, list) else []


def _sources_reached(start: list[str], nodes: dict, sources: dict) -> set[str]:
    """The source ids an exposure reads, through any chain of models (each node visited once: cycles end)."""
    reached, seen, stack = set(), set(), list(start)
    while stack:
        unique_id = stack.pop()
        if unique_id in seen:
            continue
        seen.add(unique_id)
        if unique_id in sources:
            reached.add(unique_id)
        elif unique_id in nodes:
            stack.extend(_depends_on(nodes[unique_id]))
    return reached


def _meta_team(source: dict) -> str:
    for meta in (source.get("meta"), (source.get("config") or {}).get("meta")
                 if isinstance(source.get("config"), dict) else None):
        if isinstance(meta, dict):
            for key in _TEAM_KEYS:
                if text_of(meta.get(key)):
                    return text_of(meta.get(key))
    return ""


def _warehouse(document: dict) -> str:
    """The warehouse the sources are loaded into: ``metadata.adapter_type`` as a system name.

    A manifest that does not say is refused once, for the whole file, rather than every source refused alike: the
    sources' ``database`` and ``schema`` are names the project chose, not the kind of warehouse, and the adapter's
    macro packages overlap (Redshift's manifests carry ``dbt_postgres`` too), so nothing else says it reliably.

    >>> _warehouse({"metadata": {"adapter_type": "bigquery"}, "sources": {"source.p.s.t": {}}})
    'BigQuery'
    """
    metadata = document.get("metadata") if isinstance(document.get("metadata"), dict) else {}
    adapter_type = metadata.get("adapter_type")
    tables = [s for s in (document.get("sources") or {}).values() if isinstance(s, dict)]
    if isinstance(adapter_type, str) and adapter_type.strip():
        return system_name(adapter_type)
    if not tables:
        return ""
    written_by = f" (written by dbt {text_of(metadata.get('dbt_version'))})" if text_of(metadata.get("dbt_version")) \
        else ""
    said = "has no metadata.adapter_type" if adapter_type is None or adapter_type == "" else \
        f"has {described_value(adapter_type)} for metadata.adapter_type"
    raise RegistryFileError(
        f"The dbt manifest{written_by} {said}, so it does not say which warehouse its "
        f"{plural(len(tables), 'source table')} {'is' if len(tables) == 1 else 'are'} loaded into; their database "
        "and schema names do not say it either, and none is guessed. Run dbt parse in the project with a current "
        "dbt, which writes the warehouse there (\"snowflake\", \"bigquery\", ...), and upload the new "
        "target/manifest.json.")


def _rows(document: dict, warehouse: str) -> Iterator[SourceRow]:
    sources = {k: v for k, v in (document.get("sources") or {}).items() if isinstance(v, dict)} \
        if isinstance(document.get("sources"), dict) else {}
    nodes = document.get("nodes") if isinstance(document.get("nodes"), dict) else {}
    exposures = document.get("exposures") if isinstance(document.get("exposures"), dict) else {}

    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for unique_id, source in sources.items():
        groups[(text_of(source.get("package_name")), text_of(source.get("source_name")))].append(unique_id)
    consumers: dict[str, list[str]] = defaultdict(list)
    for exposure_id, exposure in exposures.items():
        if not isinstance(exposure, dict):
            continue
        label = text_of(exposure.get("label")) or text_of(exposure.get("name")) or exposure_id
        for unique_id in _sources_reached(_depends_on(exposure), nodes, sources):
            consumers[unique_id].append(label)

    for (package, source_name), ids in sorted(groups.items()):
        ids.sort()
        first = sources[ids[0]]
        tables = [text_of(sources[i].get("name")) for i in ids]
        loader = next((text_of(sources[i].get("loader")) for i in ids if text_of(sources[i].get("loader"))), "")
        team = next((_meta_team(sources[i]) for i in ids if _meta_team(sources[i])), "")
        system = text_of((first.get("meta") or {}).get("system")) if isinstance(first.get("meta"), dict) else ""
        source_system = system or (system_name(source_name) if source_name else "")
        external_id = f"source.{package}.{source_name}"
        notes = [f"dbt source {source_name} of {package or 'the project'}"]
        if loader:
            notes.append(f"loaded by {loader}")
        description = text_of(first.get("source_description"))
        if description:
            notes.append(description)
        cells = {
            "id": make_id("DBT", f"{package}-{source_name}"),
            "name": f"{source_system} into {warehouse} (dbt source {source_name})",
            "source_system": source_system,
            "target_system": warehouse,
            "data_objects": list_cell(tables),
            "owner_team": team or UNASSIGNED_TEAM,
            "consumers": list_cell(c for i in ids for c in sorted(consumers[i])),
            "approach": "etl",
            "notes": ", ".join(notes),
        }
        yield SourceRow(cells, external_id, f'sources["{ids[0]}"]')


def read_dbt(data: bytes, *, max_rows: int | None = None) -> ImportReport:
    """Validate a dbt ``manifest.json``: one integration per source name, exposures as consumers.

    >>> report = read_dbt(b'{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json",'
    ...     b' "adapter_type": "snowflake"}, "sources": {"source.shop.stripe.charges": {"source_name": "stripe", '
    ...     b'"name": "charges", "package_name": "shop", "loader": "fivetran"}}, "nodes": {}, "exposures": {}}')
    >>> [(i.id, i.source_system, i.target_system, i.data_objects) for i in report.accepted]
    [('DBT-shop-stripe', 'Stripe', 'Snowflake', ('charges',))]

    Raises:
        RegistryFileError: when the file is not JSON or not a dbt manifest, its sources, nodes or exposures are
            not objects, or it has sources but does not name the warehouse (``metadata.adapter_type``).
    """
    document = load_json(data, "dbt manifest")
    if not looks_like_dbt(document):
        raise RegistryFileError("This JSON file is not a dbt manifest (no metadata.dbt_schema_version, no sources "
                                "and nodes). Upload target/manifest.json from dbt parse or dbt compile.")
    check_parts(document, "dbt manifest", {key: ((dict,), f'an object of {holds} by their unique id ("{unique_id}": '
                                                      "{...})") for key, (holds, unique_id) in _PARTS.items()},
                "Upload target/manifest.json as dbt parse or dbt compile wrote it.")
    warehouse = _warehouse(document)
    notes = []
    if not any(_meta_team(s) for s in (document.get("sources") or {}).values() if isinstance(s, dict)):
        notes.append("No source names its team in meta (owner_team, team or owner): owner_team is 'Unassigned'.")
    return rows_to_report(_rows(document, warehouse), FORMAT, max_rows=max_rows, notes=notes)
