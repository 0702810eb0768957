"""Several processes writing at once, on SQLite and PostgreSQL: every write lands whole or is refused in plain words.

Each test starts real processes (multiprocessing, forkserver: each its own interpreter and connections, as two app
servers or a CLI next to the app would be) against one database. Where the order of events matters, the processes
wait for each other on events; nothing relies on a sleep being long enough, except a writer that holds its
transaction open on purpose. Every test is bounded in time: a process still running after TIMEOUT fails it.
"""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from core.domain.registry import Integration
from core.domain.registry_edit import RegistryChanges
from core.errors import DatabaseBusy, EditConflict, GovernanceError, SessionError
from core.storage.audit import list_history
from core.storage.db import create_db_engine
from core.storage.registry_store import (
    apply_registry_changes,
    load_integration_versions,
    load_integrations,
    registry_version,
    seed_sample_registry,
    write_integrations,
)
from core.storage.session_store import (
    add_item,
    create_session,
    delete_decision,
    delete_item,
    list_decisions,
    list_items,
    save_decision,
    update_item,
)
from core.storage.survivor_store import load_survivor_choices, save_survivor_choice
from tests.actors import editor
from tests.conftest import PROJECT_DIR

# A fresh interpreter per process (no connection of the test's own is shared), forked from a server that has
# imported this module once: a process starts in milliseconds instead of the seconds an import of core takes.
SPAWN = multiprocessing.get_context("forkserver")
SPAWN.set_forkserver_preload([__name__])
TIMEOUT = 90  # seconds, per test: far above what any of them takes
SHARED = Integration(id="INT-SHARED", name="Shared sync", source_system="Salesforce", target_system="Stripe",
                     data_objects=("Opportunity",), owner_team="Sales Ops", notes="as first imported")


def run_all(processes: list) -> None:
    for process in processes:
        process.start()
    run_all_started(processes)


def run_all_started(processes: list) -> None:
    """Wait for processes already started: each must end, and end well, within TIMEOUT."""
    deadline = time.monotonic() + TIMEOUT
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
    alive = [p for p in processes if p.is_alive()]
    for process in alive:
        process.kill()
    assert not alive, f"{len(alive)} process(es) still running after {TIMEOUT} s"
    assert [p.exitcode for p in processes] == [0] * len(processes)


def outcomes(queue, count: int) -> list:
    return [queue.get(timeout=TIMEOUT) for _ in range(count)]


# --------------------------------------------------------------------------- parallel merge imports

def merge_importer(url: str, number: int, imports: int, start, results) -> None:
    engine = create_db_engine(url, migrate=False)
    start.wait(TIMEOUT)
    for attempt in range(imports):
        own = Integration(id=f"INT-P{number}-{attempt}", name=f"Own sync {number}/{attempt}", source_system="HubSpot",
                          target_system="NetSuite", data_objects=("Invoice",), owner_team=f"Team {number}")
        try:
            counts = write_integrations(engine, [SHARED.with_changes(notes=f"p{number}-i{attempt}"), own], "merge",
                                        actor=editor(f"importer {number}"))
        except GovernanceError as error:  # a plain refusal would be reported, not lost
            results.put(("refused", str(error)))
        else:
            results.put(("written", counts))


def test_parallel_merge_imports_give_every_write_its_own_version_and_history(database_url):
    engine = create_db_engine(database_url)
    write_integrations(engine, [SHARED], "merge", actor=editor("setup"))
    processes, imports = 8, 5
    start, results = SPAWN.Event(), SPAWN.Queue()
    workers = [SPAWN.Process(target=merge_importer, args=(database_url, n, imports, start, results))
               for n in range(processes)]

    for worker in workers:
        worker.start()
    start.set()
    run_all_started(workers)
    answers = outcomes(results, processes * imports)

    assert [kind for kind, _ in answers] == ["written"] * (processes * imports)
    assert all(counts == {"inserted": 1, "updated": 1, "unchanged": 0, "deleted": 0} for _, counts in answers)
    assert load_integration_versions(engine)["INT-SHARED"] == 1 + processes * imports
    history = sorted(list_history(engine, entity_id="INT-SHARED", limit=None), key=lambda e: e.id)
    assert [e.action for e in history] == ["create"] + ["update"] * (processes * imports)
    # Each write's "before" is exactly the write before it: none was built on a value already replaced.
    notes = [history[0].after["notes"]] + [e.after["notes"] for e in history[1:]]
    assert [e.before["notes"] for e in history[1:]] == notes[:-1]
    assert sorted(notes[1:]) == sorted(f"p{n}-i{a}" for n in range(processes) for a in range(imports))
    assert registry_version(engine) == 1 + processes * imports


