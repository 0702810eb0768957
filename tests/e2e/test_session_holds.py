"""A live meeting on a shared screen, in Chromium: every capture after a decision keeps the session on screen."""

from __future__ import annotations

import pytest

from core.domain.access import system_actor
from core.domain.diagnostic import Participant, Role
from core.storage.db import create_db_engine
from core.storage.registry_store import seed_sample_registry
from core.storage.session_store import (create_session, list_decisions, list_items, list_sessions, load_session,
    set_participants)
from tests.e2e.conftest import screenshot, wait_for_app
from tests.e2e.test_journeys import PATIENCE_MS, choose, poll

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser-session_holds")]
NAME = "Ana Lima"


def settle(page) -> None:
    """Wait until the rerun a capture started is over (the page shows 'running' while it runs)."""
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=PATIENCE_MS)


def session_on_screen(page, title: str) -> None:
    page.get_by_role("heading", name=title).wait_for(timeout=PATIENCE_MS)
    assert page.get_by_text("Resume a session above").count() == 0


def capture(page, kind: str, placeholder: str, heading: str, text: str) -> None:
    """Type a line into a list's add box and press Enter: wait until it is listed and the box is empty again."""
    section = page.locator(f".st-key-captured_{kind}")
    count = int(section.get_by_text(f"{heading} ·").first.inner_text().split("·")[1])
    box = section.get_by_placeholder(placeholder).last
    box.fill(text)
    box.press("Enter")
    section.get_by_text(f"{heading} · {count + 1}").first.wait_for(timeout=PATIENCE_MS)
    page.wait_for_function(  # the rerun is over: one add box (no stale copy), empty
        "sel => { const boxes = document.querySelectorAll(sel); return boxes.length === 1 && boxes[0].value === ''; }",
        arg=f".st-key-captured_{kind} input[placeholder='{placeholder}']", timeout=PATIENCE_MS)
    settle(page)


def icon_button_is_level_with(field) -> bool:
    """Whether the button in the innermost row of columns holding ``field`` sits on the field's line."""
    return field.evaluate("""field => {
      const row = field.closest("[data-testid='stHorizontalBlock']");
      const button = row.querySelector("button[kind='tertiary']").getBoundingClientRect();
      const box = field.getBoundingClientRect(), middle = button.top + button.height / 2;
      return box.top <= middle && middle <= box.bottom;
    }""")


def add_assumption(page, text: str) -> None:
    capture(page, "assumption", "Add an assumption and press Enter", "Assumptions", text)


def add_question(page, text: str) -> None:
    capture(page, "question", "Add an open question and press Enter", "Open questions", text)


def edit_notes(page, text: str) -> None:
    notes = page.get_by_role("textbox", name="Notes")
    notes.fill(text)
    page.get_by_role("heading", name="Captured").click()  # click outside: the notes save
    page.get_by_text("Notes saved.").first.wait_for(timeout=PATIENCE_MS)
    settle(page)


CAPTURES = {
    "assumption": lambda page, n: add_assumption(page, f"Finance owns the Stripe contract ({n})"),
    "notes": lambda page, n: edit_notes(page, f"Owen will check the Zapier invoices ({n})"),
    "question": lambda page, n: add_question(page, f"Who pays for the middleware seat ({n})?"),
}
ORDERS = [("assumption", "notes", "question"), ("notes", "question", "assumption"),
          ("question", "assumption", "notes")]


