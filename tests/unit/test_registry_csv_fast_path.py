"""The column-by-column reader of well-formed files gives exactly the report of the record-by-record reader."""

from __future__ import annotations

import csv
import gc
import io
from unittest import mock

import pytest

import core.domain.registry_csv as registry_csv
from bench.generate import generate_registry
from core.domain.registry import FIELD_NAMES, Integration, integrations_from_columns
from core.domain.registry_csv import read_registry_csv
from core.errors import RegistryFileError
from tests.conftest import DATA_DIR, EXAMPLES_DIR


def outcome(data: bytes, max_rows: int | None = None) -> tuple:
    """Everything a read gives: the whole report (values with their extra columns, errors, counts) or the refusal."""
    try:
        report = read_registry_csv(data, max_rows=max_rows)
    except RegistryFileError as error:
        return ("refused", str(error))
    # repr shows every field and the type of each value (a str-valued enum would compare equal to its text).
    return ("report", [repr(i) for i in report.accepted], report.accepted, report.errors, report.rows_read,
            report.unknown_columns, report.column_mapping, report.encoding, report.delimiter)


def read_both(data: bytes, max_rows: int | None = None) -> tuple[tuple, tuple, list[str]]:
    """The outcome of read_registry_csv, the outcome of the record-by-record reader alone, and what the fast reader
    did in the first read: ``["report"]``, ``["stepped aside"]``, ``["refused"]`` or ``[]`` (never asked)."""
    fast_reader = registry_csv._read_well_formed
    answers: list[str] = []

    def recording(*args, **kwargs):
        try:
            report = fast_reader(*args, **kwargs)
        except RegistryFileError:
            answers.append("refused")
            raise
        answers.append("stepped aside" if report is None else "report")
        return report

    with mock.patch.object(registry_csv, "_read_well_formed", recording), \
            mock.patch.object(registry_csv, "_FAST_READ_MIN_BYTES", 0):  # small files too
        first = outcome(data, max_rows)
    with mock.patch.object(registry_csv, "_read_well_formed", lambda *args, **kwargs: None):
        exact = outcome(data, max_rows)
    return first, exact, answers


def table(text: str) -> list[list[str]]:
    return [list(row) for row in csv.reader(io.StringIO(text, newline=""))]


def write(rows: list[list[str]], delimiter: str = ",", line_end: str = "\n", encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=line_end).writerows(rows)
    return buffer.getvalue().encode(encoding, errors="replace")


def with_every_row_problem(rows: list[list[str]]) -> list[list[str]]:
    """A generated registry with each kind of row the fast reader hands to parse_registry_row, and blank rows."""
    header, *body = rows
    at = {name: header.index(name) for name in header}
    body[3][at["build_hours"]] = "lots"
    body[5][at["status"]] = "active"
    body[7][at["launched_on"]] = "2024-13-45"
    body[9][at["has_monitoring"]] = "maybe"
    body[11][at["data_objects"]] = ";;"
    body[13][at["id"]] = "INT-" + "x" * 80
    body[15][at["id"]] = body[14][at["id"]]  # a duplicate id
    body[17][at["id"]] = ""  # made from the name...
    body[18][at["id"]], body[18][at["name"]] = "", body[17][at["name"]]  # ...twice the same
    body[19][at["name"]] = " \u00a0 "  # blank to str.strip()
    body[21][at["owner"]] = "'=HYPERLINK(x)"  # a quoted cell: the row is unquoted first
    body[23][at["notes"]] = "  padded  "
    body[25][at["Jira epic"]] = "'@epic"
    body[27] = [""] * len(header)  # a blank row
    body[29] = body[29][:6]  # a short row: the rest empty
    body[31][at["consumers"]] = " ; "
    body[33][at["monthly_tool_cost"]] = "9" * 400  # too large a number
    body[35][at["source_system"]] = ""
    body.insert(40, [])  # an empty line
    return [header, *body]


