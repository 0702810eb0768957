"""Browser benchmark: each page's time to idle and the common interactions, in Chromium, as a person sees them.

    .venv/bin/python bench/browser.py                  # the sample and a generated 1,000-row registry, 5 runs each
    .venv/bin/python bench/browser.py --repeat 3 --datasets sample --out /tmp/browser.md

The app is started as the browser tests start it (``streamlit run app.py`` on a free port, its own SQLite file)
and driven by Debian's Chromium through Playwright at 1920×1080 (never a downloaded browser). Every page is opened
once first (the analysis is computed and cached then, as after any registry change), then each measurement is
repeated and the median kept.

How time is measured, in the page itself (``performance.now()``; no fixed sleeps):

* **fresh load**: from the start of the navigation (the URL typed in the address bar) to the first time the app is
  idle (``[data-testid='stApp'][data-test-script-state='notRunning']`` after a run) with the page's title shown;
* **sidebar**: from the click on the page's name in the sidebar to idle;
* **interaction**: from the last key press or click of the gesture (the Enter that commits a text, the arrow key
  that moves a slider) to idle after the run it started; a run chained right after it (a callback's rerun) counts.

Results go to the "Browser" section of ``bench/results.md`` (between markers; the rest of the file is kept).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

from bench.generate import generate_registry  # noqa: E402

START, END = "<!-- browser-bench:start -->", "<!-- browser-bench:end -->"
VIEWPORT = {"width": 1920, "height": 1080}
# Targets from issue 14, seconds: (sample, 1,000 rows).
NAVIGATION_TARGET = {"sample": 1.0, "1,000 rows": 1.5}
INTERACTION_TARGET = {"sample": 0.3, "1,000 rows": 0.5}
PAGES = [  # (title shown in the sidebar and as the page's h1, URL path)
    ("Overview", ""), ("Overlaps", "overlaps"), ("TCO snapshot", "tco"), ("Registry", "registry"),
    ("History", "history"), ("Score", "score"), ("Diagnostic session", "session"), ("Settings", "settings"),
]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"

# Logs every change of the app's script state and the time of every key press and click, in page time.
RECORDER = """
window.__igovStates = [];
window.__igovInputs = [];
new MutationObserver((changes) => {
  for (const change of changes) {
    const now = performance.now();
    // A short run can start and end before this callback: both records then read 'notRunning' now, and only the
    // old value tells that it ran (missing it, a measure waited for the next run: 10 s outliers).
    if (change.oldValue === 'running') window.__igovStates.push([now, 'running']);
    window.__igovStates.push([now, change.target.getAttribute('data-test-script-state')]);
  }
}).observe(document, {attributes: true, attributeOldValue: true, subtree: true,
                      attributeFilter: ['data-test-script-state']});
