"""Fuzzing the CSV reader: any bytes give an import report or one plain file-level message, never a crash."""

from __future__ import annotations

import csv
import io
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.domain.ranges import Range
from core.domain.registry import FIELD_NAMES
from core.domain.registry_cells import CANONICAL_COLUMNS, HEADER_ALIASES, REQUIRED_COLUMNS, ImportReport
from core.domain.registry_csv import read_registry_csv
from core.domain.registry_export import safe_registry_csv, write_registry_csv
from core.errors import RegistryFileError
from tests.unit.test_registry_csv_fast_path import read_both

FUZZ = settings(max_examples=200, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
HEADER_NAMES = [*CANONICAL_COLUMNS, *HEADER_ALIASES, "Integration Name", "Slack channel", ""]
# Cells that reach deep into validation: good values, near misses and edge cases of every parser.
TYPICAL_CELLS = [
    "", " ", "2-3", "2/2.5/3", "1,200", "$150-$180", "€1.200,50", "-5", "5-2", "9" * 400, "1e5", "0.0000001",
    "yes", "No", "maybe", "2024-03-01", "03/01/2024", "2024-13-45", "1 Mar 2024 00:00", "live", "Near real time",
    "one-way", "bidirectional", "Opportunity; Account | Opportunity", ";;", "INT-1", "INT-" + "x" * 80,
    "=SUM(A1:A9)", "'=SUM(A1)", "''-5", "@cmd", "+44 20", "\tx", "\"quoted\"", "a,b;c\td", "line\nbreak", "\r",
    "\x00", "\ufeff", "\u2028", "Zoë", "日本語", "\U0001f600",
]
SPECIAL_CHARS = list(",;\t|\"'\n\r\x00\ufeff =+-@/$€;")
cell_text = st.one_of(
    st.sampled_from(TYPICAL_CELLS),
    st.text(alphabet=st.one_of(st.sampled_from(SPECIAL_CHARS), st.characters()), max_size=24),
)
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252", "latin-1"]


def assert_report_or_plain_refusal(data: bytes) -> ImportReport | None:
    """Read the bytes; anything but a consistent report or a RegistryFileError with a message fails the test.

    The record-by-record reader alone must give the very same outcome (values, errors, message).
    """
    first, exact, _ = read_both(data)
    assert first == exact
    try:
        report = read_registry_csv(data)
    except RegistryFileError as error:
        message = str(error)
        assert message and "Traceback" not in message
        return None
    assert isinstance(report, ImportReport)
    assert len(report.accepted) + len(report.rejected_rows) == report.rows_read
    assert len({i.id for i in report.accepted}) == len(report.accepted)
    assert all(e.row >= 2 and e.message and e.fix for e in report.errors)
    for integration in report.accepted:
        assert_storable(integration)
    return report


def assert_storable(integration) -> None:
    """PostgreSQL refuses NUL characters and unpaired surrogates; an infinite cost cannot be exported or summed."""
    for name, value in [*((name, getattr(integration, name)) for name in FIELD_NAMES), *integration.extra.items()]:
        texts = value if isinstance(value, tuple) else (value,) if isinstance(value, str) else ()
        for text in texts:
            assert "\x00" not in text, name
            text.encode("utf-8")  # raises on an unpaired surrogate
        if isinstance(value, Range):
            assert math.isfinite(value.high), name


@st.composite
def csv_files(draw, header=None) -> bytes:
    """A random table, rectangular or ragged, written with a random delimiter, quoting, line end and encoding."""
    any_header = st.lists(st.one_of(st.sampled_from(HEADER_NAMES), cell_text), min_size=1, max_size=12)
    header = draw(header if header is not None else any_header)
    width = len(header)
    if draw(st.booleans()):
        row = st.lists(cell_text, min_size=width, max_size=width)
    else:
        row = st.lists(cell_text, max_size=width + 3)
    rows = draw(st.lists(row, max_size=8))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    line_end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    if draw(st.booleans()):
        buffer = io.StringIO()
        quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]))
        csv.writer(buffer, delimiter=delimiter, lineterminator=line_end, quoting=quoting).writerows([header, *rows])
        text = buffer.getvalue()
    else:  # hand-made, unquoted: delimiters and quotes inside cells break the shape
        text = line_end.join(delimiter.join(cells) for cells in [header, *rows])
    return text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")


