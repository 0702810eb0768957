"""igov validate and import with other formats: --format, a Backstage folder, header hints and --map, not seen."""

from __future__ import annotations

import json

import pytest

from core.cli import main
from tests.conftest import EXAMPLES_DIR

SOURCES = EXAMPLES_DIR / "sources"
LEANIX_HEADERS = str(SOURCES / "leanix_style_headers.csv")
SUGGESTED_MAP = ("Interface Name=name,Source Application=source_system,Target Application=target_system,"
                 "Data Object=data_objects,Owning Group=owner_team")


@pytest.fixture
def db(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'cli.sqlite3'}"


@pytest.mark.parametrize(("path", "fmt", "first_line"), [
    ("airbyte_connections.json", "auto", "2 row(s) valid, 0 row(s) rejected (2 read; Airbyte connections)."),
    ("dbt_manifest.json", "dbt", "2 row(s) valid, 0 row(s) rejected (2 read; dbt manifest)."),
    ("backstage", "auto", "3 row(s) valid, 0 row(s) rejected (3 read; Backstage catalog)."),
    ("registry.xlsx", "xlsx",
     "3 row(s) valid, 1 row(s) rejected (4 read; Excel workbook, sheet 'Registry')."),
])
def test_validate_reads_each_format_and_says_which(path, fmt, first_line, capsys):
    code = main(["validate", str(SOURCES / path), "--format", fmt])

    out = capsys.readouterr().out.splitlines()
    assert out[0] == first_line
    assert code == (1 if path == "registry.xlsx" else 0)


def test_validate_json_names_where_in_the_file(capsys):
    code = main(["validate", str(SOURCES / "fivetran_connections.json"), "--json"])

    payload = json.loads(capsys.readouterr().out)
    assert code == 1
    assert payload["errors"][0]["where"] == "connections[2]"


def test_missing_columns_are_explained_with_the_map_that_would_use_the_suggestions(capsys):
    code = main(["validate", LEANIX_HEADERS])

    err = capsys.readouterr().err
    assert code == 1
    assert "'Source Application' looks like source_system" in err
    assert f'run again with: --map "{SUGGESTED_MAP}"' in err


def test_the_suggested_map_imports_the_file(db, capsys):
    code = main(["import", LEANIX_HEADERS, "--map", SUGGESTED_MAP, "--db", db])

    assert code == 0
    assert "Written (merge): 2 added, 0 updated, 0 unchanged, 0 removed." in capsys.readouterr().out


def test_a_bad_map_is_a_plain_refusal(capsys):
    code = main(["validate", LEANIX_HEADERS, "--map", "Source Application"])

    assert code == 1
    assert "is not a column mapping" in capsys.readouterr().err


def test_an_unknown_format_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["validate", LEANIX_HEADERS, "--format", "excel97"])

    assert stopped.value.code == 2


def test_a_reimport_says_how_many_rows_are_no_longer_in_the_source(tmp_path, db, capsys):
    main(["import", str(SOURCES / "fivetran_connections.json"), "--db", db])
    document = json.loads((SOURCES / "fivetran_connections.json").read_bytes())
    document["connections"] = document["connections"][:1]
    smaller = tmp_path / "fivetran_connections.json"
    smaller.write_text(json.dumps(document), encoding="utf-8")
    capsys.readouterr()

    main(["import", str(smaller), "--db", db])

    out = capsys.readouterr().out
    assert "1 integration an earlier import of this source had is not in it: flagged \"not seen since\"" in out
    assert "Nothing was deleted." in out


def test_a_bad_file_is_refused_before_the_database_is_opened(tmp_path, capsys):
    bad = tmp_path / "x.json"
    bad.write_text('{"connections": [', encoding="utf-8")

    code = main(["import", str(bad), "--db", f"sqlite:///{tmp_path / 'never' / 'db.sqlite3'}"])

    assert code == 1 and "not valid JSON" in capsys.readouterr().err
    assert not (tmp_path / "never").exists()


def test_a_european_excel_file_imports_with_decimal_commas(db, capsys):
    from core.storage.db import create_db_engine
    from core.storage.registry_store import load_integrations

    code = main(["import", str(EXAMPLES_DIR / "european_excel_numbers.csv"), "--db", db])

    out = capsys.readouterr().out
    assert code == 1  # one row refused: its '2.5' could be 2.5 or 25
    assert "Numbers read with decimal comma (as in '12,5'), but the file also writes decimal points" in out
    assert "row 5, monthly_tool_cost = '2.5': '2.5' is written with a decimal point" in out
    stored = {i.name: i for i in load_integrations(create_db_engine(db))}
    invoices = stored["Rechnungen Stripe to NetSuite (clôture)"]
    assert (invoices.build_hours.likely, invoices.monthly_maintenance_hours.likely, invoices.hourly_rate.likely,
            invoices.monthly_tool_cost.likely) == (12.5, 2.5, 95.5, 1200)
    assert stored["Stückliste Teamcenter to SAP"].monthly_tool_cost.likely == 1200.5


