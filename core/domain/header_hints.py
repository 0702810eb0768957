"""Header hints and column maps: which of a file's columns probably mean the required fields, and ``--map`` text."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from rapidfuzz import fuzz

from core.domain.registry_cells import CANONICAL_COLUMNS, header_key, match_header
from core.errors import RegistryFileError

# Words that, anywhere in a header, say which required field the column holds ("Source Application",
# "Consumer Applications", "Owning Group"). "from", "to" and "interface" are left out on purpose: LeanIX's
# technical names ("relInterfaceToProviderApplication") put them in every relation.
_FIELD_WORDS: dict[str, frozenset[str]] = {
    "name": frozenset({"name", "title", "flow", "displayname"}),
    "source_system": frozenset({"source", "provider", "providing", "sender", "sending", "origin", "upstream",
                                "producer", "publisher", "publishing"}),
    "target_system": frozenset({"target", "consumer", "consuming", "receiver", "receiving", "destination",
                                "downstream", "subscriber", "sink"}),
    "data_objects": frozenset({"object", "objects", "dataobject", "dataobjects", "entity", "entities", "payload",
                               "tables", "table", "streams", "stream", "records", "record"}),
    "owner_team": frozenset({"team", "group", "department", "dept", "unit", "usergroup", "squad", "owning",
                             "subscriptions", "subscription"}),
}
# A column named by more than one field's words ("Provider to Consumer") is no hint for either.
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_FUZZY_MIN = 85  # how alike a header must be to a field's name with no telling word (rapidfuzz ratio, 0-100)


def _words(header: str) -> set[str]:
    """The words of a header, camelCase split, lower case; "Data Object" also gives "dataobject".

    >>> sorted(_words("Data Object"))
    ['data', 'dataobject', 'object']
    """
    words = [w.lower() for w in _WORD.findall(header)]
    return set(words) | {a + b for a, b in zip(words, words[1:])}


def _fields_named(header: str) -> set[str]:
    words = _words(header)
    return {field for field, telling in _FIELD_WORDS.items() if words & telling}


def suggest_columns(columns: Sequence[str], missing: Iterable[str]) -> dict[str, str]:
    """For each missing required field, the file column that probably means it (only where one does).

    Columns the importer already recognises are never suggested; a column is suggested for one field at most.

    >>> suggest_columns(["ID", "Name", "Source Application", "Target Application", "Data Object", "Owning Group"],
    ...                 ["source_system", "target_system", "data_objects", "owner_team"])
    {'source_system': 'Source Application', 'target_system': 'Target Application', 'data_objects': 'Data Object', \
'owner_team': 'Owning Group'}

    Args:
        columns: the file's header cells as typed.
        missing: the required fields no column matched.

    Returns:
        field -> column, in the order of ``missing``.
    """
    free = [c for c in dict.fromkeys(c.strip() for c in columns) if c and match_header(c) is None]
    suggestions: dict[str, str] = {}
    for field in missing:
        best, best_score = None, 0.0
        for column in free:
            if column in suggestions.values():
                continue
            named = _fields_named(column)
            if named == {field}:
                score = 100.0 + (10.0 if field in ("source_system", "target_system") else 0.0)
            elif named:
                continue  # a word of another field, or of several: not this one
            else:
                score = fuzz.ratio(header_key(column), header_key(field))
                if score < _FUZZY_MIN:
                    continue
            if score > best_score:
                best, best_score = column, score
        if best is not None:
            suggestions[field] = best
    return suggestions


def missing_columns_message(missing: Sequence[str], suggestions: Mapping[str, str],
                            unused: Iterable[str] | None = None) -> str:
    """The refusal of a header without every required column, with the hints.

    A missing field no column looks like gets the file's columns that are not used (not read as any field, not
    suggested for another), so the person can pick the one that holds it.

    >>> print(missing_columns_message(["source_system", "owner_team"], {"source_system": "Source Application"}))
    The header has no column for: source_system, owner_team. 'Source Application' looks like source_system. \
