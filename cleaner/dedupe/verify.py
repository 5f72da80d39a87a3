"""Verification of candidate pairs on the real shingle sets (no estimate is ever reported).

LSH and anchors only propose pairs; a pair is reported when its exact Jaccard similarity
reaches the threshold, or when the smaller paragraph is contained in the larger one (a short
line quoted inside a longer paragraph) and is long enough for containment to mean something.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Overlap:
    """Exact overlap of two shingle sets."""

    jaccard: float
    containment: float
    smaller: int

    @property
    def similarity(self) -> float:
        """The larger of Jaccard and containment (what a cluster member reports)."""
        return max(self.jaccard, self.containment)


def overlap(a: np.ndarray, b: np.ndarray) -> Overlap:
    """Jaccard and containment of two sorted unique hash arrays.

    >>> o = overlap(np.array([1, 2, 3, 4]), np.array([3, 4]))
    >>> o.jaccard, o.containment, o.smaller
    (0.5, 1.0, 2)
    """
    if not a.size or not b.size:
        return Overlap(0.0, 0.0, min(a.size, b.size))
    if a.size > b.size:
        a, b = b, a
    # Look the smaller set up in the larger one (faster than intersect1d's merge sort).
    at = np.searchsorted(b, a)
    at[at == b.size] = 0
    inter = int(np.count_nonzero(b[at] == a))
    smaller = a.size
    return Overlap(inter / (a.size + b.size - inter), inter / smaller, smaller)


def is_near(o: Overlap, threshold: float, containment: float | None, min_contained: int) -> bool:
    """Whether an overlap is a near duplicate by Jaccard, or by containment of the smaller.

    >>> is_near(Overlap(0.2, 0.95, 40), 0.5, 0.8, 25), is_near(Overlap(0.2, 0.95, 10), 0.5, 0.8, 25)
    (True, False)
    """
    if o.jaccard >= threshold:
        return True
    return containment is not None and o.smaller >= min_contained and o.containment >= containment
