"""Reading the registry CSV: header matching, encodings, and one clear error per bad cell."""

from __future__ import annotations

from datetime import date

import pytest

from core.domain.ranges import Range
from core.domain.registry import Direction, Status
from core.domain.registry_csv import read_registry_csv
from core.domain.registry_export import write_registry_csv
from core.errors import RegistryFileError
from tests.conftest import PROJECT_DIR

TESTER_FILES = PROJECT_DIR / "tests" / "data" / "tester_files"
HEADER = "id,name,source_system,target_system,data_objects,owner_team"


def csv_bytes(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode("utf-8")


def only_error(report):
    assert len(report.errors) == 1, report.errors
    return report.errors[0]


@pytest.mark.parametrize(
    ("extra_header", "cell", "column", "message"),
    [
        ("build_hours", "-5", "build_hours", "'-5' is negative; use 0 or more"),
        ("build_hours", "lots", "build_hours", "'lots' is not a number"),
        ("monthly_maintenance_hours", "5-2", "monthly_maintenance_hours",
         "'5-2' is out of order; write the lowest value first (low-high or low/likely/high)"),
        ("build_hours", "1/2", "build_hours", "'1/2' has 2 parts; write low/likely/high, e.g. 2/2.5/3"),
        ("status", "active", "status",
         "'active' is not an allowed value (allowed: proposed, building, live, deprecated, retired)"),
        ("direction", "two-way", "direction", "'two-way' is not an allowed value (allowed: one-way, bidirectional)"),
        ("tier", "gold", "tier",
         "'gold' is not an allowed value (allowed: revenue-critical, operational, informational)"),
        ("launched_on", "next spring", "launched_on", "'next spring' is not a date"),
        ("launched_on", "2024-13-45", "launched_on", "'2024-13-45' is not a date"),
        ("has_monitoring", "maybe", "has_monitoring", "'maybe' is not yes or no"),
        ("hourly_rate", "$abc", "hourly_rate", "'abc' is not a number"),
    ],
)
def test_bad_cell_is_reported_with_row_column_value_and_message(extra_header, cell, column, message):
    data = csv_bytes(f"INT-1,Sync,Salesforce,Stripe,Opportunity,Sales Ops,{cell}", header=f"{HEADER},{extra_header}")

    report = read_registry_csv(data)

    error = only_error(report)
    assert (error.row, error.column, error.value, error.message) == (2, column, cell, message)
    assert error.fix
    assert report.accepted == []


@pytest.mark.parametrize("column", ["name", "source_system", "target_system", "data_objects", "owner_team"])
def test_missing_required_value_is_reported(column):
    cells = dict(id="INT-1", name="Sync", source_system="Salesforce", target_system="Stripe",
                 data_objects="Opportunity", owner_team="Sales Ops")
    cells[column] = ""

    report = read_registry_csv(csv_bytes(",".join(cells.values())))

    error = only_error(report)
    assert (error.row, error.column, error.message) == (2, column, f"{column} is required but empty")
    assert error.fix == f"Fill in {column} for this row."


def test_duplicate_id_keeps_first_row_and_names_it_in_the_message():
    data = csv_bytes(
        "INT-1,First,Salesforce,Stripe,Opportunity,Sales Ops",
        "INT-2,Other,Stripe,NetSuite,Invoice,Finance",
        "INT-1,Second,HubSpot,Stripe,Deal,Marketing Ops",
    )

    report = read_registry_csv(data)

    assert [i.name for i in report.accepted] == ["First", "Other"]
    error = only_error(report)
    assert (error.row, error.column, error.value) == (4, "id", "INT-1")
    assert error.message == "duplicate id INT-1: row 4 repeats the id of row 2"


def test_every_problem_in_a_row_is_reported_not_only_the_first():
    data = csv_bytes(",Sync,,Stripe,Opportunity,Sales Ops,lots,active", header=f"{HEADER},build_hours,status")

    report = read_registry_csv(data)

    assert sorted(e.column for e in report.errors) == ["build_hours", "source_system", "status"]


@pytest.mark.parametrize(
    ("data", "message_start"),
    [
        (b"", "The file is empty."),
        (b"   \n\n", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is not a CSV text file"),
        (b'{"integrations": [{"name": "x"}]}', "No recognisable header in the first row."),
        (b"Opp sync,SFDC,Stripe,Opportunity,Sales Ops\n", "No recognisable header in the first row."),
        (b"name,source_system,target_system\nA,B,C\n", "The header has no column for: data_objects, owner_team."),
        (b"name,source,from,target,objects,team\n", "The header has two columns meaning source_system"),
    ],
)
def test_unusable_file_raises_one_plain_message(data, message_start):
    with pytest.raises(RegistryFileError) as raised:
        read_registry_csv(data)

    assert str(raised.value).startswith(message_start)


def test_header_only_file_has_no_rows_and_no_errors():
    report = read_registry_csv(csv_bytes())

    assert (report.accepted, report.errors, report.rows_read) == ([], [], 0)


HEADERLESS = "Column 7 (G) has no header; its values were not read. Give it a header to keep it."


@pytest.mark.parametrize(("header", "lines", "notes"), [
    pytest.param(HEADER + ",,", ["INT-1,A,Salesforce,SAP,Order,Ops,zz,", "INT-2,B,SAP,Stripe,Invoice,Ops,,"],
                 [HEADERLESS], id="one-column-with-a-value"),
    pytest.param(HEADER + ",,", ["INT-1,A,Salesforce,SAP,Order,Ops,zz,yy"],
                 ["Columns 7 (G) and 8 (H) have no header; their values were not read. Give each a header to keep it."],
                 id="two-columns"),
    pytest.param(HEADER + ",  ,Slack channel", ["INT-1,A,Salesforce,SAP,Order,Ops,zz,#ops"], [HEADERLESS],
                 id="a-header-of-spaces"),
    pytest.param(HEADER + ",,", ["INT-1,A,Salesforce,SAP,Order,Ops,,", "INT-2,B,SAP,Stripe,Invoice,Ops, ,"], [],
                 id="empty-columns-say-nothing"),
])
@pytest.mark.parametrize("reader", ["record by record", "column by column", "workbook"])
def test_a_column_with_values_but_no_header_is_named_in_a_note(header, lines, notes, reader, monkeypatch):
    data = csv_bytes(*lines, header=header)
    if reader == "workbook":
        from bench.xlsx import xlsx_bytes
        from core.domain.sources import read_source

        report = read_source(xlsx_bytes([line.split(",") for line in [header, *lines]]), filename="r.xlsx")
    else:
        from core.domain import registry_csv

        if reader == "record by record":
            monkeypatch.setattr(registry_csv, "_read_well_formed", lambda *args, **kwargs: None)
        monkeypatch.setattr(registry_csv, "_FAST_READ_MIN_BYTES", 0)
        report = read_registry_csv(data)

    assert report.notes == notes
    assert report.errors == [] and report.unknown_columns == (["Slack channel"] if "Slack" in header else [])


def test_human_headers_from_excel_semicolon_cp1252_are_understood():
    text = ("Integration Name;Source;Destination;Objects;Team;Owner;Maintenance hours/month\n"
            "Rénewal sync;Gainsight;NetSuite;Renewal;Customer Success;Zoë Müller;2 to 3\n")

    report = read_registry_csv(text.encode("cp1252"))

    [row] = report.accepted
    assert (row.name, row.owner, row.target_system) == ("Rénewal sync", "Zoë Müller", "NetSuite")
    assert row.monthly_maintenance_hours == Range(2, 2.5, 3)
    assert (report.encoding, report.delimiter) == ("windows-1252", ";")


def test_google_sheets_tab_file_with_bom_keeps_unknown_columns():
    text = ("\ufeffname\tsource_system\ttarget_system\tdata_objects\towner_team\tSlack channel\n"
            "A\tX\tY\tLead\tOps\t#ops\n")

    report = read_registry_csv(text.encode("utf-8"))

    [row] = report.accepted
    assert row.extra == {"Slack channel": "#ops"}
    assert report.unknown_columns == ["Slack channel"]
    assert report.delimiter == "tab"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("12", Range(12, 12, 12)), ("2-3", Range(2, 2.5, 3)), ("2–3", Range(2, 2.5, 3)),
     ("2 to 3", Range(2, 2.5, 3)), ("2/2.2/3", Range(2, 2.2, 3)), ("1,200", Range(1200, 1200, 1200))],
)
def test_hours_accept_numbers_ranges_and_three_points(cell, expected):
    report = read_registry_csv(csv_bytes(f'INT-1,S,X,Y,Lead,Ops,"{cell}"', header=f"{HEADER},build_hours"))

    assert report.accepted[0].build_hours == expected


