"""Import formats: each fixture read as documented, round trips, typed cells, header hints, and hostile files."""

from __future__ import annotations

import re

import io
import json
import zipfile
from datetime import date, datetime, time

import pytest

from bench.xlsx import xlsx_bytes
from core.domain.header_hints import parse_column_map, suggest_columns
from core.domain.registry_csv import read_registry_csv
from core.domain.registry_export import write_registry_csv
from core.domain.sources import FORMATS, detect_format, read_source
from core.domain.sources import excel as excel_module
from core.domain.sources.excel import cell_text
from core.errors import MissingColumnsError, RegistryFileError
from tests.conftest import EXAMPLES_DIR, PROJECT_DIR

SOURCES = EXAMPLES_DIR / "sources"
BACKSTAGE = {p.name: p.read_bytes() for p in sorted((SOURCES / "backstage").glob("*.yaml"))}
AIRBYTE_SF = "AB-9924bcd0-99be-453d-ba47-c2c9766f7da5"


def read(name: str, **options):
    if name == "backstage":
        return read_source(BACKSTAGE, **options)
    return read_source((SOURCES / name).read_bytes(), filename=name, **options)


# What each fixture holds, as docs/registry-format.md describes it: (id, source, target, objects, owner team).
EXPECTED = {
    "fivetran_connections.json": ("fivetran", [
        ("FT-lifting-palace", "Salesforce", "Snowflake", ("Opportunity", "Account"), "Unassigned"),
        ("FT-serene-quarter", "HubSpot", "Snowflake", ("contact", "deal"), "Unassigned")]),
    "airbyte_connections.json": ("airbyte", [
        (AIRBYTE_SF, "Salesforce", "Snowflake", ("Opportunity", "OpportunityLineItem"), "Unassigned"),
        ("AB-3f1e7a52-6a54-4c0e-9b8e-0d7d2a1f5c11", "Zendesk Support", "Snowflake", ("tickets", "ticket_comments"),
         "Unassigned")]),
    "airbyte_config_api.json": ("airbyte", [
        ("AB-6b1f0c2e-2d4a-4f1e-9a8b-3c5d7e9f1a20", "HubSpot", "BigQuery", ("contacts", "deals"), "Unassigned")]),
    "dbt_manifest.json": ("dbt", [
        ("DBT-revenue-analytics-salesforce", "Salesforce", "Snowflake", ("account", "opportunity"), "Data Platform"),
        ("DBT-revenue-analytics-stripe", "Stripe", "Snowflake", ("invoices", "subscriptions"), "Finance Systems")]),
    "openmetadata_lineage.csv": ("openmetadata", [
        ("OM-Airflow-prod-salesforce-daily-Salesforce-prod-Snow-798c884946", "Salesforce_prod",
         "Snowflake_analytics", ("Account", "Opportunity"), "Unassigned"),
        ("OM-Dagster-revops-opportunity-sync-Salesforce-prod-Sn-b91e1c861c", "Salesforce_prod",
         "Snowflake_analytics", ("Opportunity",), "Unassigned")]),
    "leanix_interfaces.xlsx": ("leanix", [
        ("LX-0b6e3e4c-1f0a-4c7e-9a51-5d0f6f2a9e01", "Salesforce", "Snowflake", ("Opportunity", "Account"),
         "Data Platform"),
        ("LX-1c7f4f5d-2a1b-4d8f-8b62-6e1a7a3b0f12-NetSuite", "Stripe", "NetSuite", ("Invoice",), "Finance IT"),
        ("LX-1c7f4f5d-2a1b-4d8f-8b62-6e1a7a3b0f12-Snowflake", "Stripe", "Snowflake", ("Invoice",), "Finance IT"),
        ("LX-2d8a5a6e-3b2c-4e9a-9c73-7f2b8b4c1a23", "Zendesk", "Jira", ("Ticket",), "Unassigned")]),
    "registry.xlsx": ("xlsx", [
        ("INT-101", "Salesforce", "Stripe", ("Opportunity", "Account"), "Sales Ops"),
        ("INT-102", "Stripe", "NetSuite", ("Invoice",), "Finance"),
        ("INT-103", "Zendesk", "Jira", ("Ticket",), "Customer Success")]),
    "backstage": ("backstage", [
        ("BS-invoice-service-accounts-api", "Salesforce", "Billing Platform", ("Accounts API",),
         "finance-engineering"),
        ("BS-portal-web-invoices-api", "Billing Platform", "Customer Portal", ("invoice", "payment"), "web-team"),
        ("BS-portal-web-accounts-api", "Salesforce", "Customer Portal", ("Accounts API",), "web-team")]),
}


@pytest.mark.parametrize("name", EXPECTED)
def test_each_fixture_reads_as_its_documented_mapping(name):
    fmt, rows = EXPECTED[name]

    report = read(name)

    assert report.format == fmt
    assert [(i.id, i.source_system, i.target_system, i.data_objects, i.owner_team) for i in report.accepted] == rows
    if fmt != "xlsx":  # a registry table's rows are their own records: the import names them by id
        assert set(report.origins) == {i.id for i in report.accepted}


@pytest.mark.parametrize("name", EXPECTED)
def test_each_format_round_trips_through_the_canonical_csv(name):
    report = read(name)

    again = read_registry_csv(write_registry_csv(report.accepted).encode("utf-8"))

    assert again.accepted == report.accepted and again.errors == []


@pytest.mark.parametrize("name", [n for n in EXPECTED if n != "backstage"])
def test_a_reimport_of_the_same_export_gives_the_same_ids(name):
    assert [i.id for i in read(name).accepted] == [i.id for i in read(name).accepted]


@pytest.mark.parametrize(("name", "expected"), [
    ("fivetran_connections.json", [("connections[2]", "data_objects")]),
    ("airbyte_config_api.json", [("connections[1]", "data_objects")]),
    ("leanix_interfaces.xlsx", [("sheet 'Interfaces', row 5", "target_system")]),
    ("registry.xlsx", [("sheet 'Registry', cell H7", "monthly_maintenance_hours")]),
    ("registry.xls", [("sheet 'Registry', cell H7", "monthly_maintenance_hours")]),
    ("registry.ods", [("sheet 'Registry', cell H7", "monthly_maintenance_hours")]),
])
def test_each_bad_entry_names_the_path_in_the_file_and_the_field(name, expected):
    assert [(e.where, e.column) for e in read(name).errors] == expected


