"""Workbooks (.xlsx, .xls, .ods): the sheet with the registry's header, its typed cells read as the same CSV text."""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from xml.etree import ElementTree

from core.domain.limits import MB, check_row_count, check_upload_size, row_limit
from core.domain.numbers import COMMA, Notation, detect_notation
from core.domain.registry_cells import (NUMBER_COLUMNS, REQUIRED_COLUMNS, ImportReport, RowError, column_letter,
    header_key, match_header)
from core.domain.registry_csv import read_registry_text
from core.errors import MissingColumnsError, RegistryFileError

# A workbook is a zip of XML: a small file can unpack to gigabytes (a zip bomb). Declared sizes are checked first.
MAX_UNPACKED_BYTES = 512 * MB
HEADER_SEARCH_ROWS = 20  # a title or a note above the header is common; the header is within these rows
_WORKBOOK_KINDS = {"xlsx": "Excel workbook", "xls": "Excel 97-2003 workbook", "ods": "OpenDocument spreadsheet"}


@dataclass(frozen=True, slots=True)
class Sheet:
    """One sheet's cells as the reader typed them, rows from the sheet's row 1 (``rows[0]``), columns from A."""

    name: str
    rows: list[list[object]]
    hidden: bool = False  # hidden in the workbook (often an old copy): read only when named
    # Merged ranges, 0-based ((first row, first column), (last row, last column)): only the first cell has the value.
    merged: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = ()
    # Cells (0-based row, column) holding a formula saved without its value (written by a program, never opened in
    # Excel): the reader sees them empty.
    formulas: tuple[tuple[int, int], ...] = ()

    def text_rows(self, start: int = 0, stop: int | None = None) -> list[list[str]]:
        """Rows as text cells (:func:`cell_text`)."""
        return [[v if v.__class__ is str else cell_text(v) for v in row] for row in self.rows[start:stop]]


def workbook_kind(data: bytes) -> str | None:
    """"xlsx", "xls" or "ods" from the file's first bytes and contents, or ``None`` for anything else.

    >>> workbook_kind(b"\\xd0\\xcf\\x11\\xe0\\xa1\\xb1\\x1a\\xe1" + bytes(8)), workbook_kind(b"name,source\\n")
    ('xls', None)
    """
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        return "xlsx"
    if "content.xml" in names and "mimetype" in names:
        return "ods"
    return None


