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


def _area(f: np.ndarray, lo: float, hi: float) -> float:
    """Trapezoid integral of samples ``f`` taken evenly over ``[lo, hi]``."""
    if hi <= lo:
        return 0.0
    step = (hi - lo) / (len(f) - 1)
    return float(step * (f.sum() - (f[0] + f[-1]) / 2))


@lru_cache(maxsize=64)
def optimal_bands(
    threshold: float, num_perm: int, fp_weight: float = 0.5, fn_weight: float = 0.5
) -> tuple[int, int]:
    """Bands and rows per band minimising weighted false positive and negative areas.

    >>> optimal_bands(0.5, 128)
    (25, 5)
    """
    best, best_err = (1, num_perm), float("inf")
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            lo = np.linspace(0.0, threshold, 101)
            hi = np.linspace(threshold, 1.0, 101)
            fp = _area(1 - (1 - lo**r) ** b, 0.0, threshold)
            fn = _area(1 - (1 - (1 - hi**r) ** b), threshold, 1.0)
            err = fp * fp_weight + fn * fn_weight
            if err < best_err:
                best, best_err = (b, r), err
    return best


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
    keys: np.ndarray, owners: np.ndarray, max_group: int | None = None
) -> np.ndarray:
    """Pairs of owners that share a key, as an ``(m, 2)`` array with ``i < j``.

    Within a group sharing a key, each member is paired with the group's first owner and
    with the previous member (a star plus a chain), which keeps a group of ``g`` members
    at ``2g`` pairs while still connecting it. Groups larger than ``max_group`` are skipped.

    >>> collision_pairs(np.array([5, 7, 5, 5], dtype=np.uint64), np.array([0, 1, 2, 3])).tolist()
    [[0, 2], [0, 3], [2, 3]]
    """
    if len(keys) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    order = np.lexsort((owners, keys))
    k, o = keys[order], owners[order]
    same = k[1:] == k[:-1]
    starts = np.flatnonzero(np.concatenate(([True], ~same)))
    group = np.cumsum(np.concatenate(([True], ~same))) - 1
    head = o[starts[group]]
    if max_group is not None:
        sizes = np.diff(np.append(starts, len(k)))
        same &= sizes[group[1:]] <= max_group
    prev = np.concatenate(([-1], o[:-1]))
    idx = np.flatnonzero(np.concatenate(([False], same)))
    pairs = np.concatenate(
        [np.stack([head[idx], o[idx]], axis=1), np.stack([prev[idx], o[idx]], axis=1)]
    )
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    pairs.sort(axis=1)
    return np.unique(pairs, axis=0) if len(pairs) else pairs.reshape(0, 2)


def band_pairs(keys: np.ndarray) -> np.ndarray:
    """Candidate pairs of rows of a band-key matrix (any band in common).

    >>> k = np.array([[1, 2], [1, 3], [4, 3], [5, 6]], dtype=np.uint64)
    >>> band_pairs(k).tolist()
    [[0, 1], [1, 2]]
    """
    n, bands = keys.shape
    owners = np.tile(np.arange(n, dtype=np.int64), bands)
    return collision_pairs(keys.T.ravel(), owners)
