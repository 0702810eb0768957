"""Where integrations came from, on SQLite and PostgreSQL: provenance, re-import, "not seen since", across tools."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

from core.domain.registry_csv import read_registry_csv
from core.errors import RegistryFileError
from core.services.analysis import load_analysis
from core.services.backup import backup_database, restore_database
from core.services.registry import import_registry_file, remembered_column_map
from core.services.sources import remove_unseen, unseen_integrations
from core.storage import source_store
from core.storage.db import MIGRATIONS_DIR, create_db_engine
from core.storage.registry_store import load_integrations, registry_version, write_integrations
from core.storage.source_store import load_sources
from tests.actors import ADMIN, EDITOR
from tests.conftest import EXAMPLES_DIR

SOURCES = EXAMPLES_DIR / "sources"
FIVETRAN = SOURCES / "fivetran_connections.json"


def import_file(engine, path, data: bytes | None = None, **options):
    return import_registry_file(engine, data if data is not None else path.read_bytes(), actor=EDITOR,
                                filename=path.name, source_name=path.name, **options)


def fivetran_without(*connection_ids: str) -> bytes:
    document = json.loads(FIVETRAN.read_bytes())
    document["connections"] = [c for c in document["connections"] if c["id"] not in connection_ids]
    return json.dumps(document).encode()


def test_each_imported_row_keeps_its_format_source_external_id_and_when_it_was_seen(engine):
    before = datetime.now(UTC)

    import_file(engine, FIVETRAN)

    records = {r.integration_id: r for r in load_sources(engine)}
    assert set(records) == {"FT-lifting-palace", "FT-serene-quarter"}
    palace = records["FT-lifting-palace"]
    assert (palace.format, palace.source, palace.source_name, palace.external_id, palace.location) == (
        "fivetran", "fivetran:fivetran_connections.json", "fivetran_connections.json", "lifting_palace",
        "connections[0]")
    assert palace.first_seen == palace.last_seen and palace.last_seen >= before.replace(microsecond=0) \
        and palace.missing_since is None


def test_a_reimport_of_the_same_source_updates_its_rows_and_flags_the_missing_never_deleting(engine):
    import_file(engine, FIVETRAN)
    first = {r.integration_id: r for r in load_sources(engine)}

    _, counts = import_file(engine, FIVETRAN, fivetran_without("serene_quarter"))

    records = {r.integration_id: r for r in load_sources(engine)}
    # The row itself is the same: unchanged (issue 19); its source row is updated.
    assert counts == {"inserted": 0, "updated": 0, "unchanged": 1, "deleted": 0, "unseen": 1}
    assert "FT-serene-quarter" in {i.id for i in load_integrations(engine)}
    assert records["FT-lifting-palace"].last_seen >= first["FT-lifting-palace"].last_seen
    assert records["FT-lifting-palace"].missing_since is None
    assert records["FT-serene-quarter"].missing_since is not None
    assert [(u.integration_id, u.source_label, u.missing_since) for u in unseen_integrations(engine)] == [
        ("FT-serene-quarter", "Fivetran (fivetran_connections.json)",
         records["FT-serene-quarter"].missing_since.date())]


def test_a_row_back_in_its_source_is_no_longer_flagged_and_keeps_its_first_flag_date_while_missing(engine):
    import_file(engine, FIVETRAN)
    import_file(engine, FIVETRAN, fivetran_without("serene_quarter"))
    flagged = {r.integration_id: r for r in load_sources(engine)}["FT-serene-quarter"].missing_since

    import_file(engine, FIVETRAN, fivetran_without("serene_quarter"))
    assert {r.integration_id: r for r in load_sources(engine)}["FT-serene-quarter"].missing_since == flagged
    import_file(engine, FIVETRAN)

    assert unseen_integrations(engine) == []


def test_a_row_still_in_its_source_with_a_typo_is_not_flagged_not_seen(engine):
    sample = (EXAMPLES_DIR.parent / "sample_registry.csv").read_text(encoding="utf-8")
    import_file(engine, EXAMPLES_DIR / "registry.csv", sample.encode())
    lines = sample.splitlines()
    typo = next(n for n, line in enumerate(lines) if line.startswith("INT-008,"))
    cells = lines[typo].split(",")
    cells[14] = "lots"  # build_hours
    lines[typo] = ",".join(cells)

    report, counts = import_file(engine, EXAMPLES_DIR / "registry.csv", "\n".join(lines).encode())

    assert [(e.row_id, e.column) for e in report.errors] == [("INT-008", "build_hours")]
    assert counts["unseen"] == 0
    assert unseen_integrations(engine) == []


def test_a_source_failure_writes_nothing_at_all(engine, monkeypatch):
    import_file(engine, FIVETRAN)
    version, before = registry_version(engine), load_integrations(engine)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("core.services.registry.record_sources", broken)
    with pytest.raises(RuntimeError):
        import_file(engine, SOURCES / "airbyte_connections.json")

    assert load_integrations(engine) == before and registry_version(engine) == version
    assert {r.source for r in load_sources(engine)} == {"fivetran:fivetran_connections.json"}


def test_an_unusable_file_writes_nothing(engine):
    version = registry_version(engine)

    with pytest.raises(RegistryFileError):
        import_file(engine, FIVETRAN, b'{"connections": [')

    assert registry_version(engine) == version and load_sources(engine) == []


def test_the_same_flow_from_two_tools_is_an_overlap_whose_evidence_names_both(engine):
    import_file(engine, FIVETRAN)
    import_file(engine, SOURCES / "airbyte_connections.json")

    cluster = load_analysis(engine).cluster_by_member["FT-lifting-palace"]

    airbyte = "AB-9924bcd0-99be-453d-ba47-c2c9766f7da5"
    assert set(cluster.members) == {airbyte, "FT-lifting-palace"}
    assert cluster.evidence[0] == (f"{airbyte} comes from Airbyte (airbyte_connections.json) and FT-lifting-palace "
                                   "from Fivetran (fivetran_connections.json): two tools describe the same flow")


def test_rows_of_one_source_get_no_cross_tool_evidence(engine):
    import_file(engine, SOURCES / "openmetadata_lineage.csv")

    [cluster] = load_analysis(engine).clusters

    assert len(cluster.members) == 2 and not any("two tools" in e for e in cluster.evidence)


def test_a_replace_import_drops_the_records_of_the_rows_it_removed(engine):
    import_file(engine, FIVETRAN)

    import_file(engine, SOURCES / "airbyte_connections.json", mode="replace")

    assert {r.format for r in load_sources(engine)} == {"airbyte"}


def test_the_column_map_used_is_remembered_for_its_source(engine):
    path = SOURCES / "leanix_style_headers.csv"
    column_map = {"Interface Name": "name", "Source Application": "source_system",
                  "Target Application": "target_system", "Data Object": "data_objects", "Owning Group": "owner_team"}

    import_file(engine, path, column_map=column_map)

    assert remembered_column_map(engine, path.name) == column_map
    assert remembered_column_map(engine, "other.csv") == {}


def test_backup_and_restore_keep_the_sources(engine, tmp_path):
    import_file(engine, FIVETRAN)
    import_file(engine, FIVETRAN, fivetran_without("serene_quarter"))
    before = load_sources(engine)
    target = create_db_engine(f"sqlite:///{tmp_path / 'restored.sqlite3'}")

    counts = restore_database(target, backup_database(engine), actor=ADMIN)

    assert counts["integration_sources"] == 2
    assert load_sources(target) == before


def test_the_migration_upgrades_a_database_that_holds_data(database_url):
    engine = create_db_engine(database_url, migrate=False)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0004")
    sample = (EXAMPLES_DIR.parent / "sample_registry.csv").read_bytes()
    write_integrations(engine, read_registry_csv(sample).accepted, "replace", actor=EDITOR)
    before = load_integrations(engine)

    upgraded = create_db_engine(database_url)

    assert load_integrations(upgraded) == before
    assert "integration_sources" in inspect(upgraded).get_table_names()
    import_file(upgraded, FIVETRAN)
    assert len(load_sources(upgraded)) == 2


def test_orphans_are_dropped_when_an_edit_deletes_an_integration(engine):
    import_file(engine, FIVETRAN)

    assert remove_unseen(engine, ["FT-serene-quarter"], actor=EDITOR) == 1

    assert [r.integration_id for r in load_sources(engine)] == ["FT-lifting-palace"]
    assert source_store.load_unseen(engine) == []