@pytest.mark.parametrize(("name", "kind"), [("registry.xlsx", "Excel workbook"),
                                          ("registry.xls", "Excel 97-2003 workbook"),
                                          ("registry.ods", "OpenDocument spreadsheet")])
def test_a_workbook_reads_exactly_like_the_same_rows_saved_as_csv(name, kind):
    workbook, csv = read(name), read("registry_as_csv.csv")

    assert workbook.encoding == kind and workbook.sheet == "Registry"

    assert workbook.accepted == csv.accepted
    assert [(e.row - 2, e.column, e.value, e.message, e.fix) for e in workbook.errors] == \
        [(e.row, e.column, e.value, e.message, e.fix) for e in csv.errors]  # two rows above the header


@pytest.mark.parametrize(("value", "text"), [
    (12.0, "12"), (2.5, "2.5"), (1200, "1200"), (True, "TRUE"), (False, "FALSE"), (None, ""),
    (date(2024, 3, 1), "2024-03-01"), (datetime(2024, 3, 1), "2024-03-01"),
    (datetime(2024, 3, 1, 9, 30), "2024-03-01 09:30:00"), (time(9, 30), "09:30:00"), ("2-3", "2-3"),
    (float("nan"), ""), (1e-05, "0.00001"), (1.5e-07, "0.00000015"), (1e16, "10000000000000000"),
])
def test_typed_cells_read_as_the_text_a_csv_export_holds(value, text):
    assert cell_text(value) == text


def test_the_first_sheet_with_the_header_is_read_unless_one_is_named():
    rows = [["id", "name", "source_system", "target_system", "data_objects", "owner_team"],
            ["INT-1", "A", "X", "Y", "Lead", "Ops"]]
    book = xlsx_bytes(rows, sheet="Second")

    assert [i.id for i in read_source(book, filename="r.xlsx").accepted] == ["INT-1"]
    assert read_source(book, filename="r.xlsx", sheet="second").sheet == "Second"
    with pytest.raises(RegistryFileError, match="no sheet 'Other'"):
        read_source(book, filename="r.xlsx", sheet="Other")


@pytest.mark.parametrize(("data", "filename", "fmt"), [
    (b"name,source_system,target_system\n", "r.csv", "csv"),
    (b"name;source;target\n", "", "csv"),
    (b"fromEntityType,fromFullyQualifiedName,toEntityType,toFullyQualifiedName\n", "lineage.csv", "openmetadata"),
    (b"apiVersion: backstage.io/v1alpha1\nkind: API\n", "", "backstage"),
    (b"kind: Component\n", "catalog-info.yml", "backstage"),
    (b'{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json"}}', "", "dbt"),
    (b'{"connections": [{"connectionId": "1", "sourceId": "2"}]}', "a.json", "airbyte"),
    (b'\xef\xbb\xbf {"connections": [{"id": "1", "service": "x", "group_id": "g"}]}', "", "fivetran"),
    (xlsx_bytes([["id"]]), "registry.xlsx", "xlsx"),
])
def test_auto_decides_the_format_by_content_then_extension(data, filename, fmt):
    assert detect_format(data, filename) == fmt


def test_a_json_file_of_no_known_tool_is_refused_in_plain_words():
    with pytest.raises(RegistryFileError, match="not one the importer knows"):
        read_source(b'{"hello": "world"}', filename="x.json")


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f not in ("csv", "backstage")])
def test_a_file_of_another_format_is_refused_not_misread(fmt):
    with pytest.raises(RegistryFileError):
        read_source(b"name,source_system,target_system,data_objects,owner_team\nA,X,Y,Lead,Ops\n", fmt)


# ----------------------------------------------------------------------------- header hints and --map

@pytest.mark.parametrize(("columns", "missing", "expected"), [
    (["Source Application", "Target Application"], ["source_system", "target_system"],
     {"source_system": "Source Application", "target_system": "Target Application"}),
    (["Provider", "Consumer", "Data Object"], ["source_system", "target_system", "data_objects"],
     {"source_system": "Provider", "target_system": "Consumer", "data_objects": "Data Object"}),
    (["relInterfaceToProviderApplication", "relInterfaceToConsumerApplication"],
     ["source_system", "target_system"],
     {"source_system": "relInterfaceToProviderApplication", "target_system": "relInterfaceToConsumerApplication"}),
    (["Sender System", "Receiving System", "Owning Department"], ["source_system", "target_system", "owner_team"],
     {"source_system": "Sender System", "target_system": "Receiving System", "owner_team": "Owning Department"}),
    (["Owner Tem"], ["owner_team"], {"owner_team": "Owner Tem"}),  # a typo, caught by likeness
    (["Provider to Consumer"], ["source_system", "target_system"], {}),  # both: a hint for neither
    (["Slack channel", "Jira epic"], ["source_system"], {}),
    (["Source", "Target Application"], ["target_system"], {"target_system": "Target Application"}),
])
def test_missing_columns_are_suggested_from_the_files_own_columns(columns, missing, expected):
    assert suggest_columns(columns, missing) == expected


def test_a_missing_column_refusal_names_the_likely_columns():
    with pytest.raises(MissingColumnsError) as refusal:
        read("leanix_style_headers.csv")

    assert "'Source Application' looks like source_system" in str(refusal.value)
    assert refusal.value.missing == ("name", "source_system", "target_system", "data_objects", "owner_team")
    assert refusal.value.suggestions["target_system"] == "Target Application"


UNKNOWN_HEADERS = ["Ref", "Interface", "Sending App", "Receiving App", "Business Object", "Responsible Dept",
                   "Contact", "Slack channel"]
FOUR_SUGGESTED = {"Sending App": "source_system", "Receiving App": "target_system", "Business Object": "data_objects",
                  "Responsible Dept": "owner_team"}


