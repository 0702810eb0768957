"""Benchmark: validating a registry workbook (.xlsx) against the same rows as CSV (target: at most 3x).

    .venv/bin/python bench/formats.py                  # 10,000 rows, 5 runs each, writes bench/results.md
    .venv/bin/python bench/formats.py --rows 1000 --repeat 3 --no-write

The registry comes from ``bench/generate.py`` (seed 1); the workbook is written as Excel writes one (shared
strings, numbers typed as numbers, ``bench/xlsx.py``). Each run reads the file's bytes the way the upload and
``igov validate`` do: ``read_registry_csv`` for the CSV, ``read_source(..., "xlsx")`` for the workbook (sheet
found, typed cells to text, the same validation). The two are timed alternately in one process after a warm-up
of each, so both see the same machine load; medians of wall and CPU time are reported. The result replaces the
"Excel workbooks against CSV" section of bench/results.md, inside its hand-written notes (kept by bench/run.py).
"""

from __future__ import annotations

import argparse
import csv
import io
import statistics
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

from bench.generate import generate_registry  # noqa: E402
from bench.xlsx import xlsx_bytes  # noqa: E402

RATIO_TARGET = 3.0
SECTION = "### Excel workbooks against CSV"
RESULTS = PROJECT_DIR / "bench" / "results.md"


def _time(function) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    function()
    return time.perf_counter() - wall, time.process_time() - cpu


def measure(rows: int, repeat: int) -> dict:
    from core.domain.registry_csv import read_registry_csv
    from core.domain.sources import read_source
    from core.domain.sources.excel import read_sheets

    text, _ = generate_registry(rows, 1)
    csv_bytes = text.encode("utf-8")
    book = xlsx_bytes(list(csv.reader(io.StringIO(text, newline=""))))
    csv_report, book_report = read_registry_csv(csv_bytes), read_source(book, "xlsx")  # warm-up, and the check
    same = csv_report.accepted == book_report.accepted and len(csv_report.errors) == len(book_report.errors)
    runs: dict[str, list[tuple[float, float]]] = {"csv": [], "xlsx": [], "xlsx_read_only": []}
    for _ in range(repeat):
        runs["csv"].append(_time(lambda: read_registry_csv(csv_bytes)))
        runs["xlsx"].append(_time(lambda: read_source(book, "xlsx")))
        runs["xlsx_read_only"].append(_time(lambda: read_sheets(book)))
    medians = {step: (statistics.median(w for w, _ in values), statistics.median(c for _, c in values))
               for step, values in runs.items()}
    return {"rows": rows, "repeat": repeat, "csv_mib": len(csv_bytes) / 2**20, "xlsx_mib": len(book) / 2**20,
            "same": same, "medians": medians,
            "ratio_wall": medians["xlsx"][0] / medians["csv"][0], "ratio_cpu": medians["xlsx"][1] / medians["csv"][1]}


def section(result: dict) -> str:
    m = result["medians"]
    verdict = "pass" if result["ratio_cpu"] <= RATIO_TARGET else "FAIL"
    lines = [
        SECTION, "",
        f"`bench/formats.py --rows {result['rows']} --repeat {result['repeat']}`, "
        f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC: the same {result['rows']:,} generated rows as CSV "
        f"({result['csv_mib']:.1f} MiB) and as a workbook written as Excel writes one ({result['xlsx_mib']:.1f} MiB, "
        "shared strings, typed numbers). Median of the runs, timed alternately in one process.", "",
        "| Step | Wall | CPU |", "|---|---|---|",
        f"| CSV parse + validate (`read_registry_csv`) | {m['csv'][0] * 1000:.0f} ms | {m['csv'][1] * 1000:.0f} ms |",
        f"| workbook parse + validate (`read_source(..., \"xlsx\")`) | {m['xlsx'][0] * 1000:.0f} ms | "
        f"{m['xlsx'][1] * 1000:.0f} ms |",
        f"| of which reading the sheets (python-calamine) | {m['xlsx_read_only'][0] * 1000:.0f} ms | "
        f"{m['xlsx_read_only'][1] * 1000:.0f} ms |", "",
        f"- workbook / CSV: **{result['ratio_wall']:.1f}x** wall, **{result['ratio_cpu']:.1f}x** CPU; target at most "
        f"{RATIO_TARGET:g}x: **{verdict}**.",
        f"- Same integrations and the same number of problems from both files: {'yes' if result['same'] else 'NO'}.",
        "",
    ]
    return "\n".join(lines) + "\n"  # a blank line before the hand-written section that follows


def write_section(text: str) -> None:
    results = RESULTS.read_text(encoding="utf-8")
    start = results.find(SECTION)
    if start == -1:
        results = results.rstrip("\n") + "\n\n" + text
    else:
        end = results.find("\n### ", start + len(SECTION))
        end = results.find("\n## ", start + len(SECTION)) if end == -1 else end
        results = results[:start] + text + (results[end + 1:] if end != -1 else "")
    RESULTS.write_text(results.rstrip("\n") + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/results.md as it is")
    args = parser.parse_args(argv)
    text = section(measure(args.rows, args.repeat))
    print(text)
    if not args.no_write:
        write_section(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