@pytest.fixture(scope="module")
def generated() -> list[list[str]]:
    return table(generate_registry(300, seed=5)[0])


@pytest.mark.parametrize("path", sorted([*DATA_DIR.glob("*.csv"), *EXAMPLES_DIR.glob("*.csv")]), ids=lambda p: p.name)
def test_the_files_in_data_read_the_same_both_ways(path):
    first, exact, _ = read_both(path.read_bytes())

    assert first == exact


def test_only_files_of_64_kib_or_more_are_read_column_by_column():
    small, large = (generate_registry(rows, seed=1)[0].encode("utf-8") for rows in (20, 400))
    asked = []
    fast_reader = registry_csv._read_well_formed

    with mock.patch.object(registry_csv, "_read_well_formed",
                           lambda text, *args, **kwargs: asked.append(len(text)) or fast_reader(text, *args, **kwargs)):
        read_registry_csv(small)
        read_registry_csv(large)

    assert len(small) < 64 * 1024 <= len(large)
    assert asked == [len(large)]  # the bytes: a plain UTF-8 file is not decoded before pandas reads it


def test_the_sample_registry_is_read_column_by_column():
    first, exact, answers = read_both((DATA_DIR / "sample_registry.csv").read_bytes())

    assert answers == ["report"]
    assert first == exact and first[3] == []


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_registries_are_read_column_by_column_with_the_same_values(seed):
    text, _ = generate_registry(400, seed=seed)

    first, exact, answers = read_both(text.encode("utf-8"))

    assert answers == ["report"]
    assert first == exact and len(first[2]) == 400


@pytest.mark.parametrize(
    ("delimiter", "line_end", "encoding", "fast_reads"),
    [
        (",", "\n", "utf-8", ["report"]),
        # Not UTF-8 (a no-break space is one byte A0): pandas refuses the bytes, then reads the decoded text.
        (";", "\r\n", "cp1252", ["stepped aside", "report"]),
        ("\t", "\n", "utf-16", ["report"]),
        (",", "\r", "utf-8-sig", ["report"]),
    ],
)
def test_rows_with_problems_get_the_same_errors_row_numbers_and_values(generated, delimiter, line_end, encoding,
                                                                       fast_reads):
    data = write(with_every_row_problem(generated), delimiter, line_end, encoding)

    first, exact, answers = read_both(data)

    assert answers == fast_reads
    assert first == exact
    assert {e.column for e in first[3]} >= {"build_hours", "status", "launched_on", "has_monitoring", "data_objects",
                                            "id", "name", "monthly_tool_cost", "source_system"}


@pytest.mark.parametrize(
    "change",
    [
        lambda rows: rows[10].append("surprise"),  # a wide row: pandas refuses the file
        lambda rows: rows[10].append(""),  # wide, but only by an empty cell
        lambda rows: rows.insert(0, []),  # a blank line before the header
        lambda rows: rows[12].__setitem__(2, "Sy\x00nc"),  # a NUL character
        lambda rows: rows[12].__setitem__(2, "x" * 140_000),  # a cell over csv's size limit
        lambda rows: rows[0].__setitem__(0, ""),  # a header cell the exact reader ignores
        lambda rows: rows[0].__setitem__(3, "source"),  # two headers for one column
    ],
    ids=["wide-row", "wide-by-empty-cell", "blank-line-first", "nul", "huge-cell", "empty-header-cell", "two-sources"],
)
def test_unusual_files_read_the_same_either_way(generated, change):
    rows = [list(row) for row in generated]
    change(rows)

    first, exact, _ = read_both(write(rows))

    assert first == exact


def _byte_swapped_after(data: bytes, offset: int, new: bytes) -> bytes:
    at = data.index(b"a", offset)
    return data[:at] + new + data[at + 1:]


