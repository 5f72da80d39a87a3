from __future__ import annotations

import numpy as np
import pytest

from cleaner.dedupe.prepare import unique_sets
from cleaner.dedupe.verify import (
    ShingleSets,
    intersection,
    intersection_bound,
    is_near,
    occupancy,
    overlap,
    pair_intersections,
    row_popcount,
    verify_pairs,
)


def _random_sets(rng: np.random.Generator, count: int) -> list[np.ndarray]:
    """Sets drawn from a few shared pools, so overlaps run from none to all."""
    pools = [rng.integers(0, 2**64, 400, dtype=np.uint64) for _ in range(4)]
    out = []
    for _ in range(count):
        pool = pools[int(rng.integers(0, len(pools)))]
        size = int(rng.integers(0, 120))
        take = rng.choice(len(pool), size=min(size, len(pool)), replace=False)
        fresh = rng.integers(0, 2**64, int(rng.integers(0, 30)), dtype=np.uint64)
        out.append(np.unique(np.concatenate([pool[take[: size // 2]], fresh])))
    return out


def _sets(arrays: list[np.ndarray]) -> ShingleSets:
    offsets = np.concatenate(([0], np.cumsum([len(a) for a in arrays]))).astype(np.int64)
    hashes = np.concatenate(arrays).astype(np.uint64)
    return ShingleSets(hashes, offsets, occupancy(hashes, offsets))


def test_bound_never_below_the_true_intersection():
    rng = np.random.default_rng(3)
    arrays = _random_sets(rng, 300)
    sets = _sets(arrays).refined()
    a, b = rng.integers(0, 300, 5000), rng.integers(0, 300, 5000)
    bound = intersection_bound(sets, a, b)
    fine = intersection_bound(sets, a, b, sets.fine)
    true = np.array([intersection(arrays[i], arrays[j]) for i, j in zip(a, b, strict=True)])
    assert (bound >= true).all()
    assert (fine >= true).all()
    assert (bound < np.minimum(sets.sizes()[a], sets.sizes()[b])).any()  # it does prune
    assert (fine < bound).any()  # and the finer sketches more
    # Counted on 64-bit words, each is the bound of the buckets one set fills and the other
    # leaves empty, counted a byte at a time.
    sizes = sets.sizes()
    for sketch, got in ((sets.sketch, bound), (sets.fine, fine)):
        sa, sb = sketch[a], sketch[b]
        only_a = np.unpackbits(sa & ~sb, axis=1).sum(axis=1)
        only_b = np.unpackbits(sb & ~sa, axis=1).sum(axis=1)
        assert got.tolist() == np.minimum(sizes[a] - only_a, sizes[b] - only_b).tolist()
    assert sets.words.dtype == np.uint64


@pytest.mark.parametrize("refined", [False, True])
@pytest.mark.parametrize("containment", [None, 0.8])
def test_verify_pairs_agrees_with_pair_by_pair(containment, refined):
    rng = np.random.default_rng(5)
    arrays = _random_sets(rng, 300)
    cand = np.stack([rng.integers(0, 300, 4000), rng.integers(0, 300, 4000)], axis=1)
    sets = _sets(arrays).refined() if refined else _sets(arrays)
    mask, sim = verify_pairs(sets, cand, 0.4, containment, 20)
    for k, (i, j) in enumerate(cand.tolist()):
        o = overlap(arrays[i], arrays[j])
        assert mask[k] == is_near(o, 0.4, containment, 20)
        if mask[k]:
            assert sim[k] == o.similarity
    assert 0 < mask.sum() < len(cand)


def test_extended_sets_number_on():
    arrays = _random_sets(np.random.default_rng(7), 5)
    sets = _sets(arrays[:3]).refined().extended(arrays[3:])
    assert len(sets) == 5
    assert np.array_equal(sets.get(4), arrays[4])
    assert np.array_equal(sets.sketch, _sets(arrays).sketch)
    assert sets.fine is not None
    assert np.array_equal(sets.fine, _sets(arrays).refined().fine)


def test_unique_sets_sorts_and_dedupes_each_paragraph():
    rng = np.random.default_rng(1)
    parts = [rng.integers(0, 50, int(rng.integers(0, 40))).astype(np.uint64) for _ in range(60)]
    offsets = np.concatenate(([0], np.cumsum([len(p) for p in parts]))).astype(np.int64)
    hashes, new = unique_sets(np.concatenate(parts), offsets)
    for i, p in enumerate(parts):
        assert np.array_equal(hashes[new[i] : new[i + 1]], np.unique(p))


@pytest.mark.parametrize("width", [1, 3, 8, 16, 32])
def test_row_popcount_counts_every_set_bit(width):
    rng = np.random.default_rng(width)
    rows = rng.integers(0, 2**64, (200, width), dtype=np.uint64)
    rows[0] = 2**64 - 1  # every bit: the largest sums
    rows[1] = 0
    rows[2::3] &= rng.integers(0, 2**64, (len(rows[2::3]), width), dtype=np.uint64)
    expected = np.unpackbits(rows.view(np.uint8), axis=1).sum(axis=1)
    assert row_popcount(rows).tolist() == expected.tolist()
    assert row_popcount(rows)[0] == 64 * width
    as_bytes = rows.view(np.uint8)  # a sketch that is not whole words
    assert row_popcount(as_bytes).tolist() == expected.tolist()


def test_pair_intersections_count_what_python_sets_share():
    rng = np.random.default_rng(11)
    arrays = [*_random_sets(rng, 200), np.zeros(0, dtype=np.uint64)]  # an empty set too
    arrays.append(arrays[3].copy())  # a set equal to another
    sets = _sets(arrays)
    n = len(arrays)
    a = np.concatenate([rng.integers(0, n, 5000), [n - 2, 0, n - 1, 3]])
    b = np.concatenate([rng.integers(0, n, 5000), [0, n - 2, 3, n - 1]])
    as_sets = [set(x.tolist()) for x in arrays]
    want = [len(as_sets[i] & as_sets[j]) for i, j in zip(a, b, strict=True)]
    got = pair_intersections(sets, a, b)
    assert got.tolist() == want
    assert got[-1] == got[-2] == len(arrays[3]) and got[-3] == got[-4] == 0
    assert [intersection(arrays[i], arrays[j]) for i, j in zip(a, b, strict=True)] == want