def cell_text(value: object) -> str:
    """A typed cell as the text a CSV export of it holds, so it is read exactly as that CSV would be.

    >>> [cell_text(v) for v in (12.0, 2.5, True, date(2024, 3, 1), datetime(2024, 3, 1, 0, 0), None, " x ", 1e-05)]
    ['12', '2.5', 'TRUE', '2024-03-01', '2024-03-01', '', ' x ', '0.00001']
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        # Never with an exponent: a CSV export writes 0.00001, and '1e-05' is not a number to the reader.
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else format(Decimal(repr(value)), "f")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def _check_unpacked_size(data: bytes) -> None:
    if not data.startswith(b"PK"):
        return
    try:
        unpacked = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise RegistryFileError("The workbook is damaged (it is not a complete zip file). Save it again.") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise RegistryFileError(f"The workbook unpacks to {unpacked / MB:,.0f} MB, more than the "
                                f"{MAX_UNPACKED_BYTES // MB} MB a registry needs; it was not read.")


def read_sheets(data: bytes, *, max_rows: int | None = None) -> list[Sheet]:
    """Every sheet of a workbook as text cells, at most the row limit (plus room for a header) per sheet.

    Raises:
        RegistryFileError: for a damaged, password-protected or oversized workbook, or one that is not a workbook.
    """
    from python_calamine import (  # a Rust reader: see pyproject
        CalamineError, CalamineWorkbook, PasswordError, SheetVisibleEnum)

    check_upload_size(len(data))
    _check_unpacked_size(data)
    limit = row_limit() if max_rows is None else max_rows
    formulas = _formulas_without_values(data) if workbook_kind(data) == "xlsx" else {}
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        hidden = {meta.name for meta in workbook.sheets_metadata if meta.visible != SheetVisibleEnum.Visible}
        sheets = []
        for index, name in enumerate(workbook.sheet_names):
            sheet = workbook.get_sheet_by_index(index)
            rows = sheet.to_python(skip_empty_area=False, nrows=limit + HEADER_SEARCH_ROWS + 1)
            sheets.append(Sheet(name, rows, name in hidden, tuple(sheet.merged_cell_ranges or ()),
                                tuple(formulas.get(name, ()))))
            if sheet.height > limit + HEADER_SEARCH_ROWS + 1:
                sheets[-1].rows.append(["(more rows)"])  # counted, so the row limit refuses the sheet
    except PasswordError:
        raise RegistryFileError("The workbook is protected by a password. Save a copy without one.") from None
    except (CalamineError, ValueError, OSError) as problem:
        raise RegistryFileError(f"The workbook could not be read ({str(problem)[:200]}). Save it again as .xlsx."
                                ) from None
    return sheets


# A formula cell of a sheet's XML with no value after it (<v/> or none): the formula as openpyxl and other programs
# write it. Excel and LibreOffice always save the value too.
_FORMULA_WITHOUT_VALUE = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*>(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)(?:<v\s*/>|<v>\s*</v>)?'
                                    rb'\s*</c>')
_RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _formulas_without_values(data: bytes) -> dict[str, list[tuple[int, int]]]:
    """Per sheet name of an .xlsx, the cells (0-based row, column) whose formula was saved without a value."""
    found: dict[str, list[tuple[int, int]]] = {}
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        paths = {r.get("Id"): r.get("Target", "").lstrip("/").removeprefix("xl/")
                 for r in ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))}
        for sheet in ElementTree.fromstring(archive.read("xl/workbook.xml")).iter():
            if sheet.tag.endswith("}sheet") and paths.get(sheet.get(_RELATIONSHIP)):
                xml = archive.read("xl/" + paths[sheet.get(_RELATIONSHIP)])
                if b"<f" in xml:
                    found[sheet.get("name", "")] = [
                        (int(row) - 1, column_index(letters.decode()))
                        for letters, row in _FORMULA_WITHOUT_VALUE.findall(xml)]
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError, OSError, ValueError):
        return {}  # the reader says what is wrong with the workbook
    return found


def column_index(letters: str) -> int:
    """The 0-based column of a spreadsheet letter: A is 0, AB is 27.

    >>> column_index("A"), column_index("AB")
    (0, 27)
    """
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _fields_of(row: Sequence[str], column_map: Mapping[str, str]) -> set[str]:
    keys = {header_key(k): v for k, v in column_map.items()}
    return {keys.get(header_key(c)) or match_header(c) for c in row if c.strip()} - {None}


def find_header(sheets: Sequence[Sheet], column_map: Mapping[str, str] | None = None,
                sheet: str | None = None) -> tuple[Sheet, int]:
    """The sheet and row (0-based) of the registry's header: by default the first visible sheet with a row naming
    every required column; else the row naming the most columns (its reading then says what is missing). Hidden
    sheets are read only when named, or when no visible sheet names any known column.

    Raises:
        RegistryFileError: when the named sheet does not exist, or no sheet has a row naming any known column.
    """
    column_map = column_map or {}
    if sheet is not None:
        chosen = [s for s in sheets if s.name == sheet or s.name.casefold() == sheet.strip().casefold()]
        if not chosen:
            raise RegistryFileError(f"The workbook has no sheet '{sheet}'. Its sheets: "
                                    f"{', '.join(s.name for s in sheets)}.")
        sheets = chosen
    elif any(not s.hidden for s in sheets):
        visible = [s for s in sheets if not s.hidden]
        if any(_fields_of(row, column_map) for s in visible for row in s.text_rows(0, HEADER_SEARCH_ROWS)):
            sheets = visible
    best: tuple[int, Sheet, int] | None = None
    for candidate in sheets:
        for index, row in enumerate(candidate.text_rows(0, HEADER_SEARCH_ROWS)):
            found = _fields_of(row, column_map)
            if set(REQUIRED_COLUMNS) <= found:
                return candidate, index
            if found and (best is None or len(found) > best[0]):
                best = (len(found), candidate, index)
    if best is None:
        # Nothing recognised: the first non-empty row of the first sheet with content, for the header hints.
        for candidate in sheets:
            for index, row in enumerate(candidate.text_rows(0, HEADER_SEARCH_ROWS)):
                if any(c.strip() for c in row):
                    return candidate, index
        raise RegistryFileError("The workbook's sheets are empty.")
    return best[1], best[2]


def sheet_as_csv(rows: Sequence[Sequence[str]]) -> str:
    """Rows of text cells as CSV text (comma-separated, quoted where needed)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _typed_notation(sheet: Sheet, header_index: int, column_map: Mapping[str, str]) -> Notation:
    """How the person typed numbers: shown only by the number columns' cells typed as text ('2,5' in a sheet whose
    locale reads it as text), never by the cells the spreadsheet stored as numbers, which have no notation."""
    keys = {header_key(k): v for k, v in column_map.items()}
    header = sheet.text_rows(header_index, header_index + 1)[0]
    positions = [i for i, c in enumerate(header) if (keys.get(header_key(c)) or match_header(c)) in NUMBER_COLUMNS]
    texts = (dict.fromkeys(row[i] for row in sheet.rows[header_index + 1:]
                           if i < len(row) and isinstance(row[i], str)) for i in positions)
    return detect_notation((text for column in texts for text in column), delimiter="")


