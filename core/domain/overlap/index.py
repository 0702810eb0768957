"""The overlap index: the registry bucketed so that pairs are found without comparing every two rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from operator import attrgetter

import numpy as np

from core.domain.gc_pause import without_gc_pauses
from core.domain.names import Aliases
from core.domain.overlap.clusters import find_root
from core.domain.overlap.pairs import (CONSUMER_WEIGHT, OBJECT_WEIGHT, ROUTE_WEIGHT, OverlapPair, _Comparer,
    _Features, _Namer)
from core.domain.registry import Integration, Status

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
# for strong links at any threshold. Weaker links inside crowded buckets are found, when clustering at a
# threshold (``list_pairs(min_score=...)``), from much smaller groups that every pair reaching it must share
# (OverlapIndex._linkable_groups), so the clusters are exactly those of comparing every pair with the same
# scorer. Looking up ONE integration (``OverlapIndex.pairs_for``) reads its buckets in full: exact too.
CROWDED_BUCKET = 16
# The exact pairing above compares every two members of a group that are not already strongly linked. A registry
# built to break it (2,000 rows from one system, each to a system of its own, all feeding one dashboard) asks for
# millions of such pairs: 36 s and 1.1 GB at 2,000 rows, the server killed for memory at 10,000. Past this many
# pairs a group is chained like a crowded bucket (linear, and still exact whenever neighbours in its order link).
# The 100,000-row benchmark registry needs under 7,000 (its largest group 351).
EXACT_PAIR_BUDGET = 250_000


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

    def _candidate_codes(self, system_id: dict[str, int], source_id: np.ndarray, target_id: np.ndarray,
                         min_score: float | None = None) -> np.ndarray:
        """Candidate pairs as sorted, distinct ``i * n + j`` codes (i < j).

        Every pair of a small bucket, and a chain through each crowded one. Built with numpy:
        at 100,000 rows there are a few million bucket pairs before duplicates are removed.

        With ``min_score`` (clustering), every pair that could score it is a candidate too, so the clusters are
        exactly those of comparing every pair (:meth:`_linkable_codes`).

        Args:
            system_id, source_id, target_id: from :meth:`_system_ids` (the sort keys of crowded buckets).
            min_score: the clustering threshold, or ``None`` when every pair is listed.
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
        if min_score is not None:
            component = self._strong_components()
            budget = EXACT_PAIR_BUDGET
            for members in self._linkable_groups(min_score):
                positions = np.asarray(members, dtype=np.int64)
                components = component[positions]
                if (components == components[0]).all():
                    continue  # already one strongly linked group: its pairs cannot change a cluster
                if len(members) <= CROWDED_BUCKET:
                    small[len(members)].append(members)
                    continue
                sizes = np.unique(components, return_counts=True)[1]
                across = (len(members) ** 2 - int((sizes ** 2).sum())) // 2
                if across > budget:
                    chain(members)  # see EXACT_PAIR_BUDGET: linked like a crowded bucket instead
                else:
                    budget -= across
                    chunks.append(_pairs_across(positions, components, n))
        for size, buckets in small.items():
            # Members are in ascending position order, so the upper triangle gives i < j.
            grid = np.array(buckets, dtype=np.int64)
            upper_i, upper_j = np.triu_indices(size, 1)
            chunks.append((grid[:, upper_i] * n + grid[:, upper_j]).ravel())
        return np.unique(np.concatenate(chunks)) if chunks else np.empty(0, dtype=np.int64)

    def _strong_components(self) -> np.ndarray:
        """Each position's strongly linked group: the members of a route bucket share a route and an object,
        so each pair of them is strong and links at any threshold; a pair inside one group never changes a cluster.

        Without this, 10,000 rows on one route and feeding one consumer made 50 million candidate pairs.
        """
        parent = list(range(len(self._features)))
        for members in self._route.values():
            root = find_root(parent, members[0])
            for member in members[1:]:
                other = find_root(parent, member)
                if other != root:
                    parent[other] = root
        return np.fromiter((find_root(parent, m) for m in range(len(parent))), dtype=np.int64, count=len(parent))

    def _linkable_groups(self, min_score: float) -> list[list[int]]:
        """Groups of positions, each in ascending order, such that every pair scoring ``min_score`` or more is
        inside one of them; the chains through crowded buckets already link every strong pair.

        A pair that is not strong scores at most 0.3 without a common consumer (the object share or the route
        weight; see core.domain.overlap.pairs). Above that, such a pair shares a consumer and either a data object
        through a common system or its two ends: one of the groups (consumer, object, system) or (consumer, the two
        ends). These are far smaller than the crowded buckets, and all their pairs are candidates. At a threshold
        of 0.3 or less, any pair sharing a bucket may link: every crowded bucket's pairs are candidates (exact,
        and quadratic in the size of the largest bucket).
        """
        crowded = [members for kind in (self._consumer, self._object_system) for members in kind.values()
                   if len(members) > CROWDED_BUCKET]
        if min_score <= max(max(OBJECT_WEIGHT.values()), ROUTE_WEIGHT):
            return crowded
        in_crowded = {m for members in crowded for m in members}
        groups: dict[tuple, list[int]] = defaultdict(list)
        for position in sorted(in_crowded):
            f = self._features[position]
            if not f.consumers:
                continue
            ends = frozenset((f.source, f.target)) if f.source and f.target else None
            keys = _object_system_keys(f)
            for consumer in f.consumers:
                for key in keys:
                    groups[(consumer, *key)].append(position)
                if ends is not None:
                    groups[(consumer, ends)].append(position)
        return [members for members in groups.values() if len(members) > 1]

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

        Without ``min_score``, inside very crowded groups (more than ``CROWDED_BUCKET`` rows sharing an object and
        system, a route or a consumer) only a chain of neighbouring pairs is listed, which keeps 100,000 rows to
        seconds. With ``min_score`` every pair that reaches it is listed as well, so clustering these pairs gives
        exactly the clusters of comparing every pair (see the comment above ``CROWDED_BUCKET``).

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
            codes = self._candidate_codes(system_id, source_id, target_id, min_score)
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


def _pairs_across(members: np.ndarray, components: np.ndarray, n: int) -> np.ndarray:
    """Every pair of a group whose two members are in different strongly linked groups, as ``i * n + j`` codes
    (``i < j``); ``components[k]`` is the strongly linked group of ``members[k]``."""
    order = np.argsort(components, kind="stable")
    members, components = members[order], components[order]
    starts = np.flatnonzero(np.r_[True, components[1:] != components[:-1]])
    ends = np.r_[starts[1:], len(members)]
    chunks = []
    for start, end in zip(starts.tolist(), ends.tolist()):
        block, rest = members[start:end], members[end:]
        if len(rest):
            first, second = np.repeat(block, len(rest)), np.tile(rest, len(block))
            chunks.append(np.minimum(first, second) * n + np.maximum(first, second))
    return np.concatenate(chunks) if chunks else np.empty(0, dtype=np.int64)


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