def test_validate_refuses_a_manifest_whose_sources_is_a_list_in_words_without_a_traceback(tmp_path, capsys):
    manifest = json.loads((SOURCES / "dbt_manifest.json").read_bytes())
    manifest["sources"] = list(manifest["sources"].values())
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))

    code = main(["validate", str(tmp_path / "manifest.json")])

    err = capsys.readouterr().err
    assert code == 1
    assert "\"sources\" is a list (4 entries); it should be an object of sources by their unique id" in err
    assert "Traceback" not in err


# ----------------------------------------------------------------------------- --map against the file's columns

# Headers the importer does not know: four have suggestions, the name column ("Interface") has none.
UNKNOWN_HEADERS = ("Ref,Interface,Sending App,Receiving App,Business Object,Responsible Dept,Contact,Slack channel\n"
                   "INT-1,Order sync,Salesforce,SAP,Order,Sales Ops,Ana,x1\n"
                   "INT-2,Invoice sync,SAP,Stripe,Invoice,Finance,Bo,x2\n")
UNKNOWN_COLUMNS = UNKNOWN_HEADERS.split("\n", 1)[0].replace(",", ", ")
KNOWN_HEADERS = "name,source_system,target_system,data_objects,owner_team\nOrder sync,Salesforce,SAP,Order,Sales Ops\n"


@pytest.mark.parametrize(("text", "map_text", "message"), [
    pytest.param(UNKNOWN_HEADERS, "Nope=source_system",
                 f"igov: --map names 'Nope', which is not a column of this file; its columns are: {UNKNOWN_COLUMNS}.",
                 id="header-missing-columns"),
    pytest.param(KNOWN_HEADERS, "Nope=source_system, Zip=name",
                 "igov: --map names 'Nope' and 'Zip', which are not columns of this file; its columns are: name, "
                 "source_system, target_system, data_objects, owner_team.", id="header-complete"),
])
@pytest.mark.parametrize("command", ["validate", "import"])
def test_a_map_naming_a_column_the_file_lacks_is_refused_naming_the_files_columns(tmp_path, db, capsys, command,
                                                                                   text, map_text, message):
    path = tmp_path / "registry.csv"
    path.write_text(text, encoding="utf-8")

    code = main([command, str(path), "--map", map_text, "--db", db])

    assert code == 1
    assert capsys.readouterr().err.startswith(message)
    main(["export", "-", "--db", db])
    assert "Order sync" not in capsys.readouterr().out


def test_a_map_column_is_matched_as_headers_are_whatever_its_case_and_spaces(tmp_path, capsys):
    path = tmp_path / "registry.csv"
    path.write_text(KNOWN_HEADERS.replace("owner_team", "Responsible Dept"), encoding="utf-8")

    code = main(["validate", str(path), "--map", "responsible  dept=owner_team"])

    assert code == 0
    assert capsys.readouterr().out.startswith("1 row(s) valid")


@pytest.mark.parametrize(("map_text", "hint"), [
    pytest.param(None, 'If the suggestions are right, run again with: --map "Sending App=source_system,Receiving '
                 'App=target_system,Business Object=data_objects,Responsible Dept=owner_team,<column>=name", <column> '
                 'being the column that holds name (one of the columns not used).', id="first-run"),
    pytest.param("Sending App=source_system,Receiving App=target_system,Business Object=data_objects,"
                 "Responsible Dept=owner_team",
                 'Run again with: --map "Sending App=source_system,Receiving App=target_system,Business Object='
                 'data_objects,Responsible Dept=owner_team,<column>=name", <column> being the column that holds name '
                 '(one of the columns not used).', id="run-with-the-suggested-map"),
])
def test_a_field_nothing_looks_like_is_shown_the_columns_not_used_and_where_to_map_one(tmp_path, capsys, map_text,
                                                                                       hint):
    path = tmp_path / "registry.csv"
    path.write_text(UNKNOWN_HEADERS, encoding="utf-8")

    code = main(["validate", str(path), *(["--map", map_text] if map_text else [])])

    err = capsys.readouterr().err
    assert code == 1
    assert "Nothing looks like name; columns not used: Ref, Interface, Contact, Slack channel." in err
    assert err.splitlines()[-1] == hint