@pytest.mark.parametrize(("header", "column_map", "unused", "sentence"), [
    pytest.param(UNKNOWN_HEADERS, None, ("Ref", "Interface", "Contact", "Slack channel"),
                 "Nothing looks like name; columns not used: Ref, Interface, Contact, Slack channel.",
                 id="suggestions-for-four-of-five"),
    pytest.param(UNKNOWN_HEADERS, FOUR_SUGGESTED, ("Ref", "Interface", "Contact", "Slack channel"),
                 "The header has no column for: name. Nothing looks like name; columns not used: Ref, Interface, "
                 "Contact, Slack channel.", id="the-suggested-map-applied"),
    pytest.param(["name", "source", "target", "objects"], None, (),
                 "Nothing looks like owner_team, and every column of the file is used.", id="no-column-left"),
    pytest.param(["Title", "Source", "Target", "Objects", "Notes", "Jira epic"], None, ("Jira epic",),
                 "Nothing looks like owner_team; columns not used: Jira epic.", id="recognised-columns-not-listed"),
])
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_missing_field_nothing_looks_like_gets_the_columns_not_used(header, column_map, unused, sentence, kind):
    rows = [header, ["x"] * len(header)]
    data = xlsx_bytes(rows) if kind == "xlsx" else "\n".join(",".join(row) for row in rows).encode()

    with pytest.raises(MissingColumnsError) as refusal:
        read_source(data, filename=f"r.{kind}", column_map=column_map)

    assert sentence in str(refusal.value)
    assert refusal.value.unused == unused


def test_the_suggested_map_reads_the_file():
    column_map = parse_column_map("Interface Name=name, Source Application=source_system, Target Application="
                                  "target_system, Data Object=data_objects, Owning Group=owner_team")

    report = read("leanix_style_headers.csv", column_map=column_map)

    assert [(i.name, i.source_system, i.owner_team, i.owner) for i in report.accepted] == [
        ("Opportunity sync to Snowflake", "Salesforce", "Data Platform", "Marcus Chen"),
        ("Invoice export", "Stripe", "Finance IT", "Rafael Ortega")]


def test_a_mapped_column_wins_over_one_the_header_would_match():
    data = b"Name,Display Name,Source,Target,Objects,Team\nshort,Long name,X,Y,Lead,Ops\n"

    [row] = read_source(data, column_map={"Display Name": "name"}).accepted

    assert row.name == "Long name" and row.extra == {"Name": "short"}


def test_a_map_naming_columns_the_file_lacks_changes_nothing():
    data = b"name,source_system,target_system,data_objects,owner_team\nA,X,Y,Lead,Ops\n"

    report = read_source(data, column_map={"Source Application": "source_system"})

    assert [(i.source_system, i.extra) for i in report.accepted] == [("X", {})]


@pytest.mark.parametrize(("text", "message"), [
    ("Source Application", "is not a column mapping"),
    ("Source Application=wherever", "'wherever' in 'Source Application=wherever' is not a registry field"),
    ("=source_system", "is not a column mapping"),
])
def test_a_bad_map_is_refused_naming_the_entry(text, message):
    with pytest.raises(RegistryFileError, match=message):
        parse_column_map(text)


# ----------------------------------------------------------------------------- LeanIX variants

LEANIX_TECHNICAL = ["id", "type", "name", "relInterfaceToProviderApplication", "relInterfaceToConsumerApplication",
                    "relInterfaceToDataObject", "subscriptions"]


def test_leanix_technical_names_and_a_label_row_read_the_same():
    rows = [LEANIX_TECHNICAL,
            ["ID", "Type", "Name", "Provider Application", "Consumer Application", "Data Object", "Subscriptions"],
            ["fs-1", "Interface", "Lead feed", "Marketo", "Salesforce", "Lead", "Responsible: Chen Wei"]]

    [row] = read_source(xlsx_bytes(rows, sheet="Interface"), filename="export.xlsx").accepted

    assert (row.id, row.source_system, row.target_system, row.data_objects, row.owner) == (
        "LX-fs-1", "Marketo", "Salesforce", ("Lead",), "Chen Wei")


def test_a_leanix_export_of_another_fact_sheet_type_is_refused():
    rows = [LEANIX_TECHNICAL, ["fs-1", "Application", "CRM", "", "", "", ""]]

    with pytest.raises(RegistryFileError, match="holds Application fact sheets"):
        read_source(xlsx_bytes(rows), "leanix")


# ----------------------------------------------------------------------------- limits and hostile files

def test_row_limits_apply_to_every_format():
    with pytest.raises(RegistryFileError, match="more than 1 rows"):
        read("fivetran_connections.json", max_rows=1)
    with pytest.raises(RegistryFileError, match="more than 2 rows"):
        read("registry.xlsx", max_rows=2)
    with pytest.raises(RegistryFileError, match="more than 1 rows"):
        read("openmetadata_lineage.csv", max_rows=1)


