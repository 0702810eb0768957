"""The registry's columns and cells: header matching, the cell parsers, row validation and the import report."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from functools import lru_cache

from core.domain.numbers import Notation
from core.domain.ranges import Range, parse_range
from core.domain.registry import Approach, Complexity, Direction, Integration, Status, Tier, Timeliness
from core.errors import ValueFormatError

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

# English, and what Excel writes for TRUE/FALSE (and people type for yes/no) in German, French, Dutch, Spanish and
# Portuguese, compared in lower case.
_YES = frozenset({"yes", "y", "true", "t", "1", "wahr", "ja", "vrai", "oui", "waar", "verdadero", "sí", "si",
                  "verdadeiro", "sim"})
_NO = frozenset({"no", "n", "false", "f", "0", "falsch", "nein", "faux", "non", "onwaar", "nee", "falso", "não",
                 "nao"})
_DATE_FORMATS = (
    "%Y-%m-%d", "%d.%m.%Y", "%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%Y/%m/%d", "%d-%b-%Y",
)
# A date with slashes, year last: its order (month/day or day/month) is the file's (slash_date_order).
_SLASH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
DAY_FIRST, BOTH_ORDERS = "day-first", "both"
_LIST_SPLIT = re.compile(r"[;|]")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
# Excel, LibreOffice and Google Sheets run a cell starting with = + - @ tab or CR as a formula (or DDE).
FORMULA_START = r"[=+\-@\t\r]"
# Apostrophes before a leading formula character: how core.domain.registry_export (and a spreadsheet user) keeps a
# cell from running as a formula. Dropped on reading, so no stored value starts like that and both exports read back
# the same.
_NEUTRALISED = re.compile(rf"'+(?={FORMULA_START})")
MAX_ID_LENGTH = 64
# The longest text a name, system, team or owner may be: the database indexes systems and teams, and a PostgreSQL
# index entry holds at most 2,704 bytes (676 characters of 4 bytes). Far longer than any real name.
MAX_NAME_LENGTH = 200
MAX_TEXT_LENGTHS = {"id": MAX_ID_LENGTH, **{column: MAX_NAME_LENGTH for column in (
    "name", "source_system", "target_system", "owner_team", "owner")}}


def header_key(header: str) -> str:
    """The comparison key of a header cell: case, spaces, dashes, underscores and punctuation dropped.

    >>> header_key("  Maintenance hours/month "), header_key("owner_team")
    ('maintenancehoursmonth', 'ownerteam')
    """
    return _NON_ALNUM.sub("", header.strip().lower())


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column: 0 is A, 27 is AB.

    >>> column_letter(0), column_letter(27)
    ('A', 'AB')
    """
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


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
    # Where in a file that is not a plain table the problem is: "sheet Interfaces, cell C5" or
    # "connections[2].schemas.salesforce"; empty for CSV, whose row and column say it all.
    where: str = ""
    # The row's id and name as typed (empty when the row has none), so a person finds the row by what they know.
    row_id: str = ""
    row_name: str = ""

    def as_dict(self) -> dict:
        cells = {"row": self.row, "column": self.column, "value": self.value, "message": self.message,
                 "fix": self.fix}
        return cells | {"where": self.where} if self.where else cells


@dataclass(frozen=True, slots=True)
class RowOrigin:
    """The record in the source file an integration was read from: its id there and where it is in the file."""

    external_id: str
    where: str = ""


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
    # Where the rows came from, for files other than CSV (core.domain.sources): the format read ("csv", "xlsx",
    # "fivetran", ...), the sheet of a workbook, and per accepted integration id the record it was read from.
    format: str = "csv"
    sheet: str = ""
    origins: dict[str, RowOrigin] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what was read or left out on purpose, in plain words
    decimal: str = ""  # "comma" or "point": the decimal mark numbers were read with, when the file showed or implied it

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors})

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        """The JSON shape ``igov validate --json`` prints."""
        return {"accepted": len(self.accepted), "errors": [e.as_dict() for e in self.errors]}



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
    """Read yes/no/true/false/y/n/1/0, and the same words in German, French, Dutch, Spanish and Portuguese (WAHR,
    ja, oui, waar, sí, sim; FALSCH, nein, non, nee, onwaar, não); empty means unknown.

    >>> parse_yes_no("Yes"), parse_yes_no(""), parse_yes_no("0"), parse_yes_no("WAHR"), parse_yes_no("Não")
    (True, None, False, True, False)
    """
    value = text.strip().lower()
    if not value:
        return None
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise ValueFormatError(f"'{text.strip()}' is not yes or no")


