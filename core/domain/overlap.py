"""Overlap detection: which integrations move the same objects between the same systems, and clusters of them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from heapq import nsmallest
from operator import attrgetter

import numpy as np

from core.domain.gc_pause import without_gc_pauses
from core.domain.names import Aliases, canonical_object, canonical_system, normalize_key
from core.domain.ranges import Range
from core.domain.registry import CONTROL_FIELDS, Integration, Status
from core.errors import ConfigError
from core.wording import natural_list, plural


@dataclass(frozen=True, slots=True)
class OverlapPair:
    """Two integrations that share evidence of doing the same job.

    ``a`` < ``b`` (ids compared as strings), so a pair has one spelling.
    """

    a: str
    b: str
    score: float  # 0..1, see docs/method.md
    shared_objects: tuple[str, ...]  # canonical object names
    shared_consumers: tuple[str, ...]
    same_source: bool
    same_target: bool
    reversed_direction: bool  # a's source is b's target and vice versa, one of them bidirectional
    evidence: tuple[str, ...]  # plain sentences, e.g. "both move Opportunity from Salesforce to Stripe"

    @property
    def same_route(self) -> bool:
        """Both run between the same two systems the same way (or back, when one syncs both ways)."""
        return (self.same_source and self.same_target) or self.reversed_direction

    @property
    def is_strong(self) -> bool:
        """Same route and a common data object: the same job, clustered at any threshold."""
        return self.same_route and bool(self.shared_objects)

    def other(self, integration_id: str) -> str:
        """The id at the other end of the pair from ``integration_id``."""
        return self.b if integration_id == self.a else self.a


@dataclass(frozen=True, slots=True)
class Cluster:
    """A connected group of overlapping integrations and what their duplication costs."""

    id: str  # "CL-" + the smallest member id: stable while that member stays in the cluster
    members: tuple[str, ...]  # ids, sorted
    pairs: tuple[OverlapPair, ...]
    shared_objects: tuple[str, ...]
    systems: tuple[str, ...]
    teams: tuple[str, ...]
    owners: tuple[str, ...]  # named owners; unowned members are counted in ``unowned``
    unowned: tuple[str, ...]  # ids of members without an owner
    evidence: tuple[str, ...]
    total_monthly_run_rate: Range
    survivor: str
    survivor_reason: str  # in words: "chosen by the group" / "owned, strongest controls ..."
    survivor_is_explicit: bool
    duplicated_monthly_run_rate: Range  # total minus the survivor's run-rate


# --- The score -------------------------------------------------------------------------------------
# A pair exists only with evidence: a common data object moved through a common system, or a
# common consumer. Its score, in [0, 1]:
#
#   same route + a common object ............................. 1.0  (a "strong" pair: the same job)
#   otherwise the sum of (at most 0.6 in total, so below every strong pair):
#     objects    OBJECT_WEIGHT[relation] x shared / all objects of the two (Jaccard)
#                relation "one end"  : same source, same target, or a common system of a two-way sync
#                relation "hand-off" : one's target is the other's source (a chain, or a one-way loop)
#                no common system    : 0, a shared object name alone proves nothing
#     consumers  CONSUMER_WEIGHT x shared / all consumers of the two (Jaccard)
#     route      ROUTE_WEIGHT when the route is the same but the objects differ
#
# "Same route" means same source and same target, or source and target swapped when at least one
# of the two is bidirectional. Strong pairs are linked whatever the threshold: their score is 1.0
# and the clusterer also checks ``OverlapPair.is_strong``, so a threshold can never split them.
STRONG_SCORE = 1.0
# Weights chosen so that, at the default threshold 0.5, a pair that is not strong clusters only
# when objects AND consumers agree almost fully: fan-out from one source to many targets (Segment
# to Snowflake and to Amplitude) or one shared dashboard is a normal pattern, not duplication.
OBJECT_WEIGHT = {"one end": 0.3, "hand-off": 0.1}
CONSUMER_WEIGHT = 0.3
ROUTE_WEIGHT = 0.3

# --- Scale: how candidate pairs are found --------------------------------------------------------
# Pairs are never found by comparing all n² integrations. Every integration is put in buckets:
#   (object, system) for each object it moves and each of its two systems,
#   (object, source, target) "route" buckets (a two-way sync sits in both orientations),
#   consumer, for each consumer it feeds.
# Two integrations are a pair exactly when they share a bucket, so candidates are the bucket pairs.
# Skewed registries make a few buckets huge (5% of 100k rows moving Account out of Salesforce is
# 5,000 rows and 12.5 million pairs), so a bucket with more than CROWDED_BUCKET members is not
# paired exhaustively: its members are sorted by what they move (route, objects, consumers) and
# each is paired with its neighbour in that order, a chain of real, fully scored pairs that connects
# the whole bucket in linear time and keeps the most alike members side by side. Every member of a
# route bucket is strongly linked to every other, so chaining route buckets keeps clusters exact
# for strong links at any threshold; only weaker links inside crowded buckets are sampled. Looking
# up ONE integration (``OverlapIndex.pairs_for``) reads its buckets in full, so that answer is exact.
CROWDED_BUCKET = 16

# A cluster of thousands of members would list tens of thousands of sentences; keep the strongest.
MAX_CLUSTER_EVIDENCE = 20

# Statuses that run (or are about to), in the order a survivor is drawn from them.
_SURVIVOR_STATUS_TIER = {
    Status.LIVE: 0, Status.BUILDING: 0, Status.DEPRECATED: 1, Status.PROPOSED: 2, Status.RETIRED: 3,
}
_RUNS = frozenset({Status.LIVE, Status.BUILDING, Status.DEPRECATED})


class _Features:
    """What overlap compares about one integration, by matching key.

    A plain slotted class rather than a frozen dataclass: 100,000 are built per analysis and the
    frozen constructor is several times slower.
    """

    __slots__ = ("id", "source", "target", "bidirectional", "objects", "consumers")

    def __init__(self, id, source, target, bidirectional, objects, consumers) -> None:
        self.id: str = id
        self.source: str = source  # system key, "" when blank
        self.target: str = target
        self.bidirectional: bool = bidirectional
        self.objects: frozenset[str] = objects  # object keys
        self.consumers: frozenset[str] = consumers  # normalised consumer names

    def order(self) -> tuple:
        """A sort key that puts alike integrations side by side in a crowded bucket."""
        return (self.source, self.target, self.bidirectional, sorted(self.objects), sorted(self.consumers), self.id)


class _Namer:
    """Turns typed names into keys (cached: registries repeat the same few spellings) and back."""

    def __init__(self, aliases: Aliases) -> None:
        self.aliases = aliases
        self._systems: dict[str, str] = {}
        self._objects: dict[str, str] = {}
        self._consumers: dict[str, str] = {}
        # key -> display: the alphabetically first spelling, so the choice never depends on row order
        self.system_names: dict[str, str] = {}
        self.object_names: dict[str, str] = {}
        self.consumer_names: dict[str, str] = {}

    @staticmethod
    def _remember(names: dict[str, str], key: str, display: str) -> None:
        if key and (key not in names or display < names[key]):
            names[key] = display

    def system(self, typed: str, learn: bool = True) -> str:
        key = self._systems.get(typed)
        if key is None:
            display = canonical_system(typed, self.aliases)
            key = normalize_key(display)
            if learn:
                self._systems[typed] = key
                self._remember(self.system_names, key, display)
        return key

    def object(self, typed: str, learn: bool = True) -> str:
        key = self._objects.get(typed)
        if key is None:
            display = canonical_object(typed, self.aliases)
            key = normalize_key(display)
            if learn:
                self._objects[typed] = key
                self._remember(self.object_names, key, display)
        return key

    def consumer(self, typed: str, learn: bool = True) -> str:
        key = self._consumers.get(typed)
        if key is None:
            key = normalize_key(typed)
            if learn:
                self._consumers[typed] = key
                self._remember(self.consumer_names, key, typed.strip())
        return key

    def features(self, integration: Integration, learn: bool = True) -> _Features:
        """The integration's keys; ``learn=False`` leaves the caches and display names untouched
        (a proposal being scored must not change how the registry's names are shown)."""
        # Cache hits first: this runs once per row and almost every spelling has been seen before.
        systems, objects_seen, consumers_seen = self._systems, self._objects, self._consumers
        typed = integration.source_system
        source = systems[typed] if typed in systems else self.system(typed, learn)
        typed = integration.target_system
        target = systems[typed] if typed in systems else self.system(typed, learn)
        objects = frozenset(
            objects_seen[o] if o in objects_seen else self.object(o, learn) for o in integration.data_objects
        )
        consumers = frozenset(
            consumers_seen[c] if c in consumers_seen else self.consumer(c, learn) for c in integration.consumers
        )
        if "" in objects:
            objects = objects - {""}
        if "" in consumers:
            consumers = consumers - {""}
        return _Features(integration.id, source, target, integration.is_bidirectional, objects, consumers)


class OverlapIndex:
    """The registry bucketed by (object, system), route and consumer, for finding pairs without n² work.

    Build once with :func:`build_overlap_index`, then score any integration against it with
    :meth:`pairs_for` (a few milliseconds at 10,000 rows).
    """

    def __init__(self, integrations: Iterable[Integration], aliases: Aliases, include_retired: bool) -> None:
        self.aliases = aliases
        self.include_retired = include_retired
        self._namer = _Namer(aliases)
        # 100,000 feature objects and their bucket lists: with the collector on, its passes over
        # them took most of the build (3.5 s against 1.3 s paused at 100,000 rows).
        with without_gc_pauses():
            self._build(integrations, include_retired)

    def _build(self, integrations: Iterable[Integration], include_retired: bool) -> None:
        """Compute the features of every kept integration and put them in their buckets."""
        kept = [i for i in integrations if include_retired or i.status is not Status.RETIRED]
        # Positions follow id order, so position order is id order and the result never depends on row order.
        kept.sort(key=lambda i: i.id)
        for before, after in zip(kept, kept[1:]):
            if before.id == after.id:
                raise ValueError(f"integration id {after.id} appears twice; ids must be unique")
        features = self._features = [self._namer.features(i) for i in kept]
        # Lists of positions per bucket, each in ascending position (= id) order.
        object_system = self._object_system = defaultdict(list)
        route = self._route = defaultdict(list)
        consumer_bucket = self._consumer = defaultdict(list)
        for n, f in enumerate(features):
            for bucket in _object_system_keys(f):
                object_system[bucket].append(n)
            for bucket in _route_keys(f):
                route[bucket].append(n)
            for consumer in f.consumers:
                consumer_bucket[consumer].append(n)

    def __len__(self) -> int:
        return len(self._features)

    def pairs_for(self, integration: Integration) -> list[OverlapPair]:
        """Every pair between ``integration`` and the indexed registry, strongest first.

        The integration need not be in the registry (a proposal being scored). An indexed row with
        the same id is skipped: an integration does not overlap itself.

        >>> a = Integration(id="INT-1", name="A", source_system="Salesforce", target_system="Stripe",
        ...                 data_objects=("Opportunity",), owner_team="Sales Ops")
        >>> new = a.with_changes(id="NEW", data_objects=("Opportunities",))
        >>> [(p.a, p.b, p.score) for p in build_overlap_index([a], Aliases()).pairs_for(new)]
        [('INT-1', 'NEW', 1.0)]

        Args:
            integration: the integration to compare.

        Returns:
            Its pairs, highest score first, then by the other id.
        """
        with without_gc_pauses():  # a full collection over a big registry would take longer than the look-up
            return self._pairs_for(integration)

    def _pairs_for(self, integration: Integration) -> list[OverlapPair]:
        f = self._namer.features(integration, learn=False)
        own_names = _Namer(self.aliases)  # the integration's own spellings, without touching the index
        own_names.features(integration)
        found: set[int] = set()
        for bucket in _object_system_keys(f):
            found.update(self._object_system.get(bucket, ()))
        for consumer in f.consumers:
            found.update(self._consumer.get(consumer, ()))
        compare = _Comparer(self._namer, own_names).compare
        pairs = [
            compare(f, other) if f.id < other.id else compare(other, f)
            for other in (self._features[n] for n in found)
            if other.id != f.id
        ]
        return sorted(pairs, key=lambda p: (-p.score, p.other(f.id)))

    def _system_ids(self) -> tuple[dict[str, int], np.ndarray, np.ndarray]:
        """Integer stand-ins for the systems: id per system key, and each feature's source and target ids.

        Assigned from sorted keys, so they never depend on row order.
        """
        features = self._features
        system_keys = sorted({f.source for f in features} | {f.target for f in features})
        system_id = {key: k for k, key in enumerate(system_keys)}
        source_id = np.fromiter((system_id[f.source] for f in features), dtype=np.int64, count=len(features))
        target_id = np.fromiter((system_id[f.target] for f in features), dtype=np.int64, count=len(features))
        return system_id, source_id, target_id

    def _candidate_codes(self, system_id: dict[str, int], source_id: np.ndarray, target_id: np.ndarray) -> np.ndarray:
        """Candidate pairs as sorted, distinct ``i * n + j`` codes (i < j).

        Every pair of a small bucket, and a chain through each crowded one. Built with numpy:
        at 100,000 rows there are a few million bucket pairs before duplicates are removed.

        Args:
            system_id, source_id, target_id: from :meth:`_system_ids` (the sort keys of crowded buckets).
        """
        features = self._features
        n = len(features)
        if n < 2:
            return np.empty(0, dtype=np.int64)
        rank = np.empty(n, dtype=np.int64)
        rank[sorted(range(n), key=lambda m: features[m].order())] = np.arange(n)

        small: dict[int, list[list[int]]] = defaultdict(list)  # bucket size -> buckets of that size
        chunks: list[np.ndarray] = []

        def chain(members: list[int], around: int | None = None) -> None:
            m = np.asarray(members, dtype=np.int64)
            if around is None:
                ordered = m[np.argsort(rank[m], kind="stable")]
            else:
                # Members reading from the system first, each group ordered by its other end.
                reads = source_id[m] == around
                other_end = np.where(reads, target_id[m], source_id[m])
                ordered = m[np.lexsort((rank[m], other_end, ~reads))]
            first, second = ordered[:-1], ordered[1:]
            chunks.append(np.minimum(first, second) * n + np.maximum(first, second))

        for bucket_kind in (self._route, self._consumer, self._object_system):
            for key, members in bucket_kind.items():
                if len(members) < 2:
                    continue
                if len(members) <= CROWDED_BUCKET:
                    small[len(members)].append(members)
                else:
                    chain(members, system_id[key[1]] if bucket_kind is self._object_system else None)
        for size, buckets in small.items():
            # Members are in ascending position order, so the upper triangle gives i < j.
            grid = np.array(buckets, dtype=np.int64)
            upper_i, upper_j = np.triu_indices(size, 1)
            chunks.append((grid[:, upper_i] * n + grid[:, upper_j]).ravel())
        return np.unique(np.concatenate(chunks)) if chunks else np.empty(0, dtype=np.int64)

    def _could_reach(self, first: np.ndarray, second: np.ndarray, min_score: float, source: np.ndarray,
                     target: np.ndarray) -> np.ndarray:
        """Which candidate pairs could score ``min_score`` or be strong, from each side's ends and consumers alone.

        Only a pair on one route (same ends, or reversed) can be strong or earn the route weight; any other pair
        scores at most the largest object weight, plus the consumer weight when both sides name consumers. At the
        default threshold that rules out most candidates (pairs sharing one end, one of them without consumers)
        before they are measured one by one. The bound never rules out a pair :meth:`list_pairs` would keep.
        ``source`` and ``target`` are each feature's system ids (:meth:`_system_ids`).
        """
        features = self._features
        consumers = np.fromiter((bool(f.consumers) for f in features), bool, len(features))
        one_route = (((source[first] == source[second]) & (target[first] == target[second]))
                     | ((source[first] == target[second]) & (target[first] == source[second])))
        best_otherwise = max(OBJECT_WEIGHT.values()) + CONSUMER_WEIGHT * (consumers[first] & consumers[second])
        return one_route | (best_otherwise >= min_score)

    def list_pairs(self, min_score: float | None = None) -> list[OverlapPair]:
        """Every pair of integrations in the indexed registry that share evidence of doing the same job.

        Inside very crowded groups (more than ``CROWDED_BUCKET`` rows sharing an object and system, a route or
        a consumer) only a chain of neighbouring pairs is listed, which keeps the clusters the same for
        same-route pairs and keeps 100,000 rows to seconds (see the comment above ``CROWDED_BUCKET``).

        >>> a = Integration(id="INT-1", name="A", source_system="Salesforce", target_system="Stripe",
        ...                 data_objects=("Opportunity",), owner_team="Sales Ops")
        >>> b = a.with_changes(id="INT-2", target_system="NetSuite")
        >>> index = build_overlap_index([a, a.with_changes(id="INT-3"), b], Aliases())
        >>> [(p.a, p.b, p.score) for p in index.list_pairs()]
        [('INT-1', 'INT-3', 1.0), ('INT-1', 'INT-2', 0.3), ('INT-2', 'INT-3', 0.3)]
        >>> [(p.a, p.b) for p in index.list_pairs(min_score=0.5)]
        [('INT-1', 'INT-3')]

        Args:
            min_score: keep only pairs scoring at least this, and strong pairs (which link at any
                threshold); ``None`` keeps every pair. Every candidate is still scored, but only
                the kept ones are put into words: at 100,000 rows fewer than 2 % of the pairs reach
                the default threshold, and wording the rest was most of the time.

        Returns:
            Pairs, highest score first, then by ids: with ``min_score``, exactly the pairs of
            ``list_pairs()`` that score at least ``min_score`` or are strong, the same values in the
            same order.
        """
        with without_gc_pauses():
            n = len(self._features)
            features = self._features
            comparer = _Comparer(self._namer)
            system_id, source_id, target_id = self._system_ids()
            codes = self._candidate_codes(system_id, source_id, target_id)
            first, second = codes // n, codes % n
            if min_score is not None:
                could = self._could_reach(first, second, min_score, source_id, target_id)
                first, second = first[could], second[could]
            positions = zip(first.tolist(), second.tolist())
            # Codes sort like (a, b) because positions follow id order; the stable sort by score
            # afterwards keeps that order among equal scores.
            if min_score is None:
                compare = comparer.compare
                pairs = [compare(features[i], features[j]) for i, j in positions]
            else:
                measure, describe = comparer.measure, comparer.describe
                pairs = []
                for i, j in positions:
                    a, b = features[i], features[j]
                    facts = measure(a, b)
                    # facts[0] is the score; a strong pair (same route, facts[1], and a common
                    # object, facts[2]) is kept whatever the threshold, as the clusterer links it.
                    if facts[0] >= min_score or (facts[1] == "route" and facts[2]):
                        pairs.append(describe(a, b, facts))
            pairs.sort(key=attrgetter("score"), reverse=True)
            return pairs


def build_overlap_index(
    integrations: Iterable[Integration], aliases: Aliases, *, include_retired: bool = False
) -> OverlapIndex:
    """Bucket the registry for overlap look-ups; build once, query many times.

    >>> a = Integration(id="INT-1", name="A", source_system="Salesforce", target_system="Stripe",
    ...                 data_objects=("Opportunity",), owner_team="Sales Ops")
    >>> len(build_overlap_index([a, a.with_changes(id="INT-2", status=Status.RETIRED)], Aliases()))
    1

    Args:
        integrations: registry rows; ids must be unique.
        aliases: system and object alias tables.
        include_retired: also index retired integrations (normally ignored).

    Returns:
        The index.

    Raises:
        ValueError: when two rows share an id.
    """
    return OverlapIndex(integrations, aliases, include_retired)


def _object_system_keys(f: _Features) -> set[tuple[str, str]]:
    systems = {s for s in (f.source, f.target) if s}
    return {(obj, system) for obj in f.objects for system in systems}


def _route_keys(f: _Features) -> set[tuple[str, str, str]]:
    if not (f.source and f.target):
        return set()
    keys = {(obj, f.source, f.target) for obj in f.objects}
    if f.bidirectional:
        # A two-way sync is the same job as a one-way flow in either direction.
        keys |= {(obj, f.target, f.source) for obj in f.objects}
    return keys


def _consumer_phrase(name: str) -> str:
    # "Revenue dashboard" reads better as "the Revenue dashboard"; "Ana Silva" or "Finance" do not.
    last = name.split()[-1]
    return f"the {name}" if " " in name and last.isalpha() and last.islower() else name


def _name_chooser(names: dict[str, str], extra: dict[str, str] | None):
    """key -> display name; with ``extra``, the alphabetically first of the two spellings."""
    if not extra:
        return lambda key: names.get(key, key)

    def choose(key: str) -> str:
        mine, theirs = names.get(key), extra.get(key)
        if mine is None or (theirs is not None and theirs < mine):
            return theirs if theirs is not None else key
        return mine

    return choose


class _Comparer:
    """Scores a pair with the formula above and puts it into words.

    This runs once per candidate pair (a million at 100,000 rows), so it is written for speed:
    the wording of each shared-object and shared-consumer set is cached, as few sets recur a lot.
    """

    def __init__(self, namer: _Namer, extra: _Namer | None = None) -> None:
        # ``extra`` knows the spellings of an integration outside the index (a proposal), so a
        # pair is worded the same whichever of its two integrations is the one being looked up.
        self._system_name = _name_chooser(namer.system_names, extra.system_names if extra else None)
        self._object_name = _name_chooser(namer.object_names, extra.object_names if extra else None)
        self._consumer_name = _name_chooser(namer.consumer_names, extra.consumer_names if extra else None)
        self._object_words: dict[frozenset[str], tuple[tuple[str, ...], str, str]] = {}
        self._single_object_words: dict[str, tuple[tuple[str, ...], str, str]] = {}
        self._consumer_words: dict[frozenset[str], tuple[tuple[str, ...], str]] = {}
        self._sentences: dict[tuple, str] = {}

    def _objects(self, keys: frozenset[str]) -> tuple[tuple[str, ...], str, str]:
        if len(keys) == 1:
            # Most pairs share one object: look it up by its string, whose hash Python keeps.
            (key,) = keys
            words = self._single_object_words.get(key)
            if words is None:
                name = self._object_name(key)
                words = self._single_object_words[key] = ((name,), name, "it")
            return words
        words = self._object_words.get(keys)
        if words is None:
            names = tuple(sorted(map(self._object_name, keys), key=str.casefold))
            words = self._object_words[keys] = (names, natural_list(names, limit=4, noun="objects"), "it" if len(names) == 1 else "them")
        return words

    def _consumers(self, keys: frozenset[str]) -> tuple[tuple[str, ...], str]:
        words = self._consumer_words.get(keys)
        if words is None:
            names = tuple(sorted(map(self._consumer_name, keys), key=str.casefold))
            sentence = f"both feed {natural_list([_consumer_phrase(c) for c in names], limit=4, noun='consumers')}"
            words = self._consumer_words[keys] = (names, sentence)
        return words

    def compare(self, a: _Features, b: _Features) -> OverlapPair:
        """The pair of ``a`` and ``b`` (``a.id`` < ``b.id``), scored and described."""
        return self.describe(a, b, self.measure(a, b))

    def measure(self, a: _Features, b: _Features) -> tuple:
        """The scoring half of :meth:`compare`: what the two share and the pair's score, no words.

        Args:
            a: the integration with the smaller id.
            b: the other one.

        Returns:
            ``(score, relation, shared object keys, shared consumer keys, same_source, same_target,
            reversed_direction)``, a plain tuple: this runs for every candidate pair. ``relation``
            is "route", "one end", "hand-off" or "none".
        """
        a_objects, b_objects = a.objects, b.objects
        shared_objects = a_objects & b_objects
        shared_consumers = a.consumers & b.consumers
        a_source, a_target, b_source, b_target = a.source, a.target, b.source, b.target
        same_source = a_source == b_source and a_source != ""
        same_target = a_target == b_target and a_target != ""
        either_two_way = a.bidirectional or b.bidirectional
        reversed_direction = (
            either_two_way and a_source == b_target and a_target == b_source and a_source != "" and a_target != ""
        )
        if (same_source and same_target) or reversed_direction:
            relation = "route"
        elif same_source or same_target:
            relation = "one end"
        elif (a_source and (a_source == b_source or a_source == b_target)) or (
            a_target and (a_target == b_source or a_target == b_target)
        ):
            relation = "one end" if either_two_way else "hand-off"
        else:
            relation = "none"

        if relation == "route" and shared_objects:
            score = STRONG_SCORE
        else:
            score = 0.0
            if shared_objects and relation in OBJECT_WEIGHT:
                shared = len(shared_objects)
                score += OBJECT_WEIGHT[relation] * shared / (len(a_objects) + len(b_objects) - shared)
            if shared_consumers:
                shared = len(shared_consumers)
                score += CONSUMER_WEIGHT * shared / (len(a.consumers) + len(b.consumers) - shared)
            if relation == "route":
                score += ROUTE_WEIGHT
            score = round(score, 4)  # the same pair scores identically whichever way it was reached
        return score, relation, shared_objects, shared_consumers, same_source, same_target, reversed_direction

    def describe(self, a: _Features, b: _Features, facts: tuple) -> OverlapPair:
        """The wording half of :meth:`compare`: the pair with its shared names and evidence.

        Args:
            a: the integration with the smaller id.
            b: the other one.
            facts: what :meth:`measure` returned for ``a`` and ``b``.

        Returns:
            The pair, scored and described.
        """
        score, relation, shared_objects, shared_consumers, same_source, same_target, reversed_direction = facts
        objects: tuple[str, ...] = ()
        consumers: tuple[str, ...] = ()
        if shared_objects:
            objects, what, it = self._objects(shared_objects)
            sentence = self._object_sentence(a, b, relation, what, it, same_source, same_target, reversed_direction)
            if shared_consumers:
                consumers, consumer_sentence = self._consumers(shared_consumers)
                evidence = (sentence, consumer_sentence)
            else:
                evidence = (sentence,)
        else:
            consumers, consumer_sentence = self._consumers(shared_consumers)
            if relation == "route":
                name = self._system_name
                route = f"both connect {name(a.source)} and {name(a.target)}, moving different data"
                evidence = (route, consumer_sentence)
            else:
                evidence = (consumer_sentence,)
        return OverlapPair(
            a.id, b.id, score, objects, consumers, same_source, same_target, reversed_direction, evidence
        )

    def _object_sentence(self, a, b, relation, what, it, same_source, same_target, reversed_direction) -> str:
        # The commonest sentences name no id ("both move Account out of Salesforce"): reuse them.
        if relation == "one end" and (same_source or same_target):
            key = (same_source, a.source if same_source else a.target, what)
        elif relation == "route" and a.bidirectional is b.bidirectional:
            key = (a.bidirectional, a.source, a.target, what)
        else:
            return self._write_object_sentence(a, b, relation, what, it, same_source, same_target, reversed_direction)
        sentence = self._sentences.get(key)
        if sentence is None:
            sentence = self._sentences[key] = self._write_object_sentence(
                a, b, relation, what, it, same_source, same_target, reversed_direction
            )
        return sentence

    def _write_object_sentence(self, a, b, relation, what, it, same_source, same_target, reversed_direction) -> str:
        name = self._system_name
        src, tgt = name(a.source), name(a.target)
        if relation == "route":
            if a.bidirectional and b.bidirectional:
                return f"both sync {what} between {src} and {tgt} both ways"
            if reversed_direction and not same_source:
                one_way, two_way = (a, b) if b.bidirectional else (b, a)
                return (
                    f"{one_way.id} moves {what} from {name(one_way.source)} to "
                    f"{name(one_way.target)} and {two_way.id} syncs {it} back both ways"
                )
            if a.bidirectional or b.bidirectional:
                return f"both move {what} from {src} to {tgt} ({(a if a.bidirectional else b).id} both ways)"
            return f"both move {what} from {src} to {tgt}"
        if relation == "one end":
            if same_source:
                return f"both move {what} out of {src}"
            if same_target:
                return f"both move {what} into {tgt}"
            common = sorted(name(k) for k in {a.source, a.target} & {b.source, b.target} - {""})
            return f"both exchange {what} with {natural_list(common, limit=4)}"
        if relation == "hand-off":
            first, second = (a, b) if a.target and a.target == b.source else (b, a)
            via = name(first.target)
            if first.source == second.target:
                return f"{first.id} moves {what} from {name(first.source)} to {via} and {second.id} moves {it} back"
            return f"{first.id} moves {what} into {via} and {second.id} moves {it} on from there"
        return f"both move {what}, between different systems"


# --- Survivor ------------------------------------------------------------------------------------


def _controls_met(integration: Integration) -> int:
    return sum(getattr(integration, name) is True for name in CONTROL_FIELDS)


# Consumer names repeat across rows; remembering their keys saves a regex per name per cluster.
_consumer_key = lru_cache(maxsize=1 << 16)(normalize_key)


def _consumer_count(integration: Integration) -> int:
    return len({_consumer_key(c) for c in integration.consumers} - {""})


def _survivor_rank(integration: Integration, run_rates: Mapping[str, Range]) -> tuple:
    rate = run_rates.get(integration.id)
    return (
        not integration.is_owned,
        -_controls_met(integration),
        -_consumer_count(integration),
        rate is None,  # an unknown run-rate never wins on cheapness
        rate.likely if rate is not None else 0.0,
        integration.id,
    )


def _rank_reason(best: Integration, runner_up: Integration | None, run_rates: Mapping[str, Range]) -> str:
    owner = f"owned by {best.owner.strip()}" if best.is_owned else "unowned"
    words = [owner, f"{_controls_met(best)} of {len(CONTROL_FIELDS)} controls", plural(_consumer_count(best), "consumer")]
    if runner_up is not None:
        mine, theirs = _survivor_rank(best, run_rates), _survivor_rank(runner_up, run_rates)
        if mine[:3] == theirs[:3]:
            # Tied on the facts people care about: say what broke the tie.
            words.append("lowest run-rate" if mine[:5] != theirs[:5] else "first by id")
    return ", ".join(words)


def choose_survivor(
    members: Sequence[Integration], run_rates: Mapping[str, Range], survivor_choices: Collection[str] = ()
) -> tuple[str, str, bool]:
    """Pick the integration a cluster keeps, and say why.

    A member the group chose wins ("chosen by the group"). Otherwise the ranking is: owned before
    unowned, most operational controls, most consumers, lowest likely run-rate, smallest id. The
    survivor is drawn from live and building members first, then deprecated, then proposed, then
    retired: a proposal never replaces something that runs, even when the group picked it.

    >>> a = Integration(id="INT-1", name="A", source_system="X", target_system="Y", data_objects=("Z",),
    ...                 owner_team="Ops", owner="Ana Silva", has_monitoring=True, consumers=("Finance",))
    >>> b = a.with_changes(id="INT-2", owner=None)
    >>> choose_survivor([a, b], {})
    ('INT-1', 'owned by Ana Silva, 1 of 5 controls, 1 consumer', False)
    >>> choose_survivor([a, b], {}, survivor_choices={"INT-2"})
    ('INT-2', 'chosen by the group', True)

    Args:
        members: the cluster's integrations (at least one).
        run_rates: likely monthly run-rate by id; a missing id ranks after known ones on cost.
        survivor_choices: ids the group has chosen to keep (any cluster's).

    Returns:
        ``(survivor id, reason in words, whether the group chose it)``.

    Raises:
        ValueError: when ``members`` is empty.
    """
    if not members:
        raise ValueError("a cluster needs at least one member to choose a survivor from")
    best_tier = min(_SURVIVOR_STATUS_TIER[m.status] for m in members)
    # The best two are enough (the second explains a tie); clusters can have thousands of members.
    pool = nsmallest(
        2, (m for m in members if _SURVIVOR_STATUS_TIER[m.status] == best_tier), key=lambda m: _survivor_rank(m, run_rates)
    )
    anything_runs = any(m.status in _RUNS for m in members)

    chosen = [m for m in members if m.id in survivor_choices]
    allowed = [m for m in chosen if m.status in _RUNS or not anything_runs]
    if allowed:
        pick = min(allowed, key=lambda m: (_SURVIVOR_STATUS_TIER[m.status], _survivor_rank(m, run_rates)))
        return pick.id, "chosen by the group", True

    best = pool[0]
    reason = _rank_reason(best, pool[1] if len(pool) > 1 else None, run_rates)
    refused = [f"{m.id} ({m.status.value})" for m in sorted(chosen, key=lambda m: m.id)]
    if refused:
        reason += f"; the group chose {', '.join(refused)}, but it cannot replace an integration that runs"
    elif anything_runs and any(m.status is Status.PROPOSED for m in members):
        reason += "; a proposal cannot replace an integration that runs"
    return best.id, reason, False


# --- Clusters ------------------------------------------------------------------------------------


def _find(parent: dict[str, str], item: str) -> str:
    root = item
    while parent[root] != root:
        root = parent[root]
    while parent[item] != root:  # path compression keeps later look-ups flat
        parent[item], item = root, parent[item]
    return root


class _NameMemo:
    """Per-analysis memo of name keys and canonical systems: clusters repeat the same few names."""

    def __init__(self, aliases: Aliases) -> None:
        self.aliases = aliases
        self._keys: dict[str, str] = {}
        self._systems: dict[str, str] = {}

    def key(self, name: str) -> str:
        key = self._keys.get(name)
        if key is None:
            key = self._keys[name] = _consumer_key(name)
        return key

    def system(self, typed: str) -> str:
        name = self._systems.get(typed)
        if name is None:
            name = self._systems[typed] = canonical_system(typed, self.aliases)
        return name

    def distinct(self, names: Iterable[str | None]) -> tuple[str, ...]:
        """Names without blanks or case/punctuation repeats, alphabetically (the first spelling
        alphabetically stands for its repeats, so row order never changes the answer)."""
        by_key: dict[str, str] = {}
        for name in {(name or "").strip() for name in names}:  # a big cluster repeats a few names
            key = self.key(name)
            if key and (key not in by_key or name < by_key[key]):
                by_key[key] = name
        return tuple(sorted(by_key.values(), key=str.casefold))


def cluster_overlaps(
    integrations: Iterable[Integration],
    pairs: Iterable[OverlapPair],
    run_rates: Mapping[str, Range],
    *,
    threshold: float,
    survivor_choices: Collection[str] = (),
    aliases: Aliases | None = None,
) -> list[Cluster]:
    """Group overlapping integrations: connected components of pairs at or above the threshold.

    Strong pairs (same route and a common object) always link. Single integrations are not
    clusters. The duplicated monthly run-rate is the cluster's total minus its survivor's.

    >>> a = Integration(id="INT-1", name="A", source_system="Salesforce", target_system="Stripe",
    ...                 data_objects=("Opportunity",), owner_team="Sales Ops", owner="Ana Silva")
    >>> b = a.with_changes(id="INT-2", owner=None, owner_team="Finance")
    >>> rates = {"INT-1": Range(100, 120, 150), "INT-2": Range(200, 250, 300)}
    >>> pairs = build_overlap_index([a, b], Aliases()).list_pairs()
    >>> cluster, = cluster_overlaps([a, b], pairs, rates, threshold=0.5)
    >>> cluster.id, cluster.survivor, cluster.duplicated_monthly_run_rate
    ('CL-INT-1', 'INT-1', Range(low=200.0, likely=250.0, high=300.0))

    Args:
        integrations: registry rows; pairs naming other ids are ignored.
        pairs: pairs from :meth:`OverlapIndex.list_pairs`.
        run_rates: monthly run-rate by id; a missing id counts as zero.
        threshold: the lowest score that links two integrations (above 0, at most 1).
        survivor_choices: ids the group has chosen to keep.
        aliases: used to show member systems by canonical name; ``None`` shows them as typed.

    Returns:
        Clusters, largest duplicated likely run-rate first, then by id.

    Raises:
        ConfigError: when the threshold is not above 0 and at most 1.
    """
    if not isinstance(threshold, (int, float)) or not 0 < threshold <= 1:
        raise ConfigError(f"overlap threshold must be a number above 0 and at most 1 (got {threshold})")
    with without_gc_pauses():
        by_id = {i.id: i for i in integrations}
        parent: dict[str, str] = {}
        links: list[OverlapPair] = []
        for pair in pairs:
            # ``is_strong`` spelled out: this loop sees every pair, most of them below the threshold.
            if pair.score < threshold and not (
                pair.shared_objects and (pair.reversed_direction or (pair.same_source and pair.same_target))
            ):
                continue
            a, b = pair.a, pair.b
            if a == b or a not in by_id or b not in by_id:
                continue
            links.append(pair)
            ra = _find(parent, a) if a in parent else parent.setdefault(a, a)
            rb = _find(parent, b) if b in parent else parent.setdefault(b, b)
            if ra != rb:
                # The smallest id is the root, so the result never depends on pair order.
                if ra < rb:
                    parent[rb] = ra
                else:
                    parent[ra] = rb

        members_of: dict[str, list[str]] = defaultdict(list)
        for item in parent:
            members_of[_find(parent, item)].append(item)
        links_of: dict[str, list[OverlapPair]] = defaultdict(list)
        for pair in links:
            links_of[_find(parent, pair.a)].append(pair)

        memo = _NameMemo(aliases or Aliases())
        clusters = [
            _build_cluster(sorted(ids), links_of[root], by_id, run_rates, survivor_choices, memo)
            for root, ids in members_of.items()
            if len(ids) >= 2
        ]
        clusters.sort(key=lambda c: (-c.duplicated_monthly_run_rate.likely, c.id))
        return clusters


def _build_cluster(
    ids: list[str],
    links: list[OverlapPair],
    by_id: Mapping[str, Integration],
    run_rates: Mapping[str, Range],
    survivor_choices: Collection[str],
    memo: _NameMemo,
) -> Cluster:
    members = [by_id[i] for i in ids]
    # Pairs can be repeated by a caller; one of each, strongest first.
    links = sorted({(p.a, p.b): p for p in links}.values(), key=lambda p: (-p.score, p.a, p.b))
    evidence: dict[str, None] = {}
    for pair in links:
        for sentence in pair.evidence:
            evidence.setdefault(sentence)
        if len(evidence) >= MAX_CLUSTER_EVIDENCE:
            break
    zero = Range.zero()
    rates = [run_rates.get(i, zero) for i in ids]
    # Summed component-wise: one Range, not one per member (clusters can have thousands).
    cluster_total = Range(sum(r.low for r in rates), sum(r.likely for r in rates), sum(r.high for r in rates))
    survivor, reason, explicit = choose_survivor(members, run_rates, survivor_choices)
    return Cluster(
        id=f"CL-{ids[0]}",
        members=tuple(ids),
        pairs=tuple(links),
        shared_objects=tuple(sorted({o for p in links for o in p.shared_objects}, key=str.casefold)),
        systems=memo.distinct(memo.system(name) for m in members for name in (m.source_system, m.target_system)),
        teams=memo.distinct(m.owner_team for m in members),
        owners=memo.distinct(m.owner for m in members if m.is_owned),
        unowned=tuple(m.id for m in members if not m.is_owned),
        evidence=tuple(list(evidence)[:MAX_CLUSTER_EVIDENCE]),
        total_monthly_run_rate=cluster_total,
        survivor=survivor,
        survivor_reason=reason,
        survivor_is_explicit=explicit,
        duplicated_monthly_run_rate=cluster_total - run_rates.get(survivor, zero),
    )
