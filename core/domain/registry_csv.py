"""Reading and writing the registry CSV: header matching, per-cell validation, the import report."""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from functools import lru_cache

from core.domain.gc_pause import without_gc_pauses
from core.domain.limits import check_row_count, check_upload_size, row_limit
from core.domain.ranges import Range, format_range, parse_range
from core.domain.registry import (
    FIELD_DEFAULTS,
    Approach,
    Complexity,
    Direction,
    Integration,
    Status,
    Tier,
    Timeliness,
    integrations_from_columns,
)
from core.errors import RegistryFileError, ValueFormatError

# The canonical columns, in the order export writes them (docs/registry-format.md documents each).
CANONICAL_COLUMNS: tuple[str, ...] = (
    "id", "name", "source_system", "target_system", "data_objects", "owner_team", "owner",
    "consumers", "direction", "approach", "tier", "timeliness", "status", "complexity",
    "build_hours", "monthly_maintenance_hours", "hourly_rate", "monthly_tool_cost",
    "reconciliations_per_month", "reconciliation_hours", "people_touching",
    "has_monitoring", "has_retry", "has_audit_trail", "source_of_truth_defined", "documented",
    "launched_on", "notes",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("name", "source_system", "target_system", "data_objects", "owner_team")

# Header spellings people really use, beyond the canonical names. Keys are compared after
# header_key() (case, spaces, '-', '_' and punctuation ignored). The one list of header aliases.
HEADER_ALIASES: dict[str, str] = {
    "integrationname": "name",
    "integration": "name",
    "source": "source_system",
    "from": "source_system",
    "sourcesystem": "source_system",
    "fromsystem": "source_system",
    "target": "target_system",
    "destination": "target_system",
    "to": "target_system",
    "targetsystem": "target_system",
    "destinationsystem": "target_system",
    "tosystem": "target_system",
    "objects": "data_objects",
    "dataobjects": "data_objects",
    "team": "owner_team",
    "ownerteam": "owner_team",
    "owningteam": "owner_team",
    "accountable": "owner",
    "maintenancehoursmonth": "monthly_maintenance_hours",
    "maintenancehourspermonth": "monthly_maintenance_hours",
    "maintenancehours": "monthly_maintenance_hours",
    "buildeffort": "build_hours",
    "buildhours": "build_hours",
    "rate": "hourly_rate",
    "toolcost": "monthly_tool_cost",
    "monthlytoolcost": "monthly_tool_cost",
    "toolcostmonth": "monthly_tool_cost",
    "reconciliationsmonth": "reconciliations_per_month",
    "people": "people_touching",
    "launched": "launched_on",
    "launchdate": "launched_on",
}

_YES = frozenset({"yes", "y", "true", "t", "1"})
_NO = frozenset({"no", "n", "false", "f", "0"})
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%Y/%m/%d", "%d-%b-%Y")
_LIST_SPLIT = re.compile(r"[;|]")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
# What str.splitlines() splits on; runs of anything else are the file's non-empty lines.
_LINE_TEXT = re.compile(r"[^\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+")
# Apostrophes before a leading = + - @ tab or CR: how core.domain.safe_export (and a spreadsheet user) keeps a cell from
# running as a formula. Dropped on reading, so no stored value starts like that and both exports read back the same.
_NEUTRALISED = re.compile(r"'+(?=[=+\-@\t\r])")
MAX_ID_LENGTH = 64


def header_key(header: str) -> str:
    """The comparison key of a header cell: case, spaces, dashes, underscores and punctuation dropped.

    >>> header_key("  Maintenance hours/month "), header_key("owner_team")
    ('maintenancehoursmonth', 'ownerteam')
    """
    return _NON_ALNUM.sub("", header.strip().lower())


_CANONICAL_BY_KEY = {header_key(c): c for c in CANONICAL_COLUMNS} | HEADER_ALIASES


def match_header(header: str) -> str | None:
    """The canonical column a header cell means, or ``None`` when unknown.

    >>> match_header("Integration Name"), match_header("Destination"), match_header("Slack channel")
    ('name', 'target_system', None)
    """
    return _CANONICAL_BY_KEY.get(header_key(header))


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in one cell, addressed the way the spreadsheet shows it (header = row 1)."""

    row: int
    column: str
    value: str
    message: str
    fix: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message, "fix": self.fix}


@dataclass(slots=True)
class ImportReport:
    """What a file would bring into the registry, and every problem found, before anything is written."""

    accepted: list[Integration] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows_read: int = 0
    unknown_columns: list[str] = field(default_factory=list)
    column_mapping: dict[str, str] = field(default_factory=dict)  # header as typed -> canonical
    encoding: str = "utf-8"
    delimiter: str = ","

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors})

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        """The JSON shape ``igov validate --json`` prints."""
        return {"accepted": len(self.accepted), "errors": [e.as_dict() for e in self.errors]}


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
        raise RegistryFileError("The file is empty. Export the registry sheet as CSV and upload that file.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode Text" export. A cut-off last byte or a lone surrogate becomes U+FFFD.
        return data.decode("utf-16", errors="replace"), "utf-16"
    if b"\x00" in data[:4096]:
        raise RegistryFileError(
            "This is not a CSV text file (it contains binary data). "
            "In Excel or Google Sheets use File > Save as / Download > CSV."
        )
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


# ----------------------------------------------------------------------------- cell parsers
# Each returns the typed value or raises ValueFormatError(message); the caller adds row/column/fix.
# lru_cache: registries repeat the same cell values (systems, teams, "2-3", "yes") thousands of times.


@lru_cache(maxsize=65536)
def parse_list(text: str) -> tuple[str, ...]:
    """Split a list cell on ``;`` or ``|``, dropping blanks and exact repeats.

    >>> parse_list("Opportunity; Account | Opportunity ;")
    ('Opportunity', 'Account')
    """
    seen: dict[str, None] = {}
    for part in _LIST_SPLIT.split(text):
        item = part.strip()
        if item:
            seen.setdefault(item, None)
    return tuple(seen)


@lru_cache(maxsize=65536)
def parse_yes_no(text: str) -> bool | None:
    """Read yes/no/true/false/y/n/1/0; empty means unknown.

    >>> parse_yes_no("Yes"), parse_yes_no(""), parse_yes_no("0")
    (True, None, False)
    """
    value = text.strip().lower()
    if not value:
        return None
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise ValueFormatError(f"'{text.strip()}' is not yes or no")


@lru_cache(maxsize=65536)
def parse_date(text: str) -> date:
    """Read ISO and common spreadsheet date formats (``03/01/2024`` is US month/day).

    >>> parse_date("2024-03-01"), parse_date("1 Mar 2024"), parse_date("01.03.2024")
    (datetime.date(2024, 3, 1), datetime.date(2024, 3, 1), datetime.date(2024, 3, 1))
    """
    value = text.strip()
    # Spreadsheets often append a midnight time to dates.
    value = re.sub(r"[ T]00:00(:00)?$", "", value)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueFormatError(f"'{text.strip()}' is not a date")


def _enum_key(text: str) -> str:
    return re.sub(r"[\s_]+", "-", text.strip().lower())


@lru_cache(maxsize=4096)
def parse_choice(enum_type: type[StrEnum], text: str) -> StrEnum:
    """Read an allowed value, forgiving case, spaces and underscores.

    >>> parse_choice(Timeliness, "Near real time").value
    'near-real-time'
    """
    key = _enum_key(text)
    for member in enum_type:
        if key == member.value or key.replace("-", "") == member.value.replace("-", ""):
            return member
    allowed = ", ".join(m.value for m in enum_type)
    raise ValueFormatError(f"'{text.strip()}' is not an allowed value (allowed: {allowed})")


def _finite(value: Range, text: str) -> Range:
    # 400 digits parse as infinity, which no export can write back and no cost sum survives.
    if not math.isfinite(value.high):
        raise ValueFormatError(f"'{text.strip()}' is too large a number")
    return value


@lru_cache(maxsize=65536)
def _parse_hours(text: str) -> Range:
    return _finite(parse_range(text), text)


@lru_cache(maxsize=65536)
def _parse_money(text: str) -> Range:
    return _finite(parse_range(text, money=True), text)


_HOURS_FIX = "Write a number of hours, a range like 2-3, or low/likely/high like 2/2.5/3."
_MONEY_FIX = "Write an amount like 1200 or $1,200, or a range like $150-$180."
_COUNT_FIX = "Write a number of 0 or more, or a range like 2-4."
_BOOL_FIX = "Write yes or no, or leave it empty if unknown."
_DATE_FIX = "Write the date as YYYY-MM-DD, e.g. 2024-03-01."

# column -> (parser, fix); parsers take the stripped, non-empty cell text.
_FIELD_PARSERS: dict[str, tuple[Callable[[str], object], str]] = {
    "data_objects": (parse_list, "List the objects separated by ';', e.g. Opportunity; Account."),
    "consumers": (parse_list, "List consumers separated by ';'."),
    "direction": (lambda t: parse_choice(Direction, t), "Use one-way or bidirectional."),
    "approach": (lambda t: parse_choice(Approach, t), "Use one of the listed approaches, or leave it empty."),
    "tier": (lambda t: parse_choice(Tier, t), "Use one of the listed tiers, or leave it empty."),
    "timeliness": (lambda t: parse_choice(Timeliness, t), "Use one of the listed values, or leave it empty."),
    "status": (lambda t: parse_choice(Status, t), "Use one of the listed statuses (empty means live)."),
    "complexity": (lambda t: parse_choice(Complexity, t), "Use one of the listed categories, or leave it empty to derive it."),
    "build_hours": (_parse_hours, _HOURS_FIX),
    "monthly_maintenance_hours": (_parse_hours, _HOURS_FIX),
    "hourly_rate": (_parse_money, _MONEY_FIX),
    "monthly_tool_cost": (_parse_money, _MONEY_FIX),
    "reconciliations_per_month": (_parse_hours, _COUNT_FIX),
    "reconciliation_hours": (_parse_hours, _HOURS_FIX),
    "people_touching": (_parse_hours, _COUNT_FIX),
    "has_monitoring": (parse_yes_no, _BOOL_FIX),
    "has_retry": (parse_yes_no, _BOOL_FIX),
    "has_audit_trail": (parse_yes_no, _BOOL_FIX),
    "source_of_truth_defined": (parse_yes_no, _BOOL_FIX),
    "documented": (parse_yes_no, _BOOL_FIX),
    "launched_on": (parse_date, _DATE_FIX),
}
_TEXT_FIELDS = ("id", "name", "source_system", "target_system", "owner_team", "owner", "notes")


def generate_id(name: str) -> str:
    """A readable, stable id for a row that has none, made from its name.

    >>> generate_id("SFDC → Stripe opportunity sync")
    'INT-sfdc-stripe-opportunity-sync'
    """
    slug = re.sub(r"[^0-9a-z]+", "-", name.lower()).strip("-")
    return f"INT-{slug[: MAX_ID_LENGTH - 4] or 'unnamed'}"


def unneutralise_cell(text: str) -> str:
    """Drop the apostrophes that keep a cell from running as a formula (``'=x`` means the text ``=x``).

    Undoes :func:`core.domain.safe_export.neutralise_cell`, as a spreadsheet reads a typed ``'=x``.

    >>> unneutralise_cell("'=SUM(A1)"), unneutralise_cell("''-x"), unneutralise_cell("'quoted'"), unneutralise_cell("-5")
    ('=SUM(A1)', '-x', "'quoted'", '-5')

    Args:
        text: a cell, already stripped of surrounding spaces (strip the result again: ``'<tab>x`` gives ``<tab>x``).

    Returns:
        The cell without the leading apostrophes when a formula character follows them, else unchanged.
    """
    return _NEUTRALISED.sub("", text, count=1) if text[:1] == "'" else text


def _error(row: int, column: str, value: str, message: str, fix: str) -> RowError:
    return RowError(row=row, column=column, value=value, message=message, fix=fix)


def _unquoted(text: str) -> str:
    stripped = text.strip()
    return unneutralise_cell(stripped).strip() if _NEUTRALISED.match(stripped) else text


def parse_registry_row(cells: dict[str, str], row_number: int, extra: dict[str, str]) -> tuple[Integration | None, list[RowError]]:
    """Validate one row's canonical cells into an :class:`Integration`, or list what is wrong.

    >>> row = {"name": "A", "source_system": "X", "target_system": "Y", "data_objects": "Lead",
    ...        "owner_team": "Sales Ops", "status": "active"}
    >>> parse_registry_row(row, 2, {})[1][0].message
    "'active' is not an allowed value (allowed: proposed, building, live, deprecated, retired)"
    """
    errors: list[RowError] = []
    values: dict[str, object] = {}
    if any(text.lstrip()[:1] == "'" for text in cells.values()):
        cells = {column: _unquoted(text) for column, text in cells.items()}
    for column in REQUIRED_COLUMNS:
        if not cells.get(column, "").strip():
            errors.append(_error(row_number, column, "", f"{column} is required but empty", f"Fill in {column} for this row."))
    for column in _TEXT_FIELDS:
        text = cells.get(column, "").strip()
        if text:
            values[column] = text
    if "id" in values and len(values["id"]) > MAX_ID_LENGTH:
        errors.append(_error(row_number, "id", values["id"], f"id is longer than {MAX_ID_LENGTH} characters", "Use a short id like INT-014."))
    for column, (parser, fix) in _FIELD_PARSERS.items():
        text = cells.get(column, "")
        if not text or not text.strip():
            continue
        try:
            values[column] = parser(text.strip())
        except ValueFormatError as problem:
            errors.append(_error(row_number, column, text.strip(), str(problem), fix))
    if "data_objects" in values and not values["data_objects"] and "data_objects" not in {e.column for e in errors}:
        errors.append(_error(row_number, "data_objects", cells.get("data_objects", ""), "data_objects has no object names", "List at least one object, e.g. Opportunity."))
    if errors:
        return None, errors
    values.setdefault("id", generate_id(str(values["name"])))
    return Integration(extra=extra, **values), []


# ----------------------------------------------------------------------------- reading


def _map_header(header: list[str]) -> tuple[dict[int, str], dict[int, str], dict[str, str]]:
    """Split header positions into canonical columns and unknown (kept) columns."""
    canonical: dict[int, str] = {}
    unknown: dict[int, str] = {}
    mapping: dict[str, str] = {}
    seen: dict[str, str] = {}
    for position, cell in enumerate(header):
        text = unneutralise_cell(cell.strip()).strip()
        if not text:
            continue
        column = match_header(text)
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


def read_registry_csv(data: bytes, *, max_rows: int | None = None) -> ImportReport:
    """Parse and validate a registry file; nothing is written anywhere.

    >>> report = read_registry_csv(b"Integration Name,Source,Destination,Objects,Team\\nQuote sync,SFDC,Stripe,Quote,Sales Ops\\n")
    >>> report.accepted[0].id, report.accepted[0].source_system, report.errors
    ('INT-quote-sync', 'SFDC', [])

    A well-formed file of 64 KiB or more is split into cells by pandas' C parser and checked column by column; any
    other file, and every row with a problem, goes through the record-by-record reader. The report is the same.

    Args:
        data: the file's bytes (UTF-8 with or without BOM, Windows-1252 or UTF-16; ``,`` ``;`` or tab).
        max_rows: the most data rows accepted; ``None`` means :func:`core.domain.limits.row_limit`. Reading
            stops at the first row over it.

    Returns:
        The import report: accepted rows, and one :class:`RowError` per problem.

    Raises:
        RegistryFileError: when the file as a whole is unusable (empty, binary, no header,
            required columns missing, larger than the upload limit or longer than the row limit).
    """
    check_upload_size(len(data))
    limit = row_limit() if max_rows is None else max_rows
    report = None
    if len(data) >= _FAST_READ_MIN_BYTES:
        header_line = _plain_utf8_header_line(data)
        if header_line is not None:  # pandas decodes the bytes itself, and refuses any that are not UTF-8
            report = _read_well_formed(data, "utf-8", _detect_delimiter(header_line), limit)
    if report is not None:
        return report
    text, encoding = decode_registry_bytes(data)
    first_line = _first_line(text)
    delimiter = _detect_delimiter(first_line)
    # Small files: the record reader is faster than importing pandas and setting it up. A file that does not start
    # with its header (blank lines first) would number pandas' rows differently. UTF-8 files had their try above.
    if len(data) >= _FAST_READ_MIN_BYTES and text.startswith(first_line) and encoding != "utf-8":
        report = _read_well_formed(text, encoding, delimiter, limit)
    return report if report is not None else _read_records(text, encoding, delimiter, limit)


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


def _row_cells(cells: list[str], canonical: dict[int, str], unknown: dict[int, str]) -> tuple[dict[str, str], dict[str, str]]:
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
            errors = [_error(
                row, "id", integration.id,
                f"duplicate id {integration.id}: row {row} repeats the id of row {earlier}",
                f"Give this row its own id, or delete it if it is the same integration as row {earlier}.",
            )]
        else:
            first_row_of_id[integration.id] = row
            report.accepted.append(integration)
    report.errors.extend(errors)


def _read_records(text: str, encoding: str, delimiter: str, limit: int) -> ImportReport:
    """Read any file record by record with csv.reader: the reference behaviour for every message and row number."""
    # PostgreSQL cannot store NUL characters, and an export holding one would read back as binary.
    has_nul = "\x00" in text
    records = _csv_records(text, delimiter)
    header = next((cells for _, cells in records if any(c.strip() for c in cells)), None)
    if header is None:
        raise RegistryFileError("The file is empty. Export the registry sheet as CSV and upload that file.")
    if has_nul and any("\x00" in c for c in header):
        raise RegistryFileError(
            "This is not a CSV text file (it contains binary data). "
            "In Excel or Google Sheets use File > Save as / Download > CSV."
        )
    canonical, unknown, mapping = _map_header(header)
    if not canonical:
        raise RegistryFileError(
            "No recognisable header in the first row. The first row must name the columns, e.g. "
            "name, source_system, target_system, data_objects, owner_team (see docs/registry-format.md)."
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in canonical.values()]
    if missing:
        raise RegistryFileError(
            f"The header has no column for: {', '.join(missing)}. Add "
            f"{'it' if len(missing) == 1 else 'them'} (see docs/registry-format.md for accepted names)."
        )
    report = _new_report(unknown, mapping, encoding, delimiter)
    first_row_of_id: dict[str, int] = {}
    width = len(header)
    for offset, cells in records:
        if not any(c.strip() for c in cells):
            continue  # blank lines between blocks are common in hand-kept sheets
        report.rows_read += 1
        check_row_count(report.rows_read, limit)
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            report.errors.append(_error(
                offset, "(row)", delimiter.join(cells[width:]),
                f"the row has {len(cells)} values but the header has {width} columns",
                "Check for an unquoted comma or semicolon inside a value, or add a header for the extra column.",
            ))
            continue
        if has_nul and any("\x00" in c for c in cells):
            report.errors.append(_error(offset, "(row)", "", "the row contains a NUL character (binary data)", _NUL_FIX))
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
def _read_well_formed(source: str | bytes, encoding: str, delimiter: str, limit: int) -> ImportReport | None:
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
    columns = [(codes, distinct.tolist()) for codes, distinct in (frame[c].array[1:].factorize() for c in frame.columns)]
    size_limit = csv.field_size_limit()
    if any(max(map(len, texts), default=0) > size_limit for texts in [header, *(texts for _, texts in columns)]):
        return None
    if not any(cell.strip() for cell in header):
        return None
    try:
        canonical, unknown, mapping = _map_header(header)
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
        value_columns["id"] = [generate_id(name) if id_ is _NO_ID else id_ for id_, name in zip(ids, value_columns["name"])]
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


# ----------------------------------------------------------------------------- writing


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Range):
        return format_range(value)
    if isinstance(value, tuple):
        return "; ".join(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    return str(value)


def integration_cells(integration: Integration) -> dict[str, str]:
    """One integration as the canonical CSV text of each column (what a spreadsheet cell shows).

    >>> i = Integration(id="INT-1", name="A", source_system="X", target_system="Y",
    ...                 data_objects=("Lead",), owner_team="Ops", build_hours=Range(2, 2.5, 3))
    >>> integration_cells(i)["build_hours"], integration_cells(i)["status"]
    ('2-3', 'live')
    """
    return {column: _cell(getattr(integration, column)) for column in CANONICAL_COLUMNS}


def registry_csv_rows(integrations: Iterable[Integration]) -> Iterator[list[str]]:
    """The rows of the canonical CSV, header first: canonical columns, then kept extra columns.

    >>> i = Integration(id="INT-1", name="A", source_system="X", target_system="Y",
    ...                 data_objects=("Lead",), owner_team="Ops", extra={"Slack": "#ops"})
    >>> [row[:2] + row[-1:] for row in registry_csv_rows([i])]
    [['id', 'name', 'Slack'], ['INT-1', 'A', '#ops']]

    Args:
        integrations: the registry, in the order to write it.

    Returns:
        An iterator of rows of cell texts; :func:`write_registry_csv` writes them as CSV.
    """
    rows = list(integrations)
    extra_columns: dict[str, None] = {}
    for integration in rows:
        for name in integration.extra:
            extra_columns.setdefault(name, None)
    yield [*CANONICAL_COLUMNS, *extra_columns]
    for integration in rows:
        yield (
            list(integration_cells(integration).values())
            + [integration.extra.get(name, "") for name in extra_columns]
        )


def write_registry_csv(integrations: Iterable[Integration]) -> str:
    """The canonical CSV of a registry: canonical columns first, then kept extra columns.

    Reading the result back and writing it again gives the same text, byte for byte.

    >>> i = Integration(id="INT-1", name="A", source_system="X", target_system="Y",
    ...                 data_objects=("Lead", "Account"), owner_team="Sales Ops")
    >>> write_registry_csv([i]).splitlines()[1]
    'INT-1,A,X,Y,Lead; Account,Sales Ops,,,one-way,,,,live,,,,,,,,,,,,,,,'
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(registry_csv_rows(integrations))
    return buffer.getvalue()
