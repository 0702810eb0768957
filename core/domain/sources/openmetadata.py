"""OpenMetadata: a lineage CSV export as integrations, one per pipeline and pair of services it connects.

The export's documented columns (docs/registry-format.md) include ``fromEntityType``, ``fromFullyQualifiedName``,
``toEntityType``, ``toFullyQualifiedName``, ``pipelineFullyQualifiedName`` and ``description``. A fully qualified
name starts with the service (``Salesforce_prod.default.opportunity``): the system. Edges run by one pipeline
between the same two services are one integration moving the entities named at their start; edges without a
pipeline are grouped per pair of services. Several pipelines on the same from -> to are then several integrations
on one route, which the overlap analysis shows as candidate duplicates.

Service and pipeline names are compared ignoring case, and everything an integration gets from its edges (its id,
the spelling shown, its objects and notes) depends on the edges, not on their order: a re-export that lists the
same lineage in another order updates the same rows.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator

from core.domain.limits import check_row_count, check_upload_size, row_limit
from core.domain.registry_cells import ImportReport
from core.domain.csv_text import decode_registry_bytes, detect_delimiter
from core.domain.sources.common import UNASSIGNED_TEAM, SourceRow, list_cell, make_id, rows_to_report
from core.errors import RegistryFileError
from core.wording import natural_list, plural

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


def _spelling(counts: Counter[str]) -> str:
    """The spelling most edges use; on a tie, the first in sorted order (never the one that happened to come first).

    >>> _spelling(Counter({"snowflake_analytics": 1, "Snowflake_analytics": 2})), _spelling(Counter({"b": 1, "a": 1}))
    ('Snowflake_analytics', 'a')
    """
    return min(counts, key=lambda spelled: (-counts[spelled], spelled))


def _entity(name: str) -> str:
    """The entity an edge end names: the last part of a name with more than its service; a name that is only a
    service (``Salesforce_prod``, an edge between services) names none.

    >>> _entity("Salesforce_prod.default.Opportunity"), _entity("Salesforce_prod")
    ('Opportunity', '')
    """
    parts = split_fqn(name)
    return parts[-1] if len(parts) > 1 else ""


def _no_objects_fix(numbers: Iterable[int], source: str, target: str) -> str:
    """What to do about edges that name no entity at their start.

    >>> _no_objects_fix([4], "Salesforce_prod", "Snowflake_analytics")
    "Row 4 connects the services Salesforce_prod and Snowflake_analytics only, with no table after the service name, \
so it does not say what is moved: export the lineage of the tables instead (a table's Lineage tab)."
    """
    if not source:
        return "Give the edge a fromFullyQualifiedName: the table the data comes from."
    numbers = sorted(numbers)
    rows = natural_list([str(n) for n in numbers], limit=6, noun="rows")
    one = len(numbers) == 1
    return (f"{'Row' if one else 'Rows'} {rows} {'connects' if one else 'connect'} the services {source} and "
            f"{target or '(none)'} only, with no table after the service name, so {'it does' if one else 'they do'} "
            "not say what is moved: export the lineage of the tables instead (a table's Lineage tab).")


def read_lineage(data: bytes, *, max_rows: int | None = None) -> ImportReport:
    """Validate an OpenMetadata lineage CSV: one integration per pipeline (or none) and pair of services.

    >>> report = read_lineage(b"fromEntityType,fromFullyQualifiedName,toEntityType,toFullyQualifiedName,"
    ...     b"pipelineFullyQualifiedName\\n"
    ...     b"table,Salesforce.default.opportunity,table,Snowflake.raw.sf.opportunity,Airflow.sf_daily\\n"
    ...     b"table,Salesforce.default.account,table,Snowflake.raw.sf.account,Airflow.sf_daily\\n")
    >>> [(i.source_system, i.target_system, i.data_objects) for i in report.accepted]
    [('Salesforce', 'Snowflake', ('account', 'opportunity'))]

    Raises:
        RegistryFileError: for a file over the size or row limit, or without the lineage columns.
    """
    check_upload_size(len(data))
    limit = row_limit() if max_rows is None else max_rows
    delimiter, records = _records(data)
    groups: dict[tuple[str, str, str], list[tuple[int, dict[str, str]]]] = defaultdict(list)
    spellings: dict[str, Counter[str]] = defaultdict(Counter)  # a name ignoring case -> how the edges spell it
    inside, edges = 0, 0
    for number, record in records:
        edges += 1
        check_row_count(edges, limit)
        source, target = split_fqn(record["fromFullyQualifiedName"]), split_fqn(record["toFullyQualifiedName"])
        if source and target and source[0].casefold() == target[0].casefold():
            inside += 1  # a view or model inside one service: lineage, not an integration between systems
            continue
        names = (record.get("pipelineFullyQualifiedName", ""), source[0] if source else "", target[0] if target else "")
        for name in names:
            spellings[name.casefold()][name] += 1
        groups[tuple(n.casefold() for n in names)].append((number, record))

    def rows() -> Iterator[SourceRow]:
        # In order of the ids' names, not of the rows: the same lineage listed in another order gives the same rows.
        for key in sorted(groups):
            members = groups[key]
            pipeline, source, target = (_spelling(spellings[k]) for k in key)
            numbers = [n for n, _ in members]
            objects = sorted({_entity(r["fromFullyQualifiedName"]) for _, r in members} - {""}, key=str.casefold)
            pipeline_name = split_fqn(pipeline)[-1] if split_fqn(pipeline) else ""
            external_id = f"{pipeline or '(no pipeline)'}|{source}|{target}"
            descriptions = sorted({r.get("description", "") for _, r in members} - {""})
            notes = [f"OpenMetadata lineage, {plural(len(members), 'edge')}" + (f", pipeline {pipeline}" if pipeline
                                                                               else "")]
            if descriptions:
                notes.append(natural_list(descriptions, limit=4, noun="descriptions"))
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
            yield SourceRow(cells, external_id, f"row {min(numbers)}" + (f" (pipeline {pipeline})" if pipeline else ""),
                            fixes={"source_system": "Give the edge a fromFullyQualifiedName.",
                                   "target_system": "Give the edge a toFullyQualifiedName.",
                                   "data_objects": _no_objects_fix(numbers, source, target)})

    notes = ["OpenMetadata's lineage export names no owning team: owner_team is 'Unassigned'."]
    if inside:
        notes.append(f"Left out {inside} edge(s) inside one service (views and models, not integrations).")
    report = rows_to_report(rows(), FORMAT, max_rows=max_rows, notes=notes)
    report.encoding, report.delimiter = "utf-8", {"\t": "tab"}.get(delimiter, delimiter)
    return report
