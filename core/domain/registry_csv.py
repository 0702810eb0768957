"""Reading the registry CSV: decoding, the exact record-by-record reader and the fast column-wise one."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence

from core.domain.gc_pause import without_gc_pauses
from core.domain.header_hints import missing_columns_message, suggest_columns
from core.domain.limits import check_row_count, check_upload_size, row_limit
from core.domain.registry import FIELD_DEFAULTS, Integration, integrations_from_columns
from core.domain.registry_cells import (_FIELD_PARSERS, MAX_ID_LENGTH, REQUIRED_COLUMNS, ImportReport, RowError,
    generate_id, header_key, match_header, parse_registry_row, unneutralise_cell)
from core.errors import MissingColumnsError, RegistryFileError

# What str.splitlines() splits on; runs of anything else are the file's non-empty lines.
_LINE_TEXT = re.compile(r"[^\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+")
# Whole-file refusals, from the bytes (decoding) or from the records (the exact reader).
_EMPTY_FILE = "The file is empty. Export the registry sheet as CSV and upload that file."
_BINARY_FILE = (
    "This is not a CSV text file (it contains binary data). "
    "In Excel or Google Sheets use File > Save as / Download > CSV."
)


# ----------------------------------------------------------------------------- decoding


def decode_registry_bytes(data: bytes) -> tuple[str, str]:
    """Decode a file as Excel or Google Sheets saved it; return (text, encoding name).

    >>> decode_registry_bytes("name\\n".encode("utf-8-sig"))
    ('name\\n', 'utf-8 (with BOM)')
    >>> decode_registry_bytes("Zoë".encode("cp1252"))[1]
    'windows-1252'

    Raises:
        RegistryFileError: for an empty or binary file.
    """
    if not data.strip():
        raise RegistryFileError(_EMPTY_FILE)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode Text" export. A cut-off last byte or a lone surrogate becomes U+FFFD.
        return data.decode("utf-16", errors="replace"), "utf-16"
    if b"\x00" in data[:4096]:
        raise RegistryFileError(_BINARY_FILE)
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8 (with BOM)"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _detect_delimiter(first_line: str) -> str:
    # The header line decides: Excel in many European locales writes ';', "Unicode text" writes tabs.
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


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
            report = _read_well_formed(data, "utf-8", _detect_delimiter(header_line), limit, columns)
    if report is not None:
        return report
    text, encoding = decode_registry_bytes(data)
    first_line = _first_line(text)
    delimiter = _detect_delimiter(first_line)
    # Small files: the record reader is faster than importing pandas and setting it up. A file that does not start
    # with its header (blank lines first) would number pandas' rows differently. UTF-8 files had their try above.
    if len(data) >= _FAST_READ_MIN_BYTES and text.startswith(first_line) and encoding != "utf-8":
        report = _read_well_formed(text, encoding, delimiter, limit, columns)
    return report if report is not None else _read_records(text, encoding, delimiter, limit, columns)


def read_registry_text(text: str, *, source: str, max_rows: int | None = None,
                       column_map: Mapping[str, str] | None = None) -> ImportReport:
    """Read a table that is already text, comma-separated, header first (a workbook's sheet written out as CSV):
    the same reading and report as :func:`read_registry_csv`, without the size check of an uploaded file.

    Args:
        text: the table as CSV text, starting with its header line.
        source: what the report names as the encoding (e.g. "xlsx").
        max_rows: as for :func:`read_registry_csv`; column_map: file column -> field.
    """
    limit = row_limit() if max_rows is None else max_rows
    report = None
    if len(text) >= _FAST_READ_MIN_BYTES and text.startswith(_first_line(text)):
        report = _read_well_formed(text, source, ",", limit, column_map)
    return report if report is not None else _read_records(text, source, ",", limit, column_map)


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


def _new_report(unknown: dict[int, str], mapping: dict[str, str], encoding: str, delimiter: str) -> ImportReport:
    return ImportReport(
        unknown_columns=list(unknown.values()), column_mapping=mapping, encoding=encoding,
        delimiter={"\t": "tab"}.get(delimiter, delimiter),
    )


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
            )]
        else:
            first_row_of_id[integration.id] = row
            report.accepted.append(integration)
    report.errors.extend(errors)


def check_required_columns(header: Sequence[str], found: Iterable[str]) -> None:
    """Refuse a header without every required column, naming the file's columns that probably mean the missing ones.

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
    suggestions = suggest_columns(cells, missing)
    if not found and len(suggestions) < 2:
        raise RegistryFileError(
            "No recognisable header in the first row. The first row must name the columns, e.g. "
            "name, source_system, target_system, data_objects, owner_team (see docs/registry-format.md)."
        )
    raise MissingColumnsError(missing_columns_message(missing, suggestions), missing=missing, columns=cells,
                              suggestions=suggestions)


def _read_records(text: str, encoding: str, delimiter: str, limit: int,
                  columns: Mapping[str, str] | None = None) -> ImportReport:
    """Read any file record by record with csv.reader: the reference behaviour for every message and row number."""
    # PostgreSQL cannot store NUL characters, and an export holding one would read back as binary.
    has_nul = "\x00" in text
    records = _csv_records(text, delimiter)
    header = next((cells for _, cells in records if any(c.strip() for c in cells)), None)
    if header is None:
        raise RegistryFileError(_EMPTY_FILE)
    if has_nul and any("\x00" in c for c in header):
        raise RegistryFileError(_BINARY_FILE)
    canonical, unknown, mapping = _map_header(header, columns)
    check_required_columns(header, canonical.values())
    report = _new_report(unknown, mapping, encoding, delimiter)
    first_row_of_id: dict[str, int] = {}
    width = len(header)
    for offset, cells in records:
        if not any(c.strip() for c in cells):
            continue  # blank lines between blocks are common in hand-kept sheets
        report.rows_read += 1
        check_row_count(report.rows_read, limit)
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            report.errors.append(RowError(
                offset, "(row)", delimiter.join(cells[width:]),
                f"the row has {len(cells)} values but the header has {width} columns",
                "Check for an unquoted comma or semicolon inside a value, or add a header for the extra column.",
            ))
            continue
        if has_nul and any("\x00" in c for c in cells):
            report.errors.append(RowError(offset, "(row)", "", "the row contains a NUL character (binary data)",
                                          _NUL_FIX))
            continue
        values, extra = _row_cells(cells, canonical, unknown)
        integration, errors = parse_registry_row(values, offset, extra)
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


def _distinct_values(column: str, texts: list[str]) -> tuple[list[object], list[int]]:
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
        if column == "id" and max(map(len, stripped), default=0) > MAX_ID_LENGTH:
            problems += [i for i, text in enumerate(stripped) if len(text) > MAX_ID_LENGTH]
        return [text or default for text in stripped], problems
    parser = _FIELD_PARSERS[column][0]
    values: list[object] = []
    for i, text in enumerate(stripped):
        try:
            values.append(parser(text) if text else default)
        except Exception:  # ValueFormatError, or a bug: parse_registry_row reports it, or raises it at its row
            values.append(None)
            problems.append(i)
    if column == "data_objects" and () in values:
        problems += [i for i, value in enumerate(values) if value == ()]
    return values, problems


# Tens of thousands of strings, tuples and dicts, none in a cycle: the collector would rescan them for nothing.
@without_gc_pauses()
def _read_well_formed(source: str | bytes, encoding: str, delimiter: str, limit: int,
                      column_map: Mapping[str, str] | None = None) -> ImportReport | None:
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
    problem = np.zeros(rows, bool)
    distinct_values: dict[str, tuple[object, list[object]]] = {}
    for pos, column in canonical.items():
        codes, texts = columns[pos]
        values, problems = _distinct_values(column, texts)
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

    report = _new_report(unknown, mapping, encoding, delimiter)
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
            integration, errors = parse_registry_row(values, k + 2, extra)
        else:
            integration, errors = next(ready), []
        _add_row(report, first_row_of_id, k + 2, integration, errors)
    return report