Add the missing columns or map the file's columns to them (see docs/registry-format.md for accepted names).
    >>> print(missing_columns_message(["name", "owner_team"], {"owner_team": "Responsible Dept"},
    ...                               ["Interface", "Responsible Dept", "Notes"]))
    The header has no column for: name, owner_team. 'Responsible Dept' looks like owner_team. Nothing looks like \
name; columns not used: Interface, Notes. Add the missing columns or map the file's columns to them (see \
docs/registry-format.md for accepted names).

    Args:
        missing: the required fields no column matched; suggestions: field -> the column that looks like it.
        unused: the file's columns not read as any field (suggested ones are left out here); ``None``: not known,
            and not named.
    """
    hints = "".join(f" '{column}' looks like {field}." for field, column in suggestions.items())
    unmatched = [field for field in missing if field not in suggestions]
    if unmatched and unused is not None:
        left = unused_columns(suggestions, unused)
        fields = ", ".join(unmatched[:-1]) + " or " + unmatched[-1] if len(unmatched) > 1 else unmatched[0]
        listed = ", ".join(left[:_UNUSED_SHOWN]) + (f" and {len(left) - _UNUSED_SHOWN:,} more" if len(left) >
                                                     _UNUSED_SHOWN else "")
        hints += f" Nothing looks like {fields}" + (f"; columns not used: {listed}." if left else
                                                    ", and every column of the file is used.")
    return (f"The header has no column for: {', '.join(missing)}.{hints} Add the missing columns or map the file's "
            "columns to them (see docs/registry-format.md for accepted names).")


_UNUSED_SHOWN = 20  # columns named in a refusal; a header of hundreds of unused ones says how many more


def unused_columns(suggestions: Mapping[str, str], unused: Iterable[str]) -> list[str]:
    """The columns not read as any field and not suggested for a missing one: those a person may still map.

    >>> unused_columns({"owner_team": "Responsible Dept"}, ["Interface", "Responsible Dept", "Notes"])
    ['Interface', 'Notes']
    """
    suggested = set(suggestions.values())
    return [column for column in dict.fromkeys(unused) if column not in suggested]


def map_columns_not_in(column_map: Mapping[str, str], columns: Iterable[str]) -> list[str]:
    """The columns a map names that are not among a file's ``columns``, compared as headers are (case, spaces, ``-``
    and ``_`` ignored).

    The reader passes over such columns (the Registry page reuses a map remembered from an earlier file of the same
    name on purpose); ``igov`` refuses a ``--map`` that names one, as it is a typo or the wrong file.

    >>> map_columns_not_in({"sending app": "source_system", "Nope": "name"}, ["Sending App", "Interface"])
    ['Nope']
    """
    present = {header_key(column) for column in columns}
    return [column for column in column_map if header_key(column) not in present]


def parse_column_map(text: str) -> dict[str, str]:
    """Read ``--map "Source Application=source_system, Target Application=target_system"``: file column -> field.

    >>> parse_column_map("Source Application=source_system, Target=target system")
    {'Source Application': 'source_system', 'Target': 'target_system'}

    Raises:
        RegistryFileError: naming the entry that is not ``column=field`` or whose field the format does not know.
    """
    mapping: dict[str, str] = {}
    for entry in filter(str.strip, re.split(r"[,;\n]", text)):
        column, sep, field = entry.partition("=")
        column, field = column.strip(), field.strip()
        if not sep or not column or not field:
            raise RegistryFileError(f"'{entry.strip()}' is not a column mapping: write FILE COLUMN=field, e.g. "
                                    "\"Source Application=source_system\".")
        canonical = match_header(field)
        if canonical is None:
            raise RegistryFileError(f"'{field}' in '{entry.strip()}' is not a registry field. Fields: "
                                    f"{', '.join(CANONICAL_COLUMNS)}.")
        mapping[column] = canonical
    return mapping