def slash_date_order(texts: Iterable[str]) -> tuple[str, str]:
    """How a file's date cells write dates with slashes, and the cells that show it: ``"day-first"`` when a cell
    can only be day/month (``31/12/2026``), ``"both"`` when another can only be month/day (``12/31/2026``) too,
    else ``""`` (month/day, as US spreadsheets write them).

    >>> slash_date_order(["31/12/2026", "01/03/2024"]), slash_date_order(["03/01/2024", "2024-03-01"])
    (('day-first', '31/12/2026'), ('', ''))
    >>> slash_date_order(["31/12/2026", "12/31/2026"])
    ('both', "'31/12/2026' and '12/31/2026'")
    """
    day_first = month_first = ""
    for text in texts:
        match = _SLASH_DATE.fullmatch(text.strip())
        if match:
            first, second = int(match[1]), int(match[2])
            if first > 12 >= second and not day_first:
                day_first = text.strip()
            elif second > 12 >= first and not month_first:
                month_first = text.strip()
    if day_first and month_first:
        return BOTH_ORDERS, f"'{day_first}' and '{month_first}'"
    return (DAY_FIRST, day_first) if day_first else ("", "")


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def _slash_date(text: str, first: int, second: int, year: int, notation: Notation | None) -> date:
    order = notation.slash_dates if notation is not None else ""
    if first > 12 >= second or (order == DAY_FIRST and second <= 12):
        day, month, how = first, second, "day/month/year"
    elif order == BOTH_ORDERS and first != second and second <= 12:
        raise ValueFormatError(
            f"'{text}' could be {first} {_MONTHS[second - 1]} {year} (day/month) or {second} {_MONTHS[first - 1]} "
            f"{year} (month/day), and this file writes dates both ways (as in {notation.slash_example})")
    else:
        month, day, how = first, second, "month/day/year"
    if not 1 <= month <= 12:
        raise ValueFormatError(f"'{text}' is not a date: read as {how}, and there is no month {month}")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueFormatError(f"'{text}' is not a date: read as {how}, and {_MONTHS[month - 1]} {year} has no day "
                               f"{day}") from None


@lru_cache(maxsize=65536)
def parse_date(text: str, notation: Notation | None = None) -> date:
    """Read ISO and common spreadsheet date formats; slashes are month/day (US) unless the file's cells prove
    day/month (``notation.slash_dates``, :func:`slash_date_order`), or the date can only be day/month.

    >>> parse_date("2024-03-01"), parse_date("1 Mar 2024"), parse_date("01.03.2024"), parse_date("03/01/2024")
    (datetime.date(2024, 3, 1), datetime.date(2024, 3, 1), datetime.date(2024, 3, 1), datetime.date(2024, 3, 1))
    >>> parse_date("01/03/2024", Notation(slash_dates=DAY_FIRST)), parse_date("31/12/2026")
    (datetime.date(2024, 3, 1), datetime.date(2026, 12, 31))
    """
    value = text.strip()
    # Spreadsheets often append a midnight time to dates.
    value = re.sub(r"[ T]00:00(:00)?$", "", value)
    slashed = _SLASH_DATE.fullmatch(value)
    if slashed:
        return _slash_date(text.strip(), int(slashed[1]), int(slashed[2]), int(slashed[3]), notation)
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
def _parse_hours(text: str, notation: Notation | None = None) -> Range:
    return _finite(parse_range(text, notation=notation), text)


@lru_cache(maxsize=65536)
def _parse_money(text: str, notation: Notation | None = None) -> Range:
    return _finite(parse_range(text, money=True, notation=notation), text)


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
    "complexity": (lambda t: parse_choice(Complexity, t),
                   "Use one of the listed categories, or leave it empty to derive it."),
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
# The columns holding numbers: read in the file's notation (core.domain.numbers), which their cells decide.
NUMBER_COLUMNS = frozenset(c for c, (parser, _) in _FIELD_PARSERS.items() if parser in (_parse_hours, _parse_money))
# The columns whose parser takes the file's notation too: numbers, and dates (the order of slash dates).
NOTATION_COLUMNS = NUMBER_COLUMNS | {"launched_on"}
_TEXT_FIELDS = ("id", "name", "source_system", "target_system", "owner_team", "owner", "notes")


