"""LeanIX: an Excel export of Interface fact sheets as integrations, one per interface and consumer application.

LeanIX's inventory export (docs/registry-format.md) has ``id``, ``type`` and ``name`` columns, one fact-sheet type
per file, and one column per relation or field chosen in the table view. Columns are recognised by their technical
names (``relInterfaceToProviderApplication``) or their labels (``Provider Application``), an exact name before a
longer header naming the field, never a header ending in "ID"; two columns that could each be a field are named in a
refusal (the required fields) or a note (the others, left unread). An interface's provider application is the
source, each consumer application a target; its data objects are the data objects moved; its subscriptions name the
owner (Accountable first, then Responsible).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from core.domain.registry_cells import ImportReport, header_key
from core.domain.sources.common import UNASSIGNED_TEAM, SourceRow, list_cell, make_id, rows_to_report
from core.domain.sources.excel import HEADER_SEARCH_ROWS, Sheet, column_letter, read_sheets
from core.errors import RegistryFileError
from core.wording import natural_list

FORMAT = "leanix"
# What each column holds -> (the header_key values naming it exactly, the first listed preferred; the words a longer
# header naming it contains, as "Provider Application (Name)"). An exact name wins over a longer header, and a longer
# header ending in "ID" is never the column: "Provider Application ID" holds ids, not applications.
_COLUMNS: dict[str, tuple[tuple[str, ...], str]] = {
    "id": (("id",), ""),
    "type": (("type", "factsheettype"), ""),
    "name": (("name", "displayname"), ""),
    "provider": (("providerapplication", "providerapplications", "relinterfacetoproviderapplication", "provider",
                  "providers"), "providerapplication"),
    "consumer": (("consumerapplication", "consumerapplications", "relinterfacetoconsumerapplication", "consumer",
                  "consumers"), "consumerapplication"),
    "objects": (("dataobject", "dataobjects", "relinterfacetodataobject"), "dataobject"),
    "subscriptions": (("subscriptions", "subscription"), "subscription"),
    "team": (("usergroup", "usergroups", "team", "ownerteam", "owningteam"), "usergroup"),
    "description": (("description",), ""),
    "lifecycle": (("lifecycle",), "lifecycle"),
}
_LABELS = {"id": "id", "type": "type", "name": "name", "provider": "provider application",
           "consumer": "consumer application", "objects": "data objects", "subscriptions": "subscriptions",
           "team": "user group", "description": "description", "lifecycle": "lifecycle"}
_REQUIRED = ("id", "type", "name", "provider", "consumer")
_SPLIT = re.compile(r"\s*(?:;|\n)\s*")
_ROLE = re.compile(r"\b(accountable|responsible|observer)\b", re.IGNORECASE)


def _candidates(header: Sequence[str]) -> dict[str, list[int]]:
    """Each column's candidate positions in a header row: the headers naming it exactly by its most preferred name,
    else the longer headers naming it; one position when the header is clear."""
    keys = [header_key(cell) for cell in header]
    found: dict[str, list[int]] = {}
    for column, (names, words) in _COLUMNS.items():
        exact = next(([i for i, k in enumerate(keys) if k == name] for name in names if name in keys), [])
        partial = [i for i, k in enumerate(keys) if words and words in k and not re.search(r"ids?$", k)]
        if exact or partial:
            found[column] = exact or partial
    return found


def _columns(header: Sequence[str]) -> dict[str, int]:
    return {column: positions[0] for column, positions in _candidates(header).items()}


def find_interface_header(sheets: Sequence[Sheet]) -> tuple[Sheet, int, dict[str, int]] | None:
    """The sheet, header row and columns of a LeanIX export: a row with id, type and name columns."""
    for sheet in sheets:
        for index, row in enumerate(sheet.text_rows(0, HEADER_SEARCH_ROWS)):
            columns = _columns(row)
            if {"id", "type", "name"} <= columns.keys():
                return sheet, index, columns
    return None


def owner_from_subscriptions(cell: str) -> str:
    """The accountable person of an interface from its subscriptions cell (else the responsible, else the first).

    >>> owner_from_subscriptions("RESPONSIBLE: Ana Silva; ACCOUNTABLE: Marcus Chen (IT Owner)")
    'Marcus Chen'
    >>> owner_from_subscriptions("ana.silva@example.com (Responsible)")
    'ana.silva@example.com'
    """
    people = []
    for entry in filter(None, _SPLIT.split(cell.strip())):
        role = _ROLE.search(entry)
        person = re.sub(r"\([^)]*\)", "", _ROLE.sub("", entry)).strip(" :-,")
        if person:
            people.append((role.group(1).lower() if role else "", person))
    for wanted in ("accountable", "responsible"):
        for role, person in people:
            if role == wanted:
                return person
    return people[0][1] if people else ""


def _status(lifecycle: str) -> str:
    key = header_key(lifecycle)
    if key in ("plan", "phasein"):
        return "building" if key == "phasein" else "proposed"
    if key == "phaseout":
        return "deprecated"
    if key == "endoflife":
        return "retired"
    return "live" if key == "active" else ""


def _rows(sheet: Sheet, header_index: int, columns: dict[str, int]) -> Iterator[SourceRow]:
    def cell(row: list[str], column: str) -> str:
        position = columns.get(column)
        return row[position].strip() if position is not None and position < len(row) else ""

    for offset, row in enumerate(sheet.text_rows(header_index + 1), start=header_index + 2):
        kind = cell(row, "type")
        if not any(c.strip() for c in row) or header_key(kind) in ("type", "factsheettype"):
            continue  # blank rows, and the label row some exports put under the technical names
        if header_key(kind) != "interface":
            raise RegistryFileError(f"Sheet '{sheet.name}', row {offset}: this LeanIX export holds {kind or 'untyped'}"
                                    " fact sheets. Export the Interface fact sheets (one type per file).")
        fact_sheet = cell(row, "id") or f"row {offset}"
        consumers = [c for c in _SPLIT.split(cell(row, "consumer")) if c] or [""]
        for consumer in consumers:
            external_id = fact_sheet if len(consumers) == 1 else f"{fact_sheet}->{consumer}"
            cells = {
                "id": make_id("LX", external_id),
                "name": cell(row, "name") + (f" to {consumer}" if len(consumers) > 1 else ""),
                "source_system": cell(row, "provider"),
                "target_system": consumer,
                "data_objects": list_cell(_SPLIT.split(cell(row, "objects"))),
                "owner_team": cell(row, "team") or UNASSIGNED_TEAM,
                "owner": owner_from_subscriptions(cell(row, "subscriptions")),
                "status": _status(cell(row, "lifecycle")),
                "notes": cell(row, "description"),
            }
            yield SourceRow(cells, external_id, f"sheet '{sheet.name}', row {offset}", fixes={
                "source_system": "Add the interface's provider application in LeanIX, and export it again.",
                "target_system": "Add the interface's consumer application in LeanIX, and export it again.",
                "data_objects": "Add the data objects the interface moves in LeanIX, and export it again.",
            })


def looks_like_leanix(sheets: Sequence[Sheet]) -> bool:
    """A workbook with an id/type/name header and provider or consumer application columns."""
    found = find_interface_header(sheets)
    return found is not None and bool({"provider", "consumer"} & found[2].keys())


def read_leanix(data: bytes, *, max_rows: int | None = None) -> ImportReport:
    """Validate a LeanIX Excel export of Interface fact sheets.

    Raises:
        RegistryFileError: for an unreadable workbook, one without the id/type/name header or without provider
            and consumer columns, one with two columns that could each be one of those, or one holding another
            fact-sheet type.
    """
    return read_leanix_sheets(read_sheets(data, max_rows=max_rows), max_rows=max_rows)


def read_leanix_sheets(sheets: Sequence[Sheet], *, max_rows: int | None = None) -> ImportReport:
    """:func:`read_leanix` of a workbook's sheets, already read."""
    found = find_interface_header(sheets)
    if found is None:
        raise RegistryFileError("No LeanIX export header found: the sheet needs id, type and name columns "
                                "(export from the Inventory's table view).")
    sheet, header_index, columns = found
    header = sheet.text_rows(header_index, header_index + 1)[0]
    notes = [f"Read the Interface fact sheets of sheet '{sheet.name}'."]
    for column, positions in _candidates(header).items():
        if len(positions) < 2:
            continue
        named = natural_list(f"'{header[i].strip()}' (column {column_letter(i)})" for i in positions)
        if column in _REQUIRED:
            raise RegistryFileError(f"Sheet '{sheet.name}' has {len(positions)} columns that could each be the "
                                    f"{_LABELS[column]}: {named}. Keep one of them, or rename the others, and upload "
                                    "the file again.")
        del columns[column]
        notes.append(f"Columns {named} could each be the {_LABELS[column]}, so none of them was read. Keep one of "
                     f"them, or add the {_LABELS[column].capitalize()} column, to read it.")
    missing = [label for column, label in (("provider", "Provider Application"), ("consumer", "Consumer Application"))
               if column not in columns]
    if missing:
        raise RegistryFileError(f"Sheet '{sheet.name}' has no {' or '.join(missing)} column. In LeanIX's table view, "
                                "add the provider and consumer application relations, then export again.")
    if "team" not in columns:
        notes.append("The export has no user group or team column: owner_team is 'Unassigned'.")
    report = rows_to_report(_rows(sheet, header_index, columns), FORMAT, max_rows=max_rows, notes=notes)
    report.sheet, report.encoding, report.delimiter = sheet.name, "Excel workbook", ""
    return report
