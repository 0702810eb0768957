"""Import formats: which format a file is, and reading any of them into the one import report CSV gives.

One module per format (``csv`` is :mod:`core.domain.registry_csv`): :mod:`.excel` (.xlsx/.xls/.ods),
:mod:`.leanix`, :mod:`.backstage`, :mod:`.dbt`, :mod:`.fivetran`, :mod:`.airbyte` and :mod:`.openmetadata`.
Each is a pure function of the file's bytes; docs/registry-format.md documents each mapping with an example.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.domain.registry_cells import ImportReport
from core.domain.registry_csv import read_registry_csv
from core.domain.sources import airbyte, backstage, dbt, fivetran, leanix, openmetadata
from core.domain.sources.common import load_json
from core.domain.sources.excel import read_sheets, read_workbook_sheets, workbook_kind
from core.errors import RegistryFileError

# Format name -> what people call it. The names are the values of --format (plus "auto").
FORMATS: dict[str, str] = {
    "csv": "CSV file",
    "xlsx": "Excel workbook",
    "leanix": "LeanIX export of Interfaces",
    "backstage": "Backstage catalog",
    "dbt": "dbt manifest",
    "fivetran": "Fivetran connections",
    "airbyte": "Airbyte connections",
    "openmetadata": "OpenMetadata lineage export",
}
FORMAT_CHOICES: tuple[str, ...] = ("auto", *FORMATS)
# Extensions the Registry upload accepts.
UPLOAD_EXTENSIONS: tuple[str, ...] = ("csv", "tsv", "txt", "xlsx", "xls", "ods", "json", "yaml", "yml")
_JSON_FORMATS = ("dbt", "fivetran", "airbyte")


def _extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def detect_format(data: bytes | Mapping[str, bytes], filename: str = "") -> str:
    """The format of a file, from its content first and its name's extension second.

    >>> detect_format(b"name,source_system\\n"), detect_format(b"kind: Component\\n", "catalog-info.yaml")
    ('csv', 'backstage')
    >>> detect_format(b'{"connections": [{"connectionId": "1", "sourceId": "2"}]}', "export.json")
    'airbyte'

    Several files (name -> bytes) are a Backstage catalog folder, the one format read from more than one file:

    >>> detect_format({"apis.yaml": b"kind: API\\n", "components.yaml": b"kind: Component\\n"})
    'backstage'

    Raises:
        RegistryFileError: for a JSON file of no known tool.
    """
    if not isinstance(data, (bytes, bytearray)):
        return "backstage"
    kind = workbook_kind(data)
    if kind is not None:
        return "xlsx"  # read_source tells a LeanIX export from a registry workbook by its sheets
    head = data[:65536].lstrip(b"\xef\xbb\xbf \t\r\n")
    extension = _extension(filename)
    if head.startswith((b"{", b"[")) or extension == "json":
        if b"dbt_schema_version" in head or (b'"sources"' in data and b'"nodes"' in data and b'"metadata"' in data):
            return "dbt"
        if b'"connectionId"' in data and b'"sourceId"' in data:
            return "airbyte"
        if b'"group_id"' in data and b'"service"' in data:
            return "fivetran"
        if head.startswith((b"{", b"[")):
            load_json(data, "JSON")  # a damaged file is named as such before anything else
            raise RegistryFileError("This JSON file is not one the importer knows: a dbt manifest.json, a Fivetran "
                                    "or an Airbyte connections export (see docs/registry-format.md).")
    if extension in ("yaml", "yml") or b"apiVersion: backstage.io/" in head:
        return "backstage"
    first_line = head.split(b"\n", 1)[0]
    if openmetadata.looks_like_lineage(first_line.decode("utf-8", "replace")):
        return "openmetadata"
    return "csv"


def read_source(
    data: bytes | Mapping[str, bytes], fmt: str = "auto", *, filename: str = "",
    column_map: Mapping[str, str] | None = None, sheet: str | None = None, max_rows: int | None = None,
) -> ImportReport:
    """Read a file of any format into the import report; nothing is written anywhere.

    Args:
        data: the file's bytes, or for a Backstage catalog folder, file name -> bytes.
        fmt: one of :data:`FORMAT_CHOICES`; ``auto`` decides by content and extension.
        filename: the file's name (its extension helps ``auto``).
        column_map: file column -> field, for CSV and workbooks whose headers are not recognised.
        sheet: the workbook sheet to read (default: the first with the header).
        max_rows: the most rows; ``None`` means the row limit.

    Returns:
        The report, with ``format`` set to the format read.

    Raises:
        RegistryFileError: when the file is unusable as that format (MissingColumnsError for a header without
            every required column).
    """
    if fmt not in FORMAT_CHOICES:
        raise RegistryFileError(f"Unknown format '{fmt}'. Formats: {', '.join(FORMAT_CHOICES)}.")
    if not isinstance(data, (bytes, bytearray)):
        if fmt not in ("auto", "backstage"):
            raise RegistryFileError(f"A folder can only be read as a Backstage catalog, not as {FORMATS[fmt]}.")
        return backstage.read_backstage(data, max_rows=max_rows)
    data = bytes(data)
    if fmt == "auto":
        fmt = detect_format(data, filename)
    if fmt in ("xlsx", "leanix"):
        if workbook_kind(data) is None:
            raise RegistryFileError("This is not an Excel workbook (.xlsx, .xls or .ods). Save it from Excel or "
                                    "LibreOffice, or choose the file's own format.")
        sheets = read_sheets(data, max_rows=max_rows)
        if fmt == "leanix" or (sheet is None and not column_map and leanix.looks_like_leanix(sheets)):
            return leanix.read_leanix_sheets(sheets, max_rows=max_rows)
        return read_workbook_sheets(sheets, workbook_kind(data) or "xlsx", column_map=column_map, sheet=sheet,
                                    max_rows=max_rows)
    if fmt == "backstage":
        return backstage.read_backstage({filename or "catalog-info.yaml": data}, max_rows=max_rows)
    if fmt == "dbt":
        return dbt.read_dbt(data, max_rows=max_rows)
    if fmt == "fivetran":
        return fivetran.read_fivetran(data, max_rows=max_rows)
    if fmt == "airbyte":
        return airbyte.read_airbyte(data, max_rows=max_rows)
    if fmt == "openmetadata":
        return openmetadata.read_lineage(data, max_rows=max_rows)
    return read_registry_csv(data, max_rows=max_rows, columns=column_map)