def _with_decimal_commas(sheet: Sheet, header_index: int, rows: list[list[str]]) -> list[list[str]]:
    """The text rows with every number the spreadsheet stored as a number written with a decimal comma, as the
    sheet's text cells write theirs."""
    typed = sheet.rows[header_index:]
    return [[text.replace(".", ",") if isinstance(value, float) and not value.is_integer() else text
             for value, text in zip(raw, row, strict=False)] + row[len(raw):]
            for raw, row in zip(typed, rows, strict=True)]


def _dates_of_datetimes(sheet: Sheet, header_index: int, rows: list[list[str]],
                        column_map: Mapping[str, str]) -> list[list[str]]:
    """The text rows with each date-and-time cell the spreadsheet stored in a date column written as its date: a
    launch date typed with a time of day is that day."""
    keys = {header_key(k): v for k, v in column_map.items()}
    positions = [i for i, c in enumerate(rows[0]) if (keys.get(header_key(c)) or match_header(c)) == "launched_on"]
    for raw, row in zip(sheet.rows[header_index + 1:], rows[1:], strict=False):
        for i in positions:
            if i < len(raw) and isinstance(raw[i], datetime):
                row[i] = raw[i].date().isoformat()
    return rows


def _in_merged_range(sheet: Sheet, error, position: Mapping[str, int]):
    """A "required but empty" error of a cell inside a merged range (not its first cell, which alone holds the
    value) says so, and how to unmerge."""
    column = position.get(error.column)
    if column is None or error.value or not sheet.merged:
        return error
    row = error.row - 1
    for (top, left), (bottom, right) in sheet.merged:
        if top <= row <= bottom and left <= column <= right and (row, column) != (top, left):
            cells = f"{column_letter(left)}{top + 1}:{column_letter(right)}{bottom + 1}"
            return replace(error, message=f"{error.message}: cell {column_letter(column)}{row + 1} is part of the "
                                          f"merged range {cells}, and only its first cell holds the value",
                           fix=f"Unmerge {cells} (Excel: Merge & Center > Unmerge Cells) and fill in every cell.")
    return error


def read_workbook(data: bytes, *, column_map: Mapping[str, str] | None = None, sheet: str | None = None,
                  max_rows: int | None = None) -> ImportReport:
    """Validate a workbook's registry sheet exactly as the same rows saved as CSV (see
    :func:`read_workbook_sheets`)."""
    return read_workbook_sheets(read_sheets(data, max_rows=max_rows), workbook_kind(data) or "xlsx",
                                column_map=column_map, sheet=sheet, max_rows=max_rows)


