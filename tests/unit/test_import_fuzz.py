"""Fuzzing the import formats: any bytes, any JSON, any YAML, any workbook cells give a report or one plain
refusal, never a crash."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.xlsx import xlsx_bytes
from core.domain.registry_cells import ImportReport
from core.domain.sources import FORMATS, read_source
from core.errors import GovernanceError
from tests.conftest import EXAMPLES_DIR

FUZZ = settings(max_examples=120, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SOURCES = EXAMPLES_DIR / "sources"
FIXTURES = {name: (SOURCES / name).read_bytes() for name in (
    "fivetran_connections.json", "airbyte_connections.json", "dbt_manifest.json", "openmetadata_lineage.csv",
    "leanix_interfaces.xlsx", "registry.xlsx", "backstage/components.yaml")}
FORMAT_NAMES = ["auto", *FORMATS]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["connections", "sources", "destinations", "schemas", "data", "items", "id", "service",
                         "group_id", "connectionId", "sourceId", "destinationId", "configurations", "streams",
                         "name", "tables", "enabled", "metadata", "nodes", "exposures", "depends_on",
                         "source_name", "adapter_type", "sourceType", "destinationType", "createdAt",
                         "sync_frequency", "paused", "meta", "package_name"]) | st.text(max_size=6),
        children, max_size=5),
    max_leaves=30,
)


def assert_report_or_refusal(data, fmt: str, filename: str = "") -> ImportReport | None:
    try:
        report = read_source(data, fmt, filename=filename)
    except GovernanceError as refusal:
        assert str(refusal).strip()
        return None
    assert isinstance(report, ImportReport)
    assert len({i.id for i in report.accepted}) == len(report.accepted)
    assert all(e.message and e.fix for e in report.errors)
    return report


@FUZZ
@given(data=st.binary(max_size=2048), fmt=st.sampled_from(FORMAT_NAMES))
def test_any_bytes_in_any_format_never_crash(data, fmt):
    assert_report_or_refusal(data, fmt)


@FUZZ
@given(name=st.sampled_from(sorted(FIXTURES)), fmt=st.sampled_from(FORMAT_NAMES), cut=st.integers(0, 10_000),
       flips=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=6))
def test_damaged_fixture_files_never_crash(name, fmt, cut, flips):
    data = bytearray(FIXTURES[name][: max(1, len(FIXTURES[name]) - cut % len(FIXTURES[name]))])
    for position, value in flips:
        data[position % len(data)] = value
    assert_report_or_refusal(bytes(data), fmt, filename=name.rsplit("/", 1)[-1])


@FUZZ
@given(document=json_values, fmt=st.sampled_from(["fivetran", "airbyte", "dbt", "auto"]))
def test_any_json_document_never_crashes(document, fmt):
    assert_report_or_refusal(json.dumps(document).encode(), fmt, filename="export.json")


@FUZZ
@given(document=json_values)
def test_any_yaml_document_never_crashes(document):
    text = json.dumps({"apiVersion": "backstage.io/v1alpha1", "kind": "Component", "metadata": {"name": "x"},
                       "spec": document})  # JSON is YAML
    assert_report_or_refusal({"catalog.yaml": text.encode()}, "backstage")


cells = st.one_of(st.text(max_size=10), st.sampled_from(["", "Interface", "Application", "2-3", "yes", "Lead"]))


@FUZZ
@given(rows=st.lists(st.lists(cells, min_size=1, max_size=8), max_size=6),
       header=st.sampled_from([
           ["id", "name", "source_system", "target_system", "data_objects", "owner_team"],
           ["id", "type", "name", "Provider Application", "Consumer Applications", "Data Objects"],
           []]))
def test_any_workbook_cells_never_crash(rows, header):
    book = xlsx_bytes([header, *rows] if header else rows or [[""]])
    assert_report_or_refusal(book, "auto", filename="book.xlsx")


# Every value of each fixture, in turn, replaced by a value of each other JSON type: a report or a plain refusal.
WRONG_TYPES = {"list": ["x", 1], "text": "see elsewhere", "number": 3, "null": None, "object": {"x": {"y": 1}},
               "yes-no": True}
JSON_FIXTURES = {"fivetran": "fivetran_connections.json", "airbyte": "airbyte_connections.json",
                 "dbt": "dbt_manifest.json"}


def _paths(value, path=()):
    """The path of every value inside a JSON document (keys and list positions), outermost first."""
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        yield (*path, key)
        yield from _paths(child, (*path, key))


def _replaced(document, path, new):
    copy = json.loads(json.dumps(document))
    *parents, last = path
    holder = copy
    for key in parents:
        holder = holder[key]
    holder[last] = new
    return copy


def _crashes(read, documents) -> list[str]:
    """The paths (and wrong values) at which reading crashed, with the exception: empty when none did."""
    crashes = []
    for index, document in enumerate(documents):
        for path in _paths(document):
            for kind, wrong in WRONG_TYPES.items():
                try:
                    read(index, _replaced(document, path, wrong))
                except GovernanceError as refusal:
                    assert str(refusal).strip()
                except Exception as crash:  # what this test looks for
                    crashes.append(f"{index}:{'.'.join(map(str, path))} as {kind}: {crash!r}")
    return crashes


@pytest.mark.parametrize("fmt", sorted(JSON_FIXTURES))
def test_each_value_of_a_json_export_of_the_wrong_type_is_reported_or_refused_never_a_crash(fmt):
    document = json.loads((SOURCES / JSON_FIXTURES[fmt]).read_bytes())

    def read(_, changed):
        assert_report_or_refusal(json.dumps(changed).encode(), fmt, filename=JSON_FIXTURES[fmt])

    assert _crashes(read, [document]) == []


def test_each_value_of_a_backstage_catalog_of_the_wrong_type_is_reported_or_refused_never_a_crash():
    import yaml

    catalog = {p.name: list(yaml.safe_load_all(p.read_bytes())) for p in sorted((SOURCES / "backstage").glob("*.yaml"))}

    def as_yaml(documents) -> bytes:
        return "---\n".join(json.dumps(d) + "\n" for d in documents).encode()  # JSON is YAML

    crashes = []
    for name, documents in catalog.items():
        def read(index, changed, name=name, documents=documents):
            files = {n: as_yaml(ds) for n, ds in catalog.items()}
            files[name] = as_yaml([*documents[:index], changed, *documents[index + 1:]])
            assert_report_or_refusal(files, "backstage")
        crashes += [f"{name} {crash}" for crash in _crashes(read, documents)]

    assert crashes == []
