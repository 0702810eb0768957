"""The overlap score of two integrations, and the sentences that give its evidence."""

from __future__ import annotations

from dataclasses import dataclass

from core.domain.names import Aliases, canonical_object, canonical_system, normalize_key
from core.domain.registry import Integration
from core.wording import natural_list


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
            it = "it" if len(names) == 1 else "them"
            words = self._object_words[keys] = (names, natural_list(names, limit=4, noun="objects"), it)
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
        elif (a_source and a_source in (b_source, b_target)) or (a_target and a_target in (b_source, b_target)):
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
