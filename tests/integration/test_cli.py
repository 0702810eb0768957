"""The igov command line: exit codes, JSON shape, plain messages (no tracebacks)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from core.cli import main

HEADER = "id,name,source_system,target_system,data_objects,owner_team,build_hours"
GOOD = f"{HEADER}\nINT-1,Opp sync,Salesforce,Stripe,Opportunity,Sales Ops,10\n"
BAD = GOOD + "INT-2,Broken,Stripe,NetSuite,Invoice,Finance,lots\n"


@pytest.fixture
def db(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'cli.sqlite3'}"


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_validate_json_prints_the_documented_shape(tmp_path, capsys):
    code = main(["validate", write(tmp_path, "bad.csv", BAD), "--json"])

    payload = json.loads(capsys.readouterr().out)
    assert code == 1
    assert payload == {"accepted": 1, "errors": [{
        "row": 3, "column": "build_hours", "value": "lots", "message": "'lots' is not a number",
        "fix": "Write a number of hours, a range like 2-3, or low/likely/high like 2/2.5/3.",
    }]}


def test_validate_writes_nothing(tmp_path, db, capsys):
    main(["validate", write(tmp_path, "good.csv", GOOD), "--db", db])
    main(["export", "-", "--db", db])

    assert capsys.readouterr().out.strip().splitlines()[-1].startswith("id,name")


def test_import_then_export_round_trips_with_exit_zero(tmp_path, db, capsys):
    code = main(["import", write(tmp_path, "good.csv", GOOD), "--db", db, "--mode", "replace"])
    out_path = tmp_path / "out.csv"
    export_code = main(["--db", db, "export", str(out_path)])

    assert (code, export_code) == (0, 0)
    assert out_path.read_text(encoding="utf-8").splitlines()[1].startswith("INT-1,Opp sync,Salesforce,Stripe")


def test_import_with_rejected_rows_exits_one_and_strict_writes_nothing(tmp_path, db, capsys):
    code = main(["import", write(tmp_path, "bad.csv", BAD), "--db", db, "--strict"])
    main(["export", "-", "--db", db])

    out = capsys.readouterr().out
    assert code == 1
    assert "Nothing was written (--strict and some rows are invalid)." in out
    assert "INT-1,Opp sync" not in out


NO_ROWS = "igov: The file has a header but no data rows: there is nothing to import. Add one row per integration, " \
    "then run again."


@pytest.mark.parametrize("text", [
    pytest.param(f"{HEADER}\n", id="header-only"),
    pytest.param(f"{HEADER}\n\n ,,\n", id="header-and-blank-lines"),
    pytest.param(HEADER.replace(",", ";") + "\r\n", id="semicolons-crlf"),
])
@pytest.mark.parametrize("command", [["validate"], ["validate", "--json"], ["import", "--mode", "replace"]])
def test_a_file_with_no_data_rows_is_unusable_exit_one_and_replaces_nothing(tmp_path, db, capsys, command, text):
    main(["--db", db, "import", write(tmp_path, "good.csv", GOOD)])
    capsys.readouterr()

    code = main(["--db", db, command[0], write(tmp_path, "empty.csv", text), *command[1:]])

    assert (code, capsys.readouterr().err.strip()) == (1, NO_ROWS)
    main(["--db", db, "export", "-"])
    assert "INT-1,Opp sync" in capsys.readouterr().out


def test_import_of_a_file_with_no_data_rows_says_why_nothing_was_written(tmp_path, db, capsys):
    main(["--db", db, "import", write(tmp_path, "empty.csv", f"{HEADER}\n")])

    assert capsys.readouterr().out.splitlines()[-1] == "Nothing was written (no data rows)."


@pytest.mark.parametrize(
    ("argv", "expected_code", "message"),
    [
        (["validate", "/no/such/file.csv"], 2, "igov: File not found: /no/such/file.csv"),
        (["import"], 2, "the following arguments are required: file"),
        (["import", "x.csv", "--mode", "append"], 2, "invalid choice: 'append'"),
    ],
)
def test_usage_errors_exit_two_with_a_plain_message(argv, expected_code, message, capsys):
    try:
        code = main(argv)
    except SystemExit as exit_:
        code = exit_.code

    assert code == expected_code
    assert message in capsys.readouterr().err


def test_empty_file_is_a_plain_message_not_a_traceback(tmp_path):
    path = write(tmp_path, "empty.csv", "")

    result = subprocess.run([sys.executable, "-m", "core", "validate", path], capture_output=True, text=True)

    assert result.returncode == 1
    assert result.stderr.strip() == "igov: The file is empty. Export the registry sheet as CSV and upload that file."
    assert "Traceback" not in result.stderr


def test_an_identical_reimport_says_unchanged_and_writes_nothing(tmp_path, db, capsys):
    path = write(tmp_path, "good.csv", GOOD)
    main(["--db", db, "import", path])
    capsys.readouterr()

    code = main(["--db", db, "import", path])

    assert (code, capsys.readouterr().out.splitlines()[-1]) == (
        0, "Written (merge): 0 added, 0 updated, 1 unchanged, 0 removed.")


def test_a_backup_is_readable_by_its_owner_only_and_restores(tmp_path, db, capsys):
    main(["--db", db, "import", write(tmp_path, "good.csv", GOOD)])
    target = tmp_path / "igov.backup"
    (tmp_path / "igov.backup.part").write_bytes(b"left by a run that was cut short")
    (tmp_path / "igov.backup.part").chmod(0o644)

    code = main(["--db", db, "backup", str(target)])

    assert code == 0
    assert (target.stat().st_mode & 0o777, (tmp_path / "igov.backup.part").exists()) == (0o600, False)
    assert main(["--db", db, "restore", str(target)]) == 0
    assert "1 integration(s)" in capsys.readouterr().out


def test_restore_refuses_a_file_larger_than_the_restore_limit_without_reading_it(tmp_path, db, capsys, monkeypatch):
    monkeypatch.setenv("IGOV_MAX_RESTORE_MB", "1")
    big = tmp_path / "big.backup"
    with big.open("wb") as handle:
        handle.truncate(2 * 1024 * 1024)

    code = main(["--db", db, "restore", str(big)])

    assert code == 2
    assert capsys.readouterr().err.strip() == (
        f"igov: {big} is larger than 1 MB, more than this igov reads (see IGOV_MAX_RESTORE_MB).")


FORMULA_LIKE = f"{HEADER}\nINT-1,=HYPERLINK(\"x\"),Salesforce,Stripe,Opportunity,Sales Ops,10\n"


@pytest.mark.parametrize(("flags", "first_cell_of_name"), [([], "'=HYPERLINK"), (["--raw"], "=HYPERLINK")])
def test_export_is_spreadsheet_safe_unless_raw_and_both_read_back_the_same(tmp_path, db, capsys, flags,
                                                                         first_cell_of_name):
    main(["--db", db, "import", write(tmp_path, "f.csv", FORMULA_LIKE)])
    out = tmp_path / "out.csv"

    assert main(["--db", db, "export", str(out), *flags]) == 0

    text = out.read_text(encoding="utf-8")
    assert f'INT-1,"{first_cell_of_name}' in text or f"INT-1,{first_cell_of_name}" in text
    capsys.readouterr()
    assert main(["--db", db, "import", str(out)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "Written (merge): 0 added, 0 updated, 1 unchanged, 0 removed."


def test_export_raw_and_safe_together_is_a_usage_error(tmp_path, db, capsys):
    assert main(["--db", db, "export", str(tmp_path / "x.csv"), "--raw", "--safe"]) == 2
    assert "--raw and --safe contradict each other" in capsys.readouterr().err