window.__igovBusy = [];
try {
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__igovBusy.push([entry.startTime, entry.duration]);
  }).observe({type: 'longtask', buffered: true});
} catch (error) { /* no long-task timing in this browser */ }
for (const name of ['pointerdown', 'keydown']) {
  window.addEventListener(name, () => window.__igovInputs.push(performance.now()), true);
}
"""

# Done when a run started after `since` and the app has been idle since; returns [start, idle] or null.
SETTLED = """([since, quiet]) => {
  const states = window.__igovStates.filter(([t]) => t >= since);
  const first = states.findIndex(([, s]) => s === 'running');
  if (first < 0) return null;
  const last = states[states.length - 1];
  if (last[1] !== 'notRunning' || performance.now() - last[0] < quiet) return null;
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return null;
  return [states[first][0], last[0]];
}"""
# A rerun chained to the first (a callback's st.rerun) starts within a few milliseconds; wait this long for one.
QUIET_MS = 250


def _machine() -> str:
    cpu = platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        load = "unknown"
    import playwright
    import streamlit
    return (f"{cpu}, {os.cpu_count()} cores (shared), {platform.platform()}, Python {platform.python_version()}, "
            f"Streamlit {streamlit.__version__}, Playwright {getattr(playwright, '__version__', '?')}, "
            f"Chromium {_chromium_version()}; load average at the start {load}")


def _chromium_version() -> str:
    import subprocess

    from tests.e2e.conftest import CHROMIUM
    try:
        return subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


# --- the registries --------------------------------------------------------------------------------

def prepare_database(folder: Path, dataset: str) -> tuple[str, int]:
    """A SQLite file holding the dataset and one diagnostic session; returns its URL and the session's id."""
    from core.services.database import open_database
    from core.services.identity import local_actor
    from core.services.registry import import_registry_file
    from core.domain.diagnostic import Participant, Role
    from core.services.sessions import create_session, set_participants

    url = f"sqlite:///{folder / 'e2e.sqlite3'}"
    actor = local_actor("Benchmark")
    if dataset == "sample":
        engine = open_database(url, seed_sample=True)
    else:
        engine = open_database(url)
        text, _ = generate_registry(1_000, 1)
        report, counts = import_registry_file(engine, text.encode("utf-8"), "replace", actor=actor,
                                              filename="registry_1000.csv")
        if not counts or not counts.get("inserted"):
            raise SystemExit(f"the generated registry did not import: {report}")
    session_id = create_session(engine, "Benchmark session", "Benchmark", actor=actor)
    set_participants(engine, session_id, [Participant(BENCH_PERSON, Role.REVOPS)], actor=actor)
    engine.dispose()
    return url, session_id


# --- measuring -------------------------------------------------------------------------------------

def _settle(page, since: float, timeout: float = 180_000) -> tuple[float, float]:
    handle = page.wait_for_function(SETTLED, arg=[since, QUIET_MS], timeout=timeout, polling=20)
    started, idle = handle.json_value()
    return started, idle


def _now(page) -> float:
    return page.evaluate("performance.now()")


def measure_interaction(page, gesture, timeout: float = 180_000) -> float:
    """Seconds from the last key press or click of ``gesture`` to idle after the run(s) it started."""
    since = _now(page)
    gesture()
    started, idle = _settle(page, since, timeout)
    inputs = [t for t in page.evaluate("window.__igovInputs") if since <= t <= started]
    if not inputs:
        raise RuntimeError("no key press or click was seen before the run")
    return (idle - inputs[-1]) / 1000


def measure_fresh_load(page, url: str, title: str) -> float:
    """Seconds from the start of navigation to the first idle with the page's title shown."""
    page.goto(url, wait_until="commit")
    page.get_by_role("heading", name=title, level=1).first.wait_for(timeout=60_000)
    _, idle = _settle(page, 0)
    return idle / 1000


def measure_sidebar(page, title: str) -> float:
    link = page.locator("[data-testid='stSidebarNav'] a").filter(has_text=title).first
    seconds = measure_interaction(page, link.click)
    page.get_by_role("heading", name=title, level=1).first.wait_for(timeout=60_000)
    return seconds


TIMEOUT_MS = 180_000  # the machine may be shared and loaded: wait long rather than fail
BENCH_PERSON = "Ana Lima"  # the one participant of the benchmark's session, Accountable for its decisions
WHO = "who=Benchmark"  # the name a shared link carries: writes are made, not refused for want of a name


def page_url(base: str, path: str, session_id: int | None = None) -> str:
    """A page's address as a facilitator's shared link gives it: with the name, and the session on its page."""
    query = f"?{WHO}" + (f"&session={session_id}" if path == "session" and session_id is not None else "")
    return f"{base}/{path}{query}"


def _goto(page, url: str) -> None:
    page.goto(url, timeout=TIMEOUT_MS)
    page.wait_for_selector("h1", timeout=TIMEOUT_MS)
    page.wait_for_selector(IDLE, timeout=TIMEOUT_MS)


