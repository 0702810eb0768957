"""Limits on what is read: upload size, rows, header width, backup size (some set by environment variables).

Each is checked before the work it bounds, so a small hostile file cannot cost minutes or gigabytes.
"""

from __future__ import annotations

import math
import os

from core.errors import ConfigError, RegistryFileError

MB = 1024 * 1024  # Streamlit's server.maxUploadSize counts megabytes the same way
DEFAULT_MAX_UPLOAD_MB = 50  # matches server.maxUploadSize in .streamlit/config.toml
MAX_ROWS = 200_000
DEFAULT_MAX_RESTORE_MB = 512  # a backup's size once decompressed; a 100,000-row registry with its history is ~300
UPLOAD_ENV = "IGOV_MAX_UPLOAD_MB"
ROWS_ENV = "IGOV_MAX_ROWS"
RESTORE_ENV = "IGOV_MAX_RESTORE_MB"
# The most each variable may be set to: past these the numbers stop meaning anything (a file is read into memory
# whole) and some would not even fit the integers the readers take (an OverflowError instead of a message).
CEILINGS = {UPLOAD_ENV: 4_096, ROWS_ENV: 10_000_000, RESTORE_ENV: 65_536}
# The header of a registry file: far beyond any real sheet (the canonical format has 28 columns), far below what
# would cost seconds to look at. A header of 100,000 empty columns is refused before any parsing.
MAX_COLUMNS = 1_000
MAX_HEADER_CHARS = 100_000


def _positive_whole_number(name: str, default: int, unit: str) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw.replace("_", "")) if len(raw) <= 40 else 0
    except ValueError:
        value = 0
    if value < 1:
        raise ConfigError(f"{name} must be a whole number of {unit} of 1 or more, e.g. {default}; it is '{raw[:40]}'.")
    if value > CEILINGS[name]:
        raise ConfigError(f"{name} is {value:,}, more than the {CEILINGS[name]:,} {unit} this igov allows. "
                          f"Set it to {CEILINGS[name]:,} or less (the default is {default:,}).")
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


def restore_limit_mb() -> int:
    """The most a backup may expand to when restored, in megabytes: ``IGOV_MAX_RESTORE_MB`` or 512.

    >>> restore_limit_mb() == int(os.environ.get("IGOV_MAX_RESTORE_MB") or DEFAULT_MAX_RESTORE_MB)
    True

    Raises:
        ConfigError: when the variable is set to something other than a whole number from 1 to 65,536.
    """
    return _positive_whole_number(RESTORE_ENV, DEFAULT_MAX_RESTORE_MB, "megabytes")


def check_header_size(header_line: str, delimiter: str) -> None:
    """Refuse a header too long or with too many columns, from its text, before it is split into cells.

    >>> check_header_size("name,source_system", ",")
    >>> try:
    ...     check_header_size("name" + "," * 5000, ",")
    ... except RegistryFileError as error:
    ...     print(error)  # doctest: +NORMALIZE_WHITESPACE
    The header (the first row) has 5,001 columns; the limit is 1,000. Delete the empty or unused columns to the
    right of the last one you need, then save the file again as CSV.

    Args:
        header_line: the file's first line with something on it.
        delimiter: the delimiter the reader will split it on.

    Raises:
        RegistryFileError: naming the length or the number of columns, and the limit.
    """
    if len(header_line) > MAX_HEADER_CHARS:
        raise RegistryFileError(
            f"The header (the first row) is {len(header_line):,} characters long; the limit is {MAX_HEADER_CHARS:,}. "
            "Check that the first row names the columns, and that no quote mark (\") in it is left open.")
    columns = header_line.count(delimiter) + 1
    if columns > MAX_COLUMNS:
        raise RegistryFileError(
            f"The header (the first row) has {columns:,} columns; the limit is {MAX_COLUMNS:,}. Delete the empty or "
            "unused columns to the right of the last one you need, then save the file again as CSV.")


def megabytes_over(size_bytes: int) -> float:
    """A size over a limit in megabytes to one decimal, rounded up: just over 50 MB never reads as "50.0 MB".

    >>> megabytes_over(50 * MB + 1), megabytes_over(3 * MB)
    (50.1, 3.0)
    """
    return math.ceil(size_bytes / MB * 10) / 10


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
        raise RegistryFileError(f"The file is {megabytes_over(size_bytes):.1f} MB; the limit is {limit} MB. "
                                f"Split the registry or raise {UPLOAD_ENV}.")


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
