"""What every import format shares: safe JSON and YAML loading, stable ids, system names and the report of rows."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from core.domain.limits import check_row_count, row_limit
from core.domain.registry_cells import MAX_ID_LENGTH, ImportReport, RowError, RowOrigin, parse_registry_row
from core.errors import RegistryFileError
from core.wording import described_value

# A description file nests a handful of levels; thousands are an attack on the parser or on our walk of it.
MAX_DEPTH = 64
# Values in one JSON or YAML file. A YAML "billion laughs" file is small, but expands to this many when walked.
MAX_VALUES = 2_000_000
MAX_YAML_ALIASES = 100  # anchors reused this often are a bomb, not a catalog
UNASSIGNED_TEAM = "Unassigned"  # the owner_team of a record whose tool keeps no team: visible, and easy to filter


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One integration as a description file gives it, before validation.

    ``cells`` hold canonical column -> text exactly as a CSV cell would (lists joined with ``;``), so every format
    is checked by the same row validation and reports its problems the same way.
    """

    cells: Mapping[str, str]
    external_id: str  # the record's id in its own tool: stable across exports, so a re-import finds it
    where: str  # the path inside the file, e.g. "connections[2]" or "sheet Interfaces, row 5"
    extra: Mapping[str, str] = field(default_factory=dict)
    fixes: Mapping[str, str] = field(default_factory=dict)  # column -> how to fix it in this tool, when it fails


def make_id(prefix: str, external_id: str) -> str:
    """A registry id for a record of another tool: readable, stable, unique per external id, at most 64 characters.

    >>> make_id("FT", "connector_salesforce_01")
    'FT-connector-salesforce-01'
    >>> len(make_id("OM", "x" * 200)) <= 64
    True
    """
    slug = re.sub(r"[^0-9A-Za-z]+", "-", external_id).strip("-") or "record"
    text = f"{prefix}-{slug}"
    if len(text) <= MAX_ID_LENGTH:
        return text
    digest = hashlib.sha256(external_id.encode("utf-8")).hexdigest()[:10]
    return f"{text[:MAX_ID_LENGTH - 11]}-{digest}"


# Service ids as tools write them ("salesforce", "big_query", "source-postgres") -> the name people use.
_KNOWN_SYSTEMS = {
    "salesforce": "Salesforce", "salesforce_sandbox": "Salesforce", "hubspot": "HubSpot", "netsuite": "NetSuite",
    "netsuite_suiteanalytics": "NetSuite", "snowflake": "Snowflake", "big_query": "BigQuery", "bigquery": "BigQuery",
    "redshift": "Redshift", "postgres": "PostgreSQL", "postgresql": "PostgreSQL", "mysql": "MySQL",
    "google_sheets": "Google Sheets", "stripe": "Stripe", "zendesk": "Zendesk", "jira": "Jira",
    "databricks": "Databricks", "marketo": "Marketo", "intercom": "Intercom", "shopify": "Shopify",
    "quickbooks": "QuickBooks", "workday": "Workday", "s3": "Amazon S3", "gcs": "Google Cloud Storage",
    "duckdb": "DuckDB", "mssql": "SQL Server", "sql_server": "SQL Server", "sqlserver": "SQL Server",
}


def system_name(service: str) -> str:
    """The display name of a tool's service id.

    >>> system_name("big_query"), system_name("source-salesforce"), system_name("google_ads")
    ('BigQuery', 'Salesforce', 'Google Ads')
    """
    key = re.sub(r"^(source|destination)[-_]", "", service.strip().lower())
    if key in _KNOWN_SYSTEMS:
        return _KNOWN_SYSTEMS[key]
    words = [w for w in re.split(r"[-_\s]+", key) if w]
    return " ".join(w.capitalize() for w in words) or service.strip()


