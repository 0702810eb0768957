"""In Chromium: projector mode on every page, places kept in the URL, "See cluster" links and the way back."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest

from tests.e2e.conftest import screenshot, wait_for_app

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser-projector_and_places")]

PAGES = ["", "overlaps", "tco", "registry", "history", "score", "session", "settings"]

# The computed size of body text, how dark captions are (0 black … 255 white), and every select or caption whose
# text is cut off (wider than its box, with an ellipsis or hidden overflow).
MEASURE = """() => {
  const px = (el) => parseFloat(getComputedStyle(el).fontSize);
  const body = [...document.querySelectorAll("[data-testid='stMain'] [data-testid='stMarkdownContainer'] p")]
    .filter((p) => p.offsetParent !== null && !p.closest("[data-testid='stCaptionContainer']"));
  const captions = [...document.querySelectorAll("[data-testid='stMain'] [data-testid='stCaptionContainer']")];
  const grey = (el) => {
    const [r, g, b] = getComputedStyle(el).color.match(/\\d+/g).map(Number);
    return Math.max(r, g, b);
  };
  const selects = [...document.querySelectorAll("[data-testid='stMain'] [data-testid='stSelectbox'] input")];
  return {
    smallestBody: Math.min(...body.map(px)),
    lightestCaption: captions.length ? Math.max(...captions.map(grey)) : 0,
    cutSelects: selects.filter((el) => el.scrollWidth > el.clientWidth + 1).map((el) => el.value),
    selects: selects.length,
    dataframes: document.querySelectorAll("[data-testid='stMain'] [data-testid='stDataFrame']").length,
  };
}"""


def _open(page, url: str) -> None:
    page.goto(url)
    wait_for_app(page)


@pytest.mark.parametrize("viewport", [(1920, 1080), (1280, 720)], ids=["1920x1080", "1280x720"])
def test_projector_mode_is_large_dark_and_cuts_nothing_off_on_every_page(server, browser, viewport):
    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda request: outside.append(request.url)
            if urlparse(request.url).hostname not in ("127.0.0.1", None) and not request.url.startswith("data:")
            else None)
    found = {}
    for path in PAGES:
        _open(page, f"{server['url']}/{path}?projector=1")
        page.locator(".js-plotly-plot").first.wait_for(timeout=60_000) if path in ("", "overlaps", "tco") else None
        if width == 1920:  # the screenshots looked at; 1280x720 is measured only
            screenshot(page, f"projector-{path or 'overview'}")
        found[path or "overview"] = page.evaluate(MEASURE)
    context.close()

    assert {name: m["smallestBody"] for name, m in found.items() if m["smallestBody"] < 18} == {}
    assert {name: m["lightestCaption"] for name, m in found.items() if m["lightestCaption"] > 80} == {}
    assert {name: m["cutSelects"] for name, m in found.items() if m["cutSelects"]} == {}
    assert found["score"]["selects"] and found["tco"]["selects"]  # the check above looked at real selects
    # Read-only tables are drawn as wrapped HTML, not the scrolling grid that cut names off ("Owen Gallaghe"); the
    # grids left are the editable ones (the registry, the settings' tables).
    assert {name for name, m in found.items() if m["dataframes"]} <= {"registry", "settings"}
    assert outside == []  # offline-safe: the favicon and fonts come from the app itself


def test_projector_mode_is_remembered_across_pages_and_a_refresh(server, page):
    _open(page, f"{server['url']}/")
    root = "() => getComputedStyle(document.documentElement).fontSize"
    assert page.evaluate(root) == "16px"

    page.locator("[data-testid='stSidebar']").get_by_text("Projector mode").click(no_wait_after=True)
    page.wait_for_function(f"() => ({root})() === '18px'", timeout=120_000)
    page.locator("[data-testid='stSidebarNav'] a").filter(has_text="Overlaps").click()
    page.get_by_role("heading", name="Overlaps", level=1).wait_for()
    wait_for_app(page)
    assert page.evaluate(root) == "18px"
    assert "projector=1" in page.url

    page.reload()
    wait_for_app(page)
    assert page.evaluate(root) == "18px"


def test_a_refresh_keeps_scores_integration_and_weights(server, page):
    _open(page, f"{server['url']}/score?integration=INT-033")
    overlap_weight = "input[type='range'][aria-label='Weight of Overlap with existing integrations']"
    slider = page.locator(overlap_weight)
    before = slider.get_attribute("aria-valuetext")
    slider.focus()
    slider.press("ArrowLeft")
    # The address is replaced in place (not a navigation) when the run ends.
    page.wait_for_function("() => location.search.includes('w_overlap=')", timeout=120_000)
    changed = slider.get_attribute("aria-valuetext")
    assert changed != before

    page.reload()
    wait_for_app(page)
    assert page.locator("[data-testid='stSelectbox'] input").first.input_value().startswith("INT-033")
    assert page.locator(overlap_weight).get_attribute("aria-valuetext") == changed


def test_see_cluster_lands_on_the_cluster_and_leads_back(server, page):
    _open(page, f"{server['url']}/tco")
    link = page.get_by_role("link").filter(has_text="its members, evidence and who is involved")
    link.wait_for(timeout=120_000)
    cluster = re.search(r"(CL\W*INT\W*\d+)", link.inner_text()).group(1)
    cluster = re.sub(r"[^\w-]", "", cluster)  # without the marks that keep Markdown from reading the id
    link.click()
    page.get_by_role("heading", name="Overlaps", level=1).wait_for()
    wait_for_app(page)

    opened = page.locator("[data-testid='stExpander'] details[open] summary").filter(has_text=cluster)
    opened.wait_for()
    page.wait_for_function("(el) => { const r = el.getBoundingClientRect(); return r.top >= 0 && "
                           "r.top < window.innerHeight / 2; }", arg=opened.element_handle())
    screenshot(page, "overlaps-deep-link")

    page.get_by_role("link", name="Back to TCO snapshot").click()
    page.get_by_role("heading", name="TCO snapshot", level=1).wait_for()