# --- the interactions ------------------------------------------------------------------------------

def weight_slider(page, base: str, run: int):
    _goto(page, page_url(base, "score"))
    thumb = page.locator("[data-testid='stSlider'] input[type='range']").first
    thumb.focus()
    return lambda: page.keyboard.press("ArrowRight" if run % 2 == 0 else "ArrowLeft")


def group_score(page, base: str, run: int):
    _goto(page, page_url(base, "score"))
    box = page.locator("[data-testid='stNumberInput'] input").first
    box.fill(str(1 + run % 4))

    def gesture() -> None:
        box.press("Enter")
    return gesture


def add_assumption(page, base: str, run: int, session_id: int):
    _goto(page, page_url(base, "session", session_id))
    box = page.get_by_placeholder("Add an assumption and press Enter")
    box.fill(f"Benchmark assumption {run}")
    return lambda: box.press("Enter")


def record_decision(page, base: str, run: int, session_id: int):
    from tests.e2e.test_journeys import choose

    _goto(page, page_url(base, "session", session_id))
    form = page.locator("[data-testid='stForm']").filter(has_text="Record decision").first
    selects = form.locator("[data-testid='stSelectbox']")
    choose(page, selects.filter(has_text="Integration"), "INT-0")  # the first integration, sample or generated
    choose(page, selects.filter(has_text="Verdict"), "Merge")
    choose(page, selects.filter(has_text="Accountable"), BENCH_PERSON)
    form.get_by_label("Rationale").fill(f"Benchmark decision {run}")
    button = form.get_by_role("button", name="Record decision")
    return button.click


def next_clusters(page, base: str, run: int):
    _goto(page, page_url(base, "overlaps"))
    button = page.get_by_role("button", name="Next").first
    if not button.count() or button.is_disabled():
        raise RuntimeError("all clusters fit on one page: there is no next page")
    return button.click


def open_cluster(page, base: str, run: int):
    _goto(page, page_url(base, "overlaps"))
    titles = page.locator("[data-testid='stExpander'] summary")
    if titles.count() < 2:
        raise RuntimeError("fewer than two clusters: there is no other one to open")
    return titles.nth(1 + run % 2 if titles.count() > 2 else 1).click


INTERACTIONS = [
    ("Score: move a weight slider (arrow key)", weight_slider, False),
    ("Score: set the group's score of a criterion (Enter)", group_score, False),
    ("Diagnostic session: add an assumption (Enter)", add_assumption, True),
    ("Diagnostic session: record a decision (click)", record_decision, True),
    ("Overlaps: open another cluster (click)", open_cluster, False),
    ("Overlaps: next page of clusters (click)", next_clusters, False),
]


def _problem(error: Exception) -> str:
    return f"{type(error).__name__}: {(str(error).splitlines() or [''])[0][:160]}"


def _median(values: list[float]) -> dict:
    return {"median": statistics.median(values), "low": min(values), "high": max(values), "n": len(values)}


