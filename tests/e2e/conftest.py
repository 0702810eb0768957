"""A real server and a real browser: `streamlit run app.py` on a free port, driven by Debian's Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
ARTIFACTS = PROJECT_DIR / "test-artifacts"
# Debian's package, as the guide asks; another "chromium" on PATH (a downloaded build) only when it is absent.
CHROMIUM = ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists()
            else (shutil.which("chromium") or "/usr/bin/chromium"))
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _require_browser() -> None:
    if Path(CHROMIUM).exists():
        return
    message = "Debian chromium is not installed (apt-get install -y chromium)"
    if os.environ.get("REQUIRE_BROWSER"):
        pytest.fail(message + "; REQUIRE_BROWSER is set, so browser tests may not be skipped")
    pytest.skip(message)


@contextmanager
def running_server(folder: Path, script: str = "app.py"):
    """Start `streamlit run app.py` (or another ``script`` of the project) against a SQLite file in ``folder``; stop
    it afterwards."""
    database = folder / "e2e.sqlite3"
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true", "--server.port", str(port),
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().decode().strip() == "ok":
                    break
        except OSError:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("streamlit did not become healthy within 60 s:\n"
                    + process.stdout.read().decode(errors="replace")[-3000:])
    try:
        yield {"url": url, "database_url": env["DATABASE_URL"]}
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app served on a free port against its own temporary SQLite database (one per test module)."""
    _require_browser()
    with running_server(tmp_path_factory.mktemp("e2e")) as info:
        yield info


@pytest.fixture(scope="module")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


def wait_for_app(page, timeout: float = 60_000) -> None:
    """Wait until the page has rendered its title and the script finished running (never a fixed sleep).

    The script state is "notRunning" also before the first run starts, so the title comes first.
    """
    page.wait_for_selector("h1", timeout=timeout)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout)


def wait_until_drawn(page) -> None:
    """Widgets and charts load their code on first use: wait until those downloads are over and nothing is a
    placeholder any more (before a screenshot, or measuring what is on screen)."""
    page.wait_for_load_state("networkidle")
    page.locator("[data-testid='stSkeleton']").first.wait_for(state="detached", timeout=15_000) if page.locator(
        "[data-testid='stSkeleton']").count() else None


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    wait_until_drawn(page)
    page.screenshot(path=str(path), full_page=True)
    return path
