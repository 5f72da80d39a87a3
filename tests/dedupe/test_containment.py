"""Containment candidates in pieces (key partitions, paragraph chunks, pair slices), on one
process or two: always the pairs of the rule written out plainly."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from cleaner.dedupe import DedupeOptions, paragraphs_of
from cleaner.dedupe.containment import (
    anchor_pairs,
    anchor_rows,
    candidates_of_rows,
    containment_codes,
    sort_keys,
)
from cleaner.dedupe.pairs import unpack_pairs
from cleaner.dedupe.prepare import anchors, prepare


def _anchor_pairs_by_hand(owner, key, per, max_postings, min_shared, budget):
    """The rule of ``anchor_pairs`` written out plainly, paragraph by paragraph."""
    df = Counter(key.tolist())
    holders: dict[int, list[int]] = {}
    for o, k in zip(owner.tolist(), key.tolist(), strict=True):
        holders.setdefault(k, []).append(o)
    shared: Counter[tuple[int, int]] = Counter()
    for o in sorted(set(owner.tolist())):
        keys = sorted((df[k], k) for k in key[owner == o].tolist())[:per]
        spent = 0
        for f, k in keys:
            if f < 2 or f > max_postings:
                continue
            if budget is not None and spent >= budget:
                continue
            spent += f
            for y in holders[k]:
                if y != o:
                    shared[(min(o, y), max(o, y))] += 1
    return sorted([a, b] for (a, b), c in shared.items() if c >= min_shared)


@pytest.mark.parametrize(("per", "shared", "budget"), [(1, 1, None), (3, 1, 12), (3, 2, None)])
def test_anchor_pairs_follow_the_rule(per, shared, budget):
    rng = np.random.default_rng(per * 10 + shared)
    rows = {
        (int(o), int(k))
        for o, k in zip(rng.integers(0, 80, 900), rng.zipf(1.6, 900) % 60, strict=True)
    }
    owner, key = (np.array(x, dtype=np.int64) for x in zip(*sorted(rows), strict=True))
    key = key.astype(np.uint64)
    got = anchor_pairs(owner, key, per, 8, shared, budget).tolist()
    assert got == _anchor_pairs_by_hand(owner, key, per, 8, shared, budget)
    assert got


def _random_rows(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Unique ``(owner, key)`` rows sorted by owner, keys skewed (a few held by many)."""
    rng = np.random.default_rng(seed)
    rows = {
        (int(o), int(k))
        for o, k in zip(rng.integers(0, 120, 2000), rng.zipf(1.5, 2000) % 90, strict=True)
    }
    owner, key = (np.array(x, dtype=np.int64) for x in zip(*sorted(rows), strict=True))
    # Keys spread over 64 bits, as anchor keys are (hashes), so partitions differ.
    return owner, (key.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) ^ np.uint64(12345)


@pytest.fixture
def small_pieces(monkeypatch):
    """Pieces of a few rows, so every stage runs many tasks and slices."""
    monkeypatch.setattr("cleaner.dedupe.containment.PART_ROWS", 97)
    monkeypatch.setattr("cleaner.dedupe.containment.EMIT_ROWS", 50)
    monkeypatch.setattr("cleaner.dedupe.containment.SAMPLE_ROWS", 13)


@pytest.mark.parametrize(("per", "shared", "budget"), [(1, 1, None), (3, 1, 20), (3, 2, None)])
@pytest.mark.parametrize("parts", [1, 2, 7, 300])
def test_pieces_give_the_rule_pairs(per, shared, budget, parts, small_pieces):
    owner, key = _random_rows(per * 7 + shared)
    want = _anchor_pairs_by_hand(owner, key, per, 12, shared, budget)
    offsets = np.searchsorted(owner, np.arange(owner[-1] + 2))
    got = candidates_of_rows(key, offsets, per, 12, shared, budget, parts=parts)
    assert got.tolist() == want
    assert len(want) > 20


