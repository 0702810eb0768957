"""Hostile names on every page, in Chromium: user text never becomes an image, a link, mathematics or markup.

The registry, a diagnostic session and the history are filled with names written to attack the page: Markdown
images and links, LaTeX, Streamlit colour and icon directives, HTML in system and team names (which Plotly
would draw as links and styles), bare URLs, "www." and e-mail addresses (which GitHub-flavoured Markdown
links by itself). Every page is opened, and everything the browser does is checked: no request leaves for the
payloads' host, no <img> or link points there, nothing is typeset by KaTeX, and the payloads are shown as
typed.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from core.domain.access import Actor, Role
from core.domain.diagnostic import Decision, Participant, RaciEntry
from core.domain.diagnostic import Role as MeetingRole
from core.domain.registry import Integration
from core.domain.rubric import Verdict
from core.storage.db import create_db_engine
from core.storage.registry_store import write_integrations
from core.storage.session_store import add_item, create_session, save_decision, set_participants
from core.storage.survivor_store import save_survivor_choice
from core.wording import WORD_JOINER
from tests.e2e.conftest import running_server, screenshot, wait_for_app

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser-hostile_names")]

HOST = "evil.test"
KEEP_ID = f"![k](http://{HOST}/keep.png)"
TWIN_ID = ":red[INT-2] :material/home:"
NAME = f"![n](http://{HOST}/name.png) $x^2$ www.{HOST}"
SOURCE = f'<a href="http://{HOST}/a">Evil CRM</a>'
TARGET = '<span style="color:red">Red ERP</span>'
TEAM = f":red[Ops] <img src=http://{HOST}/team.png> ana@{HOST}"
OWNER = f"[owner](http://{HOST}/owner) http://{HOST}/bare"
ACTOR = Actor(f"![a](http://{HOST}/actor.png) $a$", Role.ADMIN)
SESSION_TITLE = f"$$E=mc^2$$ ![t](http://{HOST}/title.png)"
PAGES = ["", "overlaps", "tco", "registry", "history", "score", "session?session=1", "decisions", "settings"]


def fill(url: str) -> None:
    """Two integrations doing the same job (a cluster), a survivor choice, and a session full of payloads."""
    engine = create_db_engine(url)
    common = dict(source_system=SOURCE, target_system=TARGET, data_objects=("$y$", "Invoice"), owner_team=TEAM,
                  owner=OWNER, notes="# heading\n$$\\int x$$")
    write_integrations(engine, [Integration(id=KEEP_ID, name=NAME, **common),
                                Integration(id=TWIN_ID, name=f"Twin of {NAME}", **common)], "replace", actor=ACTOR)
    save_survivor_choice(engine, [KEEP_ID, TWIN_ID], KEEP_ID, actor=ACTOR)
    session_id = create_session(engine, SESSION_TITLE, f":red[Facilitator] {OWNER}", actor=ACTOR)
    set_participants(engine, session_id, [Participant(f"[P](http://{HOST}/p)", MeetingRole.REVOPS),
                                          Participant(f"www.{HOST}", MeetingRole.FINANCE)], actor=ACTOR)
    add_item(engine, session_id, "assumption", f"www.{HOST} $z$ :blue[note]", actor=ACTOR)
    add_item(engine, session_id, "question", f"<img src=http://{HOST}/q.png> ![q](http://{HOST}/q2.png)",
             actor=ACTOR)
    save_decision(engine, session_id, Decision(
        "integration", KEEP_ID, Verdict.MERGE, f"![r](http://{HOST}/r.png) $r$ **bold**",
        (RaciEntry(f"[P](http://{HOST}/p)", "A"), RaciEntry(f"www.{HOST}", "R")),
        next_step=f":red[next] http://{HOST}/next"), actor=ACTOR)
    save_decision(engine, session_id, Decision(
        "cluster", f"CL-{KEEP_ID}", Verdict.MERGE, "Same job twice.", (RaciEntry("Ana", "A"),)), actor=ACTOR)
    engine.dispose()


# Every link, image or form target that leaves for the payloads' host (or opens a mail program). The app's own
# links may carry a hostile id as a parameter (?cluster=CL-...): they stay on the app's host.
HOSTILE_ATTRIBUTES = """host => [...document.querySelectorAll('*')].flatMap(element =>
    ['href', 'xlink:href', 'src', 'srcset', 'action', 'formaction'].map(name => element.getAttribute(name) || '')
        .filter(value => value.trim().toLowerCase().startsWith('mailto:')
                         || new URL(value.split(' ')[0], location.href).host.includes(host))
        .map(value => `${element.tagName} ${value} in ${element.parentElement.outerHTML.slice(0, 300)}`))"""


@pytest.mark.parametrize("projector", [False, True], ids=["desk", "projector"])
def test_hostile_names_are_shown_as_typed_on_every_page(tmp_path, browser, projector):
    fill(f"sqlite:///{tmp_path / 'e2e.sqlite3'}")
    requests: list[str] = []
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    context.route(re.compile(re.escape(HOST)), lambda route: (requests.append(route.request.url), route.abort()))
    page = context.new_page()
    page.on("request", lambda request: requests.append(request.url) if HOST in request.url else None)
    findings: dict[str, list] = {}
    texts: dict[str, str] = {}

    with running_server(tmp_path) as server:
        for path in PAGES:
            page.goto(f"{server['url']}/{path}" + (("&" if "?" in path else "?") + "projector=1" if projector else ""))
            wait_for_app(page)
            if path == "history":
                open_the_newest_change(page)
            if path == "":
                page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
            name = path.split("?")[0] or "overview"
            screenshot(page, f"hostile-{name}" + ("-projector" if projector else ""))
            findings[name] = [
                *page.evaluate(HOSTILE_ATTRIBUTES, HOST),
                *[f"KaTeX: {t}" for t in page.locator(".katex").all_inner_texts()],
                # No icon this app uses is called "home": one drawn came from ":material/home:" in a name.
                *[f"icon: {t}" for t in page.locator("[data-testid='stIconMaterial']").all_inner_texts()
                  if t.strip() == "home"],
                *[f"exception: {t}" for t in page.locator("[data-testid='stException']").all_inner_texts()],
            ]
            texts[name] = visible(page.locator("[data-testid='stMain']").inner_text() + " ".join(
                page.locator(".js-plotly-plot .main-svg").all_text_contents()))
    context.close()

    assert {name: found for name, found in findings.items() if found} == {}
    assert requests == []
    # The payloads are there, shown as typed (the checks above did not pass because nothing was drawn).
    assert f"{SOURCE} → {TARGET}" in texts["overview"]  # a Plotly label
    assert all(typed in texts["overlaps"] for typed in (f"Keep {KEEP_ID}", "$x^2$", f"www.{HOST}"))
    assert SESSION_TITLE in texts["session"] and "$r$ **bold**" in texts["session"]
    assert ":red[Facilitator]" in texts["session"] and f":red[next] http://{HOST}/next" in texts["session"]
    if projector:  # the tables are HTML there, their cells Markdown: the registry's and the decisions' as typed
        assert all(typed in texts["registry"] for typed in (KEEP_ID, TWIN_ID, NAME, f"{SOURCE} → {TARGET}"))
        assert f"[P](http://{HOST}/p)" in texts["decisions"]


def visible(text: str) -> str:
    """Text as a reader sees it: without the invisible word joiners that keep user text out of links."""
    return text.replace(WORD_JOINER, "")


def open_the_newest_change(page) -> None:
    """Open "Compare before and after of" on the newest change: its expander label is the change's summary.

    On a loaded machine the menu can miss the first click, so it is tried again (bounded).
    """
    box = page.get_by_role("combobox").last
    for _attempt in range(3):
        box.click()
        try:
            page.get_by_role("option").first.click(timeout=15_000)
            break
        except PlaywrightTimeout:
            box.press("Escape")
    else:
        raise AssertionError("The history's change picker did not open in 3 attempts")
    page.get_by_text("Before and after ·").first.wait_for(timeout=30_000)
    wait_for_app(page)
