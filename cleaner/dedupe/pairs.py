"""Candidate pairs as flat arrays: ``(m, 2)`` rows ``(i, j)``, or packed one int64 a pair.

Paragraph numbers are below 2**31, so a pair packs into ``i << 32 | j``: sorted codes are
pairs sorted by ``i`` then ``j``, the distinct pairs are the distinct codes, and a pair
takes 8 bytes instead of 16 (at 1M paragraphs the stages give tens of millions).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_LOW32 = 0xFFFFFFFF


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """The distinct values of a 1-d array, sorted: ``np.unique`` by a sort and a compare.

    numpy 2.4's ``np.unique`` finds integers' distinct values with a hash table, then sorts
    them: 0.27 s for 711,000 codes, where a sort and a compare take 6 ms.

    >>> sorted_unique(np.array([3, 1, 3, 2])).tolist()
    [1, 2, 3]
    """
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def ranked(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of a 1-d array, sorted, and the rank of each value among them.

    One argsort: a look-up of every value in the distinct ones (``np.searchsorted``) took
    five times as long on the half million word ids of a day of news.

    >>> [x.tolist() for x in ranked(np.array([30, 10, 30, 20]))]
    [[10, 20, 30], [2, 0, 2, 1]]
    """
    order = np.argsort(values)
    ordered = values[order]
    new = np.ones(len(ordered), dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    rank = np.empty(len(values), dtype=np.int64)
    rank[order] = np.cumsum(new) - 1
    return ordered[new], rank


def pack_pairs(pairs: np.ndarray) -> np.ndarray:
    """Pairs ``(i, j)`` of ints in ``[0, 2**31)`` as one int64 each, ``i << 32 | j``.

    >>> pack_pairs(np.array([[1, 2], [0, 7]])).tolist()
    [4294967298, 7]
    """
    return (pairs[:, 0].astype(np.int64) << 32) | pairs[:, 1].astype(np.int64)


def pair_ends(code: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first and the second paragraph of every packed pair.

    >>> [a.tolist() for a in pair_ends(np.array([4294967298, 7]))]
    [[1, 0], [2, 7]]
    """
    return code >> 32, code & _LOW32


def unpack_pairs(code: np.ndarray) -> np.ndarray:
    """The ``(m, 2)`` int64 pairs of codes made by :func:`pack_pairs`.

    >>> unpack_pairs(np.array([4294967298, 7])).tolist()
    [[1, 2], [0, 7]]
    """
    out = np.empty((len(code), 2), dtype=np.int64)
    np.right_shift(code, 32, out=out[:, 0])
    np.bitwise_and(code, _LOW32, out=out[:, 1])
    return out


def unique_pairs(pairs: np.ndarray) -> np.ndarray:
    """The distinct rows of an ``(m, 2)`` array of ints in ``[0, 2**31)``, sorted.

    Rows are packed into one int64 each and sorted: ``np.unique(axis=0)`` compares rows as
    opaque records, many times slower on millions of pairs.

    >>> unique_pairs(np.array([[2, 1], [0, 5], [2, 1]])).tolist()
    [[0, 5], [2, 1]]
    """
    return unpack_pairs(sorted_unique(pack_pairs(pairs)))


def union_of_codes(codes: Sequence[np.ndarray]) -> np.ndarray:
    """The sorted distinct codes of several arrays of packed pairs.

    Stages give their pairs sorted: the runs laid end to end are merged by a stable sort
    (a merge of sorted runs, not a sort from scratch); unsorted arrays are fine too.

    >>> union_of_codes([np.array([3, 9]), np.array([1, 3])]).tolist()
    [1, 3, 9]
    """
    codes = [c for c in codes if len(c)]
    if not codes:
        return np.zeros(0, dtype=np.int64)
    code = np.sort(np.concatenate(codes), kind="stable")
    del codes
    return code[np.concatenate(([True], code[1:] != code[:-1]))]


def disjoint_codes(codes: Sequence[np.ndarray]) -> list[np.ndarray]:
    """The distinct codes of several arrays of packed pairs, as disjoint arrays: the largest
    array's codes (made sorted and distinct if they are not), then those of the others it
    lacks, sorted.

    At 1M paragraphs the containment stage gives 58 million sorted codes and the band
    stage 700,000: sorting them together (:func:`union_of_codes`) took 2 s of the main
    process, and even laying them end to end 0.7 s; looking the few up in the many takes
    a tenth of that.

    >>> parts = disjoint_codes([np.array([1, 3]), np.array([2, 3, 5, 9]), np.array([9, 0, 9])])
    >>> [p.tolist() for p in parts]
    [[2, 3, 5, 9], [0, 1]]
    """
    codes = [c for c in codes if len(c)]
    if not codes:
        return []
    big = max(range(len(codes)), key=lambda k: len(codes[k]))
    base = codes[big]
    if len(base) > 1 and not (base[1:] > base[:-1]).all():
        base = sorted_unique(base)
    rest = [c for k, c in enumerate(codes) if k != big]
    if not rest:
        return [base]
    others = sorted_unique(np.concatenate(rest))
    at = np.minimum(np.searchsorted(base, others), len(base) - 1)
    return [base, others[base[at] != others]]


def union_of_pairs(pairs: Sequence[np.ndarray]) -> np.ndarray:
    """The distinct rows of several ``(m, 2)`` pair arrays, sorted (see :func:`union_of_codes`).

    >>> union_of_pairs([np.array([[0, 2], [1, 3]]), np.array([[0, 1], [1, 3]])]).tolist()
    [[0, 1], [0, 2], [1, 3]]
    """
    return unpack_pairs(union_of_codes([pack_pairs(p) for p in pairs]))
