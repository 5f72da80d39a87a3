from __future__ import annotations

import numpy as np
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
