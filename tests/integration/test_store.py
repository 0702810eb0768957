"""Registry persistence on SQLite and PostgreSQL: replace, merge, all-or-nothing writes, seeding."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from core.registry_csv import read_registry_csv, write_registry_csv
from core.store import (
    count_integrations,
    import_registry_file,
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

    assert counts == {"inserted": 2, "updated": 0, "deleted": 0}
    assert load_integrations(engine) == report.accepted


def test_replace_makes_the_registry_equal_to_the_file(engine):
    import_registry_file(engine, ORIGINAL, "replace", actor=EDITOR)

    _, counts = import_registry_file(engine, UPDATE, "replace", actor=EDITOR)

    assert counts == {"inserted": 1, "updated": 1, "deleted": 1}
    assert [i.id for i in load_integrations(engine)] == ["INT-2", "INT-3"]


def test_merge_upserts_by_id_and_keeps_other_rows(engine):
    import_registry_file(engine, ORIGINAL, "replace", actor=EDITOR)

    _, counts = import_registry_file(engine, UPDATE, "merge", actor=EDITOR)

    assert counts == {"inserted": 1, "updated": 1, "deleted": 0}
    by_id = {i.id: i for i in load_integrations(engine)}
    assert sorted(by_id) == ["INT-1", "INT-2", "INT-3"]
    assert by_id["INT-2"].name == "Invoice sync v2"
    assert by_id["INT-2"].owner == "José Álvarez"


@pytest.mark.parametrize(("mode", "failing_statement"), [("replace", "INSERT"), ("replace", "DELETE"), ("merge", "UPDATE"), ("merge", "INSERT")])
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
    from core.access import system_actor
    from core.registry_csv import read_registry_csv as read

    rows = "\n".join(f"INT-{n:05d},Sync {n},Sys{n % 7},Other{n % 5},Obj{n % 3},Team" for n in range(12_000))
    integrations = read(f"id,name,source_system,target_system,data_objects,owner_team\n{rows}\n".encode()).accepted
    seen: list[tuple[float, str]] = []

    write_integrations(engine, integrations, "replace", actor=system_actor("test"),
                       progress=lambda done, what: seen.append((done, what)))

    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any(what == "Adding integrations: 5,000 of 12,000" for _, what in seen)
