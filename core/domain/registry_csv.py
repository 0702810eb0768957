"""Reading the registry CSV: the exact record-by-record reader and the fast column-wise one (bytes: csv_text)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace

from core.domain.csv_text import (BINARY_FILE, EMPTY_FILE, NOT_VALID, SAVE_AS_UTF8, decode_registry_bytes,
    detect_delimiter, looks_like_utf7)
from core.domain.gc_pause import without_gc_pauses
from core.domain.header_hints import missing_columns_message, suggest_columns, unused_columns
from core.domain.limits import check_header_size, check_row_count, check_upload_size, row_limit
from core.domain.registry import FIELD_DEFAULTS, Integration, integrations_from_columns
from core.domain.numbers import Notation, detect_notation
from core.domain.registry_cells import (_FIELD_PARSERS, MAX_TEXT_LENGTHS, NOTATION_COLUMNS, NUMBER_COLUMNS,
    REQUIRED_COLUMNS, BOTH_ORDERS, DAY_FIRST, slash_date_order,
    ImportReport, RowError, column_letter, generate_id, header_key, match_header, parse_registry_row,
    unneutralise_cell)
from core.errors import MissingColumnsError, RegistryFileError
from core.wording import natural_list

# What str.splitlines() splits on; runs of anything else are the file's non-empty lines.
_LINE_TEXT = re.compile(r"[^\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+")


# ----------------------------------------------------------------------------- reading


def _map_header(
    header: list[str], columns: Mapping[str, str] | None = None
) -> tuple[dict[int, str], dict[int, str], dict[str, str]]:
    """Split header positions into canonical columns and unknown (kept) columns.

    ``columns`` (file column -> field, from ``--map`` or the upload's mapping step) comes first: a column the
    header would match to a field the mapping gives to another column is kept as an extra column instead.
    """
    present = {header_key(unneutralise_cell(c.strip())) for c in header}
    columns = {key: v for k, v in (columns or {}).items() if (key := header_key(k)) in present}
    mapped_fields = set(columns.values())  # only columns this header has: a map may be remembered from another file
    canonical: dict[int, str] = {}
    unknown: dict[int, str] = {}
    mapping: dict[str, str] = {}
    seen: dict[str, str] = {}
    for position, cell in enumerate(header):
        text = unneutralise_cell(cell.strip()).strip()
        if not text:
            continue
        column = columns.get(header_key(text))
        if column is None:
            column = match_header(text)
            if column in mapped_fields:
                column = None
        if column is None:
            unknown[position] = text
            continue
        if column in seen:
            raise RegistryFileError(
                f"The header has two columns meaning {column}: '{seen[column]}' and '{text}'. Keep only one of them."
            )
        seen[column] = text
        canonical[position] = column
        mapping[text] = column
    return canonical, unknown, mapping


def _headerless_columns_note(header: Sequence[str], canonical: dict[int, str], unknown: dict[int, str],
                             has_values: Callable[[int], bool]) -> list[str]:
    """The note on columns that hold values under an empty header cell: nothing names them, so they are not read.

    >>> _headerless_columns_note(["id", "", ""], {0: "id"}, {}, lambda position: position == 1)
    ['Column 2 (B) has no header; its values were not read. Give it a header to keep it.']
    """
    positions = [p for p in range(len(header)) if p not in canonical and p not in unknown and has_values(p)]
    if not positions:
        return []
    named = natural_list([f"{p + 1} ({column_letter(p)})" for p in positions], limit=10, noun="more")
    if len(positions) == 1:
        return [f"Column {named} has no header; its values were not read. Give it a header to keep it."]
    return [f"Columns {named} have no header; their values were not read. Give each a header to keep it."]


def _first_line(text: str) -> str:
    """The first line with something on it, found without splitting the whole file into lines."""
    return next((m.group() for m in _LINE_TEXT.finditer(text) if m.group().strip()), "")


def _csv_records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(spreadsheet row number, cells) of each record, one at a time; CSV errors become plain messages."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    row_number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as problem:
            if "field larger than field limit" in str(problem):
                raise RegistryFileError(
                    f"Row {row_number + 1} has a value longer than {csv.field_size_limit():,} characters, "
                    "more than a cell can hold. Shorten it, or look for a quote mark (\") that is opened "
                    "but never closed, which runs the rest of the file into one cell."
                ) from None
            raise RegistryFileError(f"The file could not be read as CSV ({problem}). Save it again as CSV.") from None
        row_number += 1
        yield row_number, cells


_NUL_FIX = "Retype the row, or save the sheet again as CSV: it holds a hidden binary character."
_SHOWN_CHARS = 200  # of a value quoted in a row error: a row of a million extra cells is not quoted whole


def _shown(value: str) -> str:
    return value if len(value) <= _SHOWN_CHARS else value[:_SHOWN_CHARS - 1] + "…"


def _stray_byte_errors(row: int, cells: list[str], header: list[str], canonical: dict[int, str],
                       unknown: dict[int, str], encoding: str) -> list[RowError]:
    """One error per cell of a row holding bytes that were not valid in the file's encoding (read as U+FFFD)."""
    return [RowError(row, canonical.get(position) or unknown.get(position) or f"column {position + 1}",
                     _shown(cell.strip()),
                     f"has characters that are not valid {encoding.split(' ')[0].upper()} (shown as \ufffd)",
                     "Retype the characters shown as \ufffd in the sheet, then save it again as CSV UTF-8.")
            for position, cell in enumerate(cells) if NOT_VALID in cell]


def read_registry_csv(data: bytes, *, max_rows: int | None = None,
                      columns: Mapping[str, str] | None = None) -> ImportReport:
    """Parse and validate a registry file; nothing is written anywhere.

    >>> report = read_registry_csv(b"Integration Name,Source,Destination,Objects,Team\\n"
    ...                            b"Quote sync,SFDC,Stripe,Quote,Sales Ops\\n")
    >>> report.accepted[0].id, report.accepted[0].source_system, report.errors
    ('INT-quote-sync', 'SFDC', [])

    A well-formed file of 64 KiB or more is split into cells by pandas' C parser and checked column by column; any
    other file, and every row with a problem, goes through the record-by-record reader. The report is the same.

    Args:
        data: the file's bytes (UTF-8 with or without BOM, Windows-1252 or UTF-16; ``,`` ``;`` or tab).
        max_rows: the most data rows accepted; ``None`` means :func:`core.domain.limits.row_limit`. Reading
            stops at the first row over it.
        columns: file column -> registry field, for headers the importer does not recognise by itself.

    Returns:
        The import report: accepted rows, and one :class:`RowError` per problem.

    Raises:
        RegistryFileError: when the file as a whole is unusable (empty, binary, no header,
            larger than the upload limit or longer than the row limit).
        MissingColumnsError: when required columns are missing, with the file's columns that probably mean them.
    """
    check_upload_size(len(data))
    limit = row_limit() if max_rows is None else max_rows
    report = None
    if len(data) >= _FAST_READ_MIN_BYTES:
        header_line = _plain_utf8_header_line(data)
        if header_line is not None:  # pandas decodes the bytes itself, and refuses any that are not UTF-8
            delimiter = detect_delimiter(header_line)
            check_header_size(header_line, delimiter)
            if not _ascii_utf7(data):
                report = _read_well_formed(data, "utf-8", delimiter, limit, columns)
    if report is not None:
        return report
    text, encoding = decode_registry_bytes(data)
    first_line = _first_line(text)
    delimiter = detect_delimiter(first_line)
    check_header_size(first_line, delimiter)
    # Small files: the record reader is faster than importing pandas and setting it up. A file that does not start
    # with its header (blank lines first) would number pandas' rows differently. UTF-8 files had their try above;
    # bytes that were not valid in the file's encoding are reported by the record reader, row by row.
    if len(data) >= _FAST_READ_MIN_BYTES and text.startswith(first_line) and encoding != "utf-8" \
            and NOT_VALID not in text:
        report = _read_well_formed(text, encoding, delimiter, limit, columns)
    return report if report is not None else _read_records(text, encoding, delimiter, limit, columns)


def read_registry_text(text: str, *, source: str, max_rows: int | None = None,
                       column_map: Mapping[str, str] | None = None, notation: Notation | None = None) -> ImportReport:
    """Read a table that is already text, comma-separated, header first (a workbook's sheet written out as CSV):
    the same reading and report as :func:`read_registry_csv`, without the size check of an uploaded file.

    Args:
        text: the table as CSV text, starting with its header line.
        source: what the report names as the encoding (e.g. "xlsx").
        max_rows: as for :func:`read_registry_csv`; column_map: file column -> field.
        notation: how the numbers are written, when the caller knows (a workbook's typed numbers are written out
            in the notation its text cells show); ``None``: detected from the text.
    """
    limit = row_limit() if max_rows is None else max_rows
    report = None
    if len(text) >= _FAST_READ_MIN_BYTES and text.startswith(_first_line(text)):
        report = _read_well_formed(text, source, ",", limit, column_map, notation)
    return report if report is not None else _read_records(text, source, ",", limit, column_map, notation)


def _ascii_utf7(data: bytes) -> bool:
    # UTF-7 is plain ASCII to pandas: look before it reads the file as UTF-8 (decode_registry_bytes refuses it).
    return b"+" in data and data.isascii() and looks_like_utf7(data.decode("ascii"))


def _plain_utf8_header_line(data: bytes) -> str | None:
    """The header of a file that may be plain UTF-8 (no byte-order mark, no NUL byte) and starts with its header
    line, else ``None``. The rest of the file is not decoded: for a large file that would cost as much as a third
    of reading it with pandas, which checks the bytes anyway."""
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        return None
    try:
        head = _FIRST_BYTES_LINE.match(data).group().decode("utf-8")
    except UnicodeDecodeError:
        return None
    # The first line with something on it, as _first_line finds it in the whole text: it must be the first line.
    first_line = _first_line(head)
    return first_line if first_line and head.startswith(first_line) else None


_FIRST_BYTES_LINE = re.compile(rb"[^\r\n]*")


def _new_report(unknown: dict[int, str], mapping: dict[str, str], encoding: str, delimiter: str,
                notation: Notation) -> ImportReport:
    report = ImportReport(
        unknown_columns=list(unknown.values()), column_mapping=mapping, encoding=encoding,
        delimiter={"\t": "tab"}.get(delimiter, delimiter),
    )
    if notation.decided_by or notation.mixed:
        report.decimal = notation.decimal
        report.notes.append(notation.describe())
    if notation.slash_dates == DAY_FIRST:
        report.notes.append(f"Dates with slashes read as day/month/year (as in '{notation.slash_example}').")
    elif notation.slash_dates == BOTH_ORDERS:
        report.notes.append(f"Dates with slashes are written both day/month and month/day (as in "
                            f"{notation.slash_example}): those that read both ways are refused.")
    return report


def _file_notation(number_texts: Iterable[Iterable[str]], date_texts: list[str], delimiter: str,
                   given: Notation | None) -> Notation:
    """The notation given by the caller, or the one the number columns' distinct texts (in column order, each in
    order of first appearance: both readers see the same) show; with the order of the date column's slash dates."""
    notation = given if given is not None else detect_notation(
        (text for texts in number_texts for text in texts), delimiter)
    if "/" not in "".join(date_texts):  # ISO dates, the common case: no look at each cell
        return notation
    order, example = slash_date_order(date_texts)
    return replace(notation, slash_dates=order, slash_example=example) if order else notation


def _swallowed_rows(cells: list[str], delimiter: str, width: int) -> bool:
    """Whether a short record has a cell holding whole rows of the file: a quote mark opened and never closed."""
    return any(line.count(delimiter) >= width - 1 for cell in cells if "\n" in cell or "\r" in cell
               for line in cell.splitlines()[1:])


def _row_cells(
    cells: list[str], canonical: dict[int, str], unknown: dict[int, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """One record's canonical cells (missing ones empty) and its non-empty unknown-column cells."""
    values = {column: cells[pos] if pos < len(cells) else "" for pos, column in canonical.items()}
    extra = {name: unneutralise_cell(cells[pos].strip()).strip() for pos, name in unknown.items()
             if pos < len(cells) and cells[pos].strip()}
    return values, extra


def _add_row(report: ImportReport, first_row_of_id: dict[str, int], row: int,
             integration: Integration | None, errors: list[RowError]) -> None:
    """Record one validated row: accepted unless it repeats the id of an earlier accepted row."""
    if integration is not None:
        earlier = first_row_of_id.get(integration.id)
        if earlier is not None:
            errors = [RowError(
                row, "id", integration.id,
                f"duplicate id {integration.id}: row {row} repeats the id of row {earlier}",
                f"Give this row its own id, or delete it if it is the same integration as row {earlier}.",
                row_id=integration.id, row_name=integration.name,
            )]
        else:
            first_row_of_id[integration.id] = row
            report.accepted.append(integration)
    report.errors.extend(errors)


def check_required_columns(header: Sequence[str], found: Iterable[str], unused: Iterable[str] | None = None) -> None:
    """Refuse a header without every required column, naming the file's columns that probably mean the missing ones
    and, for a field no column looks like, the columns not used.

    Args:
        header: the header row as read; found: the fields its columns were read as.
        unused: the header's columns not read as any field; ``None``: every column no header name matches.

    Raises:
        RegistryFileError: when no column at all is recognised and nothing looks like a required one.
        MissingColumnsError: when required columns are missing (``suggestions`` may be empty).
    """
    found = set(found)
    missing = [c for c in REQUIRED_COLUMNS if c not in found]
    if not missing:
        return
    cells = [unneutralise_cell(c.strip()).strip() for c in header]
    cells = [c for c in cells if c]
    free = [c for c in cells if match_header(c) is None] if unused is None else list(unused)
    suggestions = suggest_columns(free, missing)
    if not found and len(suggestions) < 2:
        raise RegistryFileError(
            "No recognisable header in the first row. The first row must name the columns, e.g. "
            "name, source_system, target_system, data_objects, owner_team (see docs/registry-format.md)."
        )
    left = unused_columns(suggestions, free)
    raise MissingColumnsError(missing_columns_message(missing, suggestions, left), missing=missing, columns=cells,
                              suggestions=suggestions, unused=left)


def _read_records(text: str, encoding: str, delimiter: str, limit: int,
                  columns: Mapping[str, str] | None = None, notation: Notation | None = None) -> ImportReport:
    """Read any file record by record with csv.reader: the reference behaviour for every message and row number."""
    # PostgreSQL cannot store NUL characters, and an export holding one would read back as binary.
    has_nul = "\x00" in text
    has_stray_bytes = NOT_VALID in text
    records = _csv_records(text, delimiter)
    header = next((cells for _, cells in records if any(c.strip() for c in cells)), None)
    if header is None:
        raise RegistryFileError(EMPTY_FILE)
    if has_nul and any("\x00" in c for c in header):
        raise RegistryFileError(BINARY_FILE)
    if has_stray_bytes and any(NOT_VALID in c for c in header):
        raise RegistryFileError(f"The header (the first row) has characters that are not valid {encoding}, shown as "
                                f"\ufffd: {', '.join(c.strip() for c in header if NOT_VALID in c)}. Retype them in "
                                f"the sheet, then save it again as CSV. " + SAVE_AS_UTF8)
    canonical, unknown, mapping = _map_header(header, columns)
    check_required_columns(header, canonical.values(), unknown.values())
    rows: list[tuple[int, list[str]]] = []  # up to the first row over the limit, where reading stops
    filled = 0
    for offset, cells in records:
        rows.append((offset, cells))
        filled += any(c.strip() for c in cells)
        if filled > limit:
            break
    numbers = [pos for pos, column in sorted(canonical.items()) if column in NUMBER_COLUMNS]
    dates = [cells[pos] for pos, column in canonical.items() if column == "launched_on" for _, cells in rows
             if pos < len(cells)]
    notation = _file_notation(
        (dict.fromkeys(cells[pos] for _, cells in rows if pos < len(cells)) for pos in numbers), dates, delimiter,
        notation)
    report = _new_report(unknown, mapping, encoding, delimiter, notation)
    report.notes += _headerless_columns_note(
        header, canonical, unknown, lambda p: any(p < len(cells) and cells[p].strip() for _, cells in rows))
    first_row_of_id: dict[str, int] = {}
    width = len(header)
    for offset, cells in rows:
        if not any(c.strip() for c in cells):
            continue  # blank lines between blocks are common in hand-kept sheets
        report.rows_read += 1
        check_row_count(report.rows_read, limit)
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            report.errors.append(RowError(
                offset, "(row)", _shown(delimiter.join(cells[width:])),
                f"the row has {len(cells)} values but the header has {width} columns",
                "Check for an unquoted comma or semicolon inside a value, or add a header for the extra column.",
            ))
            continue
        if len(cells) < width and _swallowed_rows(cells, delimiter, width):
            report.errors.append(RowError(
                offset, "(row)", _shown(next(c for c in cells if "\n" in c or "\r" in c)),
                f"the row has {len(cells)} values but the header has {width} columns, and one value runs over "
                "several lines that look like rows",
                "Look for a quote mark (\") that is opened but never closed: it runs the rows after it into one cell."))
            continue
        if has_nul and any("\x00" in c for c in cells):
            report.errors.append(RowError(offset, "(row)", "", "the row contains a NUL character (binary data)",
                                          _NUL_FIX))
            continue
        if has_stray_bytes and any(NOT_VALID in c for c in cells):
            report.errors.extend(_stray_byte_errors(offset, cells, header, canonical, unknown, encoding))
            continue
        values, extra = _row_cells(cells, canonical, unknown)
        integration, errors = parse_registry_row(values, offset, extra, notation)
        _add_row(report, first_row_of_id, offset, integration, errors)
    return report


# ----------------------------------------------------------------------------- reading well-formed files fast

# pandas' C parser splits records as csv.reader does (quotes, line ends, blank lines, short rows padded with empty
# cells; tests/unit/test_registry_csv_fast_path.py compares the two) at a fraction of the cost. header=None keeps
# the header row in the data, so a column under a worded header stays text; blank lines stay rows, so row numbers
# match; low_memory=False reads the rows in one piece, so no later piece is guessed to be numbers.
_PANDAS_OPTIONS = dict(header=None, index_col=False, na_filter=False, keep_default_na=False, skip_blank_lines=False,
                       low_memory=False, engine="c")
_FAST_READ_MIN_BYTES = 64 * 1024  # about 250 rows; the column reader costs about 5 ms more per file
_NO_ID = object()  # an empty id cell: made from the name, row by row


def _distinct_values(column: str, texts: list[str], notation: Notation) -> tuple[list[object], list[int]]:
    """The value each distinct text of a canonical column gives a valid row, and the positions of the texts
    parse_registry_row must see itself (errors, and quoted cells, which it unquotes before anything else)."""
    stripped = list(map(str.strip, texts))
    problems = []
    # One search of the joined texts first: a quoted text is rare, and looking at each one in Python is slow.
    if "\n'" in "\n" + "\n".join(stripped):
        problems += [i for i, text in enumerate(stripped) if text[:1] == "'"]
    if column in REQUIRED_COLUMNS and "" in stripped:
        problems += [i for i, text in enumerate(stripped) if not text]
    default = _NO_ID if column == "id" else FIELD_DEFAULTS.get(column)
    if column not in _FIELD_PARSERS:  # a text column: the stripped text, or the default when empty
        longest = MAX_TEXT_LENGTHS.get(column)
        if longest is not None and max(map(len, stripped), default=0) > longest:
            problems += [i for i, text in enumerate(stripped) if len(text) > longest]
        return [text or default for text in stripped], problems
    parser = _FIELD_PARSERS[column][0]
    values: list[object] = []
    for i, text in enumerate(stripped):
        try:
            values.append((parser(text, notation) if column in NOTATION_COLUMNS else parser(text)) if text else default)
        except Exception:  # ValueFormatError, or a bug: parse_registry_row reports it, or raises it at its row
            values.append(None)
            problems.append(i)
    if column == "data_objects" and () in values:
        problems += [i for i, value in enumerate(values) if value == ()]
    return values, problems


# Tens of thousands of strings, tuples and dicts, none in a cycle: the collector would rescan them for nothing.
@without_gc_pauses()
def _read_well_formed(source: str | bytes, encoding: str, delimiter: str, limit: int,
                      column_map: Mapping[str, str] | None = None,
                      notation: Notation | None = None) -> ImportReport | None:
    """The import report of a well-formed file, or ``None`` when the file needs :func:`_read_records`.

    Each column's distinct cell texts are parsed once, with the per-cell parsers parse_registry_row uses; rows with
    any problem go through parse_registry_row itself. Files pandas refuses (ragged rows, an unclosed quote) or that
    csv.reader reads differently (NUL characters, a second BOM, cells over its size limit) get ``None``, as do
    headers the exact reader refuses, so it raises its own message. The caller makes sure the header is the
    first line of the text.

    Args:
        source: the decoded file, or the bytes of a file with no byte-order mark and no NUL byte, which pandas
            reads as UTF-8 (a file that is not UTF-8 gets ``None``).
        encoding, delimiter: as detected; limit: the row limit.
    """
    if isinstance(source, str) and ("\x00" in source or source[:1] == "\ufeff"):
        return None
    import numpy as np
    import pandas as pd  # imported here: only this path needs them, and `igov` starts faster without

    try:
        frame = pd.read_csv(io.BytesIO(source) if isinstance(source, bytes) else io.StringIO(source), sep=delimiter,
                            nrows=limit + 2, encoding="utf-8", encoding_errors="strict", **_PANDAS_OPTIONS)
    except ValueError:  # pandas' ParserError and UnicodeDecodeError: the exact reader explains the problem
        return None
    if not all(isinstance(dtype, pd.StringDtype) for dtype in frame.dtypes):
        return None  # numbers or true/false down to the header: the exact reader keeps them as text
    header = frame.iloc[0].tolist()
    # Per column, the code of each data row and the distinct texts: each text becomes a Python string once.
    factorized = (frame[c].array[1:].factorize() for c in frame.columns)
    columns = [(codes, distinct.tolist()) for codes, distinct in factorized]
    size_limit = csv.field_size_limit()
    if any(max(map(len, texts), default=0) > size_limit for texts in [header, *(texts for _, texts in columns)]):
        return None
    if not any(cell.strip() for cell in header):
        return None
    # Cells holding whole rows (a quote mark never closed): the exact reader explains them. One search per column.
    if any(("\n" in joined or "\r" in joined) and _swallowed_rows(texts, delimiter, len(header))
           for joined, texts in (("".join(texts), texts) for _, texts in columns)):
        return None
    try:
        canonical, unknown, mapping = _map_header(header, column_map)
    except RegistryFileError:
        return None
    position = {column: pos for pos, column in canonical.items()}
    if any(column not in position for column in REQUIRED_COLUMNS):
        return None
    rows = len(frame) - 1  # data rows; row k is the file's row k + 2

    # A blank row (skipped, not counted) has blank required cells: look for them in the required column with
    # the fewest distinct texts, then check the whole row.
    codes, texts = min((columns[position[c]] for c in REQUIRED_COLUMNS), key=lambda column: len(column[1]))
    empty = np.fromiter((not t.strip() for t in texts), bool, len(texts))
    blank = {k for k in np.flatnonzero(empty[codes]).tolist()
             if all(not cells[row_codes[k]].strip() for row_codes, cells in columns)}
    check_row_count(rows - len(blank), limit)  # past the limit it raises, as the exact reader does at that row
    if rows == limit + 1:
        return None  # blank rows within the first limit + 1 rows, and more rows may follow

    # Each canonical column: its distinct texts parsed once, then a problem flag and a value per row.
    notation = _file_notation((columns[pos][1] for pos, column in sorted(canonical.items())
                               if column in NUMBER_COLUMNS),
                              columns[position["launched_on"]][1] if "launched_on" in position else [], delimiter,
                              notation)
    problem = np.zeros(rows, bool)
    distinct_values: dict[str, tuple[object, list[object]]] = {}
    for pos, column in canonical.items():
        codes, texts = columns[pos]
        values, problems = _distinct_values(column, texts, notation)
        if problems:
            problem |= np.isin(codes, problems)
        distinct_values[column] = (codes, values)
    good = np.flatnonzero(~problem)
    value_columns: dict[str, list[object]] = {}
    for column, (codes, values) in distinct_values.items():
        if len(good) == len(values) == rows:
            value_columns[column] = values  # every row valid and different: the codes are 0, 1, 2, ...
        else:  # fromiter keeps each tuple value whole (np.array would make a 2-D array of them)
            value_columns[column] = np.fromiter(values, object, len(values))[codes[good]].tolist()
    if "id" not in value_columns or _NO_ID in distinct_values["id"][1]:
        ids = value_columns.get("id", [_NO_ID] * len(good))
        value_columns["id"] = [generate_id(name) if id_ is _NO_ID else id_
                               for id_, name in zip(ids, value_columns["name"])]
    extras: list[dict[str, str]] = [{} for _ in range(len(good))]
    for pos, name in unknown.items():
        codes, texts = columns[pos]
        kept = [unneutralise_cell(t.strip()).strip() if t.strip() else None for t in texts]
        for extra, value in zip(extras, np.fromiter(kept, object, len(kept))[codes[good]].tolist()):
            if value is not None:
                extra[name] = value
    built = integrations_from_columns({**value_columns, "extra": extras})

    report = _new_report(unknown, mapping, encoding, delimiter, notation)
    report.notes += _headerless_columns_note(header, canonical, unknown,
                                             lambda p: any(text.strip() for text in columns[p][1]))
    report.rows_read = rows - len(blank)
    if len(built) == rows and len(set(value_columns["id"])) == rows:
        report.accepted = built  # every row valid, every id new: the usual file
        return report
    # Otherwise row by row in file order, as the exact reader goes: problem rows through parse_registry_row, and
    # the duplicate-id check on every valid row.
    first_row_of_id: dict[str, int] = {}
    ready = iter(built)
    for k, has_problem in enumerate(problem.tolist()):
        if k in blank:
            continue
        if has_problem:
            values, extra = _row_cells([cells[row_codes[k]] for row_codes, cells in columns], canonical, unknown)
            integration, errors = parse_registry_row(values, k + 2, extra, notation)
        else:
            integration, errors = next(ready), []
        _add_row(report, first_row_of_id, k + 2, integration, errors)
    return report
