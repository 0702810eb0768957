"""Numbers are read in the notation each file uses, and a number that could be read two ways is refused."""

from __future__ import annotations

import csv
import io

import pytest

from core.domain.numbers import COMMA, POINT, Notation, detect_notation
from core.domain.ranges import Range
from core.domain.registry_csv import read_registry_csv
from tests.conftest import EXAMPLES_DIR, PROJECT_DIR

TESTER_FILES = PROJECT_DIR / "tests" / "data" / "tester_files"

HEADER = "name;source_system;target_system;data_objects;owner_team;build_hours;monthly_tool_cost"


def read_cells(hours: str, cost: str, *, delimiter: str = ";", evidence: str = "") -> tuple[object, object]:
    """A one-row file (plus a row with two cells showing the notation, when given): the row's hours and cost, or
    its errors."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(HEADER.split(";"))
    writer.writerow(["A", "X", "Y", "Lead", "Ops", hours, cost])
    if evidence:
        writer.writerow(["B", "X", "Y", "Lead", "Ops", evidence, evidence])
    report = read_registry_csv(out.getvalue().encode("cp1252"))
    if report.errors:
        return "refused", [e.message for e in report.errors if e.row == 2]
    row = report.accepted[0]
    return row.build_hours, row.monthly_tool_cost


def exact(value: float) -> Range:
    return Range.exact(value)


@pytest.mark.parametrize(("hours", "cost", "delimiter", "evidence", "expected"), [
    # European Excel: ';' and decimal commas, currency after the number, '.' or spaces between thousands.
    ("2,5", "95,50 €", ";", "", (exact(2.5), exact(95.5))),
    ("12,5", "1.200 €", ";", "", (exact(12.5), exact(1200))),
    ("1,5–2,5", "1.200,50", ";", "", (Range(1.5, 2, 2.5), exact(1200.5))),
    ("3", "1\u00a0250,00 €", ";", "", (exact(3), exact(1250))),
    ("3", "EUR 1 250", ";", "", (exact(3), exact(1250))),
    ("2/2,5/4", "€ 90", ";", "", (Range(2, 2.5, 4), exact(90))),
    ("1.200", "0", ";", "2,5", (exact(1200), exact(0))),
    # US: ',' and decimal points, currency before, ',' between thousands.
    ("2.5", "$1,200", ",", "", (exact(2.5), exact(1200))),
    ("2.5-3.5", "$1,200.50", ",", "", (Range(2.5, 3, 3.5), exact(1200.5))),
    ("1,200", "£95.50", ",", "", (exact(1200), exact(95.5))),
    ("1.200", "0", ",", "2.5", (exact(1.2), exact(0))),
    ("12", "1,234,567", ",", "", (exact(12), exact(1234567))),
    ("1.0010", "USD 5", ",", "", (exact(1.001), exact(5))),
    # Refused: the cell reads two ways and nothing in the file shows which, or it contradicts the file.
    ("1,200", "0", ";", "", ("refused", ["'1,200' could mean 1.2 (',' as decimal mark) or 1200 (',' separating "
                                         "thousands); nothing else in the file shows which"])),
    ("1.200", "0", ",", "", ("refused", ["'1.200' could mean 1.2 ('.' as decimal mark) or 1200 ('.' separating "
                                         "thousands); nothing else in the file shows which"])),
    ("2.5", "0", ";", "12,5", ("refused", ["'2.5' is written with a decimal point, but this file writes numbers "
                                           "with a decimal comma (as in '12,5'): it could mean 2.5 or 25"])),
    ("2,5", "0", ",", "2.5", ("refused", ["'2,5' is written with a decimal comma, but this file writes numbers "
                                          "with a decimal point (as in '2.5'): it could mean 2.5 or 25"])),
    ("1,234.5", "0", ";", "1.234,50", ("refused", ["'1,234.5' is written with a decimal point, but this file "
                                                   "writes numbers with a decimal comma (as in '1.234,50'): it reads "
                                                   "only as 1234.5, with a decimal point"])),
    # The file writes both notations: a cell that reads two ways is refused, whichever notation has more cells.
    ("1.200", "2.5", ";", "12,5", ("refused", [
        "'1.200' could mean 1200 ('.' separating thousands) or 1.2 ('.' as decimal mark), and this file writes "
        "numbers both ways (decimal comma as in '12,5', decimal point as in '2.5')",
        "'2.5' is written with a decimal point, but this file writes numbers with a decimal comma (as in '12,5'): "
        "it could mean 2.5 or 25"])),
    ("1,200", "2,5", ",", "2.5", ("refused", [
        "'1,200' could mean 1200 (',' separating thousands) or 1.2 (',' as decimal mark), and this file writes "
        "numbers both ways (decimal point as in '2.5', decimal comma as in '2,5')",
        "'2,5' is written with a decimal comma, but this file writes numbers with a decimal point (as in '2.5'): "
        "it could mean 2.5 or 25"])),
    # Money is not written to three decimals: '$1,200' is 1200 in a file of decimal commas, or of both notations.
    ("12,5", "$1,200", ";", "12,5", (exact(12.5), exact(1200))),
    ("1,200", "0", ";", "", ("refused", ["'1,200' could mean 1.2 (',' as decimal mark) or 1200 (',' separating "
                                         "thousands); nothing else in the file shows which"])),
    ("2.5", "1.200 €", ";", "12,5", ("refused", ["'2.5' is written with a decimal point, but this file writes "
                                                 "numbers with a decimal comma (as in '12,5'): it could mean 2.5 or "
                                                 "25"])),
    ("1,2,3", "0", ";", "", ("refused", ["'1,2,3' is not a number"])),
    ("12,34,567", "0", ",", "", ("refused", ["'12,34,567' is not a number"])),
])
def test_numbers_are_read_in_the_files_notation_or_refused(hours, cost, delimiter, evidence, expected):
    assert read_cells(hours, cost, delimiter=delimiter, evidence=evidence) == expected


@pytest.mark.parametrize(("hours", "cost", "delimiter", "evidence"), [
    ("2,5", "95,50 €", ";", ""), ("1.200", "1.200 €", ";", "12,5"), ("1,200", "$1,200", ",", ""),
    ("2.5", "1,200.50", ",", ""),
])
def test_no_number_is_stored_a_power_of_ten_from_what_was_typed(hours, cost, delimiter, evidence):
    stored = read_cells(hours, cost, delimiter=delimiter, evidence=evidence)
    typed_digits = [int("".join(ch for ch in text if ch.isdigit())) for text in (hours, cost)]

    for value, digits in zip(stored, typed_digits, strict=True):
        # The digits as typed, read as a whole number, must be the value times a power of ten (the decimals) --
        # and the value must keep every digit before the decimal mark: 1.200 € is 1200, not 1.2.
        assert value.low * 10 ** len(str(digits)) >= digits and value.low <= digits


@pytest.mark.parametrize(("cells", "delimiter", "expected"), [
    (["2,5", "12"], ",", Notation(COMMA, "cells", "2,5")),
    (["1.200,50", "2.5", "3,5"], ";", Notation(COMMA, "cells", "1.200,50", "2.5")),
    (["2,5", "2.5"], ";", Notation(COMMA, "delimiter", "2,5", "2.5")),
    (["1,200.50"], ";", Notation(POINT, "cells", "1,200.50")),
    (["1.200", "12"], ";", Notation(COMMA, "delimiter")),
    (["1,200", "12"], ",", Notation(POINT, "")),
])
def test_the_notation_is_what_the_files_unambiguous_cells_show(cells, delimiter, expected):
    assert detect_notation(cells, delimiter) == expected


def test_the_european_excel_example_is_read_with_decimal_commas():
    report = read_registry_csv((EXAMPLES_DIR / "european_excel_numbers.csv").read_bytes())

    assert (report.encoding, report.delimiter, report.decimal) == ("windows-1252", ";", "comma")
    assert report.notes == ["Numbers read with decimal comma (as in '12,5'), but the file also writes decimal points "
                            "(as in '2.5'): numbers that read both ways are refused."]
    assert [(i.build_hours.likely, i.monthly_maintenance_hours.likely, i.hourly_rate.likely,
             i.monthly_tool_cost.likely) for i in report.accepted] == [
        (12.5, 2.5, 95.5, 1200), (40, 2, 110, 1200.5), (8, 1, 90, 1250)]
    assert [(e.row, e.column, e.value) for e in report.errors] == [(5, "monthly_tool_cost", "2.5")]
    assert "could mean 2.5 or 25" in report.errors[0].message
    assert "2,5" in report.errors[0].fix


@pytest.mark.parametrize(("cells", "expected", "decimal"), [
    # Text cells typed with decimal commas decide; numbers the spreadsheet stored keep their value.
    ([("2,5", 1200.5), ("1.200", 3.25)], [(2.5, 1200.5), (1200, 3.25)], "comma"),
    ([(2.5, "95,50 €"), (4.0, "1.200 €")], [(2.5, 95.5), (4, 1200)], "comma"),
    # Only stored numbers: nothing to decide, each read as stored.
    ([(2.5, 1200.5), (12.0, 0.125)], [(2.5, 1200.5), (12, 0.125)], ""),
    ([("2.5", 1200.5), ("1,200", 3.25)], [(2.5, 1200.5), (1200, 3.25)], "point"),
])
def test_a_workbook_reads_its_text_numbers_in_their_notation_and_stored_numbers_as_stored(cells, expected, decimal):
    from core.domain.sources.excel import Sheet, read_workbook_sheets

    rows = [["name", "source_system", "target_system", "data_objects", "owner_team", "build_hours", "hourly_rate"]]
    rows += [[f"Row {k}", "X", "Y", "Lead", "Ops", hours, rate] for k, (hours, rate) in enumerate(cells)]

    report = read_workbook_sheets([Sheet("Registry", rows)])

    assert report.errors == []
    assert [(i.build_hours.likely, i.hourly_rate.likely) for i in report.accepted] == expected
    assert report.decimal == decimal


def test_a_file_showing_both_notations_refuses_every_cell_that_reads_two_ways():
    # A tester's European export: three costs like '$1,250.00', two hours like '2,5', and build hours '1.500'.
    report = read_registry_csv((TESTER_FILES / "conflicting_notation_semi.csv").read_bytes())

    assert [(e.row, e.column, e.value) for e in report.errors if "both ways" in e.message] == [
        (2, "build_hours", "1.500"), (3, "build_hours", "1.200"), (5, "build_hours", "1.500")]
    assert all(e.fix.startswith("Write every number in the file with the same decimal mark") for e in report.errors)
    assert report.notes == ["Numbers read with decimal point (as in '$1,250.00'), but the file also writes decimal "
                            "commas (as in '2,5'): numbers that read both ways are refused."]
    assert [i.id for i in report.accepted] == ["T-3"]


def test_a_number_written_with_both_marks_is_not_offered_a_reading_it_cannot_have():
    report = read_registry_csv((TESTER_FILES / "num_cases_semi.csv").read_bytes())

    [error] = [e for e in report.errors if e.value == "1,234.5"]
    assert "12345" not in error.message and "reads only as 1234.5, with a decimal point" in error.message