_NOTATION_PROBLEM = re.compile("could mean|this file writes numbers")


def notation_fix(notation: Notation | None) -> str:
    """The fix for a number that reads two ways: written as the file writes its numbers, with no thousands mark."""
    example = "2,5 or 1200" if notation is not None and notation.decimal == "comma" else "2.5 or 1200"
    if notation is not None and notation.mixed:
        return ("Write every number in the file with the same decimal mark and without a thousands separator, e.g. "
                f"{example}, then save it again.")
    return f"Write it as the rest of the file writes numbers, without a thousands separator, e.g. {example}."


def generate_id(name: str) -> str:
    """A readable, stable id for a row that has none, made from its name.

    >>> generate_id("SFDC → Stripe opportunity sync")
    'INT-sfdc-stripe-opportunity-sync'
    """
    slug = re.sub(r"[^0-9a-z]+", "-", name.lower()).strip("-")
    return f"INT-{slug[: MAX_ID_LENGTH - 4] or 'unnamed'}"


def unneutralise_cell(text: str) -> str:
    """Drop the apostrophes that keep a cell from running as a formula (``'=x`` means the text ``=x``).

    Undoes :func:`core.domain.registry_export.neutralise_cell`, as a spreadsheet reads a typed ``'=x``.

    >>> (unneutralise_cell("'=SUM(A1)"), unneutralise_cell("''-x"),
    ...  unneutralise_cell("'quoted'"), unneutralise_cell("-5"))
    ('=SUM(A1)', '-x', "'quoted'", '-5')

    Args:
        text: a cell, already stripped of surrounding spaces (strip the result again: ``'<tab>x`` gives ``<tab>x``).

    Returns:
        The cell without the leading apostrophes when a formula character follows them, else unchanged.
    """
    return _NEUTRALISED.sub("", text, count=1) if text[:1] == "'" else text


def _unquoted(text: str) -> str:
    stripped = text.strip()
    return unneutralise_cell(stripped).strip() if _NEUTRALISED.match(stripped) else text


def parse_registry_row(
    cells: dict[str, str], row_number: int, extra: dict[str, str], notation: Notation | None = None
) -> tuple[Integration | None, list[RowError]]:
    """Validate one row's canonical cells into an :class:`Integration`, or list what is wrong.

    ``notation`` is how the file writes numbers (:func:`core.domain.numbers.detect_notation`); ``None`` for a row
    typed in a form, whose numbers are read only when they read one way.

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
            errors.append(RowError(row_number, column, "", f"{column} is required but empty",
                                   f"Fill in {column} for this row."))
    for column in _TEXT_FIELDS:
        text = cells.get(column, "").strip()
        if text:
            values[column] = text
    for column, longest in MAX_TEXT_LENGTHS.items():
        if column in values and len(values[column]) > longest:
            errors.append(RowError(row_number, column, values[column][:60] + "…",
                                   f"{column} is longer than {longest} characters ({len(values[column]):,})",
                                   "Use a short id like INT-014." if column == "id" else
                                   f"Shorten it to {longest} characters; put any longer description in notes."))
    for column, (parser, fix) in _FIELD_PARSERS.items():
        text = cells.get(column, "")
        if not text or not text.strip():
            continue
        try:
            values[column] = parser(text.strip(), notation) if column in NOTATION_COLUMNS else parser(text.strip())
        except ValueFormatError as problem:
            errors.append(RowError(row_number, column, text.strip(), str(problem),
                                   notation_fix(notation) if _NOTATION_PROBLEM.search(str(problem)) else fix))
    if "data_objects" in values and not values["data_objects"] and "data_objects" not in {e.column for e in errors}:
        errors.append(RowError(row_number, "data_objects", cells.get("data_objects", ""),
                               "data_objects has no object names", "List at least one object, e.g. Opportunity."))
    if errors:
        named = {"row_id": cells.get("id", "").strip()[:60], "row_name": cells.get("name", "").strip()[:80]}
        return None, [replace(error, **named) for error in errors]
    values.setdefault("id", generate_id(str(values["name"])))
    return Integration(extra=extra, **values), []
