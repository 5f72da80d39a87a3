"""Clusters, drops and pairs of a batch held as arrays, read as objects on demand.

A run at 1M paragraphs finds hundreds of thousands of clusters and over a million verified
pairs. Building a :class:`~cleaner.dedupe.cluster.Member` object for every member, a
:class:`~cleaner.dedupe.cluster.Pair` for every pair and a
:class:`~cleaner.dedupe.cluster.Dropped` for every drop took 7 s of the main process's
serial time, for output that the CLI writes straight from the arrays
(:mod:`cleaner.dedupe.cluster_lines`). The tables here are read-only sequences of those
objects, made when an item is read: the Python API sees the same values as before.

>>> from cleaner.dedupe.prepare import Paragraph
>>> paras = [Paragraph("d", "s", i, t) for i, t in enumerate(["a", "b", "a"])]
>>> one = np.array([1.0, 1.0])
>>> table = ClusterTable(paras, np.array([0, 2]), np.array([0, 2]), one, one, one, np.array([0]))
>>> [(m.index, m.kept) for m in table[0].members], [(d.index, d.cluster) for d in table.dropped()]
([(0, True), (2, False)], [(2, 0)])
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

import numpy as np

from cleaner.dedupe.cluster import Cluster, Dropped, Member, Pair, Related
from cleaner.dedupe.prepare import Paragraph


class _Table(Sequence[Any]):
    """A read-only sequence whose items are made from arrays when read."""

    def __len__(self) -> int:
        raise NotImplementedError

    def _item(self, k: int) -> Any:
        raise NotImplementedError

    @overload
    def __getitem__(self, k: int) -> Any: ...
    @overload
    def __getitem__(self, k: slice) -> tuple[Any, ...]: ...
    def __getitem__(self, k: int | slice) -> Any:
        if isinstance(k, slice):
            return tuple(self._item(i) for i in range(*k.indices(len(self))))
        if k < 0:
            k += len(self)
        if not 0 <= k < len(self):
            raise IndexError(k)
        return self._item(k)

    def __iter__(self) -> Iterator[Any]:
        return map(self._item, range(len(self)))

    def __eq__(self, other: object) -> bool:
        """Equal to any sequence of the same items (a tuple of them, another table)."""
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {len(self)}>"


@dataclass(frozen=True)
class RelatedRows:
    """The related paragraphs of a table's clusters (see :class:`~cleaner.dedupe.cluster.Related`):
    cluster ``c``'s are rows ``starts[c]:starts[c + 1]``; row ``r`` is paragraph ``nodes[r]``,
    near the cluster's member at position ``near[r]``, with its scores against it.

    >>> RelatedRows.none(2).starts.tolist()
    [0, 0, 0]
    """

    starts: np.ndarray
    nodes: np.ndarray
    near: np.ndarray
    similarity: np.ndarray
    jaccard: np.ndarray
    containment: np.ndarray

    @classmethod
    def none(cls, clusters: int) -> RelatedRows:
        """No related paragraph in any of ``clusters`` clusters."""
        empty = np.zeros(0, dtype=np.int64)
        scores = np.zeros(0, dtype=np.float64)
        return cls(np.zeros(clusters + 1, dtype=np.int64), empty, empty, scores, scores, scores)


@dataclass(eq=False, repr=False)  # equality and repr: _Table's (as sequences)
class ClusterTable(_Table):
    """Clusters of batch paragraphs: cluster ``c``'s members are the paragraphs
    ``nodes[starts[c]:starts[c + 1]]``, representative first, with their scores against it
    at the same places of ``similarity``, ``jaccard`` and ``containment``; ``kept[c]`` is
    the position of its kept member (the keep policy's pick); ``related`` the paragraphs
    near a member but not the representative (none when not given)."""

    paragraphs: Sequence[Paragraph]
    starts: np.ndarray
    nodes: np.ndarray
    similarity: np.ndarray
    jaccard: np.ndarray
    containment: np.ndarray
    kept: np.ndarray
    related: RelatedRows | None = None

    def __post_init__(self) -> None:
        if self.related is None:
            self.related = RelatedRows.none(len(self.kept))

    def __len__(self) -> int:
        return len(self.kept)

    def _item(self, c: int) -> Cluster:
        lo, hi = int(self.starts[c]), int(self.starts[c + 1])
        kept = lo + int(self.kept[c])
        members = []
        for k in range(lo, hi):
            p = self.paragraphs[int(self.nodes[k])]
            scores = (float(self.similarity[k]), float(self.jaccard[k]), float(self.containment[k]))
            members.append(
                Member(p.doc_id, p.source, p.index, p.text, *scores, k == kept, outlet=p.outlet)
            )
        rel = self.related
        assert rel is not None  # made in __post_init__
        related = []
        for r in range(int(rel.starts[c]), int(rel.starts[c + 1])):
            p = self.paragraphs[int(rel.nodes[r])]
            scores = (float(rel.similarity[r]), float(rel.jaccard[r]), float(rel.containment[r]))
            member = Member(p.doc_id, p.source, p.index, p.text, *scores, True, outlet=p.outlet)
            related.append(Related(member, int(rel.near[r])))
        return Cluster(c, tuple(members), tuple(related))

    def sizes(self) -> np.ndarray:
        """Members in each cluster."""
        return np.diff(self.starts)

    def dropped(self) -> DroppedTable:
        """The members the keep policy drops (every member but the kept one), in order."""
        sizes = self.sizes()
        cluster = np.repeat(np.arange(len(self), dtype=np.int64), sizes)
        kept_at = self.starts[:-1] + self.kept
        dropped = np.ones(len(self.nodes), dtype=bool)
        dropped[kept_at] = False
        return DroppedTable(self.paragraphs, self.nodes[dropped], cluster[dropped])


@dataclass(eq=False, repr=False)  # equality and repr: _Table's (as sequences)
class DroppedTable(_Table):
    """Dropped batch paragraphs: row ``rows[k]`` repeats cluster ``cluster[k]``."""

    paragraphs: Sequence[Paragraph]
    rows: np.ndarray
    cluster: np.ndarray

    def __len__(self) -> int:
        return len(self.rows)

    def _item(self, k: int) -> Dropped:
        p = self.paragraphs[int(self.rows[k])]
        return Dropped(p.doc_id, p.index, int(self.cluster[k]))


@dataclass(eq=False, repr=False)  # equality and repr: _Table's (as sequences)
class PairTable(_Table):
    """Verified pairs ``(a[k], b[k])`` of batch paragraphs and their similarity."""

    a: np.ndarray
    b: np.ndarray
    similarity: np.ndarray

    def __len__(self) -> int:
        return len(self.a)

    def _item(self, k: int) -> Pair:
        return Pair(int(self.a[k]), int(self.b[k]), float(self.similarity[k]))
