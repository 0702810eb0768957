"""Overlap detection: which integrations move the same objects between the same systems, and clusters of them.

The parts: :mod:`~core.domain.overlap.pairs` scores two integrations and words the evidence,
:mod:`~core.domain.overlap.index` finds the pairs of a registry without comparing every two rows, and
:mod:`~core.domain.overlap.clusters` groups the pairs into clusters and chooses the survivor of each.
"""

from core.domain.overlap.clusters import Cluster, choose_survivor, cluster_overlaps
from core.domain.overlap.index import OverlapIndex, build_overlap_index
from core.domain.overlap.pairs import OverlapPair

__all__ = ["Cluster", "OverlapIndex", "OverlapPair", "build_overlap_index", "choose_survivor", "cluster_overlaps"]