def bench_dataset(browser, dataset: str, repeat: int, log) -> dict:
    from tests.e2e.conftest import running_server

    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="igov-browser-bench-") as tmp:
        folder = Path(tmp)
        _, session_id = prepare_database(folder, dataset)
        with running_server(folder) as server:
            base = server["url"]
            context = browser.new_context(viewport=VIEWPORT)
            context.add_init_script(RECORDER)
            page = context.new_page()
            for _title, path in PAGES:  # warm-up: the analysis is computed once and cached
                _goto(page, page_url(base, path, session_id))
            for title, path in PAGES:
                try:
                    fresh = [measure_fresh_load(page, page_url(base, path, session_id), title) for _ in range(repeat)]
                except Exception as error:  # noqa: BLE001 - reported as not measured, the rest goes on
                    results[f"{title}: fresh load"] = {"kind": "navigation", "problem": _problem(error)}
                    continue
                results[f"{title}: fresh load"] = _median(fresh) | {"kind": "navigation"}
                log(f"  {dataset} · {title}: fresh load {statistics.median(fresh):.2f} s")
            # Sidebar: from every page to the next one in the list, round the list `repeat` times.
            _goto(page, page_url(base, ""))
            sidebar: dict[str, list[float]] = {}
            for _ in range(repeat):
                for title, _path in [*PAGES[1:], PAGES[0]]:
                    try:
                        sidebar.setdefault(title, []).append(measure_sidebar(page, title))
                    except Exception:  # noqa: BLE001 - a missed run is left out of the median
                        _goto(page, page_url(base, ""))
            for title, values in sidebar.items():
                if not values:
                    continue
                results[f"{title}: from the sidebar"] = _median(values) | {"kind": "navigation"}
                log(f"  {dataset} · {title}: sidebar {statistics.median(values):.2f} s")
            for name, prepare, needs_session in INTERACTIONS:
                values, problem = [], None
                for run in range(repeat):
                    try:
                        args = (session_id,) if needs_session else ()
                        gesture = prepare(page, base, run, *args)
                        values.append(measure_interaction(page, gesture))
                    except Exception as error:  # noqa: BLE001 - a step that cannot be driven is reported, not fatal
                        problem = _problem(error)
                        break
                if values:
                    results[name] = _median(values) | {"kind": "interaction"}
                    log(f"  {dataset} · {name}: {statistics.median(values):.2f} s")
                else:
                    results[name] = {"kind": "interaction", "problem": problem}
                    log(f"  {dataset} · {name}: not measured ({problem})")
            context.close()
    return results


def bench_floor(browser, repeat: int, log) -> dict:
    """Streamlit alone (bench/floor_app.py: a title, a slider, a button), measured exactly as the app's pages are.

    What no change to our pages can go below on this machine: the browser loading Streamlit's own code, the
    round trip to the server and Streamlit redrawing after a run.
    """
    from tests.e2e.conftest import running_server

    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="igov-browser-floor-") as tmp, \
            running_server(Path(tmp), script="bench/floor_app.py") as server:
        context = browser.new_context(viewport=VIEWPORT)
        context.add_init_script(RECORDER)
        page = context.new_page()
        _goto(page, server["url"])
        fresh = [measure_fresh_load(page, server["url"], "Streamlit alone") for _ in range(repeat)]
        results["Streamlit alone: fresh load"] = _median(fresh) | {"kind": "navigation"}

        def slider_move(run: int):
            _goto(page, server["url"])
            page.locator("[data-testid='stSlider'] input[type='range']").first.focus()
            return lambda: page.keyboard.press("ArrowRight" if run % 2 == 0 else "ArrowLeft")

        for name, prepare in [("Streamlit alone: move a slider (arrow key)", slider_move)]:
            # A run this small can go from running to idle within one frame, unseen: such a try is left out.
            values, problem = [], None
            for run in range(3 * repeat):
                try:
                    values.append(measure_interaction(page, prepare(run), timeout=10_000))
                except Exception as error:  # noqa: BLE001 - reported as not measured if no try was seen
                    problem = _problem(error)
                if len(values) == repeat:
                    break
            results[name] = (_median(values) if values else {"problem": problem}) | {"kind": "interaction"}
        for name, result in results.items():
            log(f"  floor · {name}: " + (f"{result['median']:.2f} s" if "median" in result else result["problem"]))
        context.close()
    return results


# --- the report ------------------------------------------------------------------------------------

def _cell(result: dict | None, target: float) -> str:
    if result is None:
        return "—"
    if "problem" in result:
        return f"not measured ({result['problem']})"
    mark = "met" if result["median"] <= target else "**missed**"
    return f"{result['median']:.2f} s ({result['low']:.2f}–{result['high']:.2f}) {mark}"


