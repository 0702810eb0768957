"""Writing the registry CSV: the canonical export, and the spreadsheet-safe one the app's download gives."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from datetime import date
from enum import StrEnum

from core.domain.ranges import Range, format_range
from core.domain.registry import Integration
from core.domain.registry_cells import CANONICAL_COLUMNS, FORMULA_START


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


# ----------------------------------------------------------------------------- spreadsheet-safe export

# A formula character (FORMULA_START) after any apostrophes: the importer drops one apostrophe from such a cell,
# so one must be added here even when the text already starts with apostrophes.
_NEEDS_QUOTE = re.compile(rf"'*{FORMULA_START}")
# A plain signed number (-5, +3, -1,200.50, -.5, -2.5e3, -12%): a spreadsheet reads it as a number, not a formula.
_SIGNED_NUMBER = re.compile(r"[+-](?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?%?")


def _is_signed_number(text: str) -> bool:
    # ASCII digits only: \d would also take Arabic-Indic digits, which a spreadsheet does not read as numbers.
    return text.isascii() and bool(_SIGNED_NUMBER.fullmatch(text))


def neutralise_cell(text: str) -> str:
    """Make a cell inert in a spreadsheet: prefix ``'`` to text starting with = + - @ tab or CR.

    Real numbers (``-5``, ``+3``, ``-1,200.50``) and ranges (``2-3``) are left exactly as they are;
    :func:`core.domain.registry_csv.read_registry_csv` drops the added apostrophe again.

    >>> neutralise_cell("=HYPERLINK(\\"http://x\\")"), neutralise_cell("@SUM(A1)"), neutralise_cell("-5")
    ('\\'=HYPERLINK("http://x")', "'@SUM(A1)", '-5')
    >>> neutralise_cell("-1,200.50"), neutralise_cell("2-3"), neutralise_cell("-2+3")
    ('-1,200.50', '2-3', "'-2+3")

    Args:
        text: the cell as the canonical export writes it.

    Returns:
        The text to write in its place.
    """
    if not _NEEDS_QUOTE.match(text) or _is_signed_number(text):
        return text
    return "'" + text


def safe_registry_csv(integrations: Iterable[Integration]) -> str:
    """The canonical registry CSV with every cell neutralised: the file the app's download button gives.

    Importing it gives the same registry as the canonical export, and exporting that again gives the
    canonical CSV byte for byte.

    >>> i = Integration(id="INT-1", name="=cmd|' /C calc'!A0", source_system="X", target_system="Y",
    ...                 data_objects=("Lead",), owner_team="Ops", notes="-5")
    >>> row = safe_registry_csv([i]).splitlines()[1]
    >>> row.split(",")[1], row.split(",")[-1]
    ("'=cmd|' /C calc'!A0", '-5')

    Args:
        integrations: the registry, in the order to write it.

    Returns:
        CSV text (write it as UTF-8).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([neutralise_cell(cell) for cell in row] for row in registry_csv_rows(integrations))
    return buffer.getvalue()
