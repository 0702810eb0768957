"""Airbyte: connections, sources and destinations (public API answers saved as one JSON file) as integrations.

The file is one JSON object whose parts are the answers of the documented public API (docs/registry-format.md):

- ``connections``: *List connections* (``connectionId``, ``name``, ``sourceId``, ``destinationId``, ``status``,
  ``configurations.streams[].name``, ``createdAt``);
- ``sources``: *List sources* (``sourceId``, ``name``, ``sourceType``);
- ``destinations``: *List destinations* (``destinationId``, ``name``, ``destinationType``).

The older Configuration API (``/api/v1/connections/list`` and the like) is read too: its connections carry the
configured catalog, ``syncCatalog.streams[]`` items of ``{"stream": {"name": ...}, "config": {"selected": ...}}``,
and its sources and destinations name their connector in ``sourceName`` / ``destinationName``.

Each part may be the list itself or the answer around it (``{"data": [...]}``). One connection is one integration:
from its source's system to its destination's, moving its streams (those not deselected).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from core.domain.registry_cells import ImportReport
from core.domain.sources.common import (UNASSIGNED_TEAM, SourceRow, check_parts, date_of, items_of, list_cell,
    load_json, make_id, rows_to_report, system_name, text_of)
from core.errors import RegistryFileError
from core.wording import natural_list, plural

FORMAT = "airbyte"
# What each top-level part of the file may hold (core.domain.sources.common.check_parts).
_PARTS = {key: ((list, dict), f'a list of {key}, or the API answer around it ({{"data": [...]}})')
          for key in ("connections", "sources", "destinations")}


def looks_like_airbyte(document: object) -> bool:
    """A JSON document with Airbyte connections: items with ``connectionId`` and ``sourceId``."""
    if not isinstance(document, dict):
        return False
    return any(isinstance(c, dict) and "connectionId" in c and "sourceId" in c
               for c in items_of(document.get("connections")))


def _end(endpoints: dict, endpoint_id: str, kind: str) -> str:
    """The system of a source or destination: its connector type (public API), else its connector's name
    (Configuration API), else the name it was given."""
    endpoint = endpoints.get(endpoint_id)
    if not isinstance(endpoint, dict):
        return ""
    connector = text_of(endpoint.get(f"{kind}Type")) or text_of(endpoint.get(f"{kind}Name"))
    return system_name(connector) if connector else text_of(endpoint.get("name"))


@dataclass(slots=True)
class _Streams:
    names: list[str] = field(default_factory=list)
    unnamed: list[str] = field(default_factory=list)  # paths of stream items without a name
    deselected: int = 0


def _streams(connection: dict, where: str) -> _Streams:
    """The streams a connection syncs, from ``configurations.streams`` (public API: items with ``name``) and
    ``syncCatalog.streams`` (the configured catalog: items with ``stream.name``, left out when ``config.selected``
    is false); an item of either shape is read in either list.

    >>> found = _streams({"syncCatalog": {"streams": [{"stream": {"name": "Lead"}, "config": {"selected": False}},
    ...     {"stream": {"name": "Account"}, "config": {"selected": True}}, {"stream": {}}]}}, "connections[0]")
    >>> found.names, found.unnamed, found.deselected
    (['Account'], ['connections[0].syncCatalog.streams[2].stream.name'], 1)
    """
    found = _Streams()
    for part in ("configurations", "syncCatalog"):
        holder = connection.get(part)
        streams = holder.get("streams") if isinstance(holder, dict) else None
        for index, item in enumerate(streams if isinstance(streams, list) else []):
            path = f"{where}.{part}.streams[{index}]"
            if not isinstance(item, dict):
                found.unnamed.append(path)
                continue
            config = item.get("config")
            if isinstance(config, dict) and config.get("selected") is False:
                found.deselected += 1
                continue
            nested = item.get("stream")
            name = text_of(item.get("name")) or (text_of(nested.get("name")) if isinstance(nested, dict) else "")
            if name:
                found.names.append(name)
            else:
                found.unnamed.append(f"{path}.stream.name" if isinstance(nested, dict) else f"{path}.name")
    return found


def _streams_fix(found: _Streams) -> str:
    if found.deselected and not found.names and not found.unnamed:
        return ("Every stream in syncCatalog.streams has config.selected false, so the connection syncs nothing: "
                "select the streams it moves in Airbyte and export it again, or leave the connection out.")
    return ("Give the connection its streams: configurations.streams[].name (public API) or "
            "syncCatalog.streams[].stream.name (Configuration API), at least one.")


def _rows(document: dict, unnamed: list[str]) -> Iterator[SourceRow]:
    sources = {text_of(s.get("sourceId")): s for s in items_of(document.get("sources")) if isinstance(s, dict)}
    destinations = {text_of(d.get("destinationId")): d for d in items_of(document.get("destinations"))
                    if isinstance(d, dict)}
    for index, connection in enumerate(items_of(document.get("connections"))):
        where = f"connections[{index}]"
        if not isinstance(connection, dict):
            yield SourceRow({"name": ""}, f"#{index}", where)
            continue
        connection_id = text_of(connection.get("connectionId")) or f"#{index}"
        source_id, destination_id = text_of(connection.get("sourceId")), text_of(connection.get("destinationId"))
        streams = _streams(connection, where)
        unnamed.extend(streams.unnamed)
        status = text_of(connection.get("status")).lower()
        notes = [f"Airbyte connection {connection_id}"]
        if status and status != "active":
            notes.append(f"status {status}")
        source, target = _end(sources, source_id, "source"), _end(destinations, destination_id, "destination")
        cells = {
            "id": make_id("AB", connection_id),
            "name": text_of(connection.get("name")) or f"{source} to {target}",
            "source_system": source,
            "target_system": target,
            "data_objects": list_cell(streams.names),
            "owner_team": UNASSIGNED_TEAM,
            "approach": "etl",
            "status": "deprecated" if status == "deprecated" else "live",
            "launched_on": date_of(connection.get("createdAt")),
            "notes": ", ".join(notes),
        }
        yield SourceRow(cells, connection_id, where, fixes={
            "source_system": f"Add the source {source_id or '(none)'} to \"sources\".",
            "target_system": f"Add the destination {destination_id or '(none)'} to \"destinations\".",
            "data_objects": _streams_fix(streams),
        })


def read_airbyte(data: bytes, *, max_rows: int | None = None) -> ImportReport:
    """Validate an Airbyte export: one integration per connection.

    >>> report = read_airbyte(b'{"connections": [{"connectionId": "a1", "name": "SF to DW", "sourceId": "s", '
    ...     b'"destinationId": "d", "configurations": {"streams": [{"name": "Opportunity"}]}}], '
    ...     b'"sources": [{"sourceId": "s", "sourceType": "salesforce"}], '
    ...     b'"destinations": {"data": [{"destinationId": "d", "destinationType": "snowflake"}]}}')
    >>> [(i.id, i.source_system, i.target_system, i.data_objects) for i in report.accepted]
    [('AB-a1', 'Salesforce', 'Snowflake', ('Opportunity',))]

    Raises:
        RegistryFileError: when the file is not JSON, holds no Airbyte connections, or a part of it is of the
            wrong kind (text where a list should be).
    """
    document = load_json(data, "Airbyte")
    check_parts(document, "Airbyte", _PARTS, "See docs/registry-format.md for the file's shape.")
    if not looks_like_airbyte(document):
        raise RegistryFileError("This JSON file holds no Airbyte connections: expected an object with "
                                "\"connections\" (items with \"connectionId\" and \"sourceId\"), see "
                                "docs/registry-format.md.")
    unnamed: list[str] = []
    report = rows_to_report(_rows(document, unnamed), FORMAT, max_rows=max_rows, notes=[
        "Airbyte records no owning team: owner_team is 'Unassigned'; fill it in on the Registry page."])
    if unnamed:
        report.notes.append(f"Left out {plural(len(unnamed), 'Airbyte stream')} without a name: "
                            f"{natural_list(unnamed, limit=6, noun='streams')}.")
    return report
