"""Banding: band keys of signatures and candidate pairs from band collisions.

The banding is the one datasketch's ``MinHashLSH`` uses: ``b`` bands of ``r`` rows, a pair
is a candidate when all ``r`` values of some band agree, and ``(b, r)`` minimise the
weighted false positive and false negative areas under the S-curve for a threshold. Each
band is reduced to one 64-bit key (instead of datasketch's byte string) so keys of a whole
batch sit in one numpy array and in an index column.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from cleaner.dedupe.keys import mix64
from cleaner.dedupe.pairs import unique_pairs


def _areas(f: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Trapezoid integrals of each row of samples ``f`` taken evenly over ``[lo, hi]``."""
    if hi <= lo:
        return np.zeros(len(f))
    step = (hi - lo) / (f.shape[1] - 1)
    return step * (f.sum(axis=1) - (f[:, 0] + f[:, -1]) / 2)


@lru_cache(maxsize=64)
def optimal_bands(
    threshold: float, num_perm: int, fp_weight: float = 0.5, fn_weight: float = 0.5
) -> tuple[int, int]:
    """Bands and rows per band minimising weighted false positive and negative areas (the
    first such pair in the order of ``b``, then ``r``).

    Every pair is scored at once: one at a time, the 1,290 pairs of 128 permutations took
    24 ms of every run's start.

    >>> optimal_bands(0.5, 128)
    (25, 5)
    """
    per_b = [num_perm // b for b in range(1, num_perm + 1)]
    bands = np.repeat(np.arange(1, num_perm + 1), per_b)
    rows = np.concatenate([np.arange(1, k + 1) for k in per_b])
    b, r = bands[:, None].astype(np.float64), rows[:, None]
    lo = np.linspace(0.0, threshold, 101)
    hi = np.linspace(threshold, 1.0, 101)
    fp = _areas(1 - (1 - lo**r) ** b, 0.0, threshold)
    fn = _areas(1 - (1 - (1 - hi**r) ** b), threshold, 1.0)
    best = int(np.argmin(fp * fp_weight + fn * fn_weight))  # the first of equal minima
    return int(bands[best]), int(rows[best])


def band_keys(sig: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One 64-bit key per band and paragraph: ``(n, bands)`` uint64, band number mixed in.

    >>> sig = np.arange(8, dtype=np.uint64).reshape(1, 8)
    >>> band_keys(sig, 2, 4).shape
    (1, 2)
    """
    n = sig.shape[0]
    keys = np.empty((n, bands), dtype=np.uint64)
    for b in range(bands):
        h = np.full(n, ((b + 1) * 0x9E3779B97F4A7C15) & (2**64 - 1), dtype=np.uint64)
        for c in range(b * rows, (b + 1) * rows):
            h = mix64(h ^ sig[:, c])
        keys[:, b] = h
    return keys


def collision_pairs(
    keys: np.ndarray, owners: np.ndarray, max_group: int | None = None, clique: int = 16
) -> np.ndarray:
    """Pairs of owners that share a key, as a sorted unique ``(m, 2)`` array with ``i < j``.

    A group of at most ``clique`` owners sharing a key gives all its pairs. A larger group
    (a line repeated everywhere) gives each member paired with the group's first owner and
    with the previous member (a star plus a chain): ``2g`` pairs instead of ``g**2``, still
    connected. Groups larger than ``max_group`` are skipped.

    >>> k = np.array([5, 7, 5, 5], dtype=np.uint64)
    >>> collision_pairs(k, np.array([0, 1, 2, 3])).tolist()
    [[0, 2], [0, 3], [2, 3]]
    >>> collision_pairs(k, np.array([0, 1, 2, 3]), clique=2).tolist()
    [[0, 2], [0, 3], [2, 3]]
    """
    if len(keys) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    new, o = _shared_keys(keys, owners)
    starts = np.flatnonzero(new)
    group = np.cumsum(new) - 1
    sizes = np.diff(np.append(starts, len(o)))[group]
    parts = []
    small = sizes <= clique
    for d in range(1, clique):
        i = np.flatnonzero(small[:-d] & (group[d:] == group[:-d]))
        if not len(i):
            break
        parts.append(np.stack([o[i], o[i + d]], axis=1))
    big = ~small
    if max_group is not None:
        big &= sizes <= max_group
    idx = np.flatnonzero(big & ~new)
    if len(idx):
        parts.append(np.stack([o[starts[group[idx]]], o[idx]], axis=1))
        parts.append(np.stack([o[idx - 1], o[idx]], axis=1))
    if not parts:
        return np.zeros((0, 2), dtype=np.int64)
    pairs = np.concatenate(parts)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    pairs.sort(axis=1)
    return unique_pairs(pairs)


def _shared_keys(keys: np.ndarray, owners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows of the keys two rows or more hold (a key held once makes no pair), sorted
    by key then owner: where each key's run starts, and the owners.

    >>> [a.tolist() for a in _shared_keys(np.array([5, 7, 5, 9, 5]), np.array([4, 1, 2, 3, 0]))]
    [[True, False, False], [0, 2, 4]]
    """
    # A sort of the keys alone is three times faster than one by key and owner (lexsort);
    # the owners are then put in order within each key's run by one sort of (run, owner)
    # packed in an int64.
    order = np.argsort(keys)
    k = keys[order]
    same = k[1:] == k[:-1]
    shared = np.zeros(len(k), dtype=bool)
    shared[1:] = same
    shared[:-1] |= same
    k, o = k[shared], owners[order[shared]]
    new = np.ones(len(k), dtype=bool)
    np.not_equal(k[1:], k[:-1], out=new[1:])
    if not len(o):
        return new, o
    top, low = int(o.max()) + 1, int(o.min())
    if low < 0 or top * len(o) >= 2**62:
        return new, o[np.lexsort((o, np.cumsum(new)))]
    run = np.cumsum(new) - 1
    return new, np.sort(run * top + o) - run * top


def band_pairs(keys: np.ndarray) -> np.ndarray:
    """Candidate pairs of rows of a band-key matrix (any band in common).

    >>> k = np.array([[1, 2], [1, 3], [4, 3], [5, 6]], dtype=np.uint64)
    >>> band_pairs(k).tolist()
    [[0, 1], [1, 2]]
    """
    n, bands = keys.shape
    owners = np.tile(np.arange(n, dtype=np.int64), bands)
    return collision_pairs(keys.T.ravel(), owners)