@pytest.mark.parametrize("order", ORDERS, ids=["-".join(o) for o in ORDERS])
def test_the_session_stays_on_screen_through_every_capture_after_a_decision(server, page, order, tmp_path):
    engine = create_db_engine(server["database_url"])
    seed_sample_registry(engine)
    title = f"Quote sync {'-'.join(order)}"
    page.set_viewport_size({"width": 1920, "height": 1080})  # the projector
    page.goto(f"{server['url']}/session?who={NAME.replace(' ', '+')}")
    wait_for_app(page)

    page.get_by_role("textbox", name="New session title").fill(title)
    page.get_by_role("textbox", name="Facilitator").fill(NAME)
    page.get_by_role("button", name="Create session").click()
    session_on_screen(page, title)
    session_id = next(s.id for s in list_sessions(engine) if s.title == title)
    set_participants(engine, session_id, [Participant(NAME, Role.REVOPS), Participant("Zoë Müller", Role.FINANCE)],
                     actor=system_actor(NAME))
    page.reload()
    wait_for_app(page)
    session_on_screen(page, title)

    # Each click waits for the page to settle first, as a facilitator waits to see the last click take.
    page.get_by_role("button", name="Start session").click()
    page.get_by_role("button", name="Pause").wait_for(timeout=PATIENCE_MS)
    settle(page)
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Resume").wait_for(timeout=PATIENCE_MS)
    page.get_by_text("Paused").first.wait_for(timeout=PATIENCE_MS)
    settle(page)
    page.get_by_role("button", name="Next step").click()
    page.get_by_text("step 2 of").first.wait_for(timeout=PATIENCE_MS)
    settle(page)
    page.get_by_role("button", name="Resume").click()
    page.get_by_role("button", name="Pause").wait_for(timeout=PATIENCE_MS)
    settle(page)
    screenshot(page, f"session-mid-meeting-{'-'.join(order)}")

    form = page.locator("[data-testid='stForm']").first
    selects = form.locator("[data-testid='stSelectbox']")
    choose(page, selects.filter(has_text="Integration"), "INT-019")
    choose(page, selects.filter(has_text="Verdict"), "Merge")
    form.get_by_role("textbox", name="Rationale").fill("Same Opportunity sync as INT-015.")
    choose(page, selects.filter(has_text="Accountable"), "Zoë Müller")
    form.get_by_role("button", name="Record decision").click()
    page.get_by_text("Decisions · 1").wait_for(timeout=PATIENCE_MS)
    settle(page)

    for number, capture in enumerate(order, start=1):
        CAPTURES[capture](page, number)
        session_on_screen(page, title)
    screenshot(page, f"session-holds-{'-'.join(order)}")
    # Icon buttons stay beside what they act on (a layout rule for narrow screens once pushed them onto a line of
    # their own): the add button level with its box, an item's delete button level with the item.
    inputs = page.locator("[data-testid='stMain'] input")
    item = inputs.evaluate_all("boxes => boxes.findIndex(b => b.value.startsWith('Finance owns the Stripe contract'))")
    for box in (page.get_by_placeholder("Add an assumption and press Enter"),
                page.get_by_placeholder("Add an open question and press Enter"), inputs.nth(item)):
        assert icon_button_is_level_with(box)

    assert poll(lambda: len(list_items(engine, session_id)) == 2)
    assert [d.updated_by for d in list_decisions(engine, session_id)] == [NAME]
    assert {i.updated_by for i in list_items(engine, session_id)} == {NAME}

    page.reload()
    wait_for_app(page)
    session_on_screen(page, title)
    # The sidebar's box is filled from the address on the first run after the refresh; under load that run can
    # land a moment after the page looks idle, so wait for it (bounded) rather than read it once.
    name_box = page.locator("[data-testid='stSidebar']").get_by_role("textbox", name="Your name")
    assert poll(lambda: name_box.input_value() == NAME, seconds=15), name_box.input_value()
    assert f"session={session_id}" in page.url and "who=Ana+Lima" in page.url

    page.get_by_role("button", name="Prepare the memo (PDF and Markdown)").click()
    button = page.get_by_role("button", name="Export memo (Markdown, for a wiki)")
    with page.expect_download(timeout=PATIENCE_MS) as download:
        button.click()
    path = tmp_path / "memo.md"
    download.value.save_as(path)
    memo = path.read_text(encoding="utf-8")
    assert "Finance owns the Stripe contract" in memo
    assert "Owen will check the Zapier invoices" in memo
    assert "Who pays for the middleware seat" in memo


