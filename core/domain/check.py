"""The "pause before build" gate: proposals that overlap something already live."""

from __future__ import annotations

from dataclasses import dataclass

from core.domain.analysis import RegistryAnalysis
from core.domain.overlap import OverlapPair
from core.domain.registry import Integration, Status

# Not yet live: a proposal still on paper and one being built can both still be stopped before they duplicate.
GATED_STATUSES = frozenset({Status.PROPOSED, Status.BUILDING})


@dataclass(frozen=True)
class BlockedProposal:
    """A proposed integration and the live integrations it would duplicate."""

    proposal: Integration
    overlaps: tuple[tuple[Integration, OverlapPair], ...]  # (live integration, the pair), strongest first

    def describe(self, currency: str = "$") -> str:
        """Plain lines for a terminal or a CI log."""
        verb = "being built by" if self.proposal.status is Status.BUILDING else "proposed by"
        lines = [f"{self.proposal.id} {self.proposal.name} ({verb} {self.proposal.owner_team}) overlaps:"]
        for live, pair in self.overlaps:
            owner = f"owned by {live.owner} ({live.owner_team})" if live.is_owned else f"unowned ({live.owner_team})"
            lines.append(f"  - {live.id} {live.name}, {owner}, overlap {pair.score:.2f}: {pair.evidence[0]}")
        return "\n".join(lines)


def find_blocked_proposals(analysis: RegistryAnalysis) -> list[BlockedProposal]:
    """Every proposal (proposed or building) whose overlap with a live integration reaches the threshold.

    >>> analysis = sample_analysis
    >>> [b.proposal.id for b in find_blocked_proposals(analysis)]
    ['INT-063']

    Args:
        analysis: the analysed registry (threshold from its settings).

    Returns:
        Blocked proposals ordered by id; an empty list means the registry may proceed.
    """
    threshold = analysis.settings.overlap_threshold
    blocked = []
    for proposal in analysis.integrations:
        if proposal.status not in GATED_STATUSES:
            continue
        hits = []
        for pair in analysis.index.pairs_for(proposal):
            other = analysis.by_id.get(pair.b if pair.a == proposal.id else pair.a)
            if other is not None and other.status is Status.LIVE and pair.score >= threshold:
                hits.append((other, pair))
        if hits:
            blocked.append(BlockedProposal(proposal, tuple(hits)))
    return blocked