@pytest.mark.parametrize("shared", [1, 2])
def test_two_processes_give_the_one_process_pairs(shared, small_pieces):
    owner, key = _random_rows(shared)
    want = anchor_pairs(owner, key, 3, 12, shared, 20)
    assert want.tolist() == _anchor_pairs_by_hand(owner, key, 3, 12, shared, 20)
    assert np.array_equal(anchor_pairs(owner, key, 3, 12, shared, 20, workers=2), want)


def test_a_batch_of_paragraphs_on_two_processes(seeds, small_pieces):
    docs, _ = seeds
    # The seeds, and copies of them with an attribution added (each quotes its original).
    quoted = [
        (f"q{i}", "", [f"به گزارش ایسنا، {p}" for p in paras[::3]])
        for i, (_, _, paras) in enumerate(docs)
    ]
    prep = prepare(paragraphs_of(docs + quoted), DedupeOptions())
    owner, key = anchors(prep.set_hashes, prep.set_offsets, prep.anchor_rate)
    rows, offsets = anchor_rows(prep.set_hashes, prep.set_offsets, prep.anchor_rate, workers=2)
    assert np.array_equal(rows, key)
    assert np.array_equal(offsets, np.searchsorted(owner, np.arange(len(prep) + 1)))
    want = _anchor_pairs_by_hand(owner, key, 3, 40, 1, 150)
    for workers in (1, 2):
        got = unpack_pairs(
            containment_codes(
                prep.set_hashes, prep.set_offsets, prep.anchor_rate, 3, 40, 1, 150, workers=workers
            )
        )
        assert got.tolist() == want, workers
    assert len(want) > 50


def test_no_rows_and_empty_paragraphs():
    empty = np.zeros(0, dtype=np.uint64)
    assert candidates_of_rows(empty, np.zeros(4, dtype=np.int64), 3, 9, 1).shape == (0, 2)
    key = np.array([5, 5], dtype=np.uint64)
    # Paragraphs 0, 2 and 4 have no anchors; 1 and 3 share one.
    assert candidates_of_rows(key, np.array([0, 0, 1, 1, 2, 2]), 3, 9, 1).tolist() == [[1, 3]]


def test_sort_keys_when_keys_agree_on_their_top_bits():
    # With two rows, one bit holds the row number: 3 and 2 agree above it, and come out of
    # the packed sort in row order, 3 before 2, which the plain argsort then corrects.
    keys = np.array([3, 2], dtype=np.uint64)
    perm, ordered = sort_keys(keys)
    assert perm.tolist() == [1, 0]
    assert ordered.tolist() == [2, 3]
    big = np.random.default_rng(1).integers(0, 2**63, 5000, dtype=np.int64).astype(np.uint64)
    big[::7] = big[3]
    perm, ordered = sort_keys(big)
    assert np.array_equal(perm, np.argsort(big, kind="stable"))


#: Run in a fresh process, so that the pool forks whatever this session runs: the key
#: partitions are then made on the pool, and the pairs merged there by ranges of paragraphs.
POOL_SCRIPT = """
import sys
sys.path.insert(0, sys.argv[1])
import numpy as np
import cleaner.dedupe.containment as containment
import cleaner.dedupe.partition as partition
from dedupe.test_containment import _anchor_pairs_by_hand, _random_rows

calls = []
for module, name in ((containment, "_pairs_merged_on_pool"), (partition, "_partition_on_pool")):
    def call(*args, _real=getattr(module, name), _name=name):
        calls.append(_name)
        return _real(*args)
    setattr(module, name, call)
containment.PART_ROWS, containment.EMIT_ROWS = 97, 50
for seed in (1, 2, 3):
    owner, key = _random_rows(seed)
    want = _anchor_pairs_by_hand(owner, key, 3, 12, 1, 20)
    offsets = np.searchsorted(owner, np.arange(owner[-1] + 2))
    for parts in (None, 2, 7, 300):
        got = containment.candidates_of_rows(key, offsets, 3, 12, 1, 20, workers=2, parts=parts)
        assert got.dtype == np.int64 and got.tolist() == want, (seed, parts)
empty = containment.candidates_of_rows(
    np.array([5, 6], dtype=np.uint64), np.array([0, 1, 2]), 3, 9, 1, workers=2
)
assert empty.shape == (0, 2)
print(sorted(set(calls)), len(calls))
"""