def text_of(value: object) -> str:
    """A scalar as text; anything else (a list, a mapping, null) is empty, never its Python repr."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (int, float)):
        return str(value)
    return ""


_YEAR_3000 = 32_503_680_000  # seconds since 1970: a larger creation time is in milliseconds
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?![0-9])")


def date_of(value: object) -> str:
    """A record's creation time as the launch date: seconds or milliseconds since 1970 (UTC), as APIs give it, or
    text starting with a date (``2024-03-01T10:00:00Z``); any other value is kept as the file has it, for the
    problem to quote.

    >>> date_of(1709251200), date_of(1709251200000), date_of("2024-03-01T10:00:00Z"), date_of("01/03/2024 10:00")
    ('2024-03-01', '2024-03-01', '2024-03-01', '01/03/2024 10:00')
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < _YEAR_3000 * 1000:
        seconds = value if value < _YEAR_3000 else value / 1000
        return datetime.fromtimestamp(seconds, UTC).date().isoformat()
    text = text_of(value)
    return text[:10] if _ISO_DATE.match(text) else text


def list_cell(items: Iterable[str]) -> str:
    """Names as one list cell (``;``-separated, repeats and blanks dropped, order kept); ``;`` inside a name is
    replaced, as it would split the name in two."""
    return "; ".join(dict.fromkeys(i.replace(";", ",").replace("|", "/").strip() for i in items if i and i.strip()))


