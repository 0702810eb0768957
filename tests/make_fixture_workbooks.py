"""Writes the workbook fixtures in data/examples/sources/ (kept in git; run again only to change them).

    python tests/make_fixture_workbooks.py

``registry.xlsx`` is the registry of ``registry_as_csv.csv`` as a person keeps it in Excel: a "Read me" sheet
first, a title and a blank row above the header, typed cells (numbers, a date, yes/no as TRUE/FALSE) and one
problem (row 7: maintenance hours "lots"). ``leanix_interfaces.xlsx`` follows LeanIX's inventory export of
Interface fact sheets: a Readme sheet and an Interfaces sheet whose header has id, type and name and the relation
columns chosen in the table view. ``registry.ods`` and ``registry.xls`` hold the same registry sheet as
``registry.xlsx``, as LibreOffice (OpenDocument, written here by hand: it is a zip of one small XML file) and Excel
97-2003 save it (written with ``xlwt``, needed only to regenerate that file: ``pip install xlwt``).
"""

from __future__ import annotations

import sys
import zipfile
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

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


def _ods_cell(value) -> str:
    if value is None:
        return "<table:table-cell/>"
    if value is True or value is False:
        return (f'<table:table-cell office:value-type="boolean" office:boolean-value="{str(value).lower()}">'
                f"<text:p>{'TRUE' if value else 'FALSE'}</text:p></table:table-cell>")
    if isinstance(value, datetime):
        day = value.date().isoformat()
        return (f'<table:table-cell office:value-type="date" office:date-value="{day}">'
                f"<text:p>{day}</text:p></table:table-cell>")
    if isinstance(value, (int, float)):
        return (f'<table:table-cell office:value-type="float" office:value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>")
    return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'


def _ods_table(name: str, rows) -> str:
    body = "".join("<table:table-row>" + "".join(_ods_cell(v) for v in row) + "</table:table-row>" for row in rows)
    return f'<table:table table:name="{escape(name)}">{body}</table:table>'


def registry_ods() -> None:
    """The Registry sheet as LibreOffice Calc saves it: typed floats, booleans and a date."""
    readme = [["This workbook is the integration registry. One row per integration; see the Registry sheet."]]
    registry = [["Integration registry — kept by RevOps"], [], REGISTRY_HEADER, *REGISTRY_ROWS]
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3">'
        "<office:body><office:spreadsheet>"
        + _ods_table("Read me", readme) + _ods_table("Registry", registry)
        + "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(OUT / "registry.ods", "w") as archive:
        # The mimetype entry comes first and uncompressed: that is how readers recognise an OpenDocument file.
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)


def registry_xls() -> None:
    """The Registry sheet as Excel 97-2003 saves it (BIFF8): numbers, booleans and a date-formatted number."""
    import xlwt  # only to regenerate this fixture

    book = xlwt.Workbook(encoding="utf-8")
    book.add_sheet("Read me").write(0, 0, "This workbook is the integration registry. One row per integration.")
    sheet = book.add_sheet("Registry")
    day = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    rows = [["Integration registry — kept by RevOps"], [], REGISTRY_HEADER, *REGISTRY_ROWS]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, datetime):
                sheet.write(r, c, value, day)
            else:
                sheet.write(r, c, value)
    book.save(str(OUT / "registry.xls"))


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
    registry_ods()
    registry_xls()
    leanix_workbook()
    sys.exit(0)
