"""Viewers change nothing, whatever they call: every core write function checks the role itself.

To add a write function: add one line to WRITES (the role it needs and how to call it). A test below
fails when a function in core takes ``actor=`` and is missing here.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import core.services.overlaps
import core.services.registry
import core.storage.registry_store
import core.storage.scoring_store
import core.storage.session_store
import core.storage.settings_store
import core.storage.survivor_store
from core.domain.access import Actor, Role, RoleMapping
from core.domain.diagnostic import AgendaStep, Decision, Participant, RaciEntry
from core.domain.diagnostic import Role as MeetingRole
from core.domain.registry import Integration
from core.domain.registry_edit import RegistryChanges
from core.domain.rubric import ScoringContext, Verdict, score_integration
from core.errors import PermissionDenied
from core.services.analysis import load_analysis
from core.services.overlaps import add_alias, keep_in_cluster
from core.services.registry import (
    add_integration,
    check_registry_file,
    import_checked_file,
    import_registry_file,
    load_sample_registry,
    save_registry_edits,
)
from core.storage.defaults import load_default_settings, load_rubric
from core.storage.registry_store import (
    apply_registry_changes,
    load_integration_versions,
    load_integrations,
    seed_sample_registry,
    write_integrations,
)
from core.storage.scoring_store import save_scoring
from core.storage.session_store import (
    add_item,
    create_session,
    delete_decision,
    delete_item,
    list_decisions,
    list_items,
    save_agenda,
    save_decision,
    save_notes,
    set_participants,
    start_session,
    update_item,
)
from core.storage.settings_store import (
    change_alias_tables,
    reset_settings,
    save_alias_tables,
    save_role_mapping,
    save_rubric,
    save_settings,
)
from core.storage.survivor_store import save_survivor_choice
from tests.actors import ADMIN, VIEWER

NEW = Integration(id="INT-900", name="Deals to billing", source_system="HubSpot", target_system="Stripe",
                  data_objects=("Deal",), owner_team="Sales Ops", owner="Ana")
CSV = (b"id,name,source_system,target_system,data_objects,owner_team\n"
       b"INT-901,Quote sync,Salesforce,Stripe,Quote,Sales Ops\n")
DECISION = Decision("integration", "INT-001", Verdict.MERGE, "Same data twice.", (RaciEntry("Ana", "A"),))


@dataclass
class World:
    """A database with something of every kind in it, for the writes to aim at."""

    engine: Engine
    session_id: int
    item_id: int
    decision_id: int

    def first(self) -> Integration:
        return load_integrations(self.engine)[0]


def _cells(integration: Integration) -> dict:
    from core.services.registry import integration_cells

    return integration_cells(integration)


def _scoring(w: World, actor: Actor) -> None:
    rubric = load_rubric()
    result = score_integration(NEW, ScoringContext(), rubric, {})
    save_scoring(w.engine, NEW, result, rubric.weights, actor=actor)


# name -> (the least role that may call it, how to call it)
WRITES: dict[str, tuple[Role, Callable[[World, Actor], object]]] = {
    # registry
    "write_integrations": (Role.EDITOR, lambda w, a: write_integrations(w.engine, [NEW], "merge", actor=a)),
    "import_registry_file": (Role.EDITOR, lambda w, a: import_registry_file(w.engine, CSV, "merge", actor=a)),
    "apply_registry_changes": (Role.EDITOR, lambda w, a: apply_registry_changes(
        w.engine, RegistryChanges(changed=[w.first().with_changes(notes="edited")]),
        load_integration_versions(w.engine), actor=a)),
    "load_sample_registry": (Role.EDITOR, lambda w, a: load_sample_registry(w.engine, actor=a)),
    "save_survivor_choice": (Role.EDITOR, lambda w, a: save_survivor_choice(w.engine, ["INT-001", "INT-002"], "INT-002",
                                                                            actor=a)),
    "import_checked_file": (Role.EDITOR, lambda w, a: import_checked_file(w.engine, check_registry_file(CSV), actor=a)),
    "save_registry_edits": (Role.EDITOR, lambda w, a: save_registry_edits(
        w.engine, [w.first()], [{**_cells(w.first()), "notes": "edited"}], load_integration_versions(w.engine),
        actor=a)),
    "add_integration": (Role.EDITOR, lambda w, a: add_integration(w.engine, _cells(NEW), actor=a)),
    "keep_in_cluster": (Role.EDITOR, lambda w, a: keep_in_cluster(
        w.engine, (analysis := load_analysis(w.engine)), analysis.clusters[0].id, analysis.clusters[0].members[-1],
        actor=a)),
    "add_alias": (Role.ADMIN, lambda w, a: add_alias(w.engine, "system", "Salesforce CRM", "Salesforce", actor=a)),
    "change_alias_tables": (Role.ADMIN, lambda w, a: change_alias_tables(
        w.engine, lambda pairs: type(pairs)(systems=(*pairs.systems, ("SF", "Salesforce")), objects=pairs.objects),
        actor=a)),
    # settings
    "save_settings": (Role.ADMIN, lambda w, a: save_settings(
        w.engine, type(s := load_default_settings())(**(s.as_dict() | {"horizon_months": 24})), actor=a,
        expected_version=None)),
    "save_rubric": (Role.ADMIN, lambda w, a: save_rubric(w.engine, load_rubric().with_weights(overlap=9.0), actor=a,
                                                         expected_version=None)),
    "save_alias_tables": (Role.ADMIN, lambda w, a: save_alias_tables(w.engine, [("SFDC", "Salesforce")], [], actor=a,
                                                                     expected_version=None)),
    "reset_settings": (Role.ADMIN, lambda w, a: reset_settings(w.engine, actor=a)),
    "save_role_mapping": (Role.ADMIN, lambda w, a: save_role_mapping(
        w.engine, RoleMapping.from_lists(["vic@example.com"], []), actor=a, expected_version=None)),
    # diagnostic sessions
    "create_session": (Role.EDITOR, lambda w, a: create_session(w.engine, "Another", "Ana", actor=a)),
    "start_session": (Role.EDITOR, lambda w, a: start_session(w.engine, w.session_id, datetime.now(UTC),
                                                              actor=a, restart=True)),
    "save_agenda": (Role.EDITOR, lambda w, a: save_agenda(w.engine, w.session_id, [AgendaStep("Only", 10)], actor=a)),
    "save_notes": (Role.EDITOR, lambda w, a: save_notes(w.engine, w.session_id, "Changed notes", actor=a)),
    "set_participants": (Role.EDITOR, lambda w, a: set_participants(
        w.engine, w.session_id, [Participant("Vic", MeetingRole.OTHER)], actor=a)),
    "add_item": (Role.EDITOR, lambda w, a: add_item(w.engine, w.session_id, "question", "Who?", actor=a)),
    "update_item": (Role.EDITOR, lambda w, a: update_item(w.engine, w.item_id, "Changed text", actor=a)),
    "delete_item": (Role.EDITOR, lambda w, a: delete_item(w.engine, w.item_id, actor=a)),
    "save_decision": (Role.EDITOR, lambda w, a: save_decision(w.engine, w.session_id, DECISION, actor=a)),
    "delete_decision": (Role.EDITOR, lambda w, a: delete_decision(w.engine, w.decision_id, actor=a)),
    # scorings
    "save_scoring": (Role.EDITOR, _scoring),
}
# Every module that writes: the stores, and the services that write through them.
WRITE_MODULES = (core.storage.registry_store, core.storage.session_store, core.storage.scoring_store,
                 core.storage.settings_store, core.storage.survivor_store, core.services.registry,
                 core.services.overlaps)


@pytest.fixture
def world(engine) -> World:
    seed_sample_registry(engine)
    # One integration no longer as in the sample, so loading the sample changes something (else it writes nothing).
    write_integrations(engine, [load_integrations(engine)[0].with_changes(notes="Changed since the sample")],
                       actor=ADMIN)
    session_id = create_session(engine, "Billing duplicates", "Ana", actor=ADMIN)
    item_id = add_item(engine, session_id, "assumption", "Finance owns invoices", actor=ADMIN)
    decision_id = save_decision(engine, session_id, DECISION, actor=ADMIN)
    return World(engine, session_id, item_id, decision_id)


def snapshot(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every table (the audit log included)."""
    with engine.connect() as connection:
        return {table.name: [tuple(row) for row in connection.execute(
                    select(table).order_by(*(table.primary_key.columns or table.columns)))]
                for table in SQLModel.metadata.sorted_tables}


