"""Files and settings written to hurt: each is read correctly or refused in plain words, quickly and in little memory.

The files are built here byte by byte (an encoding, a stray byte, a header of a million commas), as a tester or a
careless export would make them.
"""

from __future__ import annotations

import tracemalloc

import pytest

from core.cli import main
from core.domain.limits import MAX_COLUMNS, MB, restore_limit_mb, row_limit, upload_limit_mb
from core.domain.registry_csv import read_registry_csv
from core.errors import ConfigError, RegistryFileError
from tests.conftest import PROJECT_DIR

HEADER = "name,source_system,target_system,data_objects,owner_team"
ROWS = ["Zoë sync,Salesforce,Stripe,Opportunity,Müller Ops", "Quote sync,Salesforce,CPQ,Quote,Sales Ops"]
SAVE_AS = "In Excel use File > Save as > CSV UTF-8; Google Sheets always downloads CSV as UTF-8."


def text(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


@pytest.fixture(autouse=True)
def default_limits(monkeypatch):
    for name in ("IGOV_MAX_UPLOAD_MB", "IGOV_MAX_ROWS", "IGOV_MAX_RESTORE_MB"):
        monkeypatch.delenv(name, raising=False)


# ----------------------------------------------------------------------------- wide headers

@pytest.mark.parametrize(("commas", "message"), [
    (100_000, "The header (the first row) is 100,056 characters long; the limit is 100,000."),
    (1_000_000, "The header (the first row) is 1,000,056 characters long; the limit is 100,000."),
    (5_000, "The header (the first row) has 5,005 columns; the limit is 1,000. Delete the empty or unused columns"),
], ids=["100-kb-of-empty-columns", "1-mb-of-empty-columns", "5000-columns"])
@pytest.mark.parametrize("rows", [0, 3_000], ids=["header-only", "with-rows"])
def test_a_wide_header_is_refused_at_once_in_little_memory(commas, message, rows):
    data = (HEADER + "," * commas + "\n" + "Sync,Salesforce,Stripe,Opportunity,Sales Ops\n" * rows).encode()
    tracemalloc.start()

    with pytest.raises(RegistryFileError) as raised:
        read_registry_csv(data)

    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert str(raised.value).startswith(message)
    # Before: 430 MB for the 100 KB file, 2.9 GB for the 1 MB one (and 13-138 s: timings live in bench/).
    assert peak < 5 * len(data) + 4 * MB, peak


def test_a_header_of_exactly_the_column_limit_is_read():
    header = HEADER + "".join(f",extra {n}" for n in range(MAX_COLUMNS - 5))

    report = read_registry_csv(text(ROWS[1] + "," * (MAX_COLUMNS - 5), header=header).encode())

    assert [i.name for i in report.accepted] == ["Quote sync"]


def test_a_row_of_a_million_extra_cells_is_one_row_error_quoting_its_start():
    data = text(ROWS[1], "Wide,A,B,C,D" + ",x" * 1_000_000, ROWS[1].replace("Quote", "Order")).encode()

    report = read_registry_csv(data)

    [error] = report.errors
    assert (error.row, error.column, len(error.value)) == (3, "(row)", 200)
    assert error.message == "the row has 1000005 values but the header has 5 columns"
    assert [i.name for i in report.accepted] == ["Quote sync", "Order sync"]


# ----------------------------------------------------------------------------- encodings

@pytest.mark.parametrize(("encoding", "named"), [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8 (with BOM)"), ("cp1252", "windows-1252"),
    ("utf-16", "utf-16"), ("utf-16-le", "utf-16-le (no BOM)"), ("utf-16-be", "utf-16-be (no BOM)"),
    ("utf-32", "utf-32"), ("utf-32-le", "utf-32-le (no BOM)"), ("utf-32-be", "utf-32-be (no BOM)"),
])
def test_every_unicode_encoding_and_windows_1252_is_read_and_named(encoding, named):
    report = read_registry_csv(text(*ROWS).encode(encoding))

    assert (report.encoding, [i.name for i in report.accepted], report.errors) == (named, ["Zoë sync", "Quote sync"],
                                                                                   [])
    assert report.accepted[0].owner_team == "Müller Ops"


@pytest.mark.parametrize("size", ["small", "large"])
def test_a_stray_byte_in_a_utf8_file_is_reported_by_row_and_column_and_the_rest_stays_utf8(size):
    rows = [*ROWS, "Invoice sync,Stripe,NetSuite,Invoice,Fin\xa0ance"] + (
        [f"Sync {n},Zoë's system,Stripe,Opportunity,Sales Ops" for n in range(2_000)] if size == "large" else [])
    data = text(*rows).encode("utf-8").replace("Fin\xa0ance".encode(), b"Fin\xa0ance")  # a lone Windows-1252 byte

    report = read_registry_csv(data)

    assert report.encoding == "utf-8"
    assert [(e.row, e.column, e.value) for e in report.errors] == [(4, "owner_team", "Fin\ufffdance")]
    assert report.errors[0].message == "has characters that are not valid UTF-8 (shown as \ufffd)"
    assert "Retype" in report.errors[0].fix
    # Every other name keeps its accents: one bad byte no longer turns "Zoë" into "ZoÃ«" everywhere.
    assert report.accepted[0].name == "Zoë sync" and "Invoice sync" not in [i.name for i in report.accepted]
    assert len(report.accepted) == len(rows) - 1


def test_a_stray_byte_in_the_header_is_refused_naming_the_column():
    data = text(ROWS[1], header=HEADER + ",Not\xa0es").encode().replace("Not\xa0es".encode(), b"Not\xa0es") + \
        "Zoë\n".encode()

    with pytest.raises(RegistryFileError) as raised:
        read_registry_csv(data)

    assert str(raised.value).startswith("The header (the first row) has characters that are not valid utf-8, "
                                        "shown as \ufffd: Not\ufffdes.")


@pytest.mark.parametrize(("encoding", "rows", "looks_like"), [
    ("shift_jis", ["見積もりの同期,Salesforce,Stripe,見積,セールス"], "Shift-JIS (Japanese)"),
    ("koi8_r", ["Синхронизация сделок,Salesforce,Stripe,Сделка,Продажи"], "KOI8-R (Cyrillic)"),
    ("cp1251", ["Синхронизация сделок,Salesforce,Stripe,Сделка,Продажи"],
     "Windows-1251 (Cyrillic) or Windows-1253 (Greek)"),
    ("euc_kr", ["견적 동기화,Salesforce,Stripe,견적,영업"], "EUC-KR (Korean)"),
    ("gb18030", ["北京同步,Salesforce,Stripe,报价,销售"],
     "a Chinese or Japanese encoding (GB18030, Big5 or Shift-JIS)"),
])
def test_a_file_in_another_encoding_is_refused_naming_it_not_read_as_garbage(encoding, rows, looks_like):
    with pytest.raises(RegistryFileError) as raised:
        read_registry_csv(text(*rows).encode(encoding))

    assert str(raised.value) == (
        "This file is not saved as UTF-8, and it does not read as Windows-1252 (Western European) either, so its "
        f"names would come out garbled. It looks like {looks_like}. Save it as UTF-8 and upload it again. {SAVE_AS}")


@pytest.mark.parametrize("size", ["small", "large"])
def test_a_utf7_file_is_refused_not_read_as_plain_ascii(size):
    rows = ROWS + ([f"Sync {n},Salesforce,Stripe,Opportunity,Sales Ops" for n in range(3_000)] if size == "large"
                   else [])

    with pytest.raises(RegistryFileError) as raised:
        read_registry_csv(text(*rows).encode("utf-7"))

    assert str(raised.value).startswith("This file is saved as UTF-7 (it writes Zoë as Zo+AOs-)")


def test_plus_signs_in_ordinary_text_are_not_taken_for_utf7():
    report = read_registry_csv(text("C++ sync,R+D-Team,Stripe,Opp+Quote-lines,Team+Ops-x",
                                    header=HEADER).encode("ascii"))

    assert [(i.name, i.source_system, i.owner_team) for i in report.accepted] == [("C++ sync", "R+D-Team",
                                                                                   "Team+Ops-x")]


def test_binary_data_is_still_refused_as_binary():
    with pytest.raises(RegistryFileError, match="it contains binary data"):
        read_registry_csv(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" * 50)


# ----------------------------------------------------------------------------- field lengths

@pytest.mark.parametrize("column", ["name", "source_system", "target_system", "owner_team", "owner"])
def test_a_name_longer_than_both_databases_index_is_a_cell_error(column):
    cells = dict(zip(HEADER.split(","), ROWS[1].split(",")), owner="Ana")
    cells[column] = "x" * 5_000

    report = read_registry_csv(text(",".join(cells.values()), header=",".join(cells)).encode())

    assert report.accepted == []
    assert [(e.column, e.message) for e in report.errors] == [
        (column, f"{column} is longer than 200 characters (5,000)")]


# ----------------------------------------------------------------------------- limits from the environment

@pytest.mark.parametrize(("variable", "value", "message"), [
    ("IGOV_MAX_UPLOAD_MB", "9999999999999",
     "IGOV_MAX_UPLOAD_MB is 9,999,999,999,999, more than the 4,096 megabytes this igov allows. "
     "Set it to 4,096 or less (the default is 50)."),
    ("IGOV_MAX_ROWS", "9" * 30,
     f"IGOV_MAX_ROWS is {int('9' * 30):,}, more than the 10,000,000 rows this igov allows. "
     "Set it to 10,000,000 or less (the default is 200,000)."),
    ("IGOV_MAX_ROWS", "9" * 5000, "IGOV_MAX_ROWS must be a whole number of rows of 1 or more, e.g. 200000; "
                                  f"it is '{'9' * 40}'."),
])
def test_a_limit_set_out_of_range_is_a_plain_message_from_the_command_line(monkeypatch, tmp_path, capsys, variable,
                                                                            value, message):
    monkeypatch.setenv(variable, value)
    path = tmp_path / "registry.csv"
    path.write_text(text(*ROWS), encoding="utf-8")

    code = main(["validate", str(path)])

    assert (code, capsys.readouterr().err.strip()) == (1, f"igov: {message}")


@pytest.mark.parametrize(("variable", "read"), [("IGOV_MAX_UPLOAD_MB", upload_limit_mb), ("IGOV_MAX_ROWS", row_limit),
                                                ("IGOV_MAX_RESTORE_MB", restore_limit_mb)])
def test_every_limit_has_a_ceiling_and_accepts_it(monkeypatch, variable, read):
    ceiling = {"IGOV_MAX_UPLOAD_MB": 4_096, "IGOV_MAX_ROWS": 10_000_000, "IGOV_MAX_RESTORE_MB": 65_536}[variable]
    monkeypatch.setenv(variable, str(ceiling))
    assert read() == ceiling

    monkeypatch.setenv(variable, str(ceiling + 1))
    with pytest.raises(ConfigError, match=f"more than the {ceiling:,}"):
        read()


TESTER_FILES = PROJECT_DIR / "tests" / "data" / "tester_files"


def test_a_quote_mark_never_closed_is_one_row_error_pointing_at_it():
    report = read_registry_csv((TESTER_FILES / "unterminated.csv").read_bytes())

    [error] = report.errors
    assert (error.row, error.column) == (2, "(row)")
    assert error.message == ("the row has 2 values but the header has 9 columns, and one value runs over several "
                             "lines that look like rows")
    assert "quote mark (\") that is opened but never closed" in error.fix


def test_a_stray_nul_byte_is_reported_at_its_row_not_as_a_binary_file():
    report = read_registry_csv((TESTER_FILES / "nul.csv").read_bytes())

    assert [(e.row, e.message) for e in report.errors] == [(2, "the row contains a NUL character (binary data)"),
                                                           (3, "the row contains a NUL character (binary data)")]
