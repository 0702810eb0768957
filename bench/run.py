"""Benchmark: speed and memory of the product on synthetic registries of 1,000 to 100,000 integrations.

    .venv/bin/python bench/run.py                     # 1k, 10k and 100k rows, 3 runs each (several minutes)
    .venv/bin/python bench/run.py --quick             # 1k and 10k only
    .venv/bin/python bench/run.py --sizes 1000,10000 --repeat 5 --out /tmp/results.md
    BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python bench/run.py --quick
    .venv/bin/python bench/run.py --quick --code /tmp/patched-copy --out /tmp/after.md   # before/after a patch

For each size a registry is generated with ``bench/generate.py`` (fixed seed) and every step is timed in
a fresh Python process, median of ``--repeat`` runs (wall clock; CPU time is recorded beside it because
the machine may be shared). Steps: CSV parse + validate, import into SQLite (and PostgreSQL when
``BENCH_POSTGRES_URL`` is set; a fresh schema per run, dropped after), overlap clustering, portfolio
TCO with 10,000 Monte Carlo draws, scoring one integration (the Score page's call), the one-page
snapshot PDF, and, at 10,000 rows, a rerun of the Overview and Overlaps pages through Streamlit's
AppTest. Baselines: plain ``pandas.read_csv`` of the same file, and a naive all-pairs overlap at 2,000
rows. Peak memory is measured twice per size, each in a fresh process running the whole pipeline once
(parse, import, load, analyse, simulate, score, PDF): the peak resident set size (``getrusage``
``ru_maxrss``: everything, including imported libraries and C allocations) and the peak of the Python
heap (``tracemalloc``, which also counts numpy buffers, not SQLite's own memory).

Results are printed and written to ``--out`` (``bench/results.md`` by default) with the date and
machine; the hand-written "Profiling notes" section of an existing results file is kept.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import inspect
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
# The code measured: this checkout, or another copy of it (``--code DIR``, e.g. a patched scratch copy
# for before/after numbers). Set before anything imports ``core``.
CODE_DIR = Path(os.environ.get("BENCH_CODE_DIR") or PROJECT_DIR).resolve()
for _path in (PROJECT_DIR, CODE_DIR):
    if str(_path) in sys.path:
        sys.path.remove(str(_path))
    sys.path.insert(0, str(_path))

from bench.generate import (  # noqa: E402
    generate_registry,
    planted_clusters_csv,
    planted_path_for,
    read_planted_clusters,
)

DEFAULT_SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (1_000, 10_000)
APPTEST_ROWS = 10_000
NAIVE_ROWS = 2_000
SEED = 1
DRAWS = 10_000
SCORE_SAMPLE = 20
NOTES_HEADING = "## Profiling notes"
MiB = 1024 * 1024

# Targets from the issue: seconds (or MiB for memory) by step and size; absent = measured, no target.
TIME_TARGETS: dict[str, dict[int, float]] = {
    "parse": {10_000: 1.0, 100_000: 8.0},
    "import_sqlite": {10_000: 3.0, 100_000: 30.0},
    "overlap": {10_000: 1.0, 100_000: 10.0},
    "score": {10_000: 0.050, 100_000: 0.200},
    "pdf": {10_000: 2.0, 100_000: 5.0},
    "apptest_overview": {10_000: 1.5},
    "apptest_overlaps": {10_000: 1.5},
}
MEMORY_TARGETS_MIB = {10_000: 500, 100_000: 1536}
PARSE_RATIO_TARGET = 4.0  # parse + validate at 10k, at most this many times pandas.read_csv
OVERLAP_GROWTH_TARGET = 15.0  # overlap clustering at 100k, at most this many times the 10k time

LABELS = {
    "read_csv": "plain pandas.read_csv (baseline)",
    "parse": "CSV parse + validate",
    "import_sqlite": "import into SQLite (replace)",
    "import_postgres": "import into PostgreSQL (replace)",
    "load_sqlite": "load the registry from SQLite",
    "overlap": "overlap clustering (index, pairs, clusters)",
    "analyse": "whole analysis (analyse_registry)",
    "tco": "portfolio TCO + 10,000 Monte Carlo draws",
    "score": "score one integration (slowest of sample)",
    "score_median": "score one integration (median of sample)",
    "pdf": "one-page snapshot PDF",
    "apptest_overview": "Overview page rerun (AppTest)",
    "apptest_overlaps": "Overlaps page rerun (AppTest)",
}


# --- measuring ---------------------------------------------------------------------------------------


def _timed(function, repeat: int) -> dict:
    """Median wall and CPU seconds of ``repeat`` calls (a collection first, so no call pays for the last)."""
    walls, cpus = [], []
    for _ in range(repeat):
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return {"wall": statistics.median(walls), "cpu": statistics.median(cpus), "min": min(walls), "max": max(walls),
            "runs": len(walls)}


def _guard(results: dict, step: str, function):
    """Run one step; a failure is recorded against the step and the other steps still run."""
    try:
        return function()
    except Exception as error:  # noqa: BLE001 - the code under test is work in progress; report, go on
        text = str(error).strip().splitlines()
        results["errors"][step] = f"{type(error).__name__}: {text[0][:300] if text else ''}"
        return None


def _recall(clusters, planted: list[set[str]]) -> dict:
    """How many planted clusters the analysis found: all members in one cluster, no two planted in the same one."""
    where = {member: n for n, cluster in enumerate(clusters) for member in cluster.members}
    found = exact = 0
    used: dict[int, int] = {}
    for truth in planted:
        homes = {where.get(member) for member in truth}
        if len(homes) == 1 and None not in homes:
            home = homes.pop()
            used[home] = used.get(home, 0) + 1
            found += 1
            exact += set(clusters[home].members) == truth
    merged = sum(count - 1 for count in used.values() if count > 1)
    return {"planted": len(planted), "found": found - merged, "exact": exact, "clusters": len(clusters)}


def _heaviest_ids(analysis, count: int) -> list[str]:
    """The integrations whose look-up reads the most buckets: the slowest ones to score."""
    index = analysis.index
    try:  # bench-only peek at the index's buckets, to find the worst case for the Score page
        from core.domain.overlap.index import _object_system_keys

        buckets, consumers = index._object_system, index._consumer
        load = [
            (sum(len(buckets.get(b, ())) for b in _object_system_keys(f))
             + sum(len(consumers.get(c, ())) for c in f.consumers), f.id)
            for f in index._features
        ]
    except (AttributeError, ImportError):
        return []
    return [i for _, i in sorted(load, reverse=True)[:count]]


def _score_sample(analysis) -> list[str]:
    ids = [i.id for i in analysis.integrations]
    step = max(1, len(ids) // (SCORE_SAMPLE - 3))
    sample = ids[::step][: SCORE_SAMPLE - 3] + _heaviest_ids(analysis, 3)
    return list(dict.fromkeys(sample))


def _write(engine, integrations) -> None:
    """``write_integrations(..., "replace")`` as a script would call it (with a system actor where the API has one)."""
    from core.storage.registry_store import write_integrations

    if "actor" in inspect.signature(write_integrations).parameters:
        from core.domain.access import system_actor

        write_integrations(engine, integrations, "replace", actor=system_actor("bench"))
    else:
        write_integrations(engine, integrations, "replace", updated_by="bench")


def _sqlite_engine(workdir: Path):
    from core.storage.db import create_db_engine

    path = workdir / f"bench-{uuid.uuid4().hex[:8]}.sqlite3"
    return create_db_engine(f"sqlite:///{path}"), path


def _drop_sqlite(engine, path: Path) -> None:
    engine.dispose()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _postgres_schema(base_url: str):
    """A fresh schema and an engine whose search path is that schema; returns (engine, drop callable)."""
    from sqlalchemy import create_engine, text

    from core.storage.db import create_db_engine, normalise_database_url

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalise_database_url(base_url))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base_url else "?"
    engine = create_db_engine(f"{base_url}{separator}options=-csearch_path%3D{schema}")

    def drop() -> None:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return engine, drop


def worker_time(csv_path: Path, planted_path: Path, repeat: int, workdir: Path) -> dict:
    """Every timed step for one registry file (runs in its own process)."""
    import pandas as pd

    import core
    from core.domain.analysis import analyse_registry
    from core.domain.overlap import build_overlap_index, cluster_overlaps
    from core.domain.registry_csv import read_registry_csv
    from core.domain.tco import monthly_run_rate, portfolio_tco
    from core.domain.tco_simulation import simulate_portfolio
    from core.reports.score_figures import score_subject
    from core.storage.defaults import (
        default_complexity_rules,
        load_aliases,
        load_default_settings,
        load_rubric,
    )
    from core.storage.registry_store import load_integrations

    results: dict = {"steps": {}, "notes": {"code": str(Path(core.__file__).resolve().parent.parent)}, "errors": {}}
    steps = results["steps"]
    steps["read_csv"] = _timed(lambda: pd.read_csv(csv_path), repeat)
    steps["parse"] = _timed(lambda: read_registry_csv(csv_path.read_bytes()), repeat)
    report = read_registry_csv(csv_path.read_bytes())
    integrations = report.accepted
    results["notes"]["rows"] = {"accepted": len(integrations), "errors": len(report.errors),
                                "file_mib": round(csv_path.stat().st_size / MiB, 1)}

    def import_once(make_engine) -> tuple[float, float]:
        engine, drop = make_engine()
        try:
            gc.collect()
            wall, cpu = time.perf_counter(), time.process_time()
            _write(engine, integrations)
            return time.perf_counter() - wall, time.process_time() - cpu
        finally:
            drop()

    def summarise(runs: list[tuple[float, float]]) -> dict:
        walls = [r[0] for r in runs]
        return {"wall": statistics.median(walls), "cpu": statistics.median(r[1] for r in runs),
                "min": min(walls), "max": max(walls), "runs": len(runs)}

    def sqlite_engine():
        engine, path = _sqlite_engine(workdir)
        return engine, lambda: _drop_sqlite(engine, path)

    def store(step: str, function) -> None:
        result = _guard(results, step, function)
        if result is not None:
            steps[step] = result

    store("import_sqlite", lambda: summarise([import_once(sqlite_engine) for _ in range(repeat)]))
    postgres_url = os.environ.get("BENCH_POSTGRES_URL", "").strip()
    if postgres_url:
        store("import_postgres",
              lambda: summarise([import_once(lambda: _postgres_schema(postgres_url)) for _ in range(repeat)]))

    def load() -> dict:
        engine, path = _sqlite_engine(workdir)
        try:
            _write(engine, integrations)
            return _timed(lambda: load_integrations(engine), repeat)
        finally:
            _drop_sqlite(engine, path)

    store("load_sqlite", load)

    settings, aliases, rules = load_default_settings(), load_aliases(), default_complexity_rules()
    run_rates = {i.id: monthly_run_rate(i, settings, rules).total for i in integrations}

    def overlap():
        # As analyse_registry does it: index, pairs, clusters.
        index = build_overlap_index(integrations, aliases, include_retired=settings.include_retired)
        linking = "min_score" in inspect.signature(index.list_pairs).parameters
        pairs = index.list_pairs(min_score=settings.overlap_threshold) if linking else index.list_pairs()
        return cluster_overlaps(integrations, pairs, run_rates, threshold=settings.overlap_threshold, aliases=aliases)

    steps["overlap"] = _timed(overlap, repeat)
    steps["analyse"] = _timed(lambda: analyse_registry(integrations, settings, aliases=aliases, rules=rules), repeat)
    analysis = analyse_registry(integrations, settings, aliases=aliases, rules=rules)
    results["notes"]["analysis"] = {"pairs": len(analysis.pairs), "clusters": len(analysis.clusters),
                                    "suggestions": len(analysis.suggestions), "systems": len(analysis.systems)}
    results["notes"]["recall"] = _recall(analysis.clusters, read_planted_clusters(planted_path))

    def tco():
        portfolio_tco(analysis.integrations, analysis.clusters, settings, rules)
        return simulate_portfolio(analysis.integrations, analysis.clusters, settings, rules, draws=DRAWS, seed=0)

    steps["tco"] = _timed(tco, repeat)
    simulation = tco()

    def score() -> dict:
        rubric = load_rubric()
        sample = _score_sample(analysis)
        for integration_id in sample:  # warm: name caches, first-call imports
            score_subject(analysis, analysis.integration(integration_id), rubric)
        # At least 5 runs each: one call takes milliseconds, so a single scheduler hiccup would decide the slowest.
        per_id = {i: _timed(lambda i=i: score_subject(analysis, analysis.integration(i), rubric), max(repeat, 5))
                  for i in sample}
        # The slowest is the one with the most work (CPU time): on a shared machine the wall clock of a
        # 10 ms call is mostly who else had the CPU at that moment.
        slowest = max(per_id, key=lambda i: (per_id[i]["cpu"], per_id[i]["wall"]))
        steps["score_median"] = sorted(per_id.values(), key=lambda r: r["wall"])[len(per_id) // 2]
        results["notes"]["score"] = {"sample": len(sample), "slowest_id": slowest,
                                     "slowest_pairs": len(analysis.index.pairs_for(analysis.integration(slowest)))}
        return per_id[slowest]

    store("score", score)

    try:
        from core.reports.snapshot_pdf import build_snapshot_pdf
    except ImportError as error:
        results["notes"]["pdf"] = f"not yet available ({error})"
    else:
        rubric = load_rubric()

        def pdf():
            return build_snapshot_pdf(analysis, registry_name="Benchmark registry", registry_version=1,
                                      simulation=simulation, rubric=rubric)

        if _guard(results, "pdf", pdf) is not None:  # also warms fonts and matplotlib, loaded once per process
            store("pdf", lambda: _timed(pdf, repeat))
            results["notes"]["pdf"] = f"{len(pdf()) / 1024:.0f} KiB"
    results["notes"]["maxrss_mib"] = round(_maxrss_mib(), 1)
    return results


def _maxrss_mib() -> float:
    # Linux reports kilobytes, macOS bytes.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / MiB if sys.platform == "darwin" else peak / 1024


def worker_memory(csv_path: Path, workdir: Path, heap: bool) -> dict:
    """The whole pipeline once; peak RSS, or with ``heap`` the tracemalloc peak of the Python heap."""
    import tracemalloc

    from core.domain.analysis import analyse_registry
    from core.domain.registry_csv import read_registry_csv
    from core.domain.tco_simulation import simulate_portfolio
    from core.reports.score_figures import score_subject
    from core.storage.defaults import (
        default_complexity_rules,
        load_aliases,
        load_default_settings,
        load_rubric,
    )
    from core.storage.registry_store import load_integrations

    try:
        from core.reports.snapshot_pdf import build_snapshot_pdf
    except ImportError:
        build_snapshot_pdf = None
    baseline = _maxrss_mib()
    if heap:
        tracemalloc.start()
    report = read_registry_csv(csv_path.read_bytes())
    engine, path = _sqlite_engine(workdir)
    _write(engine, report.accepted)
    del report
    integrations = load_integrations(engine)
    analysis = analyse_registry(integrations, load_default_settings(), aliases=load_aliases(),
                                rules=default_complexity_rules())
    del integrations
    simulation = simulate_portfolio(analysis.integrations, analysis.clusters, analysis.settings, analysis.rules,
                                    draws=DRAWS, seed=0)
    rubric = load_rubric()
    for integration_id in _score_sample(analysis)[:5]:
        score_subject(analysis, analysis.integration(integration_id), rubric)
    if build_snapshot_pdf is not None:
        build_snapshot_pdf(analysis, registry_name="Benchmark registry", registry_version=1, simulation=simulation,
                           rubric=rubric)
    result = {"after_imports_mib": round(baseline, 1)}
    if heap:
        result["heap_peak_mib"] = round(tracemalloc.get_traced_memory()[1] / MiB, 1)
        tracemalloc.stop()
    else:
        result["maxrss_mib"] = round(_maxrss_mib(), 1)
    _drop_sqlite(engine, path)
    return result


APPTEST_PAGES = {"apptest_overview": "pages/overview.py", "apptest_overlaps": "pages/overlaps.py"}
APPTEST_TIMEOUT = 120  # seconds AppTest waits for one script run


def worker_apptest(csv_path: Path, repeat: int, workdir: Path, step: str) -> dict:
    """Rerun one page through AppTest on a prepared SQLite registry (a fresh process per page)."""
    from core.domain.registry_csv import read_registry_csv

    engine, path = _sqlite_engine(workdir)
    _write(engine, read_registry_csv(csv_path.read_bytes()).accepted)
    engine.dispose()
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    from streamlit.testing.v1 import AppTest

    results: dict = {"steps": {}, "notes": {}}
    page = APPTEST_PAGES[step]
    app = AppTest.from_file(str(CODE_DIR / "app.py"), default_timeout=APPTEST_TIMEOUT)

    def run(label: str) -> bool:
        wall = time.perf_counter()
        try:
            app.switch_page(page).run()
        except RuntimeError as error:  # AppTest gives up on a run that takes longer than its timeout
            results["notes"][f"{step}_error"] = f"{label}: {error}"
            return False
        results["notes"][f"{step}_{label}_s"] = round(time.perf_counter() - wall, 2)
        if app.exception:
            results["notes"][f"{step}_error"] = "; ".join(str(e.value)[:300] for e in app.exception)
            return False
        return True

    # The first run computes the analysis (cold); the second warms the page's own caches.
    if run("first_run") and run("warm_up"):
        def rerun():
            app.run()
            if app.exception:
                raise RuntimeError("; ".join(str(e.value)[:300] for e in app.exception))

        try:
            results["steps"][step] = _timed(rerun, repeat)
        except RuntimeError as error:
            results["notes"][f"{step}_error"] = f"rerun: {error}"
    results["notes"]["maxrss_mib"] = round(_maxrss_mib(), 1)
    _drop_sqlite(engine, path)
    return results


def worker_naive(csv_path: Path, planted_path: Path, repeat: int) -> dict:
    """The indexed overlap search against comparing every pair, on the same registry."""
    from core.domain.overlap import build_overlap_index, cluster_overlaps
    from core.domain.overlap.pairs import _Comparer  # bench-only: the same scorer
    from core.domain.registry_csv import read_registry_csv
    from core.storage.defaults import load_aliases

    integrations = read_registry_csv(csv_path.read_bytes()).accepted
    aliases = load_aliases()

    def indexed():
        # What the analysis clusters: the pairs reaching the default threshold (and strong ones).
        return build_overlap_index(integrations, aliases).list_pairs(min_score=0.5)

    def naive():
        # Every pair of the n² is tested for evidence (a common object through a common system, or a
        # common consumer) and scored with the same formula as the index.
        index = build_overlap_index(integrations, aliases)
        features = index._features
        compare = _Comparer(index._namer).compare
        pairs = []
        for i, a in enumerate(features):
            a_systems = {a.source, a.target} - {""}
            for b in features[i + 1:]:
                if (a.objects & b.objects and a_systems & {b.source, b.target}) or a.consumers & b.consumers:
                    pairs.append(compare(a, b))
        return pairs

    results = {"steps": {"indexed": _timed(indexed, repeat), "naive": _timed(naive, max(1, min(repeat, 3)))}}
    rates: dict = {}
    found_indexed = cluster_overlaps(integrations, indexed(), rates, threshold=0.5)
    found_naive = cluster_overlaps(integrations, naive(), rates, threshold=0.5)
    planted = read_planted_clusters(planted_path)
    results["notes"] = {
        "pairs_indexed": len(indexed()), "pairs_naive": len(naive()),
        "clusters_indexed": len(found_indexed), "clusters_naive": len(found_naive),
        "same_clusters": sorted(c.members for c in found_indexed) == sorted(c.members for c in found_naive),
        "recall_indexed": _recall(found_indexed, planted), "recall_naive": _recall(found_naive, planted),
    }
    return results


# --- orchestration -----------------------------------------------------------------------------------


def _run_worker(args: list[str], timeout: float = 3600) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        result_path = Path(handle.name)
    try:
        command = [sys.executable, str(Path(__file__).resolve()), "--worker", *args, "--result", str(result_path)]
        done = subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-12:]
            return {"error": f"worker {' '.join(args[:2])} failed (exit {done.returncode}): " + " | ".join(tail)}
        return json.loads(result_path.read_text(encoding="utf-8"))
    except subprocess.TimeoutExpired:
        return {"error": f"worker {' '.join(args[:2])} timed out after {timeout:.0f} s"}
    finally:
        result_path.unlink(missing_ok=True)


def _write_registry(rows: int, workdir: Path) -> tuple[Path, Path, float]:
    wall = time.perf_counter()
    text, planted = generate_registry(rows, SEED)
    elapsed = time.perf_counter() - wall
    path = workdir / f"registry_{rows}.csv"
    path.write_text(text, encoding="utf-8", newline="")
    truth = planted_path_for(path)
    truth.write_text(planted_clusters_csv(planted), encoding="utf-8", newline="")
    return path, truth, elapsed


def _seconds(value: float) -> str:
    if value < 0.1:
        return f"{value * 1000:.1f} ms"
    return f"{value:.2f} s"


def _machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
    except OSError:
        pass
    versions = {}
    for package in ("pandas", "numpy", "sqlalchemy", "streamlit", "fpdf", "rapidfuzz", "msgspec"):
        with contextlib.suppress(Exception):  # a missing package is just not reported
            versions[package] = __import__(package).__version__
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_DIR, capture_output=True,
                                text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "core", "pages", "app.py"], cwd=PROJECT_DIR,
                               capture_output=True, text=True).stdout.strip()
        commit = f"{commit}{' + uncommitted changes' if dirty else ''}"
    except OSError:
        commit = "unknown"
    return {
        "platform": platform.platform(), "cpu": cpu, "cores": os.cpu_count(), "memory": memory,
        "python": platform.python_version(), "versions": versions, "commit": commit,
    }


def _verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("pass" if ok else "**MISS**")


def build_report(data: dict) -> tuple[str, list[list[str]]]:
    """The results as markdown, and the table rows (for printing)."""
    sizes = data["sizes"]
    per_size = data["per_size"]
    rows: list[list[str]] = []

    def row(step: str, size: int, result: dict | None, target: str = "", ok: bool | None = None, note: str = ""):
        if result is None:
            rows.append([LABELS.get(step, step), f"{size:,}", note or "not measured", "", target, _verdict(None)])
            return
        rows.append([
            LABELS.get(step, step), f"{size:,}", _seconds(result["wall"]),
            f"{_seconds(result['cpu'])} cpu, {_seconds(result['min'])}–{_seconds(result['max'])}", target, _verdict(ok),
        ])

    for size in sizes:
        timed = per_size[str(size)].get("time", {})
        if "error" in timed:
            rows.append(["(all steps)", f"{size:,}", "error", timed["error"][:300], "", "**MISS**"])
            continue
        steps = timed.get("steps", {})
        for step in ("read_csv", "parse", "import_sqlite", "import_postgres", "load_sqlite", "overlap", "analyse",
                     "tco", "score", "score_median", "pdf"):
            result = steps.get(step)
            target_seconds = TIME_TARGETS.get(step, {}).get(size)
            target, ok = "", None
            if target_seconds is not None:
                target = f"≤ {_seconds(target_seconds)}"
                ok = result is not None and result["wall"] <= target_seconds
            if step == "parse" and size == 10_000 and result and steps.get("read_csv"):
                ratio = result["wall"] / steps["read_csv"]["wall"]
                target += f" and ≤ {PARSE_RATIO_TARGET:g}× read_csv ({ratio:.1f}×)"
                ok = ok and ratio <= PARSE_RATIO_TARGET
            if step == "overlap" and size == 100_000 and result:
                base = per_size.get("10000", {}).get("time", {}).get("steps", {}).get("overlap")
                if base:
                    growth = result["wall"] / base["wall"]
                    target += f" and ≤ {OVERLAP_GROWTH_TARGET:g}× the 10k time ({growth:.1f}×)"
                    ok = ok and growth <= OVERLAP_GROWTH_TARGET
            error = timed.get("errors", {}).get(step)
            if result is None and error:
                rows.append([LABELS.get(step, step), f"{size:,}", "error", error.replace("|", "/")[:200], target,
                             "**MISS**" if target else "—"])
                continue
            if step == "import_postgres" and result is None:
                continue
            if step == "pdf" and result is None:
                row(step, size, None, target, None, timed.get("notes", {}).get("pdf", "not yet available"))
                continue
            row(step, size, result, target, ok)
        if size == APPTEST_ROWS and "apptest" in data:
            for step in APPTEST_PAGES:
                app = data["apptest"].get(step, {})
                target_seconds = TIME_TARGETS[step][size]
                result = app.get("steps", {}).get(step)
                error = app.get("error") or app.get("notes", {}).get(f"{step}_error")
                if result is None:
                    rows.append([LABELS[step], f"{size:,}", "error", (error or "not measured")[:200],
                                 f"≤ {_seconds(target_seconds)}", "**MISS**"])
                else:
                    row(step, size, result, f"≤ {_seconds(target_seconds)}",
                        result["wall"] <= target_seconds and not error)
        memory = per_size[str(size)]
        rss = memory.get("rss", {}).get("maxrss_mib")
        heap = memory.get("heap", {}).get("heap_peak_mib")
        limit = MEMORY_TARGETS_MIB.get(size)
        if rss is not None:
            rows.append(["peak memory, whole pipeline (RSS)", f"{size:,}", f"{rss:,.0f} MiB",
                         f"Python heap peak (tracemalloc) {heap:,.0f} MiB" if heap is not None else "",
                         f"≤ {limit:,} MiB" if limit else "", _verdict(None if limit is None else rss <= limit)])
        else:
            rows.append(["peak memory, whole pipeline (RSS)", f"{size:,}", "error",
                         str(memory.get("rss", {}).get("error", ""))[:200], "", "**MISS**"])

    header = ["Step", "Rows", "Median", "CPU median, fastest–slowest run", "Target", "Result"]
    lines = [
        "# Benchmark results",
        "",
        f"Generated by `{data['command']}` on {data['date']}.",
        "",
        "## Machine",
        "",
        f"- {data['machine']['cpu']}, {data['machine']['cores']} cores, {data['machine']['memory']}",
        f"- {data['machine']['platform']}, Python {data['machine']['python']}",
        "- " + ", ".join(f"{k} {v}" for k, v in data["machine"]["versions"].items()),
        f"- code: {data['machine']['commit']}",
        *([f"- measured code: the copy in `{data['code']}` (not this checkout)"] if data.get("code") else []),
        f"- load average (1 min) at start {data['load'][0]:.1f}, at end {data['load'][1]:.1f}: the machine is shared, "
        "so wall times include waiting for the CPU; CPU times show the work itself.",
        "",
        "## Results",
        "",
        f"Median wall-clock time of {data['repeat']} run{'s' if data['repeat'] != 1 else ''}, each size in a fresh "
        "process. Registries from "
        f"`bench/generate.py --seed {SEED}`.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
        *["| " + " | ".join(r) + " |" for r in rows],
        "",
        "## Ratios",
        "",
    ]
    for size in sizes:
        steps = per_size[str(size)].get("time", {}).get("steps", {})
        if steps.get("parse") and steps.get("read_csv"):
            lines.append(f"- parse + validate / plain `pandas.read_csv` at {size:,} rows: "
                         f"{steps['parse']['wall'] / steps['read_csv']['wall']:.1f}× "
                         f"(CPU {steps['parse']['cpu'] / max(steps['read_csv']['cpu'], 1e-9):.1f}×)")
    overlap = {s: per_size[str(s)].get("time", {}).get("steps", {}).get("overlap") for s in sizes}
    for small, big in zip(sizes, sizes[1:]):
        if overlap.get(small) and overlap.get(big):
            lines.append(f"- overlap clustering {big:,} / {small:,} rows: "
                         f"{overlap[big]['wall'] / overlap[small]['wall']:.1f}× "
                         f"(CPU {overlap[big]['cpu'] / overlap[small]['cpu']:.1f}×) for {big / small:g}× the rows")
    naive = data.get("naive", {})
    if "steps" in naive:
        n = naive["steps"]
        notes = naive["notes"]
        lines.append(
            f"- naive all-pairs overlap / indexed overlap at {NAIVE_ROWS:,} rows: "
            f"{n['naive']['wall'] / n['indexed']['wall']:.0f}× "
            f"({_seconds(n['naive']['wall'])} against {_seconds(n['indexed']['wall'])}); "
            f"pairs {notes['pairs_naive']:,} "
            f"against {notes['pairs_indexed']:,} reaching the threshold (crowded groups are chained, and "
            f"paired in full only where a pair could reach it); clusters "
            f"{'identical' if notes['same_clusters'] else 'DIFFERENT'} "
            f"({notes['clusters_naive']} and {notes['clusters_indexed']}); "
            f"planted clusters found: naive {notes['recall_naive']['found']}/{notes['recall_naive']['planted']}, "
            f"indexed {notes['recall_indexed']['found']}/{notes['recall_indexed']['planted']}"
        )
    elif naive:
        lines.append(f"- naive all-pairs overlap: {naive.get('error', 'not measured')}")
    for step, app in data.get("apptest", {}).items():
        notes = app.get("notes", {})
        if notes:
            cold = notes.get(f"{step}_first_run_s")
            lines.append(
                f"- {LABELS[step].split(' (')[0]} at {APPTEST_ROWS:,} rows: first run "
                f"{f'{cold:.1f} s' if cold is not None else 'not finished'} "
                "(loads the registry and computes the analysis), "
                f"peak RSS of the AppTest process {notes.get('maxrss_mib', 0):,.0f} MiB"
                + (f"; {notes[f'{step}_error']}" if notes.get(f"{step}_error") else "")
            )
        elif app.get("error"):
            lines.append(f"- {LABELS[step]}: {app['error'][:300]}")
    lines += ["", "## Correctness and registry shape", ""]
    for size in sizes:
        timed = per_size[str(size)].get("time", {})
        notes = timed.get("notes", {})
        recall = notes.get("recall")
        if not recall:
            continue
        analysis = notes.get("analysis", {})
        lines.append(
            f"- {size:,} rows ({notes['rows']['file_mib']} MiB, {notes['rows']['errors']} validation errors, "
            f"generated in {per_size[str(size)]['generate_s']:.1f} s): planted clusters found "
            f"**{recall['found']}/{recall['planted']}** "
            f"({100 * recall['found'] / max(recall['planted'], 1):.0f}% recall, "
            f"{recall['exact']} exactly), {analysis.get('clusters', 0):,} clusters in all, "
            f"{analysis.get('pairs', 0):,} pairs kept by the analysis, "
            f"{analysis.get('systems', 0):,} systems, {analysis.get('suggestions', 0)} name suggestions; "
            f"slowest scored integration {notes.get('score', {}).get('slowest_id', '?')} "
            f"({notes.get('score', {}).get('slowest_pairs', '?')} pairs)"
        )
    lines += ["", "## How it was measured", ""]
    lines += [
        "- Each step is timed in a fresh Python process per size (`bench/run.py --worker ...`), "
        "after a garbage collection; the median of the runs is shown, with the CPU time of the process beside it.",
        "- *CSV parse + validate*: `read_registry_csv(file bytes)`, every cell checked; *plain pandas.read_csv*: "
        "`pandas.read_csv(path)` of the same file, no validation.",
        "- *import*: `write_integrations(engine, rows, \"replace\")` into a freshly migrated database (SQLite file; "
        "PostgreSQL schema when `BENCH_POSTGRES_URL` is set); migrations are not timed.",
        "- *overlap clustering*: `build_overlap_index` + `list_pairs` + `cluster_overlaps` as `analyse_registry` "
        "calls them (run-rates computed beforehand; only the linking pairs are built where `list_pairs` takes "
        "`min_score`). "
        "*whole analysis* adds run-rates, name suggestions and the portfolio TCO.",
        f"- *portfolio TCO*: `portfolio_tco` + `simulate_portfolio(draws={DRAWS:,})`.",
        "- *score one integration*: `core.reports.score_figures.score_subject` (the Score page's call) "
        f"on a sample of up to {SCORE_SAMPLE} integrations, including the 3 whose look-ups read the most buckets, "
        "each the median of at least 5 calls; the one with the most CPU time is held to the target "
        "(its median wall time).",
        "- *snapshot PDF*: `build_snapshot_pdf(analysis, simulation=..., rubric=...)` with the analysis and "
        "simulation already computed, as the TCO page has them cached.",
        f"- *page rerun*: `AppTest.from_file(app.py)` on a SQLite file with {APPTEST_ROWS:,} rows; "
        "`switch_page(...).run()` once to warm the caches, then `.run()` timed.",
        "- *peak memory*: the whole pipeline once (parse, import, load, analyse, simulate, score, PDF) "
        "in a fresh process: "
        "`ru_maxrss` (everything resident, libraries included), and in another fresh process the `tracemalloc` peak "
        "(Python objects and numpy buffers, not SQLite's C memory).",
    ]
    return "\n".join(lines) + "\n", [header, *rows]


def _keep_notes(out: Path) -> str:
    if not out.exists():
        return ""
    text = out.read_text(encoding="utf-8")
    start = text.find(NOTES_HEADING)
    return text[start:].rstrip() + "\n" if start >= 0 else ""


def _print_table(table: list[list[str]]) -> None:
    widths = [max(len(r[c]) for r in table) for c in range(len(table[0]))]
    widths[3] = min(widths[3], 40)
    for number, r in enumerate(table):
        print("  ".join(cell[:widths[c]].ljust(widths[c]) for c, cell in enumerate(r)).rstrip())
        if number == 0:
            print("  ".join("-" * w for w in widths))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES),
                        help="comma-separated row counts (default 1000,10000,100000)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs per measurement; the median is reported (default 3)")
    parser.add_argument("--out", type=Path, default=PROJECT_DIR / "bench" / "results.md", help="markdown results file")
    parser.add_argument("--quick", action="store_true", help="1,000 and 10,000 rows only")
    parser.add_argument("--no-apptest", action="store_true", help="skip the Streamlit page reruns")
    parser.add_argument("--json", type=Path, help="also write the raw measurements to this JSON file")
    parser.add_argument("--code", type=Path, help="measure the copy of the project in this folder instead of this one "
                        "(for before/after numbers of a patch)")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        kind, *rest = args.worker
        workdir = Path(tempfile.mkdtemp(prefix="igov-bench-"))
        if kind == "time":
            result = worker_time(Path(rest[0]), Path(rest[1]), int(rest[2]), workdir)
        elif kind in ("rss", "heap"):
            result = worker_memory(Path(rest[0]), workdir, heap=kind == "heap")
        elif kind == "apptest":
            result = worker_apptest(Path(rest[0]), int(rest[1]), workdir, rest[2])
        elif kind == "naive":
            result = worker_naive(Path(rest[0]), Path(rest[1]), int(rest[2]))
        else:
            parser.error(f"unknown worker {kind}")
        args.result.write_text(json.dumps(result), encoding="utf-8")
        return 0

    try:
        sizes = QUICK_SIZES if args.quick else tuple(int(s.replace("_", "")) for s in args.sizes.split(",")
                                                     if s.strip())
    except ValueError:
        parser.error("--sizes must be comma-separated whole numbers, e.g. 1000,10000")
    if not sizes or min(sizes) < 10:
        parser.error("--sizes needs row counts of at least 10")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    if args.code:
        os.environ["BENCH_CODE_DIR"] = str(args.code.resolve())
    command = "bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
    data: dict = {"sizes": list(sizes), "repeat": args.repeat, "per_size": {}, "command": command.strip(),
                  "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "machine": _machine(),
                  "code": str(args.code.resolve()) if args.code else None}
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="igov-bench-") as tmp:
        workdir = Path(tmp)
        for size in sizes:
            print(f"[{size:,} rows] generating…", flush=True)
            csv_path, truth, generate_s = _write_registry(size, workdir)
            entry = data["per_size"][str(size)] = {"generate_s": generate_s}
            print(f"[{size:,} rows] timing ({args.repeat} runs per step)…", flush=True)
            entry["time"] = _run_worker(["time", str(csv_path), str(truth), str(args.repeat)])
            print(f"[{size:,} rows] peak memory…", flush=True)
            entry["rss"] = _run_worker(["rss", str(csv_path)])
            entry["heap"] = _run_worker(["heap", str(csv_path)])
            if size == APPTEST_ROWS and not args.no_apptest:
                print(f"[{size:,} rows] page reruns through AppTest…", flush=True)
                data["apptest"] = {step: _run_worker(["apptest", str(csv_path), str(args.repeat), step])
                                   for step in APPTEST_PAGES}
            if "error" in entry["time"]:
                print(f"  {entry['time']['error']}", flush=True)
        print(f"[naive all-pairs at {NAIVE_ROWS:,} rows]…", flush=True)
        csv_path, truth, _ = _write_registry(NAIVE_ROWS, workdir)
        data["naive"] = _run_worker(["naive", str(csv_path), str(truth), str(args.repeat)])
    data["load"] = (load_start, os.getloadavg()[0])
    report, table = build_report(data)
    notes = _keep_notes(args.out)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report + ("\n" + notes if notes else ""), encoding="utf-8")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(data, indent=1), encoding="utf-8")
    print()
    _print_table(table)
    print()
    print("\n".join(line for line in report.splitlines()
                    if line.startswith("- ") and ("×" in line or "recall" in line)))
    print(f"\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
