"""Overlap clusters: connected groups of overlapping integrations, what they cost, and the survivor of each."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from heapq import nsmallest

from core.domain.gc_pause import without_gc_pauses
from core.domain.names import Aliases, canonical_system, normalize_key
from core.domain.overlap.pairs import OverlapPair
from core.domain.ranges import Range
from core.domain.registry import CONTROL_FIELDS, RUNNING, Integration, Status
from core.errors import ConfigError
from core.wording import natural_list, plural


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



# A cluster of thousands of members would list tens of thousands of sentences; keep the strongest.
MAX_CLUSTER_EVIDENCE = 20
_NAMED_IDS = 6  # members named in one evidence sentence before the rest are counted

# Statuses that run (or are about to), in the order a survivor is drawn from them.
_SURVIVOR_STATUS_TIER = {
    Status.LIVE: 0, Status.BUILDING: 0, Status.DEPRECATED: 1, Status.PROPOSED: 2, Status.RETIRED: 3,
}


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
    controls = f"{_controls_met(best)} of {len(CONTROL_FIELDS)} controls"
    words = [owner, controls, plural(_consumer_count(best), "consumer")]
    if runner_up is not None:
        mine, theirs = _survivor_rank(best, run_rates), _survivor_rank(runner_up, run_rates)
        if mine[:3] == theirs[:3]:
            # Tied on the facts people care about: say what broke the tie.
            words.append("lowest run-rate" if mine[:5] != theirs[:5] else "first by id")
    return ", ".join(words)


def _leaving_note(best: Integration, members: Sequence[Integration]) -> str:
    """Name the members passed over because they are on their way out, so a survivor with weaker
    facts (unowned, fewer controls) does not read as a mistake next to a deprecated member."""
    tier = _SURVIVOR_STATUS_TIER[best.status]
    leaving: dict[Status, list[str]] = defaultdict(list)
    for member in members:
        if member.status in (Status.DEPRECATED, Status.RETIRED) and _SURVIVOR_STATUS_TIER[member.status] > tier:
            leaving[member.status].append(member.id)
    parts = []
    for status in (Status.DEPRECATED, Status.RETIRED):
        ids = sorted(leaving.get(status, ()))
        if ids:
            named = natural_list(ids, limit=_NAMED_IDS, noun="integrations")
            parts.append(f"{named} {'is' if len(ids) == 1 else 'are'} {status.value}")
    return "; ".join(parts)


def choose_survivor(
    members: Sequence[Integration], run_rates: Mapping[str, Range], survivor_choices: Collection[str] = ()
) -> tuple[str, str, bool]:
    """Pick the integration a cluster keeps, and say why.

    A member the group chose wins ("chosen by the group"). Otherwise the ranking is: owned before
    unowned, most operational controls, most consumers, lowest likely run-rate, smallest id. The
    survivor is drawn from live and building members first, then deprecated, then proposed, then
    retired: a proposal never replaces something that runs, even when the group picked it, and a
    member on its way out (deprecated, retired) is named in the reason when a running one is kept over it.

    >>> a = Integration(id="INT-1", name="A", source_system="X", target_system="Y", data_objects=("Z",),
    ...                 owner_team="Ops", owner="Ana Silva", has_monitoring=True, consumers=("Finance",))
    >>> b = a.with_changes(id="INT-2", owner=None)
    >>> choose_survivor([a, b], {})
    ('INT-1', 'owned by Ana Silva, 1 of 5 controls, 1 consumer', False)
    >>> choose_survivor([a, b], {}, survivor_choices={"INT-2"})
    ('INT-2', 'chosen by the group; the facts favour INT-1 (owned by Ana Silva, 1 of 5 controls, 1 consumer)', True)

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
    pool = nsmallest(2, (m for m in members if _SURVIVOR_STATUS_TIER[m.status] == best_tier),
                     key=lambda m: _survivor_rank(m, run_rates))
    anything_runs = any(m.status in RUNNING for m in members)

    chosen = [m for m in members if m.id in survivor_choices]
    allowed = [m for m in chosen if m.status in RUNNING or not anything_runs]
    best = pool[0]
    reason = _rank_reason(best, pool[1] if len(pool) > 1 else None, run_rates)
    if allowed:
        pick = min(allowed, key=lambda m: (_SURVIVOR_STATUS_TIER[m.status], _survivor_rank(m, run_rates)))
        # What the facts alone would keep, so the room sees the trade-off it made (or that there was none).
        facts = "as the facts suggest" if pick.id == best.id else f"the facts favour {best.id} ({reason})"
        return pick.id, f"chosen by the group; {facts}", True

    if leaving := _leaving_note(best, members):
        reason += f"; {leaving}"
    refused = [f"{m.id} ({m.status.value})" for m in sorted(chosen, key=lambda m: m.id)]
    if refused:
        reason += f"; the group chose {', '.join(refused)}, but it cannot replace an integration that runs"
    elif anything_runs and any(m.status is Status.PROPOSED for m in members):
        reason += "; a proposal cannot replace an integration that runs"
    return best.id, reason, False