def render(all_results: dict[str, dict], repeat: int, machine: str, commit: str, floor: dict | None = None) -> str:
    datasets = list(all_results)
    names = list(dict.fromkeys(name for results in all_results.values() for name in results))
    lines = [
        START,
        "### In the browser (`bench/browser.py`)",
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit}. Chromium at 1920×1080 on {machine}. Median of "
        f"{repeat} runs (lowest–highest in brackets), after every page was opened once (analysis cached). "
        "Targets (issue 14): navigation ≤ 1.0 s on the sample, ≤ 1.5 s at 1,000 rows; interaction ≤ 0.3 s / ≤ 0.5 s. "
        "Fresh load: from the start of navigation to idle; sidebar: from the click to idle; interaction: from the "
        "key press or click to idle.",
        "",
        "| What | " + " | ".join(datasets) + " |",
        "|---|" + "---|" * len(datasets),
    ]
    for name in names:
        cells = []
        for dataset in datasets:
            result = all_results[dataset].get(name)
            targets = NAVIGATION_TARGET if (result or {}).get("kind") == "navigation" else INTERACTION_TARGET
            cells.append(_cell(result, targets[dataset]))
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    met = [(d, n) for d in datasets for n, r in all_results[d].items() if "median" in r
           and r["median"] <= (NAVIGATION_TARGET if r["kind"] == "navigation" else INTERACTION_TARGET)[d]]
    total = sum(1 for d in datasets for r in all_results[d].values() if "median" in r)
    lines += ["", f"Targets met: {len(met)} of {total} measured."]
    if floor:
        lines += ["", "**The floor: Streamlit alone** (`bench/floor_app.py`: a title and a slider, no data, "
                  "measured the same way in the same browser). No page of ours can be faster than this on this "
                  "machine.", "", "| What | time | sample target |", "|---|---|---|"]
        for name, result in floor.items():
            target = (NAVIGATION_TARGET if result["kind"] == "navigation" else INTERACTION_TARGET)["sample"]
            lines.append(f"| {name} | {_cell(result, target)} | ≤ {target:.1f} s |")
    lines.append(END)
    return "\n".join(lines) + "\n"


def write_results(out: Path, section: str) -> None:
    text = out.read_text(encoding="utf-8") if out.exists() else "# Benchmark results\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1].lstrip("\n")
        text = before + section + ("\n" + after if after else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    out.write_text(text, encoding="utf-8")


def _commit() -> str:
    import subprocess
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_DIR, capture_output=True,
                                text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "core", "pages", "app.py"], cwd=PROJECT_DIR,
                               capture_output=True, text=True).stdout.strip()
        return f"{commit}{' + uncommitted changes' if dirty else ''}"
    except OSError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (median kept)")
    parser.add_argument("--datasets", default="sample,1000", help="comma-separated: sample, 1000")
    parser.add_argument("--out", type=Path, default=PROJECT_DIR / "bench" / "results.md", help="markdown results file")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import BROWSER_ARGS, CHROMIUM

    if not Path(CHROMIUM).exists():
        raise SystemExit("Debian chromium is not installed (apt-get install -y chromium)")
    machine, commit = _machine(), _commit()
    names = {"sample": "sample", "1000": "1,000 rows"}
    all_results: dict[str, dict] = {}
    wall = time.perf_counter()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS)
        try:
            print("floor:", flush=True)
            floor = bench_floor(browser, args.repeat, lambda m: print(m, flush=True))
            for dataset in args.datasets.split(","):
                print(f"{names[dataset.strip()]}:", flush=True)
                all_results[names[dataset.strip()]] = bench_dataset(browser, dataset.strip(), args.repeat,
                                                                    lambda m: print(m, flush=True))
                section = render(all_results, args.repeat, machine, commit, floor)
                write_results(args.out, section)  # after each registry: a long run stopped early keeps its results
        finally:
            browser.close()
    print(section)
    print(f"written to {args.out} in {time.perf_counter() - wall:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
