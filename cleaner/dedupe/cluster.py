"""Clusters of verified pairs: the JSON-serialisable result types.

A cluster is a star (:mod:`cleaner.dedupe.stars`): its representative is the paragraph the
keep policy keeps, and every other member repeats it. Each member carries its document id,
source, paragraph index, text and similarity to the representative, so a cluster can be read
without joining back to the documents. A paragraph near a member but not near the
representative (a near copy of the member, a line quoted in it, or a paragraph quoting it),
and in no cluster, is listed beside the members as *related* (kept: it repeats no kept
paragraph), with its similarity to that member.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cleaner.dedupe.outlets import DocumentDuplicate


@dataclass(frozen=True)
class Member:
    """One paragraph of a cluster."""

    doc_id: str
    source: str
    index: int
    text: str
    similarity: float
    jaccard: float
    containment: float
    kept: bool = True
    from_index: bool = False
    outlet: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The member as a JSON object (scores rounded to 4 decimals)."""
        return {
            "doc_id": self.doc_id,
            "source": self.source,
            "outlet": self.outlet,
            "index": self.index,
            "text": self.text,
            "similarity": round(self.similarity, 4),
            "jaccard": round(self.jaccard, 4),
            "containment": round(self.containment, 4),
            "kept": self.kept,
            "from_index": self.from_index,
        }


@dataclass(frozen=True)
class Related:
    """A kept paragraph near member ``members[near]`` of its cluster (a near copy of it,
    quoted in it, or quoting it) but not near the representative; ``member``'s scores are
    against that member."""

    member: Member
    near: int

    def to_dict(self) -> dict[str, Any]:
        """The paragraph as a JSON object: a member's, and the member it is near."""
        return {**self.member.to_dict(), "near": self.near}


@dataclass(frozen=True)
class Cluster:
    """Paragraphs that repeat one another; ``members[0]`` is the representative, ``related``
    the paragraphs near another member only."""

    id: int
    members: tuple[Member, ...]
    related: tuple[Related, ...] = ()

    @property
    def representative(self) -> Member:
        """The member seen first."""
        return self.members[0]

    def to_dict(self) -> dict[str, Any]:
        """The cluster as one JSON lines record."""
        return {
            "cluster": self.id,
            "size": len(self.members),
            "representative": self.representative.to_dict(),
            "members": [m.to_dict() for m in self.members],
            "related": [r.to_dict() for r in self.related],
        }


@dataclass(frozen=True)
class Dropped:
    """A batch paragraph the keep policy drops, and the cluster it repeats (-1: its whole
    document repeats an earlier one of its outlet, see ``DedupeResult.documents``)."""

    doc_id: str
    index: int
    cluster: int

    def to_dict(self) -> dict[str, Any]:
        """The drop as a JSON object."""
        return {"doc_id": self.doc_id, "index": self.index, "cluster": self.cluster}


@dataclass(frozen=True)
class Pair:
    """A verified pair of batch paragraphs (positions in the batch's paragraph order)."""

    a: int
    b: int
    similarity: float


@dataclass(frozen=True)
class DedupeResult:
    """Clusters found, paragraphs dropped by the keep policy, and counts of the run.

    The sequences are tuples, or tables whose items are made when read
    (:mod:`cleaner.dedupe.table`); either compares equal to a tuple of the same items.
    """

    clusters: Sequence[Cluster]
    dropped: Sequence[Dropped]
    stats: dict[str, Any] = field(default_factory=dict)
    pairs: Sequence[Pair] = ()
    documents: Sequence[DocumentDuplicate] = ()

    def dropped_ids(self) -> set[tuple[str, int]]:
        """``(doc_id, paragraph index)`` of every dropped paragraph."""
        return {(d.doc_id, d.index) for d in self.dropped}

    def to_dict(self) -> dict[str, Any]:
        """The whole result as one JSON object."""
        return {
            "clusters": [c.to_dict() for c in self.clusters],
            "dropped": [d.to_dict() for d in self.dropped],
            "documents": [d.to_dict() for d in self.documents],
            "stats": dict(self.stats),
        }
