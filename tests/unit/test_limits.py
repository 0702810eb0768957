"""Upload size and row limits: clear messages, configurable, and a huge file refused before it is read."""

from __future__ import annotations

import pathlib
import tracemalloc

import pytest

import core.cli
import core.domain.registry_cells
import core.domain.registry_csv
from core.cli import main
from core.domain.limits import (
    MB,
    check_row_count,
    check_upload_size,
    row_limit,
    upload_limit_mb,
)
from core.domain.registry_csv import read_registry_csv
from core.errors import ConfigError, RegistryFileError
from core.services.registry import read_registry_path

HEADER = "name,source_system,target_system,data_objects,owner_team"


def registry_bytes(rows: int, blank_every: int = 0) -> bytes:
    lines = [HEADER]
    for n in range(rows):
        if blank_every and n % blank_every == 0:
            lines.append("")
        lines.append(f"Sync {n},Salesforce,Stripe,Opportunity,Sales Ops")
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.fixture
def sparse_200mb_file(tmp_path) -> pathlib.Path:
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:
        handle.truncate(200 * MB)  # sparse: no disk space, and nothing in memory unless read
    return path


@pytest.fixture(autouse=True)
def default_limits(monkeypatch):
    monkeypatch.delenv("IGOV_MAX_UPLOAD_MB", raising=False)
    monkeypatch.delenv("IGOV_MAX_ROWS", raising=False)


# ----------------------------------------------------------------------------- configuration


def test_defaults_are_50_megabytes_and_200000_rows():
    assert (upload_limit_mb(), row_limit()) == (50, 200_000)


def test_environment_variables_override_the_defaults(monkeypatch):
    monkeypatch.setenv("IGOV_MAX_UPLOAD_MB", " 120 ")
    monkeypatch.setenv("IGOV_MAX_ROWS", "500_000")

    limits = (upload_limit_mb(), row_limit())

    assert limits == (120, 500_000)


@pytest.mark.parametrize("raw", ["abc", "0", "-5", "1.5", "50MB"])
def test_an_invalid_upload_limit_is_named_with_its_value(monkeypatch, raw):
    monkeypatch.setenv("IGOV_MAX_UPLOAD_MB", raw)

    with pytest.raises(ConfigError) as raised:
        upload_limit_mb()

    assert str(raised.value) == (
        f"IGOV_MAX_UPLOAD_MB must be a whole number of megabytes of 1 or more, e.g. 50; it is '{raw}'.")


def test_an_invalid_row_limit_is_named_with_its_value(monkeypatch):
    monkeypatch.setenv("IGOV_MAX_ROWS", "lots")

    with pytest.raises(ConfigError) as raised:
        row_limit()

    assert str(raised.value) == "IGOV_MAX_ROWS must be a whole number of rows of 1 or more, e.g. 200000; it is 'lots'."


# ----------------------------------------------------------------------------- size


def test_a_file_over_the_size_limit_is_refused_with_its_size_and_the_limit():
    with pytest.raises(RegistryFileError) as raised:
        check_upload_size(200 * MB)

    assert str(raised.value) == (
        "The file is 200.0 MB; the limit is 50 MB. Split the registry or raise IGOV_MAX_UPLOAD_MB.")


def test_a_file_just_over_the_limit_never_reads_as_equal_to_it():
    with pytest.raises(RegistryFileError) as raised:
        check_upload_size(50 * MB + 1)

    assert str(raised.value).startswith("The file is 50.1 MB; the limit is 50 MB.")


def test_a_file_of_exactly_the_limit_is_accepted():
    check_upload_size(50 * MB)


def test_the_reader_refuses_bytes_over_the_configured_limit(monkeypatch):
    monkeypatch.setenv("IGOV_MAX_UPLOAD_MB", "1")
    data = registry_bytes(1) + b" " * MB

    with pytest.raises(RegistryFileError) as raised:
        read_registry_csv(data)

    assert str(raised.value) == "The file is 1.1 MB; the limit is 1 MB. Split the registry or raise IGOV_MAX_UPLOAD_MB."