def test_money_accepts_symbols_and_ranges():
    report = read_registry_csv(csv_bytes('INT-1,S,X,Y,Lead,Ops,$150-$180,"$1,200"',
                                         header=f"{HEADER},hourly_rate,monthly_tool_cost"))

    row = report.accepted[0]
    assert (row.hourly_rate, row.monthly_tool_cost) == (Range(150, 165, 180), Range.exact(1200))


def test_lists_split_on_semicolon_or_pipe_and_defaults_apply():
    report = read_registry_csv(csv_bytes("INT-1,S,X,Y,Opportunity | Account;Quote,Ops"))

    row = report.accepted[0]
    assert row.data_objects == ("Opportunity", "Account", "Quote")
    assert (row.status, row.direction, row.owner, row.is_owned) == (Status.LIVE, Direction.ONE_WAY, None, False)


def test_missing_id_is_generated_from_the_name():
    report = read_registry_csv(csv_bytes(",Quote sync,X,Y,Quote,Ops"))

    assert report.accepted[0].id == "INT-quote-sync"


def test_row_with_more_values_than_header_is_rejected_with_a_hint():
    report = read_registry_csv(csv_bytes("INT-1,S,X,Y,Lead,Ops,surprise"))

    error = only_error(report)
    assert (error.row, error.column) == (2, "(row)")
    assert "unquoted comma" in error.fix


