"""The pair stages on a pool give exactly the pairs and verdicts of the one-process stages."""

from __future__ import annotations

import numpy as np

from cleaner.dedupe import DedupeOptions, paragraphs_of
from cleaner.dedupe.lsh import band_pairs
from cleaner.dedupe.pair_stages import band_pairs_parallel
from cleaner.dedupe.prepare import prepare
from cleaner.dedupe.verify import intersections

from .test_scale_dedupe import make_docs


def test_band_shuffle_on_two_processes_gives_the_band_pairs():
    prep = prepare(paragraphs_of(make_docs(300)), DedupeOptions())
    want = band_pairs(prep.bands)
    assert len(want) > 100
    for parts in (1, 3, 8):
        got = band_pairs_parallel(prep.bands, workers=2, parts=parts)
        assert np.array_equal(got, want), parts


def _random_pairs(n: int, m: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    pairs = np.sort(rng.integers(0, n, size=(m, 2)), axis=1)
    return pairs[pairs[:, 0] != pairs[:, 1]]


def test_intersections_are_exact():
    prep = prepare(paragraphs_of(make_docs(300)), DedupeOptions())
    pairs = np.concatenate([band_pairs(prep.bands), _random_pairs(len(prep), 2000)])
    want = intersections(prep.sets, pairs)
    sets = [set(prep.shingle_set(i).tolist()) for i in range(len(prep))]
    by_hand = [len(sets[a] & sets[b]) for a, b in pairs[:200].tolist()]
    assert want[:200].tolist() == by_hand


def test_union_of_pairs_equals_unique_pairs_of_all():
    from cleaner.dedupe.pairs import union_of_pairs, unique_pairs

    sorted_run = unique_pairs(_random_pairs(500, 3000))
    other = unique_pairs(_random_pairs(500, 2000))
    loose = _random_pairs(500, 100)  # index pairs come unsorted, with repeats
    parts = [sorted_run, np.zeros((0, 2), dtype=np.int64), other, loose]
    want = unique_pairs(np.concatenate(parts))
    got = union_of_pairs(parts)
    assert got.dtype == want.dtype and np.array_equal(got, want)
    assert union_of_pairs([]).shape == (0, 2)


def test_disjoint_codes_are_the_union_of_the_stages_codes():
    from cleaner.dedupe.pairs import disjoint_codes, pack_pairs, union_of_codes, unique_pairs

    big = pack_pairs(unique_pairs(_random_pairs(500, 3000)))  # sorted, distinct
    small = pack_pairs(unique_pairs(_random_pairs(500, 200)))
    loose = pack_pairs(_random_pairs(500, 100))  # unsorted, with repeats
    for parts in ([big, small, loose], [loose, np.zeros(0, np.int64)], [small], []):
        got = disjoint_codes(parts)
        every = np.concatenate(got) if got else np.zeros(0, np.int64)
        assert len(np.unique(every)) == len(every)  # distinct, within and across the arrays
        assert all(np.array_equal(p, np.sort(p)) for p in got)
        assert np.array_equal(np.sort(every), union_of_codes(parts))
    assert disjoint_codes([big, small])[0] is big  # the largest array as it is
    # A largest array that is not sorted and distinct is made so.
    got = disjoint_codes([np.concatenate([big, big[:50]]), small])
    assert np.array_equal(np.sort(np.concatenate(got)), union_of_codes([big, small]))


def test_sorted_unique_is_np_unique():
    from cleaner.dedupe.pairs import sorted_unique

    rng = np.random.default_rng(5)
    for values in (rng.integers(0, 50, 1000), rng.integers(0, 2**62, 1000), np.zeros(0, int)):
        assert np.array_equal(sorted_unique(values), np.unique(values))
    assert sorted_unique(np.array([7])).tolist() == [7]


def test_verification_of_packed_pairs_in_chunks_gives_the_same_verdicts():
    from cleaner.dedupe.pair_stages import verify_codes
    from cleaner.dedupe.pairs import pack_pairs
    from cleaner.dedupe.verify import verify_counts

    prep = prepare(paragraphs_of(make_docs(300)), DedupeOptions())
    cand = np.unique(
        np.concatenate([band_pairs(prep.bands), _random_pairs(len(prep), 3000)]), axis=0
    )
    want = verify_counts(prep.sets, cand, 0.4, 0.8, 20)
    assert want[0].any() and not want[0].all()
    for workers, chunk in ((1, 700), (1, None), (2, 500)):
        got = verify_codes(prep.sets, pack_pairs(cand), 0.4, 0.8, 20, workers, chunk)
        assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])
    empty = verify_codes(prep.sets, np.zeros(0, np.int64), 0.4, 0.8, 20)
    assert len(empty[0]) == len(empty[1]) == 0
