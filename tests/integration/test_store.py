"""Registry persistence on SQLite and PostgreSQL: replace, merge, all-or-nothing writes, seeding."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event

from core.domain.ranges import Range
from core.domain.registry import (
    Approach,
    Complexity,
    Direction,
    Integration,
    Status,
    Tier,
    Timeliness,
)
from core.domain.registry_csv import read_registry_csv
from core.domain.registry_export import write_registry_csv
from core.services.registry import import_registry_file
from core.storage.registry_store import (
    count_integrations,
    load_integrations,
    registry_version,
    seed_sample_registry,
    write_integrations,
)
from tests.actors import EDITOR

HEADER = "id,name,source_system,target_system,data_objects,owner_team,owner,build_hours"
ORIGINAL = f"""{HEADER}
INT-1,Opp sync,Salesforce,Stripe,Opportunity,Sales Ops,Zoë Müller,10-20
INT-2,Invoice sync,Stripe,NetSuite,Invoice,Finance,,2/3/5
""".encode()
UPDATE = f"""{HEADER}
INT-2,Invoice sync v2,Stripe,NetSuite,Invoice; Payment,Finance,José Álvarez,4
INT-3,Ticket sync,Zendesk,Jira,Ticket,Customer Success,,
""".encode()


class InjectedFailure(Exception):
    pass


def fail_on(engine, sql_keyword: str):
    """Make the database fail the first statement starting with ``sql_keyword`` (a mid-write crash)."""

    def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(sql_keyword):
            raise InjectedFailure(f"injected failure on {sql_keyword}")

    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    return lambda: event.remove(engine, "before_cursor_execute", before_cursor_execute)


def test_import_then_load_returns_the_same_values(engine):
    report, counts = import_registry_file(engine, ORIGINAL, "replace", actor=EDITOR)

    assert counts == {"inserted": 2, "updated": 0, "unchanged": 0, "deleted": 0}
    assert load_integrations(engine) == report.accepted


def test_replace_makes_the_registry_equal_to_the_file(engine):
    import_registry_file(engine, ORIGINAL, "replace", actor=EDITOR)

    _, counts = import_registry_file(engine, UPDATE, "replace", actor=EDITOR)

    assert counts == {"inserted": 1, "updated": 1, "unchanged": 0, "deleted": 1}
    assert [i.id for i in load_integrations(engine)] == ["INT-2", "INT-3"]


def test_merge_upserts_by_id_and_keeps_other_rows(engine):
    import_registry_file(engine, ORIGINAL, "replace", actor=EDITOR)

    _, counts = import_registry_file(engine, UPDATE, "merge", actor=EDITOR)

    assert counts == {"inserted": 1, "updated": 1, "unchanged": 0, "deleted": 0}
    by_id = {i.id: i for i in load_integrations(engine)}
    assert sorted(by_id) == ["INT-1", "INT-2", "INT-3"]
    assert by_id["INT-2"].name == "Invoice sync v2"
    assert by_id["INT-2"].owner == "José Álvarez"


@pytest.mark.parametrize(("mode", "failing_statement"),
                         [("replace", "INSERT"), ("replace", "DELETE"), ("merge", "UPDATE"), ("merge", "INSERT")])
def test_failure_mid_import_leaves_the_database_exactly_as_it_was(engine, mode, failing_statement):
    import_registry_file(engine, ORIGINAL, "replace", actor=EDITOR)
    before = (load_integrations(engine), registry_version(engine))
    remove = fail_on(engine, failing_statement)

    with pytest.raises(InjectedFailure):
        import_registry_file(engine, UPDATE, mode, actor=EDITOR)

    remove()
    assert (load_integrations(engine), registry_version(engine)) == before


def test_strict_import_with_an_invalid_row_writes_nothing(engine):
    import_registry_file(engine, ORIGINAL, "replace", actor=EDITOR)
    broken = UPDATE + b"INT-4,Broken,Zendesk,Jira,Ticket,Support,,lots\n"

    report, counts = import_registry_file(engine, broken, "merge", strict=True, actor=EDITOR)

    assert counts is None
    assert [e.row for e in report.errors] == [4]
    assert [i.id for i in load_integrations(engine)] == ["INT-1", "INT-2"]


def test_non_strict_import_writes_valid_rows_and_lists_invalid_ones(engine):
    broken = UPDATE + b"INT-4,Broken,Zendesk,Jira,Ticket,Support,,lots\n"

    report, counts = import_registry_file(engine, broken, "replace", actor=EDITOR)

    assert counts["inserted"] == 2
    assert [(e.row, e.column) for e in report.errors] == [(4, "build_hours")]
    assert count_integrations(engine) == 2


def test_every_write_bumps_the_registry_version(engine):
    import_registry_file(engine, ORIGINAL, "replace", actor=EDITOR)
    first = registry_version(engine)

    import_registry_file(engine, UPDATE, "merge", actor=EDITOR)

    assert registry_version(engine) == first + 1


def test_sample_is_seeded_once_and_an_emptied_registry_stays_empty(engine, sample_csv):
    assert seed_sample_registry(engine) is True
    assert count_integrations(engine) == len(read_registry_csv(sample_csv).accepted)
    write_integrations(engine, [], "replace", actor=EDITOR)

    seeded_again = seed_sample_registry(engine)

    assert seeded_again is False
    assert count_integrations(engine) == 0


def test_database_export_import_export_is_byte_identical(engine, sample_csv):
    import_registry_file(engine, sample_csv, "replace", actor=EDITOR)
    first = write_registry_csv(load_integrations(engine))

    import_registry_file(engine, first.encode(), "replace", actor=EDITOR)

    assert write_registry_csv(load_integrations(engine)) == first


def test_a_big_import_reports_progress_up_to_done(engine):
    from core.domain.access import system_actor
    from core.domain.registry_csv import read_registry_csv as read

    rows = "\n".join(f"INT-{n:05d},Sync {n},Sys{n % 7},Other{n % 5},Obj{n % 3},Team" for n in range(12_000))
    integrations = read(f"id,name,source_system,target_system,data_objects,owner_team\n{rows}\n".encode()).accepted
    seen: list[tuple[float, str]] = []

    write_integrations(engine, integrations, "replace", actor=system_actor("test"),
                       progress=lambda done, what: seen.append((done, what)))

    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any(what == "Adding integrations: 5,000 of 12,000" for _, what in seen)


# --- Bulk writes: one statement per chunk, every value kept ------------------------------------------


def _rows_with_different_empty_cells() -> list[Integration]:
    """Integrations that leave different cells empty (unknown), as real registries do."""
    base = Integration(id="INT-1", name="Opp sync", source_system="Salesforce", target_system="Stripe",
                       data_objects=("Opportunity",), owner_team="Sales Ops")
    return [
        base,
        base.with_changes(id="INT-2", owner="Zoë Müller", tier=Tier.REVENUE_CRITICAL, build_hours=Range(10, 15, 20),
                          has_monitoring=True, has_retry=False, launched_on=date(2025, 1, 31)),
        base.with_changes(id="INT-3", consumers=("Finance", "Board pack"), direction=Direction.BIDIRECTIONAL,
                          approach=Approach.IPAAS, monthly_tool_cost=Range.exact(120), documented=False,
                          notes='a "quoted", multi\nline note', extra={"Jira epic": "FIN-7"}),
        base.with_changes(id="INT-4", status=Status.PROPOSED, timeliness=Timeliness.REAL_TIME,
                          complexity=Complexity.COMPLEX, people_touching=Range(1, 2, 4), has_audit_trail=None,
                          source_of_truth_defined=True, reconciliations_per_month=Range.exact(4),
                          reconciliation_hours=Range(0.5, 1, 2)),
        base.with_changes(id="INT-5", owner=None, hourly_rate=Range(90, 110, 150), monthly_maintenance_hours=None),
    ]


def count_inserts(engine, table: str) -> list[str]:
    """Start recording the INSERT statements sent for ``table``; the list grows as they run."""
    sent: list[str] = []

    def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(f"INSERT INTO {table.upper()} "):
            sent.append(statement)

    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    return sent


@pytest.mark.parametrize("mode", ["replace", "merge"])
def test_rows_with_different_empty_cells_round_trip_every_value_including_none(engine, mode):
    rows = _rows_with_different_empty_cells()

    write_integrations(engine, rows, mode, actor=EDITOR)

    loaded = load_integrations(engine)
    assert loaded == rows
    assert [i.extra for i in loaded] == [i.extra for i in rows]  # not part of ==
    assert loaded[4].owner is None and loaded[0].build_hours is None and loaded[3].has_audit_trail is None


def test_rows_with_different_empty_cells_are_inserted_by_one_statement(engine):
    sent = count_inserts(engine, "integrations")

    write_integrations(engine, _rows_with_different_empty_cells(), "replace", actor=EDITOR)

    # One executemany (or one multi-row INSERT) for all five rows, not one per set of filled-in columns.
    assert len(sent) == 1


def test_an_update_after_the_bulk_insert_keeps_empty_cells_empty(engine):
    rows = _rows_with_different_empty_cells()
    write_integrations(engine, rows, "replace", actor=EDITOR)
    changed = [rows[1].with_changes(owner=None, build_hours=None, has_monitoring=None),
               rows[4].with_changes(owner="Bo")]

    write_integrations(engine, changed, "merge", actor=EDITOR)

    by_id = {i.id: i for i in load_integrations(engine)}
    assert by_id["INT-2"] == changed[0] and by_id["INT-5"] == changed[1]


def test_a_missing_direction_status_or_note_is_stored_as_the_column_default(engine):
    # Typed values never hold None here, but a script might pass one: the column default applies,
    # as it did before every row named every column.
    row = _rows_with_different_empty_cells()[0].with_changes(direction=None, status=None, notes=None)

    write_integrations(engine, [row], "replace", actor=EDITOR)

    stored, = load_integrations(engine)
    assert (stored.direction, stored.status, stored.notes) == (Direction.ONE_WAY, Status.LIVE, "")


def test_loading_shares_one_value_per_distinct_range(engine, sample_csv):
    written = read_registry_csv(sample_csv).accepted
    write_integrations(engine, written, "replace", actor=EDITOR)

    loaded = load_integrations(engine)

    assert loaded == sorted(written, key=lambda i: i.id)
    ranges = [i.build_hours for i in loaded if i.build_hours is not None]
    assert len({id(r) for r in ranges}) == len(set(ranges)) < len(ranges)