# --------------------------------------------------------------------------- the slowed-down lost update

def slow_importer(url: str, notes: str, go, inside, hold: float) -> None:
    """Import SHARED with these notes, holding the transaction open ``hold`` seconds once the rows are written."""
    engine = create_db_engine(url, migrate=False)
    go.wait(TIMEOUT)

    def progress(fraction: float, what: str) -> None:
        if what == "Saving":  # inside the transaction: rows written, not yet committed
            inside.set()
            time.sleep(hold)

    write_integrations(engine, [SHARED.with_changes(notes=notes)], "merge", actor=editor(f"import {notes}"),
                       progress=progress)


def test_an_edit_opened_between_two_imports_is_refused_not_saved_over_the_second(database_url):
    # Import A sets the notes; an editor opens the row; import B (started while A was still writing) writes its
    # own notes. The editor's save must now be refused: before, B built on the version A had replaced, wrote the
    # same version number, and the editor's save went through over B's notes.
    engine = create_db_engine(database_url)
    write_integrations(engine, [SHARED], "merge", actor=editor("setup"))
    go_a, in_a, go_b, in_b = (SPAWN.Event() for _ in range(4))
    import_a = SPAWN.Process(target=slow_importer, args=(database_url, "notes from A", go_a, in_a, 1.5))
    import_b = SPAWN.Process(target=slow_importer, args=(database_url, "notes from B", go_b, in_b, 2.0))
    import_a.start()
    import_b.start()

    go_a.set()
    assert in_a.wait(TIMEOUT)  # A is inside its transaction
    go_b.set()  # B starts now, while A holds the registry
    assert in_b.wait(TIMEOUT)  # B got the registry: A has committed, B has written and not committed
    seen = load_integration_versions(engine)  # the editor opens the table now
    opened = next(i for i in load_integrations(engine) if i.id == "INT-SHARED")
    run_all_started([import_a, import_b])

    with pytest.raises(EditConflict) as refused:
        apply_registry_changes(engine, RegistryChanges(changed=(opened.with_changes(notes="the editor's"),)), seen,
                               actor=editor("Editor"))

    assert "INT-SHARED was changed by import notes from B" in str(refused.value)
    assert opened.notes == "notes from A" and seen["INT-SHARED"] == 2
    stored = next(i for i in load_integrations(engine) if i.id == "INT-SHARED")
    assert (stored.notes, load_integration_versions(engine)["INT-SHARED"]) == ("notes from B", 3)
    updates = sorted(list_history(engine, entity_id="INT-SHARED", action="update"), key=lambda e: e.id)
    assert [(e.before["notes"], e.after["notes"]) for e in updates] == [
        ("as first imported", "notes from A"), ("notes from A", "notes from B")]


# --------------------------------------------------------------------------- the command line, many at once

def write_file(path: Path, ids: list[int]) -> Path:
    lines = ["id,name,source_system,target_system,data_objects,owner_team,notes"]
    lines += [f"INT-{n:04d},Sync {n},System {n % 7},System {n % 5},Object {n % 3},Team {n % 4},row {n}" for n in ids]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("files", ["the same file", "the same rows in reversed order"])
