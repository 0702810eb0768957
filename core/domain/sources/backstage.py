"""Backstage: catalog files (kinds Component, API, System) as integrations, one per component consuming an API.

From the documented descriptor format (docs/registry-format.md): a Component lists ``spec.providesApis`` and
``spec.consumesApis`` (entity references), its ``spec.system``, ``spec.owner`` and ``spec.lifecycle``; an API has
``metadata.tags`` and a ``spec.system``; a System has ``metadata.title``. A component that consumes an API another
component provides is one integration, from the provider's system to the consumer's; its owner team is the
consumer's ``spec.owner``, its data objects the API's tags, or its name when it has none. An API no component
provides comes from its own ``spec.system``; a component consuming an API that is not in the catalog, or that no
component provides and that has no ``spec.system``, is a problem, not an integration from a system named after the
API.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from core.domain.registry_cells import ImportReport
from core.domain.sources.common import SourceRow, list_cell, load_yaml_documents, make_id, rows_to_report, text_of
from core.errors import RegistryFileError
from core.wording import described_value

FORMAT = "backstage"
MAX_FILES = 2000  # catalog files in one folder
_STATUS = {"production": "live", "experimental": "building", "deprecated": "deprecated"}


def looks_like_backstage(documents: list[object]) -> bool:
    """Documents with a Backstage ``apiVersion`` (backstage.io/...) and a ``kind``."""
    return any(isinstance(d, dict) and text_of(d.get("apiVersion")).startswith("backstage.io/") and d.get("kind")
               for d in documents)


def entity_ref(text: str, default_kind: str, default_namespace: str = "default") -> tuple[str, str, str]:
    """An entity reference as (kind, namespace, name), all lower case: ``[kind:][namespace/]name``.

    >>> entity_ref("api:payments/charges-api", "api"), entity_ref("orders", "component")
    (('api', 'payments', 'charges-api'), ('component', 'default', 'orders'))
    """
    kind, sep, rest = text.strip().partition(":")
    if not sep:
        kind, rest = default_kind, text.strip()
    namespace, sep, name = rest.partition("/")
    if not sep:
        namespace, name = default_namespace, rest
    return kind.lower(), namespace.lower(), name.lower()


def _owner(text: str) -> str:
    """``group:default/sales-ops`` -> ``sales-ops``: the owner as people say it; none stays empty (a problem).

    >>> _owner("group:default/sales-ops"), _owner("group:ops/sre"), _owner("")
    ('sales-ops', 'ops/sre', '')
    """
    if not text.strip():
        return ""
    kind, namespace, name = entity_ref(text, "group")
    return name if namespace == "default" else f"{namespace}/{name}"


@dataclass(frozen=True, slots=True)
class _Entity:
    kind: str
    namespace: str
    name: str
    body: dict
    place: str  # the file and the document's number in it: "apis.yaml, document 2"

    @property
    def where(self) -> str:
        return f"{self.place} ({self.body.get('kind')} {text_of(self.metadata.get('name'))})"

    @property
    def ref(self) -> tuple[str, str, str]:
        return (self.kind, self.namespace, self.name)

    @property
    def spec(self) -> dict:
        return self.body.get("spec") if isinstance(self.body.get("spec"), dict) else {}

    @property
    def metadata(self) -> dict:
        return self.body.get("metadata") if isinstance(self.body.get("metadata"), dict) else {}

    @property
    def title(self) -> str:
        return text_of(self.metadata.get("title")) or text_of(self.metadata.get("name"))

    def refs(self, key: str, default_kind: str) -> list[tuple[str, str, str]]:
        values = self.spec.get(key)
        return [entity_ref(v, default_kind, self.namespace) for v in values if isinstance(v, str) and v.strip()] \
            if isinstance(values, list) else []


def _entities(files: Mapping[str, bytes]) -> Iterator[_Entity]:
    for path in sorted(files):
        for number, document in enumerate(load_yaml_documents(files[path], f"Backstage catalog {path}"), start=1):
            if not isinstance(document, dict) or not text_of(document.get("apiVersion")).startswith("backstage.io/"):
                continue
            metadata = document.get("metadata") if isinstance(document.get("metadata"), dict) else {}
            name = text_of(metadata.get("name"))
            kind = text_of(document.get("kind")).lower()
            if name and kind:
                yield _Entity(kind, (text_of(metadata.get("namespace")) or "default").lower(), name.lower(), document,
                              f"{path}, document {number}")


def _rows(entities: list[_Entity], skipped: list[str]) -> Iterator[SourceRow]:
    by_ref = {e.ref: e for e in entities}
    providers: dict[tuple, list[_Entity]] = {}
    for component in (e for e in entities if e.kind == "component"):
        for api in component.refs("providesApis", "api"):
            providers.setdefault(api, []).append(component)

    def system_of(entity: _Entity) -> str:
        """The entity's ``spec.system`` (the System's title when the catalog has it); a component without one is
        its own system (its title), an API without one names none: an interface is not a system."""
        system = text_of(entity.spec.get("system"))
        if not system:
            return entity.title if entity.kind == "component" else ""
        ref = entity_ref(system, "system", entity.namespace)
        return by_ref[ref].title if ref in by_ref else ref[2]

    def source_fix(consumer: _Entity, api_ref: tuple[str, str, str], api: _Entity | None) -> str:
        if api is None:
            return (f"{consumer.name} consumes {api_ref[2]}, which is not in the catalog: add the API's file (kind: "
                    f"API) to the catalog, or take {api_ref[2]} out of {consumer.name}'s spec.consumesApis.")
        return (f"{consumer.name} consumes {api.name} ({api.place}), which names no system: no component in the "
                f"catalog provides it and it has no spec.system. Give {api.name} a spec.system, or add the component "
                "that provides it (spec.providesApis) to the catalog.")

    for consumer in (e for e in entities if e.kind == "component"):
        owner = consumer.spec.get("owner")
        owner_fix = f"Give the component {consumer.name} a spec.owner." if owner is None or isinstance(owner, str) \
            else f"spec.owner of {consumer.name} is {described_value(owner)}: give one owner, a text like " \
                 "group:default/sales."
        for api_ref in consumer.refs("consumesApis", "api"):
            api = by_ref.get(api_ref)
            tags = [text_of(t) for t in api.metadata.get("tags", [])] if api and isinstance(
                api.metadata.get("tags"), list) else []
            objects = tags or [api.title if api else api_ref[2]]
            for provider in providers.get(api_ref) or [None]:
                # An API that no component provides names the system only by its spec.system: without one, or
                # without the API in the catalog at all, it is a problem, not a system named after the API.
                source = system_of(provider) if provider else (system_of(api) if api else "")
                target = system_of(consumer)
                if source and source.casefold() == target.casefold():
                    skipped.append(f"{consumer.name} uses {api_ref[2]} inside {source}")
                    continue
                external_id = f"component:{consumer.namespace}/{consumer.name}->api:{api_ref[1]}/{api_ref[2]}"
                if provider and len(providers[api_ref]) > 1:
                    external_id += f"@{provider.name}"
                cells = {
                    "id": make_id("BS", external_id.replace("component:default/", "").replace("api:default/", "")),
                    "name": f"{consumer.title} uses {api.title if api else api_ref[2]}",
                    "source_system": source,
                    "target_system": target,
                    "data_objects": list_cell(objects),
                    "owner_team": _owner(owner) if isinstance(owner, str) else "",
                    "approach": "direct-api",
                    "status": _STATUS.get(text_of(consumer.spec.get("lifecycle")).lower(), ""),
                    "notes": f"Backstage: {consumer.name} consumes {api_ref[2]}"
                             + (f", provided by {provider.name}" if provider else ", provider not in the catalog"),
                }
                yield SourceRow(cells, external_id, consumer.where, fixes={
                    "owner_team": owner_fix, "source_system": source_fix(consumer, api_ref, api)})


def read_backstage(files: Mapping[str, bytes], *, max_rows: int | None = None) -> ImportReport:
    """Validate Backstage catalog files (one, or a folder's): one integration per component consuming an API.

    >>> catalog = b'''apiVersion: backstage.io/v1alpha1
    ... kind: Component
    ... metadata: {name: billing}
    ... spec: {type: service, owner: group:default/finance, system: erp, providesApis: [invoices-api]}
    ... ---
    ... apiVersion: backstage.io/v1alpha1
    ... kind: Component
    ... metadata: {name: portal}
    ... spec: {type: website, owner: web-team, system: storefront, consumesApis: [invoices-api]}
    ... ---
    ... apiVersion: backstage.io/v1alpha1
    ... kind: API
    ... metadata: {name: invoices-api, tags: [invoice]}
    ... spec: {type: openapi, owner: finance, system: erp}
    ... '''
    >>> [(i.source_system, i.target_system, i.data_objects, i.owner_team)
    ...  for i in read_backstage({"catalog-info.yaml": catalog}).accepted]
    [('erp', 'storefront', ('invoice',), 'web-team')]

    Raises:
        RegistryFileError: when a file is not valid YAML, there are too many files, or none holds Backstage entities.
    """
    if len(files) > MAX_FILES:
        raise RegistryFileError(f"The folder holds {len(files):,} catalog files; at most {MAX_FILES:,} are read.")
    entities = list(_entities(files))
    if not entities:
        raise RegistryFileError("No Backstage entities found: catalog files have apiVersion backstage.io/v1alpha1, "
                                "a kind (Component, API, System) and metadata.name.")
    skipped: list[str] = []
    report = rows_to_report(_rows(entities, skipped), FORMAT, max_rows=max_rows)
    if skipped:
        report.notes.append(f"Left out {len(skipped)} API use(s) inside one system: {'; '.join(skipped[:5])}"
                            + ("…" if len(skipped) > 5 else "") + ".")
    if not any(e.kind == "component" and e.refs("consumesApis", "api") for e in entities):
        report.notes.append("No component consumes an API (spec.consumesApis), so there is no integration to read.")
    return report
