"""Upload size and row-count limits (overridable by IGOV_MAX_UPLOAD_MB / IGOV_MAX_ROWS), checked before any work."""

from __future__ import annotations

import math
import os

from core.errors import ConfigError, RegistryFileError

MB = 1024 * 1024  # Streamlit's server.maxUploadSize counts megabytes the same way
DEFAULT_MAX_UPLOAD_MB = 50  # matches server.maxUploadSize in .streamlit/config.toml
MAX_ROWS = 200_000
UPLOAD_ENV = "IGOV_MAX_UPLOAD_MB"
ROWS_ENV = "IGOV_MAX_ROWS"


def _positive_whole_number(name: str, default: int, unit: str) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw.replace("_", ""))
    except ValueError:
        value = 0
    if value < 1:
        raise ConfigError(f"{name} must be a whole number of {unit} of 1 or more, e.g. {default}; it is '{raw}'.")
    return value


def upload_limit_mb() -> int:
    """The largest registry file accepted, in megabytes: ``IGOV_MAX_UPLOAD_MB`` or 50.

    >>> upload_limit_mb() == int(os.environ.get("IGOV_MAX_UPLOAD_MB") or DEFAULT_MAX_UPLOAD_MB)
    True

    Returns:
        Whole megabytes (1 MB = 1,048,576 bytes), 1 or more; pass it to ``st.file_uploader(max_upload_size=...)``.

    Raises:
        ConfigError: when the variable is set to something other than a whole number of 1 or more.
    """
    return _positive_whole_number(UPLOAD_ENV, DEFAULT_MAX_UPLOAD_MB, "megabytes")


def row_limit() -> int:
    """The most data rows one registry file may hold: ``IGOV_MAX_ROWS`` or 200,000.

    >>> row_limit() == int(os.environ.get("IGOV_MAX_ROWS") or MAX_ROWS)
    True

    Returns:
        A whole number of rows, 1 or more.

    Raises:
        ConfigError: when the variable is set to something other than a whole number of 1 or more.
    """
    return _positive_whole_number(ROWS_ENV, MAX_ROWS, "rows")


def check_upload_size(size_bytes: int, limit_mb: int | None = None) -> None:
    """Refuse a file larger than the upload limit, before anything reads it.

    >>> check_upload_size(10 * MB, limit_mb=50)
    >>> try:
    ...     check_upload_size(200 * MB, limit_mb=50)
    ... except RegistryFileError as error:
    ...     print(error)
    The file is 200.0 MB; the limit is 50 MB. Split the registry or raise IGOV_MAX_UPLOAD_MB.

    Args:
        size_bytes: the file's size (``os.stat(...).st_size``, ``UploadedFile.size`` or ``len(data)``).
        limit_mb: the limit in megabytes; ``None`` means :func:`upload_limit_mb`.

    Raises:
        RegistryFileError: when the file is larger than the limit.
    """
    limit = upload_limit_mb() if limit_mb is None else limit_mb
    if size_bytes > limit * MB:
        # Rounded up, so a file just over the limit never reads as "50.0 MB; the limit is 50 MB".
        shown = math.ceil(size_bytes / MB * 10) / 10
        raise RegistryFileError(
            f"The file is {shown:.1f} MB; the limit is {limit} MB. Split the registry or raise {UPLOAD_ENV}."
        )


def check_row_count(rows: int, limit: int | None = None) -> None:
    """Refuse a registry with more data rows than the limit (called while reading, row by row).

    >>> check_row_count(200_000, limit=200_000)
    >>> try:
    ...     check_row_count(200_001, limit=200_000)
    ... except RegistryFileError as error:
    ...     print(error)
    The file has more than 200,000 rows; the limit is 200,000. Split the registry or raise IGOV_MAX_ROWS.

    Args:
        rows: data rows read so far (blank lines not counted).
        limit: the most rows allowed; ``None`` means :func:`row_limit`.

    Raises:
        RegistryFileError: when ``rows`` is over the limit.
    """
    limit = row_limit() if limit is None else limit
    if rows > limit:
        raise RegistryFileError(
            f"The file has more than {limit:,} rows; the limit is {limit:,}. Split the registry or raise {ROWS_ENV}."
        )
