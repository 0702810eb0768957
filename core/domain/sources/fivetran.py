"""Fivetran: connections and their schema configs (REST API answers saved as one JSON file) as integrations.

The file is one JSON object, each part the ``data`` of a documented REST API answer (docs/registry-format.md):

- ``connections``: the items of *List all connections* (``id``, ``service``, ``schema``, ``group_id``, ``paused``,
  ``sync_frequency``, ``created_at``);
- ``schemas``: connection id -> *Retrieve a connection schema config* (``schemas`` -> ``tables`` -> ``enabled``);
- ``destinations``: the items of *Retrieve destination details* (``id``, ``group_id``, ``service``);
- ``groups`` (optional): the items of *List all groups* (``id``, ``name``), named in the notes.

Each part may be the whole answer (``{"code": "Success", "data": ...}``) too; ``destinations`` the answer about one
destination, or a list of such answers.

One connection is one integration: from its service into its group's destination, moving its enabled tables.
"""

from __future__ import annotations

from collections.abc import Iterator

from core.domain.registry_cells import ImportReport
from core.domain.sources.common import (UNASSIGNED_TEAM, SourceRow, check_parts, date_of, items_of, list_cell,
    load_json, make_id, rows_to_report, system_name, text_of)
from core.errors import RegistryFileError

FORMAT = "fivetran"
# The parts of the file: what each holds when it is not absent.
_PARTS = {"connections": ((list, dict), 'a list of connections, or the API answer around it ({"data": {"items": '
                                        '[...]}})'),
          "destinations": ((list, dict), "a list of destinations, or the API answer of one"),
          "groups": ((list, dict), "a list of groups, or the API answer around it"),
          "schemas": ((dict,), 'an object of schema configs by connection id ({"<connection id>": {...}})')}


def looks_like_fivetran(document: object) -> bool:
    """A JSON document with Fivetran connections: items with a ``service`` and a ``group_id``."""
    if not isinstance(document, dict):
        return False
    connections = items_of(document.get("connections"))
    return any(isinstance(c, dict) and "service" in c and "group_id" in c for c in connections)


def _enabled_tables(config: object) -> list[str]:
    """The enabled tables of enabled schemas in a schema config (the API answer, or its ``data``)."""
    if isinstance(config, dict) and isinstance(config.get("data"), dict):
        config = config["data"]
    schemas = config.get("schemas") if isinstance(config, dict) else None
    tables: list[str] = []
    for schema in schemas.values() if isinstance(schemas, dict) else ():
        if not isinstance(schema, dict) or schema.get("enabled") is False or not isinstance(schema.get("tables"), dict):
            continue
        tables += [str(name) for name, table in schema["tables"].items()
                   if isinstance(table, dict) and table.get("enabled") is not False]
    return tables


def _rows(document: dict) -> Iterator[SourceRow]:
    destinations = {text_of(d.get("group_id")): d for d in items_of(document.get("destinations"))
                    if isinstance(d, dict)}
    groups = {text_of(g.get("id")): text_of(g.get("name")) for g in items_of(document.get("groups"))
              if isinstance(g, dict)}
    schemas = document.get("schemas") if isinstance(document.get("schemas"), dict) else {}
    for index, connection in enumerate(items_of(document.get("connections"))):
        where = f"connections[{index}]"
        if not isinstance(connection, dict):
            yield SourceRow({"name": ""}, f"#{index}", where)
            continue
        connection_id = text_of(connection.get("id")) or f"#{index}"
        service = text_of(connection.get("service"))
        group = text_of(connection.get("group_id"))
        destination = destinations.get(group, {})
        config = schemas.get(connection_id, connection.get("schema_config"))
        tables = _enabled_tables(config) if config is not None else []
        source = system_name(service) if service else ""
        target = system_name(text_of(destination.get("service"))) if destination.get("service") else ""
        frequency = connection.get("sync_frequency")
        minutes = frequency if isinstance(frequency, (int, float)) and not isinstance(frequency, bool) else None
        notes = [f"Fivetran connection {connection_id}"]
        if text_of(connection.get("schema")):
            notes.append(f"destination schema {text_of(connection.get('schema'))}")
        if groups.get(group):
            notes.append(f"group {groups[group]}")
        if minutes is not None:
            notes.append(f"syncs every {minutes:g} minutes")
        if connection.get("paused") is True:
            notes.append("paused")
        if config is None:
            notes.append("no schema config in the file")
        cells = {
            "id": make_id("FT", connection_id),
            "name": f"{source or service} to {target or 'destination'} "
                    f"({text_of(connection.get('schema')) or connection_id})",
            "source_system": source,
            "target_system": target,
            "data_objects": list_cell(tables),
            "owner_team": UNASSIGNED_TEAM,
            "approach": "etl",
            "timeliness": "" if minutes is None else ("near-real-time" if minutes < 60 else "batch"),
            "launched_on": date_of(connection.get("created_at")),
            "notes": ", ".join(notes),
        }
        yield SourceRow(cells, connection_id, where, fixes={
            "target_system": f"Add the destination of group {group or '(none)'} to \"destinations\".",
            "source_system": "Give the connection its \"service\".",
            "data_objects": f"Add the schema config of {connection_id} to \"schemas\", with at least one "
                            "enabled table.",
        })


def read_fivetran(data: bytes, *, max_rows: int | None = None) -> ImportReport:
    """Validate a Fivetran export: one integration per connection.

    >>> report = read_fivetran(b'{"connections": [{"id": "c1", "service": "salesforce", "group_id": "g1", '
    ...     b'"schema": "sfdc"}], "destinations": [{"group_id": "g1", "service": "snowflake"}], '
    ...     b'"schemas": {"c1": {"schemas": {"salesforce": {"enabled": true, "tables": '
    ...     b'{"opportunity": {"enabled": true}, "lead": {"enabled": false}}}}}}}')
    >>> [(i.id, i.source_system, i.target_system, i.data_objects) for i in report.accepted]
    [('FT-c1', 'Salesforce', 'Snowflake', ('opportunity',))]

    Raises:
        RegistryFileError: when the file is not JSON, holds no Fivetran connections, or a part of it is of the
            wrong kind (text where a list should be).
    """
    document = load_json(data, "Fivetran")
    check_parts(document, "Fivetran", _PARTS, "See docs/registry-format.md for the file's shape.")
    if not looks_like_fivetran(document):
        raise RegistryFileError("This JSON file holds no Fivetran connections: expected an object with "
                                "\"connections\" (items with \"service\" and \"group_id\"), see "
                                "docs/registry-format.md.")
    return rows_to_report(_rows(document), FORMAT, max_rows=max_rows, notes=[
        "Fivetran records no owning team: owner_team is 'Unassigned'; fill it in on the Registry page."])
