"""Editing the registry in place: validating edited table rows and working out what changed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from core.domain.registry import Integration
from core.domain.registry_cells import RowError, parse_registry_row


@dataclass(frozen=True)
class RegistryChanges:
    """What an edit session would write: changed, added and deleted integrations."""

    changed: tuple[Integration, ...] = ()
    added: tuple[Integration, ...] = ()
    deleted_ids: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.changed or self.added or self.deleted_ids)

    def summary(self) -> str:
        """In words, for the confirmation message.

        >>> RegistryChanges(deleted_ids=("INT-1",)).summary()
        '0 changed, 0 added, 1 deleted'
        """
        return f"{len(self.changed)} changed, {len(self.added)} added, {len(self.deleted_ids)} deleted"


def validate_edited_rows(
    rows: Sequence[Mapping[str, object]], extras: Mapping[str, dict[str, str]] | None = None
) -> tuple[list[Integration], list[RowError]]:
    """Validate table rows typed in the app exactly like CSV rows; row numbers count from 1 in the table.

    >>> ok = {"id": "INT-1", "name": "A", "source_system": "X", "target_system": "Y",
    ...       "data_objects": "Lead", "owner_team": "Ops", "build_hours": "2-3"}
    >>> bad = dict(ok, id="INT-2", build_hours="lots")
    >>> values, errors = validate_edited_rows([ok, bad])
    >>> [v.id for v in values], [(e.row, e.column, e.message) for e in errors]
    (['INT-1'], [(2, 'build_hours', "'lots' is not a number")])

    Args:
        rows: one mapping per table row, canonical column -> cell (None and NaN count as empty).
        extras: the extra (non-canonical) columns to keep, by id.

    Returns:
        The valid integrations and every problem (duplicate ids included).
    """
    extras = extras or {}
    values: list[Integration] = []
    errors: list[RowError] = []
    first_row_of_id: dict[str, int] = {}
    for number, row in enumerate(rows, start=1):
        cells = {k: "" if v is None or v != v else str(v) for k, v in row.items()}  # v != v: NaN
        integration, row_errors = parse_registry_row(cells, number, dict(extras.get(cells.get("id", ""), {})))
        if integration is not None and integration.id in first_row_of_id:
            row_errors = [RowError(
                number, "id", integration.id,
                f"duplicate id {integration.id}: row {number} repeats the id of row {first_row_of_id[integration.id]}",
                "Give each integration its own id.",
            )]
        elif integration is not None:
            first_row_of_id[integration.id] = number
            values.append(integration)
        errors.extend(row_errors)
    return values, errors


def diff_registry(original: Sequence[Integration], edited: Sequence[Integration]) -> RegistryChanges:
    """What changed between the registry as loaded and as edited (by id).

    >>> a = Integration(id="INT-1", name="A", source_system="X", target_system="Y",
    ...                 data_objects=("Lead",), owner_team="Ops")
    >>> diff_registry([a], [a.with_changes(name="B")]).summary()
    '1 changed, 0 added, 0 deleted'
    """
    before = {i.id: i for i in original}
    after = {i.id: i for i in edited}
    return RegistryChanges(
        changed=tuple(i for i in edited if i.id in before and before[i.id] != i),
        added=tuple(i for i in edited if i.id not in before),
        deleted_ids=tuple(sorted(set(before) - set(after))),
    )