def registry_header() -> st.SearchStrategy[list[str]]:
    """A header the reader accepts: the required columns plus a random choice of the others, in random order."""
    optional = [c for c in CANONICAL_COLUMNS if c not in REQUIRED_COLUMNS] + ["Slack channel", "=cost centre"]
    return st.lists(st.sampled_from(optional), unique=True, max_size=10).flatmap(
        lambda extra: st.permutations([*REQUIRED_COLUMNS, *extra])
    )


BOMS = [b"", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf"]


@FUZZ
@given(st.sampled_from(BOMS), st.binary(max_size=4096))
def test_random_bytes_give_a_report_or_a_plain_refusal(bom, data):
    assert_report_or_plain_refusal(bom + data)


@FUZZ
@given(st.data())
def test_files_cut_off_anywhere_give_a_report_or_a_plain_refusal(data):
    whole = data.draw(csv_files(header=registry_header()))
    cut = data.draw(st.integers(min_value=0, max_value=len(whole)))

    assert_report_or_plain_refusal(whole[:cut])


@FUZZ
@given(csv_files())
def test_random_tables_in_any_encoding_give_a_report_or_a_plain_refusal(data):
    assert_report_or_plain_refusal(data)


@FUZZ
@given(csv_files(header=registry_header()))
def test_rows_under_a_valid_header_give_a_report_or_a_plain_refusal(data):
    assert_report_or_plain_refusal(data)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    position=st.integers(min_value=0, max_value=4),
    quoted=st.booleans(),
    encoding=st.sampled_from(["utf-8", "utf-16", "cp1252"]),
    filler=st.sampled_from(["x", "é", ",", "\n", "\""]),
)
def test_a_one_megabyte_field_gives_a_plain_message(position, quoted, encoding, filler):
    cells = ["Sync", "Salesforce", "Stripe", "Opportunity", "Sales Ops"]
    huge = filler * 1_000_000
    cells[position] = '"' + huge.replace('"', '""') + '"' if quoted else huge
    data = ("name,source_system,target_system,data_objects,owner_team\n" + ",".join(cells) + "\n").encode(encoding)

    assert_report_or_plain_refusal(data)


def test_a_field_over_the_csv_limit_names_its_row():
    data = (b"name,source_system,target_system,data_objects,owner_team\nA,X,Y,Lead,Ops\n"
            + b"B,X,Y,Lead," + b"o" * 200_000 + b"\n")

    try:
        read_registry_csv(data)
    except RegistryFileError as error:
        message = str(error)
    else:
        raise AssertionError("a 200,000-character cell was read without complaint")

    assert message.startswith("Row 3 has a value longer than 131,072 characters")


def test_an_unclosed_quote_swallowing_the_file_is_reported_not_raised():
    data = b'name,source_system,target_system,data_objects,owner_team\n"A,X,Y,Lead,Ops\nB,X,Y,Lead,Ops\n'

    report = read_registry_csv(data)

    assert (report.rows_read, report.accepted) == (1, [])


NUMBER_COLUMNS = ("build_hours", "monthly_maintenance_hours", "hourly_rate", "monthly_tool_cost",
                  "reconciliations_per_month", "reconciliation_hours", "people_touching")
number_text = st.one_of(
    st.integers(min_value=0, max_value=10**12).map(str),
    st.floats(min_value=0, max_value=1e12, allow_nan=False)
    .filter(lambda f: f == 0 or f >= 1e-4).map(lambda f: f"{f:f}"),
    st.decimals(min_value=0, max_value=10**9, places=3, allow_nan=False).map(str),
    st.decimals(min_value=0, max_value=1, places=8, allow_nan=False).map(lambda d: format(d, "f")),
    st.tuples(st.integers(0, 500), st.integers(0, 500)).map(lambda p: f"{min(p)}-{max(p)}"),
)