def test_a_sparse_200_mb_file_is_refused_from_its_size_without_being_read(sparse_200mb_file, monkeypatch):
    def no_reading(*args, **kwargs):
        raise AssertionError("the file was opened")

    monkeypatch.setattr(pathlib.Path, "open", no_reading)
    tracemalloc.start()

    with pytest.raises(RegistryFileError) as raised:
        read_registry_path(sparse_200mb_file)

    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert str(raised.value) == (
        "The file is 200.0 MB; the limit is 50 MB. Split the registry or raise IGOV_MAX_UPLOAD_MB.")
    assert peak < 10 * MB, peak  # never read: no copy of the file in memory


def test_a_file_under_the_limit_is_read_whole(tmp_path):
    path = tmp_path / "registry.csv"
    path.write_bytes(registry_bytes(3))

    data = read_registry_path(path)

    assert data == registry_bytes(3)


def test_igov_validate_refuses_a_200_mb_file_without_reading_it(sparse_200mb_file, capsys):
    tracemalloc.start()

    code = main(["validate", str(sparse_200mb_file)])

    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert code == 1
    assert capsys.readouterr().err.strip() == (
        "igov: The file is 200.0 MB; the limit is 50 MB. Split the registry or raise IGOV_MAX_UPLOAD_MB.")
    assert peak < 10 * MB, peak


# ----------------------------------------------------------------------------- rows


def test_more_rows_than_the_limit_is_a_file_level_refusal():
    data = registry_bytes(6)

    with pytest.raises(RegistryFileError) as raised:
        read_registry_csv(data, max_rows=5)

    assert str(raised.value) == (
        "The file has more than 5 rows; the limit is 5. Split the registry or raise IGOV_MAX_ROWS.")


def test_exactly_the_row_limit_is_read_and_blank_lines_do_not_count():
    data = registry_bytes(5, blank_every=2)

    report = read_registry_csv(data, max_rows=5)

    assert (report.rows_read, len(report.accepted)) == (5, 5)


def test_the_row_limit_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("IGOV_MAX_ROWS", "2")

    with pytest.raises(RegistryFileError) as raised:
        read_registry_csv(registry_bytes(3))

    assert str(raised.value).startswith("The file has more than 2 rows; the limit is 2.")


@pytest.mark.parametrize("fast", [True, False], ids=["well-formed-path", "record-path"])
def test_reading_stops_at_the_first_row_over_the_limit(monkeypatch, fast):
    # Row n has build_hours n: a spy on the hours parser (both reading paths parse cells with _FIELD_PARSERS)
    # sees which rows were validated. None past the limit may be, and the file is refused.
    lines = [f"{HEADER},build_hours",
             *(f"Sync {n},Salesforce,Stripe,Opportunity,Sales Ops,{n}" for n in range(1, 50_001))]
    seen = []
    parse_hours, fix = core.domain.registry_cells._FIELD_PARSERS["build_hours"]
    monkeypatch.setitem(core.domain.registry_cells._FIELD_PARSERS, "build_hours",
                        (lambda text, *notation: seen.append(int(text)) or parse_hours(text, *notation), fix))
    if not fast:
        monkeypatch.setattr(core.domain.registry_csv, "_read_well_formed", lambda *args, **kwargs: None)

    with pytest.raises(RegistryFileError) as raised:
        read_registry_csv(("\n".join(lines) + "\n").encode(), max_rows=10)

    assert str(raised.value).startswith("The file has more than 10 rows; the limit is 10.")
    assert [n for n in seen if n > 10] == []
    # The well-formed path counts the rows before it validates any; the record path validates rows as it goes.
    assert sorted(seen) == ([] if fast else list(range(1, 11)))


def test_check_row_count_allows_the_limit_itself():
    check_row_count(200_000)

    with pytest.raises(RegistryFileError):
        check_row_count(200_001)