def test_a_yaml_alias_bomb_is_refused():
    lines = ['l0: &l0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for level in range(1, 10):
        previous = ", ".join([f"*l{level - 1}"] * 9)
        lines.append(f"l{level}: &l{level} [{previous}]")
    bomb = ("\n".join(lines) + "\n").encode()

    # 81 aliases expanding to 9**10 values: refused by the alias count or the value count, never walked whole.
    with pytest.raises(RegistryFileError, match="YAML bomb|more than 2,000,000 values"):
        read_source(bomb, "backstage")
    with pytest.raises(RegistryFileError, match="YAML bomb"):
        read_source(bomb + b"more: [" + b", ".join([b"*l9"] * 120) + b"]\n", "backstage")


@pytest.mark.parametrize(("data", "fmt", "message"), [
    (b"[" * 100_000 + b"]" * 100_000, "airbyte", "nested"),
    (b'{"connections": ' + b"[" * 70 + b"]" * 70 + b"}", "airbyte", "nested more than 64"),
    (b'{"n": ' + b"9" * 5000 + b"}", "fivetran", "number too long"),
    (b"key: [" * 70 + b"]" * 70, "backstage", "nested"),
    (b"kind: [unclosed\n", "backstage", "line 2"),
    (b'{"connections": [', "fivetran", "not valid JSON"),
    (b"\xff\xfe\x00bad", "dbt", "not UTF-8"),
])
def test_malformed_and_hostile_description_files_are_refused_in_plain_words(data, fmt, message):
    with pytest.raises(RegistryFileError, match=message):
        read_source(data, fmt)


def test_a_workbook_that_unpacks_to_too_much_is_refused_before_reading(monkeypatch):
    monkeypatch.setattr(excel_module, "MAX_UNPACKED_BYTES", 10_000)
    book = xlsx_bytes([["id", "name"]] + [[f"INT-{i}", "x" * 50] for i in range(500)])

    with pytest.raises(RegistryFileError, match="unpacks to"):
        read_source(book, filename="big.xlsx")


def test_a_damaged_or_foreign_workbook_is_one_plain_error():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("xl/workbook.xml", "<not really>")
    with pytest.raises(RegistryFileError, match="could not be read"):
        read_source(archive.getvalue(), filename="x.xlsx")
    with pytest.raises(RegistryFileError, match="not an Excel workbook"):
        read_source(b"PK\x03\x04garbage", "xlsx")


def test_a_backstage_component_without_an_owner_is_a_problem_named_where_it_is():
    unowned = (b"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: revenue-report}\n"
               b"spec: {system: reporting, consumesApis: [invoices-api]}\n")

    report = read_source({**BACKSTAGE, "reporting/revenue.yaml": unowned})

    assert [(e.where, e.column, e.fix) for e in report.errors] == [
        ("reporting/revenue.yaml, document 1 (Component revenue-report)", "owner_team",
         "Give the component revenue-report a spec.owner.")]


def test_a_backstage_catalog_without_entities_is_refused():
    with pytest.raises(RegistryFileError, match="No Backstage entities"):
        read_source({"a.yaml": b"just: text\n"})


def test_dbt_exposures_reach_sources_through_model_chains_and_cycles_end():
    manifest = json.loads((SOURCES / "dbt_manifest.json").read_bytes())
    nodes = manifest["nodes"]
    nodes["model.revenue_analytics.stg_opportunities"]["depends_on"]["nodes"].append(
        "model.revenue_analytics.fct_pipeline")  # a cycle

    report = read_source(json.dumps(manifest).encode(), "dbt")

    salesforce = next(i for i in report.accepted if i.source_system == "Salesforce")
    assert salesforce.consumers == ("Monthly board pack", "Pipeline dashboard")


@pytest.mark.parametrize(("adapter_type", "said"), [
    (None, "has no metadata.adapter_type"), ("", "has no metadata.adapter_type"),
    (["snowflake"], "has a list (snowflake) for metadata.adapter_type"),
], ids=["absent", "empty", "a-list"])
def test_a_dbt_manifest_that_does_not_name_its_warehouse_is_refused_once_saying_how_to_fix_it(adapter_type, said):
    manifest = json.loads((SOURCES / "dbt_manifest.json").read_bytes())
    manifest["metadata"] = {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v1.json",
                            "dbt_version": "0.19.0"}
    if adapter_type is not None:
        manifest["metadata"]["adapter_type"] = adapter_type

    with pytest.raises(RegistryFileError) as refusal:
        read_source(json.dumps(manifest).encode(), filename="manifest.json")

    assert str(refusal.value) == (
        f"The dbt manifest (written by dbt 0.19.0) {said}, so it does not say which warehouse its 4 source tables are "
        "loaded into; their database and schema names do not say it either, and none is guessed. Run dbt parse in "
        "the project with a current dbt, which writes the warehouse there (\"snowflake\", \"bigquery\", ...), "
        "and upload the new target/manifest.json.")


def test_a_dbt_manifest_without_sources_needs_no_warehouse():
    report = read_source(b'{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v1.json"}, '
                         b'"sources": {}, "nodes": {}}', "dbt")

    assert (report.accepted, report.errors) == ([], [])


def ods_bytes(rows) -> bytes:
    """A one-sheet OpenDocument spreadsheet with typed cells, as LibreOffice writes one."""
    def cell(value) -> str:
        if isinstance(value, bool):
            return (f'<table:table-cell office:value-type="boolean" office:boolean-value="{str(value).lower()}">'
                    f"<text:p>{value}</text:p></table:table-cell>")
        if isinstance(value, (int, float)):
            return (f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p>'
                    "</table:table-cell>")
        if isinstance(value, date):
            return (f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}">'
                    f"<text:p>{value}</text:p></table:table-cell>")
        return f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'

    body = "".join("<table:table-row>" + "".join(map(cell, row)) + "</table:table-row>" for row in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body>'
        f'<office:spreadsheet><table:table table:name="Registry">{body}</table:table></office:spreadsheet>'
        "</office:body></office:document-content>")
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", manifest)
        z.writestr("content.xml", content)
    return archive.getvalue()


def test_an_opendocument_spreadsheet_reads_like_the_same_csv():
    rows = [["id", "name", "source_system", "target_system", "data_objects", "owner_team", "build_hours",
             "has_monitoring", "launched_on"],
            ["INT-1", "Opp sync", "Salesforce", "Stripe", "Opportunity", "Sales Ops", 12, True, date(2024, 3, 1)],
            ["INT-2", "Invoices", "Stripe", "NetSuite", "Invoice", "Finance", 2.5, False, date(2023, 1, 9)]]
    csv = (b"id,name,source_system,target_system,data_objects,owner_team,build_hours,has_monitoring,launched_on\n"
           b"INT-1,Opp sync,Salesforce,Stripe,Opportunity,Sales Ops,12,TRUE,2024-03-01\n"
           b"INT-2,Invoices,Stripe,NetSuite,Invoice,Finance,2.5,FALSE,2023-01-09\n")

    report = read_source(ods_bytes(rows), filename="registry.ods")

    assert (report.format, report.encoding, report.errors) == ("xlsx", "OpenDocument spreadsheet", [])
    assert report.accepted == read_registry_csv(csv).accepted


# ------------------------------------------------------------------ a catalog uploaded as several files
def _folder_upload() -> list[tuple[str, bytes]]:
    """The example folder as the browser uploads it: each file named by its path under the chosen folder."""
    return [(f"backstage/{name}", data) for name, data in BACKSTAGE.items()]


def test_a_folder_uploaded_on_the_page_is_the_catalog_the_cli_reads_from_that_folder():
    from core.services.registry import catalog_from_uploads, read_registry_source

    catalog = catalog_from_uploads(_folder_upload())

    assert catalog.name == "backstage"  # the source name `igov import data/examples/sources/backstage` records
    assert catalog.files == read_registry_source(SOURCES / "backstage")
    assert detect_format(catalog.files) == "backstage"
    assert [i.id for i in read_source(catalog.files).accepted] == [i.id for i in read("backstage").accepted]