def test_parallel_cli_imports_all_succeed_without_a_database_message(database_url, tmp_path, files):
    create_db_engine(database_url).dispose()  # migrated once, so the imports race each other, not the migration
    forward = write_file(tmp_path / "forward.csv", list(range(300)))
    backward = write_file(tmp_path / "backward.csv", list(reversed(range(300))))
    paths = [forward if files == "the same file" or n % 2 == 0 else backward for n in range(4)]

    commands = [subprocess.Popen([sys.executable, "-m", "core", "--db", database_url, "import", str(path)],
                                 cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for path in paths]
    results = [command.communicate(timeout=TIMEOUT) for command in commands]

    assert [c.returncode for c in commands] == [0] * 4, [err for _, err in results]
    assert all(err == "" for _, err in results), [err for _, err in results]
    written = sorted(out.splitlines()[-1] for out, _ in results)
    assert written == ["Written (merge): 0 added, 0 updated, 300 unchanged, 0 removed."] * 3 + [
        "Written (merge): 300 added, 0 updated, 0 unchanged, 0 removed."]
    engine = create_db_engine(database_url)
    assert len(load_integrations(engine)) == 300
    assert len(list_history(engine, entity="integration", limit=None)) == 300
    # The rows did not change; a second source file naming them is new provenance, which memos date by version.
    assert registry_version(engine) == (1 if files == "the same file" else 2)


def add_the_same_id(url: str, start, results) -> None:
    from core.services.registry import add_integration

    engine = create_db_engine(url, migrate=False)
    start.wait(TIMEOUT)
    cells = {"id": "INT-NEW", "name": "New sync", "source_system": "HubSpot", "target_system": "Stripe",
             "data_objects": "Deal", "owner_team": "Sales Ops"}
    try:
        add_integration(engine, cells, actor=editor("browser"))
    except GovernanceError as error:
        results.put(("refused", type(error).__name__, str(error)))
    else:
        results.put(("added", "", ""))


def test_two_browsers_adding_the_same_id_get_one_row_and_one_plain_refusal(database_url):
    create_db_engine(database_url).dispose()
    start, results = SPAWN.Event(), SPAWN.Queue()
    workers = [SPAWN.Process(target=add_the_same_id, args=(database_url, start, results)) for _ in range(4)]
    for worker in workers:
        worker.start()
    start.set()
    run_all_started(workers)

    answers = sorted(outcomes(results, 4))

    assert answers == [("added", "", "")] + [
        ("refused", "GovernanceError", "An integration with id INT-NEW already exists. Choose another id.")] * 3


# --------------------------------------------------------------------------- survivor choices

def choose_survivor(url: str, members: list[str], chosen: str, rounds: int, barrier) -> None:
    engine = create_db_engine(url, migrate=False)
    for _ in range(rounds):
        barrier.wait(TIMEOUT)  # every process chooses at the same moment, each round
        save_survivor_choice(engine, members, chosen, actor=editor(f"chooser of {chosen}"))
        barrier.wait(TIMEOUT)


def test_simultaneous_survivor_choices_leave_exactly_one_kept_member(database_url):
    engine = create_db_engine(database_url)
    seed_sample_registry(engine)
    members = ["INT-001", "INT-002", "INT-003", "INT-004"]
    rounds = 10
    barrier = SPAWN.Barrier(len(members))

    run_all([SPAWN.Process(target=choose_survivor, args=(database_url, members, chosen, rounds, barrier))
             for chosen in members])

    kept = load_survivor_choices(engine) & set(members)
    assert len(kept) == 1
    # Every choice that replaced another says which one it replaced: the history follows one line of choices.
    choices = sorted(list_history(engine, entity="survivor_choice", limit=None), key=lambda e: e.id)
    assert len(choices) >= rounds
    assert [e.before["kept"] for e in choices[1:]] == [e.after["kept"] for e in choices[:-1]]


# --------------------------------------------------------------------------- ids never come back

def delete_and_add_again(url: str, session_id: int, decision_id: int, item_ids: list[int]) -> None:
    from core.domain.diagnostic import Decision, RaciEntry
    from core.domain.rubric import Verdict

    engine = create_db_engine(url, migrate=False)
    someone = editor("Someone else")
    delete_decision(engine, decision_id, actor=someone)
    save_decision(engine, session_id, Decision("integration", "INT-002", Verdict.RETIRE, "A new decision.",
                                               (RaciEntry("Bo", "A"),)), actor=someone)
    for item_id in item_ids:
        kind = next(i.kind for i in list_items(engine, session_id) if i.id == item_id)
        delete_item(engine, item_id, actor=someone)
        add_item(engine, session_id, kind, f"A new {kind}", actor=someone)


def test_a_stale_edit_of_a_deleted_decision_or_note_never_lands_on_a_new_one(database_url):
    from core.domain.diagnostic import Decision, RaciEntry
    from core.domain.rubric import Verdict

    engine = create_db_engine(database_url)
    seed_sample_registry(engine)
    ana = editor("Ana")
    session_id = create_session(engine, "Duplicates", "Ana", actor=ana)
    decision = Decision("integration", "INT-001", Verdict.MERGE, "Same data twice.", (RaciEntry("Ana", "A"),))
    decision_id = save_decision(engine, session_id, decision, actor=ana)
    item_ids = [add_item(engine, session_id, "assumption", "An assumption", actor=ana),
                add_item(engine, session_id, "question", "A question", actor=ana)]
    # Ana's page shows decision decision_id and both notes at version 1; someone else deletes them and adds new ones.
    run_all([SPAWN.Process(target=delete_and_add_again, args=(database_url, session_id, decision_id, item_ids))])

    with pytest.raises(SessionError, match=f"Decision {decision_id} does not exist in this session."):
        save_decision(engine, session_id, replace(decision, rationale="Stale edit."), decision_id, actor=ana,
                      expected_version=1)
    for item_id in item_ids:
        with pytest.raises(SessionError, match="This note no longer exists: someone deleted it."):
            update_item(engine, item_id, "Stale edit", actor=ana, expected_version=1)

    assert [d.decision.rationale for d in list_decisions(engine, session_id)] == ["A new decision."]
    assert sorted(i.text for i in list_items(engine, session_id)) == ["A new assumption", "A new question"]
    assert decision_id not in [d.id for d in list_decisions(engine, session_id)]
    assert not set(item_ids) & {i.id for i in list_items(engine, session_id)}


# --------------------------------------------------------------------------- the registry version

def edit_own_rows(url: str, number: int, edits: int, start) -> None:
    engine = create_db_engine(url, migrate=False)
    start.wait(TIMEOUT)
    mine = [i for i in load_integrations(engine) if i.id == f"INT-{number + 1:03d}"][0]
    for attempt in range(edits):
        versions = load_integration_versions(engine)
        apply_registry_changes(engine, RegistryChanges(changed=(mine.with_changes(notes=f"edit {attempt}"),)),
                               versions, actor=editor(f"editor {number}"))
        mine = mine.with_changes(notes=f"edit {attempt}")


def test_the_registry_version_counts_every_write_of_many_processes(database_url):
    engine = create_db_engine(database_url)
    seed_sample_registry(engine)
    before = registry_version(engine)
    processes, edits = 8, 10
    start = SPAWN.Event()
    workers = [SPAWN.Process(target=edit_own_rows, args=(database_url, n, edits, start)) for n in range(processes)]
    for worker in workers:
        worker.start()
    start.set()
    run_all_started(workers)

    assert registry_version(engine) == before + processes * edits


# --------------------------------------------------------------------------- waiting, and refusing in words

def hold_the_registry(url: str, inside, hold: float) -> None:
    engine = create_db_engine(url, migrate=False)

    def progress(fraction: float, what: str) -> None:
        if what == "Saving":
            inside.set()
            time.sleep(hold)

    write_integrations(engine, [SHARED.with_changes(notes="long import")], "merge", actor=editor("long import"),
                       progress=progress)


def test_a_write_behind_a_long_import_waits_for_it_instead_of_failing(database_url):
    # SQLite used to give up after 5 s ("database is locked"): an edit behind an import of 100,000 rows failed.
    engine = create_db_engine(database_url)
    write_integrations(engine, [SHARED], "merge", actor=editor("setup"))
    inside = SPAWN.Event()
    long_import = SPAWN.Process(target=hold_the_registry, args=(database_url, inside, 6.0))
    long_import.start()
    assert inside.wait(TIMEOUT)
    other = Integration(id="INT-OTHER", name="Other", source_system="A", target_system="B", data_objects=("X",),
                        owner_team="T")

    started = time.monotonic()
    counts = write_integrations(engine, [other], "merge", actor=editor("second"))
    waited = time.monotonic() - started
    run_all_started([long_import])

    assert counts["inserted"] == 1
    assert waited > 4.0  # it did wait for the import, past SQLite's old 5 s limit in all but scheduling noise
    assert {i.id for i in load_integrations(engine)} == {"INT-SHARED", "INT-OTHER"}


def test_a_write_that_cannot_wait_long_enough_is_refused_in_plain_words(database_url, monkeypatch):
    import core.storage.db as db
    import core.storage.transactions as transactions

    engine = create_db_engine(database_url)
    write_integrations(engine, [SHARED], "merge", actor=editor("setup"))
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 500)
    monkeypatch.setattr(transactions, "LOCK_WAIT_SECONDS", 1)
    impatient = create_db_engine(database_url)  # connections made now wait half a second (SQLite) or 1 s
    inside = SPAWN.Event()
    long_import = SPAWN.Process(target=hold_the_registry, args=(database_url, inside, 4.0))
    long_import.start()
    assert inside.wait(TIMEOUT)

    with pytest.raises(DatabaseBusy) as refused:
        write_integrations(impatient, [SHARED.with_changes(notes="impatient")], "merge", actor=editor("second"))
    run_all_started([long_import])

    assert str(refused.value) == ("Someone else is saving the registry right now (a large import can take a "
                                  "minute), so this change was not saved. Try again in a moment.")
    assert next(i for i in load_integrations(engine) if i.id == "INT-SHARED").notes == "long import"
