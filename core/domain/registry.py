"""The integration registry's domain model: one typed value per integration, and its allowed values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from enum import StrEnum
from itertools import repeat

import msgspec

from core.domain.ranges import Range


class Direction(StrEnum):
    ONE_WAY = "one-way"
    BIDIRECTIONAL = "bidirectional"


class Approach(StrEnum):
    MANUAL = "manual"
    NO_CODE = "no-code"
    DIRECT_API = "direct-api"
    IPAAS = "ipaas"
    ETL = "etl"
    INTERNAL_TOOL = "internal-tool"
    CUSTOM_PLATFORM = "custom-platform"


class Tier(StrEnum):
    REVENUE_CRITICAL = "revenue-critical"
    OPERATIONAL = "operational"
    INFORMATIONAL = "informational"


class Timeliness(StrEnum):
    REAL_TIME = "real-time"
    NEAR_REAL_TIME = "near-real-time"
    BATCH = "batch"


class Status(StrEnum):
    PROPOSED = "proposed"
    BUILDING = "building"
    LIVE = "live"
    DEPRECATED = "deprecated"
    RETIRED = "retired"


class Complexity(StrEnum):
    SIMPLE = "simple"
    MODERATE = "moderate"
    COMPLEX = "complex"
    CRITICAL = "critical"


# Statuses whose build money is not spent yet: forward cost includes their build cost.
NOT_YET_BUILT = frozenset({Status.PROPOSED, Status.BUILDING})
# Statuses of integrations that run (or are being built to): a proposal can never replace one of these.
RUNNING = frozenset({Status.LIVE, Status.BUILDING, Status.DEPRECATED})

CONTROL_FIELDS = ("has_monitoring", "has_retry", "has_audit_trail", "source_of_truth_defined", "documented")


class Integration(msgspec.Struct, frozen=True, gc=False):
    """One row of the registry, parsed and validated.

    Lists are tuples in the order typed; missing optional facts are ``None`` (unknown), never a
    guessed value, so the analysis can say "estimated from category" honestly.

    A frozen ``msgspec.Struct``: its constructor runs in C (a 10,000-row file builds its values three times faster
    than as a dataclass), and ``gc=False`` keeps the values out of the cycle collector, which otherwise walks every
    one of them again and again while the analysis makes its own objects. A value holds only strings, numbers,
    tuples, dates, ranges and the ``extra`` dict of strings, so it can never be part of a reference cycle.

    >>> i = Integration(id="INT-1", name="SFDC to Stripe", source_system="Salesforce",
    ...                 target_system="Stripe", data_objects=("Opportunity",), owner_team="Sales Ops")
    >>> i.is_owned, i.status.value
    (False, 'live')
    """

    id: str
    name: str
    source_system: str
    target_system: str
    data_objects: tuple[str, ...]
    owner_team: str
    owner: str | None = None
    consumers: tuple[str, ...] = ()
    direction: Direction = Direction.ONE_WAY
    approach: Approach | None = None
    tier: Tier | None = None
    timeliness: Timeliness | None = None
    status: Status = Status.LIVE
    complexity: Complexity | None = None
    build_hours: Range | None = None
    monthly_maintenance_hours: Range | None = None
    hourly_rate: Range | None = None
    monthly_tool_cost: Range | None = None
    reconciliations_per_month: Range | None = None
    reconciliation_hours: Range | None = None
    people_touching: Range | None = None
    has_monitoring: bool | None = None
    has_retry: bool | None = None
    has_audit_trail: bool | None = None
    source_of_truth_defined: bool | None = None
    documented: bool | None = None
    launched_on: date | None = None
    notes: str = ""
    # Columns the file had that the contract does not know: kept, shown, exported again. Part of equality: a
    # re-import that changes only such a column is a change. Values are compared, never hashed.
    extra: dict[str, str] = msgspec.field(default_factory=dict)

    @property
    def is_owned(self) -> bool:
        return bool(self.owner and self.owner.strip())

    @property
    def is_bidirectional(self) -> bool:
        return self.direction is Direction.BIDIRECTIONAL

    @property
    def controls(self) -> dict[str, bool | None]:
        """The five operational controls, ``None`` where unknown."""
        return {name: getattr(self, name) for name in CONTROL_FIELDS}

    def with_changes(self, **changes) -> Integration:
        """A copy with some fields replaced (values are immutable)."""
        return msgspec.structs.replace(self, **changes)


# Every field of Integration in constructor order; the fields with no default; the default of each field that has
# a plain one (``extra``'s is a factory: a new empty dict per value).
FIELD_NAMES: tuple[str, ...] = Integration.__struct_fields__
_REQUIRED_FIELDS = frozenset(f.name for f in msgspec.structs.fields(Integration) if f.required)
FIELD_DEFAULTS: dict[str, object] = {
    f.name: f.default for f in msgspec.structs.fields(Integration) if f.default is not msgspec.NODEFAULT
}


def integrations_from_columns(columns: Mapping[str, Sequence[object]]) -> list[Integration]:
    """Many integrations at once from values parsed and checked already, given column by column.

    Gives what ``Integration(**row)`` gives for each row (the constructor checks nothing, so nothing is skipped),
    without making a dict per row: the columns go to the constructor side by side, in field order.

    >>> [i] = integrations_from_columns({"id": ["INT-1"], "name": ["A"], "source_system": ["X"],
    ...                                  "target_system": ["Y"], "data_objects": [("Lead",)], "owner_team": ["Ops"]})
    >>> i == Integration(id="INT-1", name="A", source_system="X", target_system="Y", data_objects=("Lead",),
    ...                  owner_team="Ops"), i.extra
    (True, {})

    Args:
        columns: field name -> one value per integration, all of the same length; a field left out takes its
            default (a new ``extra`` dict each).

    Returns:
        The integrations, in row order.

    Raises:
        ValueError: when a field without a default is missing, a name is not a field, or the columns differ in
            length.
    """
    unknown = columns.keys() - set(FIELD_NAMES)
    if unknown:
        raise ValueError(f"not fields of Integration: {', '.join(sorted(unknown))}")
    count = len(next(iter(columns.values()), ()))
    for name in FIELD_NAMES:
        values = columns.get(name)
        if values is None and name in _REQUIRED_FIELDS:
            raise ValueError(f"no values for {name}, which has no default")
        if values is not None and len(values) != count:
            raise ValueError(f"{name} has {len(values)} values, not {count}")
    # Positional arguments up to the last field given; a field left out before it repeats its (immutable) default.
    given = [name in columns for name in FIELD_NAMES]
    last = len(given) - given[::-1].index(True)
    arguments = [columns[name] if name in columns else repeat(FIELD_DEFAULTS[name]) for name in FIELD_NAMES[:last]]
    return list(map(Integration, *arguments))