@pytest.mark.parametrize(("width", "height", "projector"), [(1920, 1080, False), (1280, 720, True)])
def test_people_and_a_45_minute_agenda_are_set_up_in_plain_fields(server, page, width, height, projector):
    engine = create_db_engine(server["database_url"])
    seed_sample_registry(engine)
    title = f"Set-up in plain fields at {width}" + (" on a projector" if projector else "")
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{server['url']}/session?who=Ana+Lima" + ("&projector=1" if projector else ""))
    wait_for_app(page)
    page.get_by_role("textbox", name="New session title").fill(title)
    page.get_by_role("button", name="Create session").click()
    session_on_screen(page, title)
    session_id = next(s.id for s in list_sessions(engine) if s.title == title)

    settle(page)
    add_person = page.get_by_role("textbox", name="Add a person")
    if not add_person.is_visible():
        page.get_by_text("Participants · 0").first.click()
    add_person.wait_for(timeout=PATIENCE_MS)
    for name in ["Ana Lima", "Bo Berg"]:  # roles are picked beside each name (AppTest covers choosing them)
        add_person.fill(name)
        add_person.press("Enter")
        page.get_by_text(f"{name} · Other").first.wait_for(timeout=PATIENCE_MS)
        settle(page)
    page.get_by_text("Agenda · 5 steps").click()
    page.get_by_role("button", name="45 min").click()
    page.get_by_text("Agenda · 5 steps · 45 min").wait_for(timeout=PATIENCE_MS)
    settle(page)
    screenshot(page, f"session-setup-fields-{width}" + ("-projector" if projector else ""))
    assert page.get_by_text("were not saved").count() == 0  # nothing refused on the way
    # Each remove button stays on its person's or step's line, not dropped under it.
    for field in [page.get_by_role("textbox", name="Name", exact=True).nth(n) for n in range(2)] + \
            [page.get_by_role("textbox", name="Step", exact=True).nth(n) for n in range(5)]:
        assert icon_button_is_level_with(field)

    saved = poll(lambda: (lambda s: s if len(s.participants) == 2 else None)(load_session(engine, session_id)))
    assert [(p.name, p.role.label) for p in saved.participants] == [("Ana Lima", "Other"), ("Bo Berg", "Other")]
    assert sum(s.minutes for s in saved.agenda) == 45
    assert page.get_by_text("Not at the table yet: RevOps, Engineering, Finance, Product owner").count() == 1


def test_a_cluster_decision_is_picked_by_its_route_and_shows_its_recommendation(server, page):
    engine = create_db_engine(server["database_url"])
    seed_sample_registry(engine)
    actor = system_actor(NAME)
    session_id = create_session(engine, "Opportunity to Stripe", NAME, actor=actor)
    set_participants(engine, session_id, [Participant(NAME, Role.REVOPS)], actor=actor)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{server['url']}/session?session={session_id}&who=Ana+Lima")
    wait_for_app(page)

    form = page.locator("[data-testid='stForm']").first
    page.get_by_text("A cluster of duplicates").first.click()
    settle(page)
    selects = form.locator("[data-testid='stSelectbox']")
    choose(page, selects.filter(has_text="Cluster"), "Salesforce → Stripe")
    choose(page, selects.filter(has_text="Verdict"), "Centralize")
    form.get_by_role("textbox", name="Rationale").fill("Four teams sync Opportunity to Stripe.")
    choose(page, selects.filter(has_text="Accountable"), NAME)
    form.get_by_role("button", name="Record decision").click()
    page.get_by_text("Decisions · 1").wait_for(timeout=PATIENCE_MS)
    page.get_by_text("Recommended: Centralize.").first.wait_for(timeout=PATIENCE_MS)
    screenshot(page, "session-cluster-decision")

    [record] = poll(lambda: list_decisions(engine, session_id))
    assert (record.decision.subject_kind, record.decision.subject_id) == ("cluster", "CL-INT-015")
    assert page.get_by_text("Salesforce → Stripe · Account, Opportunity, Subscription (INT-015").count() >= 1


COUNT_RUNS = """() => {
  window.__runs = 0;
  const app = document.querySelector("[data-testid='stApp']");
  new MutationObserver(() => { if (app.getAttribute('data-test-script-state') === 'running') window.__runs++; })
    .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""


def runs_in(page, seconds: float) -> int:
    """How many times the page ran (any part of it) in the next ``seconds``, nobody touching it."""
    page.evaluate(COUNT_RUNS)
    page.wait_for_timeout(seconds * 1000)
    return page.evaluate("window.__runs")


def test_the_page_rests_until_the_clock_runs_then_ticks_every_second(server, page):
    engine = create_db_engine(server["database_url"])
    seed_sample_registry(engine)
    session_id = create_session(engine, "Resting clock", NAME, actor=system_actor(NAME))
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{server['url']}/session?session={session_id}&who=Ana+Lima")
    wait_for_app(page)
    session_on_screen(page, "Resting clock")
    settle(page)

    # Not started: nothing moves, so nothing reruns while the room talks (at most one 10-second look).
    assert runs_in(page, 4) <= 1

    page.get_by_role("button", name="Start session").click()
    page.get_by_role("button", name="Pause").wait_for(timeout=PATIENCE_MS)
    settle(page)
    assert runs_in(page, 4) >= 2  # running: the clocks tick

    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Resume").wait_for(timeout=PATIENCE_MS)
    settle(page)
    assert runs_in(page, 4) <= 1  # paused: resting again
