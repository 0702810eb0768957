"""Name normalisation: one key per system and data object however it is spelled, plus near-miss name suggestions."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process, utils

from core.domain.csv_text import detect_delimiter
from core.errors import ConfigError

_NOT_ALPHANUMERIC = re.compile(r"[\W_]+")
# The last run of letters in a name, and whatever follows it ("Sales Orders" -> "Orders", "").
_LAST_WORD = re.compile(r"([^\W\d_]+)([\W\d_]*)$")

# Words that end in "s" but are already singular, or have no useful singular.
_NO_SINGULAR = frozenset(
    {"alias", "analytics", "atlas", "canvas", "data", "goods", "logistics", "news", "ops", "sales",
     "series", "species", "statistics", "status", "terms"}
)
# Plurals the suffix rules below would get wrong.
_IRREGULAR_PLURALS = {
    "analyses": "analysis", "bonuses": "bonus", "buses": "bus", "campuses": "campus",
    "children": "child", "cookies": "cookie", "indices": "index", "matrices": "matrix",
    "movies": "movie", "people": "person", "statuses": "status", "viruses": "virus",
}


def normalize_key(name: str) -> str:
    """The matching key of a name: lower case, without spaces or punctuation.

    >>> normalize_key("Salesforce.com"), normalize_key("  Net Suite "), normalize_key("HubSpot-CRM")
    ('salesforcecom', 'netsuite', 'hubspotcrm')

    Args:
        name: the name as typed.

    Returns:
        The key; two names with the same key are the same name.
    """
    # casefold, not lower: "Straße" and "STRASSE" should meet.
    return _NOT_ALPHANUMERIC.sub("", name.casefold())


def _singular_lower(word: str) -> str:
    """The singular of one lower-case English word, by suffix rules good enough for object names."""
    if len(word) <= 3 or word in _NO_SINGULAR:
        return word  # "SMS", "GPS": too short to tell a plural from an acronym
    if word in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[word]
    if word.endswith(("ss", "us", "is")):
        return word  # Process, Status, Analysis, Address are singular already
    if word.endswith("ies"):
        return word[:-3] + "y"  # Opportunities, Companies
    if word.endswith(("sses", "xes", "ches", "shes", "zzes")):
        return word[:-2]  # Addresses, Taxes, Batches
    if word.endswith("s"):
        return word[:-1]  # Events, Invoices, Purchases
    return word


def _singular_text(name: str) -> str:
    """The name with its last word made singular, keeping the case as typed.

    >>> _singular_text("Sales Orders"), _singular_text("OPPORTUNITIES"), _singular_text("Status")
    ('Sales Order', 'OPPORTUNITY', 'Status')
    """
    text = name.strip()
    match = _LAST_WORD.search(text)
    if not match:
        return text
    word, tail = match.group(1), match.group(2)
    if len(word) >= 3 and word.endswith("s") and word[:-1].isupper():
        return text[: match.start(1)] + word[:-1] + tail  # an acronym's plural: SKUs, KPIs, APIs
    lower = word.lower()
    singular = _singular_lower(lower)
    if singular == lower:
        return text
    # Keep the typed prefix and write the new ending in the case of the ending it replaces.
    keep = 0
    while keep < min(len(lower), len(singular)) and lower[keep] == singular[keep]:
        keep += 1
    removed, added = word[keep:], singular[keep:]
    if removed and removed.isupper():
        added = added.upper()
    return text[: match.start(1)] + word[:keep] + added + tail


_WORD = re.compile(r"[^\W\d_]+")


def _object_lookup_key(name: str) -> str:
    """The matching key of an object name: every word singular, then case, spaces and punctuation dropped.

    >>> _object_lookup_key("Bills of Materials") == _object_lookup_key("bill-of-material") == "billofmaterial"
    True
    """
    return normalize_key(_WORD.sub(lambda word: _singular_lower(word.group().casefold()), name))


@dataclass(frozen=True)
class Aliases:
    """The alias tables: normalised alias key -> canonical display name, for systems and data objects.

    Canonical names are in the tables too, mapping to themselves. Object keys are singular
    (``opportunity`` for "Opportunities"). Build with :meth:`from_pairs` or :func:`load_aliases`.

    >>> Aliases.from_pairs(systems=[("SFDC", "Salesforce")]).systems
    {'sfdc': 'Salesforce', 'salesforce': 'Salesforce'}
    """

    # Excluded from hashing (dicts are not hashable); equal tables still compare equal.
    systems: Mapping[str, str] = field(default_factory=dict, hash=False)
    objects: Mapping[str, str] = field(default_factory=dict, hash=False)

    @classmethod
    def from_pairs(
        cls,
        systems: Iterable[tuple[str, str]] = (),
        objects: Iterable[tuple[str, str]] = (),
    ) -> Aliases:
        """Alias tables from ``(alias, canonical)`` pairs, checked like a file.

        >>> Aliases.from_pairs(objects=[("Opps", "Opportunity")]).objects
        {'opp': 'Opportunity', 'opportunity': 'Opportunity'}

        Args:
            systems: system alias pairs, e.g. ``("Salesforce.com", "Salesforce")``.
            objects: data-object alias pairs, e.g. ``("Deal", "Opportunity")``.

        Returns:
            The tables.

        Raises:
            ConfigError: when a pair is empty, an alias points at two names, or a canonical
                name is itself an alias of another name. The message names the pair number.
        """
        return cls(
            systems=_build_table(
                ((f"pair {n}", a, c) for n, (a, c) in enumerate(systems, start=1)), "system aliases", normalize_key
            ),
            objects=_build_table(
                ((f"pair {n}", a, c) for n, (a, c) in enumerate(objects, start=1)), "object aliases", _object_lookup_key
            ),
        )

    @property
    def is_empty(self) -> bool:
        return not self.systems and not self.objects


@dataclass(frozen=True, slots=True)
class AliasPairs:
    """Both alias tables as the ``(alias, canonical)`` rows people typed (what Settings edits)."""

    systems: tuple[tuple[str, str], ...] = ()
    objects: tuple[tuple[str, str], ...] = ()

    def to_aliases(self) -> Aliases:
        """The lookup tables, validated (ConfigError names the bad pair)."""
        return Aliases.from_pairs(systems=self.systems, objects=self.objects)


def _build_table(rows: Iterable[tuple[str, str, str]], where: str, key_of) -> dict[str, str]:
    """An alias table from ``(row label, alias, canonical)`` triples; errors name ``where`` and the row."""
    table: dict[str, str] = {}
    origin: dict[str, str] = {}  # alias key -> row label, to name both rows of a conflict
    canonical_rows: list[tuple[str, str]] = []
    for label, alias, canonical in rows:
        alias, canonical = (alias or "").strip(), (canonical or "").strip()
        if not key_of(alias) or not key_of(canonical):
            empty = "alias" if not key_of(alias) else "canonical"
            raise ConfigError(
                f"{where}, {label}: the {empty} name is empty; "
                "fill both the alias and canonical columns or delete the row"
            )
        key = key_of(alias)
        if key in table and key_of(table[key]) != key_of(canonical):
            raise ConfigError(
                f"{where}, {label}: '{alias}' is already an alias of '{table[key]}' ({origin[key]}); "
                f"keep only one of the two rows"
            )
        # First spelling wins, so "Salesforce" and "salesforce" in two rows do not fight.
        table.setdefault(key, canonical)
        origin.setdefault(key, label)
        canonical_rows.append((label, canonical))
    for label, canonical in canonical_rows:
        key = key_of(canonical)
        if key in table and key_of(table[key]) != key:
            raise ConfigError(
                f"{where}, {label}: '{canonical}' is used as a canonical name but {origin[key]} makes it an alias "
                f"of '{table[key]}'; point every alias straight at the final name"
            )
        # Canonical names map to themselves, so "Salesforce" is known even without a self row.
        table.setdefault(key, canonical)
        origin.setdefault(key, label)
    return table


def alias_table_from_csv(text: str, source: str, kind: str) -> dict[str, str]:
    """One alias table from CSV text with the columns ``alias,canonical`` (``kind``: "system" or "object").

    Blank lines and lines starting with ``#`` are skipped; extra columns (e.g. a note) are ignored. The file may be
    separated by ``;`` or tabs, as Excel saves CSV in many European locales.

    >>> alias_table_from_csv("alias,canonical\\nSFDC,Salesforce\\n", "system_aliases.csv", "system")
    {'sfdc': 'Salesforce', 'salesforce': 'Salesforce'}
    >>> alias_table_from_csv("\\ufeffalias;canonical\\nSFDC;Salesforce\\n", "aliases.csv", "system")["sfdc"]
    'Salesforce'

    Raises:
        ConfigError: when the header is missing or a row is bad; the message names ``source``, the row and the fix.
    """
    key_of = normalize_key if kind == "system" else _object_lookup_key
    text = text.lstrip("\ufeff")
    delimiter = detect_delimiter(text.partition("\n")[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)  # strict: unclosed quotes
    try:
        header = next(reader, None)
        columns = [c.strip().lower() for c in header or []]
        if "alias" not in columns or "canonical" not in columns:
            raise ConfigError(
                f"{source}, row 1: the header must name the columns alias and canonical "
                f"(found {', '.join(columns) or 'nothing'}); write 'alias,canonical' on the first line"
            )
        a, c = columns.index("alias"), columns.index("canonical")
        rows = []
        for row_number, row in enumerate(reader, start=2):
            cells = [cell.strip() for cell in row]
            if not any(cells) or cells[0].startswith("#"):
                continue  # blank lines and comments are allowed
            cells += [""] * (max(a, c) + 1 - len(cells))
            rows.append((f"row {row_number}", cells[a], cells[c]))
    except csv.Error as error:
        raise ConfigError(f"{source}, line {reader.line_num} is not valid CSV ({error}); "
                          "close the quote or remove it") from None
    return _build_table(rows, source, key_of)


def add_alias_pair(current: AliasPairs, kind: str, alias: str, canonical: str) -> AliasPairs:
    """The alias rows with one more: ``alias`` means ``canonical``.

    If ``canonical`` is itself an alias, the new row points at its final name. Rows that used
    ``alias`` as their canonical name are pointed at the new final name too, so the table never
    chains. Adding a row that is already there changes nothing.

    >>> pairs = AliasPairs(systems=(("SFDC", "Salesforce"),), objects=())
    >>> add_alias_pair(pairs, "system", "Zendesk Support", "Zendesk").systems
    (('SFDC', 'Salesforce'), ('Zendesk Support', 'Zendesk'))
    >>> add_alias_pair(pairs, "system", "SF", "SFDC").systems
    (('SFDC', 'Salesforce'), ('SF', 'Salesforce'))

    Args:
        current: the rows in force (from :func:`load_alias_pairs`).
        kind: ``"system"`` or ``"object"``.
        alias: the spelling to merge away, e.g. "Zendesk Support".
        canonical: the name it means, e.g. "Zendesk".

    Returns:
        The new rows, checked like a file.

    Raises:
        ValueError: when ``kind`` is neither "system" nor "object".
        ConfigError: when the result is not a valid alias table (the message names the row).
    """
    if kind not in ("system", "object"):
        raise ValueError(f"kind must be 'system' or 'object', not {kind!r}")
    alias, canonical = alias.strip(), canonical.strip()
    rows = list(current.systems if kind == "system" else current.objects)
    table = (Aliases.from_pairs(systems=rows) if kind == "system" else Aliases.from_pairs(objects=rows))
    lookup = table.systems if kind == "system" else table.objects
    key_of = normalize_key if kind == "system" else _object_lookup_key
    final = lookup.get(key_of(canonical), canonical)
    if key_of(alias) == key_of(final):
        return current
    rows = [(a, final if key_of(c) == key_of(alias) else c) for a, c in rows]
    if (alias, final) not in rows:
        rows.append((alias, final))
    rows = [(a, c) for a, c in rows if key_of(a) != key_of(c) or a == c]
    new = AliasPairs(systems=tuple(rows), objects=current.objects) if kind == "system" else AliasPairs(
        systems=current.systems, objects=tuple(rows))
    Aliases.from_pairs(systems=new.systems, objects=new.objects)  # raises ConfigError naming the bad row
    return new


def canonical_system(name: str, aliases: Aliases) -> str:
    """The display name of a system: its canonical name if aliased, else the name as typed.

    >>> aliases = Aliases.from_pairs(systems=[("Salesforce.com", "Salesforce")])
    >>> canonical_system("salesforce.COM", aliases), canonical_system(" Stripe ", aliases)
    ('Salesforce', 'Stripe')

    The typed name (without surrounding spaces) when no alias names it.
    """
    return aliases.systems.get(normalize_key(name), name.strip())


def system_key(name: str, aliases: Aliases) -> str:
    """The matching key of a system: equal keys mean the same system.

    >>> aliases = Aliases.from_pairs(systems=[("SFDC", "Salesforce")])
    >>> system_key("SFDC", aliases) == system_key("Sales force", aliases) == "salesforce"
    True
    """
    return normalize_key(canonical_system(name, aliases))


def canonical_object(name: str, aliases: Aliases) -> str:
    """The display name of a data object: its alias target, else the singular form as typed.

    Matching ignores case, spaces, punctuation and the plural ending of every word.

    >>> aliases = Aliases.from_pairs(objects=[("Deals", "Opportunity")])
    >>> canonical_object("Opportunities", aliases), canonical_object("deal", aliases)
    ('Opportunity', 'Opportunity')
    >>> canonical_object("Addresses", aliases), canonical_object("Status", aliases)
    ('Address', 'Status')
    """
    singular = _singular_text(name)
    return aliases.objects.get(_object_lookup_key(name), singular)


def object_key(name: str, aliases: Aliases) -> str:
    """The matching key of a data object: equal keys mean the same object.

    >>> object_key("Companies", Aliases()) == object_key("company", Aliases()) == "company"
    True

    Args:
        name: the data object as typed.
        aliases: the alias tables.

    Returns:
        The normalised, singular key of the canonical name.
    """
    return _object_lookup_key(canonical_object(name, aliases))


@dataclass(frozen=True, slots=True)
class NameSuggestion:
    """Two names that look like one thing but are not in the alias table: a question, not a merge."""

    kind: str  # "system" or "object"
    name: str  # the rarer spelling, the one to alias
    similar_to: str  # the spelling it probably means
    similarity: float  # 0..100
    reason: str


def suggest_name_variants(
    names: Iterable[str],
    aliases: Aliases,
    kind: str = "system",
    min_similarity: float = 85,
) -> list[NameSuggestion]:
    """Near-miss names the alias table does not cover yet, e.g. "Zendesk Support" and "Zendesk".

    Nothing is merged: each suggestion asks a person to add an alias row or leave the names apart.
    Names with the same key already count as one. Pairs where both names are already in the alias
    table are skipped: the table has said they are different.

    >>> [(s.name, s.similar_to) for s in suggest_name_variants(
    ...     ["Zendesk", "Zendesk", "Zendesk Support", "Salesforce", "Snowflake"], Aliases())]
    [('Zendesk Support', 'Zendesk')]

    Args:
        names: names as typed, repeats welcome (the more common spelling becomes ``similar_to``).
        aliases: the alias tables.
        kind: ``"system"`` or ``"object"``.
        min_similarity: the lowest similarity (0-100) worth asking about: rapidfuzz token-set
            ratio for systems (word order and extra words ignored), plain ratio for objects.

    Returns:
        Suggestions, most similar first.

    Raises:
        ValueError: when ``kind`` is neither "system" nor "object".
    """
    if kind == "system":
        canonical, key_of, table = canonical_system, normalize_key, aliases.systems
    elif kind == "object":
        # Shown as typed (or as the alias table names it): a suggestion never respells a name.
        canonical, key_of, table = _typed_object, _object_lookup_key, aliases.objects
    else:
        raise ValueError(f"kind must be 'system' or 'object', not {kind!r}")

    # Systems: token-set similarity, since "Zendesk Support" is usually Zendesk. Objects: plain
    # spelling similarity, since "Invoice Line" is a different object from "Invoice" but
    # "Oportunity" is a typo of "Opportunity".
    scorer = fuzz.token_set_ratio if kind == "system" else fuzz.ratio
    spellings: dict[str, Counter[str]] = {}
    for name in names:
        display = canonical(name, aliases)
        key = key_of(display)
        if key and utils.default_process(display):
            spellings.setdefault(key, Counter())[display] += 1
    keys = sorted(spellings)
    # One display per key: its most common spelling, ties broken alphabetically for a stable answer.
    displays = [min(spellings[k].items(), key=lambda item: (-item[1], item[0]))[0] for k in keys]
    counts = [sum(spellings[k].values()) for k in keys]
    known = [k in table for k in keys]
    if len(keys) < 2:
        return []

    suggestions: list[NameSuggestion] = []
    # token_set_ratio scores "Zendesk Support"~"Zendesk" 100 and "Salesforce"~"Snowflake" 32.
    # cdist runs in C++ on every core: 2,000 names take well under a second.
    # Compare in row blocks against the names after the block's start only (each pair once), so
    # memory stays small for tens of thousands of names and the work is halved.
    block = 256
    for start in range(0, len(keys), block):
        scores = process.cdist(
            displays[start : start + block],
            displays[start:],
            scorer=scorer,
            processor=utils.default_process,
            score_cutoff=min_similarity,
            dtype=np.float32,
            workers=-1,
        )
        rows, cols = np.nonzero(scores)
        for row, col in zip(rows.tolist(), cols.tolist()):
            i, j = start + row, start + col
            if j <= i or (known[i] and known[j]):
                continue  # each pair once; both in the table means someone already decided
            suggestions.append(_suggestion(kind, i, j, float(scores[row, col]), displays, counts, known))
    if kind == "system":
        suggestions += _shared_token_suggestions(displays, counts, known, {(s.name, s.similar_to) for s in suggestions})
    suggestions.sort(key=lambda s: (-s.similarity, s.name, s.similar_to))
    return suggestions


# Words a vendor or an edition adds to a product's name: "Siemens Teamcenter" is Teamcenter, "Teamcenter PLM" too.
_AFFIXES = frozenset({
    "siemens", "microsoft", "oracle", "google", "amazon", "aws", "adobe", "ibm", "atlassian", "inc", "corp", "com",
    "io", "net", "cloud", "online", "platform", "suite", "system", "systems", "software", "app", "apps", "erp",
    "crm", "plm", "hcm", "scm", "mes", "api", "db", "database", "server", "enterprise", "edition", "on", "premise",
    "prem", "the", "and", "for", "of", "sales", "service", "services", "marketing", "commerce", "data", "hub",
    "center", "centre", "one", "pro", "plus", "365", "v2", "new", "old", "legacy", "instance",
})
_MOST_NAMES_PER_TOKEN = 4  # a word in more names than this is a family name (SAP's many products), not one product


def _distinctive_tokens(name: str) -> frozenset[str]:
    return frozenset(t for t in utils.default_process(name).split() if t not in _AFFIXES and len(t) >= 2)


def _shared_token_suggestions(displays, counts, known, already) -> list[NameSuggestion]:
    """Names sharing a distinctive word once vendor and edition words are set aside ("SAP ERP" and "SAP S/4HANA",
    "Teamcenter PLM" and "Siemens Teamcenter"), that the spelling comparison missed."""
    tokens = [_distinctive_tokens(d) for d in displays]
    holders: dict[str, list[int]] = {}
    for index, words in enumerate(tokens):
        for word in words:
            holders.setdefault(word, []).append(index)
    found: dict[tuple[int, int], str] = {}
    for word, indices in holders.items():
        if 2 <= len(indices) <= _MOST_NAMES_PER_TOKEN:
            for a, i in enumerate(indices):
                for j in indices[a + 1:]:
                    if not (known[i] and known[j]):
                        found.setdefault((i, j), word)
    suggestions = []
    for (i, j), word in sorted(found.items()):
        shared = len(tokens[i] & tokens[j]) / max(len(tokens[i] | tokens[j]), 1)
        suggestion = _suggestion("system", i, j, 100 * shared, displays, counts, known, shared_word=word)
        if (suggestion.name, suggestion.similar_to) not in already:
            suggestions.append(suggestion)
    return suggestions


def object_lookup_key(name: str) -> str:
    """The key an object alias row is filed under (every word singular; no alias applied)."""
    return _object_lookup_key(name)


def _typed_object(name: str, aliases: Aliases) -> str:
    return aliases.objects.get(_object_lookup_key(name), name.strip())


def _suggestion(kind, i, j, similarity, displays, counts, known, shared_word: str = "") -> NameSuggestion:
    # The name to keep is the one in the alias table, else the more common one, else the shorter one.
    def keep_rank(n: int):
        return (not known[n], -counts[n], len(displays[n]), displays[n])

    keep, rename = (i, j) if keep_rank(i) <= keep_rank(j) else (j, i)
    name, similar_to = displays[rename], displays[keep]
    words_name = set(utils.default_process(name).split())
    words_other = set(utils.default_process(similar_to).split())
    if shared_word:
        vendor = sorted((words_name ^ words_other) & _AFFIXES)
        aside = f", once vendor or edition words ({', '.join(vendor)}) are set aside" if vendor else ""
        why = f"'{name}' and '{similar_to}' share the distinctive word '{shared_word}'{aside}"
    elif words_other <= words_name or words_name <= words_other:
        longer, shorter = (name, similar_to) if len(words_name) >= len(words_other) else (similar_to, name)
        why = f"'{longer}' contains every word of '{shorter}'"
    else:
        why = f"'{name}' is spelled almost like '{similar_to}' ({similarity:.0f}% similar)"
    reason = f"{why}; if they are the same {kind}, add the alias row {name},{similar_to}"
    return NameSuggestion(kind=kind, name=name, similar_to=similar_to, similarity=round(similarity, 1), reason=reason)