def test_partitions_and_merge_on_a_forked_pool_give_the_rule_pairs():
    tests = str(Path(__file__).resolve().parents[1])
    proc = subprocess.run(
        [sys.executable, "-c", POOL_SCRIPT, tests], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split("]")[0] == "['_pairs_merged_on_pool', '_partition_on_pool'"


@pytest.mark.parametrize("seed", range(8))
def test_merge_moves_pieces_into_one_distinct_sorted_array(seed):
    """The merge of a partition's pieces, made distinct in place in small passes, is the
    plain union of the pieces, and it empties the list it was given."""
    from cleaner.dedupe import containment

    rng = np.random.default_rng(seed)
    pieces = [np.unique(rng.integers(0, 50, rng.integers(0, 40))) for _ in range(5)]
    want = np.unique(np.concatenate(pieces)).tolist()
    found = [(p.astype(np.int64), None) for p in pieces]
    chunk = containment.COMPACT_ROWS
    containment.COMPACT_ROWS = int(rng.integers(1, 8))
    try:
        code, count = containment._merge(found, False)
    finally:
        containment.COMPACT_ROWS = chunk
    assert code.tolist() == want and count is None and found == []


@pytest.mark.parametrize("shared", [1, 2])
def test_a_test_leaves_out_just_the_pairs_failing_it(seeds, small_pieces, monkeypatch, shared):
    """With verification's sketch bound as the stage's test, the candidates are those of the
    rule that pass it, on one process or two, whatever the slices the test meets."""
    from cleaner.dedupe.verify import BoundTest

    monkeypatch.setattr("cleaner.dedupe.containment.TEST_ROWS", 7)
    docs, _ = seeds
    quoted = [
        (f"q{i}", "", [f"به گزارش ایسنا، {p}" for p in paras[::3]])
        for i, (_, _, paras) in enumerate(docs)
    ]
    prep = prepare(paragraphs_of(docs + quoted), DedupeOptions())
    args = (prep.set_hashes, prep.set_offsets, prep.anchor_rate, 3, 40, shared, 150)
    test = BoundTest.of(prep.sets, 0.5, 0.8, 20)
    every = unpack_pairs(containment_codes(*args))
    passing = test.passes(test.rows(every[:, 0]), test.rows(every[:, 1]))
    want = every[passing].tolist()
    assert 0 < len(want) < len(every)
    for workers in (1, 2):
        got = unpack_pairs(containment_codes(*args, workers=workers, test=test))
        assert got.tolist() == want, workers


def test_the_test_changes_no_verified_pair(seeds, monkeypatch):
    """A near-mode run whose containment stage keeps every candidate finds the same pairs
    and clusters as one that leaves out those failing the bound (verification rejects them)."""
    import cleaner.dedupe.api as api
    from cleaner.dedupe import dedupe

    docs, _ = seeds
    quoted = [
        (f"q{i}", "", [f"به گزارش ایسنا، {p}" for p in paras[::3]])
        for i, (_, _, paras) in enumerate(docs)
    ]
    tested = dedupe(docs + quoted, threshold=0.5)
    candidates = tested.stats["candidates"]

    class NoTest:
        @staticmethod
        def of(*_args):
            return None

    monkeypatch.setattr(api, "BoundTest", NoTest)
    plain = dedupe(docs + quoted, threshold=0.5)
    assert plain.stats["candidates"] > candidates
    assert list(plain.pairs) == list(tested.pairs)  # (sorted, as verification gives them)
    assert plain.clusters == tested.clusters and plain.dropped == tested.dropped
    assert len(tested.pairs) > 30