def read_workbook_sheets(sheets: Sequence[Sheet], kind: str = "xlsx", *, column_map: Mapping[str, str] | None = None,
                         sheet: str | None = None, max_rows: int | None = None) -> ImportReport:
    """Validate a workbook's registry sheet exactly as the same rows saved as CSV, naming sheet, row and column.

    Args:
        sheets: the workbook's sheets (:func:`read_sheets`); kind: "xlsx", "xls" or "ods".
        column_map: file column -> field, for headers the importer does not recognise.
        sheet: the sheet to read; by default the first one with the header.
        max_rows: the most data rows; ``None`` means the row limit.

    Raises:
        RegistryFileError: for an unusable workbook; MissingColumnsError (naming the sheet) for a header without
            every required column.
    """
    limit = row_limit() if max_rows is None else max_rows
    chosen, header_index = find_header(sheets, column_map, sheet)
    rows = chosen.text_rows(header_index)
    check_row_count(sum(1 for r in rows[1:] if any(c.strip() for c in r)), limit)
    notation = _typed_notation(chosen, header_index, column_map or {})
    if notation.decimal == COMMA:
        rows = _with_decimal_commas(chosen, header_index, rows)
    rows = _dates_of_datetimes(chosen, header_index, rows, column_map or {})
    formulas = sorted((row, column) for row, column in chosen.formulas if row > header_index)
    for row, _ in formulas:  # the row is reported below, not read without the formula's value
        rows[row - header_index] = [""] * len(rows[row - header_index])
    try:
        report = read_registry_text(sheet_as_csv(rows), source=kind, max_rows=limit, column_map=column_map,
                                    notation=notation)
    except MissingColumnsError as problem:
        raise MissingColumnsError(f"Sheet '{chosen.name}': {problem}", missing=problem.missing,
                                  columns=problem.columns, suggestions=problem.suggestions,
                                  unused=problem.unused) from None
    except RegistryFileError as problem:
        raise RegistryFileError(f"Sheet '{chosen.name}': {problem}") from None
    header = rows[0]
    position = {field: header.index(typed) for typed, field in report.column_mapping.items() if typed in header}

    def sheet_row(row: int) -> int:
        return header_index + row

    def where(error) -> str:
        column = position.get(error.column)
        cell = f"cell {column_letter(column)}{sheet_row(error.row)}" if column is not None else \
            f"row {sheet_row(error.row)}"
        return f"sheet '{chosen.name}', {cell}"

    report.errors = [_in_merged_range(chosen, replace(e, row=sheet_row(e.row), where=where(e)), position)
                     for e in report.errors]
    if formulas:
        fields = {column: field for field, column in position.items()}
        report.errors = sorted(report.errors + [RowError(
            row + 1, fields.get(column) or (header[column] if column < len(header) else column_letter(column)), "",
            f"cell {column_letter(column)}{row + 1} holds a formula without a computed value",
            "Open the file in Excel and save it: Excel saves each formula's value with it.",
            where=f"sheet '{chosen.name}', cell {column_letter(column)}{row + 1}") for row, column in formulas],
            key=lambda e: e.row)
        report.rows_read += len({row for row, _ in formulas})
    # One format name for every workbook (the --format choice); the encoding says which kind of workbook it was.
    report.format, report.sheet, report.encoding, report.delimiter = "xlsx", chosen.name, _WORKBOOK_KINDS[kind], ""
    if len(sheets) > 1:
        report.notes.append(f"Read the sheet '{chosen.name}' (of {len(sheets)}).")
    if chosen.hidden:
        report.notes.append(f"The sheet '{chosen.name}' is hidden in the workbook.")
    elif any(s.hidden for s in sheets):
        report.notes.append("Hidden sheets were not read: " + ", ".join(f"'{s.name}'" for s in sheets if s.hidden)
                            + ". Name one with --sheet (or choose it on the upload) to read it.")
    return report
