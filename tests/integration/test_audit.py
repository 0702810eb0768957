"""The audit trail on SQLite and PostgreSQL: every write leaves exactly its entries, a failed write leaves none."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from enum import Enum

import pytest
from sqlalchemy import event, func, select, update
from sqlmodel import Session

from core.domain.access import Actor, Role
from core.domain.diagnostic import AgendaStep, Decision, Participant, RaciEntry
from core.domain.diagnostic import Role as MeetingRole
from core.domain.registry import Integration
from core.domain.registry_edit import RegistryChanges
from core.domain.rubric import ScoringContext, Verdict, score_integration
from core.errors import EditConflict, GovernanceError, ScoringError, SessionError
from core.services.registry import import_registry_file
from core.storage.audit import history_csv, jsonable, list_history
from core.storage.defaults import load_default_settings, load_rubric
from core.storage.registry_store import (
    apply_registry_changes,
    load_integration_versions,
    load_integrations,
    registry_version,
)
from core.storage.scoring_store import save_scoring
from core.storage.session_store import (
    add_item,
    create_session,
    delete_decision,
    delete_item,
    save_agenda,
    save_decision,
    save_notes,
    set_participants,
    start_session,
    update_item,
)
from core.storage.settings_store import reset_settings, save_settings, setting_version
from core.storage.survivor_store import save_survivor_choice
from core.storage.tables import AuditEntry
from tests.actors import ADMIN, EDITOR

HEADER = "id,name,source_system,target_system,data_objects,owner_team,owner,build_hours"
ORIGINAL = f"""{HEADER}
INT-1,Opp sync,Salesforce,Stripe,Opportunity,Sales Ops,Zoë Müller,10-20
INT-2,Invoice sync,Stripe,NetSuite,Invoice,Finance,,2/3/5
""".encode()
MERGE = f"""{HEADER}
INT-2,Invoice sync v2,Stripe,NetSuite,Invoice,Finance,José Álvarez,2/3/5
INT-3,Ticket sync,Zendesk,Jira,Ticket,Customer Success,,
""".encode()
DECISION = Decision("integration", "INT-1", Verdict.MERGE, "Both move Opportunity to Stripe.",
                    (RaciEntry("Ana", "A"), RaciEntry("Bo", "R")), date(2026, 3, 15), "Draft the merge plan")


def entries(engine, **filters):
    return [(e.entity, e.action, e.entity_id) for e in reversed(list_history(engine, limit=None, **filters))]


def audit_count(engine) -> int:
    with Session(engine) as session:
        return session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()


@pytest.fixture
def registry(engine):
    import_registry_file(engine, ORIGINAL, "replace", actor=EDITOR)
    return engine


# ---------------------------------------------------------------- integrations

def test_an_import_records_one_entry_per_added_changed_and_removed_integration(engine):
    import_registry_file(engine, ORIGINAL, "replace", actor=EDITOR)
    import_registry_file(engine, MERGE, "merge", actor=EDITOR)
    import_registry_file(engine, MERGE, "replace", actor=ADMIN)

    assert entries(engine) == [
        ("integration", "create", "INT-1"), ("integration", "create", "INT-2"),
        ("integration", "update", "INT-2"), ("integration", "create", "INT-3"),
        ("integration", "delete", "INT-1"),
    ]
    changed = list_history(engine, entity_id="INT-2", action="update")[-1]
    assert (changed.actor, changed.actor_role) == ("Eve Editor", "editor")
    assert changed.before == {"name": "Invoice sync", "owner": ""}
    assert changed.after == {"name": "Invoice sync v2", "owner": "José Álvarez"}
    assert changed.summary == "Changed INT-2 (Invoice sync v2) by a merge import: name, owner."
    removed = list_history(engine, action="delete")[0]
    assert (removed.before["name"], removed.before["build_hours"], removed.after) == ("Opp sync", "10-20", None)
    assert removed.actor == "Ana Admin"


@pytest.mark.parametrize("mode", ["merge", "replace"])
def test_an_identical_reimport_records_nothing_and_keeps_the_registry_version(registry, mode):
    before = (audit_count(registry), registry_version(registry), load_integration_versions(registry))

    _, counts = import_registry_file(registry, ORIGINAL, mode, actor=EDITOR)

    assert counts == {"inserted": 0, "updated": 0, "unchanged": 2, "deleted": 0}
    assert (audit_count(registry), registry_version(registry), load_integration_versions(registry)) == before


def test_an_edit_that_changes_nothing_writes_nothing(registry):
    before = (audit_count(registry), registry_version(registry), load_integration_versions(registry))
    stored = load_integrations(registry)[0]

    written = apply_registry_changes(registry, RegistryChanges(changed=(stored,)), before[2], actor=EDITOR)

    assert written.is_empty
    assert (audit_count(registry), registry_version(registry), load_integration_versions(registry)) == before


def test_a_reimport_that_changes_only_an_extra_column_records_that_change(engine):
    with_column = ORIGINAL.replace(b"build_hours\n", b"build_hours,Jira epic\n", 1)
    import_registry_file(engine, with_column, "replace", actor=EDITOR)

    import_registry_file(engine, with_column.replace(b"10-20\n", b"10-20,REV-12\n"), "merge", actor=EDITOR)

    changed = list_history(engine, entity_id="INT-1", limit=1)[0]
    assert (changed.action, changed.before, changed.after) == (
        "update", {"extra": None}, {"extra": {"Jira epic": "REV-12"}})
    assert changed.summary.endswith("by a merge import: extra.")
    assert [i.extra for i in load_integrations(engine)] == [{"Jira epic": "REV-12"}, {}]


def test_edits_additions_and_deletions_are_recorded_with_before_and_after(registry):
    versions = load_integration_versions(registry)
    first = load_integrations(registry)[0]
    new = Integration(id="INT-9", name="Quote sync", source_system="Salesforce", target_system="Stripe",
                      data_objects=("Quote",), owner_team="Sales Ops")

    apply_registry_changes(registry, RegistryChanges(changed=[first.with_changes(notes="=cmd", owner="Bo")],
                                                     deleted_ids=["INT-2"], added=[new]), versions,
                           actor=Actor("Bo", Role.EDITOR))

    history = {e.entity_id: e for e in list_history(registry, actor="bo")}
    assert (history["INT-1"].action, history["INT-1"].before, history["INT-1"].after) == (
        "update", {"owner": "Zoë Müller", "notes": ""}, {"owner": "Bo", "notes": "=cmd"})
    assert (history["INT-2"].action, history["INT-2"].after, history["INT-2"].before["name"]) == (
        "delete", None, "Invoice sync")
    assert (history["INT-9"].action, history["INT-9"].before, history["INT-9"].after["data_objects"]) == (
        "create", None, "Quote")
    assert history["INT-9"].summary == "Added INT-9 (Quote sync)."


# ---------------------------------------------------------------- failed writes leave no entry

def test_a_refused_edit_leaves_no_entry(registry):
    versions = load_integration_versions(registry)
    first = load_integrations(registry)[0]
    apply_registry_changes(registry, RegistryChanges(changed=[first.with_changes(name="Ana's")]), versions, actor=ADMIN)
    before = audit_count(registry)

    with pytest.raises(EditConflict, match="INT-1 was changed by Ana Admin at"):
        apply_registry_changes(registry, RegistryChanges(changed=[first.with_changes(name="Bo's")],
                                                         added=[first.with_changes(id="INT-7")]),
                               versions, actor=EDITOR)
    with pytest.raises(GovernanceError, match="already exists"):
        apply_registry_changes(registry, RegistryChanges(added=[first]), versions, actor=EDITOR)

    assert audit_count(registry) == before
    assert "INT-7" not in load_integration_versions(registry)


def test_a_failing_history_insert_rolls_back_the_change_too(registry):
    before = (load_integrations(registry), audit_count(registry))

    def fail_audit_insert(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO AUDIT_LOG"):
            raise RuntimeError("injected failure writing the history")

    event.listen(registry, "before_cursor_execute", fail_audit_insert)
    try:
        with pytest.raises(RuntimeError, match="injected"):
            import_registry_file(registry, MERGE, "replace", actor=EDITOR)
        with pytest.raises(RuntimeError, match="injected"):
            save_settings(registry, load_default_settings(), actor=ADMIN, expected_version=None)
    finally:
        event.remove(registry, "before_cursor_execute", fail_audit_insert)

    assert (load_integrations(registry), audit_count(registry)) == before
    assert setting_version(registry, "settings") == 0


def test_invalid_session_and_scoring_writes_leave_no_entry(engine):
    session_id = create_session(engine, "Billing duplicates", "Ana", actor=EDITOR)
    before = audit_count(engine)

    with pytest.raises(SessionError):
        save_decision(engine, session_id, DECISION, actor=EDITOR)  # INT-1 is not in this empty registry
    with pytest.raises(SessionError):
        save_agenda(engine, session_id, [AgendaStep("Too long", 500)], actor=EDITOR)
    with pytest.raises(SessionError):
        update_item(engine, 999, "Nothing to change", actor=EDITOR)
    rubric = load_rubric()
    row = Integration(id="INT-1", name="Opp sync", source_system="Salesforce", target_system="Stripe",
                      data_objects=("Opportunity",), owner_team="Sales Ops")
    with pytest.raises(ScoringError):
        save_scoring(engine, row, score_integration(row, ScoringContext(), rubric, {}), rubric.weights,
                     {"controls": 9}, actor=EDITOR)

    assert audit_count(engine) == before


# ---------------------------------------------------------------- settings

def test_settings_saves_record_before_and_after_and_a_stale_save_is_refused_naming_who_and_when(engine):
    defaults = load_default_settings()
    longer = type(defaults)(**(defaults.as_dict() | {"horizon_months": 24}))
    seen = setting_version(engine, "settings")

    version = save_settings(engine, longer, actor=ADMIN, expected_version=seen)

    [entry] = list_history(engine, entity="setting")
    assert (entry.action, entry.entity_id, entry.before["horizon_months"], entry.after["horizon_months"]) == (
        "update", "settings", 12, 24)
    assert entry.summary == "Changed the cost and analysis settings: horizon_months."
    with pytest.raises(EditConflict) as refused:
        save_settings(engine, defaults, actor=Actor("Bo", Role.ADMIN), expected_version=seen)
    saved_at = entry.at.strftime("%Y-%m-%d %H:%M")
    assert str(refused.value) == (
        f"The cost and analysis settings were changed by Ana Admin at {saved_at} (UTC) after you opened this page, "
        "so your change was not saved: reload to see theirs, or overwrite them with yours.")
    assert len(list_history(engine, entity="setting")) == 1
    save_settings(engine, defaults, actor=Actor("Bo", Role.ADMIN), expected_version=version)  # the overwrite
    assert [e.actor for e in list_history(engine, entity="setting")] == ["Bo", "Ana Admin"]


def test_a_reset_records_one_entry_per_setting(engine):
    reset_settings(engine, actor=ADMIN)

    assert entries(engine) == [("setting", "update", "settings"), ("setting", "update", "aliases"),
                               ("setting", "update", "rubric")]


def test_survivor_choices_are_recorded(registry):
    save_survivor_choice(registry, ["INT-1", "INT-2"], "INT-2", actor=EDITOR)
    save_survivor_choice(registry, ["INT-1", "INT-2"], "INT-1", actor=EDITOR)

    chosen, changed = list_history(registry, entity="survivor_choice")[::-1]
    assert (chosen.action, chosen.entity_id, chosen.before, chosen.after) == (
        "create", "INT-2", None, {"kept": "INT-2", "cluster": ["INT-1", "INT-2"]})
    assert (changed.action, changed.before["kept"], changed.after["kept"]) == ("update", "INT-2", "INT-1")


# ---------------------------------------------------------------- sessions, decisions, scorings

def test_every_session_write_is_recorded(registry):
    session_id = create_session(registry, "Billing duplicates", "Ana", actor=EDITOR)
    start_session(registry, session_id, datetime(2026, 1, 5, 9, 0, tzinfo=UTC), actor=EDITOR)
    save_agenda(registry, session_id, [AgendaStep("Context", 10), AgendaStep("Decide", 20)], actor=EDITOR)
    save_notes(registry, session_id, "Revisit next quarter.", actor=EDITOR)
    set_participants(registry, session_id, [Participant("Ana", MeetingRole.REVOPS)], actor=EDITOR)
    item_id = add_item(registry, session_id, "question", "Who owns it?", actor=EDITOR)
    update_item(registry, item_id, "Who owns it at night?", actor=EDITOR)
    delete_item(registry, item_id, actor=EDITOR)
    decision_id = save_decision(registry, session_id, DECISION, actor=EDITOR)
    save_decision(registry, session_id, DECISION, decision_id, actor=EDITOR, expected_version=1)
    delete_decision(registry, decision_id, actor=EDITOR)

    s, i, d = str(session_id), str(item_id), str(decision_id)
    assert entries(registry, entity=None, since=datetime.now(UTC) - timedelta(hours=1))[-11:] == [
        ("session", "create", s), ("session", "update", s), ("agenda", "update", s), ("session", "update", s),
        ("participant", "update", s), ("session_item", "create", i), ("session_item", "update", i),
        ("session_item", "delete", i), ("decision", "create", d), ("decision", "update", d), ("decision", "delete", d),
    ]
    by_kind = {(e.entity, e.action): e for e in list_history(registry)}
    assert by_kind[("session_item", "update")].before == {"text": "Who owns it?"}
    assert by_kind[("session_item", "update")].after == {"text": "Who owns it at night?"}
    assert by_kind[("participant", "update")].after == [{"name": "Ana", "role": "revops"}]
    assert by_kind[("decision", "create")].after["due_date"] == "2026-03-15"
    assert by_kind[("decision", "delete")].before["raci"] == [{"person": "Ana", "responsibility": "A"},
                                                              {"person": "Bo", "responsibility": "R"}]
    assert by_kind[("agenda", "update")].after == [{"title": "Context", "minutes": 10, "guidance": ""},
                                                   {"title": "Decide", "minutes": 20, "guidance": ""}]


def test_a_saved_scoring_is_recorded(registry):
    rubric = load_rubric()
    row = load_integrations(registry)[0]
    result = score_integration(row, ScoringContext(), rubric, {"controls": 4})

    saved_id = save_scoring(registry, row, result, rubric.weights, {"controls": 4}, actor=EDITOR)

    [entry] = list_history(registry, entity="scoring")
    assert (entry.entity_id, entry.action, entry.before) == (str(saved_id), "create", None)
    assert (entry.after["integration_id"], entry.after["overrides"]) == ("INT-1", {"controls": 4.0})
    assert entry.summary.startswith(f"Scored INT-1 (Opp sync): {result.verdict.value}, ")


# ---------------------------------------------------------------- filters and export

def test_history_filters_and_order(registry):
    save_settings(registry, load_default_settings(), actor=Actor("Zoë Müller", Role.ADMIN), expected_version=None)
    with Session(registry) as session, session.begin():  # make the import clearly older
        session.execute(update(AuditEntry).where(AuditEntry.entity == "integration")
                        .values(at=datetime(2026, 1, 2, 10, 0, tzinfo=UTC)))

    assert [e.entity for e in list_history(registry)] == ["setting", "integration", "integration"]
    assert entries(registry, entity="integration", entity_id="INT-2") == [("integration", "create", "INT-2")]
    assert entries(registry, actor="ZOË") == [("setting", "update", "settings")]
    assert entries(registry, actor="%") == []
    assert entries(registry, action="delete") == []
    assert len(entries(registry, since=datetime(2026, 1, 2), until=datetime(2026, 1, 3))) == 2
    assert entries(registry, until=datetime(2026, 1, 2, 10, 0, tzinfo=UTC)) == []
    assert len(list_history(registry, limit=1)) == 1


def test_the_csv_export_has_every_column_and_neutralises_formulas(registry):
    first = load_integrations(registry)[0]
    apply_registry_changes(registry, RegistryChanges(changed=[first.with_changes(notes="-2+3")]),
                           load_integration_versions(registry), actor=Actor("=HYPERLINK(1)", Role.EDITOR))

    rows = list(csv.reader(io.StringIO(history_csv(list_history(registry)))))

    assert rows[0] == ["when_utc", "who", "role", "action", "entity", "entity_id", "summary", "before", "after"]
    assert len(rows) == 4
    assert rows[1][1:7] == ["'=HYPERLINK(1)", "editor", "update", "integration", "INT-1",
                            "Changed INT-1 (Opp sync): notes."]
    assert json.loads(rows[1][7]) == {"notes": ""} and json.loads(rows[1][8]) == {"notes": "-2+3"}
    assert rows[3][7] == "" and json.loads(rows[3][8])["owner"] == "Zoë Müller"


# ---------------------------------------------------------------- bulk history of an import


def test_an_import_writes_every_history_entry_in_one_statement_with_full_snapshots(engine):
    sent: list[str] = []

    def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO AUDIT_LOG "):
            sent.append(statement)

    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    import_registry_file(engine, ORIGINAL + b"INT-3,Ticket sync,Zendesk,Jira,Ticket,Customer Success,,\n",
                         "replace", actor=EDITOR)

    assert len(sent) == 1
    created = {e.entity_id: e.after for e in list_history(engine, action="create")}
    assert sorted(created) == ["INT-1", "INT-2", "INT-3"]
    assert created["INT-1"]["owner"] == "Zoë Müller" and created["INT-1"]["build_hours"] == "10-20"
    assert created["INT-2"]["owner"] == "" and created["INT-3"]["build_hours"] == ""
    assert created["INT-1"]["status"] == "live"


class Size(Enum):
    BIG = 3


@pytest.mark.parametrize(("value", "stored"), [
    ("text", "text"), (3, 3), (2.5, 2.5), (True, True), (None, None),
    (Verdict.MERGE, Verdict.MERGE),  # a StrEnum member is a str: kept as it is, stored as its text
    (Size.BIG, 3),
    ({"when": date(2026, 3, 1), "who": ("Ana", None), "tags": {"b", "a"}, 1: Size.BIG, "at": datetime(2026, 3, 1, 9)},
     {"when": "2026-03-01", "who": ["Ana", None], "tags": ["a", "b"], "1": 3, "at": "2026-03-01T09:00:00"}),
])
def test_jsonable_keeps_scalars_and_converts_the_rest(value, stored):
    converted = jsonable(value)

    assert converted == stored and type(converted) is type(stored)
    assert json.dumps(converted) == json.dumps(stored)