def test_catalog_files_uploaded_without_their_folder_share_one_stable_name():
    from core.services.registry import catalog_from_uploads

    assert catalog_from_uploads(list(BACKSTAGE.items())).name == "catalog files"
    assert catalog_from_uploads(list(BACKSTAGE.items())[:2]).name == "catalog files"
    assert catalog_from_uploads([("catalog-info.yaml", b"")]).name == "catalog-info.yaml"  # as the one-file upload


def test_an_uploaded_catalog_is_held_to_the_cli_folder_limits(monkeypatch):
    from core.services import registry as service

    with pytest.raises(RegistryFileError, match=r"^The catalog's 2 files are 1\.2 MB together; the limit "
                                                r"is 1 MB\. Upload the catalog's own folder, or raise IGOV_MAX_UPLOAD"):
        service.catalog_from_uploads([("c/a.yaml", b"x" * 600_000), ("c/b.yaml", b"x" * 600_000)], limit_mb=1)
    monkeypatch.setattr(service, "MAX_FOLDER_FILES", 2)
    with pytest.raises(RegistryFileError, match="^The catalog has 3 files; at most 2 are read. Upload the catalog's "):
        service.catalog_from_uploads([(f"c/{n}.yaml", b"") for n in range(3)])
    assert len(service.catalog_from_uploads([(f"c/{n}.yaml", b"") for n in range(2)]).files) == 2


