"""Verification of candidate pairs on the real shingle sets (no estimate is ever reported).

LSH and anchors only propose pairs; a pair is reported when its exact Jaccard similarity
reaches the threshold, or when the smaller paragraph is contained in the larger one (a short
line quoted inside a longer paragraph) and is long enough for containment to mean something.

Most candidates of a large batch are not pairs (two paragraphs of one story sharing a rare
phrase), and counting a set intersection costs as many steps as the sets have shingles. So
every candidate first meets a safe bound, computed for all candidates at once from a small
occupancy sketch per paragraph: the shingle hash space is cut into ``SKETCH_BITS`` buckets,
and a shingle of ``A`` whose bucket holds no shingle of ``B`` cannot be in ``B``, so
``|A & B| <= |A| - popcount(sketch_A & ~sketch_B)``. A pair whose bound already misses the
threshold is rejected (it would fail the exact count too); only the others are counted
exactly. On the benchmark corpus the bound leaves about 1.05 candidates per true pair.

Long paragraphs fill most of the 512 buckets, and two of them then pass the bound whatever
they share. Near-mode candidates are mostly true pairs, but reuse mode also verifies every
pair sharing a phrase: two long paragraphs of one story. A batch verifying those carries a
finer sketch too (:data:`FINE_BITS`, :meth:`ShingleSets.refined`), met by the pairs the
first one lets through: on a day of Saudi news (``bench/reuse_speed.py``) it leaves about
6,600 of the 110,000 pairs the first bound let through (of 327,000 candidates) to count,
for 5,700 near duplicates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

#: Buckets of the occupancy sketch (64 bytes a paragraph). 256 lets through 19% more false
#: candidates on the 20k benchmark corpus, 1024 only 2% fewer than 512.
SKETCH_BITS = 512

#: Buckets of the finer sketch (256 bytes a paragraph) of :meth:`ShingleSets.refined`: on
#: the day of news above, 1024 leaves 2.7 times as many pairs to count, 4096 10% fewer.
FINE_BITS = 2048

#: Candidate pairs bounded at once (bounds memory: two sketch rows a pair).
_CHUNK = 1 << 18


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


@dataclass(frozen=True)
class ShingleSets:
    """Sorted unique shingle hashes of many paragraphs, flat, and their occupancy sketches.

    Attributes:
        hashes: Every set, concatenated (uint64).
        offsets: Set ``i`` is ``hashes[offsets[i]:offsets[i + 1]]``.
        sketch: ``(n, SKETCH_BITS // 8)`` uint8, see :func:`occupancy`.
        fine: ``(n, FINE_BITS // 8)`` uint8, a finer sketch, or None (see :meth:`refined`).
    """

    hashes: np.ndarray
    offsets: np.ndarray
    sketch: np.ndarray
    fine: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def get(self, i: int) -> np.ndarray:
        """Set ``i`` (a view)."""
        return self.hashes[self.offsets[i] : self.offsets[i + 1]]

    def sizes(self) -> np.ndarray:
        """Size of every set (read-only: one array, made once; verification asks for it
        each chunk of candidates, and a million paragraphs' took milliseconds each time)."""
        return self._sizes

    @cached_property
    def _sizes(self) -> np.ndarray:
        sizes = np.diff(self.offsets)
        sizes.setflags(write=False)
        return sizes

    @cached_property
    def words(self) -> np.ndarray:
        """The sketches as :func:`as_words`."""
        return as_words(self.sketch)

    @cached_property
    def occupied(self) -> np.ndarray:
        """Buckets each set's sketch fills."""
        return row_popcount(self.words)

    @cached_property
    def slack(self) -> np.ndarray:
        """Shingles of each set beyond one a bucket its sketch fills: the most its bound
        counts as shared without a shared bucket (see :func:`intersection_bound`)."""
        return self.sizes() - self.occupied

    def extended(self, more: Sequence[np.ndarray]) -> ShingleSets:
        """These sets followed by ``more`` (sorted unique arrays), numbered on from ``len``."""
        if not more:
            return self
        sizes = np.fromiter((len(m) for m in more), dtype=np.int64, count=len(more))
        hashes = np.concatenate([self.hashes, *[m.astype(np.uint64) for m in more]])
        offsets = np.concatenate([self.offsets, self.offsets[-1] + np.cumsum(sizes)])
        tail, tail_offsets = hashes[self.offsets[-1] :], offsets[len(self) :] - self.offsets[-1]
        extra = occupancy(tail, tail_offsets)
        fine = None
        if self.fine is not None:
            fine = np.concatenate([self.fine, occupancy(tail, tail_offsets, FINE_BITS)])
        return ShingleSets(hashes, offsets, np.concatenate([self.sketch, extra]), fine)

    def refined(self) -> ShingleSets:
        """These sets with their finer sketches too (verification then counts fewer pairs
        exactly: worth it when many candidates are long paragraphs that are not pairs)."""
        if self.fine is not None:
            return self
        return replace(self, fine=occupancy(self.hashes, self.offsets, FINE_BITS))


def as_words(sketch: np.ndarray) -> np.ndarray:
    """Sketch rows as 64-bit words when they hold whole words (a bitwise step then handles
    64 buckets at once), else as they are."""
    if sketch.shape[1] % 8 == 0 and sketch.flags.c_contiguous:
        return sketch.view(np.uint64)
    return sketch


def overlap(a: np.ndarray, b: np.ndarray) -> Overlap:
    """Jaccard and containment of two sorted unique hash arrays.

    >>> o = overlap(np.array([1, 2, 3, 4]), np.array([3, 4]))
    >>> o.jaccard, o.containment, o.smaller
    (0.5, 1.0, 2)
    """
    return overlap_of(intersection(a, b), a.size, b.size)


def overlap_of(inter: int, size_a: int, size_b: int) -> Overlap:
    """The overlap of two sets from their sizes and the size of their intersection.

    >>> overlap_of(2, 4, 2).jaccard
    0.5
    """
    if not size_a or not size_b:
        return Overlap(0.0, 0.0, min(size_a, size_b))
    smaller = min(size_a, size_b)
    return Overlap(inter / (size_a + size_b - inter), inter / smaller, smaller)


def intersection(a: np.ndarray, b: np.ndarray) -> int:
    """Size of the intersection of two sorted unique arrays.

    >>> intersection(np.array([1, 2, 3, 4]), np.array([0, 3, 4, 9]))
    2
    """
    if a.size > b.size:
        a, b = b, a
    return _found(a, b)


def _found(smaller: np.ndarray, larger: np.ndarray) -> int:
    """How many values of ``smaller`` are in ``larger`` (both sorted unique)."""
    if not smaller.size:
        return 0
    # Look the smaller set up in the larger one (faster than intersect1d's merge sort); a
    # value past the largest is compared with the largest (clipped), which it is not.
    at = larger.searchsorted(smaller)
    return int(np.count_nonzero(larger.take(at, mode="clip") == smaller))


def intersections(sets: ShingleSets, pairs: np.ndarray) -> np.ndarray:
    """Exact intersection size of each pair of sets (an ``(m, 2)`` array of set numbers).

    >>> s = ShingleSets(np.array([1, 2, 3, 2, 3], dtype=np.uint64), np.array([0, 3, 5]),
    ...                 np.zeros((2, 64), dtype=np.uint8))
    >>> intersections(s, np.array([[0, 1], [1, 1]])).tolist()
    [2, 2]
    """
    return pair_intersections(sets, pairs[:, 0], pairs[:, 1])


def pair_intersections(sets: ShingleSets, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Exact ``|A & B|`` of every pair of sets ``(a[k], b[k])``.

    The ends of both sets of every pair, the smaller first, are found for all pairs at once,
    so a pair costs its search and a few slices (a third less than :func:`intersection`
    a pair, which reads them from the offsets one by one).

    >>> s = ShingleSets(np.array([1, 2, 3, 2, 3], dtype=np.uint64), np.array([0, 3, 5, 5]),
    ...                 np.zeros((3, 64), dtype=np.uint8))
    >>> pair_intersections(s, np.array([0, 1, 2]), np.array([1, 0, 0])).tolist()
    [2, 2, 0]
    """
    h, off = sets.hashes, sets.offsets
    a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    swap = off[a + 1] - off[a] > off[b + 1] - off[b]
    small, large = np.where(swap, b, a), np.where(swap, a, b)
    ends = (off[small], off[small + 1], off[large], off[large + 1])
    return np.fromiter(
        (
            _found(h[s0:s1], h[l0:l1])
            for s0, s1, l0, l1 in zip(*(e.tolist() for e in ends), strict=True)
        ),
        dtype=np.int64,
        count=len(a),
    )


def is_near(o: Overlap, threshold: float, containment: float | None, min_contained: int) -> bool:
    """Whether an overlap is a near duplicate by Jaccard, or by containment of the smaller.

    >>> is_near(Overlap(0.2, 0.95, 40), 0.5, 0.8, 25), is_near(Overlap(0.2, 0.95, 10), 0.5, 0.8, 25)
    (True, False)
    """
    if o.jaccard >= threshold:
        return True
    return containment is not None and o.smaller >= min_contained and o.containment >= containment


def occupancy(hashes: np.ndarray, offsets: np.ndarray, bits: int = SKETCH_BITS) -> np.ndarray:
    """Occupancy sketch of each set: bit ``k`` of row ``i`` is set when a hash of set ``i``
    has ``k`` in its top bits.

    >>> occupancy(np.array([0, 1 << 63], dtype=np.uint64), np.array([0, 1, 2]), 8).tolist()
    [[128], [8]]
    """
    n = len(offsets) - 1
    out = np.zeros((n, bits // 8), dtype=np.uint8)
    shift = np.uint64(64 - (bits.bit_length() - 1))
    rows = max(1, (1 << 24) // bits)  # rows per step, so the unpacked bits stay small
    for lo in range(0, n, rows):
        hi = min(n, lo + rows)
        a, b = offsets[lo], offsets[hi]
        owner = np.repeat(np.arange(hi - lo, dtype=np.int64), np.diff(offsets[lo : hi + 1]))
        flat = np.zeros((hi - lo) * bits, dtype=bool)
        flat[owner * bits + (hashes[a:b] >> shift).astype(np.int64)] = True
        out[lo:hi] = np.packbits(flat.reshape(hi - lo, bits), axis=1)
    return out


def intersection_bound(
    sets: ShingleSets, a: np.ndarray, b: np.ndarray, sketch: np.ndarray | None = None
) -> np.ndarray:
    """An upper bound of ``|A & B|`` for every pair ``(a[k], b[k])``, from the sketches alone
    (``sketch``: other sketches of the same sets than ``sets.sketch``, such as the fine ones).

    The shingles of ``A`` in buckets ``B`` leaves empty are not in ``B``: at least one a
    bucket, ``occupied(A) - shared buckets`` of them.

    >>> s = ShingleSets(np.array([1, 2, 3], dtype=np.uint64), np.array([0, 2, 3]),
    ...                 np.array([[0b11], [0b100]], dtype=np.uint8))
    >>> intersection_bound(s, np.array([0]), np.array([1])).tolist()
    [0]
    """
    sizes = sets.sizes()
    words, slack = (sets.words, sets.slack) if sketch is None else (as_words(sketch), None)
    out = np.empty(len(a), dtype=np.int64)
    for lo in range(0, len(a), _CHUNK):
        ca, cb = a[lo : lo + _CHUNK], b[lo : lo + _CHUNK]
        # take copies whole rows (3-4 times faster than indexing a 2-d array with a list).
        wa, wb = np.take(words, ca, axis=0), np.take(words, cb, axis=0)
        if slack is None:
            sa, sb = sizes[ca] - row_popcount(wa), sizes[cb] - row_popcount(wb)
        else:
            sa, sb = slack[ca], slack[cb]
        out[lo : lo + _CHUNK] = bound_of(wa, wb, sa, sb)
    return out


def bound_of(
    wa: np.ndarray, wb: np.ndarray, slack_a: np.ndarray, slack_b: np.ndarray
) -> np.ndarray:
    """:func:`intersection_bound` of pairs from their sketch rows and slacks
    (:attr:`ShingleSets.slack`); ``wa`` is overwritten.

    >>> bound_of(np.array([[0b0110]], np.uint64), np.array([[0b0011]], np.uint64),
    ...          np.array([3]), np.array([1])).tolist()
    [2]
    """
    return row_popcount(np.bitwise_and(wa, wb, out=wa)) + np.minimum(slack_a, slack_b)


#: What :class:`BoundTest` reads of a set: its sketch row, slack and size.
BoundRows = tuple[np.ndarray, np.ndarray, np.ndarray]


@dataclass(frozen=True)
class BoundTest:
    """The first test of :func:`verify_counts` alone: whether a pair's sketch bound reaches
    a near duplicate's overlap. A pair failing it is rejected there without counting, so a
    stage proposing many pairs may drop those as it makes them (the containment stage: at
    1M paragraphs 99% of its 250 million pairs, which it then neither sorts nor hands on).

    Attributes:
        words: The sets' sketches (:attr:`ShingleSets.words`).
        slack: Their :attr:`ShingleSets.slack`.
        sizes: Their sizes.
        threshold, containment, min_contained: Those of :func:`verify_counts`.
    """

    words: np.ndarray
    slack: np.ndarray
    sizes: np.ndarray
    threshold: float
    containment: float | None
    min_contained: int

    @classmethod
    def of(
        cls, sets: ShingleSets, threshold: float, containment: float | None, min_contained: int
    ) -> BoundTest:
        """The test of pairs of ``sets`` (it holds their sketches, not the sets)."""
        return cls(sets.words, sets.slack, sets.sizes(), threshold, containment, min_contained)

    def rows(self, ids: np.ndarray) -> BoundRows:
        """What the test reads of sets ``ids``, row for row (to be taken again by index
        with :func:`taken`: cheaper than from every set when few sets make many pairs)."""
        return np.take(self.words, ids, axis=0), self.slack[ids], self.sizes[ids]

    def passes(self, a: BoundRows, b: BoundRows) -> np.ndarray:
        """Mask of the pairs (row ``k`` of ``a`` with row ``k`` of ``b``) that pass the test;
        ``a``'s sketch rows are overwritten.

        >>> s = ShingleSets(np.arange(6, dtype=np.uint64), np.array([0, 3, 6]),
        ...                 np.array([[7] + [0] * 63, [56] + [0] * 63], dtype=np.uint8))
        >>> t = BoundTest.of(s, 0.5, None, 20)
        >>> t.passes(t.rows(np.array([0, 0])), t.rows(np.array([0, 1]))).tolist()
        [True, False]
        """
        (wa, slack_a, size_a), (wb, slack_b, size_b) = a, b
        bound = bound_of(wa, wb, slack_a, slack_b)
        return near_mask(
            bound, size_a, size_b, self.threshold, self.containment, self.min_contained
        )


def taken(rows: BoundRows, at: np.ndarray) -> BoundRows:
    """Rows ``at`` of what :meth:`BoundTest.rows` read."""
    words, slack, size = rows
    return np.take(words, at, axis=0), np.take(slack, at), np.take(size, at)


_BYTES = np.uint64(0x00FF00FF00FF00FF)
_LANES = np.uint64(0x0001000100010001)


def row_popcount(rows: np.ndarray) -> np.ndarray:
    """Set bits of each row of a 2-d unsigned array, as int64.

    >>> row_popcount(np.array([[1, 3], [2**64 - 1, 2**64 - 1]], dtype=np.uint64)).tolist()
    [3, 128]
    >>> row_popcount(np.full((1, 16), 2**64 - 1, dtype=np.uint64)).tolist()
    [1024]
    """
    counts = np.bitwise_count(rows)  # a byte per value
    if rows.dtype != np.uint64 or rows.shape[1] % 8 or not counts.flags.c_contiguous:
        return counts.sum(axis=1, dtype=np.int64)
    # Eight counts (at most 64 each) share a 64-bit word: adding them in pairs into 16-bit
    # lanes, then the four lanes with one multiply, sums eight at once (numpy's sum over a
    # short row is slow).
    packed = counts.view(np.uint64)
    lanes = (packed & _BYTES) + ((packed >> np.uint64(8)) & _BYTES)
    lanes *= _LANES
    lanes >>= np.uint64(48)
    return lanes.sum(axis=1, dtype=np.int64) if lanes.shape[1] > 1 else lanes[:, 0].astype(np.int64)


def near_mask(
    inter: np.ndarray,
    size_a: np.ndarray,
    size_b: np.ndarray,
    threshold: float,
    containment: float | None,
    min_contained: int,
) -> np.ndarray:
    """:func:`is_near` for many pairs given their intersection sizes (the same arithmetic).

    >>> near_mask(np.array([2, 2]), np.array([4, 2]), np.array([2, 40]), 0.5, 0.8, 2).tolist()
    [True, True]
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        jac = inter / (size_a + size_b - inter)
        ok = jac >= threshold
        if containment is not None:
            smaller = np.minimum(size_a, size_b)
            ok |= (smaller >= min_contained) & (inter / smaller >= containment)
    return ok & (size_a > 0) & (size_b > 0)


def verify_pairs(
    sets: ShingleSets,
    cand: np.ndarray,
    threshold: float,
    containment: float | None,
    min_contained: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Which candidate pairs are near duplicates, and their exact similarity.

    A pure function of arrays, so a worker can verify a chunk of candidates.

    Args:
        sets: The shingle sets the pair numbers refer to.
        cand: ``(m, 2)`` int array of set numbers.
        threshold: Jaccard threshold.
        containment: Containment threshold of the smaller set (None: off).
        min_contained: Size the smaller set needs for containment to count.

    Returns:
        ``(mask, similarity)``: ``mask[k]`` when pair ``k`` is a near duplicate;
        ``similarity[k]``, the larger of its exact Jaccard and containment, for every pair
        counted exactly, and NaN for pairs the bound rejected without counting.

    >>> s = ShingleSets(np.array([1, 2, 3, 1, 2, 3, 9], dtype=np.uint64), np.array([0, 3, 7]),
    ...                 np.full((2, 64), 255, dtype=np.uint8))
    >>> mask, sim = verify_pairs(s, np.array([[0, 1]]), 0.5, None, 20)
    >>> mask.tolist(), sim.tolist()
    ([True], [1.0])
    """
    mask, inter = verify_counts(sets, cand, threshold, containment, min_contained)
    sizes = sets.sizes()
    return mask, similarity_of(inter, sizes[cand[:, 0]], sizes[cand[:, 1]])


def overlaps_of(
    inter: np.ndarray, size_a: np.ndarray, size_b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`overlap_of` of many pairs: their Jaccard and containment arrays.

    >>> [a.tolist() for a in overlaps_of(np.array([2, 0]), np.array([4, 0]), np.array([2, 5]))]
    [[0.5, 0.0], [1.0, 0.0]]
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        jaccard = inter / (size_a + size_b - inter)
        containment = inter / np.minimum(size_a, size_b)
    empty = (size_a == 0) | (size_b == 0)
    jaccard[empty] = 0.0
    containment[empty] = 0.0
    return jaccard, containment


def similarity_of(inter: np.ndarray, size_a: np.ndarray, size_b: np.ndarray) -> np.ndarray:
    """``Overlap.similarity`` of many pairs from their counts (NaN where ``inter`` is -1).

    >>> similarity_of(np.array([2, -1, 0]), np.array([4, 4, 0]), np.array([3, 4, 5])).tolist()
    [0.6666666666666666, nan, 0.0]
    """
    sim = np.maximum(*overlaps_of(inter, size_a, size_b))
    sim[inter < 0] = np.nan
    return sim


def verify_counts(
    sets: ShingleSets,
    cand: np.ndarray,
    threshold: float,
    containment: float | None,
    min_contained: int,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`verify_pairs` giving the exact intersection size of each pair (-1: not counted).

    >>> s = ShingleSets(np.array([1, 2, 3, 9], dtype=np.uint64), np.array([0, 3, 4]),
    ...                 np.array([[1] + [0] * 63, [2] + [0] * 63], dtype=np.uint8))
    >>> [x.tolist() for x in verify_counts(s, np.array([[0, 0], [0, 1]]), 0.5, None, 20)]
    [[True, False], [3, -1]]
    """
    a, b = cand[:, 0].astype(np.int64), cand[:, 1].astype(np.int64)
    sizes = sets.sizes()
    size_a, size_b = sizes[a], sizes[b]
    bound = intersection_bound(sets, a, b)
    mask = near_mask(bound, size_a, size_b, threshold, containment, min_contained)
    todo = np.flatnonzero(mask)
    if sets.fine is not None and len(todo):
        fine = intersection_bound(sets, a[todo], b[todo], sets.fine)
        mask[todo] = near_mask(
            fine, size_a[todo], size_b[todo], threshold, containment, min_contained
        )
        todo = todo[mask[todo]]
    counted = pair_intersections(sets, a[todo], b[todo])
    mask[todo] = near_mask(
        counted, size_a[todo], size_b[todo], threshold, containment, min_contained
    )
    inter = np.full(len(cand), -1, dtype=np.int64)
    inter[todo] = counted
    return mask, inter
