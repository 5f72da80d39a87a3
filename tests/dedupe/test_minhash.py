from __future__ import annotations

import numpy as np
import pytest
from datasketch import MinHashLSH

from cleaner.dedupe.keys import mix64
from cleaner.dedupe.lsh import band_pairs, optimal_bands
from cleaner.dedupe.minhash import EMPTY, signatures, to_lean


def _sets_with_jaccard(rng, size, jaccard):
    """Two hash sets of ``size`` elements each with the given Jaccard similarity."""
    shared = int(round(2 * size * jaccard / (1 + jaccard)))
    pool = mix64(rng.integers(0, 2**62, size=3 * size, dtype=np.uint64))
    a = pool[:size]
    b = np.concatenate([pool[:shared], pool[size : 2 * size - shared]])
    return a, b


def test_signature_agreement_estimates_jaccard():
    rng = np.random.default_rng(7)
    for size in (30, 300):
        for j in (0.2, 0.5, 0.8):
            agree = []
            for _ in range(40):
                a, b = _sets_with_jaccard(rng, size, j)
                h = np.concatenate([a, b])
                off = np.array([0, len(a), len(a) + len(b)])
                sig = signatures(h, off, num_perm=128, seed=int(rng.integers(1, 1000)))
                agree.append((sig[0] == sig[1]).mean())
            assert abs(np.mean(agree) - j) < 0.05, (size, j, np.mean(agree))


def test_no_empty_bins_after_densification():
    h = mix64(np.arange(3, dtype=np.uint64))
    sig = signatures(h, np.array([0, 3]), num_perm=128)
    assert not (sig == EMPTY).any()
    assert (sig < 2**32).all()


def test_banding_finds_what_datasketch_lsh_finds():
    rng = np.random.default_rng(3)
    a, b = _sets_with_jaccard(rng, 200, 0.9)
    c = mix64(rng.integers(0, 2**62, size=200, dtype=np.uint64))
    h = np.concatenate([a, b, c])
    sig = signatures(h, np.array([0, 200, 400, 600]))
    bands, rows = optimal_bands(0.5, 128)
    keys = band_keys_of(sig, bands, rows)
    assert band_pairs(keys).tolist() == [[0, 1]]
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    for i in range(3):
        lsh.insert(str(i), to_lean(sig[i]))
    assert sorted(lsh.query(to_lean(sig[0]))) == ["0", "1"]


def band_keys_of(sig, bands, rows):
    from cleaner.dedupe.lsh import band_keys

    return band_keys(sig, bands, rows)


def _bands_one_at_a_time(threshold, num_perm):
    """The banding search pair by pair: each (b, r) scored alone, the first minimum kept."""

    def area(f, lo, hi):
        return 0.0 if hi <= lo else (hi - lo) / (len(f) - 1) * (f.sum() - (f[0] + f[-1]) / 2)

    best, best_err = (1, num_perm), float("inf")
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            lo, hi = np.linspace(0.0, threshold, 101), np.linspace(threshold, 1.0, 101)
            fp = area(1 - (1 - lo**r) ** b, 0.0, threshold)
            fn = area(1 - (1 - (1 - hi**r) ** b), threshold, 1.0)
            if fp * 0.5 + fn * 0.5 < best_err:
                best, best_err = (b, r), fp * 0.5 + fn * 0.5
    return best


@pytest.mark.parametrize("num_perm", [16, 64, 128, 256])
def test_banding_scored_at_once_equals_pair_by_pair(num_perm):
    for threshold in (0.05, 0.2, 0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8, 0.9, 0.99, 1.0):
        want = _bands_one_at_a_time(threshold, num_perm)
        assert optimal_bands.__wrapped__(threshold, num_perm) == want, threshold
