"""The nodes of a dedupe run: the batch's paragraphs, then the index items met as candidates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from cleaner.dedupe.prepare import Prepared
from cleaner.dedupe.reuse_pairs import (
    TermIds,
    Terms,
)
from cleaner.dedupe.verify import ShingleSets
from cleaner.index.base import IndexItem


@dataclass
class Nodes:
    """Batch paragraphs (nodes ``0..n-1``) and index items met as candidates (``n..``)."""

    prep: Prepared
    external: list[IndexItem]
    self_pid: dict[int, int]  # index pid -> batch node (the same paragraph seen before)
    order_of_batch: dict[int, tuple[int, int]]  # batch node -> (0, pid) when stored before
    _sets: ShingleSets | None = None
    #: Intersection sizes counted during verification, by ``(a, b)`` with ``a < b``.
    counted: dict[tuple[int, int], int] = field(default_factory=dict)
    #: Words and their ids of every node (reuse mode, made with the weights) ...
    term_ids: TermIds | None = None
    #: ... and weighed.
    terms: Terms | None = None
    #: Reuse fractions scored during verification, by ``(a, b)`` with ``a < b``.
    reuse_fractions: dict[tuple[int, int], float] = field(default_factory=dict)

    @property
    def sets(self) -> ShingleSets:
        """Shingle sets of every node (index items after the batch), once they are all met."""
        if self._sets is None or len(self._sets) != len(self.prep.paragraphs) + len(self.external):
            self._sets = self.prep.sets.extended([it.shingles for it in self.external])
        return self._sets

    def outlet_codes(self) -> np.ndarray:
        """One integer per node, equal for nodes of the same outlet (a node with no outlet:
        its document's own)."""
        code: dict[tuple[bool, str], int] = {}
        keys = [(bool(p.outlet), p.outlet or p.doc_id) for p in self.prep.paragraphs]
        keys += [(False, it.doc_id) for it in self.external]
        return np.fromiter((code.setdefault(k, len(code)) for k in keys), np.int64, len(keys))

    def doc_codes(self) -> np.ndarray:
        """One integer per node, equal for nodes of the same document."""
        code: dict[str, int] = {}
        docs = [p.doc_id for p in self.prep.paragraphs] + [it.doc_id for it in self.external]
        return np.fromiter((code.setdefault(d, len(code)) for d in docs), np.int64, len(docs))

    def shingles(self, node: int) -> np.ndarray:
        return self.sets.get(node)

    def words(self, node: int) -> Sequence[str]:
        """Words of a node, in order (reuse mode)."""
        n = len(self.prep.paragraphs)
        return self.prep.words(node) if node < n else self.external[node - n].words

    def order(self, node: int) -> tuple[int, int]:
        """Seen order: index items by pid, then the batch in input order."""
        n = len(self.prep.paragraphs)
        if node >= n:
            return (0, self.external[node - n].pid or 0)
        return self.order_of_batch.get(node, (1, node))
