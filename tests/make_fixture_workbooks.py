"""Writes the workbook fixtures in data/examples/sources/ (kept in git; run again only to change them).

    python tests/make_fixture_workbooks.py

``registry.xlsx`` is the registry of ``registry_as_csv.csv`` as a person keeps it in Excel: a "Read me" sheet
first, a title and a blank row above the header, typed cells (numbers, a date, yes/no as TRUE/FALSE) and one
problem (row 7: maintenance hours "lots"). ``leanix_interfaces.xlsx`` follows LeanIX's inventory export of
Interface fact sheets: a Readme sheet and an Interfaces sheet whose header has id, type and name and the relation
columns chosen in the table view.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import openpyxl

OUT = Path(__file__).resolve().parent.parent / "data" / "examples" / "sources"

REGISTRY_HEADER = ["id", "name", "source_system", "target_system", "data_objects", "owner_team", "owner",
                   "monthly_maintenance_hours", "build_hours", "monthly_tool_cost", "has_monitoring", "launched_on",
                   "notes"]
REGISTRY_ROWS = [
    ["INT-101", "Closed-won deals to Stripe", "Salesforce", "Stripe", "Opportunity; Account", "Sales Ops",
     "Marcus Chen", 6, 120, 450, True, datetime(2022, 3, 14), "Workato recipe"],
    ["INT-102", "Invoices to NetSuite", "Stripe", "NetSuite", "Invoice", "Finance", "Rafael Ortega", 2.5, "40-60",
     "$1,200", False, datetime(2023, 11, 2), "Nightly script, 02:00"],
    ["INT-103", "Tickets to Jira", "Zendesk", "Jira", "Ticket", "Customer Success", None, "2-3", None, 0, None,
     None, "Zapier, nobody has the login"],
    ["INT-104", "Leads to HubSpot", "Salesforce", "HubSpot", "Lead", "Marketing Ops", "Ana Silva", "lots", 80, 99,
     True, datetime(2024, 5, 20), None],
]


def _text(value) -> str:
    if value is None:
        return ""
    if value is True or value is False:
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value)


def registry_workbook() -> None:
    book = openpyxl.Workbook()
    readme = book.active
    readme.title = "Read me"
    readme.append(["This workbook is the integration registry. One row per integration; see the Registry sheet."])
    sheet = book.create_sheet("Registry")
    sheet.append(["Integration registry — kept by RevOps"])
    sheet.append([])
    sheet.append(REGISTRY_HEADER)
    for row in REGISTRY_ROWS:
        sheet.append(row)
    sheet["L4"].number_format = "yyyy-mm-dd"
    book.save(OUT / "registry.xlsx")
    lines = [",".join(REGISTRY_HEADER)]
    for row in REGISTRY_ROWS:
        cells = [_text(v) for v in row]
        lines.append(",".join(f'"{c}"' if "," in c else c for c in cells))
    (OUT / "registry_as_csv.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


LEANIX_HEADER = ["ID", "Type", "Name", "Description", "Provider Application", "Consumer Applications",
                 "Data Objects", "Subscriptions", "User Group", "Lifecycle"]
LEANIX_ROWS = [
    ["0b6e3e4c-1f0a-4c7e-9a51-5d0f6f2a9e01", "Interface", "Opportunity sync to Snowflake",
     "Nightly batch of closed opportunities", "Salesforce", "Snowflake", "Opportunity; Account",
     "RESPONSIBLE: Ana Silva; ACCOUNTABLE: Marcus Chen (Integration Owner)", "Data Platform", "Active"],
    ["1c7f4f5d-2a1b-4d8f-8b62-6e1a7a3b0f12", "Interface", "Invoice export",
     "Invoices from billing to ERP and the data lake", "Stripe", "NetSuite; Snowflake", "Invoice",
     "ACCOUNTABLE: Rafael Ortega", "Finance IT", "Active"],
    ["2d8a5a6e-3b2c-4e9a-9c73-7f2b8b4c1a23", "Interface", "Ticket escalation", "", "Zendesk", "Jira", "Ticket",
     "", "", "Phase In"],
    ["3e9b6b7f-4c3d-4fab-8d84-8a3c9c5d2b34", "Interface", "Legacy lead feed", "", "Marketo", "", "Lead",
     "RESPONSIBLE: Chen Wei", "Marketing Ops", "Phase Out"],
]


def leanix_workbook() -> None:
    book = openpyxl.Workbook()
    readme = book.active
    readme.title = "Readme"
    readme.append(["Export of Interface fact sheets. Do not change the id, type and name columns."])
    sheet = book.create_sheet("Interfaces")
    sheet.append(LEANIX_HEADER)
    for row in LEANIX_ROWS:
        sheet.append(row)
    book.save(OUT / "leanix_interfaces.xlsx")


if __name__ == "__main__":
    registry_workbook()
    leanix_workbook()
    sys.exit(0)