@pytest.mark.parametrize(
    ("damage", "fast_reads"),
    [
        # é in Windows-1252, in a UTF-8 file: read as UTF-8, and the exact reader reports the row holding the byte
        (lambda data: _byte_swapped_after(data, len(data) // 2, b"\xe9"), ["stepped aside"]),
        (lambda data: _byte_swapped_after(data, len(data) // 2, b"\xed\xa0\x80"), ["stepped aside"]),
        (lambda data: b"  \t \r\n" + data, []),  # a first line of spaces: the exact reader numbers the rows
        (lambda data: data.replace(b"\n", b"\x0b", 1), ["report"]),  # a vertical tab ends the header in the text
    ],
    ids=["windows-1252-byte", "utf-8-encoded-surrogate", "blank-looking-first-line", "vertical-tab-in-header-line"],
)
def test_files_that_are_not_plain_utf8_read_the_same_either_way(generated, damage, fast_reads):
    data = damage(write(generated))

    first, exact, answers = read_both(data)

    assert first == exact
    assert answers == fast_reads


def test_the_cycle_collector_is_paused_while_reading_column_by_column_and_back_on_after(generated, monkeypatch):
    seen: list[bool] = []
    distinct_values = registry_csv._distinct_values
    monkeypatch.setattr(registry_csv, "_distinct_values",
                        lambda *args: seen.append(gc.isenabled()) or distinct_values(*args))

    first, exact, answers = read_both(write(generated))

    assert answers == ["report"] and first == exact
    assert seen and not any(seen)
    assert gc.isenabled()


@pytest.mark.parametrize(
    "data",
    [b"9" * 400, b"name,source_system,target_system,data_objects,owner_team\n1,2,3,4,5\n", b"True,name\nFalse,x\n",
     b'name,source_system,target_system,data_objects,owner_team\n"A,X,Y,Lead,Ops\n', b"\xef\xbb\xbf\xef\xbb\xbfname\n"],
    ids=["a-number-too-big-for-int64", "numbers-under-a-header", "true-false-header", "unclosed-quote", "two-boms"],
)
def test_what_the_fuzzer_found_reads_the_same_either_way(data):
    first, exact, _ = read_both(data)

    assert first == exact


@pytest.mark.parametrize("max_rows", [1, 299, 300, 301])
def test_the_row_limit_gives_the_same_outcome(generated, max_rows):
    first, exact, answers = read_both(write(generated), max_rows=max_rows)

    assert first == exact
    assert answers == (["refused"] if max_rows < 300 else ["report"])


@pytest.mark.parametrize("max_rows", [299, 300, 301, 302, 303])
def test_the_row_limit_with_blank_rows_gives_the_same_outcome(generated, max_rows):
    rows = [list(row) for row in generated]
    rows[5:5] = [[], [""] * len(rows[0]), [" "]]  # three blank rows, not counted

    first, exact, answers = read_both(write(rows), max_rows=max_rows)

    assert first == exact
    assert first[0] == ("refused" if max_rows < 300 else "report")
    if max_rows == 303:  # the whole file fits in the limit + 1 rows pandas reads: no need for the exact reader
        assert answers == ["report"]


def test_integrations_from_columns_gives_what_the_constructor_gives(generated):
    report = read_registry_csv(write(generated))
    fields = list(FIELD_NAMES)
    columns = {name: [getattr(i, name) for i in report.accepted] for name in fields}

    built = integrations_from_columns(columns)

    assert [repr(i) for i in built] == [repr(Integration(**{n: getattr(i, n) for n in fields}))
                                        for i in report.accepted]


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"id": ["INT-1"], "name": ["A"]}, "no values for source_system, which has no default"),
        ({"id": ["INT-1"], "name": ["A", "B"]}, "name has 2 values, not 1"),
        ({"id": ["INT-1"], "colour": ["red"]}, "not fields of Integration: colour"),
    ],
)
def test_integrations_from_columns_refuses_incomplete_columns(columns, message):
    with pytest.raises(ValueError) as raised:
        integrations_from_columns(columns)

    assert str(raised.value) == message
