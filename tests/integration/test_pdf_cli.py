"""igov snapshot and igov memo: files written from a CSV or a database, plain errors with exit 2."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from pypdf import PdfReader

from core.cli import main
from core.storage.db import create_db_engine
from core.storage.registry_store import registry_version
from tests.conftest import DATA_DIR, PROJECT_DIR
from tests.unit.test_memo import PEOPLE, seed_session
from tests.unit.test_snapshot_pdf import (
    generated_registry,
    pdf_pages,
    render_first_page,
)

SAMPLE = str(DATA_DIR / "sample_registry.csv")


def run(argv, capsys) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exit_:
        code = exit_.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_snapshot_from_a_csv_is_one_page_naming_the_file_it_came_from(tmp_path, capsys):
    out = tmp_path / "snapshot.pdf"

    code, _, err = run(["snapshot", "--csv", SAMPLE, "--out", str(out), "--name", "Zoë Müller GmbH"], capsys)

    pages = pdf_pages(out.read_bytes())
    assert code == 0
    assert f"Wrote the TCO snapshot to {out}" in err
    assert len(pages) == 1
    assert "Zoë Müller GmbH" in pages[0]
    assert "from registry sample_registry.csv #" in pages[0]
    assert "P10" in pages[0]  # the command simulates, as the TCO page does


def test_snapshot_on_letter_paper_from_a_big_csv(tmp_path, capsys):
    from core.domain.registry_export import write_registry_csv

    big = tmp_path / "big.csv"
    big.write_text(write_registry_csv(generated_registry(2500)), encoding="utf-8")
    out = tmp_path / "big.pdf"

    code, _, _ = run(["snapshot", "--csv", str(big), "--out", str(out), "--page-size", "letter"], capsys)

    reader = PdfReader(io.BytesIO(out.read_bytes()))
    assert code == 0
    assert len(reader.pages) == 1
    assert round(float(reader.pages[0].mediabox.width)) == 612
    assert "more clusters" in reader.pages[0].extract_text()


def test_session_memo_from_the_database_as_pdf_and_markdown(database_url, tmp_path, capsys):
    engine = create_db_engine(database_url)
    session_id = seed_session(engine)
    version = registry_version(engine)
    engine.dispose()
    pdf, markdown = tmp_path / "memo.pdf", tmp_path / "memo.md"

    pdf_code, _, _ = run(["memo", "--session", str(session_id), "--db", database_url, "--out", str(pdf)], capsys)
    md_code, _, _ = run(["--db", database_url, "memo", "--session", str(session_id), "--out", str(markdown)], capsys)

    pages = pdf_pages(pdf.read_bytes())
    assert (pdf_code, md_code) == (0, 0)
    assert f"Page 1 of {len(pages)}" in pages[0]
    assert f"from registry version {version}" in pages[-1]
    assert all(p.name in "\n".join(pages) for p in PEOPLE)
    text = markdown.read_text(encoding="utf-8")
    assert text.startswith("# Decision memo: Billing sync duplicates — Q3 review")
    assert "| Zoë Müller | Finance |" in text


def test_integration_and_cluster_memos_from_a_csv(tmp_path, capsys):
    markdown, pdf = tmp_path / "int.md", tmp_path / "cluster.pdf"

    md_code, _, _ = run(["memo", "--integration", "INT-027", "--csv", SAMPLE, "--out", str(markdown), "--markdown"],
                        capsys)
    pdf_code, _, _ = run(["memo", "--cluster", "CL-INT-015", "--csv", SAMPLE, "--out", str(pdf)], capsys)

    assert (md_code, pdf_code) == (0, 0)
    assert markdown.read_text(encoding="utf-8").startswith("# Decision memo: INT-027")
    assert "CL-INT-015 · Salesforce → Stripe" in "\n".join(pdf_pages(pdf.read_bytes()))


@pytest.mark.parametrize(("argv", "message"), [
    (["memo", "--cluster", "CL-NOPE", "--csv", SAMPLE], "igov: No overlap cluster CL-NOPE."),
    (["memo", "--integration", "INT-999", "--csv", SAMPLE], "igov: No integration with id INT-999 in the registry."),
    (["memo", "--session", "1", "--csv", SAMPLE], "igov: a session is stored in the database"),
    (["memo", "--csv", SAMPLE], "one of the arguments --session --integration --cluster is required"),
    (["memo", "--session", "seven", "--csv", SAMPLE], "invalid int value: 'seven'"),
    (["snapshot", "--csv", SAMPLE, "--page-size", "A5"], "invalid choice: 'A5'"),
    (["memo", "--cluster", "CL-INT-015", "--csv", SAMPLE, "--out", "x.txt"], "the file name must end in .md or .pdf"),
    (["memo", "--cluster", "CL-INT-015", "--csv", SAMPLE, "--markdown", "--out", "x.pdf"], "end it in .md"),
    (["snapshot", "--csv", SAMPLE, "--out", "x.md"], "the file name must end in .pdf"),
])
def test_usage_errors_exit_two_with_one_plain_line(argv, message, tmp_path, capsys):
    out = tmp_path / "never.pdf"

    if "--out" in argv:
        argv = [str(tmp_path / a) if a.startswith("x.") else a for a in argv]
        out = tmp_path / argv[argv.index("--out") + 1]
    code, _, err = run([*argv] if "--out" in argv else [*argv, "--out", str(out)], capsys)

    assert code == 2
    assert message in err
    assert "Traceback" not in err
    assert not out.exists()


def test_a_missing_session_exits_two_without_a_traceback(tmp_path):
    database = f"sqlite:///{tmp_path / 'empty.sqlite3'}"

    result = subprocess.run(
        [sys.executable, "-m", "core.cli", "memo", "--session", "42", "--db", database,
         "--out", str(tmp_path / "m.pdf")],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120, check=False,
    )

    assert result.returncode == 2
    assert result.stderr.strip() == "igov: Session 42 does not exist."


def test_cli_snapshot_page_one_renders(tmp_path, capsys):
    out = tmp_path / "snapshot.pdf"
    run(["snapshot", "--csv", SAMPLE, "--out", str(out)], capsys)

    png = render_first_page(out.read_bytes(), tmp_path)

    assert png.stat().st_size > 5000


def test_brief_ownership_memo_of_a_cluster_is_at_most_two_pages_and_markdown_too(tmp_path, capsys):
    out, md = tmp_path / "brief.pdf", tmp_path / "brief.md"

    code, _, err = run(["memo", "--csv", SAMPLE, "--cluster", "CL-INT-004", "--brief", "--out", str(out)], capsys)
    md_code, _, _ = run(["memo", "--csv", SAMPLE, "--cluster", "CL-INT-004", "--brief", "--out", str(md)], capsys)

    assert (code, md_code) == (0, 0)
    assert f"Wrote the ownership memo to {out}" in err
    assert 1 <= len(pdf_pages(out.read_bytes())) <= 2
    assert md.read_text(encoding="utf-8").startswith("# Ownership memo: Cluster CL-INT-004")


def test_brief_with_a_session_is_refused_in_words(tmp_path, capsys):
    code, _, err = run(["memo", "--session", "1", "--brief", "--out", str(tmp_path / "x.pdf")], capsys)

    assert code == 2
    assert "--brief is the ownership memo of one integration or cluster" in err
