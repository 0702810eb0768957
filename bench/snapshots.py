"""What the trend costs a write: an import with and without the portfolio snapshot taken right after it.

    .venv/bin/python bench/snapshots.py --rows 10000 --repeat 3

Each run imports the generated registry into a fresh SQLite file (``import_checked_file``, which takes the snapshot
right after its transaction), then times a second snapshot alone and a one-row edit with its snapshot.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.generate import generate_registry  # noqa: E402
from core.domain.access import system_actor  # noqa: E402
from core.domain.registry_csv import read_registry_csv  # noqa: E402
from core.services import registry as registry_service  # noqa: E402
from core.services.database import open_database  # noqa: E402
from core.services.trend import snapshot_portfolio  # noqa: E402
from core.storage.registry_store import write_integrations  # noqa: E402


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(start: tuple[float, float]) -> tuple[float, float]:
    wall, cpu = _clock()
    return wall - start[0], cpu - start[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    text, _ = generate_registry(args.rows, 7)
    accepted = read_registry_csv(text.encode("utf-8")).accepted
    actor = system_actor("bench")
    results: dict[str, list[tuple[float, float]]] = {"write only": [], "import + snapshot": [], "snapshot alone": []}
    for run in range(args.repeat):
        with tempfile.TemporaryDirectory() as folder:
            plain = open_database(f"sqlite:///{folder}/plain.sqlite3")
            start = _clock()
            write_integrations(plain, accepted, "replace", actor=actor)
            results["write only"].append(_since(start))
            engine = open_database(f"sqlite:///{folder}/trend.sqlite3")
            report = read_registry_csv(text.encode("utf-8"))
            start = _clock()
            registry_service.import_checked_file(engine, report, "replace", actor=actor)
            results["import + snapshot"].append(_since(start))
            start = _clock()
            snapshot_portfolio(engine, cause=f"bench {run}")
            results["snapshot alone"].append(_since(start))
            plain.dispose()
            engine.dispose()
    print(f"{args.rows:,} rows, median of {args.repeat} runs")
    print("| step | wall | CPU |\n|---|---|---|")
    for step, values in results.items():
        wall = statistics.median(v[0] for v in values)
        cpu = statistics.median(v[1] for v in values)
        print(f"| {step} | {wall:.2f} s | {cpu:.2f} s |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