def _decode(data: bytes, what: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        raise RegistryFileError(f"The {what} file is empty.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise RegistryFileError(f"The {what} file is not UTF-8 text. Export it again from the tool.") from None


def _check_shape(document: object, what: str) -> None:
    """Refuse a document nested too deeply or holding too many values, walking it without recursion."""
    stack: list[tuple[object, int]] = [(document, 1)]
    seen = 0
    while stack:
        value, depth = stack.pop()
        seen += 1
        if seen > MAX_VALUES:
            raise RegistryFileError(f"The {what} file holds more than {MAX_VALUES:,} values; it was not read. "
                                    "Export only the part you need.")
        if depth > MAX_DEPTH:
            raise RegistryFileError(f"The {what} file is nested more than {MAX_DEPTH} levels deep; it was not read.")
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)


def load_json(data: bytes, what: str) -> object:
    """Parse a JSON file, refusing what is not JSON, too deep or too big, in plain words.

    >>> load_json(b'{"a": [1, 2]}', "Airbyte")
    {'a': [1, 2]}
    """
    text = _decode(data, what)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as problem:
        raise RegistryFileError(f"The {what} file is not valid JSON (line {problem.lineno}, column {problem.colno}: "
                                f"{problem.msg}). Export it again from the tool.") from None
    except (RecursionError, ValueError):  # nesting past the parser's stack, or an integer of 4,300+ digits
        raise RegistryFileError(f"The {what} file is nested too deeply or holds a number too long to read; "
                                "it was not read.") from None
    _check_shape(document, what)
    return document


def load_yaml_documents(data: bytes, what: str) -> list[object]:
    """Parse every document of a YAML file with the safe loader, refusing alias bombs and runaway nesting.

    An empty document is ``None``, kept so that positions in the list count documents as they stand in the file.

    >>> load_yaml_documents(b"kind: API\\n---\\n---\\nkind: Component\\n", "Backstage")
    [{'kind': 'API'}, None, {'kind': 'Component'}]
    """
    import yaml  # imported here: only YAML formats need it

    text = _decode(data, what)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        aliases = sum(isinstance(token, yaml.AliasToken) for token in yaml.scan(text, Loader=loader))
        if aliases > MAX_YAML_ALIASES:
            raise RegistryFileError(f"The {what} file repeats anchors {aliases:,} times (a YAML bomb?); "
                                    "it was not read.")
        documents = list(yaml.load_all(text, Loader=loader))
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        reason = getattr(problem, "problem", None) or "not valid YAML"
        raise RegistryFileError(f"The {what} file is not valid YAML{where}: {reason}.") from None
    except RecursionError:
        raise RegistryFileError(f"The {what} file is nested too deeply; it was not read.") from None
    _check_shape(documents, what)
    return documents


def part_of(document: dict, key: str, what: str, kinds: tuple[type, ...], expected: str, fix: str) -> object:
    """``document[key]`` when it is one of ``kinds``; absent or null is None; a value of another type is refused in
    words naming the file, the key, what it holds and what it should hold.

    >>> part_of({"sources": {}}, "sources", "dbt manifest", (dict,), "an object", "Export it again.")
    {}
    >>> part_of({"sources": "x"}, "sources", "dbt", (dict,), "an object", "Export it again.")
    Traceback (most recent call last):
    core.errors.RegistryFileError: The dbt file's "sources" is the text 'x'; it should be an object. Export it again.
    """
    value = document.get(key)
    if value is None or (isinstance(value, kinds) and not isinstance(value, bool)):
        return value
    raise RegistryFileError(f"The {what} file's \"{key}\" is {described_value(value)}; it should be {expected}. {fix}")


def check_parts(document: object, what: str, parts: Mapping[str, tuple[tuple[type, ...], str]], fix: str) -> None:
    """Each part of a JSON object checked with :func:`part_of`: ``parts`` maps a key to the kinds it may hold and
    what it should be, in words. Anything but an object has no parts to check (the reader refuses it as a whole).

    >>> check_parts({"connections": 3}, "Airbyte", {"connections": ((list,), "a list")}, "Export again.")
    Traceback (most recent call last):
    core.errors.RegistryFileError: The Airbyte file's "connections" is the number 3; it should be a list. Export again.
    """
    if isinstance(document, dict):
        for key, (kinds, expected) in parts.items():
            part_of(document, key, what, kinds, expected, fix)


def items_of(value: object, depth: int = 3) -> list:
    """The records of an API answer as people save it: a list, ``{"data": [...]}`` or ``{"data": {"items": [...]}}``
    (Fivetran), ``{"items": [...]}``, the answer about one record (``{"data": {...}}``) or that record itself, and
    a list of such answers; anything else has none.

    >>> items_of({"code": "Success", "data": {"items": [{"id": "c1"}], "next_cursor": None}})
    [{'id': 'c1'}]
    >>> items_of({"code": "Success", "data": {"id": "d1"}}), items_of([{"data": {"id": "d1"}}, {"id": "d2"}])
    ([{'id': 'd1'}], [{'id': 'd1'}, {'id': 'd2'}])
    >>> items_of("text"), items_of({"data": None})
    ([], [])
    """
    def is_answer(item: object) -> bool:
        return isinstance(item, dict) and ("data" in item or "items" in item)

    if is_answer(value):
        return items_of(value.get("data", value.get("items")), depth - 1) if depth else []
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [record for item in value for record in (items_of(item, depth - 1) if is_answer(item) else [item])]
    return []


def rows_to_report(rows: Iterable[SourceRow], fmt: str, *, max_rows: int | None = None,
                   notes: Iterable[str] = ()) -> ImportReport:
    """Validate the rows a description file gave, as CSV rows are validated, into the import report.

    Row numbers count the records in file order from 1; each problem also says where the record is in the file.

    Raises:
        RegistryFileError: when there are more rows than the row limit.
    """
    limit = row_limit() if max_rows is None else max_rows
    report = ImportReport(format=fmt, encoding="utf-8", delimiter="", notes=list(notes))
    first_of_id: dict[str, tuple[int, str]] = {}
    for number, row in enumerate(rows, start=1):
        report.rows_read += 1
        check_row_count(report.rows_read, limit)
        integration, errors = parse_registry_row(dict(row.cells), number, dict(row.extra))
        if integration is not None and integration.id in first_of_id:
            earlier, earlier_where = first_of_id[integration.id]
            errors = [RowError(number, "id", integration.id,
                               f"{row.external_id} appears twice: here and at {earlier_where}",
                               "Keep one of the two records in the export.")]
            integration = None
        report.errors.extend(replace(e, where=row.where, fix=row.fixes.get(e.column, e.fix)) for e in errors)
        if integration is not None:
            first_of_id[integration.id] = (number, row.where)
            report.accepted.append(integration)
            report.origins[integration.id] = RowOrigin(row.external_id, row.where)
    return report
