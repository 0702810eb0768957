"""The broken example files in data/examples/ produce exactly the report the docs promise."""

from __future__ import annotations

import pytest

from core.domain.registry_csv import read_registry_csv
from core.errors import RegistryFileError
from tests.conftest import EXAMPLES_DIR


@pytest.mark.parametrize(
    ("file", "accepted", "errors"),
    [
        ("missing_required.csv", 3, [(3, "name", "name is required but empty"),
                                     (5, "owner_team", "owner_team is required but empty")]),
        ("bad_numbers.csv", 2, [(3, "build_hours", "'-5' is negative; use 0 or more"),
                                (4, "monthly_maintenance_hours", "'lots' is not a number"),
                                (5, "monthly_maintenance_hours",
                                 "'5-2' is out of order; write the lowest value first (low-high or low/likely/high)")]),
        ("bad_enums.csv", 2, [(3, "status", "'active' is not an allowed value "
                                            "(allowed: proposed, building, live, deprecated, retired)"),
                              (4, "direction", "'two-way' is not an allowed value (allowed: one-way, bidirectional)"),
                              (5, "tier", "'gold' is not an allowed value "
                                          "(allowed: revenue-critical, operational, informational)")]),
        ("duplicate_ids.csv", 3, [(4, "id", "duplicate id INT-001: row 4 repeats the id of row 2")]),
        ("bad_dates.csv", 2, [(3, "launched_on", "'next spring' is not a date"),
                              (4, "launched_on", "'2024-13-45' is not a date")]),
        ("header_only.csv", 0, []),
        ("excel_semicolon_cp1252.csv", 3, []),
        ("google_sheets_tab_bom.csv", 3, []),
        ("mixed_errors.csv", 4, [(3, "source_system", "source_system is required but empty"),
                                 (5, "direction", "'both' is not an allowed value (allowed: one-way, bidirectional)"),
                                 (6, "build_hours", "'lots' is not a number"),
                                 (6, "monthly_tool_cost", "'-50' is negative; use 0 or more"),
                                 (8, "launched_on", "'2024-02-30' is not a date"),
                                 (9, "id", "duplicate id INT-701: row 9 repeats the id of row 2"),
                                 (10, "has_monitoring", "'maybe' is not yes or no")]),
    ],
)
def test_example_file_report_matches_the_documented_errors(file, accepted, errors):
    report = read_registry_csv((EXAMPLES_DIR / file).read_bytes())

    assert len(report.accepted) == accepted
    assert [(e.row, e.column, e.message) for e in report.errors] == errors


@pytest.mark.parametrize(
    ("file", "message_start"),
    [("empty.csv", "The file is empty."), ("no_header.csv", "No recognisable header"),
     ("not_a_csv.csv", "No recognisable header")],
)
def test_unusable_example_file_is_refused_as_a_whole(file, message_start):
    with pytest.raises(RegistryFileError) as raised:
        read_registry_csv((EXAMPLES_DIR / file).read_bytes())

    assert str(raised.value).startswith(message_start)


def test_cp1252_example_keeps_accents_and_en_dash_ranges():
    report = read_registry_csv((EXAMPLES_DIR / "excel_semicolon_cp1252.csv").read_bytes())

    text = " ".join(f"{i.name} {i.owner}" for i in report.accepted)
    assert any(ch in text for ch in "éüöáñ")
    assert report.encoding == "windows-1252"