@pytest.mark.parametrize("name", list(WRITES))
def test_a_viewer_is_refused_and_the_database_is_unchanged(world, name):
    _, write = WRITES[name]
    before = snapshot(world.engine)

    with pytest.raises(PermissionDenied, match="Viewers can look but not change anything"):
        write(world, VIEWER)

    assert snapshot(world.engine) == before


@pytest.mark.parametrize("name", [n for n, (role, _) in WRITES.items() if role is Role.ADMIN])
def test_an_editor_cannot_change_settings_or_roles(world, name):
    _, write = WRITES[name]
    before = snapshot(world.engine)

    with pytest.raises(PermissionDenied, match="Only admins"):
        write(world, Actor("Eve", Role.EDITOR))

    assert snapshot(world.engine) == before


@pytest.mark.parametrize("name", list(WRITES))
def test_the_least_role_allowed_can_write(world, name):
    role, write = WRITES[name]
    before = snapshot(world.engine)

    write(world, Actor("Someone allowed", role))

    assert snapshot(world.engine) != before


def test_every_core_write_function_is_in_the_table():
    takes_actor = {
        name for module in WRITE_MODULES for name, function in inspect.getmembers(module, inspect.isfunction)
        if function.__module__ == module.__name__ and not name.startswith("_")
        and "actor" in inspect.signature(function).parameters
    }

    assert takes_actor == set(WRITES)


def test_the_writes_a_viewer_was_refused_left_the_items_in_place(world):
    for name in ("update_item", "delete_item", "delete_decision"):
        with pytest.raises(PermissionDenied):
            WRITES[name][1](world, VIEWER)

    assert [i.text for i in list_items(world.engine, world.session_id)] == ["Finance owns invoices"]
    assert [d.id for d in list_decisions(world.engine, world.session_id)] == [world.decision_id]
