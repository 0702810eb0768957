"""Registry actions: check a file, import it, load the sample, edit, add, export; the same for the page and the CLI."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from core.domain.access import Actor, require_editor
from core.domain.filters import RegistryFilter, filter_integrations, filter_options
from core.domain.limits import MB, UPLOAD_ENV, check_upload_size, megabytes_over, upload_limit_mb
from core.errors import RegistryFileError
from core.domain.registry import Approach, Complexity, Direction, Integration, Status, Tier, Timeliness
from core.domain.registry_cells import CANONICAL_COLUMNS, REQUIRED_COLUMNS, ImportReport, RowError
from core.domain.header_hints import map_columns_not_in, parse_column_map
from core.domain.registry_cells import RowOrigin
from core.domain.registry_csv import read_registry_csv
from core.domain.sources import FORMAT_CHOICES, FORMATS, UPLOAD_EXTENSIONS, detect_format, read_source
from core.domain.registry_edit import RegistryChanges, diff_registry, validate_edited_rows
from core.domain.registry_export import integration_cells, safe_registry_csv, write_registry_csv
from core.reports.figures import registry_reading_rows
from core.reports.paging import page_label, paginate
from core.services.trend import snapshot_portfolio
from core.storage.audit import HistoryEntry, list_history
from core.storage.defaults import sample_registry_bytes
from core.storage.registry_store import (IMPORT_MODES, ImportMode, apply_registry_changes,
    load_integration_versions, load_integrations, preview_import, write_integrations)
from core.storage.source_store import load_column_map, record_sources, save_column_map

__all__ = [
    "CANONICAL_COLUMNS", "FORMATS", "FORMAT_CHOICES", "IMPORT_MODES", "REQUIRED_COLUMNS", "UPLOAD_EXTENSIONS",
    "Approach", "Complexity", "Direction", "EditOutcome", "ImportReport", "Integration", "RegistryFilter", "RowError",
    "CatalogUpload", "MAX_FOLDER_FILES", "Status", "Tier", "Timeliness", "add_integration", "catalog_from_uploads",
    "check_registry_file", "detect_format", "export_registry_csv",
    "filter_integrations", "filter_options", "import_blocked", "import_checked_file", "import_counts_text",
    "import_preview_text",
    "import_registry_file",
    "MAPPED_FORMATS", "integration_cells", "integration_history", "load_registry", "load_sample_registry",
    "map_columns_not_in",
    "page_label", "paginate",
    "no_rows_text", "parse_column_map", "registry_reading_rows",
    "preview_import", "read_registry_path", "read_registry_source", "registry_versions", "remembered_column_map",
    "save_registry_edits", "upload_limit_mb",
]


def read_registry_path(path: str | os.PathLike) -> bytes:
    """Read a registry file from disk, refusing one over the upload limit before reading a byte of it.

    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile(suffix=".csv", delete=False) as handle:
    ...     _ = handle.write(b"name\\n")
    >>> read_registry_path(handle.name)
    b'name\\n'
    >>> os.remove(handle.name)

    Raises:
        RegistryFileError: when the file is larger than the upload limit.
        OSError: as ``open`` raises it (``FileNotFoundError``, ``IsADirectoryError``, ...), for the caller to word.
    """
    limit = upload_limit_mb()
    check_upload_size(os.stat(path).st_size, limit)
    # Never more than limit + 1 bytes, even from a pipe or a file that grows while it is read.
    with Path(path).open("rb") as handle:
        data = handle.read(limit * MB + 1)
    check_upload_size(len(data), limit)
    return data


MAX_FOLDER_FILES = 2000  # catalog files read from one folder
CATALOG_SUFFIXES = (".yaml", ".yml")  # what a Backstage catalog folder is read from


def _refuse_oversized_catalog(count: int, total_bytes: int, limit_mb: int, *, where: str = "", fix: str) -> None:
    """One wording for a Backstage catalog over the upload limit, read from a folder or uploaded on the page."""
    if total_bytes > limit_mb * MB:
        raise RegistryFileError(f"The catalog's {count:,} files{where} are {megabytes_over(total_bytes):.1f} MB "
                                f"together; the limit is {limit_mb} MB. {fix}, or raise {UPLOAD_ENV}.")


def read_registry_source(path: str | os.PathLike) -> bytes | dict[str, bytes]:
    """A registry source from disk: a file's bytes, or for a folder (a Backstage catalog) its YAML files by path.

    Raises:
        RegistryFileError: when a file, or the folder's files together, are larger than the upload limit, or the
            folder has no YAML file or too many.
        OSError: as ``open`` raises it, for the caller to word.
    """
    folder = Path(path)
    if not folder.is_dir():
        return read_registry_path(path)
    catalog: list[Path] = []
    for file in folder.rglob("*"):  # stops at one file over the count: a folder like / is not listed in full
        if file.suffix.lower() in CATALOG_SUFFIXES and file.is_file():
            if len(catalog) >= MAX_FOLDER_FILES:
                raise RegistryFileError(f"{folder} holds more than {MAX_FOLDER_FILES:,} YAML files; point at the "
                                        "catalog's own folder.")
            catalog.append(file)
    if not catalog:
        raise RegistryFileError(f"{folder} is a folder without .yaml or .yml files. Give a registry file, or the "
                                "folder of a Backstage catalog.")
    _refuse_oversized_catalog(len(catalog), sum(file.stat().st_size for file in catalog), upload_limit_mb(),
                              where=f" in {folder}", fix="Point at the catalog's own folder")
    return {str(file.relative_to(folder)): read_registry_path(file) for file in sorted(catalog)}


LOOSE_CATALOG_NAME = "catalog files"  # the source name of catalog files uploaded without their folder


@dataclass(frozen=True, slots=True)
class CatalogUpload:
    """Files uploaded together, as one Backstage catalog: its source name and its files by path inside it."""

    name: str
    files: dict[str, bytes]

    def summary(self, shown: int = 10) -> str:
        """The files in words, for the upload to show what it read.

        >>> CatalogUpload("backstage", {"apis.yaml": b"", "components.yaml": b""}).summary()
        "2 YAML file(s) from the folder 'backstage': apis.yaml, components.yaml."
        """
        names = sorted(self.files)
        listed = ", ".join(names[:shown]) + (f" and {len(names) - shown:,} more" if len(names) > shown else "")
        folder = "" if self.name in (LOOSE_CATALOG_NAME, *names) else f" from the folder '{self.name}'"
        return f"{len(names):,} YAML file(s){folder}: {listed}."


def catalog_from_uploads(uploads: Iterable[tuple[str, bytes]], *, limit_mb: int | None = None) -> CatalogUpload:
    """Several uploaded YAML files (a folder, or files picked together) as one Backstage catalog, within the limits.

    The browser names a folder's files by their path under it: the catalog then takes the folder's name, as
    ``igov import FOLDER`` does, and its files their paths inside it, so a re-import of the same folder (from the
    page or the CLI) updates its rows and flags those it no longer has. Files picked one by one have no folder:
    they are "catalog files" (one file alone keeps its own name, as the one-file upload does).

    >>> catalog = catalog_from_uploads([("backstage/apis.yaml", b"kind: API"), ("backstage/web/c.yml", b"kind: X")])
    >>> catalog.name, sorted(catalog.files)
    ('backstage', ['apis.yaml', 'web/c.yml'])
    >>> catalog_from_uploads([("apis.yaml", b""), ("components.yaml", b"")]).name
    'catalog files'
    >>> try:
    ...     catalog_from_uploads([("backstage/apis.yaml", b""), ("backstage/registry.csv", b"")])
    ... except RegistryFileError as error:
    ...     print(error)  # doctest: +NORMALIZE_WHITESPACE
    backstage/registry.csv is not a YAML file: a Backstage catalog is read from .yaml and .yml files only. Leave it
    out, or upload it on its own as one file.

    Args:
        uploads: (name as uploaded, bytes) of each file.
        limit_mb: the most all files may hold together, in megabytes; ``None`` means the upload limit.

    Raises:
        RegistryFileError: naming the file, for a file that is not YAML or is given twice; and for no file, more
            than :data:`MAX_FOLDER_FILES` files, or files larger together than the upload limit (as for a folder
            given to the CLI).
    """
    limit = upload_limit_mb() if limit_mb is None else limit_mb
    uploads = list(uploads)  # already in memory: the browser sent them
    if len(uploads) > MAX_FOLDER_FILES:
        raise RegistryFileError(f"The catalog has {len(uploads):,} files; at most {MAX_FOLDER_FILES:,} are read. "
                                "Upload the catalog's own folder.")
    _refuse_oversized_catalog(len(uploads), sum(len(data) for _, data in uploads), limit,
                              fix="Upload the catalog's own folder")
    named: dict[str, bytes] = {}
    for name, data in uploads:
        name = name.replace("\\", "/").removeprefix("./")
        if not name.lower().endswith(CATALOG_SUFFIXES):
            raise RegistryFileError(f"{name} is not a YAML file: a Backstage catalog is read from .yaml and .yml "
                                    "files only. Leave it out, or upload it on its own as one file.")
        if name in named:
            raise RegistryFileError(f"{name} is given twice. Remove one of them, then the catalog is read again.")
        named[name] = bytes(data)
    if not named:
        raise RegistryFileError("No catalog file was given: choose the catalog's folder, or its YAML files.")
    folders = {name.split("/", 1)[0] if "/" in name else "" for name in named}
    if len(folders) == 1 and "" not in folders:
        folder = folders.pop()
        return CatalogUpload(folder, {name.split("/", 1)[1]: data for name, data in named.items()})
    return CatalogUpload(next(iter(named)) if len(named) == 1 else LOOSE_CATALOG_NAME, named)


def check_registry_file(
    data: bytes | Mapping[str, bytes], *, size: int | None = None, fmt: str = "auto", filename: str = "",
    column_map: Mapping[str, str] | None = None, sheet: str | None = None,
) -> ImportReport:
    """Everything a file would bring in, and every problem in it; nothing is written.

    Args:
        data: the file's bytes (or a Backstage catalog folder's files by name).
        size: the size the upload reported, checked against the limit before the bytes are read.
        fmt: the format (``auto``: decided from the content and the file name), see :data:`FORMAT_CHOICES`.
        filename: the file's name, for ``auto``.
        column_map: file column -> registry field, for CSV and workbook headers the importer does not know.
        sheet: the workbook sheet to read (default: the first with the header).

    Raises:
        RegistryFileError: when the file as a whole is unusable (too large, empty, binary, no header);
            MissingColumnsError when required columns are missing, with the file's columns that look like them.
    """
    if isinstance(data, (bytes, bytearray)):
        check_upload_size(len(data) if size is None else size)
    return read_source(data, fmt, filename=filename, column_map=column_map, sheet=sheet)


def import_blocked(report: ImportReport, strict: bool) -> bool:
    """Whether nothing may be imported: no valid row, or ``strict`` and any row with a problem (the one rule)."""
    return (strict and bool(report.errors)) or not report.accepted


def import_checked_file(
    engine: Engine, report: ImportReport, mode: ImportMode = "merge", *, strict: bool = False, actor: Actor,
    progress: Callable[[float, str], None] | None = None, source_name: str | None = None,
    column_map: Mapping[str, str] | None = None,
) -> dict[str, int] | None:
    """Write a checked file's valid rows in one transaction, or nothing when :func:`import_blocked`.

    Args:
        source_name: the file, folder or tool the rows were read from. Given, each row also records where it came
            from (format, source, external id, now as last seen), and the rows an earlier import of the same source
            had but this one has not are flagged "not seen since" (never deleted): in the same transaction.
        column_map: the mapping of file columns to fields the report was read with; with ``source_name``, it is
            remembered for that source (:func:`remembered_column_map`).

    Returns:
        ``{"inserted", "updated", "unchanged", "deleted"}`` counts (with ``source_name`` also ``"unseen"``: rows of
        that source the file no longer has), or ``None`` when nothing was written.

    Raises:
        PermissionDenied: when the actor is a viewer.
    """
    require_editor(actor)
    if import_blocked(report, strict):
        return None
    sources: dict[str, int] = {}
    also = None
    if source_name is not None:
        origins = report.origins or {i.id: RowOrigin(i.id) for i in report.accepted}
        origins = {i.id: origins.get(i.id, RowOrigin(i.id)) for i in report.accepted}

        def also(session) -> bool:
            sources.update(record_sources(session, fmt=report.format, name=source_name, origins=origins,
                                          rejected={e.row_id.strip() for e in report.errors if e.row_id.strip()}))
            if column_map:
                save_column_map(session, source_name, column_map, actor.name)
            return bool(sources["new"] or sources["flagged"])

    counts = write_integrations(engine, report.accepted, mode, actor=actor, progress=progress, also=also)
    if counts["inserted"] or counts["updated"] or counts["deleted"]:
        snapshot_portfolio(engine, cause=f"{mode} import" + (f" of {source_name}" if source_name else ""))
    if source_name is not None:
        counts["unseen"] = sources.get("unseen", 0)
    return counts


# The formats read from a header row of the file's own column names: those a column map (--map, the upload's
# mapping step) applies to.
MAPPED_FORMATS = ("csv", "xlsx")


def no_rows_text(report: ImportReport) -> str:
    """Why a file with no data rows cannot be imported: the CLI's error and the Registry page's warning.

    >>> no_rows_text(ImportReport(format="csv"))
    'The file has a header but no data rows: there is nothing to import. Add one row per integration, then run again.'
    """
    what = "a header but no data rows" if report.format in MAPPED_FORMATS else "no integration in it"
    return f"The file has {what}: there is nothing to import. Add one row per integration, then run again."


def import_counts_text(counts: Mapping[str, int]) -> str:
    """What an import did, in words: the CLI's and the Registry page's confirmation.

    >>> import_counts_text({"inserted": 0, "updated": 0, "unchanged": 12, "deleted": 0})
    '0 added, 0 updated, 12 unchanged, 0 removed'
    """
    return (f"{counts['inserted']:,} added, {counts['updated']:,} updated, {counts.get('unchanged', 0):,} unchanged, "
            f"{counts['deleted']:,} removed")


def import_preview_text(counts: Mapping[str, int]) -> str:
    """What an import would do, in words, before it is confirmed.

    >>> import_preview_text({"inserted": 2, "updated": 1, "unchanged": 12, "deleted": 0})
    'This will add 2, update 1, leave 12 unchanged and remove 0 integration(s).'
    """
    return (f"This will add {counts['inserted']:,}, update {counts['updated']:,}, leave {counts.get('unchanged', 0):,} "
            f"unchanged and remove {counts['deleted']:,} integration(s).")


def import_registry_file(
    engine: Engine, data: bytes | Mapping[str, bytes], mode: ImportMode = "merge", *, strict: bool = False,
    actor: Actor, fmt: str = "auto", filename: str = "", column_map: Mapping[str, str] | None = None,
    sheet: str | None = None, source_name: str | None = None,
) -> tuple[ImportReport, dict[str, int] | None]:
    """Check a file and write its valid rows (all rows or none with ``strict``): ``igov import``.

    Raises:
        PermissionDenied: when the actor is a viewer (checked before the file is read).
    """
    require_editor(actor)
    report = check_registry_file(data, fmt=fmt, filename=filename, column_map=column_map, sheet=sheet)
    return report, import_checked_file(engine, report, mode, strict=strict, actor=actor, source_name=source_name,
                                       column_map=column_map)


def remembered_column_map(engine: Engine, source_name: str) -> dict[str, str]:
    """The column mapping the last import of this source (file name) used, to fill in the mapping step."""
    return load_column_map(engine, source_name)


def load_sample_registry(engine: Engine, *, actor: Actor) -> dict[str, int]:
    """Replace the registry with the shipped sample (the empty-state button).

    Raises:
        PermissionDenied: when the actor is a viewer.
    """
    require_editor(actor)
    counts = write_integrations(engine, read_registry_csv(sample_registry_bytes()).accepted, "replace", actor=actor)
    snapshot_portfolio(engine, cause="sample registry loaded")
    return counts


def load_registry(engine: Engine) -> list[Integration]:
    """Every integration, ordered by id."""
    return load_integrations(engine)


def registry_versions(engine: Engine) -> dict[str, int]:
    """The stored version of every integration: what an editor saw when the table was opened."""
    return load_integration_versions(engine)


@dataclass(frozen=True, slots=True)
class EditOutcome:
    """What saving the edited table did: the problems that stopped it, or the changes written (maybe none)."""

    errors: tuple[RowError, ...] = ()
    changes: RegistryChanges = RegistryChanges()

    @property
    def saved(self) -> bool:
        return not self.errors and not self.changes.is_empty


def save_registry_edits(
    engine: Engine, shown: Sequence[Integration], rows: Sequence[Mapping[str, object]],
    seen_versions: Mapping[str, int], *, actor: Actor, overwrite: bool = False,
) -> EditOutcome:
    """Check the edited table like a file and write what changed, refusing to overwrite a newer save.

    Args:
        engine: the database.
        shown: the integrations the table started from.
        rows: the table as edited, one mapping of column -> cell per row.
        seen_versions: the versions read when editing began.
        actor: who saves.
        overwrite: save over newer rows (the "Overwrite with my edits" answer to a conflict).

    Raises:
        EditConflict: naming who changed which integration since; nothing was written.
        PermissionDenied: when the actor is a viewer.
    """
    values, errors = validate_edited_rows(rows, extras={i.id: i.extra for i in shown})
    if errors:
        return EditOutcome(errors=tuple(errors))
    changes = diff_registry(shown, values)
    if not changes.is_empty:
        # Overwriting checks against the versions stored now, not the ones seen when editing began.
        versions = load_integration_versions(engine) if overwrite else seen_versions
        changes = apply_registry_changes(engine, changes, dict(versions), actor=actor)
        if not changes.is_empty:
            snapshot_portfolio(engine, cause="registry edit")
    return EditOutcome(changes=changes)


def add_integration(engine: Engine, cells: Mapping[str, object], *, actor: Actor) -> EditOutcome:
    """Add one integration typed in a form, checked like an edited row."""
    values, errors = validate_edited_rows([cells])
    if errors:
        return EditOutcome(errors=tuple(errors))
    changes = apply_registry_changes(engine, RegistryChanges(added=tuple(values)), {}, actor=actor)
    snapshot_portfolio(engine, cause=f"added {values[0].id}")
    return EditOutcome(changes=changes)


def export_registry_csv(integrations: Iterable[Integration], *, safe: bool = True) -> str:
    """The registry as canonical CSV; ``safe`` puts ``'`` before cells a spreadsheet would run as a formula."""
    return safe_registry_csv(integrations) if safe else write_registry_csv(integrations)


def integration_history(engine: Engine, integration_id: str, limit: int = 200) -> list[HistoryEntry]:
    """The recorded changes of one integration, newest first (a deleted one's too)."""
    return list_history(engine, entity="integration", entity_id=integration_id, limit=limit)