# --- Clusters ------------------------------------------------------------------------------------


def find_root(parent, item):
    """The root of ``item`` in a union-find forest (``parent``: a dict of ids or a list of positions), flattening
    the path on the way so later look-ups are quick."""
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

    >>> from core.domain.overlap import build_overlap_index
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
            ra = find_root(parent, a) if a in parent else parent.setdefault(a, a)
            rb = find_root(parent, b) if b in parent else parent.setdefault(b, b)
            if ra != rb:
                # The smallest id is the root, so the result never depends on pair order.
                if ra < rb:
                    parent[rb] = ra
                else:
                    parent[ra] = rb

        members_of: dict[str, list[str]] = defaultdict(list)
        for item in parent:
            members_of[find_root(parent, item)].append(item)
        links_of: dict[str, list[OverlapPair]] = defaultdict(list)
        for pair in links:
            links_of[find_root(parent, pair.a)].append(pair)

        memo = _NameMemo(aliases or Aliases())
        clusters = [
            _build_cluster(sorted(ids), links_of[root], by_id, run_rates, survivor_choices, memo)
            for root, ids in members_of.items()
            if len(ids) >= 2
        ]
        clusters.sort(key=lambda c: (-c.duplicated_monthly_run_rate.likely, c.id))
        return clusters


def _evidence(links: Sequence[OverlapPair]) -> tuple[str, ...]:
    """The cluster's evidence, strongest first, each sentence naming the members it is true of.

    A pair says "both move Opportunity from Salesforce to Stripe"; in a cluster of four that does not
    say which two. Every pair with the same sentence adds its two ids, so the sentence becomes
    "INT-015, INT-019 and INT-027 all move ..." (each of them does: each shares it with another).
    Sentences that name their integrations already ("INT-7 moves ... and INT-12 moves it back") stay.
    """
    shared: dict[str, set[str]] = {}
    for pair in links:
        for sentence in pair.evidence:
            ids = shared.get(sentence)
            if ids is None:
                if len(shared) >= MAX_CLUSTER_EVIDENCE:
                    continue
                ids = shared[sentence] = set()
            ids.update((pair.a, pair.b))
    return tuple(_naming(sentence, sorted(ids)) for sentence, ids in shared.items())


def _naming(sentence: str, ids: list[str]) -> str:
    if not sentence.startswith("both "):
        return sentence
    rest = sentence.removeprefix("both ")
    if len(ids) == 2:
        return f"{ids[0]} and {ids[1]} both {rest}"
    return f"{natural_list(ids, limit=_NAMED_IDS, noun='others')} all {rest}"


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
    evidence = _evidence(links)
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
        evidence=evidence,
        total_monthly_run_rate=cluster_total,
        survivor=survivor,
        survivor_reason=reason,
        survivor_is_explicit=explicit,
        duplicated_monthly_run_rate=cluster_total - run_rates.get(survivor, zero),
    )