def test_export_import_export_is_byte_identical(sample_csv):
    first = write_registry_csv(read_registry_csv(sample_csv).accepted)

    second = write_registry_csv(read_registry_csv(first.encode("utf-8")).accepted)

    assert second == first


def test_sample_registry_is_valid_and_realistic(sample_csv):
    report = read_registry_csv(sample_csv)

    assert report.errors == []
    assert 50 <= len(report.accepted) <= 80
    assert sum(not i.is_owned for i in report.accepted) >= 3
    assert any(i.status is Status.PROPOSED for i in report.accepted)


@pytest.mark.parametrize(("dates", "expected"), [
    # US month/day unless a cell of the file proves day/month (a first part over 12).
    (["03/01/2024"], [date(2024, 3, 1)]),
    (["31/12/2026", "01/03/2024"], [date(2026, 12, 31), date(2024, 3, 1)]),
    (["31/12/2026", "30/02/2024"], [date(2026, 12, 31),
                                    "'30/02/2024' is not a date: read as day/month/year, and February 2024 has no "
                                    "day 30"]),
    (["02/30/2024"], ["'02/30/2024' is not a date: read as month/day/year, and February 2024 has no day 30"]),
    (["13/13/2024"], ["'13/13/2024' is not a date: read as month/day/year, and there is no month 13"]),
    # Both orders proven: a date that reads both ways is refused, naming the cells that prove each.
    (["31/12/2026", "12/31/2026", "01/03/2024", "05/05/2024"], [
        date(2026, 12, 31), date(2026, 12, 31),
        "'01/03/2024' could be 1 March 2024 (day/month) or 3 January 2024 (month/day), and this file writes dates "
        "both ways (as in '31/12/2026' and '12/31/2026')", date(2024, 5, 5)]),
])
def test_slash_dates_are_read_in_the_order_the_file_proves_or_refused(dates, expected):
    rows = [f"INT-{n},S{n},X,Y,Lead,Ops,{text}" for n, text in enumerate(dates)]

    report = read_registry_csv(csv_bytes(*rows, header=f"{HEADER},launched_on"))

    launched = {i.id: i.launched_on for i in report.accepted}
    problems = {f"INT-{e.row - 2}": e.message for e in report.errors}
    assert [launched.get(f"INT-{n}") or problems[f"INT-{n}"] for n in range(len(dates))] == expected


def test_a_tester_file_with_both_slash_date_orders_refuses_the_ambiguous_date_and_says_so():
    report = read_registry_csv((TESTER_FILES / "dates_dmy_slash.csv").read_bytes())

    assert [(e.row, e.column, e.value) for e in report.errors] == [(3, "launched_on", "01/03/2024")]
    assert [i.launched_on for i in report.accepted] == [date(2026, 12, 31), date(2026, 12, 31)]
    assert ("Dates with slashes are written both day/month and month/day (as in '31/12/2026' and '12/31/2026'): "
            "those that read both ways are refused.") in report.notes


@pytest.mark.parametrize(("cell", "expected"), [
    (word, True) for word in ("WAHR", "wahr", "Ja", "vrai", "OUI", "waar", "sí", "si", "sim", "verdadero")
] + [
    (word, False) for word in ("FALSCH", "nein", "faux", "Non", "onwaar", "nee", "no", "não", "falso")
])
def test_yes_and_no_are_read_as_european_excel_writes_them(cell, expected):
    report = read_registry_csv(csv_bytes(f"INT-1,S,X,Y,Lead,Ops,{cell}", header=f"{HEADER},has_monitoring"))

    assert (report.errors, report.accepted[0].has_monitoring) == ([], expected)


def test_a_german_excel_export_with_wahr_and_falsch_reads_every_row():
    report = read_registry_csv((TESTER_FILES / "euro_cp1252.csv").read_bytes())

    assert (report.errors, len(report.accepted)) == ([], 67)
