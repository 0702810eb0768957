"""Spreadsheet-safe export: formula-like text is neutralised, numbers are not, and the file imports back exactly."""

from __future__ import annotations

import csv
import io

import pytest

from core.domain.ranges import Range
from core.domain.registry import Integration
from core.domain.registry_csv import read_registry_csv
from core.domain.registry_export import neutralise_cell, safe_registry_csv, write_registry_csv
from tests.conftest import DATA_DIR


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        # formulas and DDE payloads: neutralised
        ("=1+1", "'=1+1"),
        ("=HYPERLINK(\"http://evil\",\"click\")", "'=HYPERLINK(\"http://evil\",\"click\")"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("-A1", "'-A1"),
        ("-e5", "'-e5"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-", "'-"),
        ("+", "'+"),
        ("- see ticket", "'- see ticket"),
        ("-Team", "'-Team"),
        ("-1,2", "'-1,2"),
        ("-١٢", "'-١٢"),
        # already quoted formula text keeps its own apostrophe: one more is added
        ("'=1+1", "''=1+1"),
        # real numbers: untouched
        ("-5", "-5"),
        ("+3", "+3"),
        ("-1,200.50", "-1,200.50"),
        ("-0.5", "-0.5"),
        ("-.5", "-.5"),
        ("-2.5e3", "-2.5e3"),
        ("-12%", "-12%"),
        # everything else: untouched
        ("2-3", "2-3"),
        ("2/2.5/3", "2/2.5/3"),
        ("$1,200", "$1,200"),
        ("Opportunity; Account", "Opportunity; Account"),
        ("a=b", "a=b"),
        ("user@example.com", "user@example.com"),
        ("'quoted'", "'quoted'"),
        (" =1+1", " =1+1"),
        ("", ""),
    ],
)
def test_neutralise_cell(cell, expected):
    assert neutralise_cell(cell) == expected


def dangerous_integrations() -> list[Integration]:
    return [
        Integration(
            id="=INT-1", name="=cmd|' /C calc'!A0", source_system="+Salesforce", target_system="-Stripe",
            data_objects=("@Lead", "Account"), owner_team="-Sales Ops", owner="@ana", consumers=("=Finance",),
            build_hours=Range(2, 2.5, 3), hourly_rate=Range.exact(150), notes="-5",
            extra={"=Slack": "=HYPERLINK(\"http://evil\")", "Cost centre": "-1,200.50"},
        ),
        Integration(
            id="INT-2", name="Plain", source_system="HubSpot", target_system="Stripe", data_objects=("Deal",),
            owner_team="Marketing Ops", notes="'quoted' - not a formula", extra={"=Slack": "#ops"},
        ),
    ]


def test_no_cell_of_the_safe_export_starts_a_formula():
    text = safe_registry_csv(dangerous_integrations())

    cells = [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]

    assert "'=cmd|' /C calc'!A0" in cells
    assert [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")] == ["-5", "-1,200.50"]


def test_safe_export_imports_back_to_the_canonical_export_byte_for_byte():
    integrations = dangerous_integrations()
    canonical = write_registry_csv(integrations)

    report = read_registry_csv(safe_registry_csv(integrations).encode("utf-8"))

    assert report.errors == []
    assert write_registry_csv(report.accepted) == canonical


def test_the_sample_registry_round_trips_through_the_safe_export():
    integrations = read_registry_csv((DATA_DIR / "sample_registry.csv").read_bytes()).accepted
    canonical = write_registry_csv(integrations)

    again = read_registry_csv(safe_registry_csv(integrations).encode("utf-8")).accepted

    assert write_registry_csv(again) == canonical


def test_the_canonical_export_of_formula_text_still_round_trips():
    canonical = write_registry_csv(dangerous_integrations())

    report = read_registry_csv(canonical.encode("utf-8"))

    assert write_registry_csv(report.accepted) == canonical


def test_an_apostrophe_before_a_formula_character_is_dropped_on_import():
    data = b"name,source_system,target_system,data_objects,owner_team,notes\n'=Sync,'+X,Y,'@Lead,Ops,'quoted'\n"

    integration = read_registry_csv(data).accepted[0]

    assert (integration.name, integration.source_system, integration.data_objects, integration.notes) == (
        "=Sync", "+X", ("@Lead",), "'quoted'")