VALID_CELLS = {
    "id": ["", "INT-1", "INT-2", "-1", "=1+1"],
    "data_objects": ["Lead", "Lead; Account", "=Lead|+Deal"],
    "consumers": ["", "Finance; Sales", "@team"],
    "direction": ["", "one-way", "Bidirectional"],
    "approach": ["", "ipaas", "Internal tool"],
    "tier": ["", "revenue-critical", "informational"],
    "timeliness": ["", "batch", "Near real time"],
    "status": ["", "live", "proposed", "retired"],
    "complexity": [""],
    "has_monitoring": ["", "yes", "n"], "has_retry": ["", "1"], "has_audit_trail": ["", "False"],
    "source_of_truth_defined": ["", "Y"], "documented": ["", "no"],
    "launched_on": ["", "2024-03-01", "1 Mar 2024", "03/01/2024 00:00"],
}


@st.composite
def mostly_valid_files(draw) -> bytes:
    """Registry files whose rows are usually valid, so the values go all the way to export."""
    header = draw(registry_header())
    rows = []
    for _ in range(draw(st.integers(1, 6))):
        cells = []
        for column in header:
            if draw(st.integers(0, 9)) == 0:  # now and then anything at all
                cells.append(draw(cell_text))
            elif column in NUMBER_COLUMNS:
                cells.append(draw(number_text))
            else:
                text_cells = ["", "Sync", "Zoë", "=Ops", "-Team", "@x", "+1"]
                cells.append(draw(st.sampled_from(VALID_CELLS.get(column, text_cells))))
        rows.append(cells)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    return buffer.getvalue().encode(draw(st.sampled_from(["utf-8", "utf-16", "cp1252"])), errors="replace")


@FUZZ
@given(mostly_valid_files())
def test_accepted_rows_survive_export_and_import_unchanged(data):
    report = assert_report_or_plain_refusal(data)
    if report is None or not report.accepted:
        return
    canonical = write_registry_csv(report.accepted)

    again = read_registry_csv(canonical.encode("utf-8"))
    from_safe = read_registry_csv(safe_registry_csv(report.accepted).encode("utf-8"))

    assert again.errors == [] and from_safe.errors == []
    assert write_registry_csv(again.accepted) == canonical
    assert write_registry_csv(from_safe.accepted) == canonical


def test_a_tiny_number_survives_export_and_import():
    data = b"name,source_system,target_system,data_objects,owner_team,build_hours\nSync,X,Y,Lead,Ops,0.00000001\n"
    canonical = write_registry_csv(read_registry_csv(data).accepted)

    again = read_registry_csv(canonical.encode("utf-8"))

    assert again.errors == []
    assert write_registry_csv(again.accepted) == canonical


# ----------------------------------------------------------------------------- what the fuzzer found, pinned


def test_utf16_cut_off_mid_character_is_still_read():
    data = "name,source_system,target_system,data_objects,owner_team\nSync,X,Y,Lead,Ops\n".encode("utf-16")[:-1]

    report = read_registry_csv(data)

    assert [i.name for i in report.accepted] == ["Sync"]


def test_a_nul_character_in_a_cell_rejects_the_row():
    data = ("name,source_system,target_system,data_objects,owner_team\n"
            "Sy\x00nc,X,Y,Lead,Ops\nOk,X,Y,Lead,Ops\n").encode("utf-16")

    report = read_registry_csv(data)

    assert [i.name for i in report.accepted] == ["Ok"]
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (2, "(row)", "the row contains a NUL character (binary data)")]


def test_a_number_too_large_for_a_float_is_a_cell_error():
    data = ("name,source_system,target_system,data_objects,owner_team,build_hours\nSync,X,Y,Lead,Ops,"
            + "9" * 400 + "\n").encode()

    report = read_registry_csv(data)

    assert report.accepted == []
    assert [(e.column, e.message) for e in report.errors] == [("build_hours", f"'{'9' * 400}' is too large a number")]