def test_a_catalog_folder_over_the_limit_is_refused_in_words_about_the_folder(tmp_path, monkeypatch):
    from core.services import registry as service

    for name in ("a.yaml", "nested/b.yml"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(b"x" * 600_000)
    (tmp_path / "notes.md").write_bytes(b"x" * 5_000_000)  # not a catalog file: not counted
    monkeypatch.setenv("IGOV_MAX_UPLOAD_MB", "1")
    expected = (f"The catalog's 2 files in {tmp_path} are 1.2 MB together; the limit is 1 MB. Point at the "
                "catalog's own folder, or raise IGOV_MAX_UPLOAD_MB.")
    with pytest.raises(RegistryFileError, match=f"^{re.escape(expected)}$"):
        service.read_registry_source(tmp_path)
    monkeypatch.setenv("IGOV_MAX_UPLOAD_MB", "2")
    assert list(service.read_registry_source(tmp_path)) == ["a.yaml", "nested/b.yml"]
    monkeypatch.setattr(service, "MAX_FOLDER_FILES", 1)
    with pytest.raises(RegistryFileError, match="holds more than 1 YAML files; point at the catalog's own folder"):
        service.read_registry_source(tmp_path)


@pytest.mark.parametrize(("uploads", "message"), [
    ([("backstage/apis.yaml", b""), ("backstage/notes.md", b"")], "^backstage/notes.md is not a YAML file: "),
    ([("apis.yaml", b""), ("apis.yaml", b"")], "^apis.yaml is given twice. Remove one of them"),
    ([], "^No catalog file was given"),
])
def test_an_uploaded_catalog_is_refused_in_words_naming_the_file(uploads, message):
    from core.services.registry import catalog_from_uploads

    with pytest.raises(RegistryFileError, match=message):
        catalog_from_uploads(uploads)


def test_a_broken_file_of_an_uploaded_catalog_is_named_with_its_path_in_the_catalog():
    from core.services.registry import catalog_from_uploads

    catalog = catalog_from_uploads([*_folder_upload(), ("backstage/teams/broken.yaml", b"kind: [API\n")])

    with pytest.raises(RegistryFileError, match=r"^The Backstage catalog teams/broken.yaml file is not valid YAML "
                                                r"\(line 2, column 1\)"):
        read_source(catalog.files)


# ----------------------------------------------------------------------------- a part of the wrong type

@pytest.mark.parametrize(("sources", "found"), [
    ([{"source_name": "salesforce", "name": "account"}], "a list (1 entry)"),
    ("see elsewhere", "the text 'see elsewhere'"),
    (3, "the number 3"),
], ids=["list", "text", "number"])
def test_a_dbt_manifest_with_sources_that_are_not_an_object_is_refused_in_words(sources, found):
    manifest = json.loads((SOURCES / "dbt_manifest.json").read_bytes())
    manifest["sources"] = sources

    with pytest.raises(RegistryFileError) as refusal:
        read_source(json.dumps(manifest).encode(), filename="manifest.json")

    assert str(refusal.value) == (
        f"The dbt manifest file's \"sources\" is {found}; it should be an object of sources by their unique id "
        "(\"source.<package>.<source>.<table>\": {...}). Upload target/manifest.json as dbt parse or dbt compile "
        "wrote it.")


@pytest.mark.parametrize(("name", "key", "value", "message"), [
    ("dbt_manifest.json", "exposures", ["board_pack"], "The dbt manifest file's \"exposures\" is a list (board_pack); "
     "it should be an object of exposures by their unique id (\"exposure.<package>.<name>\": {...})."),
    ("fivetran_connections.json", "schemas", [{"schemas": {}}], "The Fivetran file's \"schemas\" is a list (1 entry);"
     " it should be an object of schema configs by connection id ({\"<connection id>\": {...}})."),
    ("fivetran_connections.json", "destinations", "snowflake", "The Fivetran file's \"destinations\" is the text "
     "'snowflake'; it should be a list of destinations, or the API answer of one."),
    ("airbyte_connections.json", "sources", 2, "The Airbyte file's \"sources\" is the number 2; it should be a list of "
     "sources, or the API answer around it ({\"data\": [...]})."),
])
def test_a_part_of_a_json_export_of_the_wrong_kind_is_refused_naming_the_part_and_what_it_holds(name, key, value,
                                                                                               message):
    document = json.loads((SOURCES / name).read_bytes())
    document[key] = value

    with pytest.raises(RegistryFileError) as refusal:
        read_source(json.dumps(document).encode(), filename=name)

    assert str(refusal.value).startswith(message)


# ----------------------------------------------------------------------------- Fivetran and Airbyte API answers

def _fivetran_with_destinations(shape):
    document = json.loads((SOURCES / "fivetran_connections.json").read_bytes())
    [destination] = document["destinations"]
    document["destinations"] = shape(destination)
    return read_source(json.dumps(document).encode(), filename="fivetran.json")


@pytest.mark.parametrize("shape", [
    lambda d: {"code": "Success", "data": d},
    lambda d: [{"code": "Success", "data": d}],
    lambda d: d,
], ids=["the-answer-of-one-destination", "a-list-of-such-answers", "one-destination-itself"])
def test_fivetran_destinations_pasted_as_the_retrieve_destination_details_answer_are_found(shape):
    assert [(i.id, i.target_system) for i in _fivetran_with_destinations(shape).accepted] == [
        ("FT-lifting-palace", "Snowflake"), ("FT-serene-quarter", "Snowflake")]


def _first_connection(document: dict) -> dict:
    connections = document["connections"]
    return (connections["data"] if isinstance(connections, dict) else connections)[0]


@pytest.mark.parametrize(("created", "launched_on"), [
    (1709251200, date(2024, 3, 1)),  # seconds since 1970, as Airbyte's API gives createdAt
    (1709251200000, date(2024, 3, 1)),  # milliseconds
    ("2024-03-01T10:00:00Z", date(2024, 3, 1)),
    ("2024-03-01", date(2024, 3, 1)),
])
@pytest.mark.parametrize(("name", "key"), [("airbyte_connections.json", "createdAt"),
                                           ("fivetran_connections.json", "created_at")])
def test_a_creation_time_in_seconds_milliseconds_or_iso_text_is_the_launch_date(name, key, created, launched_on):
    document = json.loads((SOURCES / name).read_bytes())
    _first_connection(document)[key] = created

    first = read_source(json.dumps(document).encode(), filename=name).accepted[0]

    assert first.launched_on == launched_on


@pytest.mark.parametrize("created", ["1709251200000000", "last spring, I think", "01/03/2024 10:00:00"])
def test_a_creation_time_that_is_not_a_date_is_quoted_as_the_file_has_it(created):
    document = json.loads((SOURCES / "airbyte_connections.json").read_bytes())
    _first_connection(document)["createdAt"] = created

    report = read_source(json.dumps(document).encode(), filename="airbyte.json")

    assert [(e.where, e.column, e.value) for e in report.errors] == [("connections[0]", "launched_on", created)]


# ----------------------------------------------------------------------------- Airbyte streams in either shape

def _airbyte_with_streams(**parts) -> bytes:
    connection = {"connectionId": "c1", "name": "SF", "sourceId": "s1", "destinationId": "d1", **parts}
    return json.dumps({"connections": {"data": [connection]},
                       "sources": {"data": [{"sourceId": "s1", "sourceType": "salesforce"}]},
                       "destinations": {"data": [{"destinationId": "d1", "destinationType": "snowflake"}]}}).encode()


@pytest.mark.parametrize("parts", [
    {"configurations": {"streams": [{"name": "Opportunity"}, {"stream": {"name": "Account"}}]}},
    {"syncCatalog": {"streams": [{"stream": {"name": "Opportunity"}, "config": {"selected": True}},
                                 {"stream": {"name": "Account"}}]}},
    {"syncCatalog": {"streams": [{"stream": {"name": "Opportunity"}, "config": {"selected": True}},
                                 {"stream": {"name": "Lead"}, "config": {"selected": False}},
                                 {"stream": {"name": "Account"}, "config": {"syncMode": "full_refresh"}}]}},
], ids=["public-api-with-a-configured-catalog-item", "configured-catalog", "a-deselected-stream-left-out"])
def test_airbyte_streams_are_read_from_the_public_api_and_the_configured_catalog_shapes(parts):
    report = read_source(_airbyte_with_streams(**parts), filename="airbyte.json")

    assert report.errors == []
    assert [i.data_objects for i in report.accepted] == [("Opportunity", "Account")]


def test_an_airbyte_connection_with_every_stream_deselected_says_it_syncs_nothing():
    streams = [{"stream": {"name": "Lead"}, "config": {"selected": False}}]

    report = read_source(_airbyte_with_streams(syncCatalog={"streams": streams}), filename="airbyte.json")

    assert [(e.where, e.column, e.fix) for e in report.errors] == [(
        "connections[0]", "data_objects",
        "Every stream in syncCatalog.streams has config.selected false, so the connection syncs nothing: select "
        "the streams it moves in Airbyte and export it again, or leave the connection out.")]


def test_an_airbyte_stream_without_a_name_is_named_where_it_is_and_left_out():
    parts = {"configurations": {"streams": [{"name": "Opportunity"}, {"name": None}, {"stream": {"name": " "}}]}}

    report = read_source(_airbyte_with_streams(**parts), filename="airbyte.json")

    assert [i.data_objects for i in report.accepted] == [("Opportunity",)]
    assert ("Left out 2 Airbyte streams without a name: connections[0].configurations.streams[1].name and "
            "connections[0].configurations.streams[2].stream.name.") in report.notes


def test_an_airbyte_source_of_the_configuration_api_is_named_by_its_connector_not_its_own_name():
    sources = {"sourceId": "s1", "name": "Orders DB", "sourceName": "Postgres"}
    document = json.loads(_airbyte_with_streams(configurations={"streams": [{"name": "orders"}]}))
    document["sources"] = [sources]

    report = read_source(json.dumps(document).encode(), filename="airbyte.json")

    assert [i.source_system for i in report.accepted] == ["PostgreSQL"]


# ----------------------------------------------------------------------------- OpenMetadata lineage

def _lineage_saved_with(delimiter: str) -> bytes:
    import csv

    rows = list(csv.reader(io.StringIO((SOURCES / "openmetadata_lineage.csv").read_text(encoding="utf-8-sig"))))
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return b"\xef\xbb\xbf" + text.getvalue().encode()


@pytest.mark.parametrize(("delimiter", "named"), [(";", ";"), ("\t", "tab")])
def test_an_openmetadata_lineage_export_saved_with_semicolons_or_tabs_reads_as_with_commas(delimiter, named):
    report = read_source(_lineage_saved_with(delimiter), filename="lineage.csv")

    assert (report.format, report.delimiter) == ("openmetadata", named)
    assert report.accepted == read("openmetadata_lineage.csv").accepted


def test_a_lineage_header_without_both_ends_is_refused_naming_how_its_columns_were_separated():
    with pytest.raises(RegistryFileError, match="^This is not an OpenMetadata lineage export: the header, read as "
                                                "columns separated by semicolons, has no toFullyQualifiedName. "):
        read_source(b"fromFullyQualifiedName;to\nSalesforce.a;Snowflake.b\n", "openmetadata")


def test_lineage_edges_of_one_pipeline_to_a_service_spelled_in_another_case_are_one_integration():
    lineage = (b"fromFullyQualifiedName,toFullyQualifiedName,pipelineFullyQualifiedName\n"
               b"Salesforce_prod.default.Opportunity,Snowflake_analytics.RAW.SF.OPP,Airflow.x\n"
               b"salesforce_prod.default.Account,snowflake_analytics.RAW.SF.ACC,Airflow.x\n")

    report = read_source(lineage, "openmetadata")

    assert [(i.source_system, i.target_system, i.data_objects) for i in report.accepted] == [
        ("Salesforce_prod", "Snowflake_analytics", ("Account", "Opportunity"))]


LINEAGE_HEADER = b"fromFullyQualifiedName,toFullyQualifiedName,pipelineFullyQualifiedName,description\n"


def test_a_lineage_edge_between_services_names_no_data_object():
    lineage = LINEAGE_HEADER + (b"Salesforce_prod.default.Opportunity,Snowflake_analytics.RAW.SF.OPP,Airflow.x,\n"
                                b"Salesforce_prod,Snowflake_analytics,Airflow.x,service-level edge\n")

    report = read_source(lineage, "openmetadata")

    assert [i.data_objects for i in report.accepted] == [("Opportunity",)]


def test_lineage_between_services_only_is_refused_naming_the_rows_and_data_objects():
    lineage = LINEAGE_HEADER + (b"Salesforce_prod.default.Opportunity,Snowflake_analytics.RAW.SF.OPP,Airflow.x,\n"
                                b"Salesforce_prod,Snowflake_analytics,,service-level edge\n"
                                b"salesforce_prod,Snowflake_analytics,,\n")

    report = read_source(lineage, "openmetadata")

    assert [(e.where, e.column, e.fix) for e in report.errors] == [(
        "row 3", "data_objects",
        "Rows 3 and 4 connect the services Salesforce_prod and Snowflake_analytics only, with no table after the "
        "service name, so they do not say what is moved: export the lineage of the tables instead (a table's "
        "Lineage tab).")]


def _reordered(data: bytes, *, swap_case: bool = False) -> bytes:
    header, *rows = data.decode("utf-8-sig").splitlines(keepends=True)
    rows.reverse()
    if swap_case:  # Dagster's edge, now read before Airflow's, spells the service in another case
        rows = [r.replace("Salesforce_prod.default.Opportunity", "salesforce_prod.default.Opportunity")
                if "Dagster" in r else r for r in rows]
    return (header + "".join(rows)).encode()


@pytest.mark.parametrize("swap_case", [False, True], ids=["reordered", "reordered-and-one-row-respelled"])
def test_lineage_rows_in_another_order_give_the_same_ids_and_the_same_rows(swap_case):
    data = (SOURCES / "openmetadata_lineage.csv").read_bytes()
    before = read_source(data, "openmetadata")

    after = read_source(_reordered(data, swap_case=swap_case), "openmetadata")

    assert sorted(after.accepted, key=lambda i: i.id) == sorted(before.accepted, key=lambda i: i.id)
    assert {i: o.external_id for i, o in after.origins.items()} == {
        i: o.external_id for i, o in before.origins.items()}


def test_pipeline_names_are_compared_ignoring_case_as_service_names_are():
    lineage = LINEAGE_HEADER + (b"Salesforce_prod.default.Opportunity,Snowflake_analytics.RAW.SF.OPP,Airflow.SF_daily,"
                                b"\nSalesforce_prod.default.Account,Snowflake_analytics.RAW.SF.ACC,airflow.sf_daily,"
                                b"\nSalesforce_prod.default.Lead,Snowflake_analytics.RAW.SF.LEAD,Airflow.SF_daily,\n")

    report = read_source(lineage, "openmetadata")

    assert [(i.name, i.data_objects) for i in report.accepted] == [
        ("SF_daily: Salesforce_prod to Snowflake_analytics", ("Account", "Lead", "Opportunity"))]


# ----------------------------------------------------------------------------- Backstage problems named as they are

CATALOG_WITH_PROBLEMS = b"""# a catalog file as people keep one: a comment, an empty document, several entities
---
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: orders-api, tags: [order]}
spec: {type: openapi, owner: team-a, system: erp}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: erp-core}
spec: {type: service, owner: team-a, system: erp, providesApis: [orders-api]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: reporting}
spec: {type: service, owner: [team-b, team-c], system: bi, consumesApis: [orders-api]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: ghost}
spec: {type: service, owner: team-z, system: crm, consumesApis: [missing-api]}
"""


def test_backstage_problems_name_the_document_as_numbered_in_the_file_and_say_what_is_wrong():
    report = read_source({"catalog.yaml": CATALOG_WITH_PROBLEMS})

    assert report.accepted == []
    assert [(e.where, e.column, e.fix) for e in report.errors] == [
        ("catalog.yaml, document 4 (Component reporting)", "owner_team",
         "spec.owner of reporting is a list (team-b, team-c): give one owner, a text like group:default/sales."),
        ("catalog.yaml, document 5 (Component ghost)", "source_system",
         "ghost consumes missing-api, which is not in the catalog: add the API's file (kind: API) to the catalog, "
         "or take missing-api out of ghost's spec.consumesApis."),
    ]


CATALOG_WITH_AN_API_OF_NO_SYSTEM = b"""apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: rates-api, title: Exchange rates API, tags: [rate]}
spec: {type: openapi, owner: team-a}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: orders-api, tags: [order]}
spec: {type: openapi, owner: team-a, system: erp}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: checkout}
spec: {type: service, owner: team-b, system: webshop, consumesApis: [rates-api, orders-api]}
"""


def test_a_backstage_api_that_names_no_system_and_no_provider_is_a_problem_not_a_system_named_after_it():
    report = read_source({"catalog.yaml": CATALOG_WITH_AN_API_OF_NO_SYSTEM})

    assert [(i.source_system, i.target_system) for i in report.accepted] == [("erp", "webshop")]
    assert [(e.where, e.column, e.fix) for e in report.errors] == [(
        "catalog.yaml, document 3 (Component checkout)", "source_system",
        "checkout consumes rates-api (catalog.yaml, document 1), which names no system: no component in the catalog "
        "provides it and it has no spec.system. Give rates-api a spec.system, or add the component that provides it "
        "(spec.providesApis) to the catalog.")]


# ----------------------------------------------------------------------------- LeanIX: which column is which

LEANIX_WITH_IDS = ["ID", "Type", "Name", "Display Name", "Provider Application ID", "Provider Application",
                   "Consumer Applications ID", "Consumer Applications", "Data Objects", "Lifecycle: Plan",
                   "Lifecycle: Active", "Lifecycle: Phase Out", "Lifecycle", "Subscriptions", "User Group"]


def test_a_leanix_export_with_id_and_lifecycle_phase_columns_reads_the_name_columns_and_the_lifecycle():
    rows = [LEANIX_WITH_IDS,
            ["a1", "Interface", "Order sync", "Order sync (SAP)", "9f1e-uuid", "Salesforce", "77c2-uuid", "SAP S/4HANA",
             "Order", "2021-01-01", "2021-06-01", "", "Phase Out", "ACCOUNTABLE: Ana Silva", "Sales IT"],
            ["a2", "Interface", "Invoice feed", "Invoice feed", "1234-uuid", "Stripe", "5678-uuid", "NetSuite",
             "Invoice", "2023-01-01", "", "", "Plan", "RESPONSIBLE: Bo", "Finance IT"]]

    report = read_source(xlsx_bytes(rows, sheet="Interfaces"), filename="leanix.xlsx")

    assert [(i.name, i.source_system, i.target_system, i.status) for i in report.accepted] == [
        ("Order sync", "Salesforce", "SAP S/4HANA", "deprecated"), ("Invoice feed", "Stripe", "NetSuite", "proposed")]


def test_an_id_column_is_never_read_as_the_application_it_identifies():
    header = ["ID", "Type", "Name", "Provider Application ID", "Consumer Application"]

    with pytest.raises(RegistryFileError, match="^Sheet 'Interfaces' has no Provider Application column"):
        read_source(xlsx_bytes([header, ["a1", "Interface", "Sync", "9f1e-uuid", "SAP"]], sheet="Interfaces"),
                    "leanix")


def test_two_columns_that_could_each_be_the_provider_are_refused_naming_both():
    header = ["ID", "Type", "Name", "Provider Application (primary)", "Provider Application (backup)",
              "Consumer Application"]

    with pytest.raises(RegistryFileError) as refusal:
        read_source(xlsx_bytes([header, ["a1", "Interface", "Sync", "Salesforce", "HubSpot", "SAP"]],
                               sheet="Interfaces"), "leanix")

    assert str(refusal.value) == (
        "Sheet 'Interfaces' has 2 columns that could each be the provider application: 'Provider Application "
        "(primary)' (column D) and 'Provider Application (backup)' (column E). Keep one of them, or rename the "
        "others, and upload the file again.")


def test_lifecycle_phase_columns_without_the_lifecycle_column_are_left_unread_with_a_note():
    header = ["ID", "Type", "Name", "Provider Application", "Consumer Application", "Data Objects",
              "Lifecycle: Plan", "Lifecycle: Active"]

    report = read_source(xlsx_bytes([header, ["a1", "Interface", "Sync", "Salesforce", "SAP", "Order",
                                              "2021-01-01", "2021-06-01"]], sheet="Interfaces"), "leanix")

    assert [i.status for i in report.accepted] == ["live"]
    assert ("Columns 'Lifecycle: Plan' (column G) and 'Lifecycle: Active' (column H) could each be the lifecycle, "
            "so none of them was read. Keep one of them, or add the Lifecycle column, to read it.") in report.notes


def test_a_hidden_sheet_is_passed_over_for_the_first_visible_one_unless_named():
    book = (PROJECT_DIR / "tests" / "data" / "tester_files" / "xl_hidden_first.xlsx").read_bytes()

    default, named = read_source(book, filename="r.xlsx"), read_source(book, filename="r.xlsx", sheet="Old backup")

    assert (default.sheet, len(default.accepted)) == ("Registry", 67)
    assert "Hidden sheets were not read: 'Old backup'. Name one with --sheet (or choose it on the upload) to read " \
           "it." in default.notes
    assert (named.sheet, len(named.accepted)) == ("Old backup", 5)
    assert "The sheet 'Old backup' is hidden in the workbook." in named.notes


TESTER_FILES = PROJECT_DIR / "tests" / "data" / "tester_files"


def test_typed_datetime_and_tiny_number_cells_read_as_a_date_and_a_plain_number():
    report = read_source((TESTER_FILES / "xl_datetime.xlsx").read_bytes(), filename="xl_datetime.xlsx")

    assert report.errors == []
    rows = {i.id: i for i in report.accepted}
    assert rows["INT-001"].launched_on == date(2024, 3, 1)  # typed 2024-03-01 14:30
    assert rows["INT-004"].monthly_maintenance_hours.likely == 0.00001  # typed 0.00001, once read as '1e-05'


def test_merged_cells_and_formulas_without_values_are_named_with_the_fix():
    report = read_source((TESTER_FILES / "xl_merged_formula.xlsx").read_bytes(), filename="xl_merged_formula.xlsx")

    assert [(e.where, e.message, e.fix) for e in report.errors] == [
        ("sheet 'Registry', cell F3", "owner_team is required but empty: cell F3 is part of the merged range F2:F4, "
         "and only its first cell holds the value",
         "Unmerge F2:F4 (Excel: Merge & Center > Unmerge Cells) and fill in every cell."),
        ("sheet 'Registry', cell F4", "owner_team is required but empty: cell F4 is part of the merged range F2:F4, "
         "and only its first cell holds the value",
         "Unmerge F2:F4 (Excel: Merge & Center > Unmerge Cells) and fill in every cell."),
        ("sheet 'Registry', cell O5", "cell O5 holds a formula without a computed value",
         "Open the file in Excel and save it: Excel saves each formula's value with it.")]
    assert "INT-004" not in [i.id for i in report.accepted] and report.rows_read == 6


def test_a_damaged_workbook_is_called_damaged_not_a_bad_csv():
    with pytest.raises(RegistryFileError) as raised:
        read_source((TESTER_FILES / "junk.xlsx").read_bytes(), filename="junk.xlsx")

    assert "damaged or not a workbook" in str(raised.value) and "CSV text file" not in str(raised.value)
