"""OpenMetadata: a lineage CSV export as integrations, one per pipeline and pair of services it connects.

The export's documented columns (docs/registry-format.md) include ``fromEntityType``, ``fromFullyQualifiedName``,
``toEntityType``, ``toFullyQualifiedName``, ``pipelineFullyQualifiedName`` and ``description``. A fully qualified
name starts with the service (``Salesforce_prod.default.opportunity``): the system. Edges run by one pipeline
between the same two services are one integration moving the entities named at their start; edges without a
pipeline are grouped per pair of services. Several pipelines on the same from -> to are then several integrations
on one route, which the overlap analysis shows as candidate duplicates.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator

from core.domain.limits import check_row_count, check_upload_size, row_limit
from core.domain.registry_cells import ImportReport
from core.domain.csv_text import decode_registry_bytes, detect_delimiter
from core.domain.sources.common import UNASSIGNED_TEAM, SourceRow, list_cell, make_id, rows_to_report
from core.errors import RegistryFileError

FORMAT = "openmetadata"
REQUIRED = ("fromFullyQualifiedName", "toFullyQualifiedName")


def split_fqn(name: str) -> list[str]:
    """The parts of a fully qualified name: dots separate them, except inside double quotes.

    >>> split_fqn('Snowflake.RAW.SALESFORCE."opportunity.history"')
    ['Snowflake', 'RAW', 'SALESFORCE', 'opportunity.history']
    """
    parts, current, quoted = [], [], False
    for char in name.strip():
        if char == '"':
            quoted = not quoted
        elif char == "." and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def looks_like_lineage(header_line: str) -> bool:
    """A CSV header naming both ends of a lineage edge."""
    return all(column in header_line for column in REQUIRED)


def _records(data: bytes) -> tuple[str, Iterator[tuple[int, dict[str, str]]]]:
    """The delimiter (as the registry CSV reader decides it, from the header line) and the numbered records."""
    text, _ = decode_registry_bytes(data)
    delimiter = detect_delimiter(text.lstrip("\ufeff").partition("\n")[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, [])
    header = [h.strip().lstrip("\ufeff") for h in header]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        separated = {",": "commas", ";": "semicolons", "\t": "tabs"}[delimiter]
        raise RegistryFileError(f"This is not an OpenMetadata lineage export: the header, read as columns separated by "
                                f"{separated}, has no {', '.join(missing)}. Export the lineage as CSV from the "
                                "table's Lineage tab.")

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        try:
            for number, cells in enumerate(reader, start=2):
                if any(c.strip() for c in cells):
                    yield number, {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header)}
        except csv.Error as problem:
            raise RegistryFileError(f"The lineage file could not be read as CSV ({problem}).") from None

    return delimiter, rows()


def read_lineage(data: bytes, *, max_rows: int | None = None) -> ImportReport:
    """Validate an OpenMetadata lineage CSV: one integration per pipeline (or none) and pair of services.

    >>> report = read_lineage(b"fromEntityType,fromFullyQualifiedName,toEntityType,toFullyQualifiedName,"
    ...     b"pipelineFullyQualifiedName\\n"
    ...     b"table,Salesforce.default.opportunity,table,Snowflake.raw.sf.opportunity,Airflow.sf_daily\\n"
    ...     b"table,Salesforce.default.account,table,Snowflake.raw.sf.account,Airflow.sf_daily\\n")
    >>> [(i.source_system, i.target_system, i.data_objects) for i in report.accepted]
    [('Salesforce', 'Snowflake', ('opportunity', 'account'))]

    Raises:
        RegistryFileError: for a file over the size or row limit, or without the lineage columns.
    """
    check_upload_size(len(data))
    limit = row_limit() if max_rows is None else max_rows
    delimiter, records = _records(data)
    groups: dict[tuple[str, str, str], list[tuple[int, dict[str, str]]]] = defaultdict(list)
    spelled: dict[tuple[str, str, str], tuple[str, str]] = {}
    inside, edges = 0, 0
    for number, record in records:
        edges += 1
        check_row_count(edges, limit)
        source, target = split_fqn(record["fromFullyQualifiedName"]), split_fqn(record["toFullyQualifiedName"])
        if source and target and source[0].casefold() == target[0].casefold():
            inside += 1  # a view or model inside one service: lineage, not an integration between systems
            continue
        pipeline = record.get("pipelineFullyQualifiedName", "")
        ends = (source[0] if source else "", target[0] if target else "")
        # Service names compare ignoring case, as the edge-inside-one-service test above; the first spelling is shown.
        key = (pipeline, ends[0].casefold(), ends[1].casefold())
        spelled.setdefault(key, ends)
        groups[key].append((number, record))

    def rows() -> Iterator[SourceRow]:
        for key, members in groups.items():
            pipeline, (source, target) = key[0], spelled[key]
            first_row = members[0][0]
            objects = [split_fqn(r["fromFullyQualifiedName"])[-1] for _, r in members
                       if split_fqn(r["fromFullyQualifiedName"])]
            pipeline_name = split_fqn(pipeline)[-1] if split_fqn(pipeline) else ""
            external_id = f"{pipeline or '(no pipeline)'}|{source}|{target}"
            description = next((r.get("description", "") for _, r in members if r.get("description")), "")
            notes = [f"OpenMetadata lineage, {len(members)} edge(s)" + (f", pipeline {pipeline}" if pipeline else "")]
            if description:
                notes.append(description)
            cells = {
                "id": make_id("OM", external_id),
                "name": f"{pipeline_name or 'Lineage'}: {source} to {target}",
                "source_system": source,
                "target_system": target,
                "data_objects": list_cell(objects),
                "owner_team": UNASSIGNED_TEAM,
                "approach": "etl" if pipeline else "",
                "notes": ", ".join(notes),
            }
            yield SourceRow(cells, external_id, f"row {first_row}" + (f" (pipeline {pipeline})" if pipeline else ""),
                            fixes={"source_system": "Give the edge a fromFullyQualifiedName.",
                                   "target_system": "Give the edge a toFullyQualifiedName."})

    notes = ["OpenMetadata's lineage export names no owning team: owner_team is 'Unassigned'."]
    if inside:
        notes.append(f"Left out {inside} edge(s) inside one service (views and models, not integrations).")
    report = rows_to_report(rows(), FORMAT, max_rows=max_rows, notes=notes)
    report.encoding, report.delimiter = "utf-8", {"\t": "tab"}.get(delimiter, delimiter)
    return report
